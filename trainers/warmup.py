"""Format warm-up: supervised steps on uniformly random legal moves, before RL.

A tiny model built from random weights almost never writes a well-formed move such as ``[1 2]``,
so RL would see only invalid moves. A few supervised steps on the replies of a random legal
player (through the same chat template and token-level history as `HFAgent`) give a starting
policy that plays valid moves at random; RL must then do better than that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agora._optional import require
from agora.agents.chat import Completion, TokenChatAgent
from agora.trainers.batch import micro_batches
from agora.trainers.loss import token_logprobs
from agora.trainers.policy import model_device
from agora.trainers.update import build_sequences


class RandomMoveTeacher(TokenChatAgent):
    """Replies with a random legal move (tokenised, then EOS), recorded token in / token out."""

    name = "random-move-teacher"

    def __init__(
        self, tokenizer: Any, seed: int = 0, system_prompt: str | None = None, history: str = "full", last_k: int = 4
    ):
        self.tokenizer = tokenizer
        self.rng = np.random.default_rng(seed)
        self._legal: list[str] = []
        super().__init__(system_prompt=system_prompt, history=history, last_k=last_k)

    def reset(self, seed: int | None = None) -> None:
        """New conversation; a seed reseeds the move choice."""
        super().reset(seed)
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def _add_observation(self, observation: str, info: Mapping[str, Any]) -> None:
        self._legal = list(info.get("legal_actions") or [])
        super()._add_observation(observation, info)

    def _complete(self, prompt_ids: list[int] | None) -> Completion:
        move = self._legal[int(self.rng.integers(len(self._legal)))] if self._legal else "[0]"
        ids = self._encode(move) + [self.tokenizer.eos_token_id]
        return Completion(text=move, token_ids=ids, logprobs=[0.0] * len(ids), prompt_token_ids=prompt_ids)


def sft_step(model: Any, optimizer: Any, trained: Any, micro_batch_size: int, pad_id: int) -> float:
    """One supervised step (token-mean negative log-likelihood of the completions); returns the loss."""
    torch = require("torch", "train")
    sequences = build_sequences(trained)
    model.train()
    optimizer.zero_grad()
    total = 0.0
    for batch in micro_batches(sequences, "token-mean", micro_batch_size, pad_id, device=model_device(model)):
        logp, _ = token_logprobs(model, batch)
        loss = -(logp * batch["weights"]).sum()
        loss.backward()
        total += float(loss.detach())
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    model.eval()
    return total
