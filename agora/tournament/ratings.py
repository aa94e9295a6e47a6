"""Ratings from game records: Elo (Bradley-Terry maximum likelihood), openskill, bootstrap intervals.

Games are the rollout engine's `Episode` records (``agents``: seat -> spec, ``returns``: seat ->
reward, ``meta["deal"]``). Each finished game gives every distinct agent in it a *score*: its mean
reward over the seats it held. Games of one duplicate deal (the same seed, seats rotated; see
`schedule`) are summed into one match, and any two agents in a match won, drew or lost against
each other by comparing scores.

* **Elo** is the Bradley-Terry model fitted by maximum likelihood (Hunter's MM algorithm) on the
  pairwise results, draws counting half, on the Elo scale (400 points = 10:1 odds), mean 1000.
  Unlike sequential Elo it does not depend on the order of the games. One virtual draw between
  every pair keeps the ratings finite when an agent never loses.
* **openskill** (Plackett-Luce, TrueSkill-style) processes games in index order, each agent a team
  ranked by its score; we report mu and sigma.
* **Bootstrap**: both ratings are refitted on `samples` resamples of the games (with replacement);
  the 2.5 and 97.5 percentiles give a 95% interval. When every resample gives an agent the same
  Elo (all deals ended alike: a degenerate bootstrap), its interval comes from the Fisher
  information of the Bradley-Terry fit instead (normal approximation), never a single point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from agora.trajectory import Episode

GameScores = dict[str, float]
"""Agent spec -> score in one game."""

PRIOR_DRAWS = 1.0
ELO_MEAN = 1000.0


def game_scores(episode: Episode) -> GameScores:
    """Mean reward of each distinct agent over its seats in one finished game."""
    totals: dict[str, list[float]] = {}
    for seat, agent in episode.agents.items():
        totals.setdefault(agent, []).append(float(episode.returns[seat]))
    return {a: sum(r) / len(r) for a, r in totals.items()}


def deal_scores(episodes: Sequence[Episode]) -> list[GameScores]:
    """One score dict per duplicate deal: each agent's game scores summed over the deal's games.

    Games without a ``meta["deal"]`` count as their own deal. Deals come in the order of their
    first game.
    """
    deals: dict[Any, GameScores] = {}
    for record in episodes:
        key = record.meta.get("deal", ("game", record.episode_id))
        total = deals.setdefault(key, {})
        for agent, score in game_scores(record).items():
            total[agent] = total.get(agent, 0.0) + score
    return list(deals.values())


def pairwise(games: Sequence[GameScores], agents: Sequence[str]) -> np.ndarray:
    """`result[i, j, k]`: games where agent i won (k=0), drew (k=1), lost (k=2) against agent j."""
    index = {a: i for i, a in enumerate(agents)}
    result = np.zeros((len(agents), len(agents), 3), dtype=np.int64)
    for scores in games:
        present = list(scores)
        for x in range(len(present)):
            for y in range(x + 1, len(present)):
                i, j = index[present[x]], index[present[y]]
                diff = scores[present[x]] - scores[present[y]]
                k = 1 if abs(diff) < 1e-9 else (0 if diff > 0 else 2)
                result[i, j, k] += 1
                result[j, i, 2 - k] += 1
    return result


def elo(wdl: np.ndarray, iterations: int = 2000, tol: float = 1e-10) -> np.ndarray:
    """Bradley-Terry maximum-likelihood ratings on the Elo scale (mean `ELO_MEAN`) from `pairwise` counts."""
    k = wdl.shape[0]
    prior = PRIOR_DRAWS * (1 - np.eye(k))
    games = wdl.sum(axis=2) + prior
    wins = (wdl[:, :, 0] + 0.5 * wdl[:, :, 1]).sum(axis=1) + 0.5 * prior.sum(axis=1)
    gamma = np.ones(k)
    for _ in range(iterations):
        denom = (games / (gamma[:, None] + gamma[None, :])).sum(axis=1)
        new = wins / denom
        new /= np.exp(np.log(new).mean())
        done = np.max(np.abs(new - gamma)) < tol
        gamma = new
        if done:
            break
    ratings = 400.0 * np.log10(gamma)
    return ratings - ratings.mean() + ELO_MEAN


def openskill(games: Sequence[GameScores], agents: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Openskill Plackett-Luce (mu, sigma) per agent after the games in the given order."""
    from agora._optional import require

    model = require("openskill.models", "games").PlackettLuce()
    ratings = {a: model.rating(name=a) for a in agents}
    for scores in games:
        present = list(scores)
        if len(present) < 2:
            continue
        teams = model.rate([[ratings[a]] for a in present], scores=[scores[a] for a in present])
        for a, (rating,) in zip(present, teams, strict=True):
            ratings[a] = rating
    return (np.array([ratings[a].mu for a in agents]), np.array([ratings[a].sigma for a in agents]))


def bootstrap(
    games: Sequence[GameScores], agents: Sequence[str], samples: int = 200, seed: int = 0
) -> dict[str, np.ndarray]:
    """95% intervals of Elo and openskill mu over `samples` resamples of the games: arrays (k, 2).

    Where every resample gives the same value (the same games in each, e.g. one agent won every deal), an
    interval would be a single point: Elo's is then the Fisher interval of the fit (`elo_fisher_interval`),
    openskill's ``mu +- 1.96 sigma``.
    """
    rng = np.random.default_rng(seed)
    elos, mus = [], []
    for _ in range(samples if games else 0):
        picked = [games[i] for i in rng.integers(len(games), size=len(games))]
        elos.append(elo(pairwise(picked, agents)))
        mus.append(openskill(picked, agents)[0])
    if not elos:
        nan = np.full((len(agents), 2), np.nan)
        return {"elo": nan, "openskill_mu": nan}

    def fisher() -> np.ndarray:
        wdl = pairwise(games, agents)
        return elo_fisher_interval(wdl, elo(wdl))

    def mu_sigma() -> np.ndarray:
        mu, sigma = openskill(games, agents)
        return np.stack([mu - 1.96 * sigma, mu + 1.96 * sigma], axis=1)

    return {
        "elo": _widen_points(np.percentile(elos, [2.5, 97.5], axis=0).T, fisher),
        "openskill_mu": _widen_points(np.percentile(mus, [2.5, 97.5], axis=0).T, mu_sigma),
    }


def _widen_points(intervals: np.ndarray, fallback: Callable[[], np.ndarray]) -> np.ndarray:
    """Rows of `intervals` that are a single point (every resample the same games) take `fallback()`'s rows."""
    point = intervals[:, 1] - intervals[:, 0] < 1e-6
    if point.any():
        intervals[point] = fallback()[point]
    return intervals


def elo_fisher_interval(wdl: np.ndarray, ratings: np.ndarray, z: float = 1.96) -> np.ndarray:
    """95% intervals (k, 2) of `elo` ratings from the Fisher information of the Bradley-Terry fit.

    The information of the log-strengths is ``n_ij p_ij p_ji`` per pair (the prior draws included);
    ratings are fixed only up to a constant, so the covariance is its pseudo-inverse.
    """
    k = wdl.shape[0]
    games = wdl.sum(axis=2) + PRIOR_DRAWS * (1 - np.eye(k))
    theta = ratings * np.log(10) / 400.0
    p = 1.0 / (1.0 + np.exp(theta[None, :] - theta[:, None]))
    weight = games * p * p.T
    info = np.diag(weight.sum(axis=1)) - weight
    se = np.sqrt(np.clip(np.diag(np.linalg.pinv(info)), 0, None)) * 400.0 / np.log(10)
    return np.stack([ratings - z * se, ratings + z * se], axis=1)
