"""Every new id sits in its family's ENVS table and has an `agora info` page with its rules and rewards."""

from __future__ import annotations

import importlib.metadata

from typer.testing import CliRunner

import agora
from agora.cli import app
from agora.envs.puzzles import ENVS as PUZZLES
from agora.envs.reasoning import ENVS as REASONING

NEW_IDS = [*PUZZLES, "reasoning/TwentyFour-v0", "reasoning/VisualTwentyFour-v0"]


def test_the_new_ids_are_registered_from_their_family_tables():
    assert set(agora.list_envs("puzzles")) == set(PUZZLES)
    assert {"reasoning/TwentyFour-v0", "reasoning/VisualTwentyFour-v0"} <= set(REASONING)
    assert all(agora.spec(i).max_turns == (1 if i.startswith("reasoning/") else PUZZLES[i][1]) for i in NEW_IDS)


def test_agora_info_shows_each_page():
    runner = CliRunner()
    for env_id in NEW_IDS:
        result = runner.invoke(app, ["info", env_id], terminal_width=200)
        assert result.exit_code == 0, result.output
        assert "Action format" in result.output and "Rewards" in result.output and env_id in result.output


def test_each_page_says_what_is_upstream_what_agora_generated_and_how_splits_map_to_the_papers():
    for env_id in [*NEW_IDS, "text/ALFWorld-v0", "text/ScienceWorld-v0"]:
        page = agora.spec(env_id).docs()
        assert "**Upstream" in page and "**Splits and the papers.**" in page, env_id
        for name in getattr(agora.spec(env_id).load(), "upstream_distributions", ()):
            assert f"{name} {importlib.metadata.version(name)}" in page.splitlines()[-1], env_id
    assert "upstream: gymnasium " in agora.spec("puzzles/FrozenLake-v0").docs()
    assert "upstream: scienceworld " in agora.spec("text/ScienceWorld-v0").docs()
