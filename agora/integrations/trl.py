"""agora envs as TRL ``GRPOTrainer`` environments (``environment_factory``, TRL 1.16).

TRL's environment mode plays a stateful multi-turn episode through tool calls: it builds one
environment object per rollout from ``environment_factory``, calls ``reset(**row)`` with the
dataset row (the string it returns is appended to the row's last user message), exposes the
object's public methods as tools, runs each tool call the model makes and feeds back the result,
and scores the rollout with ``get_reward()``. `AgoraEnvironment` maps that onto any agora env:

* ``reset(seed=..., **row)`` resets the env with the row's ``seed`` and returns its first observation.
* one tool, ``act(action)``, plays the model's action (a move such as ``[4]``, an answer, or a
  tool call as JSON text for envs with tools) and returns the env's next observation; once the
  episode ends it says so, and later calls raise (TRL turns that into an error message).
* ``get_reward()`` is the episode return, the sum of the turn rewards (``turn_rewards`` keeps each
  one). An episode the model never acted in scores ``no_action_reward``.

With ``openenv_url=`` the env runs in an `agora serve` (on this machine or another) and is played
through OpenEnv's generic client (`OpenEnvClientEnv`), TRL's OpenEnv path: same calls, same
observations and rewards, one WebSocket session per environment object.

Example::

    from trl import GRPOConfig, GRPOTrainer
    from agora.integrations.trl import environment_factory, prompt_dataset

    trainer = GRPOTrainer(
        model="Qwen/Qwen2.5-0.5B-Instruct",
        args=GRPOConfig(max_steps=100, num_generations=8, max_tool_calling_iterations=9),
        train_dataset=prompt_dataset("games/TicTacToe-v0", 512),
        environment_factory=environment_factory("games/TicTacToe-v0", opponent="random"),
    )
    trainer.train()

    # the same env served by `agora serve --port 8000`, reached through OpenEnv's client (agora[openenv]):
    environment_factory("games/TicTacToe-v0", openenv_url="http://127.0.0.1:8000", opponent="random")
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import agora
from agora._optional import require

DEFAULT_PROMPT = (
    "You are playing an agora environment through the `act` tool. Call `act` with your action; the tool "
    "answers with what happens next. Keep acting until the episode is over."
)


class OpenEnvClientEnv:
    """An env served by `agora serve`, played through OpenEnv's ``GenericEnvClient`` (needs ``agora[openenv]``).

    It answers the gymnasium calls `AgoraEnvironment` makes (``reset``, ``step``, ``close``) with the
    text observation and the JSON ``info`` the OpenEnv endpoint sends (`agora.server.openenv`).

    Args:
        url: the `agora serve` address, ``http://HOST:PORT`` (or ``ws://``); the env is at ``URL/openenv/<env_id>``.
        env_id: the id to play, registered on the server's side (its plugins included).
        env_kwargs: sent with every reset; the server makes the env with them (games default to ``opponent="random"``).
    """

    def __init__(self, url: str, env_id: str, env_kwargs: dict[str, Any] | None = None):
        openenv = require("openenv.core", "openenv")
        self.base_url = f"{url.rstrip('/')}/openenv/{env_id}"
        self.client = openenv.GenericEnvClient(base_url=self.base_url).sync()
        self.env_kwargs = dict(env_kwargs or {})

    def reset(self, *, seed: int | None = None) -> tuple[str, dict[str, Any]]:
        """Resets the served env (making it on the first call); returns ``(text, info)``."""
        result = self.client.reset(seed=seed, env_kwargs=self.env_kwargs)
        return str(result.observation["text"]), dict(result.observation["info"])

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Plays `action`; returns gymnasium's ``(text, reward, terminated, truncated, info)``."""
        result = self.client.step({"action": action})
        obs = result.observation
        return str(obs["text"]), float(result.reward), bool(obs["terminated"]), bool(obs["truncated"]), obs["info"]

    def state(self) -> dict[str, Any]:
        """The server's episode state: ``episode_id``, ``step_count`` and ``env_id``."""
        return self.client.state()

    def close(self) -> None:
        """Ends the session (the server closes its env) and the client's thread."""
        self.client.close()


