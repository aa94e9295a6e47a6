"""Small word lists the templates draw names and contents from (seeded, so every instance is reproducible)."""

from __future__ import annotations

import random

NOUNS = (
    "apple", "river", "candle", "garden", "rocket", "violin", "pepper", "island", "mirror", "lantern",
    "bridge", "falcon", "harbor", "meadow", "pencil", "saddle", "tunnel", "walnut", "window", "anchor",
    "basket", "cactus", "dragon", "engine", "forest", "glacier", "hammer", "jacket", "kettle", "ladder",
)  # fmt: skip
ADJECTIVES = (
    "quiet", "bright", "rapid", "gentle", "silver", "hollow", "narrow", "golden", "frozen", "hidden",
    "little", "purple", "steady", "wooden", "sunny", "brave", "calm", "eager", "fancy", "lucky",
)  # fmt: skip
FIRST_NAMES = (
    "Ada", "Boris", "Chen", "Dana", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
)  # fmt: skip


def name(rng: random.Random, suffix: str = "") -> str:
    """A file-name-like word pair such as ``quiet_river`` (plus `suffix`)."""
    return f"{rng.choice(ADJECTIVES)}_{rng.choice(NOUNS)}{suffix}"


def names(rng: random.Random, count: int, suffix: str = "") -> list[str]:
    """`count` distinct names."""
    found: list[str] = []
    while len(found) < count:
        candidate = name(rng, suffix)
        if candidate not in found:
            found.append(candidate)
    return found


def sentence(rng: random.Random) -> str:
    """A short line of text such as ``the quiet river meets the golden bridge``."""
    a, b = rng.sample(ADJECTIVES, 2)
    n, m = rng.sample(NOUNS, 2)
    return f"the {a} {n} meets the {b} {m}"


def lines(rng: random.Random, count: int) -> list[str]:
    """`count` distinct sentences."""
    found: list[str] = []
    while len(found) < count:
        candidate = sentence(rng)
        if candidate not in found:
            found.append(candidate)
    return found
