"""Conformance checkers: library code that every registered env must pass.

`check_env` runs Gymnasium's `check_env` and agora's own checks on a single-agent env;
`check_game` runs PettingZoo's `api_test` (unmodified) and agora's checks on a turn-based game.
Each check raises `agora.errors.CheckFailed` with what was wrong.
"""

from __future__ import annotations

import contextlib
import io
import warnings
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium
from gymnasium.utils.env_checker import check_env as gymnasium_check_env
from gymnasium.utils.env_checker import data_equivalence
from pettingzoo.test import api_test

from agora.errors import CheckFailed, ResetNeeded

MALFORMED_ACTIONS = ("", "\x00 <<this is not an action>> \x00", "[[[", '{"name": 42}')
# PettingZoo's api_test warns about every non-NumPy observation space; text is agora's contract.
_KNOWN_TEXT_WARNINGS = (
    "Observation is not a NumPy array",
    "Observation space for each agent probably should be",
    "Action space for each agent probably should be",
)


def check_env(env: gymnasium.Env, *, seed: int = 0, turns: int = 6) -> None:
    """Checks a single-agent env against Gymnasium's checker and agora's contract."""
    seed = _live_seed(env, seed)
    _check_reset_info(env, seed)
    _check_malformed_actions(env, seed)
    _check_action_type(env, seed)
    _check_determinism(env, seed, turns)
    gymnasium_check_env(env.unwrapped, skip_render_check=True)


def _live_seed(env: gymnasium.Env, seed: int, tries: int = 32) -> int:
    """The first seed from `seed` whose reset leaves the agent a move (a game's opponents may end it in reset)."""
    for candidate in range(seed, seed + tries):
        if env.reset(seed=candidate)[1].get("outcome") is None:
            return candidate
    return seed


def _check_reset_info(env: gymnasium.Env, seed: int) -> None:
    _, info = env.reset(seed=seed)
    _check_info_types(info, "reset")
    if not isinstance(info.get("instructions"), str) or not info["instructions"].strip():
        raise CheckFailed(f"{env}: reset() must put the task's instructions (a non-empty str) in info['instructions'].")


def _check_info_types(info: dict[str, Any], where: str) -> None:
    expected = {"instructions": str, "legal_actions": list, "tools": list, "error": str, "infra_error": str}
    for key, typ in expected.items():
        if key in info and not isinstance(info[key], typ):
            raise CheckFailed(f"info[{key!r}] after {where} must be {typ.__name__}, got {type(info[key]).__name__}.")
    if "state_key" in info:
        try:
            hash(info["state_key"])
        except TypeError as e:
            raise CheckFailed(f"info['state_key'] after {where} must be hashable: {e}") from e


def _policy(info: dict[str, Any], turn: int) -> str:
    legal = info.get("legal_actions") or []
    return legal[turn % len(legal)] if legal else f"action {turn}"


def _play(env: gymnasium.Env, seed: int, turns: int) -> list[Any]:
    obs, info = env.reset(seed=seed)
    trace: list[Any] = [str(obs), info]
    for turn in range(turns):
        obs, reward, terminated, truncated, info = env.step(_policy(info, turn))
        _check_info_types(info, "step")
        trace += [str(obs), float(reward), terminated, truncated, info]
        if terminated or truncated:
            break
    return trace


def _check_determinism(env: gymnasium.Env, seed: int, turns: int) -> None:
    first, second = _play(env, seed, turns), _play(env, seed, turns)
    for a, b in zip(first, second, strict=False):
        if not data_equivalence(a, b):
            raise CheckFailed(f"{env}: the same seed and actions gave different results: {a!r:.200} != {b!r:.200}")
    if len(first) != len(second):
        raise CheckFailed(f"{env}: the same seed and actions gave episodes of different lengths.")


def _check_malformed_actions(env: gymnasium.Env, seed: int) -> None:
    free_text = getattr(env.unwrapped, "accepts_free_text", False)
    sample = env.action_space.sample()  # random text: it may contain a real move, e.g. "[3]", so it must
    for action in (*MALFORMED_ACTIONS, sample):  # never raise, but need not be refused
        env.reset(seed=seed)
        try:
            obs, _, _, _, info = env.step(action)
        except Exception as e:
            raise CheckFailed(
                f"{env}: step({action!r:.60}) raised {type(e).__name__}: {e}. "
                "A malformed action must give an error observation, not an exception."
            ) from e
        if not env.observation_space.contains(obs):
            raise CheckFailed(f"{env}: step({action!r:.60}) returned an observation outside the space.")
        if not free_text and action is not sample and not info.get("error"):
            raise CheckFailed(
                f"{env}: step({action!r:.60}) is malformed but info['error'] says nothing. "
                "Set info['error'] (or accepts_free_text = True if any text is a real action)."
            )


