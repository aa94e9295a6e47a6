"""Each integration imports its framework lazily, and a missing framework is an error that names its extra."""

import subprocess
import sys

import pytest

from agora.errors import MissingDependency

FRAMEWORKS = ("trl", "openenv", "datasets", "verifiers", "wandb", "torch", "transformers")


def _uninstall(monkeypatch, package: str) -> None:
    """Makes `package` (and its loaded submodules) unimportable, as when it is not installed."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")] + [package]:
        monkeypatch.setitem(sys.modules, name, None)


def test_importing_the_integrations_loads_no_framework():
    modules = "agora.integrations.trl, agora.integrations.hf_datasets, agora.integrations.verifiers, " \
              "agora.trainers.metrics"  # fmt: skip
    code = f"import sys, {modules}; print([m for m in {FRAMEWORKS!r} if m in sys.modules])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr[-2000:]


def test_trl_and_openenv_missing_name_their_extras(monkeypatch):
    from agora.integrations.trl import AgoraEnvironment, check_trl, prompt_dataset

    _uninstall(monkeypatch, "trl")
    with pytest.raises(MissingDependency, match=r"pip install 'agora\[trl\]'"):
        check_trl()
    _uninstall(monkeypatch, "openenv")
    with pytest.raises(MissingDependency, match=r"pip install 'agora\[openenv\]'"):
        AgoraEnvironment("drills/GuessNumber-v0", openenv_url="http://127.0.0.1:9")
    _uninstall(monkeypatch, "datasets")
    with pytest.raises(MissingDependency, match=r"pip install 'agora\[trl\]'"):
        prompt_dataset("drills/GuessNumber-v0", 2)


def test_datasets_and_wandb_missing_name_their_extras(monkeypatch, tmp_path):
    from agora.integrations.hf_datasets import export_hf
    from agora.trainers.metrics import MetricsLogger

    _uninstall(monkeypatch, "datasets")
    with pytest.raises(MissingDependency, match=r"pip install 'agora\[datasets\]'"):
        export_hf(tmp_path / "run.jsonl", tmp_path / "ds")
    _uninstall(monkeypatch, "wandb")
    with pytest.raises(MissingDependency, match=r"pip install 'agora\[wandb\]'"):
        MetricsLogger(tmp_path / "run", wandb_project="agora-tests")
