"""The live progress bar (episodes/s, mean return, failures) and the end-of-run summary table."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agora.trajectory import Episode


class RolloutProgress:
    """A rich progress bar over the episodes of a run (a no-op when disabled).

    Episodes are counted as they finish; the bar itself is updated at most every `min_interval_s`
    (it redraws ten times a second anyway) and once more when the run ends, so a run that finishes
    thousands of episodes a second does not pay for a bar update per episode.
    """

    def __init__(self, total: int, enabled: bool, console: Console | None = None, min_interval_s: float = 0.1):
        self.enabled = enabled
        self.min_interval_s = min_interval_s
        self._ok, self._return_sum = 0, 0.0
        self._failed = 0
        self._pending = 0
        self._shown_at = 0.0
        self._progress = Progress(
            TextColumn("rollout"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task("rollout", total=total, stats="")

    def __enter__(self) -> RolloutProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._show()
        self._progress.__exit__(*exc)

    def update(self, episode: Episode) -> None:
        """Counts one finished episode (the bar shows it within `min_interval_s`)."""
        if not self.enabled:
            return
        if episode.status == "failed":
            self._failed += 1
        else:
            self._ok += 1
            self._return_sum += next(iter(episode.returns.values()), 0.0)
        self._pending += 1
        if time.monotonic() - self._shown_at >= self.min_interval_s:
            self._show()

    def _show(self) -> None:
        if not self.enabled or not self._pending:
            return
        self._shown_at = time.monotonic()
        task = self._progress.tasks[0]
        done = task.completed + self._pending
        rate = done / task.elapsed if task.elapsed else 0.0
        mean = self._return_sum / self._ok if self._ok else float("nan")
        stats = f"{rate:.1f} ep/s  mean return (first seat) {mean:+.3f}  failed {self._failed}"
        self._progress.update(self._task, advance=self._pending, stats=stats)
        self._pending = 0


def summary_table(episodes: Sequence[Episode], wall_s: float) -> Table:
    """Per env id and agent: episodes, failures, mean return, mean turns; the run's episodes/s."""
    rows: dict[tuple[str, str], list[Episode]] = defaultdict(list)
    for episode in episodes:
        for seat, name in (episode.agents or {"-": "-"}).items():
            rows[(episode.env_id, f"{seat}: {name}")].append(episode)
    table = Table(
        "env",
        "seat: agent",
        "episodes",
        "failed",
        "mean return",
        "mean turns",
        title=f"{len(episodes)} episodes in {wall_s:.1f} s ({len(episodes) / max(wall_s, 1e-9):.2f} ep/s)",
    )
    for (env_id, seat_name), group in sorted(rows.items()):
        seat = seat_name.split(":", 1)[0]
        ok = [e for e in group if e.status == "ok"]
        returns = [e.returns.get(seat, 0.0) for e in ok]
        turns = [len(e.turns_of(seat)) for e in ok]
        table.add_row(
            env_id,
            seat_name,
            str(len(group)),
            str(len(group) - len(ok)),
            f"{statistics.fmean(returns):+.3f}" if returns else "-",
            f"{statistics.fmean(turns):.1f}" if turns else "-",
        )
    return table
