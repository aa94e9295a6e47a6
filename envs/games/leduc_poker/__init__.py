"""Leduc hold'em: rules, the text game, the CFR equilibrium and its best-response check."""
