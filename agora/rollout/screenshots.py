"""Screenshots in episode records.

A multimodal observation (``{"text", "image"}``) is recorded as its text, with the image as a PNG data
URL in ``Turn.info["screenshot"]`` (what `agora view` draws).

The image is the uint8 HxWx3 array GUI, desktop and pixel-mode web envs return; PNG keeps it exact and
small (a 320x240 canvas is a few KB). Pillow comes with the extras of those envs (``agora[web]``).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

MAX_SIDE = 4096
"""Images wider or taller than this are not recorded (the text still is)."""
PREFIX = "data:image/png;base64,"


def split_observation(observation: Any) -> tuple[str, dict[str, Any]]:
    """(the text to record, extra turn info) for an observation: a screenshot goes into the info."""
    if not isinstance(observation, Mapping) or "image" not in observation:
        return str(observation), {}
    text = str(observation.get("text", ""))
    png = png_data_url(observation["image"])
    return text, ({"screenshot": png} if png else {})


def png_data_url(image: Any) -> str | None:
    """The image (uint8 HxW or HxWx3/4 array) as a ``data:image/png;base64,...`` URL; None if it is not one."""
    import numpy as np

    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or max(array.shape[:2]) > MAX_SIDE:
        return None
    if array.ndim == 3 and array.shape[2] not in (3, 4):
        return None
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return PREFIX + base64.b64encode(buffer.getvalue()).decode("ascii")
