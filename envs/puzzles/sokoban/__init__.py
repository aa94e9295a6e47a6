"""Sokoban: push every box onto a target (docs in `env.py`)."""
