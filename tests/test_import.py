"""`import agora` stays light: no heavy optional dependency is imported."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "torch",
    "docker",
    "playwright",
    "textworld",
    "transformers",
    "vllm",
    "triton",
    "matplotlib",
    "ray",
    "websockets",
)


def test_import_agora_loads_no_heavy_dependency() -> None:
    code = "import sys, agora; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    )
    assert not loaded & set(HEAVY), f"import agora pulled in {sorted(loaded & set(HEAVY))}"
