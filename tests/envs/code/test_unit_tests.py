"""code/UnitTests-v0: every shipped task is solvable (reference -> 1), wrong code scores below 1."""

from __future__ import annotations

import shutil

import pytest

import agora
from agora.envs.code.unit_tests.env import code_problem, extract_code
from agora.envs.code.unit_tests.grading import grade, parse_outcomes, passed, same
from agora.envs.code.unit_tests.problems import PROBLEMS

ENV_ID = "code/UnitTests-v0"


def fenced(code: str) -> str:
    return f"Here is my solution.\n```python\n{code}```\nDone."


def wrong(problem) -> str:
    return f"def {problem.name}(*args):\n    return None\n"


def test_the_task_set_is_big_enough_and_names_are_unique():
    assert len(PROBLEMS) >= 50
    assert len({p.name for p in PROBLEMS}) == len(PROBLEMS)
    assert all(len(p.tests) >= 3 for p in PROBLEMS)


@pytest.mark.docker
@pytest.mark.slow
def test_reference_solves_every_task_and_wrong_code_scores_below_one():
    env = agora.make(ENV_ID)
    try:
        for problem in PROBLEMS:
            env.reset(seed=0, options={"problem": problem.name})
            _, first, done, _, info = env.step(fenced(wrong(problem)))
            assert first < 1 and not done, (problem.name, info)
            assert info["tests_passed"] < info["tests_total"]
            obs, second, done, _, info = env.step(fenced(problem.reference))
            assert done and info["tests_passed"] == info["tests_total"], (problem.name, obs)
            assert first + second == pytest.approx(1.0), problem.name  # the return is the best fraction
    finally:
        env.close()


@pytest.mark.docker
def test_feedback_shows_the_failing_call_and_partial_credit():
    env = agora.make(ENV_ID)
    try:
        env.reset(options={"problem": "fizzbuzz"})
        obs, reward, done, _, info = env.step("def fizzbuzz(n):\n    print('debug')\n    return []\n")
        # fizzbuzz(0) == [] passes; fizzbuzz(5) and fizzbuzz(15) fail
        assert (info["tests_passed"], info["tests_total"]) == (1, 3)
        assert reward == pytest.approx(1 / 3) and not done
        assert "First failing test: fizzbuzz(5)" in obs and "got: []" in obs and "debug" in obs
        assert "Attempts left: 3." in obs
    finally:
        env.close()


@pytest.mark.docker
def test_attempts_run_out_and_hostile_code_is_a_failed_submission():
    env = agora.make(ENV_ID, max_attempts=2)
    try:
        env.reset(options={"problem": "gcd"})
        obs, reward, done, _, _ = env.step("def gcd(a, b):\n    import os\n    os._exit(3)\n")
        assert reward == 0 and not done and "exit code 3" in obs
        obs, reward, done, _, info = env.step("def gcd(a, b):\n    while True:\n        pass\n")
        assert done and reward == 0 and "TimeoutError" in obs
        assert info["tests_passed"] == 0
    finally:
        env.close()


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_local_backend_grades_too():
    env = agora.make(ENV_ID, backend="local")
    try:
        for name in ("fib", "caesar", "parse_int_strict"):
            problem = next(p for p in PROBLEMS if p.name == name)
            env.reset(options={"problem": name})
            _, reward, done, _, _ = env.step(fenced(problem.reference))
            assert reward == 1.0 and done
    finally:
        env.close()


def test_malformed_replies_cost_the_penalty_and_no_attempt():
    env = agora.make(ENV_ID)
    env.reset(options={"problem": "fib"})
    for reply in ("I don't know", "```python\ndef fib(n:\n```", "def fibonacci(n):\n    return 0\n"):
        obs, reward, done, _, info = env.step(reply)
        assert reward == -0.1 and not done and info["error"] and obs.startswith("Invalid action")
    assert env.unwrapped.attempts == 0
    env.close()


def test_code_extraction_takes_the_last_fence():
    reply = "```python\ndef f(): return 1\n```\nbetter:\n```py\ndef f(): return 2\n```"
    assert extract_code(reply) == "def f(): return 2\n"
    assert extract_code("def f(): pass") == "def f(): pass"
    assert code_problem("def f(): pass", "f") is None
    assert "does not define" in code_problem("x = 1", "f")


def test_grading_rules():
    assert same(2.0, 2) and same([1.0000001], [1.0]) and not same(True, 1) and not same(1, True)
    assert not same([1, 2], [1, 2, 3]) and same({"a": [1]}, {"a": [1]}) and not same("1", 1)
    assert passed({"raised": "ValueError", "error": "x"}, {"raises": "ValueError"})
    assert not passed({"value": 3}, {"raises": "ValueError"}) and not passed(None, 3)
    outcomes, printed = parse_outcomes('hi\nM [1, {"value": 2}]\nM [0, {"value": 1}]\nM junk', "M", 3)
    assert outcomes == [{"value": 1}, {"value": 2}, None] and printed == "hi"


def test_seeded_problem_choice_is_deterministic():
    env = agora.make(ENV_ID)
    first = [env.reset(seed=s)[0] for s in range(5)]
    assert first == [env.reset(seed=s)[0] for s in range(5)]
    assert len(set(first)) > 1
    problem = PROBLEMS[0]
    report = grade(problem, [{"value": v} for _, v in problem.tests], "")
    assert (
        report.fraction == 1.0 and report.feedback == f"Passed {len(problem.tests)}/{len(problem.tests)} hidden tests."
    )
