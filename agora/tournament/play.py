"""Plays one scheduled game and returns its record (what the tournament log stores).

Agents are resolved once per process and env (a model-backed agent is loaded once, not per game)
and reset with a seed derived from the game's seed before every game, so a game can be replayed
from its record. An agent that raises or returns something other than a string does not stop the
tournament: its move becomes an invalid action, the game's invalid-move policy decides (a retry,
then a forfeit), and the error is kept in the record.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from agora.agent import Agent, resolve_agent
from agora.tournament.schedule import Match

MAX_STEPS = 100_000
"""Safety cap on the moves of one game; a game that reaches it is recorded as failed."""
MAX_RECORDED_ERRORS = 20

TurnCallback = Callable[[int, str, str, Mapping[str, Any]], None]
"""Called before each move with (seat, observation, action, info)."""

_GAMES: dict[str, Any] = {}
_AGENTS: dict[tuple[str, str, int], Agent] = {}


def agent_seed(game_seed: int, seat: int) -> int:
    """The seed an agent is reset with before a game, from the game's seed and its seat."""
    return game_seed + 1 + seat


def make_game(env_id: str, env_kwargs: Mapping[str, Any] | None = None) -> Any:
    """The game env for `env_id`, built once per process."""
    key = f"{env_id}|{sorted((env_kwargs or {}).items())}"
    if key not in _GAMES:
        import agora

        _GAMES[key] = agora.make(env_id, **dict(env_kwargs or {}))
    return _GAMES[key]


def seat_agents(game: Any, match: Match) -> list[Agent]:
    """One agent per seat, built once per process; the same spec in two seats gets two agents."""
    agents, seen = [], {}
    for spec in match.seats:
        copy = seen[spec] = seen.get(spec, -1) + 1
        key = (match.env_id, spec, copy)
        if key not in _AGENTS:
            _AGENTS[key] = resolve_agent(spec, table=game.unwrapped.scripted_agents, seed=None)
        agents.append(_AGENTS[key])
    return agents


def safe_act(agent: Agent, observation: str, info: Mapping[str, Any]) -> tuple[str, str | None]:
    """The agent's action, or an invalid placeholder action and the error when it fails."""
    try:
        action = agent.act(observation, info)
    except Exception as e:  # a broken agent loses by the invalid-move policy, the tournament goes on
        return f"<agent error: {type(e).__name__}: {e}>", f"{type(e).__name__}: {e}"
    if not isinstance(action, str):
        return repr(action)[:200], f"act() returned {type(action).__name__}, not str: {action!r:.100}"
    return action, None


def play_match(match: Match, env_kwargs: Mapping[str, Any] | None = None,
               on_turn: TurnCallback | None = None) -> dict[str, Any]:
    """Plays `match` and returns its record; a crash of the game itself gives status "failed"."""
    start = time.perf_counter()
    record: dict[str, Any] = {"type": "game", "env_id": match.env_id, "index": match.index, "deal": match.deal,
                              "seed": match.seed,
                              "seats": list(match.seats), "status": "ok", "errors": [], "moves": []}
    try:
        game = make_game(match.env_id, env_kwargs)
        agents = seat_agents(game, match)
        record["rewards"] = _play(game, agents, match, record, on_turn)
    except Exception as e:
        record.update(status="failed", rewards=None, failure=f"{type(e).__name__}: {e}")
    record["elapsed_s"] = round(time.perf_counter() - start, 6)
    return record


def _play(game: Any, agents: list[Agent], match: Match, record: dict[str, Any],
          on_turn: TurnCallback | None) -> list[float]:
    game.reset(seed=match.seed)
    for seat, agent in enumerate(agents):
        agent.reset(seed=agent_seed(match.seed, seat))
    names = list(game.possible_agents)
    totals = [0.0] * len(names)
    for _ in range(MAX_STEPS):
        if not game.agents:
            return totals
        name = game.agent_selection
        obs, _, terminated, truncated, info = game.last()
        if terminated or truncated:
            game.step(None)
            continue
        seat = names.index(name)
        action, error = safe_act(agents[seat], obs, info)
        if on_turn is not None:
            on_turn(seat, str(obs), action, info)
        record["moves"].append([seat, action])
        game.step(action)
        for agent_name, reward in game.rewards.items():
            totals[names.index(agent_name)] += float(reward)
        _note_error(record, seat, error, game.infos.get(name, {}).get("error"))
    raise RuntimeError(f"the game did not end within {MAX_STEPS} moves")


def _note_error(record: dict[str, Any], seat: int, agent_error: str | None, game_error: str | None) -> None:
    if (agent_error or game_error) and len(record["errors"]) < MAX_RECORDED_ERRORS:
        entry = {"seat": seat, "agent": record["seats"][seat], "move": len(record["moves"]) - 1}
        if agent_error:
            entry["agent_error"] = agent_error
        if game_error:
            entry["invalid_move"] = game_error
        record["errors"].append(entry)
