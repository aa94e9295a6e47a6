"""The rollout engine: `run` plays many episodes at once and records them token in / token out.

Examples:
    >>> from agora import rollout
    >>> result = rollout.run("games/TicTacToe-v0", "random", episodes=4, group_size=2, concurrency=4)
    >>> [e.episode_id for e in result.episodes][:3]
    ['games/TicTacToe-v0/seed=0/0', 'games/TicTacToe-v0/seed=0/1', 'games/TicTacToe-v0/seed=1/0']
"""

from agora.rollout.engine import RolloutResult, arun, plan_jobs, run
from agora.rollout.episode import EnvInfraError, EpisodeJob
from agora.rollout.settings import RolloutSettings
from agora.rollout.writer import EpisodeWriter, read_episodes, recover

__all__ = [
    "EnvInfraError",
    "EpisodeJob",
    "EpisodeWriter",
    "RolloutResult",
    "RolloutSettings",
    "arun",
    "plan_jobs",
    "read_episodes",
    "recover",
    "run",
]
