"""tools/SQL-v0: execution-match rewards, partial credit by hand, read-only and time limits by SQLite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import agora
from agora.envs.tools.sql.env import SQLEnv
from agora.envs.tools.sql.schemas import SCHEMAS, generate_rows
from agora.envs.tools.sql.scoring import score_result


def call(name: str, **arguments) -> str:
    return json.dumps({"name": name, "arguments": arguments})


@pytest.fixture
def env():
    env = agora.make("tools/SQL-v0")
    yield env
    env.close()


def test_tools_and_instructions_at_reset(env):
    obs, info = env.reset(seed=0)
    assert [t["function"]["name"] for t in info["tools"]] == ["sql", "answer"]
    assert obs.startswith("Question: ") and "CREATE TABLE" in obs and info["instructions"]


def test_gold_query_scores_one_on_every_schema(env):
    for seed in range(12):
        for schema in SCHEMAS:
            env.reset(seed=seed, options={"schema": schema})
            _, reward, terminated, _, info = env.step(call("answer", query=env.unwrapped.gold_query))
            assert (reward, terminated, info["score"]["match"]) == (1.0, True, 1.0)


def test_an_explore_then_answer_agent_on_a_question_counted_by_hand(env):
    for seed in range(40):  # find a 'How many customers live in X?' question
        obs, _ = env.reset(seed=seed, options={"schema": "shop"})
        asked = re.match(r"Question: How many customers live in (\w+)\?", obs)
        if asked:
            break
    rows = generate_rows("shop", env.unwrapped._last_db_seed)
    by_hand = sum(1 for c in rows["customers"] if c[2] == asked[1])
    obs, reward, *_ = env.step(call("sql", query=f"SELECT COUNT(*) FROM customers WHERE city = '{asked[1]}'"))
    assert obs.splitlines()[1] == str(by_hand) and reward == 0.0
    _, reward, terminated, _, _ = env.step(call("answer", query=f"SELECT {by_hand}"))
    assert reward == 1.0 and terminated


def test_wrong_queries_score_less_than_one(env):
    env.reset(seed=1)
    _, reward, terminated, _, info = env.step(call("answer", query="SELECT 1 WHERE 0"))
    assert terminated and reward < 1.0 and info["score"]["match"] == 0.0
    env.reset(seed=1)
    _, reward, terminated, _, info = env.step(call("answer", query="SELEC nonsense"))
    assert (reward, terminated) == (0.0, True) and "syntax error" in info["error"]


def test_partial_credit_computed_by_hand():
    gold = [(1, "a"), (2, "b")]
    # half the rows: row F1 = 2 * 1 * 0.5 / 1.5 = 2/3; no gold column matches as a whole -> 0.5 * 2/3
    assert score_result([(1, "a")], 2, gold, 2, ordered=False)["reward"] == pytest.approx(1 / 3)
    # the right columns plus an extra one: columns 1.0, rows 0 -> 0.3
    assert score_result([(1, "a", 9), (2, "b", 9)], 3, gold, 2, ordered=False)["reward"] == pytest.approx(0.3)
    # right rows, wrong order where order matters: 0.3 + 0.5
    assert score_result([(2, "b"), (1, "a")], 2, gold, 2, ordered=True)["reward"] == pytest.approx(0.8)
    assert score_result([(2, "b"), (1, "a")], 2, gold, 2, ordered=False)["reward"] == 1.0
    # floats are compared rounded: AVG computed two ways agrees
    assert score_result([(2 / 3,)], 1, [(0.66666667,)], 1, ordered=False)["match"] == 1.0


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM customers",
        "UPDATE customers SET name = 'x'",
        "CREATE TABLE t (a)",
        "DROP TABLE customers",
        "PRAGMA writable_schema = 1",
        "INSERT INTO customers VALUES (999, 'x', 'y', 'z')",
    ],
)
def test_writes_are_refused_by_sqlite(env, query):
    env.reset(seed=0, options={"schema": "shop"})
    before = env.step(call("sql", query="SELECT COUNT(*), MAX(name) FROM customers"))[0]
    obs, reward, terminated, _, info = env.step(call("sql", query=query))
    assert obs.startswith("Error: ") and info["error"] and (reward, terminated) == (0.0, False)
    assert env.step(call("sql", query="SELECT COUNT(*), MAX(name) FROM customers"))[0] == before


def test_attach_cannot_create_a_file(env, tmp_path: Path):
    env.reset(seed=0)
    target = tmp_path / "new.db"
    obs, *_, info = env.step(call("sql", query=f"ATTACH DATABASE '{target}' AS other"))
    assert "read-only" in info["error"] and not target.exists()


def test_long_queries_are_stopped():
    env = SQLEnv(timeout_s=0.2)
    env.reset(seed=0)
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"
    obs, reward, terminated, _, info = env.step(call("sql", query=endless))
    assert "longer than 0.2 s" in info["error"] and not terminated
    assert env.step(call("sql", query="SELECT 1"))[0] == "1\n1"  # the connection still works
    env.close()


@pytest.mark.parametrize(
    "action, says",
    [
        ("SELECT 1", "not JSON"),
        (call("drop", query="x"), "Unknown tool"),
        (call("sql"), "missing required argument 'query'"),
        (call("sql", query=3), "must be string"),
    ],
)
def test_malformed_calls_cost_the_documented_penalty(env, action, says):
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(action)
    assert says in info["error"] and says in obs and reward == -0.1 and not terminated
    assert info["tools"]
