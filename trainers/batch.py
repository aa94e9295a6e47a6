"""Training sequences from stored turns, token in / token out (never re-tokenised).

A `Sequence` is the token ids one forward pass sees, a loss mask that is 1 exactly on sampled
completion tokens (prompt, observation and template tokens are 0, always), the sampling logprob
and the turn advantage of each completion token. `sequences_from_turns` concatenates the turns of
one agent in one episode into a single sequence whenever turn t+1's prompt starts with turn t's
prompt + completion (how `TokenChatAgent` builds prompts); otherwise it starts a new sequence, so
each turn's tokens stay exactly as they were sampled. `collate` right-pads sequences into tensors
and fixes each token's weight in the loss from the *whole* batch, so that gradient accumulation
over micro-batches gives the same update as one big batch. `micro_batches` splits by a sequence
count and, optionally, a token budget (sequences x longest length, the padded size a forward pass
sees), and puts each micro-batch on the model's device.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence as Seq
from typing import Any, Literal

from agora._optional import require
from agora.trajectory import Turn

Aggregation = Literal["token-mean", "sequence-mean"]


@dataclasses.dataclass
class Sequence:
    """One training sequence: ids, completion mask, sampling logprobs and advantages per token."""

    input_ids: list[int]
    loss_mask: list[int]
    old_logprobs: list[float]
    advantages: list[float]

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def num_completion_tokens(self) -> int:
        """How many tokens the loss covers."""
        return sum(self.loss_mask)


def _check_turn(turn: Turn) -> None:
    if turn.prompt_token_ids is None or turn.completion_token_ids is None or turn.completion_logprobs is None:
        raise ValueError(
            f"Turn {turn.turn_index} of {turn.agent_id!r} has no token ids/logprobs; only turns "
            "played by a token-in/token-out agent (HFAgent, VLLMAgent) can be trained on."
        )
    if len(turn.completion_logprobs) != len(turn.completion_token_ids):
        raise ValueError(
            f"Turn {turn.turn_index}: {len(turn.completion_token_ids)} completion ids but "
            f"{len(turn.completion_logprobs)} logprobs; the rollout must store one per token."
        )
    mask = getattr(turn, "loss_mask", None)
    if mask is not None and len(mask) != len(turn.completion_token_ids):
        raise ValueError(
            f"Turn {turn.turn_index}: loss_mask has {len(mask)} entries for "
            f"{len(turn.completion_token_ids)} completion tokens; give one per token."
        )
    if not turn.prompt_token_ids:
        raise ValueError(f"Turn {turn.turn_index}: empty prompt; the first token would have no context.")


def sequences_from_turns(turns: Seq[Turn], advantages: Seq[float], *, concatenate: bool = True) -> list[Sequence]:
    """The sequences of one agent's turns in one episode (turn advantage on every completion token).

    Args:
        turns: that agent's turns, in order.
        advantages: one advantage per turn.
        concatenate: merge a turn into the previous sequence when its prompt extends it exactly.
    """
    if len(turns) != len(advantages):
        raise ValueError(f"{len(turns)} turns but {len(advantages)} advantages; give one per turn.")
    out: list[Sequence] = []
    for turn, adv in zip(turns, advantages, strict=True):
        _check_turn(turn)
        prompt, completion = list(turn.prompt_token_ids), list(turn.completion_token_ids)
        mask = [int(m) for m in getattr(turn, "loss_mask", None) or [1] * len(completion)]
        last = out[-1] if out and concatenate else None
        if last is not None and prompt[: len(last)] == last.input_ids:
            new = prompt[len(last) :]
            last.input_ids += new + completion
            last.loss_mask += [0] * len(new) + mask
            last.old_logprobs += [0.0] * len(new) + list(turn.completion_logprobs)
            last.advantages += [0.0] * len(new) + [float(adv)] * len(completion)
        else:
            out.append(
                Sequence(
                    prompt + completion,
                    [0] * len(prompt) + mask,
                    [0.0] * len(prompt) + list(turn.completion_logprobs),
                    [0.0] * len(prompt) + [float(adv)] * len(completion),
                )
            )
    return out


def loss_weights(sequences: Seq[Sequence], aggregation: Aggregation) -> list[list[float]]:
    """Per-token weights whose weighted sum of per-token losses is the batch loss.

    ``"token-mean"``: every completion token of the batch weighs ``1 / total completion tokens``.
    ``"sequence-mean"``: a token of sequence s weighs ``1 / (tokens of s * number of sequences)``.
    Sequences with no completion token weigh nothing (and do not count).
    """
    live = [s for s in sequences if s.num_completion_tokens]
    if aggregation == "token-mean":
        total = sum(s.num_completion_tokens for s in live)
        return [[m / total if total else 0.0 for m in s.loss_mask] for s in sequences]
    if aggregation == "sequence-mean":
        return [[m / (s.num_completion_tokens * len(live)) if m else 0.0 for m in s.loss_mask] for s in sequences]
    raise ValueError(f"aggregation must be 'token-mean' or 'sequence-mean', got {aggregation!r}.")


def collate(sequences: Seq[Sequence], weights: Seq[Seq[float]], pad_id: int = 0, device: Any = None) -> dict[str, Any]:
    """Right-pads sequences into tensors (on `device` when given); ``targets``-aligned fields are shifted by one.

    Returns ``input_ids``/``attention_mask`` of shape (B, L) and, for the L-1 predicted positions,
    ``targets``, ``loss_mask``, ``old_logprobs``, ``advantages`` and ``weights``.
    """
    torch = require("torch", "train")
    width = max(len(s) for s in sequences)

    def pad(rows: Seq[Seq[float]], value: float, dtype: Any) -> Any:
        return torch.tensor([list(r) + [value] * (width - len(r)) for r in rows], dtype=dtype)

    ids = pad([s.input_ids for s in sequences], pad_id, torch.long)
    batch = {
        "input_ids": ids,
        "attention_mask": pad([[1] * len(s) for s in sequences], 0, torch.long),
        "targets": ids[:, 1:],
        "loss_mask": pad([s.loss_mask for s in sequences], 0, torch.float32)[:, 1:],
        "old_logprobs": pad([s.old_logprobs for s in sequences], 0.0, torch.float32)[:, 1:],
        "advantages": pad([s.advantages for s in sequences], 0.0, torch.float32)[:, 1:],
        "weights": pad(weights, 0.0, torch.float32)[:, 1:],
    }
    if device is not None:
        batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    return batch


def split_by_budget(lengths: Seq[int], max_sequences: int, max_tokens: int = 0) -> list[range]:
    """Consecutive index ranges of at most `max_sequences` items whose padded size fits `max_tokens`.

    The padded size of a range is ``len(range) * max(lengths in it)``; ``max_tokens`` 0 means no token
    budget. A sequence longer than the budget goes alone (it cannot be split).

    Example:
        >>> split_by_budget([4, 4, 4, 9, 2], max_sequences=8, max_tokens=12)
        [range(0, 3), range(3, 4), range(4, 5)]
    """
    if max_sequences < 1:
        raise ValueError(f"micro_batch_size must be >= 1, got {max_sequences}.")
    out: list[range] = []
    start, longest = 0, 0
    for i, length in enumerate(lengths):
        wider = max(longest, length)
        full = i - start >= max_sequences or (max_tokens > 0 and wider * (i - start + 1) > max_tokens)
        if i > start and full:
            out.append(range(start, i))
            start, wider = i, length
        longest = wider
    if start < len(lengths):
        out.append(range(start, len(lengths)))
    return out


def micro_batches(
    sequences: Seq[Sequence],
    aggregation: Aggregation,
    micro_batch_size: int,
    pad_id: int = 0,
    *,
    max_tokens: int = 0,
    device: Any = None,
) -> list[dict[str, Any]]:
    """Splits a batch into collated micro-batches whose loss weights come from the whole batch.

    Args:
        sequences: the batch.
        aggregation: ``"token-mean"`` or ``"sequence-mean"`` (see `loss_weights`).
        micro_batch_size: most sequences per micro-batch.
        pad_id: the padding token id.
        max_tokens: when > 0, most padded tokens per micro-batch (see `split_by_budget`).
        device: where the tensors go (the model's device); None leaves them on the CPU.
    """
    weights = loss_weights(sequences, aggregation)
    ranges = split_by_budget([len(s) for s in sequences], micro_batch_size, max_tokens)
    return [collate([sequences[i] for i in r], [weights[i] for i in r], pad_id, device) for r in ranges]