def _check_action_type(env: gymnasium.Env, seed: int) -> None:
    env.reset(seed=seed)
    try:
        env.step(12345)
    except TypeError as e:
        if "str" not in str(e):
            raise CheckFailed(f"{env}: a non-str action's TypeError must name the expected type: {e}") from e
        return
    raise CheckFailed(f"{env}: step(12345) must raise TypeError (actions are text).")


# ---------------------------------------------------------------------------------------- games
def check_game(env: Any, *, num_cycles: int = 200, seeds: int = 40) -> None:
    """Checks a turn-based game: PettingZoo's `api_test`, determinism, infos and private information."""
    with _quiet_known_text_warnings():
        api_test(env, num_cycles=num_cycles, verbose_progress=False)
    _check_step_before_reset(env)
    _check_game_infos(env)
    _check_game_determinism(env)
    _check_private_information(env, seeds)


@contextlib.contextmanager
def _quiet_known_text_warnings():
    with warnings.catch_warnings():
        for message in _KNOWN_TEXT_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        warnings.filterwarnings("ignore", message="Environment has not defined a render")
        with contextlib.redirect_stdout(io.StringIO()):  # api_test prints its progress
            yield


def _check_step_before_reset(env: Any) -> None:
    fresh = type(env.unwrapped)(**_init_kwargs(env))
    try:
        fresh.step("[0]")
    except ResetNeeded:
        return
    except Exception as e:
        raise CheckFailed(f"{env}: step() before reset() raised {type(e).__name__}, not ResetNeeded: {e}") from e
    raise CheckFailed(f"{env}: step() before reset() must raise agora.errors.ResetNeeded.")


def _init_kwargs(env: Any) -> dict[str, Any]:
    spec = getattr(env.unwrapped, "spec", None)
    return dict(getattr(spec, "kwargs", {}) or {})


def _check_game_infos(env: Any) -> None:
    env.reset(seed=0)
    info = env.infos[env.agent_selection]
    for key in ("instructions", "legal_actions", "state_key"):
        if key not in info:
            raise CheckFailed(f"{env}: the info of the agent to move must contain {key!r}.")
    _check_info_types(info, "reset")
    if not info["legal_actions"]:
        raise CheckFailed(f"{env}: the agent to move must have legal actions after reset.")


def _public_policy(legal: Sequence[str], history: Sequence[str]) -> str:
    """A deterministic move that depends only on the public move history."""
    return legal[zlib.crc32("|".join(history).encode()) % len(legal)]


def _game_trace(env: Any, seed: int, on_turn: Callable[[list[str]], None] | None = None) -> list[Any]:
    env.reset(seed=seed)
    history: list[str] = []
    trace: list[Any] = []
    while env.agents:
        agent = env.agent_selection
        obs, reward, terminated, truncated, info = env.last()
        trace += [agent, str(obs), float(reward), info]
        if on_turn is not None:
            on_turn(history)
        if terminated or truncated:
            env.step(None)
            continue
        action = _public_policy(info["legal_actions"], history)
        history.append(f"{agent}:{action}")
        env.step(action)
    return trace


def _check_game_determinism(env: Any) -> None:
    for seed in (0, 1):
        first, second = _game_trace(env, seed), _game_trace(env, seed)
        if len(first) != len(second) or not all(data_equivalence(a, b) for a, b in zip(first, second, strict=True)):
            raise CheckFailed(f"{env}: the same seed and moves gave different games (seed {seed}).")


def _check_private_information(env: Any, seeds: int) -> None:
    """Observations may depend only on the observer's own information and the public moves.

    Plays many deals with a policy that depends only on public history; whenever a player's own
    information (`private_info`) and the move history are the same in two games, what the player
    sees (observation and info) must be the same too, whatever the other players hold. Once the
    game is over, showing the hands is allowed.
    """
    unwrapped = env.unwrapped
    seen: dict[tuple[Any, ...], tuple[str, str, Any]] = {}
    confounded = 0

    def on_turn(history: list[str]) -> None:
        nonlocal confounded
        if any(unwrapped.terminations.values()):
            return  # hands may be shown once the game is over
        joint = tuple(unwrapped.private_info(a) for a in unwrapped.agents)
        for agent in unwrapped.agents:
            key = (agent, unwrapped.private_info(agent), tuple(history))
            view = (str(unwrapped.observe(agent)), repr(sorted(unwrapped.infos[agent].items(), key=str)), joint)
            if key not in seen:
                seen[key] = view
                continue
            if seen[key][:2] != view[:2]:
                raise CheckFailed(
                    f"{env}: {agent} sees different things in two games where it holds the same information "
                    f"({key[1]!r}) after the same moves; only the other players' hidden information differed "
                    f"({seen[key][2]!r} vs {joint!r}). The observation or info leaks private information."
                )
            confounded += seen[key][2] != joint

    for seed in range(seeds):
        _game_trace(env, seed, on_turn)
    has_private = any(k[1] is not None for k in seen)
    if has_private and confounded == 0:
        raise CheckFailed(
            f"{env}: private information exists but {seeds} deals never varied another player's "
            "hidden information under the same view; raise `seeds` so the check can work."
        )
