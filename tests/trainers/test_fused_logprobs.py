"""`token_logprobs` through the fused kernel equals the full-vocabulary path, with and without LoRA."""

import math

import pytest
import torch
import transformers

from agora.trainers.batch import micro_batches, sequences_from_turns
from agora.trainers.loss import (
    full_vocab_token_logprobs,
    linear_head,
    ppo_loss,
    shared_prefix_length,
    token_logprobs,
)
from agora.trajectory import Turn

peft = pytest.importorskip("peft")


def _turn(i, prompt, completion):
    return Turn(
        agent_id="a",
        turn_index=i,
        observation="",
        action="",
        prompt_token_ids=prompt,
        completion_token_ids=completion,
        completion_logprobs=[-0.5 - 0.1 * k for k in range(len(completion))],
    )


def _batch():
    turns = [_turn(0, [5, 6, 7], [10, 11, 1]), _turn(1, [5, 6, 7, 10, 11, 1, 20, 21], [12, 1])]
    seqs = sequences_from_turns(turns, [1.0, -2.0]) + sequences_from_turns([_turn(0, [3, 4], [9, 8, 1])], [0.5])
    [batch] = micro_batches(seqs, "token-mean", micro_batch_size=len(seqs))
    return batch


def _loss_and_grads(model, batch, **options):
    """The PPO loss's logprobs, entropies and gradients with `token_logprobs` options (fused, share_prefix)."""
    model.zero_grad()
    logp, entropy = token_logprobs(model, batch, temperature=0.8, with_entropy=True, **options)
    loss, _ = ppo_loss(logp, {**batch, "old_logprobs": batch["old_logprobs"] - 0.1}, entropy=entropy, entropy_coef=0.05)
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    return logp.detach(), entropy.detach(), grads


def _assert_same_as_full_path(model, batch):
    logp, entropy, grads = _loss_and_grads(model, batch, fused=True)
    ref_logp, ref_entropy, ref_grads = _loss_and_grads(model, batch, fused=False)
    mask = batch["loss_mask"] > 0
    torch.testing.assert_close(logp, ref_logp, atol=1e-5, rtol=0)
    torch.testing.assert_close(entropy, ref_entropy, atol=1e-5, rtol=0)
    assert torch.all(logp[~mask] == 0) and torch.all(logp[mask] < 0)
    assert ref_grads.keys() == grads.keys() and grads
    for name in grads:
        torch.testing.assert_close(grads[name], ref_grads[name], atol=1e-5, rtol=1e-4, msg=name)
    return grads


def _no_head_calls(model):
    calls = []
    model.get_output_embeddings().register_forward_hook(lambda *_: calls.append(1))
    return calls


def test_fused_equals_full_path_on_a_tiny_llama(tiny_lm):
    assert linear_head(tiny_lm) is not None
    calls = _no_head_calls(tiny_lm)
    batch = _batch()
    token_logprobs(tiny_lm, batch)
    assert calls == []  # the head never ran over the vocabulary
    grads = _assert_same_as_full_path(tiny_lm, batch)
    assert "lm_head.weight" in grads


def test_full_path_matches_the_old_full_log_softmax(tiny_lm):
    batch = _batch()
    logits = tiny_lm(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    old = torch.log_softmax(logits.float(), -1).gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1)
    mask = batch["loss_mask"] > 0
    logp, _ = token_logprobs(tiny_lm, batch)
    torch.testing.assert_close(logp[mask], old[mask], atol=1e-5, rtol=0)
    torch.testing.assert_close(full_vocab_token_logprobs(tiny_lm, batch)[0][mask], old[mask], atol=1e-6, rtol=0)


def _lora(model, **kw):
    config = peft.LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", **kw)
    lora = peft.get_peft_model(model, config)
    with torch.no_grad():  # LoRA's B starts at 0; make the adapter change the outputs
        for name, p in lora.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    return lora


def test_fused_equals_full_path_with_lora(tiny_lm):
    batch = _batch()
    base_logp, _ = token_logprobs(tiny_lm, batch)
    lora = _lora(tiny_lm, target_modules="all-linear")
    assert linear_head(lora) is not None
    grads = _assert_same_as_full_path(lora, batch)
    assert grads and all("lora_" in n for n in grads)
    logp, _ = token_logprobs(lora, batch)
    assert (logp - base_logp).abs().max() > 1e-2  # the adapter is applied...
    with lora.disable_adapter():  # ...and switched off with it
        torch.testing.assert_close(token_logprobs(lora, batch)[0], base_logp, atol=1e-6, rtol=0)


def test_lora_on_the_head_takes_the_full_path(tiny_lm):
    lora = _lora(tiny_lm, target_modules=["q_proj", "lm_head"])
    assert linear_head(lora) is None
    calls = _no_head_calls(lora.get_base_model())
    token_logprobs(lora, _batch())
    assert calls == [1]


def test_tied_embeddings_get_the_same_gradient():
    config = transformers.Qwen2Config(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        tie_word_embeddings=True,
    )
    torch.manual_seed(1)
    model = transformers.AutoModelForCausalLM.from_config(config).float()
    assert model.lm_head.weight is model.model.embed_tokens.weight
    grads = _assert_same_as_full_path(model, _batch())
    assert "model.embed_tokens.weight" in grads


