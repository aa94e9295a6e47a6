"""text/ScienceWorld-v0 and text/ALFWorld-v0 beside their upstream libraries driven directly, in the same run.

Run: .venv/bin/python benchmarks/text_sims.py [--env scienceworld|alfworld|both] [--tasks N] [--games N]

**ScienceWorld.**
For each task (all 30 by default) the first variation of the split is played twice in lockstep with
its gold action sequence: once through ``scienceworld.ScienceWorldEnv`` (load + reset, then step),
once through ``agora.make("text/ScienceWorld-v0")``, each with its own JVM, alternating call by call
so that both see the same machine load. Reported: reset and step time of each (median and total), the
wrapper's overhead on the summed step time, and whether agora's episode reached the full score (the
oracle check over every task). Gold sequences are computed before timing (not timed).

**ALFWorld.** The first ``--games`` generated games of train (the six task types in turn) are played
in lockstep with the expert's walkthrough: once through TextWorld's ``PddlEnv`` with ALFWorld's own
wrappers (``AlfredDemangler``, ``AlfredInfos``: what ALFWorld's ``AlfredTWEnv`` builds), once through
``agora.make("text/ALFWorld-v0")``. Games are generated (and cached) before timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import _bench

import agora
from agora.envs.text.scienceworld.agents import close_gold_simulator, gold_actions
from agora.envs.text.scienceworld.simulator import NO_STEP_LIMIT, task_names


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def play_pair(upstream, env, task: str, variation: int, gold: tuple[str, ...]) -> dict:
    """One task variation through both, alternating calls; returns the timings and agora's final info."""

    def upstream_reset():
        upstream.load(task, variation, "")
        return upstream.reset()

    _, up_reset = timed(upstream_reset)
    _, ag_reset = timed(lambda: env.reset(options={"task": task, "variation": variation}))
    up_steps, ag_steps, info, up_score = [], [], {}, 0
    for action in gold:
        (_, _, _, up_info), took = timed(upstream.step, action)
        up_steps.append(took)
        up_score = up_info["score"]
        (_, _, terminated, truncated, info), took = timed(env.step, action)
        ag_steps.append(took)
    return {
        "task": task,
        "variation": variation,
        "gold_actions": len(gold),
        "upstream_reset_ms": round(up_reset * 1e3, 1),
        "agora_reset_ms": round(ag_reset * 1e3, 1),
        "upstream_step_ms_median": round(statistics.median(up_steps) * 1e3, 1),
        "agora_step_ms_median": round(statistics.median(ag_steps) * 1e3, 1),
        "upstream_step_s_total": round(sum(up_steps), 3),
        "agora_step_s_total": round(sum(ag_steps), 3),
        "upstream_score": up_score,
        "agora_score": info.get("score"),
        "agora_won": bool(info.get("won")),
    }


def upstream_alfworld(path):
    """ALFWorld's game as ALFWorld's own AlfredTWEnv builds it: PddlEnv plus its name and info wrappers."""
    import textworld
    from alfworld.agents.environment.alfred_tw_env import AlfredDemangler, AlfredInfos
    from textworld.envs import PddlEnv

    infos = textworld.EnvInfos(admissible_commands=True, won=True, extras=["gamefile"])
    env = AlfredInfos(AlfredDemangler(PddlEnv(infos), shuffle=False))
    env.load(str(path))
    return env


