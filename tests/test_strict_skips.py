"""Under AGORA_NO_SKIPS=1 (scripts/test.sh) a skip for a missing install fails; the expected skips still skip."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


def test_missing_frameworks_fail_and_expected_skips_skip(pytester: pytest.Pytester, monkeypatch) -> None:
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(
        test_missing_module='import pytest\nnot_there = pytest.importorskip("no_such_framework_xyz")\n'
        "def test_a():\n    pass\n",
        test_runtime="import pytest\n"
        '@pytest.mark.skipif(True, reason="needs a CUDA GPU")\ndef test_gpu():\n    pass\n'
        'def test_venv():\n    pytest.skip("no .venv-verifiers: run scripts/setup.d/45-verifiers.sh")\n'
        '@pytest.mark.xfail(reason="known")\ndef test_known():\n    assert False\n',
    )
    monkeypatch.setenv("AGORA_NO_SKIPS", "1")
    strict = pytester.runpytest("-p", "no:cacheprovider")
    assert strict.ret == pytest.ExitCode.TESTS_FAILED
    assert strict.parseoutcomes() == {"skipped": 3, "xfailed": 1}  # every test still ran
    strict.stdout.fnmatch_lines(["*broken install*", "*no_such_framework_xyz*", "*test_venv*45-verifiers*"])
    assert "needs a CUDA GPU" not in strict.stdout.str().split("broken install")[1]
    monkeypatch.setenv("AGORA_NO_SKIPS", "0")
    relaxed = pytester.runpytest("-p", "no:cacheprovider")
    assert relaxed.ret == pytest.ExitCode.OK and relaxed.parseoutcomes() == {"skipped": 3, "xfailed": 1}