def test_a_head_with_logit_softcapping_takes_the_full_path():
    config = transformers.Gemma2Config(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        final_logit_softcapping=2.0,
    )
    torch.manual_seed(2)
    model = transformers.AutoModelForCausalLM.from_config(config).float()
    assert type(model.lm_head) is torch.nn.Linear and linear_head(model) is None
    batch = _batch()
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    assert logits.abs().max() <= 2.0  # capped: the plain head's output would not be
    want = torch.log_softmax(logits.float(), -1).gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1)
    mask = batch["loss_mask"] > 0
    torch.testing.assert_close(token_logprobs(model, batch)[0][mask], want[mask], atol=1e-6, rtol=0)


def test_entropy_bonus_by_hand():
    # one token, ratio 1, A = 0: the loss is -entropy_coef * H; H of a uniform 4-way choice is log 4
    batch = {
        "old_logprobs": torch.tensor([[0.0]]),
        "advantages": torch.tensor([[0.0]]),
        "weights": torch.tensor([[1.0]]),
    }
    entropy = torch.tensor([[math.log(4)]])
    loss, stats = ppo_loss(torch.zeros(1, 1), batch, entropy=entropy, entropy_coef=0.1)
    assert loss.item() == pytest.approx(-0.1 * math.log(4))
    assert stats["entropy"].item() == pytest.approx(math.log(4))
    assert ppo_loss(torch.zeros(1, 1), batch, entropy=entropy)[0].item() == 0.0


def test_only_zero_weight_positions_are_left_out():
    batch = _batch()  # the positions token_logprobs leaves at 0 are exactly those the loss weighs 0
    assert torch.equal(batch["weights"] > 0, batch["loss_mask"] > 0)


def _prefix_batch():
    # three turns sharing the 5-token task [5, 6, 7, 8, 9]: different lengths (right padding), completions at
    # different places, and one whose completion starts right after the shared prefix
    task = [5, 6, 7, 8, 9]
    turns = [
        _turn(0, task + [20, 21], [10, 11, 1]),
        _turn(1, task + [22], [12, 13, 14, 15, 1]),
        _turn(2, task, [16, 1]),
    ]
    seqs = [s for i, t in enumerate(turns) for s in sequences_from_turns([t], [1.0 - i])]
    [batch] = micro_batches(seqs, "token-mean", micro_batch_size=len(seqs))
    return batch


def test_shared_prefix_length_stops_at_the_first_difference_and_leaves_a_token():
    batch = _prefix_batch()
    assert shared_prefix_length(batch) == 5  # the task; the shortest row (7 tokens) keeps 2 after it
    one = {k: v[2:] for k, v in batch.items()}
    assert shared_prefix_length(one) == 6  # a single row: all but its last token


@pytest.mark.parametrize("lora", [False, True])
def test_shared_prefix_pass_equals_the_plain_pass(tiny_lm, lora):
    model = _lora(tiny_lm, target_modules="all-linear") if lora else tiny_lm
    batch = _prefix_batch()
    calls = []
    body = linear_head(model)[0]
    body.register_forward_pre_hook(lambda _, args, kwargs: calls.append(kwargs["input_ids"].shape), with_kwargs=True)
    logp, entropy, grads = _loss_and_grads(model, batch, share_prefix=True)
    assert calls == [(1, 5), (3, batch["input_ids"].shape[1] - 5)]  # the task once, then each row's rest
    ref_logp, ref_entropy, ref_grads = _loss_and_grads(model, batch, share_prefix=False)
    mask = batch["loss_mask"] > 0
    torch.testing.assert_close(logp[mask], ref_logp[mask], atol=1e-5, rtol=0)
    torch.testing.assert_close(entropy[mask], ref_entropy[mask], atol=1e-5, rtol=0)
    assert grads.keys() == ref_grads.keys() and grads
    for name in grads:
        torch.testing.assert_close(grads[name], ref_grads[name], atol=1e-5, rtol=1e-4, msg=name)


def test_a_ppo_update_with_share_prefix_makes_the_same_step(tiny_lm):
    import copy

    from agora.trainers.config import TrainConfig
    from agora.trainers.update import ppo_update

    batch = _prefix_batch()
    task = [5, 6, 7, 8, 9]
    seqs = [
        s
        for i, t in enumerate(
            [
                _turn(0, task + [20, 21], [10, 11, 1]),
                _turn(1, task + [22], [12, 13, 1]),
                _turn(2, task + [23, 24, 25], [16, 1]),
                _turn(3, [3, 4], [9, 8, 1]),
            ]
        )
        for s in sequences_from_turns([t], [1.0 - i])
    ]
    assert shared_prefix_length(batch) == 5
    weights = {}
    for share in (False, True):
        torch.manual_seed(3)  # the same adapter in both; SGD, as Adam's first step is about sign(grad)
        model = _lora(copy.deepcopy(tiny_lm), target_modules="all-linear")
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1.0)
        cfg = TrainConfig(env_id="x/Y-v0", precision="fp32", kl_coef=0.1, micro_batch_size=3, share_prefix=share)
        stats = ppo_update(model, optimizer, seqs, cfg, pad_id=0)
        assert stats["kl"] > 0  # the reference (adapter off) ran, through the shared prefix too
        weights[share] = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    for name, value in weights[False].items():
        torch.testing.assert_close(weights[True][name], value, atol=1e-6, rtol=1e-5, msg=name)
