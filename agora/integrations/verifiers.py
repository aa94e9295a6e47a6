"""agora envs as verifiers environments (``load_environment``, verifiers 0.3.1's ``MultiTurnEnv``).

verifiers (Prime Intellect) evaluates and trains models on *environments*: a dataset of prompts, a
rollout loop that samples the model and asks the environment for its answer each turn, and a
rubric that scores the finished rollout. `load_environment` makes one for any agora env:

* each dataset row is one episode, identified by its env seed (``seed .. seed+num_examples-1``);
* at rollout start a live agora env is made and reset with the row's seed; the rollout's prompt
  becomes agora's usual conversation: the env's instructions as the system message (or
  ``system_prompt``) and the first observation as the user message;
* each model reply is one env step (its text; a tool call is passed as agora's JSON call text),
  and the observation comes back as the next user message (a tool message after a tool call);
  the rollout ends when the agora episode ends (its last observation closes the completion);
* the reward is the episode return, the sum of agora's turn rewards; each step's reward is also
  set on its verifiers trajectory step, and ``state["turn_rewards"]`` keeps the list;
* an env failure (an exception, or ``info["infra_error"]``) is a `verifiers.InfraError` on the
  rollout: verifiers stops it and reports it in the output's ``error`` field, never as a plain 0.

The env is closed when the rollout ends. Usage, with any OpenAI-compatible endpoint (e.g.
``agora serve-model``)::

    import verifiers as vf
    from openai import AsyncOpenAI

    env = vf.load_environment("agora.integrations.verifiers", agora_env="games/TicTacToe-v0",
                              num_examples=8, opponent="random")
    results = env.evaluate_sync(client=vf.OpenAIChatCompletionsClient(AsyncOpenAI(base_url=URL, api_key="x")),
                                model="tiny", num_examples=8, rollouts_per_example=1)

The agora env id is ``agora_env`` (verifiers' own loader takes ``env_id`` for the module).
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import agora
from agora._optional import require

VERIFIERS_VERSION = "0.3.1"
"""The verifiers release this adapter is tested with (its classic ``MultiTurnEnv`` API)."""


def check_verifiers() -> Any:
    """Imports verifiers, or raises `MissingDependency` naming ``agora[verifiers]``."""
    return require("verifiers", "verifiers")


def load_environment(
    agora_env: str = "games/TicTacToe-v0",
    num_examples: int = 64,
    seed: int = 0,
    system_prompt: str | None = None,
    **make_kwargs: Any,
) -> Any:
    """A verifiers ``MultiTurnEnv`` that plays ``agora_env`` (the entry point verifiers' loader calls).

    Args:
        agora_env: a registered agora id, e.g. ``"games/TicTacToe-v0"`` (plugins included).
        num_examples: dataset rows, one episode seed each.
        seed: the first row's env seed.
        system_prompt: the system message; None uses the env's ``info["instructions"]``.
        **make_kwargs: passed to `agora.make` (``opponent=``, env options). ``max_turns=`` bounds the
            episode inside agora (it ends truncated and its last reply is played), rather than
            verifiers' own turn limit, which would stop before playing the last reply.

    Returns:
        An `AgoraEnv` (a ``verifiers.MultiTurnEnv`` subclass).
    """
    agora.spec(agora_env)  # fail now, with agora's suggestions, on an unknown id
    cls = env_class()
    datasets = require("datasets", "verifiers")
    rows = [
        {"prompt": [{"role": "user", "content": f"{agora_env} episode, seed {seed + i}"}], "info": {"seed": seed + i}}
        for i in range(num_examples)
    ]
    return cls(
        agora_env,
        make_kwargs=make_kwargs,
        system_prompt_override=system_prompt,
        dataset=datasets.Dataset.from_list(rows),
    )


def _content(message: Any) -> Any:
    return message.get("content") if isinstance(message, dict) else getattr(message, "content", None)


def _tool_calls(message: Any) -> list[Any]:
    calls = message.get("tool_calls") if isinstance(message, dict) else getattr(message, "tool_calls", None)
    return list(calls or [])


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _as_dict(obj: Any) -> Any:
    """A verifiers message part (a dict, or a pydantic model of its message types) as a plain dict."""
    return obj.model_dump() if hasattr(obj, "model_dump") else obj


def action_of(message: Any) -> tuple[str, str | None]:
    """The env action in an assistant message, and the id of the tool call it came from (None for text).

    A tool call (OpenAI's nested shape or verifiers' flat one) goes through agora's one tool-call reader
    (`agora.agents.parsing.from_openai_tool_calls`, bounded JSON) and becomes agora's call text,
    ``{"name": ..., "arguments": {...}}``; a call whose arguments cannot be read is passed on as written,
    so the env answers it with its error observation. Text content is the action as written.
    """
    from agora.agents.parsing import from_openai_tool_calls, tool_action
    from agora.tools import ToolCallError

    calls = [_as_dict(call) for call in _tool_calls(message)]
    if calls:
        call = calls[0]
        try:
            parsed = from_openai_tool_calls([call])
        except ToolCallError:
            parsed = []
        if parsed:
            return tool_action(parsed), _field(call, "id")
        function = _field(call, "function") or call
        return json.dumps({"name": _field(function, "name"), "arguments": _field(function, "arguments")}), _field(
            call, "id"
        )
    content = _content(message)
    if isinstance(content, list):  # content parts: the text ones, joined
        content = "".join(str(_field(part, "text") or "") for part in content)
    return str(content or ""), None


def _tools(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The env's OpenAI-format tool specs as verifiers' provider-agnostic tool dicts."""
    specs = []
    for spec in info.get("tools") or []:
        function = spec.get("function", spec)
        specs.append(
            {
                "name": function["name"],
                "description": function.get("description", ""),
                "parameters": function.get("parameters", {}),
            }
        )
    return specs


async def start_episode(env: Any, state: Any) -> Any:
    """``setup_state``: makes and resets the rollout's agora env; the prompt: its instructions, first observation."""
    vf = check_verifiers()
    seed = int(state["info"]["seed"])
    state["turn_rewards"] = []
    try:
        state["agora_env"] = await asyncio.to_thread(lambda: agora.make(env.agora_env, **env.make_kwargs))
        observation, info = await asyncio.to_thread(state["agora_env"].reset, seed=seed)
    except Exception as e:  # noqa: BLE001 - any env failure is the rollout's infra error
        raise vf.InfraError(f"agora env {env.agora_env} failed to start (seed {seed}): {e!r}") from e
    if info.get("infra_error"):
        raise vf.InfraError(f"agora env {env.agora_env} failed at reset: {info['infra_error']}")
    system = env.system_prompt_override if env.system_prompt_override is not None else info.get("instructions")
    prompt = [vf.SystemMessage(content=str(system))] if system else []
    state["prompt"] = [*prompt, vf.UserMessage(content=str(observation))]
    if info.get("tools"):
        state["tool_defs"] = env._normalize_tool_defs(_tools(info)) or []
    return state


async def play_reply(env: Any, messages: Any, state: Any, **kwargs: Any) -> list[Any]:
    """``env_response``: steps the agora env with the model's last reply; returns the observation as a message."""
    vf = check_verifiers()
    action, call_id = action_of(messages[-1])
    try:
        observation, reward, terminated, truncated, info = await asyncio.to_thread(state["agora_env"].step, action)
    except Exception as e:  # noqa: BLE001 - any env failure is the rollout's infra error
        raise vf.InfraError(f"agora env {env.agora_env} failed to step: {e!r}") from e
    if info.get("infra_error"):
        raise vf.InfraError(f"agora env {env.agora_env}: {info['infra_error']}")
    state["turn_rewards"].append(float(reward))
    state["trajectory"][-1]["reward"] = float(reward)
    text = str(observation)
    reply = vf.ToolMessage(tool_call_id=call_id, content=text) if call_id else vf.UserMessage(content=text)
    if terminated or truncated:
        state["final_env_response"] = [reply]  # verifiers' stop: the completion ends with this observation
    return [reply]


async def close_episode(env: Any, state: Any) -> None:
    """A ``cleanup`` handler: closes the rollout's agora env (the state keeps no handle to it)."""
    agora_env = state.pop("agora_env", None)
    if agora_env is not None:
        await asyncio.to_thread(agora_env.close)


async def episode_return(state: Any, **kwargs: Any) -> float:
    """The reward function: the episode return, the sum of agora's turn rewards."""
    return float(sum(state.get("turn_rewards") or []))


@functools.cache
def env_class() -> type:
    """The `AgoraEnv` class, built on first use (verifiers is imported then, not with this module)."""
    vf = check_verifiers()
    multi_turn_env: Any = vf.MultiTurnEnv  # verifiers' base class, known only at run time

    class AgoraEnv(multi_turn_env):
        """A verifiers multi-turn environment over one agora env id (see the module docs).

        Args:
            agora_env: the agora env id.
            make_kwargs: passed to `agora.make` for each rollout's env.
            system_prompt_override: the system message; None uses the env's ``info["instructions"]``.
            **kwargs: passed to ``verifiers.MultiTurnEnv`` (``dataset=``, ...).
        """

        def __init__(
            self,
            agora_env: str,
            *,
            make_kwargs: dict[str, Any] | None = None,
            system_prompt_override: str | None = None,
            **kwargs: Any,
        ):
            rubric = vf.Rubric(funcs=[episode_return], weights=[1.0])
            super().__init__(rubric=rubric, env_args={"agora_env": agora_env, **(make_kwargs or {})}, **kwargs)
            self.agora_env = agora_env
            self.make_kwargs = dict(make_kwargs or {})
            self.system_prompt_override = system_prompt_override

        setup_state = start_episode
        env_response = play_reply
        close_agora_env = vf.cleanup(close_episode)

    AgoraEnv.__module__ = __name__
    AgoraEnv.__qualname__ = "AgoraEnv"
    return AgoraEnv


def __getattr__(name: str) -> Any:
    if name == "AgoraEnv":
        return env_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
