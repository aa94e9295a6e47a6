"""The demo's cost: wall-clock time, CPU time and peak RSS of one `agora demo` run, beside its goal.

Runs ``agora demo`` (or ``--quick``) in a child process, lets it print its own per-phase table, then
prints the whole run's wall time, CPU seconds (user + system, the child and its children) and peak RSS
(the largest of the child's processes) next to the issue's goal of 8 minutes, with the load average
before and after (the machine may be shared: CPU seconds depend on the load far less than wall time does).

``--isa avx2`` runs the demo as on a CPU with AVX2 only (no AVX-512, no AMX: the AMD EPYC of issue 23), on a
CPU that has more: torch's kernels (``ATEN_CPU_CAPABILITY=avx2``), oneDNN's (``ONEDNN_MAX_CPU_ISA=AVX2``) and
MKL's (``MKL_ENABLE_INSTRUCTIONS=AVX2``) are all held to AVX2. On an AVX-512 host this reproduces the EPYC's
rule (a 512x576 @ 576x1536 matmul, one thread: fp32 15.8 ms, bf16 503 ms, against the EPYC's 11.9 and 804 ms).
agora's own precision choice reads the CPU flags, not these variables, and picks fp32 either way.

    python benchmarks/demo.py [--quick] [--isa avx2] [--out runs/demo-bench] [-- extra agora demo options]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import _bench
from rich.console import Console
from rich.table import Table

GOAL_S = 8 * 60
"""Issues 16 and 23: the demo takes at most 8 minutes on the 2-core reference machine, AVX2-only CPUs included."""
ISA_LIMITS = {
    "native": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}
"""``--isa``: the environment that holds torch, oneDNN and MKL to an instruction set (see the module docs)."""


def run_demo(args: list[str], isa: str = "native") -> dict[str, float]:
    """Runs ``agora demo ARGS`` to completion under `ISA_LIMITS[isa]`; its wall and CPU seconds, peak RSS in GB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, **ISA_LIMITS[isa]}
    subprocess.run([sys.executable, "-m", "agora.cli", "demo", *args], check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_gb": after.ru_maxrss / 1024**2}  # ru_maxrss is in KiB


def main() -> None:
    """Runs the demo once and prints its cost beside the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time `agora demo --quick` (no training)")
    parser.add_argument("--isa", choices=sorted(ISA_LIMITS), default="native", help="instruction set to hold to")
    parser.add_argument("--out", default="runs/demo-bench")
    parser.add_argument("extra", nargs="*", help="more `agora demo` options (after --)")
    args = parser.parse_args()
    load_before = _load()
    row = run_demo(["--out", args.out, *(["--quick"] if args.quick else []), *args.extra], args.isa)
    table = Table(
        "run",
        "wall",
        "CPU s",
        "peak RSS GB",
        "goal",
        title=f"agora demo on {os.cpu_count()} cores; load average before: {load_before}, after: {_load()}",
    )
    minutes, seconds = divmod(round(row["wall_s"]), 60)
    table.add_row(
        "agora demo" + (" --quick" if args.quick else "") + ("" if args.isa == "native" else f" ({args.isa} only)"),
        f"{minutes} min {seconds:02d} s",
        f"{row['cpu_s']:.0f}",
        f"{row['peak_rss_gb']:.2f}",
        f"<= {GOAL_S // 60} min",
    )
    Console(width=140).print(table)
    row["load_after"] = _load()
    _bench.record("demo", [{"run": "quick" if args.quick else "full", "isa": args.isa, **row}], settings=vars(args))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
