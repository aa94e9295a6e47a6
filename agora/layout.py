"""The repository's top-level package folders never stand in for an installed distribution.

`envs/`, `agents/`, `trainers/` and `kernels/` are the packages `agora.envs`, `agora.agents`, ... (setup.py
maps each folder into `agora`, so the tree a newcomer sees is the architecture). But whenever the repository
root is on `sys.path` -- `python -c` or a REPL started there, `python -m`, a notebook, pytest's rootdir --
Python also finds each folder under its bare name, before site-packages: `import kernels` then loaded the
repo's `kernels/` instead of Hugging Face's `kernels` distribution, which transformers imports while loading
any model (2026-12-07: every README command failed that way).

So each of those folders' ``__init__.py`` begins with ``step_aside(__name__, __file__)``. Imported as
``agora.<folder>`` it does nothing. Imported under its bare name, it puts in its own place, in
`sys.modules`, the module that the same import finds with the repository root left out of the search:
the installed distribution of that name. When none is installed, it puts there an empty namespace
package, which is what Python gives for any plain folder on the path: no ``__file__``, no attributes, no
submodules. (Raising instead broke libraries that find a module with `importlib.util.find_spec` and then
import it to read its version, as transformers does for ``kernels``: they take a namespace package for a
folder on the path, not an install.) `tests/test_layout.py` checks this from the repository root for every
top-level name the installed distributions provide.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys

PACKAGE_FOLDERS = ("envs", "agents", "trainers", "kernels")
"""The repository's top-level folders that are packages of `agora` (setup.py's PACKAGE_DIRS)."""


def step_aside(name: str, init_file: str) -> None:
    """Replaces a folder imported under its bare top-level name by the distribution of that name.

    Args:
        name: the importing module's ``__name__``: ``agora.kernels`` (nothing to do) or ``kernels``.
        init_file: the importing module's ``__file__`` (the folder's ``__init__.py``).

    When no distribution of that name is installed, an empty namespace package takes the folder's place.
    """
    if "." in name:
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(init_file)))
    saved_path = list(sys.path)
    ours = sys.modules.pop(name)
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != root]
    try:
        importlib.invalidate_caches()
        sys.modules[name] = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            sys.modules[name] = ours  # the import machinery removes it again once this error propagates
            raise
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        sys.modules[name] = importlib.util.module_from_spec(spec)  # as for a plain folder: a namespace
    finally:
        sys.path[:] = saved_path
