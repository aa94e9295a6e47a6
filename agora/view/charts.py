"""Charts drawn by matplotlib on the server, as SVG data URLs for ``<img>`` (no JavaScript, no download).

An SVG in an ``<img>`` runs no script, and matplotlib escapes the text it draws, so labels taken
from records (env ids, agent names) cannot inject anything into the page.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

MAX_POINTS = 5000
"""Longer series are thinned to about this many points."""


def _figure(width: float = 6.0, height: float = 2.6, rows: int = 1, cols: int = 1) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(rows, cols, squeeze=False) if rows * cols > 1 else fig.subplots()


def _data_url(fig: Any) -> str:
    import matplotlib

    buffer = io.BytesIO()
    fig.tight_layout()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as <text>: 10x smaller and faster than paths
        fig.savefig(buffer, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _thin(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    step = max(1, math.ceil(len(xs) / MAX_POINTS))
    return list(xs[::step]), list(ys[::step])


def curves(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], cols: int = 4) -> str:
    """Small multiples: one line chart per metric (title, steps, values) over training steps, in one figure."""
    series = list(series)
    rows = max(1, math.ceil(len(series) / cols))
    fig, axes = _figure(3.0 * cols, 2.1 * rows, rows, cols)
    flat = list(axes.flat) if rows * cols > 1 else [axes]
    for ax, (title, xs, ys) in zip(flat, series, strict=False):
        xs, ys = _thin(xs, ys)
        ax.plot(xs, ys, marker="o" if len(xs) < 40 else None, markersize=3, linewidth=1.4, color="#3465a4")
        ax.set_title(title[:60], fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in flat[len(series) :]:
        ax.set_visible(False)
    return _data_url(fig)


def histograms(title: str, series: Mapping[str, Sequence[float]], bins: int = 30) -> str:
    """Overlaid return histograms (one per run or env), as densities so runs of different sizes compare."""
    fig, ax = _figure()
    values = [v for vs in series.values() for v in vs]
    if values:
        low, high = min(values), max(values)
        edges = [low + (high - low) * i / bins for i in range(bins + 1)] if high > low else bins
        for label, vs in list(series.items())[:8]:
            if vs:
                ax.hist(vs, bins=edges, alpha=0.5, label=f"{label[:40]} (n={len(vs):,})", density=True)
        ax.legend(fontsize=7)
    ax.set_title(title[:80], fontsize=9)
    ax.set_xlabel("return", fontsize=8)
    ax.tick_params(labelsize=7)
    return _data_url(fig)


def ratings(rows: Sequence[Mapping[str, Any]]) -> str:
    """Elo ratings with their bootstrap 95% intervals, best at the top."""
    rows = list(rows)[:40]
    fig, ax = _figure(6.0, 0.5 + 0.35 * max(1, len(rows)))
    names = [str(r.get("label") or r.get("agent"))[:40] for r in rows][::-1]
    elo = [float(r.get("elo", 0.0)) for r in rows][::-1]
    low = [e - float(r.get("elo_low", e)) for e, r in zip(elo, rows[::-1], strict=True)]
    high = [float(r.get("elo_high", e)) - e for e, r in zip(elo, rows[::-1], strict=True)]
    ax.errorbar(elo, range(len(rows)), xerr=[low, high], fmt="o", color="#3465a4", capsize=3)
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    ax.set_xlabel("Elo (95% interval)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3, axis="x")
    return _data_url(fig)
