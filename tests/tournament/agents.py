"""Misbehaving agents for tournament tests (importable as `module:callable` specs)."""

from __future__ import annotations

import asyncio
import time

from agora.agent import Agent, RandomAgent


class Raising(Agent):
    name = "raising"

    def act(self, observation, info):
        raise RuntimeError("boom")


class Garbage(Agent):
    name = "garbage"

    def act(self, observation, info):
        return 42


class Slow(RandomAgent):
    def act(self, observation, info):
        time.sleep(0.05)
        return super().act(observation, info)


class Stalling(RandomAgent):
    async def aact(self, observation, info):
        await asyncio.sleep(30)  # never answers within a rollout's agent timeout
        return self.act(observation, info)


def stalling(seed=None):
    return Stalling(seed=seed)


def raising(seed=None):
    return Raising()


def garbage(seed=None):
    return Garbage()


def slow(seed=None):
    return Slow(seed=seed)
