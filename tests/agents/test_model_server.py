"""`agora serve-model` as a GRPO rollout server, driven by the official `openai` client.

The model is a tiny random Qwen2 taught (60 SFT steps, about 2 s) to answer the weather question
with one ``<tool_call>`` block, so tool calls, stop strings and streaming have real text to work on.
"""

import json

import pytest

torch = pytest.importorskip("torch")
openai = pytest.importorskip("openai")

from agora.agents.hf import HFEngine  # noqa: E402
from agora.agents.local_models import tiny_model  # noqa: E402
from agora.agents.model_server import ModelServer  # noqa: E402

pytestmark = pytest.mark.slow

QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]
OPEN = [{"role": "user", "content": "Tell me about the board."}]  # not taught: a spread-out distribution
CALL = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'
# <tool_call> is a special token of the tiny tokenizer, so decoded text (special tokens skipped) loses the tags
CALL_TEXT = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _teach(model, tokenizer, messages, reply, steps=60):
    """Supervised steps on one (prompt, reply) pair so that greedy decoding gives `reply`."""
    prompt = tokenizer(
        tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True), add_special_tokens=False
    )["input_ids"]
    target = tokenizer(reply + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt + target])
    labels = ids.clone()
    labels[0, : len(prompt)] = -100
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


@pytest.fixture(scope="module")
def served():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a 64-wide model: one thread is fastest, and the machine is shared
    torch.manual_seed(0)
    model, tokenizer = tiny_model("qwen2", hidden_size=64, num_layers=1)
    _teach(model, tokenizer, QUESTION, CALL)
    server = ModelServer(HFEngine(model, tokenizer), "tiny")
    httpd, url = server.serve_in_thread()
    client = openai.OpenAI(base_url=url, api_key="none", max_retries=0)
    yield client, model, tokenizer
    httpd.shutdown()
    server.engine.close()
    torch.set_num_threads(threads)


def _teacher_forced(model, prompt_ids, ids, temperature=1.0):
    with torch.no_grad():
        logits = model(torch.tensor([prompt_ids + ids])).logits[0].float()
    return torch.log_softmax(logits / temperature, -1)[len(prompt_ids) - 1 : len(prompt_ids) - 1 + len(ids)]


def test_unknown_model_is_a_404_listing_the_served_ones(served):
    client, _, _ = served
    assert [m.id for m in client.models.list()] == ["tiny"]
    with pytest.raises(openai.NotFoundError, match=r"'gpt-9' does not exist.*served models: \['tiny'\]"):
        client.chat.completions.create(model="gpt-9", messages=QUESTION)


def test_n_samples_a_group_from_one_prompt_with_exact_logprobs(served):
    client, model, _ = served
    reply = client.chat.completions.create(
        model="tiny", messages=OPEN, n=4, temperature=4.0, max_tokens=6, logprobs=True, seed=3
    )
    assert [c.index for c in reply.choices] == [0, 1, 2, 3]
    prompt_ids = reply.model_extra["prompt_token_ids"]
    samples = [c.model_extra["token_ids"] for c in reply.choices]
    assert reply.usage.completion_tokens == sum(len(s) for s in samples)
    assert len({tuple(s) for s in samples}) > 1  # sampled, not four copies of one
    for choice, ids in zip(reply.choices, samples, strict=True):
        expected = _teacher_forced(model, prompt_ids, ids, temperature=4.0)[range(len(ids)), ids].tolist()
        assert [e.logprob for e in choice.logprobs.content] == pytest.approx(expected, abs=1e-4)


