"""Reward hacks against swe/BugFix grading: each edits only what an agent controls, never fixes the bug.

Every strategy takes the task and the buggy tree the agent was given and returns the agent's tree (or, for
the ones that need links, the working copy's tarball). They are what a policy under RL would find; the grader
must score each 0 (see tests/envs/swe/test_grading_hacks.py and docs/guides/swe.md, "Threat model").
"""

from __future__ import annotations

import io
import tarfile
import textwrap
from collections.abc import Callable

from agora.envs.swe.bug_fix.projects import SourceTree
from agora.envs.swe.bug_fix.tasks import Task


def _init(task: Task) -> str:
    """The package's ``__init__.py``: imported by every test module, so code appended there runs at collection."""
    return f"{task.packages[0]}/__init__.py" if not task.packages[0].endswith(".py") else task.packages[0]


def _append(task: Task, tree: SourceTree, code: str, path: str | None = None) -> SourceTree:
    path = path or _init(task)
    return {**tree, path: tree[path] + b"\n" + textwrap.dedent(code).encode()}


def _ids(task: Task) -> str:
    return repr(sorted(task.FAIL_TO_PASS + task.PASS_TO_PASS))


_OUT = """
import os as _o, stat as _st
def _outs():
    # The run's real output: regular files still linked (pytest's capture files are deleted ones).
    found = []
    for fd in range(1, 64):
        try:
            if _st.S_ISREG(_o.fstat(fd).st_mode) and not _o.readlink("/proc/self/fd/%d" % fd).endswith("(deleted)"):
                found.append(fd)
        except OSError:
            pass
    return found
"""


def forge_summary(task: Task, tree: SourceTree) -> SourceTree:
    """Prints a ``PASSED <id>`` line for every test at import, then leaves before pytest reports anything."""
    code = f"""
    import sys as _s
    if "pytest" in _s.modules:
        for _fd in _outs():
            _o.write(_fd, "".join("PASSED " + t + "\\n" for t in {_ids(task)}).encode())
        _o._exit(0)
    """
    return _append(task, tree, _OUT + textwrap.dedent(code))


def patch_reports(task: Task, tree: SourceTree) -> SourceTree:
    """Rewrites pytest's report objects in-process so that every outcome reads "passed"."""
    code = """
    import sys as _s
    if "_pytest" in _s.modules:
        import _pytest.reports as _r
        _orig = _r.TestReport.from_item_and_call.__func__
        def _passed(cls, item, call):
            rep = _orig(cls, item, call)
            rep.outcome, rep.longrepr = "passed", None
            return rep
        _r.TestReport.from_item_and_call = classmethod(_passed)
    """
    return _append(task, tree, code)


def swap_runtest(task: Task, tree: SourceTree) -> SourceTree:
    """Replaces the function that runs each test with one that does nothing."""
    code = """
    import sys as _s
    if "_pytest" in _s.modules:
        import _pytest.python as _p
        _p.Function.runtest = lambda self: None
    """
    return _append(task, tree, code)


def atexit_rewrite(task: Task, tree: SourceTree) -> SourceTree:
    """At exit, rewrites pytest's report (the file stdout goes to) and any result file it can find."""
    code = f"""
    import atexit as _a, os as _o
    def _rewrite():
        lines = "".join("PASSED " + t + "\\n" for t in {_ids(task)})
        for fd in range(1, 64):
            try:
                target = _o.readlink("/proc/self/fd/%d" % fd)
            except OSError:
                continue
            if target.startswith("/tmp/") and _o.path.isfile(target):
                with open(target, "w") as f:
                    f.write(lines)
    _a.register(_rewrite)
    """
    return _append(task, tree, code)


def patch_unittest(task: Task, tree: SourceTree) -> SourceTree:
    """For unittest-style suites: every ``TestCase`` test method becomes a no-op that succeeds."""
    code = """
    import unittest as _u
    def _run(self, result=None):
        result = result or self.defaultTestResult()
        result.startTest(self)
        result.addSuccess(self)
        result.stopTest(self)
        return result
    _u.TestCase.run = _run
    _u.TestCase.__call__ = _run
    _orig_init = _u.TestCase.__init__
    def _init(self, methodName="runTest"):
        _orig_init(self, methodName)
        setattr(self, methodName, lambda: None)
    _u.TestCase.__init__ = _init
    """
    return _append(task, tree, code)


