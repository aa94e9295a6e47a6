from __future__ import annotations

import math

import numpy as np
import pytest

from agora.tournament import ratings, round_robin_schedule
from agora.tournament.schedule import lineup
from agora.trajectory import Episode


def _game(seats: list[str], rewards: list[float], deal: int | None = None) -> Episode:
    names = [f"player_{k}" for k in range(len(seats))]
    return Episode(
        "x",
        "g/X-v0",
        0,
        "x",
        agents=dict(zip(names, seats, strict=True)),
        returns=dict(zip(names, rewards, strict=True)),
        meta={} if deal is None else {"deal": deal},
    )


def test_pairs_swap_seats_every_game() -> None:
    matches = round_robin_schedule("g/X-v0", ["a", "b", "c"], 2, games_per_pair=4, seed=0)
    assert len(matches) == 12 and [m.index for m in matches] == list(range(12))
    ab = [m.seats for m in matches if set(m.seats) == {"a", "b"}]
    assert ab == [("a", "b"), ("b", "a"), ("a", "b"), ("b", "a")]
    assert len({m.seed for m in matches}) == 6  # duplicate deals: each pair plays every deal from both seats
    for first, second in zip(matches[0::6], matches[3::6], strict=True):
        assert first.seed == second.seed and first.deal == second.deal and first.seats == second.seats[::-1]


def test_deal_scores_sum_the_games_of_a_deal() -> None:
    records = [
        _game(["a", "b"], [1.0, -1.0], deal=0),
        _game(["b", "a"], [2.0, -2.0], deal=0),
        _game(["a", "b"], [1.0, -1.0], deal=1),
    ]
    assert ratings.deal_scores(records) == [{"a": -1.0, "b": 1.0}, {"a": 1.0, "b": -1.0}]


def test_more_games_keep_the_earlier_indices_and_seeds() -> None:
    short = round_robin_schedule("g/X-v0", ["a", "b", "c"], 2, games_per_pair=2, seed=5)
    long = round_robin_schedule("g/X-v0", ["a", "b", "c"], 2, games_per_pair=5, seed=5)
    assert long[: len(short)] == short


def test_multiplayer_lineups_rotate_through_every_seat() -> None:
    seats = [lineup(("a", "b", "c"), 4, g) for g in range(4)]
    assert seats[0] == ("a", "b", "c", "a") and seats[1] == ("b", "c", "a", "a")
    for seat in range(4):
        assert {s[seat] for s in seats} == {"a", "b", "c"}


def test_pairwise_counts_and_mean_scores_over_seats() -> None:
    record = _game(["a", "b", "a", "c"], [1.0, 0.0, -1.0, 0.0])
    scores = ratings.game_scores(record)
    assert scores == {"a": 0.0, "b": 0.0, "c": 0.0}
    wdl = ratings.pairwise([scores, {"a": 1.0, "b": -1.0}], ["a", "b", "c"])
    assert wdl[0, 1].tolist() == [1, 1, 0] and wdl[1, 0].tolist() == [0, 1, 1]
    assert wdl[1, 2].tolist() == [0, 1, 0]


def test_elo_matches_the_two_player_closed_form() -> None:
    # A beats B 3 times, B beats A once, plus one virtual draw: gamma_A/gamma_B = 3.5 / 1.5.
    games = [{"a": 1, "b": 0}] * 3 + [{"a": 0, "b": 1}]
    elo = ratings.elo(ratings.pairwise(games, ["a", "b"]))
    assert elo[0] - elo[1] == pytest.approx(400 * math.log10(3.5 / 1.5), abs=1e-6)
    assert elo.mean() == pytest.approx(1000.0)


def test_elo_is_finite_for_an_unbeaten_agent_and_orders_a_chain() -> None:
    games = [{"a": 1, "b": 0}] * 10 + [{"b": 1, "c": 0}] * 10 + [{"a": 1, "c": 0}] * 10
    elo = ratings.elo(ratings.pairwise(games, ["a", "b", "c"]))
    assert np.all(np.isfinite(elo)) and elo[0] > elo[1] > elo[2]


def test_openskill_and_bootstrap_intervals_contain_the_estimate() -> None:
    games = [{"a": 1, "b": 0}] * 8 + [{"a": 0, "b": 1}] * 2
    mu, sigma = ratings.openskill(games, ["a", "b"])
    assert mu[0] > mu[1] and np.all(sigma > 0)
    intervals = ratings.bootstrap(games, ["a", "b"], samples=50, seed=0)
    elo = ratings.elo(ratings.pairwise(games, ["a", "b"]))
    assert np.all(intervals["elo"][:, 0] <= elo) and np.all(elo <= intervals["elo"][:, 1])


def test_a_degenerate_bootstrap_gives_the_fisher_interval_not_a_point() -> None:
    games = [{"a": 1, "b": 0}] * 5  # every resample is the same five wins
    intervals = ratings.bootstrap(games, ["a", "b"], samples=20, seed=0)
    elo = ratings.elo(ratings.pairwise(games, ["a", "b"]))
    assert elo[0] - elo[1] == pytest.approx(400 * math.log10(5.5 / 0.5), abs=1e-6)
    # 6 games with the virtual draw, p = 11/12: information w = 6 * 11/12 * 1/12 per pair; var = 1/(4w)
    half_width = 1.96 * math.sqrt(1 / (4 * 6 * 11 / 144)) * 400 / math.log(10)
    assert intervals["elo"][0] == pytest.approx([elo[0] - half_width, elo[0] + half_width], abs=1e-6)
    mu, sigma = ratings.openskill(games, ["a", "b"])  # openskill's degenerate interval: mu +- 1.96 sigma
    assert intervals["openskill_mu"][:, 0] == pytest.approx(mu - 1.96 * sigma)
    assert intervals["openskill_mu"][:, 1] == pytest.approx(mu + 1.96 * sigma) and np.all(sigma > 1)


def test_short_labels_for_long_specs() -> None:
    from agora.tournament.report import short_labels

    smollm2 = "smollm2?system_prompt=Reply with one move in square brackets.&max_new_tokens=16&temperature=0.7"
    specs = ["random", smollm2, "tests.tournament.agents:slow", "hf:/models/tiny", "openai:http://h:1/v1#qwen"]
    assert list(short_labels(specs).values()) == ["random", "smollm2", "slow", "hf:tiny", "openai:qwen"]
    assert list(short_labels(["smollm2?temperature=0.1", "smollm2?temperature=0.9"]).values()) == [
        "smollm2",
        "smollm2#2",
    ]
