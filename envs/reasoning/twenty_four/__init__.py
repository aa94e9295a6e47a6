"""TwentyFour (24 points): make 24 from four cards with + - * / (docs in `env.py`)."""