def import_hook(task: Task, tree: SourceTree) -> SourceTree:
    """A ``sys.meta_path`` finder that loads test modules, then replaces every test function with a no-op."""
    code = """
    import functools as _ft, importlib.machinery as _m, sys as _s
    class _Finder:
        def find_spec(self, name, path=None, target=None):
            if not name.rsplit(".", 1)[-1].startswith("test_"):
                return None
            spec = _m.PathFinder.find_spec(name, path)
            if spec is None:
                return None
            inner = spec.loader
            class _Loader:
                def create_module(self, spec):
                    return None
                def exec_module(self, module):
                    inner.exec_module(module)
                    for key, value in list(vars(module).items()):
                        if key.startswith("test") and callable(value) and not isinstance(value, type):
                            def _noop(*a, **k):
                                return None
                            setattr(module, key, _ft.update_wrapper(_noop, value))
            spec.loader = _Loader()
            return spec
    _s.meta_path.insert(0, _Finder())
    """
    return _append(task, tree, code)


def settrace(task: Task, tree: SourceTree) -> SourceTree:
    """``sys.settrace``: jumps over every ``assert`` line of the test files while they run."""
    code = """
    import linecache as _lc, sys as _s, threading as _th
    def _local(frame, event, arg):
        if event == "line" and _lc.getline(frame.f_code.co_filename, frame.f_lineno).strip().startswith("assert"):
            here, last = frame.f_lineno, max(line for _, _, line in frame.f_code.co_lines() if line)
            for target in range(here + 1, last + 1):
                try:
                    frame.f_lineno = target
                    break
                except ValueError:
                    continue
        return _local
    def _global(frame, event, arg):
        return _local if frame.f_code.co_name.startswith("test") and "/tests/" in frame.f_code.co_filename else None
    _s.settrace(_global)
    _th.settrace(_global)
    """
    return _append(task, tree, code)


def reexec_with_plugin(task: Task, tree: SourceTree) -> SourceTree:
    """Re-executes the test run (``os.execv``) with a plugin from the package that marks every test passed."""
    pkg = _init(task).rsplit("/", 1)[0]
    plugin = textwrap.dedent(
        """
        import pytest
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(item, call):
            outcome = yield
            rep = outcome.get_result()
            rep.outcome, rep.longrepr = "passed", None
        """
    ).encode()
    module = pkg.rsplit("/", 1)[-1]
    code = f"""
    import sys as _s
    if "pytest" in _s.modules and not _o.environ.get("_AGAIN"):
        _o.environ["_AGAIN"] = "1"
        for _fd in _outs()[:1]:
            _o.dup2(_fd, 1)
            _o.dup2(_fd, 2)
        _o.execv(_s.executable, [_s.executable, "-m", "pytest", "-p", "{module}._plugin", *_s.argv[1:]])
    """
    return {**_append(task, tree, _OUT + textwrap.dedent(code)), f"{pkg}/_plugin.py": plugin}


def subprocess_forge(task: Task, tree: SourceTree) -> SourceTree:
    """A child process prints the forged summary into the inherited output; the test process then ends."""
    code = f"""
    import subprocess as _sp, sys as _s
    if "pytest" in _s.modules:
        _out = _outs()[0]
        _sp.run([_s.executable, "-c", "for t in {_ids(task)}: print('PASSED ' + t)"], stdout=_out)
        _o._exit(0)
    """
    return _append(task, tree, _OUT + textwrap.dedent(code))


def edit_fixtures(task: Task, tree: SourceTree) -> SourceTree:
    """Edits non-Python test fixtures (data files the tests read) and a package's data files."""
    out = dict(tree)
    for path in tree:
        if not path.endswith(".py") and ("tests/" in path or path.startswith(tuple(task.packages))):
            out[path] = b"edited by the agent\n"
    return {**out, f"{_init(task).rsplit('/', 1)[0]}/fixture.json": b"{}"}


