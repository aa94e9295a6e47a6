"""The episode loop the game tests share: one agent against the env's opponents, from one seed."""

from __future__ import annotations

from typing import Any

import agora


def episode_return(env: Any, agent: agora.Agent, seed: int) -> float:
    """Plays one episode of a single-agent env (a game with its opponents) from ``reset(seed=seed)``."""
    obs, info = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        total += float(reward)
        done = terminated or truncated
    return total
