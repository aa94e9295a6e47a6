"""Collecting episodes for training: many episodes at once, agents acting on one event loop.

Each episode runs as an asyncio task; LLM agents (`HFAgent` forks sharing one `HFEngine`) answer
through `aact`, so the engine batches the calls of concurrent episodes into one ``generate``.
Every turn is stored token in / token out (`agora.trajectory.Turn`), with the reward its agent
earned up to its next turn and the state key of the observation it acted on. An episode that
crashes is kept with ``status="failed"`` and its error (the trainer skips it, never silently).

Two shapes: `play_env` (a single-agent `gymnasium.Env`, e.g. a `GameEnv` against a fixed opponent)
and `play_game` (a `TurnBasedGame` with one agent per seat: self-play).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agora.agent import Agent
from agora.trajectory import Episode, Turn


@dataclasses.dataclass
class Job:
    """One episode to play: the task seed, its group, and which seats the learner trains on."""

    env_id: str
    seed: int
    index_in_group: int
    seats: dict[str, Agent] | Agent
    learner_seats: tuple[str, ...] = ()

    @property
    def group_id(self) -> str:
        """Episodes of one task share it."""
        return f"{self.env_id}/seed={self.seed}"


async def _act(agent: Agent, observation: str, info: Mapping[str, Any]) -> Any:
    aact = getattr(agent, "aact", None)
    return await aact(observation, info) if aact else agent.act(observation, info)


def _turn(agent_id: str, index: int, observation: str, info: Mapping[str, Any], reply: Any) -> Turn:
    return Turn(agent_id=agent_id, turn_index=index, observation=str(observation), action=str(reply),
                valid=bool(getattr(reply, "valid", True)), state_key=info.get("state_key"),
                prompt_token_ids=getattr(reply, "prompt_token_ids", None),
                completion_token_ids=getattr(reply, "completion_token_ids", None),
                completion_logprobs=getattr(reply, "completion_logprobs", None))


async def play_env(env: Any, job: Job, episode: Episode, max_turns: int) -> None:
    """Plays `job.seats` (one agent) in a single-agent env; fills `episode`."""
    agent = job.seats
    obs, info = env.reset(seed=job.seed)
    agent_id = str(info.get("agent_id", "agent"))
    episode.returns, episode.agents = {agent_id: 0.0}, {agent_id: getattr(agent, "name", "agent")}
    for index in range(max_turns):
        reply = await _act(agent, obs, info)
        turn = _turn(agent_id, index, obs, info, reply)
        episode.turns.append(turn)
        obs, reward, terminated, truncated, info = env.step(str(reply))
        turn.reward = float(reward)
        turn.valid = turn.valid and not info.get("error")
        episode.returns[agent_id] += turn.reward
        if terminated or truncated:
            episode.terminated, episode.truncated = bool(terminated), bool(truncated)
            return
    episode.truncated = True


async def play_game(game: Any, job: Job, episode: Episode, max_turns: int) -> None:
    """Plays a turn-based game with one agent per seat; fills `episode`.

    A turn's reward is what its seat earned until that seat's next turn.
    """
    seats: dict[str, Agent] = job.seats  # type: ignore[assignment]
    game.reset(seed=job.seed)
    episode.returns = {a: 0.0 for a in game.possible_agents}
    episode.agents = {a: getattr(seats[a], "name", "agent") for a in game.possible_agents}
    last: dict[str, Turn] = {}
    for index in range(max_turns):
        agent_id = game.agent_selection
        if all(game.terminations[a] or game.truncations[a] for a in game.agents):
            episode.terminated = True
            return
        obs, info = game.observe(agent_id), dict(game.infos[agent_id])
        reply = await _act(seats[agent_id], obs, info)
        turn = last[agent_id] = _turn(agent_id, index, obs, info, reply)
        episode.turns.append(turn)
        game.step(str(reply))
        turn.valid = turn.valid and not game.infos.get(agent_id, {}).get("error")
        for seat, reward in game.rewards.items():
            episode.returns[seat] += float(reward)
            if seat in last:
                last[seat].reward += float(reward)
    episode.terminated = all(game.terminations[a] for a in game.agents)
    episode.truncated = not episode.terminated


async def _play(make: Callable[[], Any], job: Job, max_turns: int) -> Episode:
    episode = Episode(episode_id=f"{job.group_id}/{job.index_in_group}", env_id=job.env_id, seed=job.seed,
                      group_id=job.group_id)
    start = time.perf_counter()
    env = None
    try:
        env = make()
        for agent in ([job.seats] if isinstance(job.seats, Agent) else job.seats.values()):
            agent.reset(seed=job.seed * 1009 + job.index_in_group)
        player = play_env if isinstance(job.seats, Agent) else play_game
        await player(env, job, episode, max_turns)
    except Exception as e:  # recorded, never dropped silently
        episode.status, episode.error = "failed", f"{type(e).__name__}: {e}"
    finally:
        if env is not None:
            env.close()
    episode.timings["wall_s"] = time.perf_counter() - start
    return episode


def collect(make: Callable[[], Any], jobs: Sequence[Job], *, max_turns: int) -> list[Episode]:
    """Plays every job concurrently (``make()`` builds one env or game per episode); episodes in job order."""

    async def main() -> list[Episode]:
        return list(await asyncio.gather(*(_play(make, job, max_turns) for job in jobs)))

    return asyncio.run(main())
