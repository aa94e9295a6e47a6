"""The shop: a local web store with seeded catalogues and shopping tasks (docs in `env.py`)."""
