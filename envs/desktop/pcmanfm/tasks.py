"""PCManFM templates: the file manager shows the home directory with seeded files; graders read the disk.

The oracle uses the file manager's keyboard: typing a name selects that item (type-ahead; Escape closes
the search box and keeps the selection), F2 renames, ctrl+shift+n makes a folder, Delete moves to the trash
(after a confirmation), ctrl+c / ctrl+x / ctrl+v copy and move, Return opens a folder, alt+Up goes back up.
Settings tasks (View > Show Hidden, View > Show Status Bar) are graded by ``~/.config/pcmanfm/default/
pcmanfm.conf`` as PCManFM writes it when the grader closes its window: a value written to that file by any
other means is overwritten with the setting the file manager actually holds.
"""

from __future__ import annotations

import random

from agora.envs.desktop.templates import State, Task, Template, answer, key, type_
from agora.envs.desktop.words import name, names, sentence

TRASH = ".local/share/Trash/files"
CONFIG = ".config/pcmanfm/default/pcmanfm.conf"
"""Where PCManFM saves its settings (``[ui]`` group), relative to the home directory."""


def _files(rng: random.Random, count: int, suffix: str = ".txt") -> dict[str, str]:
    return {f: sentence(rng) + "\n" for f in names(rng, count, suffix)}


def _task(instruction: str, files: dict[str, str], oracle: list[str], **grading) -> Task:
    return Task(
        instruction,
        {p: t.encode() for p, t in files.items()},
        (*oracle, "wait()", answer(grading.get("answer") or "")),
        **grading,
    )


def _select(item: str) -> list[str]:
    return [type_(item), key("Escape")]


def _open(folder: str) -> list[str]:
    return [*_select(folder), key("Return"), "wait()"]


def rename_file(rng: random.Random) -> Task:
    """Rename a file."""
    files = _files(rng, 3)
    old = rng.choice(list(files))
    new = name(rng, ".txt")
    oracle = [*_select(old), key("F2"), "wait()", key("ctrl+a"), type_(new + "\n")]
    return _task(
        f"Rename the file {old} to {new}.",
        files,
        oracle,
        check=lambda s: float(not s.exists(old) and s.text(new) == files[old]),
    )


def new_folder(rng: random.Random) -> Task:
    """Create a folder."""
    files, folder = _files(rng, 2), name(rng)
    oracle = [key("ctrl+shift+n"), "wait()", key("ctrl+a"), type_(folder + "\n")]
    return _task(
        f"Create a new folder named {folder} in the home folder.",
        files,
        oracle,
        check=lambda s: float(s.exists(folder, "d")),
    )


def trash_file(rng: random.Random) -> Task:
    """Move a file to the trash."""
    files = _files(rng, 3)
    doomed = rng.choice(list(files))
    oracle = [*_select(doomed), key("Delete"), "wait()", key("Return")]

    def check(s: State) -> float:
        return float(not s.exists(doomed) and s.exists(f"{TRASH}/{doomed}") and len(s.run("ls /work").split()) == 2)

    return _task(f"Move the file {doomed} to the trash (only that file).", files, oracle, check=check)


def _into(rng: random.Random, verb: str, chord: str, keep: bool) -> Task:
    files, folder = _files(rng, 3), name(rng)
    item = rng.choice(list(files))
    layout = {**files, f"{folder}/.keep": ""}
    oracle = [*_select(item), key(chord), *_open(folder), key("ctrl+v")]

    def check(s: State) -> float:
        return float(s.text(f"{folder}/{item}") == files[item] and s.exists(item) == keep)

    return _task(f"{verb} the file {item} into the folder {folder}.", layout, oracle, check=check)


def move_into_folder(rng: random.Random) -> Task:
    """Move a file into a folder (cut and paste)."""
    return _into(rng, "Move", "ctrl+x", keep=False)


def copy_into_folder(rng: random.Random) -> Task:
    """Copy a file into a folder (the original stays)."""
    return _into(rng, "Copy", "ctrl+c", keep=True)


def move_out_of_folder(rng: random.Random) -> Task:
    """Move a file from a folder up to the home folder."""
    folder, item = name(rng), name(rng, ".txt")
    text = sentence(rng) + "\n"
    oracle = [*_open(folder), *_select(item), key("ctrl+x"), key("alt+Up"), "wait()", key("ctrl+v")]
    return _task(
        f"Move the file {item} out of the folder {folder} into the home folder.",
        {f"{folder}/{item}": text},
        oracle,
        check=lambda s: float(s.text(item) == text and not s.exists(f"{folder}/{item}")),
    )


def rename_folder(rng: random.Random) -> Task:
    """Rename a folder."""
    old, new = names(rng, 2)
    oracle = [*_select(old), key("F2"), "wait()", key("ctrl+a"), type_(new + "\n")]
    return _task(
        f"Rename the folder {old} to {new}.",
        {f"{old}/a.txt": "a\n"},
        oracle,
        check=lambda s: float(not s.exists(old) and s.text(f"{new}/a.txt") == "a\n"),
    )


