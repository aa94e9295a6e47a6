"""`gymnasium.make_vec` over agora ids: sync and async vector envs equal single envs, one id per family."""

import gymnasium
import numpy as np
import pytest

import agora  # noqa: F401  (registers agora ids with Gymnasium; TextSpace's shared-memory handlers)
from agora.spaces import SharedTexts, TextSpace

NUM_ENVS = 2
SEED = 7
ACTIONS = ["[4]", "[0]", "42", '{"name": "query", "arguments": {"sql": "SELECT 1"}}', "[8]", "hello"]

WRONG_FIZZBUZZ = "```python\ndef fizzbuzz(n):\n    print('looked at', n)\n    return []\n```"
FIZZBUZZ = (
    "```python\ndef fizzbuzz(n):\n    return ['FizzBuzz' if i % 15 == 0 else 'Fizz' if i % 3 == 0 else 'Buzz' "
    "if i % 5 == 0 else str(i) for i in range(1, n + 1)]\n```"
)
SANDBOXED = {  # (reset options, actions): the actions really run in the family's sandbox (or move, in puzzles)
    "puzzles/VisualSokoban-v0": (None, ["Up", "Left", "[4]", "Down", "Right", "Right"]),
    "code/UnitTests-v0": ({"problem": "fizzbuzz"}, ["no code here", WRONG_FIZZBUZZ, FIZZBUZZ]),
    "swe/BugFix-v0": (
        None,
        [
            '{"name": "bash", "arguments": {"command": "ls; python3 -c \'print(6 * 7)\'"}}',
            '{"name": "view", "arguments": {"path": "."}}',
            "not a tool call",
            '{"name": "submit", "arguments": {}}',
        ],
    ),
}

CASES = [
    pytest.param("games/TicTacToe-v0", {"opponent": "random"}, id="games"),
    pytest.param("reasoning/Arithmetic-v0", {}, id="reasoning"),
    pytest.param("puzzles/VisualSokoban-v0", {}, id="puzzles-dict-image"),
    pytest.param("tools/SQL-v0", {}, id="tools"),
    # browser envs (gui, web): their async workers are spawned (a forked child inherits the browser pool state)
    pytest.param("gui/canvas.click-button-v0", {}, id="gui-dict-image", marks=[pytest.mark.browser, pytest.mark.slow]),
    pytest.param("web/miniwob.click-button-v0", {}, id="web", marks=[pytest.mark.browser, pytest.mark.slow]),
    pytest.param("text/TextWorld-v0", {}, id="text", marks=pytest.mark.slow),
    pytest.param("code/UnitTests-v0", {}, id="code", marks=pytest.mark.docker),
    pytest.param("swe/BugFix-v0", {"tasks": "tinydb"}, id="swe", marks=[pytest.mark.docker, pytest.mark.slow]),
    pytest.param("drills/GuessNumber-v0", {}, id="drills"),
    pytest.param("example/CountUp-v0", {}, id="plugin"),
]


def _info_at(infos: dict, i: int) -> dict:
    """The info of sub-env `i` from Gymnasium's batched info dict (values + `_key` masks)."""
    out = {}
    for key, value in infos.items():
        if key.startswith("_") or not infos.get(f"_{key}", np.ones(NUM_ENVS, bool))[i]:
            continue
        out[key] = _info_at(value, i) if isinstance(value, dict) else value[i]
    return out


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _obs_at(obs, i: int):
    if isinstance(obs, dict):
        return {k: _obs_at(v, i) for k, v in obs.items()}
    return obs[i]


def _play_single(env_id: str, kwargs: dict, seed: int) -> list[tuple]:
    options, actions = SANDBOXED.get(env_id, (None, ACTIONS))
    env = gymnasium.make(env_id, **kwargs)
    obs, info = env.reset(seed=seed, options=options)
    steps = [(obs, info)]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        steps.append((obs, float(reward), bool(terminated), bool(truncated), info))
        if terminated or truncated:
            break
    env.close()
    return steps


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("env_id", "kwargs"), CASES)
def test_make_vec_equals_single_envs(env_id, kwargs, mode):
    singles = [_play_single(env_id, kwargs, SEED + i) for i in range(NUM_ENVS)]
    spawn = mode == "async" and env_id.startswith(("gui/", "web/"))
    vector_kwargs = {"context": "spawn"} if spawn else {}
    vec = gymnasium.make_vec(env_id, NUM_ENVS, vectorization_mode=mode, vector_kwargs=vector_kwargs, **kwargs)
    options, actions = SANDBOXED.get(env_id, (None, ACTIONS))
    try:
        obs, infos = vec.reset(seed=SEED, options=options)
        for i in range(NUM_ENVS):
            assert _same(_obs_at(obs, i), singles[i][0][0]), (i, _obs_at(obs, i), singles[i][0][0])
            assert _same(_info_at(infos, i), singles[i][0][1])
        for t, action in enumerate(actions, 1):
            if all(t >= len(s) for s in singles):
                break
            obs, rewards, terminated, truncated, infos = vec.step([action] * NUM_ENVS)
            for i, single in enumerate(singles):
                if t >= len(single):
                    continue  # that sub-env's episode ended; Gymnasium autoresets it from here
                s_obs, s_reward, s_term, s_trunc, s_info = single[t]
                assert _same(_obs_at(obs, i), s_obs), (t, i, _obs_at(obs, i), s_obs)
                assert (float(rewards[i]), bool(terminated[i]), bool(truncated[i])) == (s_reward, s_term, s_trunc)
                assert _same(_info_at(infos, i), s_info)
    finally:
        vec.close()


def test_shared_memory_round_trips_any_unicode_text():
    """TextSpace's shared-memory slot keeps length and code points (the fixed bug: tabs, read once)."""
    from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory

    space = TextSpace(16)
    memory = create_shared_memory(space, n=3)
    view = read_from_shared_memory(space, memory, n=3)
    assert isinstance(view, SharedTexts) and tuple(view) == ("", "", "")
    for i, text in enumerate(["héllo ✓", "", "tab\there 🙂"]):
        write_to_shared_memory(space, i, text, memory)
    assert tuple(view) == ("héllo ✓", "", "tab\there 🙂")  # the view read before the writes sees them
    write_to_shared_memory(space, 0, "x" * 16, memory)
    assert view[0] == "x" * 16 and view[1:] == ("", "tab\there 🙂")
    with pytest.raises(ValueError, match="does not fit"):
        write_to_shared_memory(space, 1, "y" * 17, memory)
    import copy

    assert copy.deepcopy(view) == ("x" * 16, "", "tab\there 🙂") and type(copy.deepcopy(view)) is tuple
