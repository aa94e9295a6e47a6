"""The seat and turn helpers every player of a turn-based game shares: one seeding rule, one move rule.

The rollout engine (`agora.rollout`), tournaments and the single-agent adapter's opponents
(`agora.adapter.GameEnv`) step games with `game_view` / `game_step` (`to_move` / `game_move` where no
observation is needed), seed the agent in seat ``k`` with ``agent_seed(seed, index_in_group, k)``, and
turn an agent's reply into a move with `reply_move` (`act_now` when the agent is called synchronously):
an agent that raises, or answers with something other than text, makes an invalid move named
``"<agent error: ...>"`` (`forfeit`), and the env's invalid-move policy decides what follows.

They sit in the contract, below the engine, so the adapter and the engine share them without importing
each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora.agent import Agent, AgentReply, ReplyFields, reply_fields

View = tuple[str | None, Any, dict[str, Any]]
"""(agent to move, its observation, its info); (None, None, {}) once every agent is done."""
MAX_AGENT_ERROR_CHARS = 200


def agent_seed(seed: int, index_in_group: int, seat: int) -> int:
    """The one seeding rule: the seed of the agent in `seat` before an episode of task `seed`.

    It differs between seats and between the episodes of a group, and is fixed across runs (a
    resumed or replayed episode plays the same).
    """
    return seed * 1009 + index_in_group * 7919 + seat


def forfeit(error: str) -> ReplyFields:
    """The move of an agent that gave no text: an invalid action that names the error."""
    error = error[:MAX_AGENT_ERROR_CHARS]
    return ReplyFields(f"<agent error: {error}>", "", valid=False, agent_error=error)


def reply_move(reply: Any) -> ReplyFields:
    """The move an agent's reply makes: its text fields, or a forfeit when it gave no text."""
    if isinstance(reply, (str, AgentReply)):
        return reply_fields(reply)
    return forfeit(f"act() returned {type(reply).__name__}, not str: {reply!r:.100}")


def act_now(agent: Agent, observation: Any, info: Mapping[str, Any]) -> ReplyFields:
    """The agent's move, synchronously (`act`), by the one rule (see the module docs)."""
    try:
        return reply_move(agent.act(observation, info))
    except Exception as e:  # a broken agent makes an invalid move; the env's policy decides
        return forfeit(f"{type(e).__name__}: {e}")


def to_move(game: Any) -> str | None:
    """The agent to move, or None when every agent is done (without rendering anything)."""
    terminations, truncations = game.terminations, game.truncations
    for a in game.agents:
        if not (terminations[a] or truncations[a]):
            return game.agent_selection
    return None


def game_view(game: Any) -> View:
    """(agent to move, its observation, its info), or (None, None, {}) when every agent is done."""
    agent_id = to_move(game)
    if agent_id is None:
        return None, None, {}
    return agent_id, game.observe(agent_id), dict(game.infos[agent_id])


def game_move(game: Any, action: str) -> tuple[dict[str, float], bool]:
    """Steps the game; (this step's rewards, whether the acting agent's move was accepted)."""
    agent_id = game.agent_selection
    game.step(action)
    rewards = {a: float(r) for a, r in game.rewards.items() if r}
    return rewards, not game.infos.get(agent_id, {}).get("error")


def game_step(game: Any, action: str) -> tuple[dict[str, float], View, bool]:
    """Steps the game; (this step's rewards, the next view, whether the acting agent's move was accepted)."""
    rewards, accepted = game_move(game, action)
    return rewards, game_view(game), accepted