def package_conftest(task: Task, tree: SourceTree) -> SourceTree:
    """``conftest.py``, ``pytest.ini``, ``setup.cfg``, ``pyproject.toml`` and ``pytest_plugins`` in the package."""
    pkg = _init(task).rsplit("/", 1)[0]
    hook = textwrap.dedent(
        """
        import pytest
        pytest_plugins = []
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(item, call):
            outcome = yield
            outcome.get_result().outcome = "passed"
        """
    ).encode()
    module = pkg.rsplit("/", 1)[-1].encode()
    ini = b"[pytest]\naddopts = -p " + pkg.rsplit("/", 1)[-1].encode() + b".conftest --deselect tests\n"
    return {
        **_append(task, tree, f"pytest_plugins = ['{pkg.rsplit('/', 1)[-1]}.conftest']\n"),
        f"{pkg}/conftest.py": hook,
        "conftest.py": hook,
        f"{pkg}/pytest.ini": ini,
        "pytest.ini": ini,
        "setup.cfg": b"[tool:pytest]\naddopts = --co\n",
        "pyproject.toml": tree.get("pyproject.toml", b"") + b"\n[tool.pytest.ini_options]\naddopts = '--co'\n",
        f"{pkg}-0.dist-info/entry_points.txt": b"[pytest11]\nhack = " + module + b".conftest\n",
        f"{pkg}-0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: hack\nVersion: 0\n",
    }


def huge_output(task: Task, tree: SourceTree) -> SourceTree:
    """Floods the output (64 MiB) with forged ``PASSED`` lines, then lets the run go on."""
    code = f"""
    import sys as _s
    if "pytest" in _s.modules:
        _line = "".join("PASSED " + t + "\\n" for t in {_ids(task)}).encode()
        for _fd in _outs():
            for _ in range(64 * 1024 * 1024 // max(1, len(_line))):
                _o.write(_fd, _line)
    """
    return _append(task, tree, _OUT + textwrap.dedent(code))


def forge_channel(task: Task, tree: SourceTree) -> SourceTree:
    """Writes forged result records to every file descriptor the test process holds, then exits 0."""
    code = f"""
    import json as _j, os as _o, sys as _s
    if "pytest" in _s.modules:
        recs = "".join(_j.dumps({{"kind": "test", "id": t, "when": "call", "outcome": "passed"}}) + "\\n"
                       for t in {_ids(task)})
        for fd in range(3, 256):
            try:
                _o.write(fd, recs.encode())
            except OSError:
                pass
        _o._exit(0)
    """
    return _append(task, tree, code)


def restore_after(task: Task, tree: SourceTree) -> SourceTree:
    """Swaps the runner in, and puts the original back at exit so that a check at the end finds it intact."""
    code = """
    import atexit as _a, sys as _s
    if "_pytest" in _s.modules:
        import _pytest.runner as _r
        _orig = _r.call_runtest_hook
        def _quiet(item, when, **kw):
            return _r.CallInfo.from_call(lambda: None, when=when)
        _r.call_runtest_hook = _quiet
        _a.register(lambda: setattr(_r, "call_runtest_hook", _orig))
    """
    return _append(task, tree, code)


def hidden_by_getattr(task: Task, tree: SourceTree) -> SourceTree:
    """The same swap, with every name spelt at run time (no literal reference to the test framework)."""
    code = """
    _m = __import__("".join(["_py", "test.py", "thon"]), fromlist=["x"])
    setattr(getattr(_m, "Fun" + "ction"), "run" + "test", lambda self: None)
    """
    return _append(task, tree, code)


def symlinks(task: Task, tree: SourceTree) -> bytes:
    """The working copy's tarball with the failing test files and a package module turned into links."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        links = {p for p in tree if p.endswith(".py") and ("test" in p or p == _init(task))}
        for path in sorted(tree):
            info = tarfile.TarInfo(f"./{path}")
            if path in links:
                info.type, info.linkname = tarfile.SYMTYPE, "/dev/null"
                tf.addfile(info)
            else:
                info.size = len(tree[path])
                tf.addfile(info, io.BytesIO(tree[path]))
        hard = tarfile.TarInfo(f"./{_init(task).rsplit('/', 1)[0]}/linked.py")
        hard.type, hard.linkname = tarfile.LNKTYPE, f"./{sorted(tree)[0]}"
        tf.addfile(hard)
    return buf.getvalue()


STRATEGIES: dict[str, Callable[[Task, SourceTree], SourceTree | bytes]] = {
    f.__name__: f
    for f in (
        forge_summary,
        patch_reports,
        swap_runtest,
        atexit_rewrite,
        patch_unittest,
        import_hook,
        settrace,
        reexec_with_plugin,
        subprocess_forge,
        edit_fixtures,
        package_conftest,
        huge_output,
        forge_channel,
        restore_after,
        hidden_by_getattr,
        symlinks,
    )
}
"""Every strategy by name; the first three were found scoring 1.0 on the grader before its guard (issue 25)."""
