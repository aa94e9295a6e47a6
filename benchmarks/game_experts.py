"""Time per move of the scripted game experts, and their results against random play.

Usage: python benchmarks/game_experts.py [--games 20]

Each expert plays `--games` games against `random` through the public API
(`agora.make(id, opponent="random")`, seats alternating by the env's RNG); the table shows the
expert's mean and worst time per move (its `act` call only) and its mean return.
"""

from __future__ import annotations

import argparse
import time

import _bench

import agora
from agora.agent import resolve_agent

EXPERTS = [
    ("games/ConnectFour-v0", "alphabeta", {}),
    ("games/ConnectFour-v0", "alphabeta", {"depth": 6}),
    ("games/Nim-v0", "nimsum", {}),
    ("games/LiarsDice-v0", "probabilistic", {}),
    ("games/LeducPoker-v0", "cfr", {}),
]


def run(env_id: str, name: str, kwargs: dict, games: int) -> tuple[float, float, float]:
    env = agora.make(env_id, opponent="random")
    expert = resolve_agent(name, table=env.unwrapped.game.scripted_agents, seed=0, **kwargs)
    times, total = [], 0.0
    for seed in range(games):
        obs, info = env.reset(seed=seed)
        done = False
        while not done:
            start = time.perf_counter()
            action = expert.act(obs, info)
            times.append(time.perf_counter() - start)
            obs, reward, terminated, truncated, info = env.step(action)
            total += reward
            done = terminated or truncated
    return 1000 * sum(times) / len(times), 1000 * max(times), total / games


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the scripted game experts.")
    parser.add_argument("--games", type=int, default=20)
    args = parser.parse_args()
    print(f"{'env':24s} {'expert':22s} {'mean ms/move':>12s} {'max ms/move':>12s} {'return vs random':>17s}")
    rows = []
    for env_id, name, kwargs in EXPERTS:
        label = name + "".join(f" {k}={v}" for k, v in kwargs.items())
        mean_ms, max_ms, ret = run(env_id, name, kwargs, args.games)
        print(f"{env_id:24s} {label:22s} {mean_ms:12.3f} {max_ms:12.3f} {ret:17.2f}")
        rows.append({"env": env_id, "expert": label, "mean_ms": mean_ms, "max_ms": max_ms, "return": ret})
    _bench.record("game_experts", rows, settings=vars(args))


if __name__ == "__main__":
    main()
