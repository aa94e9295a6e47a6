"""No folder or script of the repository stands in for an installed distribution (agora.layout).

On 2026-12-07 a new transformers release imported Hugging Face's `kernels` while loading any model, and
from the repository root Python found the repo's `kernels/` folder instead: both README commands failed.
These tests import, from the repository root, what a user's `python -c`, REPL or `python -m pytest` would.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agora.layout import PACKAGE_FOLDERS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_FOLDERS = ("benchmarks", "scripts", "examples", "docs")
"""Folders whose scripts run as ``python FOLDER/x.py``: Python puts the script's folder first on sys.path."""


def _installed_top_level_names() -> set[str]:
    return set(importlib.metadata.packages_distributions())


def _importable_names(folder: Path) -> set[str]:
    """What ``import NAME`` could find in `folder`: modules, packages and plain folders (namespace portions)."""
    names = set()
    for entry in folder.iterdir():
        if entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return names


def _run_from_root(code: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Runs ``python -c CODE`` with the repository root as the working directory, as a user would."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _outside_repo(path: str | None) -> bool:
    return path is None or not Path(path).resolve().is_relative_to(ROOT) or ".venv" in Path(path).parts


def test_every_installed_top_level_name_imports_the_distribution_from_the_repo_root() -> None:
    installed = _installed_top_level_names()
    clashes = sorted((_importable_names(ROOT) & installed) - {"agora"})
    assert "kernels" in clashes  # Hugging Face's kernels (transformers needs it) and our kernels/ folder
    probe = _run_from_root(
        f"""
        import importlib, json
        found = {{}}
        for name in {clashes!r}:
            module = importlib.import_module(name)
            found[name] = [getattr(module, "__file__", None), list(getattr(module, "__path__", []))]
        print(json.dumps(found))
        """
    )
    assert probe.returncode == 0, probe.stderr
    import json

    for name, (file, path) in json.loads(probe.stdout).items():
        assert _outside_repo(file) and all(_outside_repo(p) for p in path), (name, file, path)


def test_a_package_folder_without_a_distribution_of_its_name_is_an_empty_namespace_by_that_name() -> None:
    installed = _installed_top_level_names()
    missing = [folder for folder in PACKAGE_FOLDERS if folder not in installed]
    assert missing and all((ROOT / folder / "__init__.py").exists() for folder in PACKAGE_FOLDERS)
    # What transformers does to learn whether a package is installed (`_is_package_available`): find_spec,
    # then, without metadata, import it and take a module with neither __file__ nor __version__ for a
    # namespace package shadowing on sys.path. A plain folder gives that; so must ours, never an error.
    probe = _run_from_root(
        f"""
        import importlib, importlib.util, json
        found = {{}}
        for name in {missing!r}:
            assert importlib.util.find_spec(name) is not None
            module = importlib.import_module(name)
            found[name] = [getattr(module, "__file__", None), list(module.__path__), sorted(vars(module))]
        print(json.dumps(found))
        """
    )
    assert probe.returncode == 0, probe.stderr
    import json

    for name, (file, path, names) in json.loads(probe.stdout).items():
        assert file is None and path == [], name
        assert all(n.startswith("__") for n in names), (name, names)  # nothing of the folder's code


def test_no_script_folder_holds_a_module_named_like_an_installed_distribution() -> None:
    installed = _installed_top_level_names()
    for name in SCRIPT_FOLDERS:
        for folder in [ROOT / name, *sorted(p for p in (ROOT / name).rglob("*") if p.is_dir())]:
            if folder.is_dir() and "__pycache__" not in folder.parts and any(folder.glob("*.py")):
                assert not _importable_names(folder) & installed, (folder, _importable_names(folder) & installed)


def test_from_the_repo_root_agora_s_metadata_is_the_installed_one() -> None:
    probe = _run_from_root("import importlib.metadata as md; d = md.distribution('agora'); print(d._path)")
    assert probe.returncode == 0, probe.stderr
    assert _outside_repo(probe.stdout.strip()), "a build left agora.egg-info in the checkout: its entry points win"
    assert not list(ROOT.glob("*.egg-info"))


def test_under_pytest_the_repo_root_is_on_sys_path_and_kernels_is_still_the_distribution() -> None:
    import kernels

    assert str(ROOT) in [os.path.abspath(p or os.curdir) for p in sys.path]
    assert _outside_repo(kernels.__file__)
    assert hasattr(kernels, "get_kernel")  # Hugging Face's API, not agora.kernels'
    import agora.kernels

    assert Path(agora.kernels.__file__).parent == ROOT / "kernels"


@pytest.mark.slow
def test_from_the_repo_root_transformers_loads_a_model_and_trl_ray_torch_import(tmp_path: Path) -> None:
    probe = _run_from_root(
        f"""
        import torch, transformers
        config = transformers.LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32,
                                          num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2)
        transformers.LlamaForCausalLM(config).save_pretrained({str(tmp_path)!r})
        model = transformers.AutoModelForCausalLM.from_pretrained({str(tmp_path)!r})
        logits = model(torch.tensor([[1, 2, 3]])).logits
        assert logits.shape == (1, 3, 64)
        import trl, ray, kernels, sys
        for name in ("torch", "transformers", "trl", "ray", "kernels"):
            print(name, sys.modules[name].__file__)
        """
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    for line in probe.stdout.splitlines():
        name, file = line.split(" ", 1)
        assert _outside_repo(file), (name, file)
