"""Rollouts with a real (tiny) transformers model: token in / token out, batched across episodes."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from agora import rollout  # noqa: E402
from agora.agent import resolve_agent  # noqa: E402
from agora.agents.local_models import save_tiny_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def test_hf_self_play_rollout_records_tokens(tiny_path):
    agent = resolve_agent(f"hf:{tiny_path}?max_new_tokens=6&temperature=1.0")
    result = rollout.run("games/TicTacToe-v0", agent, episodes=4, group_size=2, concurrency=4, max_turns=8)
    assert max(agent.engine.batch_sizes) > 1  # concurrent episodes shared generate calls
    for e in result.episodes:
        assert e.status == "ok", e.traceback
        for seat in ("player_0", "player_1"):
            turns = e.turns_of(seat)
            for t in turns:
                assert len(t.completion_token_ids) == len(t.completion_logprobs) == len(t.loss_mask) >= 1
                assert all(lp <= 0 for lp in t.completion_logprobs) and set(t.loss_mask) == {1}
                if "parse_error" in t.info:
                    assert not t.valid
            for before, after in zip(turns, turns[1:], strict=False):  # one conversation per seat, never re-tokenised
                prefix = before.prompt_token_ids + before.completion_token_ids
                assert after.prompt_token_ids[: len(prefix)] == prefix


def test_hf_agent_against_scripted_opponent(tiny_path):
    result = rollout.run(
        "games/TicTacToe-v0",
        f"hf:{tiny_path}?max_new_tokens=4",
        episodes=2,
        env_kwargs={"opponent": "minimax"},
        max_turns=4,
    )
    assert all(e.status == "ok" and e.turns[0].prompt_token_ids for e in result.episodes)


def test_hf_opponent_inside_the_adapter(tiny_path):
    result = rollout.run(
        "games/TicTacToe-v0",
        "random",
        episodes=2,
        max_turns=5,
        env_kwargs={"opponent": f"hf:{tiny_path}?max_new_tokens=3"},
    )
    assert all(e.status == "ok" for e in result.episodes)
