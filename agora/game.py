"""The turn-based multi-agent base: a PettingZoo `AECEnv` whose players read and write text.

A game subclass supplies pure rules through a handful of hooks (`_new_state`, `_legal_actions`,
`_apply`, `_outcome`, `_render`, ...); this base turns them into the AEC protocol, and gives every
game the same shared policies:

* **Actions** are the player's raw text. The move is the last `[...]` token in it (e.g. "I take the
  centre: [4]"), compared case-insensitively with `info["legal_actions"]`. Games with parameterised
  moves override `_parse_action`.
* **Invalid moves**: the player sees an error observation (`info["error"]`) and moves again, up to
  `error_allowance` consecutive invalid attempts; one more forfeits the game: the offender gets
  `invalid_move_penalty` and the other players share the opposite (zero-sum), unless the game
  overrides `_forfeit_rewards`.
* **Infos** of every player carry `instructions` (rules and action format), `legal_actions`,
  `state_key` (hashable, canonical: what this player may see plus the player to move), `view`
  (the same view as a small dict, for scripted agents), and `error` after an invalid attempt.
* **Private information**: each observation depends only on what that player may see;
  `_private_info(player)` names the player's own secret, which `agora.check_game` uses to prove it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar, cast

import numpy as np
from gymnasium.utils import seeding
from pettingzoo import AECEnv

from agora.errors import ResetNeeded
from agora.limits import action_problem, find_bracketed_move
from agora.spaces import TextObs, TextSpace, require_text_action, text_obs

__all__ = ["TurnBasedGame", "find_bracketed_move"]


class TurnBasedGame(AECEnv):
    """Base class of agora's text games: AEC protocol, invalid-move policy and per-player infos.

    Subclasses set `game_name`, `rules`, `possible_agents` (a class attribute, or in `__init__` before
    calling `super().__init__()` when it depends on arguments; each instance gets its own copy), the
    `scripted_agents` table, and implement the rule hooks below.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "is_parallelizable": False}
    game_name: ClassVar[str] = "game"
    rules: ClassVar[str] = ""
    scripted_agents: ClassVar[dict[str, str]] = {}
    """Name -> "module:factory" of the game's scripted agents; the factory takes `seed=` (and kwargs)."""
    zero_sum: ClassVar[bool] = True
    chance_at_reset: ClassVar[bool] = True
    """False for games whose start is fixed (no deal, no dice): `_new_state` then gets None for its
    generator, and a seeded reset builds none (building one costs tens of microseconds)."""

    possible_agents: list[str]
    """Set by every game, as a class attribute; each instance gets its own copy."""

    def __init__(self, *, error_allowance: int = 2, invalid_move_penalty: float = -1.0, render_mode: str | None = None):
        super().__init__()
        if not getattr(self, "possible_agents", None):
            raise TypeError(f"{type(self).__name__} must set possible_agents before TurnBasedGame.__init__")
        self.possible_agents = list(self.possible_agents)  # this instance's own list, never the class's
        if error_allowance < 0:
            raise ValueError(f"error_allowance must be >= 0, got {error_allowance}")
        self.error_allowance = error_allowance
        self.invalid_move_penalty = float(invalid_move_penalty)
        self.render_mode = render_mode
        self.metadata = {**type(self).metadata, "name": self.game_name}  # type: ignore[misc]  # PettingZoo: per instance
        space = TextSpace()
        self.observation_spaces = {a: space for a in self.possible_agents}
        self.action_spaces = {a: TextSpace() for a in self.possible_agents}
        self._index = {a: i for i, a in enumerate(self.possible_agents)}
        self._rng: np.random.Generator | None = None
        self._rng_seed: int | None = None
        self._started = False
        self._legal_cache: tuple[int, list[str]] | None = None
        self.state: Any = None
        self.agents: list[str] = []

    @property
    def _np_random(self) -> np.random.Generator:
        """The game's generator: of the last seeded reset, built on first use (unseeded before any seed)."""
        if self._rng is None:
            self._rng, self._rng_seed = seeding.np_random(self._rng_seed)
        return self._rng

    # ----------------------------------------------------------------- rule hooks (subclasses)
    def _new_state(self, rng: np.random.Generator | None, options: dict[str, Any]) -> Any:
        """Returns the initial state of a new game (deal cards, empty board, ...).

        `rng` is the game's seeded generator, or None when the game sets `chance_at_reset = False`.
        """
        raise NotImplementedError

    def _current_player(self) -> int:
        """Index of the player to move in `self.state`."""
        raise NotImplementedError

    def _legal_actions(self, player: int) -> list[str]:
        """The moves `player` may make now, as the exact strings the rules accept, e.g. `"[4]"`.

        The base calls it through `_legal_now`, which keeps the answer until the next move changes
        the state; so it must depend only on `self.state` (changed only by `_new_state`/`_apply`).
        """
        raise NotImplementedError

    def _apply(self, player: int, move: str) -> None:
        """Plays a legal `move` (as returned by `_parse_action`) for `player` on `self.state`."""
        raise NotImplementedError

    def _outcome(self) -> list[float] | None:
        """Terminal rewards per player index, or None while the game goes on."""
        raise NotImplementedError

    def _render(self, player: int) -> str:
        """The state as `player` may see it, ending with what to do next."""
        raise NotImplementedError

    def _view(self, player: int) -> dict[str, Any]:
        """What `player` may see, as a small JSON-able dict (for scripted agents)."""
        raise NotImplementedError

    def _state_key(self, player: int) -> Hashable:
        """Hashable canonical key of what `player` may see plus the player to move."""
        view = self._view(player)
        return (self._current_player(), tuple(sorted((k, _freeze(v)) for k, v in view.items())))

    def _private_info(self, player: int) -> Hashable | None:
        """The player's own secret (its card, its word); None in games of perfect information."""
        return None

    def _parse_action(self, player: int, text: str) -> tuple[str | None, str | None]:
        """Returns `(move, None)` for a legal move in `text`, else `(None, why it is invalid)`."""
        legal = self._legal_now(player)
        token = find_bracketed_move(text)
        if token is None:
            return None, f"No move found. Write your move in brackets, one of: {', '.join(legal)}."
        move = f"[{token}]"
        if move in legal:
            return move, None
        return None, f"{move} is not a legal move now. Legal moves: {', '.join(legal)}."

    def _legal_now(self, player: int) -> list[str]:
        """`_legal_actions(player)` for the current state, computed once per state (cleared by moves)."""
        cached = self._legal_cache
        if cached is not None and cached[0] == player:
            return cached[1]
        legal = self._legal_actions(player)
        self._legal_cache = (player, legal)
        return legal

    def _forfeit_rewards(self, offender: int) -> list[float]:
        """Rewards when `offender` exceeds the error allowance: penalty for it, the opposite shared."""
        n = self.num_players
        share = -self.invalid_move_penalty / (n - 1) if self.zero_sum else 0.0
        return [self.invalid_move_penalty if i == offender else share for i in range(n)]

    # ----------------------------------------------------------------- AEC protocol
    @property
    def num_players(self) -> int:
        """Number of seats in the game."""
        return len(self.possible_agents)

    def observation_space(self, agent: str) -> TextSpace:
        """The (shared) text observation space of `agent`."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> TextSpace:
        """The text action space of `agent`."""
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Starts a new game; a seed makes the deal (and every chance event) reproducible."""
        if seed is not None:
            self._rng, self._rng_seed = None, seed
        self.agents = agents = list(self.possible_agents)
        self.rewards = dict.fromkeys(agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(agents, 0.0)
        self.terminations = dict.fromkeys(agents, False)
        self.truncations = dict.fromkeys(agents, False)
        self._errors = dict.fromkeys(agents)
        self._error_counts = dict.fromkeys(agents, 0)
        self.state = self._new_state(self._np_random if self.chance_at_reset else None, dict(options or {}))
        self._legal_cache = None
        self.outcome: list[float] | None = None
        self._started = True
        self._skip_agent_selection = None
        self.agent_selection = self.possible_agents[self._current_player()]
        self._refresh_infos()

    def step(self, action: str | None) -> None:
        """Plays the selected agent's text action (None for an agent whose game has ended)."""
        if not self._started:
            raise ResetNeeded(f"{type(self).__name__}.step() was called before reset(). Call env.reset() first.")
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        action = require_text_action(action)
        self._cumulative_rewards[agent] = 0.0
        self.rewards = dict.fromkeys(self.agents, 0.0)
        player = self._index[agent]
        problem = action_problem(action, self.action_spaces[agent].max_length)
        move, error = (None, f"Invalid reply: {problem}.") if problem else self._parse_action(player, action)
        if error is not None or move is None:
            self._reject(agent, player, error or "Invalid reply.")
        else:
            self._errors[agent] = None
            self._error_counts[agent] = 0
            self._apply(player, move)
            self._legal_cache = None
            outcome = self._outcome()
            if outcome is not None:
                self._finish(outcome)
            else:
                self.agent_selection = self.possible_agents[self._current_player()]
        self._refresh_infos()
        self._accumulate_rewards()

    def _reject(self, agent: str, player: int, error: str) -> None:
        self._errors[agent] = error
        self._error_counts[agent] += 1
        if self._error_counts[agent] > self.error_allowance:
            self._errors[agent] = f"{error} That was invalid move {self._error_counts[agent]}: you forfeit."
            self._finish(self._forfeit_rewards(player))

    def _finish(self, outcome: list[float]) -> None:
        self.outcome = [float(r) for r in outcome]
        for agent in self.agents:
            self.rewards[agent] = self.outcome[self._index[agent]]
            self.terminations[agent] = True

    def _refresh_infos(self) -> None:
        outcome, to_move, errors, index = self.outcome, self.agent_selection, self._errors, self._index
        legal = list(self._legal_now(index[to_move])) if outcome is None else []
        state_key, view = self._state_key, self._view
        infos: dict[str, dict[str, Any]] = {}
        self.infos = infos
        for agent in self.agents:
            player = index[agent]
            info: dict[str, Any] = {
                "instructions": self.rules,
                "legal_actions": legal if agent == to_move else [],
                "state_key": state_key(player),
                "view": view(player),
            }
            if errors[agent]:
                info["error"] = errors[agent]
            if outcome is not None:
                info["outcome"] = outcome[player]
            infos[agent] = info

    def observe(self, agent: str) -> TextObs:
        """The text `agent` sees now: the state from its seat, and an error line after an invalid move."""
        text = self._render(self._index[agent])
        error = self._errors.get(agent)
        if error:
            text = f"Invalid move: {error}\n\n{text}"
        return text_obs(text)

    def render(self) -> str | None:
        """Renders the state from the seat of the player to move (ansi mode)."""
        if self.render_mode != "ansi" or not self._started:
            return None
        return self._render(self._index[self.agent_selection])

    def close(self) -> None:
        """Releases nothing: games hold no external resources."""

    def private_info(self, agent: str) -> Hashable | None:
        """`agent`'s own secret in the current game (used by `agora.check_game`)."""
        return self._private_info(self._index[agent])


def _freeze(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return cast(Hashable, value)
