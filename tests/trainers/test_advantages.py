"""Estimators on numbers computed by hand (see ../shared/CREDIT.md)."""

import math

import numpy as np
import pytest

from agora.trainers.advantages import RAE, discounted_returns, grpo, rloo, step_group, stratified, turn_gae


def test_grpo_sample_std_by_hand():
    # group a: returns 1, 2, 3 -> mean 2, sample std 1 -> -1, 0, 1
    # group b: returns 0, 4 -> mean 2, sample std sqrt(8) = 2.828427 -> -0.707107, 0.707107
    adv = grpo([1, 2, 3, 0, 4], ["a", "a", "a", "b", "b"], std="sample", eps=0.0)
    np.testing.assert_allclose(adv, [-1, 0, 1, -2 / math.sqrt(8), 2 / math.sqrt(8)])


def test_grpo_population_std_and_dr_grpo():
    # returns 1, 2, 3: population std sqrt(2/3) = 0.816497
    adv = grpo([1, 2, 3], [0, 0, 0], std="population", eps=0.0)
    np.testing.assert_allclose(adv, [-1 / math.sqrt(2 / 3), 0, 1 / math.sqrt(2 / 3)])
    np.testing.assert_allclose(grpo([1, 2, 3], [0, 0, 0], std=None), [-1, 0, 1])


def test_grpo_eps_is_added_to_std():
    np.testing.assert_allclose(grpo([0, 2], [0, 0], std="population", eps=1.0), [-0.5, 0.5])


def test_grpo_group_of_one_and_all_equal_give_zero():
    adv = grpo([5.0, 1.0, 1.0, 1.0], ["solo", "x", "x", "x"])
    np.testing.assert_array_equal(adv, [0, 0, 0, 0])


def test_grpo_rejects_bad_std_and_lengths():
    with pytest.raises(ValueError, match="std must be"):
        grpo([1, 2], [0, 0], std="unbiased")
    with pytest.raises(ValueError, match="one group id per episode"):
        grpo([1, 2], [0])


def test_rloo_by_hand():
    # group: 1, 2, 6 -> leave-one-out means 4, 3.5, 1.5 -> -3, -1.5, 4.5
    adv = rloo([1, 2, 6, 7], ["g", "g", "g", "solo"])
    np.testing.assert_allclose(adv, [-3, -1.5, 4.5, 0])
    np.testing.assert_array_equal(rloo([3, 3], [0, 0]), [0, 0])


def test_discounted_returns_by_hand():
    # r = 1, 0, 2 ; gamma 0.5 -> G2 = 2, G1 = 0 + 0.5*2 = 1, G0 = 1 + 0.5*1 = 1.5
    np.testing.assert_allclose(discounted_returns([1, 0, 2], 0.5), [1.5, 1.0, 2.0])
    assert discounted_returns([], 0.9).shape == (0,)


def test_turn_gae_terminated_by_hand():
    # r = 0, 1 ; V = 0.5, 0.2 ; gamma 0.9, lam 0.8, terminated (bootstrap 0)
    # delta1 = 1 + 0 - 0.2 = 0.8 ; A1 = 0.8
    # delta0 = 0 + 0.9*0.2 - 0.5 = -0.32 ; A0 = -0.32 + 0.9*0.8*0.8 = 0.256
    adv, target = turn_gae([0, 1], [0.5, 0.2], gamma=0.9, lam=0.8)
    np.testing.assert_allclose(adv, [0.256, 0.8])
    np.testing.assert_allclose(target, [0.756, 1.0])


def test_turn_gae_truncated_bootstraps():
    # same episode cut off with V(s_T) = 1: delta1 = 1 + 0.9*1 - 0.2 = 1.7 ; A1 = 1.7
    # A0 = -0.32 + 0.72*1.7 = 0.904
    adv, target = turn_gae([0, 1], [0.5, 0.2], gamma=0.9, lam=0.8, bootstrap_value=1.0)
    np.testing.assert_allclose(adv, [0.904, 1.7])
    np.testing.assert_allclose(target, [1.404, 1.9])


def test_turn_gae_lam_one_is_monte_carlo_minus_value():
    adv, _ = turn_gae([1, 2, 3], [0.1, 0.2, 0.3], gamma=1.0, lam=1.0)
    np.testing.assert_allclose(adv, [6 - 0.1, 5 - 0.2, 3 - 0.3])


