"""A run killed with SIGKILL leaves whole records and resumes without redoing finished episodes."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from agora import rollout
from agora.trajectory import Episode

SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from agora import rollout
    from agora.agent import RandomAgent

    class SlowRandom(RandomAgent):
        async def aact(self, observation, info):
            await asyncio.sleep(0.01)
            return self.act(observation, info)

    rollout.run("games/TicTacToe-v0", SlowRandom(), episodes=400, group_size=2, concurrency=8, out=sys.argv[1])
""")


def test_kill_and_resume(tmp_path):
    out = tmp_path / "run.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out)])
    try:
        deadline = time.time() + 60
        while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 10):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = out.read_text()
    whole = before.splitlines()[: before.count("\n")]
    assert len(whole) >= 10
    finished = {Episode.from_json(line).episode_id for line in whole}
    assert len(finished) == len(whole)  # no episode written twice

    result = rollout.run("games/TicTacToe-v0", "random", episodes=400, group_size=2, concurrency=32, out=out)
    assert result.resumed == len(finished) and result.new == 400 - len(finished)
    lines = out.read_text().splitlines()
    ids = [Episode.from_json(line).episode_id for line in lines]
    assert len(ids) == len(set(ids)) == 400
    assert lines[: len(whole)] == whole  # finished records untouched
