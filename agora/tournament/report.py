"""Tournament results: the summary (ratings, win/draw/loss matrix, errors) and its outputs.

`summarize` turns the games' `Episode` records into one JSON-able dict; `write_outputs` writes it as
``results.json``, ``ratings.csv``, ``matrix.csv``, ``table.txt`` (the terminal table) and
``ratings.png`` (ratings with 95% intervals and the pairwise win-rate heatmap).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table

from agora.tournament import ratings as rt
from agora.trajectory import Episode


def summarize(
    episodes: Sequence[Episode], agents: Sequence[str], header: dict[str, Any], bootstrap_samples: int = 200
) -> dict[str, Any]:
    """Ratings, matrix and errors of the finished games among `episodes` (rated in game index order)."""
    ok = sorted((e for e in episodes if rated(e)), key=lambda e: e.meta.get("index", 0))
    games = rt.deal_scores(ok)
    wdl = rt.pairwise(games, agents)
    elo, (mu, sigma) = rt.elo(wdl), rt.openskill(games, agents)
    intervals = rt.bootstrap(games, agents, bootstrap_samples, seed=int(header.get("seed", 0)))
    labels = short_labels(agents)
    rows = []
    for i, agent in enumerate(agents):
        rows.append(
            {
                "agent": agent,
                "label": labels[agent],
                "elo": float(elo[i]),
                "elo_low": float(intervals["elo"][i, 0]),
                "elo_high": float(intervals["elo"][i, 1]),
                "openskill_mu": float(mu[i]),
                "openskill_sigma": float(sigma[i]),
                "openskill_mu_low": float(intervals["openskill_mu"][i, 0]),
                "openskill_mu_high": float(intervals["openskill_mu"][i, 1]),
                "wins": int(wdl[i, :, 0].sum()),
                "draws": int(wdl[i, :, 1].sum()),
                "losses": int(wdl[i, :, 2].sum()),
                **_seat_stats(ok, agent),
            }
        )
    rows.sort(key=lambda r: -r["elo"])
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    failed = [e for e in episodes if not rated(e)]
    return {
        **{k: v for k, v in header.items() if k != "type"},
        "games_finished": len(ok),
        "games_failed": len(failed),
        "wdl_counts": "deals",
        "ratings": rows,
        "matrix": _matrix(wdl, agents),
        "errors": _agent_errors(ok)[:50],
        "failures": [{"index": e.meta.get("index"), "failure": e.error or "truncated"} for e in failed],
    }


def rated(episode: Episode) -> bool:
    """Whether a game counts in the ratings: it ran and ended (not failed, not cut by the move cap)."""
    return episode.status == "ok" and episode.terminated


def _agent_errors(episodes: Sequence[Episode]) -> list[dict[str, Any]]:
    errors = []
    for e in episodes:
        seats = list(e.agents)
        for turn in e.turns:
            if "agent_error" in turn.info:
                errors.append(
                    {
                        "index": e.meta.get("index"),
                        "seat": seats.index(turn.agent_id),
                        "agent": e.agents[turn.agent_id],
                        "move": turn.turn_index,
                        "agent_error": turn.info["agent_error"],
                    }
                )
    return errors


def _seat_stats(episodes: Sequence[Episode], agent: str) -> dict[str, Any]:
    seats = [(e, seat) for e in episodes for seat, a in e.agents.items() if a == agent]
    rewards = [e.returns[seat] for e, seat in seats]
    turns = [t for e, seat in seats for t in e.turns_of(seat)]
    return {
        "games": len({e.episode_id for e, _ in seats}),
        "mean_reward": float(np.mean(rewards)) if rewards else float("nan"),
        "invalid_moves": sum(not t.valid for t in turns),
        "agent_errors": sum("agent_error" in t.info for t in turns),
    }


def _matrix(wdl: np.ndarray, agents: Sequence[str]) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for i, a in enumerate(agents):
        out[a] = {}
        for j, b in enumerate(agents):
            w, d, lo = (int(x) for x in wdl[i, j])
            n = w + d + lo
            if i != j and n:
                out[a][b] = {"wins": w, "draws": d, "losses": lo, "score": (w + 0.5 * d) / n}
    return out


def table(summary: dict[str, Any]) -> Table:
    """The ratings as a rich table (all columns, intervals included, are in the JSON and CSV files)."""
    t = Table(
        title=f"{summary['env_id']}: {summary['games_finished']} games",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption_justify="left",
        caption="W/D/L: duplicate deals won/drawn/lost against each opponent (a deal: the games of one seed "
        "with the seats rotated, scores summed)\nerrors: invalid moves / exceptions or non-text actions",
    )
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("agent", overflow="ellipsis", no_wrap=True, max_width=28)
    for col in ("Elo [95% CI]", "mu±sigma", "W/D/L (deals)", "reward", "errors"):
        t.add_column(col, justify="right", no_wrap=True)
    for r in summary["ratings"]:
        t.add_row(
            str(r["rank"]),
            r["label"],
            f"{r['elo']:.0f} [{r['elo_low']:.0f},{r['elo_high']:.0f}]",
            f"{r['openskill_mu']:.1f}±{r['openskill_sigma']:.1f}",
            f"{r['wins']}/{r['draws']}/{r['losses']}",
            f"{r['mean_reward']:+.2f}",
            f"{r['invalid_moves']}/{r['agent_errors']}",
        )
    return t


def write_outputs(summary: dict[str, Any], out: Path) -> dict[str, Path]:
    """Writes results.json, ratings.csv, matrix.csv, table.txt and ratings.png into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("results.json", "ratings.csv", "matrix.csv", "table.txt", "ratings.png")}
    paths["results.json"].write_text(json.dumps(summary, indent=2, default=repr) + "\n")
    _write_csv(paths["ratings.csv"], summary["ratings"])
    _write_csv(
        paths["matrix.csv"],
        [{"agent": a, "opponent": b, **cell} for a, row in summary["matrix"].items() for b, cell in row.items()],
    )
    text = io.StringIO()
    Console(file=text, width=140, force_terminal=False, color_system=None).print(table(summary))
    paths["table.txt"].write_text(text.getvalue())
    plot(summary, paths["ratings.png"])
    return paths


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    fields = list(rows[0]) if rows else ["agent"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def plot(summary: dict[str, Any], path: Path) -> None:
    """PNG: Elo and openskill mu with 95% intervals, and the pairwise score (win rate) heatmap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["ratings"][::-1]
    names = [r["label"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 2.6 + 0.5 * len(names)), constrained_layout=True)
    for ax, key, label in ((axes[0], "elo", "Elo"), (axes[1], "openskill_mu", "openskill mu")):
        values = np.array([r[key] for r in rows])
        low, high = np.array([r[f"{key}_low"] for r in rows]), np.array([r[f"{key}_high"] for r in rows])
        err = np.nan_to_num(np.vstack([values - low, high - values]).clip(min=0))
        ax.errorbar(values, range(len(names)), xerr=err, fmt="o", capsize=4)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel(f"{label} (95% bootstrap interval)")
    _heatmap(axes[2], summary, names[::-1])
    fig.suptitle(f"{summary['env_id']}: {summary['games_finished']} games")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _heatmap(ax: Any, summary: dict[str, Any], names: list[str]) -> None:
    full = {r["label"]: r["agent"] for r in summary["ratings"]}
    grid = np.full((len(names), len(names)), np.nan)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            cell = summary["matrix"].get(full[a], {}).get(full[b])
            if cell:
                grid[i, j] = cell["score"]
    ax.imshow(grid, vmin=0, vmax=1, cmap="RdYlGn")
    for i in range(len(names)):
        for j in range(len(names)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_title("row's score vs column\n(win 1, draw 1/2)")


def short_labels(specs: Sequence[str], width: int = 24) -> dict[str, str]:
    """Short, distinct names for agent specs in tables and plots (the full specs are in the JSON and CSV).

    Options after ``?`` are dropped (``smollm2?max_new_tokens=16`` -> ``smollm2``), a ``module:factory``
    becomes ``factory``, a path or URL its last part (``hf:/models/tiny`` -> ``hf:tiny``,
    ``openai:URL#MODEL`` -> ``openai:MODEL``); labels that would collide get ``#2``, ``#3``.
    """
    labels: dict[str, str] = {}
    for spec in specs:
        label = _short(spec, width)
        taken = set(labels.values())
        k = 2
        while label in taken:
            label, k = f"{_short(spec, width - 3)}#{k}", k + 1
        labels[spec] = label
    return labels


def _short(spec: str, width: int) -> str:
    base = spec.split("?", 1)[0]
    prefix, sep, rest = base.partition(":")
    if sep and re.fullmatch(r"[\w.]+", prefix) and "." in prefix and re.fullmatch(r"[\w.]+", rest):
        base = rest.rsplit(".", 1)[-1]  # module.path:factory
    elif sep and rest:
        tail = rest.split("#", 1)[1] if "#" in rest else rest.rstrip("/").rsplit("/", 1)[-1]
        base = f"{prefix}:{tail or rest}"
    return base if len(base) <= width else base[: width - 1] + "…"
