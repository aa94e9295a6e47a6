"""Deliberately broken envs and games, one flaw each, to prove every agora check fires."""

from __future__ import annotations

from typing import Any

from agora_example_plugin.count_up import CountUp

from agora.envs.games.kuhn_poker.env import KuhnPoker
from agora.envs.games.kuhn_poker.rules import CARDS


class NoInstructions(CountUp):
    """Forgets info['instructions'] at reset."""

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        obs, info = super()._reset(options)
        return obs, {k: v for k, v in info.items() if k != "instructions"}


class RaisesOnGarbage(CountUp):
    """Crashes on a malformed action instead of answering with an error observation."""

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        return super()._step(str(int(action)))


class SilentOnGarbage(CountUp):
    """Answers a malformed action without saying what was wrong."""

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        obs, reward, done, info = super()._step(action)
        info.pop("error", None)
        return obs, reward, done, info


class Nondeterministic(CountUp):
    """Ignores the seed: the same seed gives a different first observation."""

    calls = 0

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        obs, info = super()._reset(options)
        Nondeterministic.calls += 1
        return f"{obs} (call {Nondeterministic.calls})", info


class LeakyKuhn(KuhnPoker):
    """Shows the opponent's card in the observation: the private-information check must catch it."""

    def _render(self, player: int) -> str:
        return super()._render(player) + f"\n(Opponent holds {CARDS[self.state['cards'][1 - player]]}.)"
