"""Arithmetic: evaluate a generated expression exactly (docs in `env.py`)."""
