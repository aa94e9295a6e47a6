"""OpenEnv's own generic client (openenv-core, pinned in the `openenv` extra) drives agora envs."""

from __future__ import annotations

import pytest

import agora

pytestmark = pytest.mark.slow  # importing openenv-core loads fastapi and gradio (about 20 s here)
openenv_core = pytest.importorskip("openenv.core", reason="needs pip install 'agora[openenv]'")


def _client(server, env_id: str):
    base_url = f"http://127.0.0.1:{server.server.bound_port}/openenv/{env_id}"
    return openenv_core.GenericEnvClient(base_url=base_url).sync()


def test_generic_client_plays_a_game_as_in_process(server) -> None:
    local = agora.make("games/TicTacToe-v0", opponent="minimax", seat=0)
    with _client(server, "games/TicTacToe-v0") as env:
        result = env.reset(seed=5, episode_id="ep-1", env_kwargs={"opponent": "minimax", "seat": 0})
        obs, info = local.reset(seed=5)
        assert result.observation["text"] == obs and result.done is False and result.reward is None
        assert result.observation["info"]["legal_actions"] == info["legal_actions"]
        steps = 0
        while not result.done:
            action = info["legal_actions"][0]
            result = env.step({"action": action})
            obs, reward, terminated, truncated, info = local.step(action)
            assert (result.observation["text"], result.reward, result.done) == (obs, reward, terminated or truncated)
            steps += 1
        assert env.state() == {"episode_id": "ep-1", "step_count": steps, "env_id": "games/TicTacToe-v0"}


def test_generic_client_gets_errors_and_the_session_goes_on(server) -> None:
    with _client(server, "reasoning/Arithmetic-v0") as env:
        with pytest.raises(RuntimeError, match="step before reset"):
            env.step({"action": "42"})
        result = env.reset(seed=1)
        assert "instructions" in result.observation["info"]
        with pytest.raises(RuntimeError, match="VALIDATION_ERROR"):
            env.step({"move": "42"})
        result = env.step({"action": "not a number"})  # a malformed action: error observation, not an exception
        assert result.observation["info"]["error"]
    with _client(server, "games/NoSuchGame-v0") as env, pytest.raises(RuntimeError, match="No env is registered"):
        env.reset()


@pytest.mark.browser
def test_generic_client_gets_pixel_observations(server) -> None:
    import base64

    import numpy as np

    local = agora.make("gui/canvas.click-button-v0")
    with _client(server, "gui/canvas.click-button-v0") as env:
        image = env.reset(seed=2).observation["image"]
    pixels = np.frombuffer(base64.b64decode(image["base64"]), image["dtype"]).reshape(image["shape"])
    assert np.array_equal(pixels, local.reset(seed=2)[0]["image"])
    local.close()
