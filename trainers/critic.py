"""Turn-level GAE with a learned value head (``estimator = "gae"``).

The critic scores the *state* a turn acted in: V(s_t) is a small MLP (`value_head`) over the policy's
final hidden state at the last token of turn t's prompt. The features are taken without gradients, so
the value loss never moves the policy and needs no weight against the policy loss; the head has its own
AdamW and learning rate (`TrainConfig.critic_lr`).

Per (episode, seat), with that seat's turn rewards r_t (the seat's return minus the sum of its turn
rewards is added to its last turn, so rewards a seat receives after its last move, e.g. on the
opponent's winning move, count) and V_t the head's values when the batch was collected:

* ``delta_t = r_t + gamma V_{t+1} - V_t``, ``A_t = delta_t + gamma lam A_{t+1}`` (`turn_gae`);
* V_T = 0 when the episode terminated; when it was cut (truncated), V_T is the head's value of the last
  turn's prompt + completion (the last state the trainer has tokens for);
* value targets ``G_t = A_t + V_t``; the value loss is PPO's clipped one,
  ``0.5 max((V - G)^2, (V_old + clip(V - V_old, -c, c) - G)^2)`` averaged over turns, with ``c`` =
  `value_clip` (0: unclipped), for `critic_epochs` full-batch passes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from agora._optional import require
from agora.trainers.advantages import turn_gae
from agora.trainers.credit import Trained, _units
from agora.trajectory import Episode, Turn


def seat_rewards(episode: Episode, seat: str, turns: Sequence[Turn]) -> np.ndarray:
    """Turn rewards of `seat`, with whatever of its return came after its last turn added to that turn."""
    rewards = np.array([t.reward for t in turns], dtype=np.float64)
    if len(rewards):
        rewards[-1] += episode.returns.get(seat, float(rewards.sum())) - rewards.sum()
    return rewards


def gae_over_units(
    rewards: Sequence[np.ndarray],
    values: Sequence[np.ndarray],
    bootstraps: Sequence[float],
    *,
    gamma: float,
    lam: float,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """`turn_gae` over each (episode, seat): (advantages, value targets), one array per unit."""
    out = [
        turn_gae(r, v, gamma=gamma, lam=lam, bootstrap_value=b)
        for r, v, b in zip(rewards, values, bootstraps, strict=True)
    ]
    return [a for a, _ in out], [g for _, g in out]


def value_loss(values: Any, old_values: Any, targets: Any, clip: float) -> Any:
    """PPO's clipped value loss, ``0.5 mean(max((V - G)^2, (V_old + clip(V - V_old, -c, c) - G)^2))``."""
    torch = require("torch", "train")
    loss = (values - targets) ** 2
    if clip > 0:
        clipped = old_values + torch.clamp(values - old_values, -clip, clip)
        loss = torch.maximum(loss, (clipped - targets) ** 2)
    return 0.5 * loss.mean()


def value_head(hidden_size: int, width: int) -> Any:
    """The critic's MLP: ``Linear(H, width) -> tanh -> Linear(width, 1)``."""
    nn = require("torch", "train").nn
    return nn.Sequential(nn.Linear(hidden_size, width), nn.Tanh(), nn.Linear(width, 1))


@dataclasses.dataclass
class CriticBatch:
    """What the value head is fit on after an update: features, values at collection, targets."""

    features: Any
    old_values: Any
    targets: Any


