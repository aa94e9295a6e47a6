"""Evaluate a model on an agora env through verifiers (``env.evaluate`` against an OpenAI-compatible endpoint).

The model is served by any OpenAI-compatible server; locally, ``agora serve-model`` (from agora's
main venv, which has torch), e.g. a tiny random model on CPU::

    agora serve-model runs/tiny --port 8000 --name tiny          # a saved checkpoint, or 'smollm2'
    .venv-verifiers/bin/python examples/integrations/verifiers_eval.py \
        --base-url http://127.0.0.1:8000/v1 --model tiny --env games/TicTacToe-v0 --opponent random \
        --num-examples 4 --rollouts-per-example 2 --out runs/verifiers-eval

verifiers loads the env by module name (``vf.load_environment("agora.integrations.verifiers", ...)``);
each rollout plays one agora episode turn by turn and is scored with the episode return. Writes
``OUT/results.json``: per rollout the env seed, the reward, agora's turn rewards, the conversation,
verifiers' stop condition and error (if any); and the run's average reward and error rate.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def message_dict(message: Any) -> dict[str, Any]:
    """A chat message (a verifiers pydantic message or a dict) as a plain dict."""
    return message.model_dump(exclude_none=True) if hasattr(message, "model_dump") else dict(message)


def rollout_record(output: dict[str, Any]) -> dict[str, Any]:
    """The fields of one verifiers rollout output that a reader (or a replay) needs."""
    error = output.get("error")
    return {
        "example_id": output["example_id"],
        "seed": output["info"]["seed"],
        "reward": output["reward"],
        "turn_rewards": output.get("turn_rewards", []),
        "stop_condition": output.get("stop_condition"),
        "error": dict(error) if error else None,
        "prompt": [message_dict(m) for m in output.get("prompt") or []],
        "completion": [message_dict(m) for m in output.get("completion") or []],
    }


def main() -> None:
    """Parses the flags, loads the env through verifiers, evaluates, writes OUT/results.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True, help="the endpoint, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--model", default="tiny", help="the model name the endpoint serves")
    parser.add_argument("--api-key", default="none")
    parser.add_argument("--env", default="drills/GuessNumber-v0", help="any agora env id (plugins included)")
    parser.add_argument("--opponent", default="", help="opponent spec for games, e.g. random")
    parser.add_argument("--max-turns", type=int, default=4, help="agora's turn limit per episode")
    parser.add_argument("--num-examples", type=int, default=3, help="episodes (env seeds)")
    parser.add_argument("--rollouts-per-example", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=8, help="tokens per model reply")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0, help="the first episode's env seed")
    parser.add_argument("--out", default="runs/verifiers-eval")
    args = parser.parse_args()

    import verifiers as vf
    from openai import AsyncOpenAI

    make_kwargs = {"max_turns": args.max_turns, **({"opponent": args.opponent} if args.opponent else {})}
    env = vf.load_environment(
        "agora.integrations.verifiers", agora_env=args.env, num_examples=args.num_examples, seed=args.seed,
        **make_kwargs,
    )  # fmt: skip
    client = vf.OpenAIChatCompletionsClient(AsyncOpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0))
    results = env.evaluate_sync(
        client=client,
        model=args.model,
        sampling_args={"max_tokens": args.max_tokens, "temperature": args.temperature},
        num_examples=args.num_examples,
        rollouts_per_example=args.rollouts_per_example,
        state_columns=["turn_rewards"],
    )
    summary = {
        "env": args.env,
        "model": args.model,
        "verifiers": vf.__version__,
        "avg_reward": results["metadata"]["avg_reward"],
        "avg_error": results["metadata"]["avg_error"],
        "rollouts": [rollout_record(o) for o in results["outputs"]],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "rollouts"}))


if __name__ == "__main__":
    main()
