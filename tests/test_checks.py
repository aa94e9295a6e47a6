"""The checkers pass on real envs and fire on each deliberately broken one."""

from __future__ import annotations

import pytest

import agora
from agora.errors import CheckFailed
from agora.wrappers import EnforceOrder
from tests.testing_env import LeakyKuhn, NoInstructions, Nondeterministic, RaisesOnGarbage, SilentOnGarbage


def test_check_env_passes_on_example_plugin() -> None:
    agora.check_env(agora.make("example/CountUp-v0"))


@pytest.mark.parametrize(
    ("env_cls", "message"),
    [
        (NoInstructions, "instructions"),
        (RaisesOnGarbage, "must give an error observation"),
        (SilentOnGarbage, r"info\['error'\] says nothing"),
        (Nondeterministic, "same seed"),
    ],
)
def test_check_env_fires(env_cls: type, message: str) -> None:
    with pytest.raises(CheckFailed, match=message):
        agora.check_env(EnforceOrder(env_cls()))


def test_check_game_passes_on_kuhn() -> None:
    agora.check_game(agora.make("games/KuhnPoker-v0"))


def test_check_game_catches_a_leak_of_private_cards() -> None:
    with pytest.raises(CheckFailed, match="leaks private information"):
        agora.check_game(LeakyKuhn())
