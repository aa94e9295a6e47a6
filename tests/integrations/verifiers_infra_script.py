"""Run under .venv-verifiers' python: an agora env whose browser cannot start, evaluated through verifiers.

That venv has no Playwright (agora[web]), so every gui/canvas rollout fails to launch its browser
(agora's `BrowserCrashed`) before the model is ever asked; the endpoint is a closed port it never
reaches. Prints one JSON line per rollout.
"""

import importlib.util
import json

import verifiers as vf
from openai import AsyncOpenAI

assert importlib.util.find_spec("playwright") is None, "this check needs a venv without Playwright"
env = vf.load_environment("agora.integrations.verifiers", agora_env="gui/canvas.click-button-v0", num_examples=2)
client = vf.OpenAIChatCompletionsClient(AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="none", max_retries=0))
results = env.evaluate_sync(client=client, model="none", num_examples=2, state_columns=["turn_rewards"])
for output in results["outputs"]:
    print(
        json.dumps(
            {
                "reward": output["reward"],
                "error": dict(output["error"]) if output["error"] else None,
                "stop": output["stop_condition"],
                "turn_rewards": output["turn_rewards"],
                "completion": len(output["completion"] or []),
                "avg_error": results["metadata"]["avg_error"],
            }
        )
    )
