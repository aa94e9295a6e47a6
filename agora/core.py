"""The single-agent contract: `TextEnv`, a `gymnasium.Env` whose observations and actions are text.

Documented `info` keys (an env sets those that apply to it):

==================  =======================================================================
``instructions``    the task's system prompt (rules, action format, tools); set by ``reset``
``legal_actions``   the moves accepted now, as exact action strings, when they can be listed
``tools``           JSON-schema function specs (OpenAI format) of the tools the agent may call
``state_key``       hashable canonical state, for step-level credit (GiGPO-style grouping)
``error``           why the last action was rejected (the observation says it too)
``infra_error``     the env's own infrastructure failed (browser, sandbox); not the agent's fault
==================  =======================================================================
"""

from __future__ import annotations

from typing import Any, ClassVar, SupportsFloat

import gymnasium

from agora.errors import ResetNeeded
from agora.limits import MAX_OBSERVATION_CHARS, action_problem, cap_text
from agora.spaces import TextObs, TextSpace, require_text_action, text_obs

INFO_KEYS = ("instructions", "legal_actions", "tools", "state_key", "error", "infra_error")

StepResult = tuple[TextObs, SupportsFloat, bool, bool, dict[str, Any]]


class TextEnv(gymnasium.Env[str, str]):
    """Base of single-agent text envs: checks the action type, keeps per-instance RNG, renders ansi.

    Subclasses implement `_reset(options) -> (observation, info)` and
    `_step(action) -> (observation, reward, terminated, info)`, and set `invalid_action_reward`
    to the reward a malformed action earns (documented in their docstring). Limits on the number
    of turns are the `TurnLimit` wrapper's job, so `_step` never truncates. An action longer than the
    action space's ``max_length`` or that is not valid Unicode never reaches `_step` (it is invalid), and
    an observation longer than the observation space's ``max_length`` is cut with a note (`agora.limits`).
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"]}  # a class attribute, as in Gymnasium
    action_space: TextSpace
    invalid_action_reward: ClassVar[float] = 0.0
    accepts_free_text: ClassVar[bool] = False
    """True when any text is a legitimate action (the world answers it), so none is 'malformed'."""

    def __init__(self, render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.render_mode = render_mode
        self.observation_space = TextSpace()
        self.action_space = TextSpace()
        self._last_observation: str | None = None
        self._needs_reset = True

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[TextObs, dict[str, Any]]:
        """Starts an episode; the same seed gives the same task."""
        super().reset(seed=seed)
        observation, info = self._reset(dict(options or {}))
        self._needs_reset = False
        return self._present(observation), info

    def step(self, action: str) -> StepResult:
        """Plays one turn: the agent's text in, the env's reply and this turn's reward out."""
        if self._needs_reset:
            raise ResetNeeded(f"{type(self).__name__}.step() needs an episode: call env.reset() first.")
        require_text_action(action)
        problem = action_problem(action, self.action_space.max_length)
        observation, reward, terminated, info = self.invalid(problem) if problem else self._step(action)
        return self._present(observation), float(reward), bool(terminated), False, info

    def invalid(self, error: str, info: dict[str, Any] | None = None) -> tuple[str, float, bool, dict[str, Any]]:
        """The `_step` result for a malformed action: error observation, documented reward, go on."""
        return f"Invalid action: {error}", self.invalid_action_reward, False, {**(info or {}), "error": error}

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _present(self, observation: Any) -> Any:
        """The observation the agent gets for what `_reset`/`_step` returned: capped text (`render` shows it)."""
        observation = cap_text(observation, getattr(self.observation_space, "max_length", MAX_OBSERVATION_CHARS))
        self._last_observation = observation
        return text_obs(observation)

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        raise NotImplementedError

    def render(self) -> str | None:
        """The last observation, in ansi mode."""
        return self._last_observation if self.render_mode == "ansi" else None
