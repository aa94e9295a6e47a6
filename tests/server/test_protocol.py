"""The protocol as a client in another language sees it: every op, typed values, arrays, spaces."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

from agora.errors import ProtocolError
from agora.remote import Connection
from agora.spaces import TextSpace
from agora.wire import protocol as p


def test_every_game_op(server) -> None:
    conn = Connection(server.url)
    made = conn.call("make", env_id="games/TicTacToe-v0", kwargs={})
    handle, spec = made["handle"], made["spec"]
    assert spec["kind"] == "game" and spec["possible_agents"] == ["player_0", "player_1"]
    assert ":" in spec["scripted_agents"]["minimax"]  # "module:factory", loaded by the client
    state = conn.call("reset", handle=handle, seed=0)["state"]
    assert state["agent_selection"] == "player_0" and state["infos"]["player_0"]["legal_actions"][0] == "[0]"
    assert conn.call("agent_selection", handle=handle) == "player_0"
    obs, reward, terminated, truncated, info = conn.call("last", handle=handle)
    assert obs == state["obs"] and reward == 0.0 and not terminated and info["legal_actions"]
    assert conn.call("observe", handle=handle, agent="player_1").startswith("You are O")
    with pytest.raises(ProtocolError, match="unknown agent"):
        conn.call("observe", handle=handle, agent="player_9")
    state = conn.call("step", handle=handle, action="I take the centre: [4]")["state"]
    assert state["agent_selection"] == "player_1"
    assert conn.call("private_info", handle=handle, agent="player_0") is None
    assert conn.call("spec", env_id="games/TicTacToe-v0")["family"] == "games"
    assert "games/TicTacToe-v0" in conn.call("list", family="games")
    assert conn.call("close", handle=handle) is None
    with pytest.raises(ProtocolError, match="no env with handle"):
        conn.call("step", handle=handle, action="[0]")
    conn.close()


def test_single_agent_ops_reject_game_calls(server) -> None:
    conn = Connection(server.url)
    handle = conn.call("make", env_id="reasoning/Arithmetic-v0", kwargs={})["handle"]
    with pytest.raises(ProtocolError, match="call of turn-based games"):
        conn.call("last", handle=handle)
    conn.close()


def test_values_with_arrays_round_trip_bit_exact() -> None:
    value = {
        "text": "hi",
        "image": np.arange(24, dtype=np.uint8).reshape(2, 4, 3),
        "n": np.int64(3),
        "key": (1, ("a", 2)),
        "f": np.float32(0.5),
    }
    text, frames = p.encode(value)
    assert len(frames) == 1 and frames[0] == value["image"].tobytes()
    back = p.decode_arrays(p.REPLY.validate_json(f'{{"id":1,"result":{text},"frames":1}}').result, frames)
    assert np.array_equal(back["image"], value["image"]) and back["image"].dtype == np.uint8
    assert back["n"] == 3 and back["f"] == 0.5 and p.hashable(back["key"]) == (1, ("a", 2))
    with pytest.raises(ProtocolError, match="bad array placeholder"):
        p.decode_arrays({"__nd__": [0, "object", [1]]}, [b"x"])


@pytest.mark.parametrize(
    "space",
    [
        TextSpace(),
        TextSpace(80, min_length=2),
        spaces.Discrete(5, start=1),
        spaces.Box(0, 255, (3, 4, 3), np.uint8),
        spaces.Box(np.array([0, -1], np.float32), np.array([1, 1], np.float32), (2,)),
        spaces.Dict({"text": TextSpace(), "image": spaces.Box(0, 255, (2, 2, 3), np.uint8)}),
    ],
)
def test_spaces_are_rebuilt_equal(space) -> None:
    assert p.build_space(p.describe_space(space)) == space


def test_error_types_are_rebuilt_only_from_known_classes() -> None:
    from agora.errors import RemoteEnvError, UnknownEnvError

    rebuilt = p.to_exception(p.ErrorInfo(type="UnknownEnvError", module="agora.errors", message="no such id"))
    assert type(rebuilt) is UnknownEnvError and str(rebuilt) == "no such id"
    for module, name in (("os", "system"), ("builtins", "SystemExit"), ("agora.errors", "NotAClass")):
        rebuilt = p.to_exception(p.ErrorInfo(type=name, module=module, message="m"))
        assert type(rebuilt) is RemoteEnvError


def test_inline_policy_inlines_fast_envs_and_forgives_a_rare_slow_step() -> None:
    from agora.env_calls import InlinePolicy

    timer = InlinePolicy(inline_below_s=0.001, window=4, never_inline_above_s=0.01, max_slow=1)
    for took in (0.0001, 0.0001, 0.0001):
        timer.observe("fast", took)
    assert not timer.inline("fast")  # not measured enough yet
    timer.observe("fast", 0.05)  # one preempted step
    assert timer.inline("fast")
    timer.observe("fast", 0.05)  # a second slow one in the window: back to the pool
    assert not timer.inline("fast")
    for took in (0.002, 0.002, 0.0001, 0.0001):
        timer.observe("slowish", took)
    assert not timer.inline("slowish")  # median 0.002 s is over the limit
