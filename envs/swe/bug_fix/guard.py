"""The grade's guard on the host: the lines the agent wrote, a static audit of them, and the run's verdict.

The threat model and the defences are in docs/guides/swe.md ("Threat model"). Here:

- `agent_lines`: the lines of library code the agent wrote (differing from both the buggy tree it was
  given and the pristine tree), by file, as the test process sees them: the audit hook inside the run
  attributes events to them.
- `static_audit`: new references, in those files, to the test framework, process exit and exec, tracing,
  frames, ``sys.modules``, import machinery and the like: a reference counts when the agent's file has more
  of it than both the buggy and the pristine file (so reverting a bug never counts).
- `judge`: the supervisor's verdict (MAC'd with the host's key) turned into outcomes, with every
  inconsistency between the records, the exit status and the output named as tampering.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import hmac
import json
from collections import Counter
from pathlib import Path

from agora.envs.swe.bug_fix.projects import Layout, SourceTree

HARNESS = Path(__file__).with_name("harness.py")
MAX_VERDICT_CHARS = 64 << 20
SUSPECT_MODULES = frozenset(
    {
        "pytest",
        "_pytest",
        "pluggy",
        "unittest",
        "subprocess",
        "ctypes",
        "gc",
        "inspect",
        "atexit",
        "signal",
        "importlib",
        "imp",
        "pty",
        "multiprocessing",
        "faulthandler",
        "builtins",
        "runpy",
        "code",
        "codeop",
        "trace",
    }
)
"""Imported modules that count when new (``os`` and ``sys`` do not: their dangerous parts are attributes)."""
SUSPECT_ATTRS = frozenset(
    {
        "_exit",
        "exit",
        "abort",
        "kill",
        "killpg",
        "execv",
        "execve",
        "execvp",
        "execvpe",
        "execl",
        "execle",
        "execlp",
        "execlpe",
        "spawnv",
        "spawnve",
        "spawnl",
        "posix_spawn",
        "posix_spawnp",
        "system",
        "popen",
        "fork",
        "forkpty",
        "dup2",
        "settrace",
        "setprofile",
        "_getframe",
        "_current_frames",
        "f_back",
        "f_globals",
        "f_locals",
        "f_lineno",
        "f_trace",
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "modules",
        "meta_path",
        "path_hooks",
        "path_importer_cache",
        "addaudithook",
        "__code__",
        "__globals__",
        "__builtins__",
        "__subclasses__",
        "__closure__",
        "__stdout__",
        "__stderr__",
    }
)
"""Attributes (and names) that count when new."""
SUSPECT_CALLS = frozenset({"__import__", "exec", "eval", "compile", "globals", "breakpoint", "exit", "quit"})
"""Bare names that count when new (``compile`` as a name, not ``re.compile``)."""
SUSPECT_WORDS = ("pytest", "PASSED", "FAILED", "/proc", "/dev/fd", "unittest", "runtest", "conftest", "agora")
"""Words that count when a new string constant holds them (docstrings and other bare strings do not)."""


def _changed(before: bytes | None, after: bytes) -> set[int]:
    """Lines (1-based, in `after`) that `after` adds or changes against `before`."""
    new = after.decode("utf-8", "replace").splitlines()
    old = before.decode("utf-8", "replace").splitlines() if before is not None else []
    lines: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            lines.update(range(j1 + 1, j2 + 1))
    return lines


def agent_lines(buggy: SourceTree, pristine: SourceTree, graded: SourceTree, layout: Layout) -> dict[str, list[int]]:
    """Lines the agent wrote in library code, keyed by the file's path in the sandbox.

    A line counts when it differs from both the buggy tree it was given and the pristine tree, so the lines
    a fix restores (the pristine project's own code) are never the agent's.
    """
    out: dict[str, list[int]] = {}
    for path, data in graded.items():
        if not layout.is_source(path) or buggy.get(path) == data or pristine.get(path) == data:
            continue
        lines = _changed(buggy.get(path), data) & _changed(pristine.get(path), data)
        if lines:
            out[f"/work/{path}"] = sorted(lines)
    return out


def _references(source: bytes) -> Counter | None:
    """Suspect references in a file's source, counted; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found: Counter = Counter()
    inert = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            tops = (a.name.split(".")[0] for a in node.names)
            found.update(("import", top) for top in tops if top in SUSPECT_MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top in SUSPECT_MODULES:
                found[("import", top)] += 1
        elif isinstance(node, ast.Attribute) and node.attr in SUSPECT_ATTRS:
            found[("attribute", node.attr)] += 1
        elif isinstance(node, ast.Name) and (node.id in SUSPECT_CALLS or node.id in SUSPECT_ATTRS):
            found[("name", node.id)] += 1
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inert:
            found.update(("string", w) for w in SUSPECT_WORDS if w in node.value)
    return found


def static_audit(buggy: SourceTree, pristine: SourceTree, graded: SourceTree, layout: Layout) -> list[str]:
    """New suspect references in the agent's library code (see the module docs), as findings."""
    findings = []
    for path in sorted(graded):
        if not layout.is_source(path) or buggy.get(path) == graded[path]:
            continue
        now = _references(graded[path])
        if now is None:
            continue
        before = [c for c in (_references(t[path]) for t in (buggy, pristine) if path in t) if c is not None]
        for (kind, value), count in sorted(now.items()):
            if count > max((c[(kind, value)] for c in before), default=0):
                findings.append(f"{path}: new reference to {kind} {value!r}")
    return findings[:20]


def verdict_mac(host_key: bytes, verdict: dict) -> str:
    """The MAC the supervisor puts on its verdict (harness.py `_mac`, sequence 0)."""
    payload = json.dumps(verdict, sort_keys=True).encode()
    return hmac.new(host_key, b"0:" + payload, hashlib.sha256).hexdigest()


def read_verdict(text: str, host_key: bytes) -> tuple[dict | None, list[str]]:
    """(the supervisor's verdict or None, tampering) from its verdict file: a wrong MAC is tampering."""
    lines = [line for line in text[-MAX_VERDICT_CHARS:].splitlines() if line.startswith('{"verdict"')]
    if not lines:
        return None, []
    try:
        message = json.loads(lines[-1])
        verdict, mac = message["verdict"], message["mac"]
    except (ValueError, KeyError, TypeError):
        return None, ["the supervisor's verdict could not be read"]
    if not isinstance(mac, str) or not hmac.compare_digest(mac, verdict_mac(host_key, verdict)):
        return None, ["a verdict not signed by the supervisor"]
    if len(lines) > 1:
        return verdict, ["more than one verdict in the supervisor's output"]
    return verdict, []


def _outcome(phases: dict[str, dict]) -> str:
    setup, call, teardown = phases.get("setup", {}), phases.get("call", {}), phases.get("teardown", {})
    if setup.get("outcome") == "failed":
        return "ERROR"
    if setup.get("outcome") == "skipped":
        return "XFAIL" if setup.get("xfail") else "SKIPPED"
    kind = {"failed": "FAILED", "passed": "PASSED", "skipped": "SKIPPED"}.get(call.get("outcome"), "ERROR")
    if call.get("xfail"):
        kind = {"PASSED": "XPASS", "SKIPPED": "XFAIL"}.get(kind, kind)
    if teardown.get("outcome") == "failed" or not teardown:
        return "ERROR" if kind in ("PASSED", "XPASS") else kind
    return kind


def judge(verdict: dict) -> tuple[dict[str, str], list[str], bool]:
    """(outcomes by test id, tampering, whether pytest finished) from a checked verdict."""
    tampering, phases, collected = [], {}, None
    finish = exit_record = None
    if verdict.get("bad_records"):
        tampering.append(f"{verdict['bad_records']} forged or garbled record(s) on the result channel")
    for record in verdict.get("records", []):
        kind = record.get("kind")
        if kind == "tamper":
            tampering.append(str(record.get("what"))[:300])
        elif kind == "collected" and collected is None:
            collected = set(record.get("ids", []))
        elif kind == "collect_error":
            phases.setdefault(str(record.get("id")), {})["setup"] = {"outcome": "failed"}
        elif kind == "test":
            test, when = str(record.get("id")), str(record.get("when"))
            if when in phases.get(test, {}):
                tampering.append(f"{test} was reported twice ({when})")
            if collected is not None and test not in collected:
                tampering.append(f"{test} was reported but never collected")
            phases.setdefault(test, {})[when] = {"outcome": record.get("outcome"), "xfail": record.get("xfail")}
        elif kind == "finish":
            finish = record.get("exitstatus")
        elif kind == "exit":
            exit_record = record.get("code")
    outcomes = {test: _outcome(p) for test, p in phases.items()}
    tampering += _consistency(verdict, outcomes, phases, finish, exit_record)
    for test in [t for t in outcomes if " - " in t]:  # ids as task sets read them from -rA lines
        outcomes.setdefault(test.split(" - ")[0], outcomes[test])
    return outcomes, list(dict.fromkeys(tampering))[:20], finish is not None


def _consistency(verdict: dict, outcomes: dict, phases: dict, finish, exit_record) -> list[str]:
    found, code = [], verdict.get("exit_code")
    if finish is None and code == 0:
        found.append("the test process exited with status 0 before pytest finished")
    if exit_record is not None and exit_record != code:
        found.append(f"the test process exited with status {code}, pytest said {exit_record}")
    if finish == 0 and any(o in ("FAILED", "ERROR") for o in outcomes.values()):
        found.append("pytest's exit status is 0 although tests failed")
    call_passed = {t.split(" - ")[0] for t, p in phases.items() if p.get("call", {}).get("outcome") == "passed"}
    forged = sorted(t for t in verdict.get("claims", {}) if t not in call_passed)
    if forged:
        found.append(f"the output claims {len(forged)} test(s) passed that pytest did not pass (e.g. {forged[0]})")
    return found
