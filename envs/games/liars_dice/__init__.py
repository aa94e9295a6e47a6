"""Liar's Dice: rules, the text game and the probability-based bidder."""
