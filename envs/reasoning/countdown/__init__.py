"""Countdown: reach a target from given numbers with + - * / (docs in `env.py`)."""
