"""text/ScienceWorld: the ScienceWorld simulator (its own JAR, through its Python API) as a text env."""