def test_rae_baseline_before_update_and_turn_discount():
    rae = RAE(alpha=0.5, gamma=0.5)
    assert rae.advantage("g", "player_0", 1.0) == 1.0  # b = 0 -> 0.5
    assert rae.advantage("g", "player_0", 1.0) == 0.5  # b = 0.5 -> 0.75
    assert rae.advantage("g", "player_1", -1.0) == -1.0  # roles apart
    # b = 0.75 -> A = 0.25, over 3 turns: 0.25 * (0.25, 0.5, 1)
    np.testing.assert_allclose(rae.turn_advantages("g", "player_0", 1.0, 3), [0.0625, 0.125, 0.25])
    assert rae.baseline("g", "player_0") == 0.875


def test_rae_state_round_trip():
    rae = RAE()
    rae.advantage("g", "p", 2.0)
    other = RAE(alpha=0.1)
    other.load_state_dict(rae.state_dict())
    assert other.alpha == 0.95 and other.baseline("g", "p") == pytest.approx(0.1)
    assert other.advantage("g", "p", 0.0) == rae.advantage("g", "p", 0.0)


def test_step_group_by_hand():
    # group g, gamma 1, w 1:
    # ep0: (s, 0), (t, 1) -> R0 = 1, G = (1, 1)
    # ep1: (s, 0), (u, 0) -> R1 = 0, G = (0, 0)
    # A^E = +0.5, -0.5 ; state s: G = 1 (ep0), 0 (ep1) -> mean 0.5 -> A^S +0.5, -0.5
    # t, u singletons -> 0
    eps = [("g", [("s", 0.0), ("t", 1.0)]), ("g", [("s", 0.0), ("u", 0.0)])]
    adv = step_group(eps, gamma=1.0, w=1.0)
    np.testing.assert_allclose(adv[0], [1.0, 0.5])
    np.testing.assert_allclose(adv[1], [-1.0, -0.5])
    half = step_group(eps, gamma=1.0, w=0.5)
    np.testing.assert_allclose(half[0], [0.75, 0.5])


def test_step_group_discount_and_groups_apart():
    # gamma 0.5: ep0 turns (s,0),(s,2): G = (1, 2) -> state s mean 1.5 -> A^S = -0.5, +0.5
    # ep1 in another group with the same key: singleton episode group and state -> 0
    eps = [("g", [("s", 0.0), ("s", 2.0)]), ("h", [("s", 5.0)])]
    adv = step_group(eps, gamma=0.5)
    np.testing.assert_allclose(adv[0], [-0.5, 0.5])
    np.testing.assert_allclose(adv[1], [0.0])


def test_step_group_scale_and_none_keys():
    eps = [("g", [(None, 0.0), ("s", 2.0)]), ("g", [(None, 0.0), ("s", 0.0)])]
    # A^E: R = 2, 0 -> (+-1) / sample std sqrt(2) ; A^S on s: G = 2, 0 -> same ; None -> 0
    adv = step_group(eps, gamma=1.0, scale=True)
    a = 1 / (math.sqrt(2) + 1e-6)
    np.testing.assert_allclose(adv[0], [a, 2 * a])
    np.testing.assert_allclose(adv[1], [-a, -2 * a])


def test_stratified_by_hand():
    # one group; strata: first mover A: returns 1, 3 ; B: returns 0, 0, 6
    # std None: strat A: -1, 1 ; B: -2, -2, 4 ; global mean 2: -1, 1, -2, -2, 4 (same here)
    returns, groups, strata = [1, 3, 0, 0, 6], [0] * 5, ["A", "A", "B", "B", "B"]
    np.testing.assert_allclose(stratified(returns, groups, strata, std=None), [-1, 1, -2, -2, 4])
    # returns 1, 3 in A and 5 in B (singleton): strat = -1, 1, 0 ; global mean 3: -2, 0, 2
    # beta 0.5 -> -1.5, 0.5, 1.0
    adv = stratified([1, 3, 5], [0, 0, 0], ["A", "A", "B"], beta=0.5, std=None)
    np.testing.assert_allclose(adv, [-1.5, 0.5, 1.0])
