"""Imports heavy optional dependencies lazily, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from agora.errors import MissingDependency


def require(module: str, extra: str) -> ModuleType:
    """Imports `module`, or raises `MissingDependency` telling the user to install `agora[extra]`."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        if e.name and module.split(".")[0] != e.name.split(".")[0]:
            raise
        raise MissingDependency(module, extra) from e
