"""Canvas task generators: a seed in, the widget layout (for the page) and the instruction out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

WIDTH, HEIGHT = 320, 240
LABELS = (
    "Save",
    "Open",
    "Close",
    "Print",
    "Share",
    "Undo",
    "Redo",
    "Help",
    "Copy",
    "Paste",
    "Send",
    "Reload",
)
FILLS = ("#e8eef9", "#f3e6e6", "#e6f3e8", "#f7f2dc", "#eee5f5", "#e0f0f0")
WORDS = ("kiwi", "amber", "delta", "lotus", "maple", "onyx", "pixel", "quartz", "river", "tango")
DIALOG_CHOICES = (("OK", "Cancel"), ("Yes", "No"), ("Delete", "Keep"))


def _cells(rng: np.random.Generator, n: int, cols: int = 3, rows: int = 4) -> list[tuple[int, int]]:
    """`n` distinct grid cells, as the top-left pixel of a button placed with jitter inside each."""
    cell_w, cell_h = WIDTH // cols, HEIGHT // rows
    picks = rng.choice(cols * rows, size=n, replace=False)
    return [
        (
            int(c % cols) * cell_w + int(rng.integers(2, cell_w - 74)),
            int(c // cols) * cell_h + int(rng.integers(2, cell_h - 28)),
        )
        for c in picks
    ]


def _button(label: str, xy: tuple[int, int], rng: np.random.Generator, **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "x": xy[0],
        "y": xy[1],
        "w": 72,
        "h": 26,
        "fill": FILLS[int(rng.integers(len(FILLS)))],
        **extra,
    }


def click_button(rng: np.random.Generator) -> tuple[dict[str, Any], str]:
    """Several labelled buttons; click the named one (1) and not another (-1)."""
    n = int(rng.integers(4, 7))
    labels = [LABELS[i] for i in rng.choice(len(LABELS), size=n, replace=False)]
    target = labels[int(rng.integers(n))]
    buttons = [
        _button(label, xy, rng, correct=label == target) for label, xy in zip(labels, _cells(rng, n), strict=True)
    ]
    return {"buttons": buttons}, f'Click the "{target}" button.'


def dialog(rng: np.random.Generator) -> tuple[dict[str, Any], str]:
    """A confirmation dialog; agree or refuse as told (1), the other button scores -1."""
    yes, no = DIALOG_CHOICES[int(rng.integers(len(DIALOG_CHOICES)))]
    name = f"report-{int(rng.integers(1, 100))}.txt"
    agree = bool(rng.integers(2))
    order = [(yes, agree), (no, not agree)]
    if rng.integers(2):
        order.reverse()
    box = {
        "x": 40,
        "y": 50,
        "w": 240,
        "h": 130,
        "lines": [f"Delete the file {name}?", "This cannot be undone."],
    }
    buttons = [_button(label, (60 + 110 * i, 140), rng, correct=ok) for i, (label, ok) in enumerate(order)]
    want = "delete it" if agree else "keep it"
    return {"dialog": box, "buttons": buttons}, f"A dialog asks about {name}: answer it so as to {want}."


def form(rng: np.random.Generator) -> tuple[dict[str, Any], str]:
    """Text fields drawn on the canvas: click one to focus, type, press Submit (partial credit per field)."""
    names = ("Username", "Code", "City")[: int(rng.integers(2, 4))]
    values = [WORDS[i] + str(int(rng.integers(10))) for i in rng.choice(len(WORDS), size=len(names), replace=False)]
    top = int(rng.integers(20, 50))
    fields = [
        {"label": n, "x": 110, "y": top + 40 * i, "w": 150, "h": 24, "labelWidth": 90, "expected": v}
        for i, (n, v) in enumerate(zip(names, values, strict=True))
    ]
    submit = _button("Submit", (110, top + 40 * len(names) + 10), rng, action="submit")
    wanted = " and ".join(f'"{v}" into {n}' for n, v in zip(names, values, strict=True))
    return {"fields": fields, "buttons": [submit]}, f"Type {wanted}, then press Submit."


def slider(rng: np.random.Generator) -> tuple[dict[str, Any], str]:
    """Drag a drawn slider's knob to a value, then press Submit (partial credit near the target)."""
    start, target = (int(v) for v in rng.choice(np.arange(0, 101, 5), size=2, replace=False))
    track = {
        "x": 60,
        "y": int(rng.integers(60, 120)),
        "w": 200,
        "min": 0,
        "max": 100,
        "start": start,
        "target": target,
    }
    submit = _button("Submit", (124, 190), rng, action="submit")
    return {"slider": track, "buttons": [submit]}, f"Set the slider to {target}, then press Submit."


TASKS: dict[str, Callable[[np.random.Generator], tuple[dict[str, Any], str]]] = {
    "click-button": click_button,
    "dialog": dialog,
    "form": form,
    "slider": slider,
}


def make_task(name: str, seed: int) -> tuple[dict[str, Any], str]:
    """The page spec (with size and background) and the instruction of task `name` for `seed`."""
    rng = np.random.default_rng(seed)
    spec, instruction = TASKS[name](rng)
    return {"width": WIDTH, "height": HEIGHT, "background": "#fafafa", **spec}, instruction