def alfworld(games: int) -> None:
    """ALFWorld through TextWorld directly and through agora, game by game (see the module docs)."""
    from agora.envs.text.alfworld.games import generated_game

    paths = [generated_game("train", index) for index in range(games)]
    env = agora.make("text/ALFWorld-v0", max_turns=None)
    rows = []
    print(f"\n{'ALFWorld game':<40} {'steps':>5} {'load+reset ms up/agora':>22} {'step ms up/agora':>17} won")
    for index, path in enumerate(paths):
        walkthrough = json.loads(path.read_text())["walkthrough"]
        upstream, up_open = timed(upstream_alfworld, path)
        _, up_reset = timed(upstream.reset)
        _, ag_reset = timed(lambda: env.reset(options={"game": index}))  # noqa: B023 - called at once
        up_steps, ag_steps, info = [], [], {}
        for command in walkthrough:
            up_steps.append(timed(upstream.step, command)[1])
            (_, _, _, _, info), took = timed(env.step, command)
            ag_steps.append(took)
        upstream.close()
        row = {
            "env": "alfworld",
            "game": index,
            "task_type": info["task_type"],
            "steps": len(walkthrough),
            "upstream_open_ms": round(up_open * 1e3, 1),
            "upstream_reset_ms": round(up_reset * 1e3, 1),
            "agora_reset_ms": round(ag_reset * 1e3, 1),
            "upstream_step_s_total": round(sum(up_steps), 3),
            "agora_step_s_total": round(sum(ag_steps), 3),
            "agora_won": bool(info["won"]),
        }
        rows.append(row)
        up_ms, ag_ms = sum(up_steps) / len(up_steps) * 1e3, sum(ag_steps) / len(ag_steps) * 1e3
        print(
            f"{info['task_type']:<40} {len(walkthrough):>5} {(up_open + up_reset) * 1e3:>8.0f}/{ag_reset * 1e3:<9.0f}"
            f" {up_ms:>7.1f}/{ag_ms:<9.1f} {row['agora_won']}",
            flush=True,
        )
    env.close()
    steps = sum(r["steps"] for r in rows)
    up_total = sum(r["upstream_step_s_total"] for r in rows)
    ag_total = sum(r["agora_step_s_total"] for r in rows)
    won = sum(r["agora_won"] for r in rows)
    overhead = ag_total / up_total - 1
    print(
        f"{len(rows)} games, {steps} steps each way: upstream {up_total / steps * 1e3:.1f} ms/step, agora "
        f"{ag_total / steps * 1e3:.1f} ms/step, wrapper overhead {overhead * 100:+.1f}% (target <= +10%); "
        f"the expert's walkthrough won {won}/{len(rows)}"
    )
    summary = {
        "env": "alfworld",
        "game": "ALL",
        "steps": steps,
        "upstream_step_ms_mean": round(up_total / steps * 1e3, 2),
        "agora_step_ms_mean": round(ag_total / steps * 1e3, 2),
        "step_overhead_pct": round(overhead * 100, 2),
        "won": f"{won}/{len(rows)}",
    }
    _bench.record("text_sims.alfworld", [*rows, summary], settings={"games": games})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", default="both", choices=["scienceworld", "alfworld", "both"])
    parser.add_argument("--tasks", type=int, default=30, help="the first N of ScienceWorld's 30 tasks")
    parser.add_argument("--split", default="train", choices=["train", "dev", "test"])
    parser.add_argument("--games", type=int, default=12, help="the first N generated ALFWorld train games")
    args = parser.parse_args()
    print(_bench.load_average())
    if args.env in ("alfworld", "both"):
        alfworld(args.games)
    if args.env in ("scienceworld", "both"):
        scienceworld(args.tasks, args.split)
    print(_bench.load_average())


def scienceworld(tasks: int, split: str) -> None:
    """ScienceWorld through its Python API directly and through agora, task by task (see the module docs)."""
    from scienceworld import ScienceWorldEnv

    env = agora.make("text/ScienceWorld-v0", split=split, max_turns=None)
    upstream = ScienceWorldEnv("", envStepLimit=NO_STEP_LIMIT)
    rows = []
    print(f"{'task':<50} {'gold':>4} {'reset ms up/agora':>18} {'step ms up/agora':>17} {'score':>6} won")
    try:
        for task in task_names()[:tasks]:
            variation = env.unwrapped.simulator.splits(task)[split][0]
            gold = gold_actions(task, variation)
            row = play_pair(upstream, env, task, variation, gold)
            rows.append(row)
            print(
                f"{task:<50} {row['gold_actions']:>4} {row['upstream_reset_ms']:>8.0f}/{row['agora_reset_ms']:<9.0f}"
                f" {row['upstream_step_ms_median']:>7.1f}/{row['agora_step_ms_median']:<9.1f}"
                f" {row['agora_score']:>6} {row['agora_won']}",
                flush=True,
            )
    finally:
        env.close()
        upstream.close()
        close_gold_simulator()
    up_total = sum(r["upstream_step_s_total"] for r in rows)
    ag_total = sum(r["agora_step_s_total"] for r in rows)
    steps = sum(r["gold_actions"] for r in rows)
    overhead = ag_total / up_total - 1
    won = sum(r["agora_won"] for r in rows)
    print(
        f"\n{len(rows)} tasks, {steps} steps each way: upstream {up_total / steps * 1e3:.1f} ms/step, "
        f"agora {ag_total / steps * 1e3:.1f} ms/step, wrapper overhead {overhead * 100:+.1f}% "
        f"(target <= +10%); oracle reached the full score on {won}/{len(rows)} tasks"
    )
    summary = {
        "task": "ALL",
        "steps": steps,
        "upstream_step_ms_mean": round(up_total / steps * 1e3, 2),
        "agora_step_ms_mean": round(ag_total / steps * 1e3, 2),
        "step_overhead_pct": round(overhead * 100, 2),
        "oracle_full_score": f"{won}/{len(rows)}",
    }
    _bench.record("text_sims.scienceworld", [*rows, summary], settings={"tasks": tasks, "split": split})


if __name__ == "__main__":
    main()
