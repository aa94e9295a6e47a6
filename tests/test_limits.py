"""Bounded parsing of untrusted text: one tool-call decoder for envs and agents, one move pattern, capped output."""

from __future__ import annotations

import doctest
import json

import pytest

import agora.limits
from agora.agents.parsing import extract_action, parse_tool_calls
from agora.limits import MOVE_PATTERN, action_problem, cap_text, find_bracketed_move, parse_int
from agora.tools import MAX_JSON_DEPTH, ToolCall, ToolCallError, decode_json, parse_tool_call, tool_call_from


def test_doctests():
    assert doctest.testmod(agora.limits).failed == 0


@pytest.mark.parametrize(
    "text, says",
    [
        ("[" * 10_000, "nests JSON 10000 levels deep"),
        ('{"a": ' * 40 + "1" + "}" * 40, f"the most accepted is {MAX_JSON_DEPTH}"),
        ("[" + "9" * 5000 + "]", "5000 digits"),
        ('{"name": "f", "arguments": {"x": NaN}}', "NaN is not a JSON number"),
        ('{"name": "f", "arguments": {"x": "\\udcff"}}', "not valid Unicode"),
        ("x" * 100_001, "at most 100000"),
    ],
)
def test_decoder_bounds_say_which_bound(text, says):
    with pytest.raises(ToolCallError, match=says):
        decode_json(text)


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert decode_json(json.dumps({"q": "[" * 5000})) == {"q": "[" * 5000}


def test_env_and_agent_read_calls_with_the_same_decoder():
    """The same hostile call is an error message for the env and a malformed action for the agent."""
    hostile = '<tool_call>{"name": "sql", "arguments": ' + "[" * 5000 + "]" * 5000 + "}</tool_call>"
    parsed = extract_action(hostile, {"tools": [{"function": {"name": "sql"}}]})
    assert not parsed.valid and "nests JSON" in parsed.error
    assert "nests JSON" in parse_tool_call(hostile.removeprefix("<tool_call>").removesuffix("</tool_call>"))
    surrogate = '{"name": "sql", "arguments": {"query": "\\udcff"}}'
    assert "not valid Unicode" in parse_tool_call(surrogate)
    with pytest.raises(ValueError, match="not valid Unicode"):
        parse_tool_calls(f"<tool_call>{surrogate}</tool_call>")


def test_lenient_and_strict_shapes():
    assert tool_call_from({"name": "f", "parameters": {"x": 1}, "id": "c1"}, lenient=True) == ToolCall(
        name="f", arguments={"x": 1}
    )
    assert tool_call_from({"name": "f", "arguments": ""}, lenient=True).arguments == {}
    with pytest.raises(ToolCallError, match="id: Extra inputs"):
        tool_call_from({"name": "f", "arguments": {}, "id": "c1"})


def test_one_move_pattern_for_games_drills_and_agents():
    import agora.game
    from agora.agents import parsing

    assert agora.game.find_bracketed_move is find_bracketed_move
    assert parsing.bracketed_moves("[1] then [ 2 ]") == ["1", " 2 "]
    assert find_bracketed_move("[" + "9" * 5000 + "]") is None  # longer than any move
    assert MOVE_PATTERN.fullmatch("[bid: 3 5]")


def test_one_token_shortcut_reads_what_the_pattern_reads():
    """`find_bracketed_move` skips the regex for a reply that is one bracketed token; both must agree."""
    import random

    def by_pattern(text):
        found = None
        for match in MOVE_PATTERN.finditer(text):
            found = match
        return found.group(1).strip().lower() if found else None

    rng = random.Random(7)
    cases = ["[4]", "[ B2 ]", "[]", "[a[b]", "[4]]", "[[4]", "[\n]", "[" + "x" * 200 + "]", "[" + "x" * 201 + "]"]
    cases += ["[" + "".join(rng.choice("[] a9\n") for _ in range(rng.randrange(12))) + "]" for _ in range(3000)]
    for text in cases:
        assert find_bracketed_move(text) == by_pattern(text), repr(text)


@pytest.mark.parametrize(
    "token, value",
    [
        ("7", 7),
        (" 12 ", 12),
        ("²", None),
        ("٣", None),
        ("４", None),
        ("9" * 19, None),
        ("-3", None),
        ("+", None),
        ("", None),
    ],
)
def test_parse_int_reads_ascii_digits_only(token, value):
    assert parse_int(token) == value


def test_action_guard_and_observation_cap():
    assert action_problem("x" * 11, 10) == "the reply has 11 characters; the most accepted is 10"
    assert "lone surrogate at position 1" in action_problem("a\udcffb", 10)
    assert action_problem("héllo ✓", 10) is None
    capped = cap_text("y" * 100_000, 1000)
    assert len(capped) <= 1000 and capped.endswith("the limit is 1000]") and "cut: 99053 more" in capped


def test_guesses_and_votes_in_other_digits_are_invalid_moves_not_errors():
    import agora

    env = agora.make("drills/GuessNumber-v0")
    env.reset(seed=0)
    for action in ("[²]", "[" + "9" * 5000 + "]", "[٣]"):
        obs, reward, terminated, truncated, info = env.step(action)
        assert "error" in info and reward == -0.5 and not terminated
    spy = agora.make("games/WordSpy-v0")
    spy.reset(seed=0)
    while spy.infos[spy.agent_selection]["legal_actions"][0].startswith("[clue"):
        spy.step(spy.infos[spy.agent_selection]["legal_actions"][0])
    spy.step("[vote: ²]")
    assert "vote phase" in spy.infos[spy.agent_selection]["error"]


def test_reasoning_answers_are_read_linearly_and_countdown_bounds_its_parser():
    import agora
    from agora.envs.reasoning.base import extract_answer
    from agora.envs.reasoning.countdown.env import evaluate

    assert extract_answer("<answer>" * 8000 + "5</answer>") == "5"
    assert extract_answer("<ANSWER>1</answer> x <answer>2</Answer>") == "2"
    with pytest.raises(ValueError, match="characters"):
        evaluate("1+" * 50_000 + "1")
    with pytest.raises(ValueError, match="digits"):
        evaluate("9" * 300)
    env = agora.make("reasoning/Countdown-v0")
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("<answer>" + "(" * 300 + "1" + ")" * 300 + "</answer>")
    assert reward == 0.0 and "error" in info


def test_sql_bombs_are_refused_before_they_fill_memory():
    import agora

    env = agora.make("tools/SQL-v0")
    env.reset(seed=0)
    try:

        def sql(query: str) -> tuple:
            return env.step(json.dumps({"name": "sql", "arguments": {"query": query}}))

        for query in ("SELECT zeroblob(100000000)", "SELECT printf('%.*c', 300000000, 'x')"):
            assert len(sql(query)[0]) < 1000  # refused ("string or blob too big") or NULL: never built
        assert "too big" in sql("SELECT zeroblob(1e8)")[4]["error"]
        many = (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r LIMIT 5000) "
            "SELECT printf('%.*c', 50000, 'x') FROM r"
        )
        assert "larger than" in sql(many)[4]["error"]
        obs, _, _, _, info = sql("SELECT printf('%.*c', 90000, 'x')")
        assert "error" not in info and len(obs) <= 16_000 and "cut:" in obs  # the tool result cap
    finally:
        env.close()
