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
    tail = replies[1].prompt_token_ids[len(replies[0].prompt_token_ids) + len(replies[0].completion_token_ids) :]
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


def test_prefix_groups_by_hand():
    from agora.agents.hf import prefix_groups

    task_a, task_b = [1, 2, 3, 4, 5, 6], [1, 2, 3, 9, 9, 9]
    # two GRPO-like groups: each prompt shares 6 tokens with its group-mate, 3 with the others
    # grouped: (4 - 2) x 6 = 12 saved tokens; one group: (4 - 1) x 3 = 9
    assert prefix_groups([task_a + [7], task_b + [8, 8], task_a + [8], task_b + [7]]) == (6, [0, 1, 0, 1])
    # one odd prompt: the common prefix of all wins ((3 - 1) x 3 = 6 over (3 - 2) x 3 = 3)
    assert prefix_groups([task_a + [7], task_a + [8], task_b + [7]]) == (3, [0, 0, 0])
    assert prefix_groups([task_a, task_a]) == (5, [0, 0])  # each keeps one token after the prefix
    assert prefix_groups([[5, 6], [7, 8]]) == (0, [0, 0]) and prefix_groups([task_a]) == (0, [0])


def test_shared_prefix_generation_equals_the_plain_batch(engine):
    from agora.agents.hf import HFEngine

    shared = HFEngine(engine.model, engine.tokenizer, seed=0, share_prefix=True)
    calls = []
    hook = engine.model.register_forward_pre_hook(
        lambda _, args, kw: calls.append(kw["input_ids"].shape[1]), with_kwargs=True
    )
    task_a, task_b = list(range(3, 23)), list(range(3, 13)) + list(range(40, 50))
    prompts = [task_a + [60, 61], task_b + [62], task_a + [63, 64, 65], task_b + [66, 67]]
    sampling = SamplingParams(temperature=1.0, max_new_tokens=6)
    try:
        plain = engine.generate(prompts, sampling, seeds=[1, 2, 3, 4])
        calls.clear()
        cached = shared.generate(prompts, sampling, seeds=[1, 2, 3, 4])
    finally:
        hook.remove()
    assert calls[:2] == [20, 3]  # the two 20-token tasks once, then each row's rest (left-padded to 3)
    for a, b in zip(plain, cached, strict=True):
        assert a.token_ids == b.token_ids and a.prompt_token_ids == b.prompt_token_ids
        assert b.logprobs == pytest.approx(a.logprobs, abs=1e-5)
        assert b.logprobs == pytest.approx(teacher_forced_logprobs(engine, a.prompt_token_ids, a.token_ids), abs=1e-4)
