"""Canvas: widgets drawn on a canvas, located only by their pixels (docs in `env.py`)."""
