"""Logic: deduce a position from pairwise comparisons (docs in `env.py`)."""
