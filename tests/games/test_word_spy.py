from __future__ import annotations

import pytest

import agora
from agora.envs.games.word_spy import rules
from agora.envs.games.word_spy.agents import AssociateAgent, suspects
from agora.errors import GameSetupError


def test_shipped_words_are_well_formed() -> None:
    data = rules.word_data()
    words = [w for pair in data["pairs"] for w in pair]
    assert len(data["pairs"]) >= 100 and len(set(words)) == len(words)
    for word in words:
        clues = data["associations"][word]
        assert len(clues) >= 2 and all(rules.clue_error(word, c) is None for c in clues)


def test_plurality_elimination_and_payoffs() -> None:
    assert rules.eliminated((1, 0, 1, 1)) == 1
    assert rules.eliminated((1, 2, 1, 2)) is None
    state = rules.new_state("coffee", "tea", 3, spy=2, clue_rounds=1)
    assert state.words == ("coffee", "coffee", "tea")
    for clue in ("espresso", "beans", "kettle"):
        state = rules.give_clue(state, clue)
    assert rules.phase(state) == "vote" and rules.to_move(state) == 0
    caught = rules.vote(rules.vote(rules.vote(state, 2), 2), 0)
    assert rules.payoffs(caught) == [1.0, 1.0, -1.0]
    tie = rules.vote(rules.vote(rules.vote(state, 1), 2), 0)  # one vote each: nobody out, spy wins
    assert rules.payoffs(tie) == [-1.0, -1.0, 1.0]
    with pytest.raises(ValueError):
        rules.vote(state, 0)  # player 0 may not vote for itself


def test_clue_rules() -> None:
    assert rules.clue_error("coffee", "black coffee please") is not None
    assert rules.clue_error("coffee", "   ") is not None
    assert rules.clue_error("coffee", "one two three four five six seven eight nine") is not None
    assert rules.clue_error("coffee", "hot bitter drink") is None


def test_scripted_vote_targets_the_clue_that_fits_least() -> None:
    clues = [[0, "morning"], [1, "espresso"], [2, "herbal leaves"], [3, "caffeine"]]
    assert suspects("coffee", 0, clues, 4) == [2]
    assert suspects("tea", 2, clues, 4) == [0, 1, 3]  # none of the civilians' clues fits the spy's word


def test_env_moves_errors_and_reveal() -> None:
    env = agora.make("games/WordSpy-v0", num_players=3, clue_rounds=1)
    env.reset(seed=0)
    state = env.unwrapped.state
    spy, word0 = state.spy, state.words[0]
    env.step(f"my clue: [clue: {word0} obviously]")
    assert "secret word" in env.infos["player_0"]["error"]
    for _ in range(3):
        env.step("[clue: Everyday   Thing]")
    assert env.unwrapped.state.clues[0] == (0, "everyday thing")
    assert env.agent_selection == "player_0"
    env.step("[vote: 0]")  # a vote for oneself is refused
    assert "cannot vote" in env.infos["player_0"]["error"]
    for player in range(3):
        target = spy if spy != player else (player + 1) % 3
        env.step(f"I think it is [vote: player_{target}]")
    outcome = env.unwrapped.outcome
    assert outcome[spy] == -1.0 and sum(outcome) == 1.0  # spy out: two civilians +1, spy -1
    assert f"The spy was player {spy}" in env.observe("player_0")


def _spy_caught(agent_factory, seeds: range, num_players: int = 4) -> float:
    env = agora.make("games/WordSpy-v0", num_players=num_players)
    caught = 0
    for seed in seeds:
        env.reset(seed=seed)
        agents = {a: agent_factory() for a in env.possible_agents}
        for k, agent in enumerate(agents.values()):
            agent.reset(seed=seed * 10 + k)
        for name in env.agent_iter():
            obs, _, term, trunc, info = env.last()
            env.step(None if term or trunc else agents[name].act(obs, info))
        caught += rules.eliminated(env.unwrapped.state.votes) == env.unwrapped.state.spy
    return caught / len(seeds)


def test_associate_agents_find_the_spy_far_more_often_than_random() -> None:
    associate, random = _spy_caught(AssociateAgent, range(60)), _spy_caught(agora.RandomAgent, range(60))
    assert associate > 0.7 and random < 0.4


@pytest.mark.parametrize("kwargs", [{"num_players": 2}, {"num_players": 7}, {"clue_rounds": 0}])
def test_bad_setup_is_refused(kwargs: dict) -> None:
    with pytest.raises(GameSetupError):
        agora.make("games/WordSpy-v0", **kwargs)
