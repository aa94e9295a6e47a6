"""Every registered env passes the conformance checkers: check_game for games, check_env for all.

Families whose envs need infrastructure carry its marker, so a machine without it skips them with
the reason (CI has both).
"""

from __future__ import annotations

import os

import pytest
from pettingzoo import AECEnv

import agora

# family -> pytest marker for the infrastructure its envs need
FAMILY_MARKS: dict[str, pytest.MarkDecorator] = {
    "web": pytest.mark.browser,
    "gui": pytest.mark.browser,
    "desktop": pytest.mark.docker,
}
DESKTOP_SAMPLE = {"desktop/xterm.count-lines-v0", "desktop/gnumeric.set-cell-v0"}
"""The desktop ids checked by default: all 100+ share one env class, parser and sandbox path, and each check
starts about 15 desktops (``AGORA_CONFORMANCE_ALL=1`` checks every id; tests/envs/desktop plays every app)."""


def _params() -> list:
    params = []
    run_all = os.environ.get("AGORA_CONFORMANCE_ALL", "") not in ("", "0")
    for env_id in agora.list_envs():
        if env_id.startswith("desktop/") and env_id not in DESKTOP_SAMPLE and not run_all:
            continue
        marks = [FAMILY_MARKS[f] for f in [agora.spec(env_id).family] if f in FAMILY_MARKS]
        params.append(pytest.param(env_id, id=env_id, marks=marks))
    return params


def _is_game(env_id: str) -> bool:
    creator = agora.spec(env_id).load()
    return isinstance(creator, type) and issubclass(creator, AECEnv)


@pytest.mark.parametrize("env_id", _params())
def test_registered_env_conforms(env_id: str) -> None:
    if _is_game(env_id):
        game = agora.make(env_id)
        agora.check_game(game)
        env = agora.make(env_id, opponent="random")
    else:
        env = agora.make(env_id)
    try:
        agora.check_env(env)
    finally:
        env.close()
