from __future__ import annotations

import gymnasium
import pytest
from pettingzoo import AECEnv

import agora
from agora.adapter import GameEnv
from agora.errors import GameSetupError, RegistrationError, UnknownEnvError


def test_list_envs_by_family() -> None:
    games = agora.list_envs(family="games")
    assert {"games/TicTacToe-v0", "games/KuhnPoker-v0"} <= set(games)
    assert all(i.startswith("games/") for i in games)
    assert set(games) <= set(agora.list_envs())


def test_spec_parses_id() -> None:
    spec = agora.spec("games/TicTacToe-v0")
    assert (spec.family, spec.name, spec.version) == ("games", "TicTacToe", 0)
    assert spec.plugin == "games"


def test_unknown_version_lists_existing_versions() -> None:
    with pytest.raises(UnknownEnvError, match=r"Versions that exist: games/TicTacToe-v0"):
        agora.make("games/TicTacToe-v9")


def test_typo_gets_a_suggestion() -> None:
    with pytest.raises(UnknownEnvError, match=r"Did you mean 'games/TicTacToe-v0'"):
        agora.make("games/TicTacToo-v0")


def test_unknown_error_is_also_gymnasiums() -> None:
    with pytest.raises(gymnasium.error.NameNotFound):
        agora.spec("games/Nope-v0")


@pytest.mark.parametrize("bad_id", ["TicTacToe-v0", "games/TicTacToe", "Games/X-v0", "games/X-v0-hard"])
def test_register_rejects_bad_ids(bad_id: str) -> None:
    with pytest.raises(RegistrationError, match="family/Name-v0"):
        agora.register(bad_id, "x.y:Z")


def test_register_rejects_duplicates_and_bad_entry_points() -> None:
    with pytest.raises(RegistrationError, match="already registered"):
        agora.register("games/TicTacToe-v0", "agora.envs.games.tictactoe.env:TicTacToe")
    with pytest.raises(RegistrationError, match="package.module:Class"):
        agora.register("test/NoColon-v0", "just.a.module")


def test_make_game_without_opponent_is_aec() -> None:
    env = agora.make("games/KuhnPoker-v0")
    assert isinstance(env, AECEnv)
    assert env.unwrapped.spec.id == "games/KuhnPoker-v0"


def test_make_game_with_opponent_is_wrapped_single_agent_env() -> None:
    env = agora.make("games/TicTacToe-v0", opponent="minimax", seat=1)
    assert isinstance(env.unwrapped, GameEnv)
    assert str(env) == "<EnforceOrder<GameEnv<games/TicTacToe-v0>>>"
    assert env.spec.kwargs["opponent"] == "minimax"


def test_variants_are_kwargs() -> None:
    v0, v1 = agora.make("example/CountUp-v0"), agora.make("example/CountUpLong-v0")
    assert (v0.unwrapped.target, v1.unwrapped.target) == (5, 10)
    assert agora.make("example/CountUp-v0", target=3).unwrapped.target == 3


def test_opponent_on_single_agent_env_is_an_error() -> None:
    with pytest.raises(GameSetupError, match="single-agent"):
        agora.make("example/CountUp-v0", opponent="random")


def test_gymnasium_make_works_for_agora_ids() -> None:
    env = gymnasium.make("games/TicTacToe-v0", opponent="random")
    obs, info = env.reset(seed=3)
    assert isinstance(obs, str) and info["legal_actions"]
    env.step(info["legal_actions"][0])


def test_gymnasium_make_of_a_game_without_opponent_says_what_to_do() -> None:
    with pytest.raises(GameSetupError, match="opponent='random'"):
        gymnasium.make("games/KuhnPoker-v0")


def test_make_applies_turn_limit_from_spec() -> None:
    env = agora.make("example/CountUp-v0", max_turns=2)
    env.reset(seed=0)
    assert env.step("7")[3] is False
    _, _, terminated, truncated, info = env.step("7")
    assert (terminated, truncated, info["turn_limit_reached"]) == (False, True, True)


def test_make_is_typed_by_its_overloads() -> None:
    """With an opponent, `make` is typed `gymnasium.Env`; without, `gymnasium.Env | AECEnv` (a game's id)."""
    import typing

    import agora.adapter
    import agora.registry

    names = {"OpponentSpec": agora.adapter.OpponentSpec}
    hints = [typing.get_type_hints(o, vars(agora.registry), names) for o in typing.get_overloads(agora.registry.make)]
    assert [h["return"] for h in hints] == [gymnasium.Env, gymnasium.Env | AECEnv]
    assert type(None) not in typing.get_args(hints[0]["opponent"]) and hints[1]["opponent"] is type(None)
    assert isinstance(agora.make("games/KuhnPoker-v0", opponent="random"), gymnasium.Env)
    assert isinstance(agora.make("example/CountUp-v0"), gymnasium.Env)