class AgoraEnvironment:
    """One agora env as a TRL environment (see the module docs).

    Args:
        env_id: a registered agora id, e.g. ``"games/TicTacToe-v0"`` (plugins included).
        openenv_url: play the env served by the `agora serve` at this address (``http://HOST:PORT``)
            through OpenEnv's client instead of making it in this process.
        no_action_reward: the reward of an episode in which the model never called ``act``.
        **make_kwargs: passed to `agora.make`, or to the server with each reset (``opponent=``, ``max_turns=``,
            env options).
    """

    def __init__(
        self, env_id: str, *, openenv_url: str | None = None, no_action_reward: float = 0.0, **make_kwargs: Any
    ):
        self.env_id = env_id
        self.env = (
            agora.make(env_id, **make_kwargs)
            if openenv_url is None
            else OpenEnvClientEnv(openenv_url, env_id, make_kwargs)
        )
        self.no_action_reward = no_action_reward
        self.seed: int | None = None
        self.actions: list[str] = []
        self.turn_rewards: list[float] = []
        self.done = False
        self.info: dict[str, Any] = {}

    def reset(self, **kwargs: Any) -> str:
        """Starts an episode with the row's ``seed`` (other row fields are ignored); returns the observation."""
        seed = kwargs.get("seed")
        self.seed = None if seed is None else int(seed)
        observation, self.info = self.env.reset(seed=self.seed)
        self.actions, self.turn_rewards = [], []
        self.done = False
        return str(observation)

    def act(self, action: str) -> str:
        """Plays one action in the environment and returns what happens next.

        Args:
            action: Your action exactly as the environment asks for it, e.g. a move such as "[4]" or an answer.

        Returns:
            The environment's next observation.
        """
        if self.done:
            raise ValueError("The episode is over; no more actions are taken.")
        self.actions.append(str(action))
        observation, reward, terminated, truncated, self.info = self.env.step(str(action))
        self.turn_rewards.append(float(reward))
        self.done = bool(terminated or truncated)
        if self.info.get("infra_error"):
            raise RuntimeError(f"environment failure: {self.info['infra_error']}")
        return f"{observation}\n[episode over]" if self.done else str(observation)

    def get_reward(self) -> float:
        """The episode return: the sum of the turn rewards (`no_action_reward` if the model never acted)."""
        return float(sum(self.turn_rewards)) if self.turn_rewards else self.no_action_reward


def environment_factory(env_id: str, **kwargs: Any) -> Callable[[], AgoraEnvironment]:
    """A zero-argument factory for ``GRPOTrainer(environment_factory=...)`` (kwargs as `AgoraEnvironment`)."""
    if kwargs.get("openenv_url") is None:
        agora.spec(env_id)  # fail now, with agora's suggestions, on an unknown id (a server knows its own ids)
    return functools.partial(AgoraEnvironment, env_id, **kwargs)


def prompt_dataset(env_id: str, num_rows: int, *, seed: int = 0, prompt: str = DEFAULT_PROMPT) -> Any:
    """A `datasets.Dataset` of ``num_rows`` conversational prompts, one env seed each (``seed .. seed+n-1``).

    The env's first observation is appended to the prompt by TRL at reset, so rows only carry the
    instructions and the seed.
    """
    datasets = require("datasets", "trl")
    agora.spec(env_id)
    rows = [{"prompt": [{"role": "user", "content": prompt}], "seed": seed + i} for i in range(num_rows)]
    return datasets.Dataset.from_list(rows)


def check_trl() -> Any:
    """Imports TRL, or raises `MissingDependency` naming ``agora[trl]``."""
    return require("trl", "trl")
