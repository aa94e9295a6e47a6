"""Every registered env passes the conformance checkers: check_game for games, check_env for all.

Families whose envs need infrastructure carry its marker, so a machine without it skips them with
the reason (CI has both).
"""

from __future__ import annotations

import pytest
from pettingzoo import AECEnv

import agora

# family -> pytest marker for the infrastructure its envs need
FAMILY_MARKS: dict[str, pytest.MarkDecorator] = {"web": pytest.mark.browser, "gui": pytest.mark.browser}


def _params() -> list:
    params = []
    for env_id in agora.list_envs():
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
