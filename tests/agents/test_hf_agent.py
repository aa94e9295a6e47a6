"""HFAgent on a tiny local model: token in / token out, logprobs, history, batching."""

import asyncio
import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agora.agent import AgentReply  # noqa: E402
from agora.agents.chat import SamplingParams  # noqa: E402
from agora.agents.hf import HFAgent  # noqa: E402
from agora.agents.parsing import strip_reasoning  # noqa: E402

INFO = {"instructions": "Play tic-tac-toe.", "legal_actions": ["[0]", "[4]"]}


def teacher_forced_logprobs(engine, prompt, completion):
    ids = torch.tensor([prompt + completion])
    with torch.no_grad():
        logits = engine.model(ids).logits[0].float()
    logp = torch.log_softmax(logits, dim=-1)
    return [logp[len(prompt) - 1 + i, t].item() for i, t in enumerate(completion)]


def test_reply_carries_the_sampled_tokens_and_their_logprobs(engine):
    agent = HFAgent(engine, sampling=SamplingParams(temperature=1.0, max_new_tokens=12))
    reply = agent.act("Your move.", INFO)
    assert isinstance(reply, AgentReply) and isinstance(reply, str)
    assert (
        reply.prompt_token_ids
        == engine.tokenizer.apply_chat_template(
            agent.messages[:2], tokenize=True, add_generation_prompt=True, return_dict=True
        )["input_ids"]
    )
    assert 1 <= len(reply.completion_token_ids) <= 12
    assert reply.text == engine.tokenizer.decode(reply.completion_token_ids, skip_special_tokens=True)
    expected = teacher_forced_logprobs(engine, reply.prompt_token_ids, reply.completion_token_ids)
    assert reply.completion_logprobs == pytest.approx(expected, abs=1e-4)


def test_later_prompts_extend_earlier_ones_without_retokenising(engine):
    agent = HFAgent(engine, sampling=SamplingParams(max_new_tokens=8))
    replies = [agent.act(f"Observation {k}.", INFO) for k in range(3)]
    for before, after in zip(replies, replies[1:], strict=False):
        prefix = before.prompt_token_ids + before.completion_token_ids
        assert after.prompt_token_ids[: len(prefix)] == prefix
    # the appended part is exactly the template's text after the reply and for the next user turn
    tail = replies[1].prompt_token_ids[
        len(replies[0].prompt_token_ids) + len(replies[0].completion_token_ids) :
    ]
    text = engine.tokenizer.decode(tail)
    assert text.endswith("<|im_start|>user\nObservation 1.<|im_end|>\n<|im_start|>assistant\n")


def test_history_last_k_keeps_task_and_recent_exchanges(engine):
    agent = HFAgent(engine, history="last_k", last_k=1, sampling=SamplingParams(max_new_tokens=4))
    first = agent.act("Task: first observation.", INFO)
    agent.act("second", INFO)
    third = agent.act("third", INFO)
    text = engine.tokenizer.decode(third.prompt_token_ids)
    assert "Task: first observation." in text and "third" in text and "second" not in text
    assert third.prompt_token_ids[: len(first.prompt_token_ids)] == first.prompt_token_ids
    assert len(agent.visible_messages()) == 5  # system, task, last reply, new user ... and this reply


def test_token_history_keeps_at_least_the_exchange_with_the_current_observation(engine):
    with pytest.raises(ValueError, match="last_k must be >= 1"):
        HFAgent(engine, history="last_k", last_k=0)


def test_greedy_is_deterministic_and_forks_are_independent(engine):
    agent = HFAgent(engine, sampling=SamplingParams(temperature=0.0, max_new_tokens=6))
    a, b = agent.fork(), agent.fork()
    ra, rb = a.act("same", INFO), b.act("same", INFO)
    assert ra.completion_token_ids == rb.completion_token_ids
    assert len(a.messages) == 3 and len(agent.messages) == 0


def test_concurrent_aact_calls_are_batched(engine):
    agent = HFAgent(engine, sampling=SamplingParams(max_new_tokens=5))
    forks = [agent.fork() for _ in range(8)]

    async def main():
        return await asyncio.gather(*(f.aact(f"obs {i}" * (i + 1), INFO) for i, f in enumerate(forks)))

    before = len(engine.batch_sizes)
    replies = asyncio.run(main())
    assert max(engine.batch_sizes[before:]) > 1
    for reply in replies:  # left padding does not change any sequence's logprobs
        expected = teacher_forced_logprobs(engine, reply.prompt_token_ids, reply.completion_token_ids)
        assert reply.completion_logprobs == pytest.approx(expected, abs=1e-4)


def test_malformed_reply_is_an_invalid_action(engine):
    agent = HFAgent(engine, action_mode="move", sampling=SamplingParams(max_new_tokens=3))
    reply = agent.act("move", {"legal_actions": ["[0]"]})
    has_move = re.search(r"\[[^\[\]]*\]", strip_reasoning(reply.text)[1]) is not None
    assert reply.valid == has_move
    assert (reply.error is None) == has_move
    assert reply.action == (reply.action if has_move else strip_reasoning(reply.text)[1] or reply.text)
