"""Turns a turn-based game plus opponent agents into a single-agent `gymnasium.Env`.

This is how a trainer plays a game against a fixed or frozen opponent:
``agora.make("games/TicTacToe-v0", opponent="minimax")``. The learner takes one seat; every other
seat is played by an opponent agent between the learner's turns. The reward of a step is what the
learner's seat earned from its own move up to its next turn (or the end of the game). When the
opponents end the game before the learner's first turn (they win, or forfeit by invalid moves),
`reset` says so in ``info["outcome"]`` and the next `step` ends the episode, whatever its action,
with that outcome as its reward; what the learner earns from the opponents' moves at reset is
paid with its first step.

Opponents move through the rollout engine's step code (`agora.rollout.episode`): the same game
step, the same seeding rule (`agent_seed`) and the same rule for an agent that raises or answers
with something other than text (its move is invalid; the game's invalid-move policy decides).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, cast

import gymnasium
import numpy as np
from gymnasium.utils import seeding

from agora.agent import Agent, resolve_agent
from agora.errors import GameSetupError, ResetNeeded
from agora.game import TurnBasedGame
from agora.spaces import TextObs, TextSpace, require_text_action
from agora.splitmix import SplitMix64
from agora.turns import act_now, agent_seed, game_move, to_move

OpponentSpec = str | Agent
SeatSpec = int | str | None


class GameEnv(gymnasium.Env[str, str]):
    """A single-agent view of a `TurnBasedGame`: the learner in one seat, agents in the others.

    Args:
        game: the game (an unwrapped `TurnBasedGame`).
        opponent: one agent spec for every other seat, or a sequence with one spec per other seat
            (in seat order). Specs are resolved against the game's `scripted_agents` table.
        seat: the learner's seat index, or ``"random"`` (drawn at each reset from the env's RNG).
            ``reset(options={"seat": k})`` overrides it for one episode.
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"]}  # a class attribute, as in Gymnasium

    def __init__(
        self, game: TurnBasedGame, opponent: OpponentSpec | Sequence[OpponentSpec] = "random", seat: SeatSpec = "random"
    ):
        if not isinstance(game, TurnBasedGame):
            raise GameSetupError(f"GameEnv needs a TurnBasedGame, got {type(game).__name__}.")
        self.game = game
        self.render_mode = game.render_mode
        self.observation_space = TextSpace()
        self.action_space = TextSpace()
        self._seat_spec = _check_seat(seat, game.num_players)
        self._opponent_specs = _expand_opponents(opponent, game.num_players)
        self.opponents: list[Agent] = [
            resolve_agent(spec, table=game.scripted_agents, seed=None) for spec in self._opponent_specs
        ]
        self.seat = 0
        self._started = False
        self._carried = 0.0  # what the learner earned while the opponents moved at reset: paid with its first step
        self._over_at_reset = False
        self._draws: SplitMix64 | None = None
        self._lazy_np_random: np.random.Generator | None = None

    @property
    def _np_random(self) -> np.random.Generator:
        """Gymnasium's generator, built from the last seed on first use (the env itself draws from `_draws`).

        The seat and the game's seed come from a `SplitMix64` stream of the reset's seed: a NumPy
        generator costs more to seed than a whole TicTacToe episode costs to play.
        """
        if self._lazy_np_random is None:
            self._lazy_np_random, self._np_random_seed = seeding.np_random(self._np_random_seed)
        return self._lazy_np_random

    @_np_random.setter
    def _np_random(self, value: np.random.Generator | None) -> None:
        self._lazy_np_random = value

    @property
    def agent_id(self) -> str:
        """The learner's agent name in the game (e.g. ``"player_0"``)."""
        return self.game.possible_agents[self.seat]

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[TextObs, dict[str, Any]]:
        """Starts a game, lets the opponents move until it is the learner's turn."""
        if seed is not None:
            if not isinstance(seed, (int, np.integer)) or seed < 0:
                raise gymnasium.error.Error(f"Seed must be an integer >= 0, got {seed!r}")
            self._np_random_seed, self._lazy_np_random, self._draws = int(seed), None, SplitMix64(int(seed))
        elif self._draws is None:
            self._draws = SplitMix64()
        options = dict(options or {})
        seat = _check_seat(options.pop("seat", self._seat_spec), self.game.num_players)
        self.seat = self._draws.below(self.game.num_players) if seat == "random" else int(seat)
        game_seed = self._draws.below(2**31 - 1)
        self.game.reset(seed=game_seed, options=options)
        for k, agent in enumerate(self.opponents):
            agent.reset(seed=agent_seed(game_seed, 0, k + (k >= self.seat)))
        self._started = True
        self._carried = self._play_opponents()
        self._over_at_reset = self.game.terminations[self.agent_id] or self.game.truncations[self.agent_id]
        obs, _, _, _, info = self._learner_view()
        return obs, self._with_seat(info)

    def step(self, action: str) -> tuple[TextObs, float, bool, bool, dict[str, Any]]:
        """Plays the learner's move, then the opponents' moves up to the learner's next turn."""
        if not self._started:
            raise ResetNeeded("GameEnv.step() was called before reset(). Call env.reset() first.")
        require_text_action(action)
        me, reward, self._carried = self.agent_id, self._carried, 0.0
        ended_at_reset, self._over_at_reset = self._over_at_reset, False
        if not ended_at_reset:  # else the opponents ended the game before the learner's turn: end the episode now
            if self.game.terminations[me] or self.game.truncations[me]:
                raise ResetNeeded("The game is over. Call env.reset() to start a new one.")
            self.game.step(action)
            reward += self.game.rewards.get(me, 0.0) + self._play_opponents()
        obs, _, terminated, truncated, info = self._learner_view()
        if ended_at_reset:  # the game did not step: a copy, so this info shares nothing with the reset's
            info = copy.deepcopy(info)
        return obs, float(reward), terminated, truncated, self._with_seat(info)

    def _play_opponents(self) -> float:
        """Steps opponents until the learner must move or the game ends; the learner's reward."""
        game, me, earned = self.game, self.agent_id, 0.0
        agent = to_move(game)
        while agent not in (None, me) and not game.terminations[me] and not game.truncations[me]:
            move = act_now(self.opponents[self._opponent_index(agent)], game.observe(agent), dict(game.infos[agent]))
            rewards, _ = game_move(game, move.action)
            earned += rewards.get(me, 0.0)
            agent = to_move(game)
        return earned

    def _opponent_index(self, agent: str) -> int:
        seat = self.game.possible_agents.index(agent)
        return seat if seat < self.seat else seat - 1

    def _learner_view(self) -> tuple[TextObs, float, bool, bool, dict[str, Any]]:
        me = self.agent_id
        return (self.game.observe(me), 0.0, self.game.terminations[me], self.game.truncations[me], self.game.infos[me])

    def _with_seat(self, info: Mapping[str, Any]) -> dict[str, Any]:
        return {**info, "seat": self.seat, "agent_id": self.agent_id}

    def render(self) -> str | None:
        """The learner's current view, in ansi mode."""
        return str(self.game.observe(self.agent_id)) if self.render_mode == "ansi" and self._started else None

    def close(self) -> None:
        """Closes the game."""
        self.game.close()

    def __str__(self) -> str:
        return f"<{type(self).__name__}<{self.game}>>" if self.spec is None else super().__str__()


def _check_seat(seat: SeatSpec, num_players: int) -> int | str:
    if seat is None or seat == "random":
        return "random"
    if isinstance(seat, int) and 0 <= seat < num_players:
        return seat
    raise GameSetupError(f"seat must be 'random' or an int in [0, {num_players}), got {seat!r}.")


def _expand_opponents(opponent: OpponentSpec | Sequence[OpponentSpec], num_players: int) -> list[OpponentSpec]:
    if isinstance(opponent, (str, Agent)) or callable(getattr(opponent, "act", None)):
        return [cast(OpponentSpec, opponent)] * (num_players - 1)
    specs = list(opponent)
    if len(specs) != num_players - 1:
        raise GameSetupError(f"This game has {num_players - 1} opponent seat(s); got {len(specs)} opponent specs.")
    return specs
