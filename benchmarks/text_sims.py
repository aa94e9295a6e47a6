"""text/ScienceWorld-v0 beside the ScienceWorld library driven directly, in the same run.

Run: .venv/bin/python benchmarks/text_sims.py [--tasks N] [--split train]

For each task (all 30 by default) the first variation of the split is played twice in lockstep with
its gold action sequence: once through ``scienceworld.ScienceWorldEnv`` (load + reset, then step),
once through ``agora.make("text/ScienceWorld-v0")``, each with its own JVM, alternating call by call
so that both see the same machine load. Reported: reset and step time of each (median and total), the
wrapper's overhead on the summed step time, and whether agora's episode reached the full score (the
oracle check over every task). Gold sequences are computed before timing (not timed).
"""

from __future__ import annotations

import argparse
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
    _, ag_reset = timed(env.reset, None, {"task": task, "variation": variation})
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=30, help="the first N of ScienceWorld's 30 tasks")
    parser.add_argument("--split", default="train", choices=["train", "dev", "test"])
    args = parser.parse_args()
    from scienceworld import ScienceWorldEnv

    env = agora.make("text/ScienceWorld-v0", split=args.split, max_turns=None)
    upstream = ScienceWorldEnv("", envStepLimit=NO_STEP_LIMIT)
    rows = []
    print(_bench.load_average())
    print(f"{'task':<50} {'gold':>4} {'reset ms up/agora':>18} {'step ms up/agora':>17} {'score':>6} won")
    try:
        for task in task_names()[: args.tasks]:
            variation = env.unwrapped.simulator.splits(task)[args.split][0]
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
    print(_bench.load_average())
    summary = {
        "task": "ALL",
        "steps": steps,
        "upstream_step_ms_mean": round(up_total / steps * 1e3, 2),
        "agora_step_ms_mean": round(ag_total / steps * 1e3, 2),
        "step_overhead_pct": round(overhead * 100, 2),
        "oracle_full_score": f"{won}/{len(rows)}",
    }
    _bench.record("text_sims", [*rows, summary], settings=vars(args))


if __name__ == "__main__":
    main()
