"""Page loads of `agora view` over a large episode file (100,000 episodes by default).

Usage: python benchmarks/view.py [--episodes 100000] [--loads 30] [--out DIR]

Writes a synthetic but schema-valid run (`Episode` records made with agora's own types: several env ids
and agents, failures, infra failures, invalid moves, token ids, 2 to 5 turns each), indexes it once, then
times page loads through the real server (uvicorn on 127.0.0.1, HTTP over loopback): the runs list, the
episodes table (first page, a filter, a search, a sort by return, a deep page) and single episodes.

Rows: the file's size, the time to index it, and p50 / p95 of each page kind; then the time to pick up
100 appended episodes (incremental indexing) on the next load.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _bench import p50_p95, record

from agora.trajectory import Episode, Turn

ENVS = ("games/TicTacToe-v0", "games/KuhnPoker-v0", "tools/SQL-v0", "web/miniwob.click-button-v0", "text/Maze-v0")
AGENTS = ("random", "minimax", "hf:runs/step_10", "hf:runs/step_200", "openai:gpt")
WORDS = (
    "the board shows a free cell and your move is legal or not query table select where button click "
    "error timeout answer score player opponent card bet fold raise row column submit form text value"
).split()
RARE = ("zeppelin", "quokka", "marzipan", "obsidian")
"""Words that occur in one episode in 1,000 (a selective search)."""


TEMPLATES = 997
"""Distinct turn lists; episode `i` takes template ``i % TEMPLATES`` (writing 100,000 takes seconds)."""


def synthetic_episode(i: int, rng: random.Random, templates: list[list[Turn]] | None = None) -> Episode:
    """One schema-valid episode: index `i` decides its env, agents, outcome and rare words."""
    env_id = ENVS[i % len(ENVS)]
    if templates is not None and i % 1000 != 7:
        turns = templates[i % len(templates)]
    else:
        turns = synthetic_turns(rng, RARE[(i // 1000) % len(RARE)] if i % 1000 == 7 else None)
    failed, infra = i % 50 == 3, i % 200 == 3
    ret = 0.0 if failed else (-1.0, 0.0, 1.0, 0.5)[(i * 7919) % 4]
    return Episode(
        episode_id=f"{env_id}/seed={i // 2}/{i % 2}",
        env_id=env_id,
        seed=i // 2,
        group_id=f"{env_id}/seed={i // 2}",
        turns=turns,
        returns={"agent": ret},
        agents={"agent": AGENTS[(i // 7) % len(AGENTS)]},
        terminated=not failed,
        status="failed" if failed else "ok",
        error="SandboxCrashed: the container died" if infra else ("ValueError: bad" if failed else None),
        index_in_group=i % 2,
        timings={"wall_s": 0.25},
        meta={"infra_failure": True} if infra else {},
    )


def synthetic_turns(rng: random.Random, rare: str | None = None) -> list[Turn]:
    """Two to five turns of short text observations and one-token moves, with token ids and logprobs."""
    turns = []
    for k in range(rng.randint(2, 5)):
        words = rng.choices(WORDS, k=20) + ([rare] if rare and k == 0 else [])
        turns.append(
            Turn(
                agent_id="agent",
                turn_index=k,
                observation=" ".join(words),
                action=f"[{rng.randint(0, 8)}]",
                reward=0.0,
                valid=rng.random() > 0.05,
                prompt_token_ids=[rng.randint(0, 50_000) for _ in range(8)],
                completion_token_ids=[rng.randint(0, 50_000) for _ in range(2)],
                completion_logprobs=[round(-rng.random(), 3) for _ in range(2)],
                latency_s=0.01,
            )
        )
    return turns


def write_synthetic(path: Path, episodes: int, start: int = 0, seed: int = 0) -> Path:
    """Appends `episodes` synthetic episodes (numbered from `start`) to the JSONL `path`."""
    rng = random.Random(seed + start)
    templates = [synthetic_turns(rng) for _ in range(TEMPLATES)]
    with open(path, "a", encoding="utf-8") as f:
        for first in range(start, start + episodes, 5000):
            chunk = range(first, min(first + 5000, start + episodes))
            f.write("".join(synthetic_episode(i, rng, templates).to_json() + "\n" for i in chunk))
    return path


def load(url: str) -> float:
    """Seconds to fetch one page (status 200 checked)."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - start


def main() -> None:
    """Runs the benchmark and records its rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--loads", type=int, default=30, help="Loads of each page kind.")
    parser.add_argument("--out", type=Path, default=None, help="Folder for the run (default: a temporary one).")
    args = parser.parse_args()
    from agora.view.app import BackgroundServer
    from agora.view.pages import Viewer

    folder = args.out or Path(tempfile.mkdtemp(prefix="agora-view-bench-"))
    path = folder / "run.jsonl"
    if not path.exists():
        start = time.perf_counter()
        write_synthetic(path, args.episodes)
        print(f"wrote {args.episodes:,} episodes in {time.perf_counter() - start:.1f} s")
    viewer = Viewer(path)
    [source] = viewer.sources.values()
    start = time.perf_counter()
    viewer.index(source.path)
    index_s = time.perf_counter() - start
    rows = [{"page": "index (once)", "p50_ms": index_s * 1000, "p95_ms": index_s * 1000, "loads": 1}]
    rng = random.Random(1)
    with BackgroundServer(viewer) as url:
        base = f"{url}s/{source.sid}"
        pages = {
            "runs list": lambda: url,
            "episodes, first page": lambda: f"{base}/episodes",
            "episodes, env + return filter": lambda: f"{base}/episodes?env={ENVS[2]}&min=0.5",
            "episodes, search (rare word)": lambda: f"{base}/episodes?q={RARE[rng.randrange(4)]}",
            "episodes, search (common word)": lambda: f"{base}/episodes?q=button",
            "episodes, sort by return, page 500": lambda: f"{base}/episodes?sort=return&order=desc&page=500",
            "one episode": lambda: f"{base}/e/{rng.randint(1, args.episodes)}",
        }
        for name, make in pages.items():
            times = [load(make()) for _ in range(args.loads)]
            p50, p95 = p50_p95(times)
            rows.append({"page": name, "p50_ms": p50 * 1000, "p95_ms": p95 * 1000, "loads": len(times)})
        write_synthetic(path, 100, start=args.episodes)
        append_s = load(f"{base}/episodes?sort=line&order=desc")
        rows.append({"page": "episodes after 100 appended", "p50_ms": append_s * 1000, "p95_ms": append_s * 1000})
    viewer.close()
    size_mb = path.stat().st_size / 1e6
    print(f"{args.episodes:,} episodes, {size_mb:.0f} MB; index {index_s:.1f} s")
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['page']:<40} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f}")
    record("view", rows, settings={"episodes": args.episodes, "loads": args.loads, "file_mb": round(size_mb)})


if __name__ == "__main__":
    sys.exit(main())
