"""Turn-level credit assignment: pure numpy estimators (the math of ../shared/CREDIT.md).

Every convention is an explicit argument. A *group* is the episodes that share one task (env id +
seed); ``groups`` is one hashable group id per episode. Each function returns float64 arrays and
never mutates its inputs. The trainer (`agora.trainers.credit`) wraps these over `Episode` records
and gives a turn's advantage to every completion token of that turn.

Conventions shared by the group estimators:

* a group of size 1 gives advantage 0 (there is nothing to compare it with);
* all-equal returns in a group give advantage 0 (``0 / (0 + eps) == 0``);
* ``std="sample"`` divides by the N-1 standard deviation, ``"population"`` by the N one, and
  ``None`` only centres (Dr. GRPO).

>>> grpo([1.0, 0.0, 1.0, 0.0], ["a", "a", "b", "b"], std="population", eps=0.0).tolist()
[1.0, -1.0, 1.0, -1.0]
>>> discounted_returns([0.0, 0.0, 1.0], gamma=0.5).tolist()
[0.25, 0.5, 1.0]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

Std = Literal["sample", "population"] | None
_STD_CHOICES = ("sample", "population", None)


def _group_indices(groups: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    """Group id -> indices of its members, in first-seen order."""
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    return members


def _check(returns: Any, groups: Sequence[Hashable], std: Any = "sample") -> np.ndarray:
    values = np.asarray(returns, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"returns must be 1-D (one value per episode), got shape {values.shape}.")
    if len(groups) != len(values):
        raise ValueError(
            f"groups has {len(groups)} ids but returns has {len(values)} values; give one group id per episode."
        )
    if std not in _STD_CHOICES:
        raise ValueError(f"std must be 'sample', 'population' or None, got {std!r}.")
    return values


def _normalise(values: np.ndarray, std: Std, eps: float) -> np.ndarray:
    """(x - mean) / (std + eps) over one set of values; a set of size 1 gives 0."""
    if len(values) < 2:
        return np.zeros_like(values)
    centred = values - values.mean()
    if std is None:
        return centred
    return centred / (values.std(ddof=1 if std == "sample" else 0) + eps)


def grpo(returns: Any, groups: Sequence[Hashable], *, std: Std = "sample", eps: float = 1e-6) -> np.ndarray:
    """GRPO: ``A_i = (R_i - mean_g) / (std_g + eps)``, one value per episode (broadcast to its turns).

    Args:
        returns: episode returns R_i.
        groups: group id of each episode.
        std: ``"sample"`` (N-1), ``"population"`` (N) or ``None`` (mean-centred only, Dr. GRPO).
        eps: added to the std.
    """
    values = _check(returns, groups, std)
    out = np.zeros_like(values)
    for idx in _group_indices(groups).values():
        out[idx] = _normalise(values[idx], std, eps)
    return out


def rloo(returns: Any, groups: Sequence[Hashable]) -> np.ndarray:
    """RLOO: ``A_i = R_i - mean_{j != i} R_j = N/(N-1) (R_i - mean_g)``; a group of size 1 gives 0."""
    values = _check(returns, groups)
    out = np.zeros_like(values)
    for idx in _group_indices(groups).values():
        n = len(idx)
        if n > 1:
            out[idx] = n / (n - 1) * (values[idx] - values[idx].mean())
    return out


def discounted_returns(rewards: Any, gamma: float) -> np.ndarray:
    """Turn returns of one episode: ``G_t = sum_{k>=t} gamma^(k-t) r_k``."""
    r = np.asarray(rewards, dtype=np.float64)
    out = np.zeros_like(r)
    running = 0.0
    for t in range(len(r) - 1, -1, -1):
        running = r[t] + gamma * running
        out[t] = running
    return out


def turn_gae(
    rewards: Any, values: Any, *, gamma: float, lam: float, bootstrap_value: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Turn-level GAE over one episode; returns ``(advantages, value targets)``.

    ``delta_t = r_t + gamma V_{t+1} - V_t`` with ``V_T = bootstrap_value``;
    ``A_t = delta_t + gamma lam A_{t+1}``; target ``G_t = A_t + V_t``.

    Args:
        rewards: the episode's turn rewards r_0..r_{T-1}.
        values: the critic's value of each turn's prompt V_0..V_{T-1}.
        gamma: discount per turn.
        lam: GAE lambda.
        bootstrap_value: V(s_T): 0 when the episode terminated, the critic's value of the last
            observation when it was truncated.
    """
    r = np.asarray(rewards, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if r.shape != v.shape:
        raise ValueError(f"rewards {r.shape} and values {v.shape} need one value per turn each.")
    adv = np.zeros_like(r)
    next_value, running = float(bootstrap_value), 0.0
    for t in range(len(r) - 1, -1, -1):
        delta = r[t] + gamma * next_value - v[t]
        running = delta + gamma * lam * running
        adv[t] = running
        next_value = v[t]
    return adv, adv + v


class RAE:
    """Role-conditioned advantage estimation (SPIRAL) for self-play.

    One moving baseline per (env id, role), initially 0. ``advantage`` returns ``R - b`` with the
    baseline *before* the update, then sets ``b <- alpha b + (1 - alpha) R``. Turn t of that role
    (of T) gets ``A gamma^(T-1-t)`` (`turn_advantages`). The baselines are saved in checkpoints
    through `state_dict` / `load_state_dict`.

    Args:
        alpha: baseline decay (0.95).
        gamma: per-turn discount of the advantage towards earlier turns (1.0: none).
    """

    def __init__(self, alpha: float = 0.95, gamma: float = 1.0):
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"alpha must be in [0, 1), got {alpha}.")
        self.alpha = float(alpha)
        self.gamma = float(gamma)
        self.baselines: dict[str, dict[str, float]] = {}

    def baseline(self, env_id: str, role: str) -> float:
        """The current baseline of `role` in `env_id` (0 before its first episode)."""
        return self.baselines.get(env_id, {}).get(role, 0.0)

    def advantage(self, env_id: str, role: str, episode_return: float) -> float:
        """``R - b`` with the old baseline, then updates the baseline with R."""
        b = self.baseline(env_id, role)
        new = self.alpha * b + (1.0 - self.alpha) * float(episode_return)
        self.baselines.setdefault(env_id, {})[role] = new
        return float(episode_return) - b

    def turn_advantages(self, env_id: str, role: str, episode_return: float, num_turns: int) -> np.ndarray:
        """`advantage` spread over the role's turns: turn t gets ``A gamma^(T-1-t)``."""
        a = self.advantage(env_id, role, episode_return)
        return a * self.gamma ** np.arange(num_turns - 1, -1, -1, dtype=np.float64)

    def state_dict(self) -> dict[str, Any]:
        """JSON-able state: alpha, gamma and every baseline."""
        return {
            "alpha": self.alpha,
            "gamma": self.gamma,
            "baselines": {e: dict(roles) for e, roles in self.baselines.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restores what `state_dict` returned."""
        self.alpha = float(state["alpha"])
        self.gamma = float(state["gamma"])
        self.baselines = {
            env: {role: float(b) for role, b in roles.items()} for env, roles in state["baselines"].items()
        }


StepEpisode = tuple[Hashable, Sequence[tuple[Hashable, float]]]


def step_group(
    episodes: Sequence[StepEpisode], *, gamma: float, w: float = 1.0, scale: bool = False
) -> list[np.ndarray]:
    """GiGPO-style step groups: ``A_{i,t} = A^E_i + w A^S_{i,t}``.

    ``A^E_i = R_i - mean`` of the (undiscounted) returns of the group's episodes;
    ``A^S_{i,t} = G_{i,t} - mean`` of the discounted returns G of every turn in the same group
    whose state key equals ``s_{i,t}``. A singleton state group (and a ``None`` key, which never
    matches) gives ``A^S = 0``.

    Args:
        episodes: ``(group_id, [(state_key, reward), ...])`` per episode, turns in order.
        gamma: discount of the turn returns G used by the step term.
        w: weight of the step term.
        scale: divide each term by its sample std (+1e-6) within its group / state group.

    Returns:
        One array of per-turn advantages per episode.
    """
    returns = [float(sum(r for _, r in turns)) for _, turns in episodes]
    a_episode = grpo(returns, [g for g, _ in episodes], std="sample" if scale else None)
    turn_g = [discounted_returns([r for _, r in turns], gamma) for _, turns in episodes]
    buckets: dict[tuple[Hashable, Hashable], list[tuple[int, int]]] = defaultdict(list)
    for i, (group, turns) in enumerate(episodes):
        for t, (key, _) in enumerate(turns):
            if key is not None:
                buckets[(group, key)].append((i, t))
    a_step = [np.zeros_like(g) for g in turn_g]
    for members in buckets.values():
        values = _normalise(np.array([turn_g[i][t] for i, t in members]), "sample" if scale else None, 1e-6)
        for (i, t), v in zip(members, values, strict=True):
            a_step[i][t] = v
    return [a_episode[i] + w * a_step[i] for i in range(len(episodes))]


def stratified(
    returns: Any,
    groups: Sequence[Hashable],
    strata: Sequence[Hashable],
    *,
    beta: float = 1.0,
    std: Std = "sample",
    eps: float = 1e-6,
) -> np.ndarray:
    """Stratified normalisation: ``A = beta A_strat + (1 - beta) A_global``.

    ``A_strat`` normalises each episode's return within its (group, stratum) cell, ``A_global``
    within its group (both as `grpo` with the same ``std`` / ``eps``; a cell of one episode gives 0).

    Args:
        returns: episode returns.
        groups: group id of each episode.
        strata: structural key of each episode (number of tool calls, first mover, ...).
        beta: weight of the stratified estimate.
        std: as in `grpo`.
        eps: as in `grpo`.
    """
    if len(strata) != len(groups):
        raise ValueError(f"strata has {len(strata)} keys but groups has {len(groups)}; give one per episode.")
    global_adv = grpo(returns, groups, std=std, eps=eps)
    strat_adv = grpo(returns, list(zip(groups, strata, strict=True)), std=std, eps=eps)
    return beta * strat_adv + (1.0 - beta) * global_adv