class Critic:
    """The value head, its optimizer and GAE over episode records (see the module docs).

    Args:
        hidden_size: the policy's hidden size (the features' width).
        width: hidden width of the head.
        lr: the head's AdamW learning rate.
        epochs: full-batch passes per `fit`.
        clip: value clip range (0: none).
        gamma: discount per turn.
        lam: GAE lambda.
        device: where the head lives (the policy's device).
        batch_size: prompts per feature forward pass.
    """

    def __init__(
        self,
        hidden_size: int,
        *,
        width: int = 64,
        lr: float = 1e-3,
        epochs: int = 4,
        clip: float = 0.2,
        gamma: float = 1.0,
        lam: float = 0.95,
        device: Any = "cpu",
        batch_size: int = 8,
    ):
        torch = require("torch", "train")
        self.head = value_head(hidden_size, width).to(device)
        self.optimizer = torch.optim.AdamW(self.head.parameters(), lr=lr)
        self.epochs, self.clip, self.gamma, self.lam = epochs, clip, gamma, lam
        self.device, self.batch_size = device, batch_size

    def features(self, model: Any, prompts: Sequence[Sequence[int]], pad_id: int = 0) -> Any:
        """Final hidden state of `model` at the last token of each prompt, (N, H) fp32, no gradients."""
        torch = require("torch", "train")
        out = []
        for i in range(0, len(prompts), self.batch_size):
            chunk = [list(p) for p in prompts[i : i + self.batch_size]]
            width = max(len(p) for p in chunk)
            ids = torch.tensor([p + [pad_id] * (width - len(p)) for p in chunk], device=self.device)
            mask = torch.tensor([[1] * len(p) + [0] * (width - len(p)) for p in chunk], device=self.device)
            with torch.no_grad():
                hidden = model(
                    input_ids=ids, attention_mask=mask, output_hidden_states=True, logits_to_keep=1
                ).hidden_states[-1]
            last = torch.tensor([len(p) - 1 for p in chunk], device=self.device)
            out.append(hidden[torch.arange(len(chunk), device=self.device), last].float())
        return torch.cat(out) if out else torch.zeros((0, self.head[0].in_features), device=self.device)

    def values(self, features: Any) -> Any:
        """V of each feature row (no gradients), shape (N,)."""
        torch = require("torch", "train")
        with torch.no_grad():
            return self.head(features).squeeze(-1)

    def advantages(
        self, model: Any, episodes: Sequence[Episode], learner_seats: Sequence[Sequence[str]], pad_id: int = 0
    ) -> tuple[Trained, CriticBatch]:
        """Per-turn GAE advantages of the learner's turns, and the batch to `fit` the head on afterwards."""
        torch = require("torch", "train")
        units = [(e, s, e.turns_of(s)) for e, s in _units(episodes, learner_seats)]
        units = [(e, s, ts) for e, s, ts in units if all(t.prompt_token_ids for t in ts)]
        prompts = [t.prompt_token_ids for _, _, ts in units for t in ts]
        cut = [(e, ts[-1]) for e, _, ts in units if e.truncated and not e.terminated]
        tails = [t.prompt_token_ids + (t.completion_token_ids or []) for _, t in cut]
        features = self.features(model, prompts + tails, pad_id)
        values = self.values(features).double().cpu().numpy()
        per_unit, boot, start, k = [], [], 0, len(prompts)
        for e, _, ts in units:
            per_unit.append(values[start : start + len(ts)])
            start += len(ts)
            cut_here = e.truncated and not e.terminated
            boot.append(float(values[k]) if cut_here else 0.0)
            k += cut_here
        rewards = [seat_rewards(e, s, ts) for e, s, ts in units]
        adv, targets = gae_over_units(rewards, per_unit, boot, gamma=self.gamma, lam=self.lam)
        n = len(prompts)
        batch = CriticBatch(
            features[:n],
            torch.as_tensor(values[:n], dtype=torch.float32, device=self.device),
            torch.as_tensor(
                np.concatenate(targets) if targets else np.zeros(0), dtype=torch.float32, device=self.device
            ),
        )
        return [(e, s, ts, a) for (e, s, ts), a in zip(units, adv, strict=True)], batch

    def fit(self, batch: CriticBatch) -> dict[str, float]:
        """`epochs` full-batch steps of the clipped value loss; returns ``value_loss`` (last) and ``explained_var``."""
        if len(batch.targets) == 0:
            return {}
        self.head.train()
        loss = None
        for _ in range(self.epochs):
            self.optimizer.zero_grad()
            loss = value_loss(self.head(batch.features).squeeze(-1), batch.old_values, batch.targets, self.clip)
            loss.backward()
            self.optimizer.step()
        self.head.eval()
        var = float(batch.targets.var(unbiased=False)) if len(batch.targets) > 1 else 0.0
        resid = float((batch.targets - batch.old_values).var(unbiased=False)) if len(batch.targets) > 1 else 0.0
        return {"value_loss": float(loss.detach()), "explained_var": 1.0 - resid / var if var > 0 else 0.0}

    def state_dict(self) -> dict[str, Any]:
        """Head and optimizer state, for checkpoints."""
        return {"head": self.head.state_dict(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Loads what `state_dict` returned."""
        self.head.load_state_dict(state["head"])
        self.optimizer.load_state_dict(state["optimizer"])
