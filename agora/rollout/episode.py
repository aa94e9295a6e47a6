"""Playing one episode: a single-agent `gymnasium.Env` or a turn-based AEC game, token in / token out.

This is the one game loop: the rollout engine, tournaments (`agora.tournament`) and the
single-agent adapter's opponents (`agora.adapter.GameEnv`) all step games with `agora.turns`'
`game_view` / `game_step` (`to_move` / `game_move` where no observation is needed) and ask agents
for moves by one rule (`act` here, `agora.turns.act_now`):

* **Seeding.** Before an episode, the agent in seat ``k`` is reset with
  ``agent_seed(seed, index_in_group, k)``.
* **An agent that raises, or answers with something other than text** (a `str` or `AgentReply`)
  makes an invalid move, ``"<agent error: ...>"``: the env's invalid-move policy decides what
  follows (a retry, a penalty, a forfeit), the turn is recorded with ``valid=False`` and
  ``info["agent_error"]``, and the episode goes on. An agent that does not answer within the
  engine's ``agent_timeout_s`` fails the episode (`AgentTimeout`).

Agents act on the event loop (`aact`, so an LLM backend can batch the calls of concurrent
episodes); every env call (reset, step, observe) runs through `call`, which the engine points at a
thread pool so a slow env never blocks other episodes. Each turn is recorded as a `Turn` with the
agent's prompt/completion token ids and logprobs, the reward it earned, its agent id, the state
key of the observation it acted on, and whether the env accepted the action.

A single-agent game env (`GameEnv`) whose opponents end the game during ``reset`` (an opponent
forfeits by invalid moves before the learner moves) reports ``info["outcome"]``: the episode is
recorded as terminated with that return and no turns.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from agora.agent import Agent, ReplyFields
from agora.errors import AgentTimeout, InfraError
from agora.rollout.screenshots import split_observation
from agora.trajectory import Episode, Turn
from agora.turns import agent_seed, forfeit, game_step, game_view, reply_move

Call = Callable[..., Awaitable[Any]]
_INFO_SKIP = ("instructions", "tools", "view", "state_key")


class EnvInfraError(InfraError):
    """The env reported `info["infra_error"]` (its sandbox or browser failed): the episode fails."""


@dataclasses.dataclass
class EpisodeJob:
    """One episode to play: which task (env id + seed), which member of its group, its ids."""

    env_id: str
    seed: int
    index_in_group: int
    seats: Mapping[str, str | Agent] | None = None
    """The agent of every seat for this job (a tournament's lineup); None: the run's ``agents``."""
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Copied into `Episode.meta` (a tournament's game index and deal)."""

    group_id: str = dataclasses.field(init=False, repr=False, compare=False)
    """Episodes of one task share it: ``"ENV_ID/seed=SEED"``."""
    episode_id: str = dataclasses.field(init=False, repr=False, compare=False)
    """``"GROUP_ID/INDEX_IN_GROUP"``: stable across runs (resume skips an id already written)."""

    def __post_init__(self) -> None:
        self.group_id = f"{self.env_id}/seed={self.seed}"
        self.episode_id = f"{self.group_id}/{self.index_in_group}"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The ids are rebuilt on arrival: a worker's share of 5,120 jobs pickles to 87 KB instead of 500 KB.
        return type(self), tuple(getattr(self, name) for name in _JOB_ARGUMENTS)

    def new_episode(self, **fields: Any) -> Episode:
        """The record of this job before it is played: its ids, seed and a copy of its meta, plus `fields`."""
        return Episode(
            episode_id=self.episode_id,
            env_id=self.env_id,
            seed=self.seed,
            group_id=self.group_id,
            index_in_group=self.index_in_group,
            meta=dict(self.meta),
            **fields,
        )

    @property
    def agent_seed(self) -> int:
        """The seed of the agent in seat 0 (see `agent_seed`)."""
        return agent_seed(self.seed, self.index_in_group, 0)


_JOB_ARGUMENTS = tuple(f.name for f in dataclasses.fields(EpisodeJob) if f.init)
"""`EpisodeJob`'s constructor arguments, in order: what its pickle carries."""


async def act(
    agent: Agent, observation: Any, info: Mapping[str, Any], timeout_s: float | None
) -> tuple[ReplyFields, float]:
    """The agent's move on the event loop (`aact`) by the one rule, and the seconds it took."""
    start = time.perf_counter()
    try:
        aact = getattr(agent, "aact", None)
        pending = aact(observation, info) if aact else asyncio.to_thread(agent.act, observation, info)
        reply = await asyncio.wait_for(pending, timeout_s) if timeout_s else await pending
    except asyncio.TimeoutError as e:
        raise AgentTimeout(f"agent {getattr(agent, 'name', agent)!r} took over {timeout_s} s to answer") from e
    except Exception as e:  # a broken agent makes an invalid move; the env's policy decides
        return forfeit(f"{type(e).__name__}: {e}"), time.perf_counter() - start
    return reply_move(reply), time.perf_counter() - start


FINAL_INFO_CHARS = 20_000


def final_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe part of the info of an episode's last step (its outcome: a grade, a diff), bounded.

    Recorded as ``Episode.meta["final_info"]``: no turn holds it, since a turn keeps the info its agent saw.
    """
    out: dict[str, Any] = {}
    for key, value in info.items():
        if key in _INFO_SKIP or not isinstance(key, str):
            continue
        if isinstance(value, str):
            out[key] = value[:FINAL_INFO_CHARS]
        elif isinstance(value, (bool, int, float)) or value is None:
            out[key] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float, bool)) for v in value):
            out[key] = [v[:1000] if isinstance(v, str) else v for v in list(value)[:100]]
    return out


def _new_turn(
    agent_id: str,
    index: int,
    observation: Any,
    info: Mapping[str, Any],
    fields: ReplyFields,
    latency_s: float,
) -> Turn:
    text, extra = split_observation(observation)
    extra.update((k, v) for k, v in info.items() if k not in _INFO_SKIP)
    if fields.agent_error:
        extra["agent_error"] = fields.agent_error
    if fields.error:
        extra["parse_error"] = fields.error
    if fields.text != fields.action and not fields.agent_error:
        extra["completion_text"] = fields.text
    mask = [1] * len(fields.completion_token_ids) if fields.completion_token_ids is not None else None
    return Turn(
        agent_id=agent_id,
        turn_index=index,
        observation=text,
        action=fields.action,
        valid=fields.valid,
        state_key=info.get("state_key"),
        prompt_token_ids=fields.prompt_token_ids,
        completion_token_ids=fields.completion_token_ids,
        completion_logprobs=fields.completion_logprobs,
        loss_mask=mask,
        latency_s=latency_s,
        info=extra,
    )


def _check_infra(info: Mapping[str, Any]) -> None:
    if info.get("infra_error"):
        raise EnvInfraError(f"env infrastructure failed: {info['infra_error']}")


async def play_single(
    env: Any,
    job: EpisodeJob,
    agent: Agent,
    episode: Episode,
    call: Call,
    *,
    name: str,
    max_turns: int,
    timeout_s: float | None,
) -> None:
    """Plays `agent` (named `name` in the record) in a single-agent env; fills `episode`."""
    obs, info = await call(env.reset, seed=job.seed)
    _check_infra(info)
    agent_id = str(info.get("agent_id", "agent"))
    episode.returns = {agent_id: 0.0}
    episode.agents = {agent_id: name}
    if info.get("outcome") is not None:  # a game ended before the learner's first move (opponent forfeit)
        episode.returns[agent_id] = float(info["outcome"])
        episode.terminated = True
        return
    for index in range(max_turns):
        fields, latency = await act(agent, obs, info, timeout_s)
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
            final = final_info(info)
            if final:
                episode.meta["final_info"] = final
            return
    episode.truncated = True


async def play_game(
    game: Any,
    job: EpisodeJob,
    seats: Mapping[str, Agent],
    episode: Episode,
    call: Call,
    *,
    names: Mapping[str, str],
    max_turns: int,
    timeout_s: float | None,
) -> None:
    """Plays an AEC game, one agent per seat (`names` in the record).

    A turn's reward is what its agent earned until its next turn.
    """
    await call(game.reset, seed=job.seed)
    agent_id, obs, info = await call(game_view, game)
    episode.returns = {a: 0.0 for a in game.possible_agents}
    episode.agents = {a: names[a] for a in game.possible_agents}
    last: dict[str, Turn] = {}
    for index in range(max_turns):
        if agent_id is None:
            episode.terminated = all(game.terminations.get(a, True) for a in game.possible_agents)
            episode.truncated = not episode.terminated
            return
        fields, latency = await act(seats[agent_id], obs, info, timeout_s)
        episode.timings["agent_s"] += latency
        turn = last[agent_id] = _new_turn(agent_id, index, obs, info, fields, latency)
        episode.turns.append(turn)
        rewards, (agent_id, obs, info), accepted = await call(game_step, game, fields.action)
        turn.valid = fields.valid and accepted
        for seat, reward in rewards.items():
            episode.returns[seat] = episode.returns.get(seat, 0.0) + reward
            if seat in last:
                last[seat].reward += reward
    episode.truncated = agent_id is not None
    episode.terminated = agent_id is None
