"""The agent contract's additions: AgentReply, reply_fields, fork, prefix specs and their options."""

import json

import pytest

import agora
from agora.agent import AgentReply, RandomAgent, register_agent_prefix, reply_fields, resolve_agent
from agora.agents import parse_spec_options


def test_agent_reply_is_the_action_string_with_token_fields():
    reply = AgentReply(
        "[4]",
        text="<think>centre</think>[4]",
        prompt_token_ids=[1, 2],
        completion_token_ids=[3],
        completion_logprobs=[-0.5],
    )
    assert reply == "[4]" and isinstance(reply, str) and reply.action == "[4]" and type(reply.action) is str
    fields = reply_fields(reply)
    assert (fields.action, fields.text, fields.prompt_token_ids, fields.completion_logprobs) == (
        "[4]",
        "<think>centre</think>[4]",
        [1, 2],
        [-0.5],
    )
    assert reply_fields("[0]").completion_token_ids is None
    with pytest.raises(TypeError, match="must return a str"):
        reply_fields(42)
    assert json.dumps({"a": reply}) == '{"a": "[4]"}'


def test_game_env_takes_agent_replies_from_opponents():
    class Replier(RandomAgent):
        def act(self, observation, info):
            move = super().act(observation, info)
            return AgentReply(move, text=f"<think>hmm</think>{move}", completion_token_ids=[1])

    env = agora.make("games/TicTacToe-v0", opponent=Replier(seed=0), seat=1)
    obs, info = env.reset(seed=0)
    assert "Invalid" not in obs and len(info["legal_actions"]) == 8  # the opponent's reply was a legal move


def test_seeded_fork_is_independent():
    agent = RandomAgent(seed=3)
    a, b = agent.fork(), agent.fork()
    a.reset(seed=1)
    b.reset(seed=1)
    legal = {"legal_actions": [f"[{i}]" for i in range(9)]}
    assert [a.act("", legal) for _ in range(5)] == [b.act("", legal) for _ in range(5)]
    assert a.rng is not agent.rng


def test_bare_prefix_name_and_options():
    seen = []
    register_agent_prefix("echo-test", lambda rest, seed: seen.append((rest, seed)) or RandomAgent(seed=seed))
    resolve_agent("echo-test", seed=5)
    resolve_agent("echo-test:abc?x=1", seed=6)
    assert seen == [("", 5), ("abc?x=1", 6)]
    spec = parse_spec_options("/m?temperature=0.5&history=last_k&last_k=2&dtype=float32")
    assert (spec.target, spec.sampling, spec.chat, spec.engine) == (
        "/m",
        {"temperature": 0.5},
        {"history": "last_k", "last_k": 2},
        {"dtype": "float32"},
    )
    with pytest.raises(ValueError, match="Unknown agent option 'temp'.*Known options: temperature"):
        parse_spec_options("/m?temp=1")
    assert parse_spec_options("/m?share_prefix=1").engine == {"share_prefix": True}
    assert parse_spec_options("/m?share_prefix=False").engine == {"share_prefix": False}
    with pytest.raises(ValueError, match="Expected a boolean"):
        parse_spec_options("/m?share_prefix=maybe")
    with pytest.raises(ValueError, match="share_prefix= is an hf: option"):
        resolve_agent("vllm:/m?share_prefix=1")


def test_human_agent_plays_through_the_rollout_engine():
    import io

    from agora import rollout
    from agora.agents.human import HumanAgent

    assert isinstance(resolve_agent("human"), HumanAgent)
    out = io.StringIO()
    human = HumanAgent(stdin=io.StringIO("[0]\n[4]\n[8]\n[2]\n[6]\n"), stdout=out)
    (e,) = rollout.run("games/TicTacToe-v0", human, episodes=1, env_kwargs={"opponent": "random", "seat": 0}).episodes
    assert e.status == "ok" and e.turns[0].action == "[0]" and "legal: [0]" in out.getvalue()
