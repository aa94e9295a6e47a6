"""What this machine's CPU can do, and the precision and thread count that follow from it.

The one place that decides, for training (`agora.trainers`), rollouts and evaluation (``hf:`` agents) and
the demo alike. The rule, from ``benchmarks/cpu_precision.py`` (figures in ``benchmarks/results.jsonl``):

=====================================  =========  ==========================================================
CPU                                    ``auto``   measured: bf16 time / fp32 time (torch 2.13, one thread)
=====================================  =========  ==========================================================
AMX (``amx_bf16``, ``amx_tile``)       bf16       a SmolLM2 LoRA update 0.74 (15.3 s / 20.6 s, README); the
                                                  demo's rollouts and evaluations ran bf16 there
AVX-512 BF16 (``avx512_bf16``), no AMX fp32       MLP matmul (512x576 @ 576x1536) 0.46, but SmolLM2's forward
                                                  pass (4 x 128 tokens) 1.09 and a decoding step (batch 8)
                                                  3.75: a model is more than its large matmuls
AVX2 only (no bf16 instructions)       fp32       MLP matmul 68 (804 ms against 11.9 ms)
CUDA device                            bf16       (tensor cores)
=====================================  =========  ==========================================================

So bf16 counts as fast on a CPU only with AMX, the tile unit oneDNN's bf16 kernels use.
An explicit ``"fp32"`` or ``"bf16"`` (`TrainConfig.precision`, an agent spec's ``dtype=``) always wins;
``AGORA_PRECISION=fp32`` (or ``bf16``) decides for everything left to ``auto`` (the test suite sets fp32, so
its numbers do not depend on the host's CPU).

Threads: torch's default is the machine's core count, which oversubscribes a container limited to fewer
CPUs; `choose_threads` takes the CPUs this process may run on (affinity) and its cgroup's CPU quota.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from pathlib import Path

PRECISIONS = ("auto", "fp32", "bf16")
"""The values of a precision setting (`TrainConfig.precision`)."""

PRECISION_ENV = "AGORA_PRECISION"
"""An environment variable that stands in for ``"auto"`` wherever a precision is left to the machine (``fp32``:
every run, agent and test of this process and its children in fp32, whatever the CPU)."""

DTYPE_NAMES = {"fp32": "float32", "bf16": "bfloat16"}
"""Torch dtype names of the precisions (an ``hf:`` agent spec's ``dtype=``)."""


@dataclasses.dataclass(frozen=True)
class CpuFeatures:
    """The host CPU as the precision and thread rules see it."""

    model: str
    """The model name from /proc/cpuinfo (``"unknown"`` where there is none)."""
    flags: frozenset[str]
    """The CPU flags that matter here: ``avx2``, ``avx512f``, ``avx512_bf16``, ``amx_bf16``, ``amx_tile``."""
    capability: str
    """torch's CPU capability (``"AVX2"``, ``"AVX512"``, ``"DEFAULT"``; ``"unknown"`` without torch)."""
    cpus: int
    """CPUs this process may use: its affinity, capped by its cgroup's CPU quota (at least 1)."""


WATCHED_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")


def fast_bf16(features: CpuFeatures) -> bool:
    """Whether a model runs faster in bf16 than in fp32 on this CPU: only with AMX (see the module's table)."""
    return "amx_bf16" in features.flags


def choose_precision(requested: str, device: str, features: CpuFeatures | None = None) -> str:
    """``"fp32"`` or ``"bf16"`` for `requested` (``"auto"``, ``"fp32"``, ``"bf16"``) on `device`.

    ``"auto"``: `PRECISION_ENV` when set, else bf16 on CUDA and on a CPU with fast bf16 (`fast_bf16`), else
    fp32. `features` defaults to this machine's (`cpu_features`).

    >>> avx2 = CpuFeatures("EPYC", frozenset({"avx2"}), "AVX2", 2)
    >>> choose_precision("auto", "cpu", avx2), choose_precision("bf16", "cpu", avx2)
    ('fp32', 'bf16')
    """
    if requested not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}; got {requested!r}.")
    if requested == "auto":
        requested = os.environ.get(PRECISION_ENV) or "auto"
        if requested not in PRECISIONS:
            raise ValueError(f"{PRECISION_ENV} must be one of {', '.join(PRECISIONS)}; got {requested!r}.")
    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        return "bf16"
    return "bf16" if fast_bf16(features or cpu_features()) else "fp32"


def resolve_device(device: str = "auto") -> str:
    """``"auto"``: ``"cuda"`` when torch sees a CUDA device, else ``"cpu"``; other names pass through."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def choose_threads(requested: int = 0, features: CpuFeatures | None = None) -> int:
    """Torch's CPU threads: `requested` when > 0, else the CPUs this process may use (`CpuFeatures.cpus`)."""
    if requested > 0:
        return requested
    return (features or cpu_features()).cpus


def agent_dtype(requested: str | None, checkpoint_dtype: str | None, device: str) -> str | None:
    """The dtype name an ``hf:`` agent loads its checkpoint in (None: the checkpoint's own).

    ``dtype=auto`` is `choose_precision`'s choice; an explicit dtype stays. Without one, a checkpoint
    stored in bf16 or fp16 loads in fp32 on a CPU without fast bf16 (its own dtype elsewhere).
    """
    if requested == "auto":
        return DTYPE_NAMES[choose_precision("auto", device)]
    if requested is not None:
        return requested
    if checkpoint_dtype in ("bfloat16", "float16") and not device.startswith("cuda"):
        return None if choose_precision("auto", device) == "bf16" else "float32"
    return None


@functools.lru_cache(maxsize=1)
def cpu_features() -> CpuFeatures:
    """This machine's `CpuFeatures` (read once; torch's capability only where torch is installed)."""
    model, flags = _cpuinfo(Path("/proc/cpuinfo"))
    return CpuFeatures(model, flags, _torch_capability(), usable_cpus())


def _cpuinfo(path: Path) -> tuple[str, frozenset[str]]:
    """The first processor's model name and its `WATCHED_FLAGS` from a /proc/cpuinfo file."""
    model, flags = "unknown", frozenset[str]()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return model, flags
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and model == "unknown":
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = frozenset(f for f in value.split() if f in WATCHED_FLAGS)
    return model, flags


def _torch_capability() -> str:
    try:
        import torch
    except ImportError:
        return "unknown"
    return str(torch.backends.cpu.get_cpu_capability())


def usable_cpus(cgroup: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The CPUs this process may run on (affinity), capped by the cgroup v2 quota in `cgroup` when set."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:
        quota, period = cgroup.read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)
