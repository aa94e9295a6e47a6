"""The shop's catalogue: products generated from a seed (same seed, same shop)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CATEGORIES = {
    "mug": (4, 25),
    "t-shirt": (8, 40),
    "lamp": (15, 90),
    "backpack": (20, 120),
    "notebook": (2, 15),
    "headphones": (15, 150),
    "water bottle": (5, 30),
    "scarf": (8, 45),
}
"""Category -> (lowest, highest) price in dollars."""
COLORS = ("red", "blue", "green", "black", "white", "yellow", "purple", "grey")
BRANDS = ("Acme", "Borealis", "Cobalt", "Dune", "Ember", "Fjord")
STYLES = ("Classic", "Travel", "Studio", "Everyday", "Deluxe", "Compact", "Urban", "Nordic")
CATALOGUE_SIZE = 48


@dataclass(frozen=True)
class Product:
    """One product: what a shopper can search, filter and buy."""

    id: int
    name: str
    category: str
    color: str
    brand: str
    price_cents: int
    rating: int

    @property
    def price(self) -> str:
        """The price as shown, e.g. ``$12.50``."""
        return f"${self.price_cents / 100:.2f}"


def make_catalogue(rng: np.random.Generator, size: int = CATALOGUE_SIZE) -> list[Product]:
    """`size` products with distinct (brand, style, category, color) drawn with `rng`."""
    products: list[Product] = []
    seen: set[tuple[str, str, str, str]] = set()
    categories = list(CATEGORIES)
    while len(products) < size:
        category = categories[int(rng.integers(len(categories)))]
        brand, style = BRANDS[int(rng.integers(len(BRANDS)))], STYLES[int(rng.integers(len(STYLES)))]
        color = COLORS[int(rng.integers(len(COLORS)))]
        if (brand, style, category, color) in seen:
            continue
        seen.add((brand, style, category, color))
        low, high = CATEGORIES[category]
        cents = int(rng.integers(low * 100, high * 100)) // 10 * 10 + 9
        name = f"{brand} {style} {category.title()}"
        products.append(Product(len(products) + 1, name, category, color, brand, cents, int(rng.integers(1, 6))))
    return products
