"""Real records for the viewer's tests, made by agora's own engine, tournament runner and trainer.

`make_runs(root)` plays, through `agora.rollout.run`, one small run per kind of episode the viewer
shows (a game, a tool env, a text-mode web task, a pixel GUI task with screenshots, a SWE task with
its diffs), a tournament (`agora tournament`) and a tiny training run (`agora.trainers`).
"""

from __future__ import annotations

import json
from pathlib import Path

from agora.agent import Agent, resolve_agent
from agora.rollout import run

OPPONENT = {"opponent": "random"}


def call(name: str, **arguments: object) -> str:
    """A JSON tool call."""
    return json.dumps({"name": name, "arguments": arguments})


class SQLAgent(Agent):
    """Looks at the tables, sends one malformed call, then answers with a query."""

    def reset(self, seed: int | None = None) -> None:
        """Starts over."""
        self.turn = 0

    def act(self, observation: object, info: dict) -> str:
        """The next scripted call."""
        self.turn += 1
        script = [
            call("sql", query="SELECT name FROM sqlite_master WHERE type = 'table'"),
            "SELECT * FROM nowhere",
            call("answer", query="SELECT 1"),
        ]
        return script[min(self.turn - 1, 2)]


class WebExpert(Agent):
    """Solves a MiniWoB task from its first observation with the family's expert plan."""

    def __init__(self, task: str):
        self.task = task

    def reset(self, seed: int | None = None) -> None:
        """Starts over."""
        self.plan: list[str] | None = None

    def act(self, observation: object, info: dict) -> str:
        """The plan's next action."""
        from agora.envs.web.miniwob.agents import miniwob_plan

        if self.plan is None:
            self.plan = list(miniwob_plan(self.task, str(observation)))
        return self.plan.pop(0) if self.plan else "noop()"


class Clicker(Agent):
    """Clicks fixed points of the screenshot (a GUI task), then gives up."""

    def reset(self, seed: int | None = None) -> None:
        """Starts over."""
        self.turn = 0

    def act(self, observation: object, info: dict) -> str:
        """The next click."""
        self.turn += 1
        return ["click(160, 120)", "click(40, 200)", "noop()"][min(self.turn - 1, 2)]


def make_runs(root: Path, *, swe: bool = True) -> dict[str, Path]:
    """Writes every kind of record under `root`; returns the paths by kind."""
    runs = root / "runs"
    paths = {
        "game": runs / "game.jsonl",
        "game_after": runs / "game_after.jsonl",
        "tool": runs / "tool.jsonl",
        "web": runs / "web.jsonl",
        "gui": runs / "gui.jsonl",
    }
    run("games/TicTacToe-v0", "random", episodes=12, out=paths["game"], progress=False, env_kwargs=OPPONENT)
    run("games/TicTacToe-v0", "minimax", episodes=12, out=paths["game_after"], progress=False, env_kwargs=OPPONENT)
    run("tools/SQL-v0", SQLAgent(), episodes=3, out=paths["tool"], progress=False)
    run("web/miniwob.click-button-v0", WebExpert("click-button"), episodes=2, out=paths["web"], progress=False)
    run("gui/canvas.click-button-v0", Clicker(), episodes=2, out=paths["gui"], progress=False)
    if swe:
        paths["swe"] = runs / "swe.jsonl"
        oracle = resolve_agent("oracle", table=_swe_agents())
        run("swe/BugFix-v0", oracle, episodes=1, out=paths["swe"], progress=False, env_kwargs={"tasks": "tinydb"})
    paths["tournament"] = _tournament(root / "tournament")
    paths["training"] = _training(root / "training")
    return paths


def _swe_agents() -> dict[str, str]:
    from agora.envs.swe.bug_fix.env import BugFix

    return dict(BugFix.scripted_agents)


def _tournament(out: Path) -> Path:
    from agora.tournament import round_robin

    result = round_robin("games/TicTacToe-v0", ["random", "minimax"], games_per_pair=4, seed=0, out=out, progress=False)
    return result.out


def _training(out: Path) -> Path:
    from agora.trainers.config import TrainConfig
    from agora.trainers.loop import train

    cfg = TrainConfig(
        env_id="drills/GuessNumber-v0",
        model_kwargs={"hidden_size": 32, "num_layers": 1, "num_heads": 1},
        system_prompt="",
        steps=2,
        batch_episodes=2,
        group_size=2,
        warmup_steps=0,
        eval_every=1,
        eval_episodes=1,
        max_new_tokens=3,
        max_turns=2,
        checkpoint_every=100,
        torch_threads=1,
        out_dir=str(out),
    )
    train(cfg, resume=False)
    return out
