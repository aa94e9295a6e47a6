"""Card images for 24 points, drawn with NumPy: a white card per rank and suit, side by side.

Ranks are drawn from a 5x7 bitmap font and suits from 7x7 bitmaps (no font files, no image library),
red for hearts and diamonds, black for spades and clubs.
"""

from __future__ import annotations

import numpy as np

CARD_W, CARD_H, GAP, SCALE = 56, 80, 8, 3
WIDTH, HEIGHT = 4 * CARD_W + 5 * GAP, CARD_H + 2 * GAP
"""The image of four cards: 264 x 96 pixels."""
TABLE, PAPER, EDGE = (30, 110, 60), (250, 250, 245), (120, 120, 120)
RED, BLACK = (200, 30, 40), (20, 20, 20)

_GLYPHS = {
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11110", "00001", "00001", "01110", "00001", "00001", "11110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
    "J": ("00111", "00010", "00010", "00010", "00010", "10010", "01100"),
    "Q": ("01110", "10001", "10001", "10001", "10101", "10010", "01101"),
    "K": ("10001", "10010", "10100", "11000", "10100", "10010", "10001"),
}
_SUITS = {
    "♠": ("0001000", "0011100", "0111110", "1111111", "1111111", "0011100", "0111110"),
    "♥": ("0110110", "1111111", "1111111", "1111111", "0111110", "0011100", "0001000"),
    "♦": ("0001000", "0011100", "0111110", "1111111", "0111110", "0011100", "0001000"),
    "♣": ("0011100", "0011100", "1101011", "1111111", "1101011", "0001000", "0011100"),
}


def _bitmap(rows: tuple[str, ...], scale: int) -> np.ndarray:
    mask = np.array([[ch == "1" for ch in row] for row in rows], bool)
    return mask.repeat(scale, 0).repeat(scale, 1)


def _stamp(image: np.ndarray, mask: np.ndarray, top: int, left: int, color: tuple[int, int, int]) -> None:
    image[top : top + mask.shape[0], left : left + mask.shape[1]][mask] = color


def draw_card(rank: str, suit: str) -> np.ndarray:
    """One card: the rank at the top left, a large suit in the middle, the rank again at the bottom right."""
    card = np.empty((CARD_H, CARD_W, 3), np.uint8)
    card[:] = PAPER
    card[0, :] = card[-1, :] = card[:, 0] = card[:, -1] = EDGE
    color = RED if suit in "♥♦" else BLACK
    glyphs = [_bitmap(_GLYPHS[ch], 2) for ch in rank]
    for i, glyph in enumerate(glyphs):
        _stamp(card, glyph, 4, 4 + i * 12, color)
        _stamp(card, glyph, CARD_H - 18, CARD_W - 4 - 12 * (len(glyphs) - i) + 2, color)
    big = _bitmap(_SUITS[suit], SCALE + 1)
    _stamp(card, big, (CARD_H - big.shape[0]) // 2, (CARD_W - big.shape[1]) // 2, color)
    return card


def draw_hand(cards: list[tuple[str, str]]) -> np.ndarray:
    """Four cards ``(rank, suit)`` on a green table: a `HEIGHT` x `WIDTH` x 3 uint8 image."""
    image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    image[:] = TABLE
    for i, (rank, suit) in enumerate(cards):
        left = GAP + i * (CARD_W + GAP)
        image[GAP : GAP + CARD_H, left : left + CARD_W] = draw_card(rank, suit)
    return image