def test_tool_calls_come_back_in_openai_format(served):
    client, _, _ = served
    reply = client.chat.completions.create(model="tiny", messages=QUESTION, tools=[WEATHER_TOOL], temperature=0)
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.id.startswith("call_")
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}
    # the call goes back into the conversation, with its result, as OpenAI clients send it
    follow = QUESTION + [choice.message.model_dump(exclude_none=True)]
    follow.append({"role": "tool", "tool_call_id": call.id, "content": "sunny"})
    again = client.chat.completions.create(model="tiny", messages=follow, tools=[WEATHER_TOOL], max_tokens=4)
    assert again.choices[0].message.role == "assistant"

    plain = client.chat.completions.create(
        model="tiny", messages=QUESTION, tools=[WEATHER_TOOL], tool_choice="none", temperature=0
    )
    assert plain.choices[0].message.tool_calls is None and plain.choices[0].message.content == CALL_TEXT
    other = {"type": "function", "function": {"name": "get_time"}}
    named = client.chat.completions.create(
        model="tiny", messages=QUESTION, tools=[WEATHER_TOOL], tool_choice=other, temperature=0
    )
    assert named.choices[0].message.tool_calls is None


def test_stop_cuts_the_text_and_keeps_the_sampled_tokens(served):
    client, _, tokenizer = served
    full = client.chat.completions.create(model="tiny", messages=QUESTION, temperature=0)
    assert full.choices[0].message.content == CALL_TEXT and full.choices[0].finish_reason == "stop"
    cut = client.chat.completions.create(model="tiny", messages=QUESTION, temperature=0, stop=['"arguments"', "zz"])
    choice = cut.choices[0]
    assert choice.message.content == '{"name": "get_weather", '
    assert choice.finish_reason == "stop"
    ids = choice.model_extra["token_ids"]
    assert ids == full.choices[0].model_extra["token_ids"][: len(ids)] and len(choice.logprobs or []) == 0
    decoded = tokenizer.decode(ids, skip_special_tokens=True)
    assert decoded.startswith(choice.message.content) and len(decoded) > len(choice.message.content)
    assert len(tokenizer.decode(ids[:-1], skip_special_tokens=True)) <= len(choice.message.content)


def test_top_logprobs_are_the_model_distribution(served):
    client, model, _ = served
    reply = client.chat.completions.create(
        model="tiny", messages=QUESTION, temperature=0, max_tokens=5, logprobs=True, top_logprobs=3
    )
    entries = reply.choices[0].logprobs.content
    ids = reply.choices[0].model_extra["token_ids"]
    logp = _teacher_forced(model, reply.model_extra["prompt_token_ids"], ids)
    for k, entry in enumerate(entries):
        tops = entry.top_logprobs
        assert len(tops) == 3 and [t.logprob for t in tops] == sorted((t.logprob for t in tops), reverse=True)
        assert tops[0].token == entry.token  # greedy: the sampled token is the most likely one
        assert [t.logprob for t in tops] == pytest.approx(logp[k].topk(3).values.tolist(), abs=1e-4)
    with pytest.raises(openai.BadRequestError, match="top_logprobs needs logprobs"):
        client.chat.completions.create(model="tiny", messages=QUESTION, top_logprobs=2)


def test_streaming_sends_the_same_completions_as_chunks(served):
    client, _, _ = served
    whole = client.chat.completions.create(model="tiny", messages=QUESTION, temperature=0, n=2, logprobs=True)
    stream = client.chat.completions.create(
        model="tiny",
        messages=QUESTION,
        temperature=0,
        n=2,
        logprobs=True,
        stream=True,
        stream_options={"include_usage": True},
    )
    text, finish, n_logprobs, usage = {0: "", 1: ""}, {}, {0: 0, 1: 0}, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for c in chunk.choices:
            text[c.index] += c.delta.content or ""
            n_logprobs[c.index] += len(c.logprobs.content) if c.logprobs else 0
            finish[c.index] = c.finish_reason or finish.get(c.index)
    for c in whole.choices:
        assert text[c.index] == c.message.content == CALL_TEXT and finish[c.index] == "stop"
        assert n_logprobs[c.index] == len(c.logprobs.content)
    assert usage is not None and usage.completion_tokens == whole.usage.completion_tokens

    calls = client.chat.completions.create(
        model="tiny", messages=QUESTION, tools=[WEATHER_TOOL], temperature=0, stream=True
    )
    deltas = [d for chunk in calls for c in chunk.choices for d in (c.delta.tool_calls or [])]
    assert [(d.function.name, json.loads(d.function.arguments)) for d in deltas] == [("get_weather", {"city": "Paris"})]
