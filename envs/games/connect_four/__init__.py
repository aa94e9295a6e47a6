"""Connect Four: bitboard rules, alpha-beta search, and the text game."""
