"""GuessNumber: find a hidden number from higher/lower hints (docs in `env.py`)."""
