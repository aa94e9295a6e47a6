"""swe/BugFix-v0: reset and grading latency, and oracle/noop over the shipped task set.

    python benchmarks/swe.py                       # every shipped task, oracle and noop (long: ~2 gradings/task)
    python benchmarks/swe.py --per-project 5       # a sample: 5 tasks of every project
    python benchmarks/swe.py --resets 50 --per-project 0   # reset latency only
    python benchmarks/swe.py --grade-only --workers 2      # the guard's false positives: oracle and noop trees
                                                           # graded directly (no episode), every shipped task
    python benchmarks/swe.py --oracle-all                  # the oracle on every shipped task, one run a project
    python benchmarks/swe.py --shipped                     # the shipped set per project and what it cost to make
    python benchmarks/swe.py --generation tinydb==4.9.0,parse==1.22.4 --attempts 60 --label after
                                                           # generation speed: validated tasks per CPU-hour

Prints, per project, the oracle's and noop's mean reward (must be 1.0 and 0.0), the reset p50/p95 (a fresh
working copy from the warm pool) and the grading p50/p95 (``submit`` to its reward: packing the working
copy, a fresh container, the whole suite), next to the issue's targets (300 ms, 5 s). Notes the load average.
``--grade-only`` grades each task's pristine tree (what the oracle submits) and buggy tree (noop) with
`grade` in ``--workers`` parallel containers, and counts the tasks where the guard flagged tampering: the
oracle must score 1.0 with nothing flagged on every task. Figures go to ``benchmarks/results.jsonl``.
``--oracle-all`` uses that the oracle's graded tree is the same for every task of a project (the pristine
tree: its edits restore the pristine files, and nothing of it is the agent's own code, so neither the
audit hook nor the static audit has lines to look at): one guarded run of it per project, in a fresh
grading container, decides every task's oracle grade (1.0 exactly when nothing is flagged, nothing times
out and the task's FAIL_TO_PASS and PASS_TO_PASS all pass).
``--generation`` runs `generate` on each project (the first ``--attempts`` mutations of the seeded order, in
``--workers`` sandboxes, into a temporary folder) and reports validated tasks per CPU-hour: the tasks kept
over the CPU the sandboxes' containers used (their cgroups' counters) plus this process's own CPU; beside
it, tasks per wall-clock hour, suite runs and mutations tried. ``--label`` names the code measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import _bench

import agora
from agora.agent import resolve_agent
from agora.envs.swe.bug_fix.grading import grade
from agora.envs.swe.bug_fix.patches import apply_patch
from agora.envs.swe.bug_fix.tasks import buggy_tree, load_tasks, shipped_names
from agora.errors import SandboxError


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else (values or [float("nan")])[0]


def episode(env, agent, task) -> tuple[float, float, float]:
    """(reward, reset seconds, submit seconds)."""
    agent.reset()
    start = time.perf_counter()
    obs, info = env.reset(options={"instance_id": task.instance_id})
    reset_s = time.perf_counter() - start
    while True:
        action = agent.act(obs, info)
        start = time.perf_counter()
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            if info.get("infra_error"):
                raise RuntimeError(f"{task.instance_id}: {info['infra_error']}")
            return float(reward), reset_s, time.perf_counter() - start


def reset_latency(env, tasks, n: int) -> list[float]:
    times = []
    for k in range(n):
        start = time.perf_counter()
        env.reset(options={"instance_id": tasks[k % len(tasks)].instance_id})
        times.append(time.perf_counter() - start)
    return times


def grade_pair(task, with_noop: bool = True) -> dict:
    """The oracle's and (unless `with_noop` is False) noop's grades of one task, graded directly."""
    try:
        return _grade_pair(task, with_noop)
    except SandboxError as e:  # an overloaded machine: counted apart, never as a reward
        return {"id": task.instance_id, "infra_error": str(e)[:300]}


def _grade_pair(task, with_noop: bool) -> dict:
    buggy = buggy_tree(task)
    oracle = grade(task, buggy, apply_patch(buggy, task.patch, reverse=True))
    noop = grade(task, buggy, buggy) if with_noop else None
    return {
        "id": task.instance_id,
        "oracle": oracle.reward,
        "noop": noop.reward if noop else 0.0,
        "oracle_tampering": oracle.tampering,
        "noop_tampering": noop.tampering if noop else [],
        "grade_s": oracle.duration_s,
    }


def oracle_all(only: list[str] | None = None) -> None:
    """The oracle's grade on every shipped task (of `only`, when given), from one guarded pristine run per project.

    Beside it, noop's grade as generation decided it: the buggy tree's run that validated each task found
    a FAIL_TO_PASS test failing under the same guard, so noop scores 0 there by construction; this run
    counts tasks whose FAIL_TO_PASS is empty or overlaps PASS_TO_PASS (neither may happen).
    """
    from agora.envs.swe.bug_fix.grading import _run, score
    from agora.envs.swe.bug_fix.tasks import pristine_tree

    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    rows = []
    for name in only or shipped_names():
        tasks = load_tasks(name)
        result = _run(tasks[0], pristine_tree(tasks[0]), 1)
        passed = result.passed()
        ok = [t for t in tasks if score(t, passed, result.timed_out, result.tampering)[0] == 1.0]
        row = {
            "project": name,
            "tasks": len(tasks),
            "oracle_1": len(ok),
            "noop_not_0": sum(not t.FAIL_TO_PASS or bool(set(t.FAIL_TO_PASS) & set(t.PASS_TO_PASS)) for t in tasks),
            "tampering": result.tampering,
            "timed_out": result.timed_out,
            "suite_s": round(result.duration_s, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    total, good = sum(r["tasks"] for r in rows), sum(r["oracle_1"] for r in rows)
    print(f"oracle 1.0 on {good}/{total} shipped tasks; load average at end: {os.getloadavg()[0]:.1f}")
    _bench.record("swe.oracle_all", rows, settings={"projects": only or "all"})


def grade_only(per_project: int | None, workers: int, with_noop: bool = True, only: list[str] | None = None) -> None:
    """Oracle and noop over the shipped set (of `only`, when given) through `grade` (see the module docs)."""
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    rows = []
    for name in only or shipped_names():
        tasks = load_tasks(name)[:per_project]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda t: grade_pair(t, with_noop), tasks))
        infra = [r for r in results if "infra_error" in r]
        results = [r for r in results if "infra_error" not in r]
        for r in infra:
            print("   infra:", json.dumps(r), flush=True)
        if not results:
            continue
        for r in results:
            if r["oracle"] != 1.0 or r["noop"] != 0.0 or r["oracle_tampering"] or r["noop_tampering"]:
                print("  ", json.dumps(r), flush=True)
        row = {
            "project": name,
            "tasks": len(results),
            "infra_errors": len(infra),
            "oracle": statistics.mean(r["oracle"] for r in results),
            "noop": statistics.mean(r["noop"] for r in results),
            "oracle_flagged": sum(bool(r["oracle_tampering"]) for r in results),
            "noop_flagged": sum(bool(r["noop_tampering"]) for r in results),
            "grade_p50_s": statistics.median(r["grade_s"] for r in results),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    _bench.record("swe.grade_only", rows, settings={"per_project": per_project, "workers": workers, "noop": with_noop})


def generation(requirements: list[str], attempts: int, workers: int, seed: int, label: str) -> None:
    """Generation speed per project (see the module docs)."""
    import tempfile
    from pathlib import Path

    from agora.envs.swe.bug_fix.generate import Budget, GenerationStats, generate
    from agora.envs.swe.bug_fix.projects import parse_requirement

    print(f"load average at start: {_bench.load_average()} ({os.cpu_count()} cores)")
    rows = []
    for requirement in requirements:
        stats = GenerationStats()
        with tempfile.TemporaryDirectory(prefix="agora-swe-bench-") as tmp:
            generate(
                parse_requirement(requirement),
                Path(tmp),
                Budget(max_tasks=attempts, seed=seed, workers=workers, max_attempts=attempts),
                log=lambda _: None,
                stats=stats,
            )
        row = stats.as_dict()
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"load average at end: {_bench.load_average()}")
    print_generation_table(rows)
    settings = {"attempts": attempts, "workers": workers, "seed": seed, "label": label}
    _bench.record("swe.generation", rows, settings=settings)


def print_generation_table(rows: list[dict]) -> None:
    """One line per `GenerationStats` row: mutations tried, suite runs, tasks kept, wall and CPU, tasks per hour."""
    print(
        f"{'project':<22}{'tried':>6}{'runs':>6}{'kept':>6}{'wall s':>8}{'CPU s':>8}{'tasks/CPU-h':>13}{'tasks/h':>9}"
    )
    for r in rows:
        cpu = r["sandbox_cpu_s"] + r["host_cpu_s"]
        print(
            f"{r['project']:<22}{r['tried']:>6}{r['suite_runs']:>6}{r['kept']:>6}{r['wall_s']:>8.0f}{cpu:>8.0f}"
            f"{r['tasks_per_cpu_hour'] or 0:>13.0f}{r['tasks_per_wall_hour'] or 0:>9.0f}"
        )


def shipped() -> None:
    """The shipped set per project: tasks (combined ones apart), pristine tests, FAIL_TO_PASS sizes, mutation
    kinds, and what generating it cost (the ``stats.json`` that `agora swe generate` wrote beside the tasks;
    projects generated before it existed have none)."""
    from agora.envs.swe.bug_fix.tasks import DATA_DIR

    rows, costs = [], []
    print(f"{'project':<16}{'tasks':>6}{'combined':>9}{'tests':>7}{'F2P p50':>8}{'F2P max':>8}{'kinds':>6}")
    for name in shipped_names():
        tasks = load_tasks(name)
        f2p = sorted(len(t.FAIL_TO_PASS) for t in tasks)
        row = {
            "project": name,
            "tasks": len(tasks),
            "combined": sum(t.mutation == "combined" for t in tasks),
            "pristine_tests": len(tasks[0].FAIL_TO_PASS) + len(tasks[0].PASS_TO_PASS),
            "fail_to_pass_p50": f2p[len(f2p) // 2],
            "fail_to_pass_max": f2p[-1],
            "mutation_kinds": len({k for t in tasks for k in t.difficulty.mutations}),
        }
        rows.append(row)
        r = row
        print(
            f"{name:<16}{r['tasks']:>6}{r['combined']:>9}{r['pristine_tests']:>7}{r['fail_to_pass_p50']:>8}"
            f"{r['fail_to_pass_max']:>8}{r['mutation_kinds']:>6}"
        )
        stats = DATA_DIR / name / "stats.json"
        if stats.is_file():
            costs.append(json.loads(stats.read_text()))
    total = sum(r["tasks"] for r in rows)
    print(f"{total} tasks from {len(rows)} projects ({sum(r['combined'] for r in rows)} combined)")
    print("generation cost of the projects with stats.json (the last run that added tasks to each):")
    print_generation_table(costs)
    _bench.record("swe.shipped", rows, settings={"tasks": total, "projects": len(rows)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-project", type=int, default=None, help="tasks per project (default: all)")
    parser.add_argument("--agents", default="oracle,noop")
    parser.add_argument("--resets", type=int, default=40)
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--grade-only", action="store_true", help="grade oracle and noop trees directly")
    parser.add_argument("--workers", type=int, default=2, help="parallel gradings with --grade-only")
    parser.add_argument("--shipped", action="store_true", help="the shipped set per project, and its cost")
    parser.add_argument("--oracle-all", action="store_true", help="the oracle on every task, one run a project")
    parser.add_argument("--projects", default=None, help="NAME,...: only these projects (--oracle-all, --grade-only)")
    parser.add_argument("--generation", default=None, help="PKG==VER,...: generation speed on these projects")
    parser.add_argument("--attempts", type=int, default=60, help="mutations tried per project with --generation")
    parser.add_argument("--seed", type=int, default=0, help="mutation order with --generation")
    parser.add_argument("--label", default="", help="what code --generation measures (e.g. before/after)")
    args = parser.parse_args()
    if args.generation:
        return generation(args.generation.split(","), args.attempts, args.workers, args.seed, args.label)
    if args.shipped:
        return shipped()
    if args.oracle_all:
        return oracle_all(args.projects.split(",") if args.projects else None)
    if args.grade_only:
        only = args.projects.split(",") if args.projects else None
        return grade_only(args.per_project, args.workers, "noop" in args.agents.split(","), only)
    env = agora.make("swe/BugFix-v0", tasks="all")
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    resets = reset_latency(env, env.unwrapped.tasks, args.resets)
    rows, grading = [], []
    for name in shipped_names():
        tasks = load_tasks(name)[: args.per_project]
        if not tasks:
            continue
        row = {"project": name, "tasks": len(tasks)}
        for agent_name in args.agents.split(","):
            agent = resolve_agent(agent_name, table=env.unwrapped.scripted_agents)
            results = [episode(env, agent, t) for t in tasks]
            row[agent_name] = statistics.mean(r for r, _, _ in results)
            grading += [g for _, _, g in results]
            row[f"{agent_name}_grade_p50_s"] = statistics.median(g for _, _, g in results)
        rows.append(row)
        print(json.dumps(row), flush=True)
    env.close()
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    print(f"{'what':<44}{'measured':>16}{'target':>10}")
    reset_ms = f"{pct(resets, 50) * 1e3:.0f} / {pct(resets, 95) * 1e3:.0f} ms"
    print(f"{'reset to a fresh working copy, p50 / p95':<44}{reset_ms:>16}{'300 ms':>10}")
    if grading:
        grade_s = f"{pct(grading, 50):.2f} / {pct(grading, 95):.2f} s"
        print(f"{'grading (submit -> reward), p50 / p95':<44}{grade_s:>16}{'5 s':>10}")
    for row in rows:
        scores = "  ".join(f"{a}={row[a]:.2f}" for a in args.agents.split(","))
        print(f"{row['project']:<14}{row['tasks']:>4} tasks  {scores}")
    summary = {"reset_p50_ms": pct(resets, 50) * 1e3, "reset_p95_ms": pct(resets, 95) * 1e3}
    if grading:
        summary.update(grade_p50_s=pct(grading, 50), grade_p95_s=pct(grading, 95))
    _bench.record("swe", rows, settings={**vars(args), **summary})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "reset_s": resets, "grading_s": grading}, f)


if __name__ == "__main__":
    main()
