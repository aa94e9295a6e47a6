"""OpenAIAgent against a real `agora serve-model` process on loopback."""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agora import rollout  # noqa: E402
from agora.agent import resolve_agent  # noqa: E402
from agora.agents.chat import Completion  # noqa: E402
from agora.agents.local_models import save_tiny_model  # noqa: E402
from agora.agents.model_server import ChatRequest, ModelServer  # noqa: E402
from agora.agents.openai import EndpointError, OpenAIAgent, _completion  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = save_tiny_model(tmp_path_factory.mktemp("tiny") / "model")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "agora"),
            "serve-model",
            str(path),
            "--port",
            "0",
            "--name",
            "tiny",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://\S+/v1)", line).group(1)
        yield path, url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_rollout_through_the_server_records_server_tokens(served):
    path, url = served
    agent = resolve_agent(f"openai:{url}#tiny?max_new_tokens=6")
    assert isinstance(agent, OpenAIAgent) and agent.model == "tiny"
    result = rollout.run("games/TicTacToe-v0", agent, episodes=3, concurrency=3, max_turns=6)
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path).eval()
    for e in result.episodes:
        assert e.status == "ok", e.traceback
        t = e.turns[0]
        assert t.prompt_token_ids and len(t.completion_token_ids) == len(t.completion_logprobs) >= 1
        with torch.no_grad():  # the logprobs the server reported are the model's for the sampled ids
            logits = model(torch.tensor([t.prompt_token_ids + t.completion_token_ids])).logits[0]
        logp = torch.log_softmax(logits.float(), -1)
        n = len(t.prompt_token_ids)
        expected = [logp[n - 1 + i, tok].item() for i, tok in enumerate(t.completion_token_ids)]
        assert t.completion_logprobs == pytest.approx(expected, abs=1e-4)


def test_model_discovery_and_errors(served):
    _, url = served
    assert OpenAIAgent(url).model == "tiny"
    with pytest.raises(EndpointError, match="Is the server running"):
        OpenAIAgent("http://127.0.0.1:9/v1")
    agent = OpenAIAgent(url, "tiny")
    agent.messages = [{"role": "user", "content": "x"}]
    with pytest.raises(EndpointError, match="HTTP 400"):
        agent._http("POST", "/chat/completions", {**agent.request_body(), "n": 0})
    with pytest.raises(EndpointError, match="HTTP 404.*served models.*tiny"):
        agent._http("POST", "/chat/completions", {**agent.request_body(), "model": "gpt-9"})


def test_tool_call_round_trip_in_openai_format():
    """The server turns a <tool_call> block into OpenAI tool_calls; the agent turns them into the action."""
    server = ModelServer.__new__(ModelServer)
    server.model_name = "m"
    request = ChatRequest(
        messages=[{"role": "user", "content": "x"}],
        tools=[{"type": "function", "function": {"name": "search"}}],
    )
    text = '<think>need data</think><tool_call>{"name": "search", "arguments": {"q": "cats"}}</tool_call>'
    choice = server.choice(request, 0, [1, 2], Completion(text=text, token_ids=[5, 6], logprobs=[-0.1, -0.2]))
    body = server.body(request, [1, 2], [choice])
    assert body["choices"][0]["message"]["content"] == "<think>need data</think>"
    call = body["choices"][0]["message"]["tool_calls"][0]
    assert call["type"] == "function" and json.loads(call["function"]["arguments"]) == {"q": "cats"}
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    completion = _completion(body)
    assert completion.tool_calls == [{"name": "search", "arguments": {"q": "cats"}}]
    assert completion.prompt_token_ids == [1, 2] and completion.token_ids == [5, 6]


def test_a_screenshot_observation_goes_to_the_server_as_an_image_part(served):
    import io

    import numpy as np
    from PIL import Image

    _, url = served
    image = np.zeros((6, 5, 3), np.uint8)
    image[2, 3] = (255, 10, 20)
    agent = OpenAIAgent(url, "tiny", sampling=None)
    reply = agent.act({"text": "Task: click the red dot", "image": image}, {"instructions": "Act."})
    assert isinstance(reply.action, str)  # the real server took the content parts and answered
    content = agent.messages[1]["content"]
    assert content[0] == {"type": "text", "text": "Task: click the red dot"}
    data_url = content[1]["image_url"]["url"]
    assert content[1]["type"] == "image_url" and data_url.startswith("data:image/png;base64,")
    png = base64.b64decode(data_url.split(",", 1)[1])
    assert (np.asarray(Image.open(io.BytesIO(png)).convert("RGB")) == image).all()
    text_only = OpenAIAgent(url, "tiny", images=False)
    text_only.act({"text": "Task: x", "image": image}, {})
    assert text_only.messages[0]["content"] == "Task: x"
