"""Batching from turns, completion-only masking, the PPO loss, and accumulation == one big batch."""

import math

import pytest
import torch

from agora.trainers.batch import Sequence, collate, loss_weights, micro_batches, sequences_from_turns
from agora.trainers.loss import k3_kl, ppo_loss, token_logprobs

# ruff: noqa: B905
from agora.trajectory import Turn


def _turn(i, prompt, completion, logprobs=None):
    return Turn(
        agent_id="a",
        turn_index=i,
        observation="",
        action="",
        prompt_token_ids=prompt,
        completion_token_ids=completion,
        completion_logprobs=logprobs or [-0.5 - 0.1 * k for k in range(len(completion))],
    )


def _episode_turns():
    # turn 1's prompt = turn 0's prompt + completion + observation tokens (token in / token out)
    t0 = _turn(0, [5, 6, 7], [10, 11, 1])
    t1 = _turn(1, [5, 6, 7, 10, 11, 1, 20, 21], [12, 1])
    t2 = _turn(2, [5, 6, 7, 10, 11, 1, 20, 21, 12, 1, 22], [13, 14, 1])
    return [t0, t1, t2]


def test_concatenation_keeps_each_turn_as_sampled():
    turns = _episode_turns()
    [seq] = sequences_from_turns(turns, [1.0, 2.0, 3.0])
    assert seq.input_ids == turns[2].prompt_token_ids + turns[2].completion_token_ids
    assert seq.loss_mask == [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1]
    picked = [tok for tok, m in zip(seq.input_ids, seq.loss_mask) if m]
    assert picked == [tok for t in turns for tok in t.completion_token_ids]
    assert [lp for lp, m in zip(seq.old_logprobs, seq.loss_mask) if m] == [
        lp for t in turns for lp in t.completion_logprobs
    ]
    expected = [1.0] * 3 + [2.0] * 2 + [3.0] * 3
    assert [a for a, m in zip(seq.advantages, seq.loss_mask) if m] == expected


def test_a_prompt_that_does_not_extend_starts_a_new_sequence():
    turns = _episode_turns()
    turns[1].prompt_token_ids = [5, 6, 9, 20]  # history rewritten (e.g. last_k): never re-tokenise
    seqs = sequences_from_turns(turns, [1.0, 2.0, 3.0])
    assert [s.input_ids for s in seqs] == [
        [5, 6, 7, 10, 11, 1],
        [5, 6, 9, 20, 12, 1],
        turns[2].prompt_token_ids + turns[2].completion_token_ids,
    ]
    per_turn = sequences_from_turns(_episode_turns(), [0, 0, 0], concatenate=False)
    assert [s.num_completion_tokens for s in per_turn] == [3, 2, 3]


def test_turn_without_tokens_is_rejected_with_a_fix():
    bad = Turn(agent_id="a", turn_index=0, observation="", action="[1]")
    with pytest.raises(ValueError, match="token-in/token-out agent"):
        sequences_from_turns([bad], [1.0])


def test_concatenated_logprobs_equal_per_turn_forward(tiny_lm):
    turns = _episode_turns()
    batch = collate(sequences_from_turns(turns, [0, 0, 0]), [[0.0] * 14])
    logp, _ = token_logprobs(tiny_lm, batch)
    concatenated = logp[0][batch["loss_mask"][0] > 0]
    separate = []
    for seq in sequences_from_turns(turns, [0, 0, 0], concatenate=False):
        b = collate([seq], [[0.0] * len(seq)])
        lp, _ = token_logprobs(tiny_lm, b)
        separate.append(lp[0][b["loss_mask"][0] > 0])
    torch.testing.assert_close(concatenated, torch.cat(separate), atol=1e-5, rtol=0)


