"""The guard's host side without Docker: the static audit, the agent's lines, and judging verdicts."""

from __future__ import annotations

import json
import secrets

from agora.envs.swe.bug_fix.guard import agent_lines, judge, read_verdict, static_audit, verdict_mac
from agora.envs.swe.bug_fix.projects import Layout

LAYOUT = Layout("", ("pkg",))
BUGGY = {"pkg/m.py": b"import re\n\ndef f(x):\n    return x + 2\n", "tests/test_m.py": b"def test(): pass\n"}
PRISTINE = {**BUGGY, "pkg/m.py": b"import re, sys\n\ndef f(x):\n    return x + 1 if x < sys.maxsize else x\n"}


def _with(code: str) -> dict:
    return {**BUGGY, "pkg/m.py": BUGGY["pkg/m.py"] + code.encode()}


def test_the_static_audit_flags_new_references_to_the_framework_exit_frames_and_imports():
    cases = {
        "import _pytest.runner\n": "import '_pytest'",
        "import os\nos._exit(0)\n": "attribute '_exit'",
        "import sys\nsys.modules['x'] = 1\n": "attribute 'modules'",
        "import sys\nsys.settrace(None)\n": "attribute 'settrace'",
        "f = __import__('o' + 's')\n": "name '__import__'",
        "x = 'PASSED tests/test_m.py::test'\n": "string 'PASSED'",
        "from unittest import case\n": "import 'unittest'",
        "def g():\n    import sys\n    return sys._getframe(1).f_back\n": "attribute 'f_back'",
    }
    for code, expected in cases.items():
        found = static_audit(BUGGY, PRISTINE, _with(code), LAYOUT)
        assert any(expected in f for f in found), (code, found)


def test_the_static_audit_ignores_reverts_docstrings_tests_and_ordinary_code():
    assert static_audit(BUGGY, PRISTINE, PRISTINE, LAYOUT) == []  # the oracle's revert adds sys back
    ordinary = "\n\ndef h(s):\n    '''As the pytest suite expects.'''\n    return re.compile(s).pattern.strip()\n"
    assert static_audit(BUGGY, PRISTINE, _with(ordinary), LAYOUT) == []
    assert static_audit(BUGGY, PRISTINE, {**BUGGY, "tests/test_m.py": b"import _pytest\n"}, LAYOUT) == []
    assert static_audit(BUGGY, PRISTINE, _with("def broken(:\n"), LAYOUT) == []  # fails its tests instead


def test_agent_lines_are_the_lines_differing_from_both_the_buggy_and_the_pristine_code():
    graded = {**BUGGY, "pkg/m.py": b"import re\n\ndef f(x):\n    return x + 1\n# done\n", "pkg/new.py": b"a\nb\n"}
    assert agent_lines(BUGGY, PRISTINE, graded, LAYOUT) == {"/work/pkg/m.py": [4, 5], "/work/pkg/new.py": [1, 2]}
    assert agent_lines(BUGGY, PRISTINE, PRISTINE, LAYOUT) == {}  # restored pristine lines are not the agent's
    half = {**BUGGY, "pkg/m.py": b"import re, sys\n\ndef f(x):\n    return x + 1 + 0\n"}
    assert agent_lines(BUGGY, PRISTINE, half, LAYOUT) == {"/work/pkg/m.py": [4]}


def _verdict(records, exit_code=0, claims=None, bad=0):
    return {"exit_code": exit_code, "records": records, "bad_records": bad, "claims": claims or {}, "bytes": 0}


def _test(test, outcome="passed"):
    return [
        {"kind": "test", "id": test, "when": w, "outcome": outcome if w == "call" else "passed"}
        for w in ("setup", "call", "teardown")
    ]


HONEST = [
    {"kind": "collected", "ids": ["t::a", "t::b"]},
    *_test("t::a"),
    *_test("t::b", "failed"),
    {"kind": "finish", "exitstatus": 1},
    {"kind": "exit", "code": 1},
]


def test_an_honest_verdict_gives_outcomes_and_no_tampering():
    outcomes, tampering, finished = judge(_verdict(HONEST, exit_code=1, claims={"t::a": 1}))
    assert outcomes == {"t::a": "PASSED", "t::b": "FAILED"} and tampering == [] and finished


def test_inconsistent_verdicts_are_tampering():
    cases = {
        "forged or garbled": _verdict(HONEST, exit_code=1, bad=3),
        "did not pass": _verdict(HONEST, exit_code=1, claims={"t::b": 1}),
        "before pytest finished": _verdict(HONEST[:3], exit_code=0),
        "exited with status 0, pytest said 1": _verdict(HONEST, exit_code=0),
        "reported twice": _verdict([*HONEST[:4], *_test("t::a")], exit_code=1),
        "never collected": _verdict([*HONEST, *_test("t::zzz")], exit_code=1),
        "exit status is 0 although": _verdict([*HONEST[:7], {"kind": "finish", "exitstatus": 0}], exit_code=0),
        "sys.settrace from": _verdict([*HONEST, {"kind": "tamper", "what": "sys.settrace from /work/pkg/m.py:3"}], 1),
    }
    for expected, verdict in cases.items():
        _, tampering, _ = judge(verdict)
        assert any(expected in t for t in tampering), (expected, tampering)


def test_only_a_verdict_signed_with_the_host_key_is_read():
    key = secrets.token_bytes(32)
    verdict = _verdict(HONEST, exit_code=1)
    good = json.dumps({"verdict": verdict, "mac": verdict_mac(key, verdict)})
    assert read_verdict(good, key) == (verdict, [])
    forged = json.dumps({"verdict": verdict, "mac": verdict_mac(secrets.token_bytes(32), verdict)})
    assert read_verdict(forged, key) == (None, ["a verdict not signed by the supervisor"])
    assert read_verdict("", key) == (None, [])
