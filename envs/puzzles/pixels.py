"""Pixel tiles for grid puzzles: small RGB tiles drawn with NumPy and laid out by a grid of tile codes.

No image library is needed: a tile is a ``TILE x TILE x 3`` uint8 array, and `compose` turns an
``(h, w)`` array of tile indices into an ``(h * TILE, w * TILE, 3)`` image with one fancy index.
"""

from __future__ import annotations

import numpy as np

TILE = 16
"""Side of one grid cell in pixels."""

Color = tuple[int, int, int]


def solid(color: Color) -> np.ndarray:
    """A tile of one colour."""
    tile = np.empty((TILE, TILE, 3), np.uint8)
    tile[:] = color
    return tile


def with_square(base: np.ndarray, color: Color, margin: int) -> np.ndarray:
    """`base` with a filled square of `color`, `margin` pixels in from each edge."""
    tile = base.copy()
    tile[margin : TILE - margin, margin : TILE - margin] = color
    return tile


def with_frame(base: np.ndarray, color: Color, margin: int, width: int = 1) -> np.ndarray:
    """`base` with a square outline of `color` (`width` pixels thick), `margin` pixels in from each edge."""
    tile = base.copy()
    lo, hi = margin, TILE - margin
    tile[lo:hi, lo : lo + width] = tile[lo:hi, hi - width : hi] = color
    tile[lo : lo + width, lo:hi] = tile[hi - width : hi, lo:hi] = color
    return tile


def with_disc(base: np.ndarray, color: Color, radius: float, center: tuple[float, float] | None = None) -> np.ndarray:
    """`base` with a filled disc of `color` (centre defaults to the tile's centre)."""
    tile = base.copy()
    cy, cx = center or ((TILE - 1) / 2, (TILE - 1) / 2)
    ys, xs = np.mgrid[0:TILE, 0:TILE]
    tile[(ys - cy) ** 2 + (xs - cx) ** 2 <= radius**2] = color
    return tile


def brick(mortar: Color, stone: Color) -> np.ndarray:
    """A wall tile: stones in two staggered rows with mortar lines."""
    tile = solid(stone)
    half = TILE // 2
    tile[0, :] = tile[half, :] = mortar
    tile[:half, half] = mortar
    tile[half:, 0] = mortar
    return tile


def figure(base: np.ndarray, body: Color, head: Color) -> np.ndarray:
    """A person seen from above: a round head over a wider body."""
    tile = with_square(base, body, 4)
    tile[10:13, 3:13] = body
    return with_disc(tile, head, 3.2, (5.0, 7.5))


def compose(codes: np.ndarray, tiles: np.ndarray) -> np.ndarray:
    """The image of a grid: ``codes`` (h, w) of indices into ``tiles`` (k, TILE, TILE, 3)."""
    h, w = codes.shape
    return tiles[codes].transpose(0, 2, 1, 3, 4).reshape(h * TILE, w * TILE, 3)
