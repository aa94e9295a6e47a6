"""Sandbox speed on this machine: cold start, warm exec, concurrency, vs plain `docker run` / `docker exec`.

    .venv/bin/python benchmarks/sandbox.py [--execs 300] [--concurrency 4] [--local]

Everything is measured in the same run. "cold start" is a new container until its command server answers;
"warm acquire" takes a ready container from the pool; "exec" is a full round trip of `true` through the
command server (the shell and process start included). The baselines run the same image through the
docker CLI.
"""

from __future__ import annotations

import argparse
import subprocess
import threading

import _bench
from _bench import p50_p95, run_threads, timed

import agora.sandbox
from agora.sandbox.docker_backend import DEFAULT_IMAGE

ROWS: list[tuple[str, str, str, str]] = []


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def record(name: str, samples: list[float], note: str = "") -> None:
    p50, p95 = p50_p95(samples)
    ROWS.append((name, ms(p50), ms(p95), f"n={len(samples)} {note}".strip()))


def seconds(fn) -> float:
    """Wall seconds of one call of `fn`."""
    return timed(fn)[1]


def cold_starts(n: int) -> None:
    samples = []
    for _ in range(n):
        box = None

        def make():
            nonlocal box
            box = agora.sandbox.create(pool_size=0, memory_mb=320)  # limits of their own: no warm pool

        samples.append(seconds(make))
        box.close()
    record("cold start (create -> server ready)", samples)


def warm_acquires(n: int) -> None:
    pool_box = agora.sandbox.create(pool_size=1)  # fills the pool for these limits
    pool_box.close()
    samples = []
    for _ in range(n):
        box = None

        def take():
            nonlocal box
            box = agora.sandbox.create(pool_size=1)

        samples.append(seconds(take))
        box.close()  # reset and back into the pool
    record("warm acquire (from pool)", samples, "close = reset + return")


def warm_execs(backend: str, n: int) -> None:
    with agora.sandbox.create(backend=backend, pool_size=1) as box:
        box.exec("true")
        record(f"{backend}: exec `true`", [seconds(lambda: box.exec("true")) for _ in range(n)])
        record(
            f"{backend}: exec `python3 -c pass`",
            [seconds(lambda: box.exec("python3 -c pass")) for _ in range(n // 5)],
        )
        record(f"{backend}: reset (new episode)", [seconds(box.reset) for _ in range(n // 10)])


def throughput(concurrency: int, per_box: int) -> None:
    boxes = [agora.sandbox.create(pool_size=concurrency) for _ in range(concurrency)]
    for box in boxes:
        box.exec("true")
    elapsed = run_threads(
        [threading.Thread(target=lambda b=b: [b.exec("true") for _ in range(per_box)]) for b in boxes]
    )
    for box in boxes:
        box.close()
    total = concurrency * per_box
    ROWS.append(
        (
            f"throughput, {concurrency} sandboxes in parallel",
            ms(elapsed / total),
            "",
            f"{total / elapsed:,.0f} execs/s ({total} execs)",
        )
    )


def cli(*args: str) -> None:
    subprocess.run(["docker", *args], check=True, capture_output=True)


def baselines(n: int) -> None:
    record(
        "baseline: docker run --rm (CLI)",
        [
            seconds(lambda: cli("run", "--rm", "--network", "none", "--entrypoint", "true", DEFAULT_IMAGE))
            for _ in range(n)
        ],
    )
    cid = subprocess.run(
        ["docker", "run", "-d", "--network", "none", "--entrypoint", "sleep", DEFAULT_IMAGE, "infinity"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        record(
            "baseline: docker exec `true` (CLI)",
            [seconds(lambda: cli("exec", cid, "true")) for _ in range(n * 2)],
        )
        import docker

        container = docker.from_env().containers.get(cid)
        record(
            "baseline: exec_run `true` (docker SDK)",
            [seconds(lambda: container.exec_run("true")) for _ in range(n * 2)],
        )
    finally:
        cli("rm", "-f", cid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execs", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--baseline-runs", type=int, default=10)
    parser.add_argument("--local", action="store_true", help="also time the bubblewrap backend")
    args = parser.parse_args()
    cold_starts(args.baseline_runs)
    warm_acquires(args.baseline_runs * 2)
    warm_execs("docker", args.execs)
    if args.local:
        warm_execs("local", args.execs)
    throughput(args.concurrency, args.execs // args.concurrency * 2)
    baselines(args.baseline_runs)
    print(f"{'measure':<45} {'p50 ms':>8} {'p95 ms':>8}  notes")
    for name, p50, p95, note in ROWS:
        print(f"{name:<45} {p50:>8} {p95:>8}  {note}")
    _bench.record(
        "sandbox",
        [dict(zip(("measure", "p50_ms", "p95_ms", "note"), r, strict=True)) for r in ROWS],
        settings=vars(args),
    )


if __name__ == "__main__":
    main()
