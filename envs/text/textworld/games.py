"""TextWorld game files: generated with TextWorld's own challenge generators, cached on disk.

`game_file(challenge, settings, seed)` returns the path of a compiled ``.z8`` game for that
challenge (``tw-simple``, ``tw-coin_collector``, ``tw-treasure_hunter``, ``tw-cooking``), its
settings (the ``tw-make`` options, e.g. ``{"level": 3}``) and the seed, generating it on first use
(1 to 9 s) under ``$AGORA_CACHE_DIR/textworld`` (default ``~/.cache/agora/textworld``). A game is
written to a temporary directory and moved into place, so concurrent processes never read half a file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from agora._optional import require
from agora.cache import cache_dir

DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "tw-simple": {"rewards": "dense", "goal": "detailed"},
    "tw-coin_collector": {"level": 1},
    "tw-treasure_hunter": {"level": 1},
    "tw-cooking": {},
}


def games_dir() -> Path:
    """Where generated games are kept: ``textworld/`` in agora's cache (`agora.cache.cache_dir`)."""
    return cache_dir("textworld")


def challenge_settings(challenge: str, settings: dict[str, Any] | None) -> dict[str, Any]:
    """The full settings of a challenge: TextWorld's defaults, then ours, then `settings`, validated."""
    textworld_challenges = require("textworld.challenges", "text")
    if challenge not in textworld_challenges.CHALLENGES:
        raise ValueError(
            f"Unknown TextWorld challenge {challenge!r}; choose one of {sorted(textworld_challenges.CHALLENGES)}."
        )
    merged = {**DEFAULT_SETTINGS.get(challenge, {}), **(settings or {})}
    parser = argparse.ArgumentParser(prog=challenge, exit_on_error=False)
    textworld_challenges.CHALLENGES[challenge][2](parser)
    argv = []
    for key, value in merged.items():
        if value is None:
            continue  # argparse's own default
        flag = "--" + key.replace("_", "-")
        argv += [flag] if value is True else [] if value is False else [flag, str(value)]
    try:
        return vars(parser.parse_args(argv))
    except (argparse.ArgumentError, SystemExit) as e:
        raise ValueError(f"Bad settings {merged!r} for {challenge}: {e}") from None


def game_file(challenge: str, settings: dict[str, Any] | None, seed: int) -> Path:
    """The path of the compiled game for (challenge, settings, seed), generated on first use."""
    full = challenge_settings(challenge, settings)
    key = hashlib.sha256(json.dumps([challenge, full, seed], sort_keys=True).encode()).hexdigest()[:16]
    path = games_dir() / f"{challenge}-{seed}-{key}.z8"
    if not path.exists():
        _generate(challenge, full, seed, path)
    return path


def _generate(challenge: str, settings: dict[str, Any], seed: int, path: Path) -> None:
    textworld = require("textworld", "text")
    challenges = require("textworld.challenges", "text")

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tmp-") as tmp:
        options = textworld.GameOptions()
        options.seeds = seed
        options.path = str(Path(tmp) / path.name)
        options.file_ext = ".z8"
        game = challenges.CHALLENGES[challenge][1](settings=settings, options=options)
        compiled = Path(textworld.generator.compile_game(game, options))
        shutil.move(compiled.with_suffix(".json"), path.with_suffix(".json"))
        os.replace(compiled, path)  # the .z8 last: its presence means the game is complete