def trash_folder(rng: random.Random) -> Task:
    """Move a folder to the trash."""
    doomed, kept = names(rng, 2)
    oracle = [*_select(doomed), key("Delete"), "wait()", key("Return")]
    return _task(
        f"Move the folder {doomed} to the trash; keep {kept}.",
        {f"{doomed}/x.txt": "x\n", f"{kept}/y.txt": "y\n"},
        oracle,
        check=lambda s: float(not s.exists(doomed) and s.exists(kept, "d")),
    )


def folder_in_folder(rng: random.Random) -> Task:
    """Create a folder inside another."""
    outer, inner = names(rng, 2)
    oracle = [*_open(outer), key("ctrl+shift+n"), "wait()", key("ctrl+a"), type_(inner + "\n")]
    return _task(
        f"Inside the folder {outer}, create a new folder named {inner}.",
        {f"{outer}/.keep": ""},
        oracle,
        check=lambda s: float(s.exists(f"{outer}/{inner}", "d")),
    )


def change_extension(rng: random.Random) -> Task:
    """Change a file's extension."""
    stem = name(rng)
    old, new = f"{stem}.txt", f"{stem}.md"
    text = sentence(rng) + "\n"
    oracle = [*_select(old), key("F2"), "wait()", key("ctrl+a"), type_(new + "\n")]
    return _task(
        f"Rename {old} so that it ends in .md instead of .txt ({new}).",
        {old: text},
        oracle,
        check=lambda s: float(s.text(new) == text and not s.exists(old)),
    )


def count_items(rng: random.Random) -> Task:
    """Answer: the number of items in a folder."""
    folder, n = name(rng), rng.randint(2, 8)
    files = {f"{folder}/{f}": "x\n" for f in names(rng, n, ".dat")}
    return _task(
        f"How many items are in the folder {folder}? Answer with the number.", files, _open(folder), answer=str(n)
    )


def count_logs(rng: random.Random) -> Task:
    """Answer: how many .log files the home folder holds."""
    logs, txts = rng.randint(1, 5), rng.randint(1, 4)
    files = _files(rng, logs, ".log") | _files(rng, txts, ".txt")
    return _task(
        "How many files ending in .log are in the home folder? Answer with the number.",
        files,
        [],
        answer=str(len([f for f in files if f.endswith(".log")])),
    )


def which_folder(rng: random.Random) -> Task:
    """Answer: which folder holds a file."""
    folders, target = names(rng, 3), name(rng, ".pdf")
    home = rng.choice(folders)
    files = {f"{d}/.keep": "" for d in folders} | {f"{home}/{target}": "%PDF\n"}
    return _task(
        f"Which folder contains the file {target}? Answer with the folder's name.", files, [*_open(home)], answer=home
    )


def file_size(rng: random.Random) -> Task:
    """Answer: a file's size in bytes (the status bar shows it)."""
    files = {f: "z" * rng.randint(3, 900) for f in names(rng, 3, ".bin")}
    item = rng.choice(list(files))
    return _task(
        f"How many bytes is the file {item}? Answer with the number.",
        files,
        _select(item),
        answer=str(len(files[item])),
    )


def _setting(instruction: str, files: dict[str, str], oracle: list[str], wanted: dict[str, str]) -> Task:
    """A settings task: the grader closes PCManFM and wants each ``[ui]`` key of `wanted` saved with its value."""

    def check(s: State) -> float:
        return float(all(s.ini(CONFIG, "ui", k) == v for k, v in wanted.items()))

    return _task(instruction, files, oracle, check=check, close_app=True)


def show_hidden(rng: random.Random) -> Task:
    """Setting: show hidden files (the seeded home holds some)."""
    return _setting(
        "Make the file manager show hidden files (View menu), so that they stay shown.",
        _files(rng, 2) | _hidden(rng),
        [key("ctrl+h")],
        {"show_hidden": "1"},
    )


def _hidden(rng: random.Random) -> dict[str, str]:
    """One to three hidden files (names starting with a dot)."""
    return {f".{f}": "hidden\n" for f in names(rng, rng.randint(1, 3), ".rc")}


def hide_statusbar(rng: random.Random) -> Task:
    """Setting: hide the status bar."""
    return _setting(
        "Hide the file manager's status bar (View menu), so that it stays hidden.",
        _files(rng, rng.randint(2, 4)),
        [key("ctrl+b")],
        {"show_statusbar": "0"},
    )


def hidden_without_statusbar(rng: random.Random) -> Task:
    """Settings: show hidden files and hide the status bar."""
    return _setting(
        "In the file manager, show hidden files and hide the status bar (View menu), so that both settings stay.",
        _files(rng, 2) | _hidden(rng),
        [key("ctrl+h"), key("ctrl+b")],
        {"show_hidden": "1", "show_statusbar": "0"},
    )


TEMPLATES = [
    Template("pcmanfm", fn.__name__.replace("_", "-"), fn)
    for fn in (
        rename_file, new_folder, trash_file, move_into_folder, copy_into_folder, move_out_of_folder, rename_folder,
        trash_folder, folder_in_folder, change_extension, count_items, count_logs, which_folder, file_size,
        show_hidden, hide_statusbar, hidden_without_statusbar,
    )
]  # fmt: skip
