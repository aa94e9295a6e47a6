"""Playing one episode: a single-agent `gymnasium.Env` or a turn-based AEC game, token in / token out.

Agents act on the event loop (`aact`, so an LLM backend can batch the calls of concurrent
episodes); every env call (reset, step, observe) runs through `call`, which the engine points at a
thread pool so a slow env never blocks other episodes. Each turn is recorded as a `Turn` with the
agent's prompt/completion token ids and logprobs, the reward it earned, its agent id, the state
key of the observation it acted on, and whether the env accepted the action.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from agora.agent import Agent, ReplyFields, reply_fields
from agora.errors import AgentTimeout, AgoraError
from agora.trajectory import Episode, Turn

Call = Callable[..., Awaitable[Any]]
_INFO_SKIP = ("instructions", "tools", "view", "state_key")


class EnvInfraError(AgoraError):
    """The env reported `info["infra_error"]` (its sandbox or browser failed): the episode fails."""


@dataclasses.dataclass
class EpisodeJob:
    """One episode to play: which task (env id + seed), which member of its group, its ids."""

    env_id: str
    seed: int
    index_in_group: int

    @property
    def group_id(self) -> str:
        """Episodes of one task share it: ``"ENV_ID/seed=SEED"``."""
        return f"{self.env_id}/seed={self.seed}"

    @property
    def episode_id(self) -> str:
        """Stable across runs (resume skips an id already written)."""
        return f"{self.group_id}/{self.index_in_group}"

    @property
    def agent_seed(self) -> int:
        """Seeds the agents: differs between the episodes of a group, fixed across runs."""
        return self.seed * 1009 + self.index_in_group * 7919


async def _act(agent: Agent, observation: str, info: Mapping[str, Any], timeout_s: float | None
               ) -> tuple[ReplyFields, float]:
    start = time.perf_counter()
    aact = getattr(agent, "aact", None)
    pending = aact(observation, info) if aact else asyncio.to_thread(agent.act, observation, info)
    try:
        reply = await asyncio.wait_for(pending, timeout_s) if timeout_s else await pending
    except asyncio.TimeoutError as e:
        raise AgentTimeout(f"agent {getattr(agent, 'name', agent)!r} took over {timeout_s} s to answer") from e
    return reply_fields(reply), time.perf_counter() - start


def _new_turn(agent_id: str, index: int, observation: str, info: Mapping[str, Any], fields: ReplyFields,
              latency_s: float) -> Turn:
    extra = {k: v for k, v in info.items() if k not in _INFO_SKIP}
    if fields.error:
        extra["parse_error"] = fields.error
    if fields.text != fields.action:
        extra["completion_text"] = fields.text
    mask = [1] * len(fields.completion_token_ids) if fields.completion_token_ids is not None else None
    return Turn(agent_id=agent_id, turn_index=index, observation=str(observation), action=fields.action,
                valid=fields.valid, state_key=info.get("state_key"), prompt_token_ids=fields.prompt_token_ids,
                completion_token_ids=fields.completion_token_ids,
                completion_logprobs=fields.completion_logprobs, loss_mask=mask, latency_s=latency_s, info=extra)


def _check_infra(info: Mapping[str, Any]) -> None:
    if info.get("infra_error"):
        raise EnvInfraError(f"env infrastructure failed: {info['infra_error']}")


async def play_single(env: Any, job: EpisodeJob, agent: Agent, episode: Episode, call: Call, *,
                      max_turns: int, timeout_s: float | None) -> None:
    """Plays `agent` in a single-agent env; fills `episode` (turns, returns, flags, timings)."""
    obs, info = await call(env.reset, seed=job.seed)
    _check_infra(info)
    agent_id = str(info.get("agent_id", "agent"))
    episode.returns = {agent_id: 0.0}
    episode.agents = {agent_id: getattr(agent, "name", type(agent).__name__)}
    for index in range(max_turns):
        fields, latency = await _act(agent, obs, info, timeout_s)
        episode.timings["agent_s"] += latency
        turn = _new_turn(agent_id, index, obs, info, fields, latency)
        episode.turns.append(turn)
        obs, reward, terminated, truncated, info = await call(env.step, fields.action)
        _check_infra(info)
        turn.reward = float(reward)
        turn.valid = fields.valid and not info.get("error")
        episode.returns[agent_id] += turn.reward
        if terminated or truncated:
            episode.terminated, episode.truncated = bool(terminated), bool(truncated)
            return
    episode.truncated = True


def _game_view(game: Any) -> tuple[str | None, Any, dict[str, Any]]:
    """(agent to move, its observation, its info), or (None, None, {}) when every agent is done."""
    live = [a for a in game.agents if not (game.terminations[a] or game.truncations[a])]
    if not live:
        return None, None, {}
    agent_id = game.agent_selection
    return agent_id, game.observe(agent_id), dict(game.infos[agent_id])


def _game_step(game: Any, action: str) -> tuple[dict[str, float], tuple[str | None, Any, dict[str, Any]], bool]:
    """Steps the game; (this step's rewards, the next view, whether the acting agent's move was accepted)."""
    agent_id = game.agent_selection
    game.step(action)
    rewards = {a: float(r) for a, r in game.rewards.items() if r}
    accepted = not game.infos.get(agent_id, {}).get("error")
    return rewards, _game_view(game), accepted


async def play_game(game: Any, job: EpisodeJob, seats: Mapping[str, Agent], episode: Episode, call: Call, *,
                    max_turns: int, timeout_s: float | None) -> None:
    """Plays an AEC game with one agent per seat; each turn's reward is what its agent earned until its next turn."""
    await call(game.reset, seed=job.seed)
    agent_id, obs, info = await call(_game_view, game)
    episode.returns = {a: 0.0 for a in game.possible_agents}
    episode.agents = {a: getattr(seats[a], "name", type(seats[a]).__name__) for a in game.possible_agents}
    last: dict[str, Turn] = {}
    for index in range(max_turns):
        if agent_id is None:
            episode.terminated = all(game.terminations.get(a, True) for a in game.possible_agents)
            episode.truncated = not episode.terminated
            return
        fields, latency = await _act(seats[agent_id], obs, info, timeout_s)
        episode.timings["agent_s"] += latency
        turn = last[agent_id] = _new_turn(agent_id, index, obs, info, fields, latency)
        episode.turns.append(turn)
        rewards, (agent_id, obs, info), accepted = await call(_game_step, game, fields.action)
        turn.valid = fields.valid and accepted
        for seat, reward in rewards.items():
            episode.returns[seat] = episode.returns.get(seat, 0.0) + reward
            if seat in last:
                last[seat].reward += reward
    episode.truncated = agent_id is not None
    episode.terminated = agent_id is None
