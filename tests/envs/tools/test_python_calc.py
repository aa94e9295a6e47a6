"""tools/PythonCalc-v0: tool calls, penalties, answers, and a scripted solver that uses the sandbox."""

from __future__ import annotations

import json

import numpy as np
import pytest

import agora
from agora.envs.tools.python_calc.tasks import GENERATORS, Task, generate, is_correct

ENV_ID = "tools/PythonCalc-v0"


def call(name: str, **arguments) -> str:
    return json.dumps({"name": name, "arguments": arguments})


# Independent solvers, run by the env's python tool: each parses the question and computes the answer.
SOLVERS = {
    "sum_of_squares": "a, b = map(int, re.findall(r'\\d+', Q)[:2]); print(sum(i * i for i in range(a, b + 1)))",  # noqa: E501
    "power_mod": "a, e, m = map(int, re.findall(r'\\d+', Q)[:3]); print(pow(a, e, m))",
    "binomial": "k, n = map(int, re.findall(r'\\d+', Q)[:2]); print(math.comb(n, k))",
    "arrangements": (
        "w = re.findall(r\"'(\\w+)'\", Q)[0]; n = math.factorial(len(w))\n"
        "for c in set(w): n //= math.factorial(w.count(c))\nprint(n)"
    ),
    "divisible_count": (
        "n, a, b = map(int, re.findall(r'\\d+', Q)[1:4]); "
        "print(sum(1 for i in range(1, n + 1) if i % a == 0 or i % b == 0))"
    ),
    "letter_count": (
        "p = re.findall(r\"'(\\w+)'\", Q)[0]; s = Q.split()[-1]; "
        "print(len([i for i in range(len(s)) if s[i:i + len(p)] == p]))"
    ),
    "weekday": "d = re.findall(r'\\d{4}-\\d\\d-\\d\\d', Q)[0]; print(datetime.date.fromisoformat(d).strftime('%A'))",  # noqa: E501
    "days_between": (
        "a, b = [datetime.date.fromisoformat(d) for d in re.findall(r'\\d{4}-\\d\\d-\\d\\d', Q)]; print((b - a).days)"
    ),
    "date_add": (
        "n = int(re.findall(r'(\\d+) days', Q)[0]); d = re.findall(r'\\d{4}-\\d\\d-\\d\\d', Q)[0]; "
        "print(datetime.date.fromisoformat(d) + datetime.timedelta(days=n))"
    ),
}


def solver_program(kind: str, question: str) -> str:
    return f"import datetime, math, re\nQ = {question!r}\n{SOLVERS[kind]}\n"


@pytest.mark.docker
def test_a_scripted_solver_using_the_python_tool_solves_every_kind():
    assert set(SOLVERS) == set(GENERATORS)
    env = agora.make(ENV_ID)
    try:
        for seed, kind in enumerate(sorted(GENERATORS)):
            question, info = env.reset(seed=seed, options={"kind": kind})
            assert [t["function"]["name"] for t in info["tools"]] == ["python", "answer"]
            obs, reward, done, _, info = env.step(call("python", code=solver_program(kind, question)))
            assert obs.startswith("exit code: 0") and reward == 0 and not done, obs
            printed = obs.split("stdout:\n")[1].split("\nstderr:")[0].strip()
            obs, reward, done, _, _ = env.step(call("answer", answer=printed))
            assert (obs, reward, done) == ("Correct.", 1.0, True), (kind, question, printed)
    finally:
        env.close()


@pytest.mark.docker
def test_files_persist_within_an_episode_and_not_across_episodes():
    env = agora.make(ENV_ID, tool_timeout_s=1.0)
    try:
        env.reset(seed=0)
        env.step(call("python", code="open('/work/note.txt', 'w').write('kept')"))
        obs, *_ = env.step(call("python", code="print(open('/work/note.txt').read())"))
        assert "stdout:\nkept" in obs
        obs, *_ = env.step(call("python", code="while True: pass"))
        assert "exit code: 137" in obs and "ran past the 1 s limit" in obs
        env.reset(seed=1)
        obs, *_ = env.step(call("python", code="import os; print(os.listdir('/work'))"))
        assert "stdout:\n['main.py']" in obs
    finally:
        env.close()


def test_malformed_calls_cost_the_documented_penalty_and_go_on():
    env = agora.make(ENV_ID)
    env.reset(seed=0)
    cases = {
        "print(1)": "not JSON",
        call("shell", cmd="ls"): "Unknown tool 'shell'",
        call("python", code=5): "must be string",
        call("python"): "missing required argument 'code'",
        call("answer", answer="1", why="x"): "unknown argument 'why'",
        json.dumps({"tool": "python"}): "Invalid tool call",
    }
    for action, message in cases.items():
        obs, reward, done, _, info = env.step(action)
        assert reward == -0.1 and not done and message in info["error"] and message in obs, action
        assert info["tools"]
    env.close()


def test_a_wrong_answer_ends_the_episode_with_zero():
    env = agora.make(ENV_ID)
    env.reset(seed=4, options={"kind": "binomial"})
    answer = env.unwrapped.task.answer
    obs, reward, done, _, _ = env.step(call("answer", answer=str(int(answer) + 1)))
    assert (reward, done) == (0.0, True) and obs == f"Wrong: the answer was {answer}."


def test_answers_are_normalised_but_exact():
    number = Task("x", "q", "1234567")
    assert is_correct(number, " 1,234,567. ") and is_correct(number, "1_234_567")
    assert not is_correct(number, "1234568") and not is_correct(number, "about 1234567")
    day = Task("weekday", "q", "Sunday", integer=False)
    assert is_correct(day, "sunday.") and not is_correct(day, "Sun")


def test_generated_answers_on_known_cases():
    # sum of squares 1..n is n(n+1)(2n+1)/6; for 3..102: 102*103*205/6 - 5 = 358955 - 5 = 358950
    class Fixed:
        def __init__(self, *values):
            self.values = list(values)

        def integers(self, lo, hi):
            return self.values.pop(0)

    assert generate(Fixed(3, 99), "sum_of_squares").answer == "358950"
    # 2**100 mod 1000 = 376 (2**100 = 1267650600228229401496703205376)
    assert generate(Fixed(2, 100, 1000), "power_mod").answer == "376"
    # C(20, 3) = 1140; 1..1000 divisible by 3 or 5: 333 + 200 - 66 = 467
    assert generate(Fixed(20, 3), "binomial").answer == "1140"
    assert generate(Fixed(10**3, 3, 5), "divisible_count").answer == "467"


def test_same_seed_same_task_and_seeds_vary():
    tasks = [generate(np.random.default_rng(s)) for s in range(20)]
    assert tasks == [generate(np.random.default_rng(s)) for s in range(20)]
    assert len({t.kind for t in tasks}) >= 5
    with pytest.raises(ValueError, match="weekday"):
        generate(np.random.default_rng(0), "nope")


@pytest.mark.docker
def test_a_dead_sandbox_is_an_infra_error_not_a_crash_and_the_env_recovers():
    env = agora.make(ENV_ID)
    try:
        env.reset(seed=0)
        env.step(call("python", code="print(1)"))
        box = env.unwrapped.sandbox.get()
        box._container.api.kill(box._container.id)  # the engine kills the container under the env
        obs, reward, done, _, info = env.step(call("python", code="print(2)"))
        assert reward == 0 and not done and "infra_error" in info and "not your fault" in obs
        obs, reward, done, _, info = env.step(call("python", code="print(3)"))
        assert "stdout:\n3" in obs and "infra_error" not in info
    finally:
        env.close()
