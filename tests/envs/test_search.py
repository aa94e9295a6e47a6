"""tools/Search-v0: a multi-hop agent that really searches reaches 1.0; EM/F1/retrieval rewards by hand."""

from __future__ import annotations

import json
import re

import pytest

import agora
from agora.envs.tools.search.corpus import build_corpus, questions
from agora.envs.tools.search.env import SearchEnv, f1_score, normalize_answer


def call(name: str, **arguments) -> str:
    return json.dumps({"name": name, "arguments": arguments})


@pytest.fixture
def env():
    return agora.make("tools/Search-v0")


def find(env, title: str) -> str:
    """Searches for `title`; returns the text of the hit with exactly that title."""
    obs, *_ = env.step(call("search", query=title))
    doc_id = next(m[1] for m in re.finditer(r"^\[([\w-]+)\] (.+?):", obs, re.M) if m[2] == title)
    text, *_ = env.step(call("open", doc_id=doc_id))
    return text


def founder_country_agent(env, obs: str) -> str:
    """Answers 'In which country was the founder of X born?' by three searches."""
    company = re.match(r"Question: In which country was the founder of (.+) born\?", obs)[1]
    founder = re.search(r"founded in \d+ by (.+?)\.", find(env, company))[1]
    city = re.search(r"in the city of (\w+)\.", find(env, founder))[1]
    return re.search(r"is a city in (\w+)\.", find(env, city))[1]


def test_corpus_is_fixed_and_questions_are_grounded():
    corpus = build_corpus()
    build_corpus.cache_clear()
    assert build_corpus() == corpus
    docs = corpus.by_id()
    assert len(docs) == len(corpus.documents) > 200
    for q in questions(corpus):
        assert 2 <= len(q.support) <= 4 and q.answer in docs[q.support[-1]].text


def test_searching_agent_answers_three_hop_questions(env):
    qs = env.unwrapped.questions
    indices = [i for i, q in enumerate(qs) if q.question.startswith("In which country")][:8]
    for index in indices:
        obs, info = env.reset(seed=0, options={"question_index": index})
        assert [t["function"]["name"] for t in info["tools"]] == ["search", "open", "answer"]
        answer = founder_country_agent(env, obs)
        _, reward, terminated, _, info = env.step(call("answer", answer=answer))
        assert (reward, terminated) == (1.0, True) and info["score"]["retrieval"] == 1.0


def test_wrong_and_partial_answers(env):
    task = env.unwrapped.questions[0]
    env.reset(options={"question_index": 0})
    _, reward, *_, info = env.step(call("answer", answer="Atlantis"))
    assert reward == 0.0 and info["score"]["f1"] == 0.0
    f1_env = agora.make("tools/Search-v0", reward="f1")
    f1_env.reset(options={"question_index": 0})
    # two tokens against one gold token: precision 1/2, recall 1 -> F1 2/3
    _, reward, *_ = f1_env.step(call("answer", answer=f"{task.answer} City"))
    assert reward == pytest.approx(2 / 3)


def test_retrieval_utility_reward():
    env = SearchEnv(retrieval_weight=0.5)
    env.reset(options={"question_index": 0})
    task = env.task
    for doc_id in task.support[:2]:
        env.step(call("open", doc_id=doc_id))
    _, reward, *_ = env.step(call("answer", answer=f"the {task.answer}."))
    assert reward == pytest.approx(1.0 + 0.5 * 2 / len(task.support))


def test_tool_errors_and_malformed_calls(env):
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(call("open", doc_id="person-999"))
    assert "no document" in info["error"] and (reward, terminated) == (0.0, False)
    assert env.step(call("search", query="zzzz qqqq"))[0] == "No documents match."
    _, reward, _, _, info = env.step(call("search", q="x"))
    assert reward == -0.1 and "missing required argument 'query'" in info["error"]


def test_answer_normalisation():
    assert normalize_answer("The  Quessaly-Works!") == "quessalyworks"
    assert f1_score("x b c", "b c d") == pytest.approx(2 / 3)  # p = r = 2/3
    assert f1_score("a b c", "b c d") == pytest.approx(0.8)  # "a" is an article: p = 1, r = 2/3
