"""Sorting: put a list of integers in order (docs in `env.py`)."""
