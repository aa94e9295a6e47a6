"""Every family under `envs/` follows the one shape written in `envs/README.md` (the architecture's "Family shape").

A family's `__init__.py` holds an `ENVS` table (or an `envs()` function building one) and a `register_envs`
that is just `register_all` over it, listed under the `agora.envs` entry points; every registered entry point
is the `env.py` of one subpackage per env. (`tests/test_wheel.py` checks that every folder with Python
code is a package and that the wheel ships every file.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tomllib

import agora

ROOT = Path(__file__).resolve().parents[2]
ENVS_DIR = ROOT / "envs"
FAMILIES = sorted(p.name for p in ENVS_DIR.iterdir() if p.is_dir() and p.name != "__pycache__")


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    assert found, f"no {name}() at module level"
    return found[0]


@pytest.mark.parametrize("family", FAMILIES)
def test_the_family_registers_its_table_in_the_one_style(family):
    tree = ast.parse((ENVS_DIR / family / "__init__.py").read_text())
    function = _function(tree, "register_envs")
    body = function.body[1:] if ast.get_docstring(function) else function.body
    assert len(body) == 1, f"{family}: register_envs must be one register_all(...) call"
    call = body[0].value
    assert isinstance(call, ast.Call) and ast.unparse(call.func) == "register_all"
    assert ast.unparse(call.args[0]) in ("ENVS", "envs()"), ast.unparse(call)
    if ast.unparse(call.args[0]) == "envs()":
        _function(tree, "envs")
    else:
        assert any(isinstance(n, ast.AnnAssign) and ast.unparse(n.target) == "ENVS" for n in tree.body)


def test_every_family_is_an_entry_point_of_the_agora_envs_group():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group = pyproject["project"]["entry-points"]["agora.envs"]
    assert group == {family: f"agora.envs.{family}:register_envs" for family in FAMILIES}


def test_every_registered_id_is_the_env_module_of_one_subpackage():
    builtin = [agora.spec(i) for i in agora.list_envs() if agora.spec(i).family in FAMILIES]
    assert {s.family for s in builtin} == set(FAMILIES)
    for spec in builtin:
        module, _, attr = spec.entry_point.partition(":")
        parts = module.split(".")
        # gui/ registers web/'s MiniWoB env in pixel mode: an env of another family is still an env.py
        assert parts[:2] == ["agora", "envs"] and parts[2] in FAMILIES and len(parts) == 5 and parts[4] == "env"
        assert (ENVS_DIR / parts[2] / parts[3] / "env.py").is_file() and attr.isidentifier(), spec


def test_every_env_subpackage_has_its_env_module():
    for family in FAMILIES:
        for sub in (ENVS_DIR / family).iterdir():
            if (sub / "__init__.py").is_file():
                assert (sub / "env.py").is_file(), sub
