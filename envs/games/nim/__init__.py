"""Nim: rules, the text game and the perfect nim-sum player."""