def _grads(model, batches, **kw):
    model.zero_grad()
    for b in batches:
        logp, _ = token_logprobs(model, b)
        loss, _ = ppo_loss(logp, b, **kw)
        loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def test_prompt_and_observation_tokens_get_no_gradient(tiny_lm):
    seqs = sequences_from_turns(_episode_turns(), [1.0, -2.0, 0.5])
    batch = collate(seqs, loss_weights(seqs, "token-mean"))
    # 1. the loss has zero gradient w.r.t. the logits of every position that predicts a non-completion token
    out = tiny_lm(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    logits = out.logits
    logits.retain_grad()
    logp_all = torch.log_softmax(logits[:, :-1], -1)
    logp = logp_all.gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1)
    on_policy = {**batch, "old_logprobs": logp.detach()}  # ratio 1: no token is clipped
    ppo_loss(logp, on_policy)[0].backward()
    row_grad = logits.grad[0, :-1].abs().sum(-1)
    assert torch.all(row_grad[batch["loss_mask"][0] == 0] == 0)
    assert torch.all(row_grad[batch["loss_mask"][0] == 1] > 0)
    # 2. perturbing what is stored at prompt/observation positions, and observation tokens that follow
    #    the last completion, changes no gradient of the masked loss
    base = _grads(tiny_lm, [batch])
    seq = seqs[0]
    old = [lp if m else 7.0 for lp, m in zip(seq.old_logprobs, seq.loss_mask)] + [3.0] * 3
    adv = [a if m else -9.0 for a, m in zip(seq.advantages, seq.loss_mask)] + [5.0] * 3
    noisy = Sequence(seq.input_ids + [30, 31, 32], seq.loss_mask + [0, 0, 0], old, adv)
    perturbed = collate([noisy], loss_weights([noisy], "token-mean"))
    after = _grads(tiny_lm, [perturbed])
    for name in base:
        torch.testing.assert_close(after[name], base[name], atol=1e-7, rtol=1e-5)


@pytest.mark.parametrize("aggregation", ["token-mean", "sequence-mean"])
def test_gradient_accumulation_equals_one_big_batch(tiny_lm, aggregation):
    turns = _episode_turns()
    seqs = (
        sequences_from_turns(turns, [1.0, -0.5, 2.0])
        + sequences_from_turns(turns[:1], [-1.0])
        + sequences_from_turns(turns[:2], [0.3, 0.7], concatenate=False)
    )
    big = micro_batches(seqs, aggregation, micro_batch_size=len(seqs))
    assert len(big) == 1
    one = _grads(tiny_lm, big, clip_eps=0.2)
    for size in (1, 2):
        acc = _grads(tiny_lm, micro_batches(seqs, aggregation, micro_batch_size=size), clip_eps=0.2)
        for name in one:
            torch.testing.assert_close(acc[name], one[name], atol=1e-6, rtol=1e-4)


def test_loss_weights_by_hand():
    a = Sequence([1, 2, 3, 4], [0, 1, 1, 1], [0.0] * 4, [0.0] * 4)
    b = Sequence([1, 2], [0, 1], [0.0] * 2, [0.0] * 2)
    assert loss_weights([a, b], "token-mean") == [[0, 0.25, 0.25, 0.25], [0, 0.25]]
    assert loss_weights([a, b], "sequence-mean") == [[0, 1 / 6, 1 / 6, 1 / 6], [0, 0.5]]
    with pytest.raises(ValueError, match="token-mean"):
        loss_weights([a], "mean")


def _manual_batch(old, adv, weights):
    return {"old_logprobs": torch.tensor([old]), "advantages": torch.tensor([adv]), "weights": torch.tensor([weights])}


def test_ppo_clipped_surrogate_by_hand():
    # ratios: 1.5 (A=+1 -> clipped to 1.2), 1.5 (A=-1 -> min picks 1.5*-1), 0.5 (A=+2 -> min picks 0.5*2),
    # 0.5 (A=-2 -> clipped 0.8*-2 = -1.6)
    logp = torch.log(torch.tensor([[1.5, 1.5, 0.5, 0.5]]))
    batch = _manual_batch([0.0] * 4, [1.0, -1.0, 2.0, -2.0], [0.25] * 4)
    loss, stats = ppo_loss(logp, batch, clip_eps=0.2)
    assert loss.item() == pytest.approx(-(1.2 - 1.5 + 1.0 - 1.6) / 4)
    assert stats["clipped"].item() == pytest.approx(1.0)  # every ratio is outside [0.8, 1.2]
    assert stats["ratio"].item() == pytest.approx(1.0)


def test_k3_kl_by_hand_and_in_loss():
    # logp = 0, ref = log 0.5: r = -log 2 -> exp(r) - r - 1 = 0.5 + 0.693147 - 1
    kl = k3_kl(torch.tensor([0.0]), torch.tensor([math.log(0.5)]))
    assert kl.item() == pytest.approx(math.log(2) - 0.5)
    assert k3_kl(torch.tensor([0.3]), torch.tensor([0.3])).item() == 0.0
    batch = _manual_batch([0.0], [0.0], [1.0])
    ref = torch.tensor([[math.log(0.5)]])
    loss, stats = ppo_loss(torch.zeros(1, 1), batch, ref_logprobs=ref, kl_coef=0.1)
    assert loss.item() == pytest.approx(0.1 * (math.log(2) - 0.5))
    assert stats["kl"].item() == pytest.approx(math.log(2) - 0.5)
