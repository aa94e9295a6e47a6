"""`agora serve` as a real subprocess (for tests that kill it), and episodes compared without timings."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

from agora.trajectory import Episode


def comparable(episode: Episode) -> dict:
    """An episode without wall-clock fields (same seeds and actions must give equal ones)."""
    data = json.loads(episode.to_json())
    data.pop("timings")
    for turn in data["turns"]:
        turn.pop("latency_s")
    return data


class ServeProcess:
    """Runs `python -m agora.cli serve` on loopback and reads the port it bound."""

    def __init__(self, port: int = 0, *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agora.cli", "serve", "--port", str(port), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            found = re.search(r"listening on (ws://\S+)", line)
            if found:
                self.url = found.group(1)
                self.port = int(self.url.rsplit(":", 1)[1])
                return
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError(f"agora serve did not start: {line!r}")

    def kill(self) -> None:
        """SIGKILL: no goodbye to any client."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        """Stops it if it still runs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
