"""Credit over episode records: the estimators of `agora.trainers.advantages` applied to `Episode`s.

`turn_advantages` returns, for every trained (episode, seat) pair, that seat's turns and one
advantage per turn. Returns are per seat (`Episode.returns`), groups are `Episode.group_id`
(episodes of one task), roles are seats (agent ids). Failed episodes are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from agora.trainers import advantages as adv
from agora.trajectory import Episode, Turn

Trained = list[tuple[Episode, str, list[Turn], np.ndarray]]
ESTIMATORS = ("grpo", "rloo", "rae", "step_group", "stratified")
"""Estimators `turn_advantages` computes from returns alone."""
CRITIC_ESTIMATORS = ("gae",)
"""Estimators that need the learned value head (`agora.trainers.critic`), computed in the loop."""


def override_invalid(trained: Trained, value: float) -> Trained:
    """Sets the advantage of every turn the env rejected (``Turn.valid`` False) to `value`."""
    out = []
    for episode, seat, turns, values in trained:
        values = np.where([not t.valid for t in turns], value, values).astype(np.float64)
        out.append((episode, seat, turns, values))
    return out


def _units(episodes: Sequence[Episode], learner_seats: Sequence[Sequence[str]]) -> list[tuple[Episode, str]]:
    units = []
    for episode, seats in zip(episodes, learner_seats, strict=True):
        if episode.status == "ok":
            units.extend((episode, seat) for seat in seats if episode.turns_of(seat))
    return units


def turn_advantages(
    episodes: Sequence[Episode],
    learner_seats: Sequence[Sequence[str]],
    *,
    estimator: str,
    std: Any = "sample",
    gamma: float = 1.0,
    w: float = 1.0,
    beta: float = 1.0,
    rae: adv.RAE | None = None,
) -> Trained:
    """Per-turn advantages of the learner's turns (see the module docs).

    Args:
        episodes: the collected episodes.
        learner_seats: for each episode, the seats the learner played (and trains on).
        estimator: one of `ESTIMATORS`; ``"stratified"`` uses the seat (first mover or not) as stratum.
        std: GRPO / stratified std convention.
        gamma: discount of step_group's turn returns.
        w: weight of step_group's step term.
        beta: weight of the stratified estimate.
        rae: the `RAE` state (updated in place) when ``estimator="rae"``.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"Unknown estimator {estimator!r}; use one of {', '.join(ESTIMATORS)}.")
    units = _units(episodes, learner_seats)
    turns = [e.turns_of(seat) for e, seat in units]
    returns = [e.returns.get(seat, 0.0) for e, seat in units]
    groups = [e.group_id for e, _ in units]
    if estimator == "rae":
        if rae is None:
            raise ValueError("estimator='rae' needs the RAE state object (rae=RAE(...)).")
        values = [
            rae.turn_advantages(e.env_id, seat, r, len(t))
            for (e, seat), r, t in zip(units, returns, turns, strict=True)
        ]
    elif estimator == "step_group":
        data = [(g, [(turn.state_key, turn.reward) for turn in t]) for g, t in zip(groups, turns, strict=True)]
        values = adv.step_group(data, gamma=gamma, w=w)
    else:
        if estimator == "grpo":
            per_unit = adv.grpo(returns, groups, std=std)
        elif estimator == "rloo":
            per_unit = adv.rloo(returns, groups)
        else:
            per_unit = adv.stratified(returns, groups, [seat for _, seat in units], beta=beta, std=std)
        values = [np.full(len(t), a) for t, a in zip(turns, per_unit, strict=True)]
    return [(e, s, t, v) for (e, s), t, v in zip(units, turns, values, strict=True)]
