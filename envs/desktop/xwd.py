"""Reads the X server's framebuffer, an XWD image that Xvfb keeps in a file (``Xvfb -fbdir``), as RGB pixels.

A screenshot is then one file read: no screenshot program starts, nothing is encoded inside the sandbox.
"""

from __future__ import annotations

import struct

import numpy as np

HEADER_FIELDS = 25
"""CARD32 fields of the XWD file header (X11 XWDFileHeader), big-endian."""
XWD_VERSION = 7
ZPIXMAP = 2
MAX_SIDE = 8192


class XwdError(ValueError):
    """The bytes are not a 24/32-bit ZPixmap XWD image of a sane size."""


def decode_xwd(data: bytes) -> np.ndarray:
    """The RGB pixels (uint8 HxWx3) of a 32-bits-per-pixel ZPixmap XWD image, as Xvfb writes its screen."""
    if len(data) < HEADER_FIELDS * 4:
        raise XwdError(f"{len(data)} bytes is too short for an XWD header")
    fields = struct.unpack(">25I", data[: HEADER_FIELDS * 4])
    header_size, version, pixmap_format, _depth, width, height = fields[:6]
    byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
    red_mask, green_mask, blue_mask, ncolors = fields[14], fields[15], fields[16], fields[19]
    if version != XWD_VERSION or pixmap_format != ZPIXMAP or bits_per_pixel != 32:
        raise XwdError(f"unsupported XWD image (version {version}, format {pixmap_format}, {bits_per_pixel} bpp)")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and bytes_per_line >= 4 * width):
        raise XwdError(f"implausible XWD size {width}x{height}, {bytes_per_line} bytes per line")
    offset = header_size + 12 * ncolors  # the colormap (XWDColor: 12 bytes each) sits between header and pixels
    end = offset + bytes_per_line * height
    if end > len(data):
        raise XwdError(f"the XWD image is cut short ({len(data)} of {end} bytes)")
    rows = np.frombuffer(data, np.uint8, bytes_per_line * height, offset).reshape(height, bytes_per_line)
    if byte_order == 0 and (red_mask, green_mask, blue_mask) == (0xFF0000, 0xFF00, 0xFF):  # Xvfb's BGRX bytes
        return rows[:, : 4 * width].reshape(height, width, 4)[:, :, 2::-1].copy()
    words = rows[:, : 4 * width].copy().view("<u4" if byte_order == 0 else ">u4").reshape(height, width)
    channels = [(words & mask) >> _shift(mask) for mask in (red_mask, green_mask, blue_mask)]
    return np.stack(channels, axis=-1).astype(np.uint8)


def _shift(mask: int) -> int:
    if mask == 0:
        raise XwdError("an XWD colour mask is zero")
    return (mask & -mask).bit_length() - 1
