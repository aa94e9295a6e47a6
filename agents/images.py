"""Observations with a screenshot (``{"text", "image"}``) as chat content: text, plus the image as a PNG data URL.

`observation_content` is what a chat agent puts in a user message: the plain text for text-only models, or
OpenAI's content parts (``{"type": "text"}`` and ``{"type": "image_url"}``) for vision models. The PNG is
written with zlib alone, so agents need no imaging library.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np


def observation_text(observation: Any) -> str:
    """The text of an observation: itself when it is text, its ``"text"`` entry when it is a dict."""
    if isinstance(observation, Mapping) and "text" in observation:
        return str(observation["text"])
    return str(observation)


def observation_content(observation: Any, images: bool) -> str | list[dict[str, Any]]:
    """A user message's content: the text, and with `images` the observation's image as a second content part."""
    text = observation_text(observation)
    image = observation.get("image") if isinstance(observation, Mapping) else None
    if not images or image is None:
        return text
    return [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": png_data_url(image)}}]


def png_data_url(image: Any) -> str:
    """``data:image/png;base64,...`` of a uint8 HxWx3 (or HxW) array."""
    return "data:image/png;base64," + base64.b64encode(encode_png(image)).decode()


def encode_png(image: Any) -> bytes:
    """PNG bytes of a uint8 HxWx3 RGB or HxW grayscale array (no filtering; zlib level 6)."""
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    if pixels.ndim == 2:
        color_type, channels = 0, 1
    elif pixels.ndim == 3 and pixels.shape[2] == 3:
        color_type, channels = 2, 3
    else:
        raise ValueError(f"an image must be HxW or HxWx3 uint8, got shape {pixels.shape}")
    height, width = pixels.shape[:2]
    rows = pixels.reshape(height, width * channels)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()  # filter type 0 before each row
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
