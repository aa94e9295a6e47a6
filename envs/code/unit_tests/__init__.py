"""UnitTests: write a function from a specification; hidden tests run it in the sandbox (docs in `env.py`)."""
