"""PythonCalc: puzzles solved with a sandboxed Python tool (see `env.py` for the docs)."""
