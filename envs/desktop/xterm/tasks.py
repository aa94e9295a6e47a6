"""xterm templates: the agent works in a real bash shell inside xterm; graders read the home directory.

Each template draws its files from the seed; the oracle types the shell commands that solve it.
"""

from __future__ import annotations

import random

from agora.envs.desktop.templates import State, Task, Template, answer, same_text, type_
from agora.envs.desktop.words import lines, name, names, sentence


def _shell(instruction: str, files: dict[str, str], commands: list[str], **grading) -> Task:
    """A task whose oracle types `commands` (each ends with Enter), waits, then answers."""
    oracle = [type_(c + "\n") for c in commands] + ["wait()"]
    oracle.append(answer(grading.get("answer") or ""))
    return Task(instruction, {p: t.encode() for p, t in files.items()}, tuple(oracle), **grading)


def make_dir(rng: random.Random) -> Task:
    """Create a directory."""
    d = name(rng)
    return _shell(
        f"Create a directory named {d} in your home directory.",
        {},
        [f"mkdir {d}"],
        check=lambda s: float(s.exists(d, "d")),
    )


def make_nested_dirs(rng: random.Random) -> Task:
    """Create nested directories a/b/c."""
    a, b, c = names(rng, 3)
    path = f"{a}/{b}/{c}"
    return _shell(
        f"Create the nested directories {path} in your home directory.",
        {},
        [f"mkdir -p {path}"],
        check=lambda s: float(s.exists(path, "d")),
    )


def create_file(rng: random.Random) -> Task:
    """Create a file holding one given line."""
    f, text = name(rng, ".txt"), sentence(rng)
    return _shell(
        f'Create a file {f} in your home directory containing exactly the line "{text}".',
        {},
        [f"echo '{text}' > {f}"],
        check=lambda s: same_text(text)(s.text(f)),
    )


def rename_file(rng: random.Random) -> Task:
    """Rename a file."""
    old, new = names(rng, 2, ".txt")
    text = sentence(rng)
    return _shell(
        f"Rename the file {old} in your home directory to {new}.",
        {old: text + "\n"},
        [f"mv {old} {new}"],
        check=lambda s: float(not s.exists(old) and same_text(text)(s.text(new)) == 1.0),
    )


def move_into_dir(rng: random.Random) -> Task:
    """Move a file into a directory."""
    f, d = name(rng, ".txt"), name(rng)
    text = sentence(rng)
    return _shell(
        f"Move the file {f} into the directory {d} (both are in your home directory).",
        {f: text + "\n", f"{d}/.keep": ""},
        [f"mv {f} {d}/"],
        check=lambda s: float(not s.exists(f) and same_text(text)(s.text(f"{d}/{f}")) == 1.0),
    )


def copy_file(rng: random.Random) -> Task:
    """Copy a file, keeping the original."""
    src, dst = names(rng, 2, ".txt")
    text = sentence(rng)
    return _shell(
        f"Make a copy of {src} named {dst} in your home directory (keep the original).",
        {src: text + "\n"},
        [f"cp {src} {dst}"],
        check=lambda s: float(same_text(text)(s.text(src)) == 1.0 and same_text(text)(s.text(dst)) == 1.0),
    )


def delete_file(rng: random.Random) -> Task:
    """Delete one file, leaving another."""
    doomed, kept = names(rng, 2, ".txt")
    return _shell(
        f"Delete the file {doomed} from your home directory; leave {kept} alone.",
        {doomed: "old\n", kept: "keep\n"},
        [f"rm {doomed}"],
        check=lambda s: float(not s.exists(doomed) and s.exists(kept, "f")),
    )


def delete_dir(rng: random.Random) -> Task:
    """Delete a directory and its contents."""
    d = name(rng)
    files = {f"{d}/{n}": "x\n" for n in names(rng, 3, ".log")}
    return _shell(
        f"Delete the directory {d} and everything in it.", files, [f"rm -r {d}"], check=lambda s: float(not s.exists(d))
    )


def append_line(rng: random.Random) -> Task:
    """Append a line to a file."""
    f, body, extra = name(rng, ".txt"), lines(rng, 3), sentence(rng)
    expected = "\n".join([*body, extra])
    return _shell(
        f'Append the line "{extra}" to the end of {f}.',
        {f: "\n".join(body) + "\n"},
        [f"echo '{extra}' >> {f}"],
        check=lambda s: same_text(expected)(s.text(f)),
    )


def make_executable(rng: random.Random) -> Task:
    """Make a script executable."""
    f = name(rng, ".sh")
    return _shell(
        f"Make the script {f} in your home directory executable.",
        {f: "#!/bin/sh\necho hi\n"},
        [f"chmod +x {f}"],
        check=lambda s: float(s.exists(f, "x")),
    )


def symlink(rng: random.Random) -> Task:
    """Create a symbolic link to a file."""
    target, link = name(rng, ".txt"), name(rng, ".link")
    return _shell(
        f"Create a symbolic link named {link} in your home directory that points to {target}.",
        {target: "data\n"},
        [f"ln -s {target} {link}"],
        check=lambda s: float(s.exists(link, "L") and s.text(link, follow_links=True) == "data\n"),
    )


def sort_file(rng: random.Random) -> Task:
    """Write a file's lines sorted into a new file."""
    src, dst = names(rng, 2, ".txt")
    body = lines(rng, 6)
    expected = "\n".join(sorted(body))
    return _shell(
        f"Write the lines of {src}, sorted alphabetically, into a new file {dst}.",
        {src: "\n".join(body) + "\n"},
        [f"sort {src} > {dst}"],
        check=lambda s: same_text(expected)(s.text(dst)),
    )


def concat_files(rng: random.Random) -> Task:
    """Concatenate two files into a third."""
    a, b, c = names(rng, 3, ".txt")
    ta, tb = sentence(rng), sentence(rng)
    return _shell(
        f"Create {c} holding the contents of {a} followed by the contents of {b}.",
        {a: ta + "\n", b: tb + "\n"},
        [f"cat {a} {b} > {c}"],
        check=lambda s: same_text(f"{ta}\n{tb}")(s.text(c)),
    )


def head_lines(rng: random.Random) -> Task:
    """Write a file's first n lines into a new file."""
    src, dst = names(rng, 2, ".txt")
    body, n = lines(rng, 8), rng.randint(2, 5)
    return _shell(
        f"Write the first {n} lines of {src} into a new file {dst}.",
        {src: "\n".join(body) + "\n"},
        [f"head -n {n} {src} > {dst}"],
        check=lambda s: same_text("\n".join(body[:n]))(s.text(dst)),
    )


def replace_word(rng: random.Random) -> Task:
    """Replace every occurrence of a word in a file."""
    f = name(rng, ".txt")
    body = lines(rng, 4)
    old = body[0].split()[2]
    new = rng.choice([w for w in ("zebra", "comet", "tulip", "maple") if w != old])
    expected = "\n".join(line.replace(old, new) for line in body)
    return _shell(
        f'In {f}, replace every occurrence of the word "{old}" with "{new}".',
        {f: "\n".join(body) + "\n"},
        [f"sed -i 's/{old}/{new}/g' {f}"],
        check=lambda s: same_text(expected)(s.text(f)),
    )


def uppercase_file(rng: random.Random) -> Task:
    """Write a file upper-cased into a new file."""
    src, dst = names(rng, 2, ".txt")
    body = lines(rng, 3)
    return _shell(
        f"Write the contents of {src} in upper case into a new file {dst}.",
        {src: "\n".join(body) + "\n"},
        [f"tr a-z A-Z < {src} > {dst}"],
        check=lambda s: same_text("\n".join(body).upper())(s.text(dst)),
    )


def rename_extension(rng: random.Random) -> Task:
    """Rename every .txt file of a directory to .md."""
    d = name(rng)
    stems = names(rng, 3)
    files = {f"{d}/{x}.txt": f"{x}\n" for x in stems}

    def check(s: State) -> float:
        return float(all(s.exists(f"{d}/{x}.md", "f") and not s.exists(f"{d}/{x}.txt") for x in stems))

    return _shell(
        f"In the directory {d}, rename every .txt file to the same name ending in .md.",
        files,
        [f'cd {d} && for f in *.txt; do mv "$f" "${{f%.txt}}.md"; done; cd'],
        check=check,
    )


def archive_dir(rng: random.Random) -> Task:
    """Pack a directory into a tar archive."""
    d = name(rng)
    stems = names(rng, 2, ".txt")
    files = {f"{d}/{x}": f"{x}\n" for x in stems}

    def check(s: State) -> float:
        listing = s.run(f"tar -tf /work/{d}.tar 2>/dev/null").split()
        return float(all(any(entry.endswith(f"{d}/{x}") for entry in listing) for x in stems))

    return _shell(
        f"Pack the directory {d} into a tar archive {d}.tar in your home directory.",
        files,
        [f"tar -cf {d}.tar {d}"],
        check=check,
    )


def empty_file(rng: random.Random) -> Task:
    """Empty a file, keeping it."""
    f = name(rng, ".log")
    return _shell(
        f"Empty the file {f} (keep the file, remove all its contents).",
        {f: "\n".join(lines(rng, 5)) + "\n"},
        [f": > {f}"],
        check=lambda s: float(s.text(f) == ""),
    )


def count_lines(rng: random.Random) -> Task:
    """Answer: a file's number of lines."""
    f, n = name(rng, ".txt"), rng.randint(4, 15)
    return _shell(
        f"How many lines does the file {f} in your home directory have? Answer with the number.",
        {f: "\n".join(lines(rng, n)) + "\n"},
        [f"wc -l {f}"],
        answer=str(n),
    )


def count_files(rng: random.Random) -> Task:
    """Answer: the number of files in a directory."""
    d, n = name(rng), rng.randint(2, 9)
    files = {f"{d}/{x}": "x\n" for x in names(rng, n, ".dat")}
    return _shell(
        f"How many files are in the directory {d}? Answer with the number.", files, [f"ls {d} | wc -l"], answer=str(n)
    )


def read_line(rng: random.Random) -> Task:
    """Answer: the text of line n of a file."""
    f, body = name(rng, ".txt"), lines(rng, 7)
    n = rng.randint(2, 6)
    return _shell(
        f"What is line {n} of the file {f}? Answer with the line's text.",
        {f: "\n".join(body) + "\n"},
        [f"sed -n {n}p {f}"],
        answer=body[n - 1],
    )


def count_words(rng: random.Random) -> Task:
    """Answer: a file's number of words."""
    f, body = name(rng, ".txt"), lines(rng, rng.randint(2, 6))
    return _shell(
        f"How many words does {f} contain? Answer with the number.",
        {f: "\n".join(body) + "\n"},
        [f"wc -w {f}"],
        answer=str(sum(len(x.split()) for x in body)),
    )


def grep_count(rng: random.Random) -> Task:
    """Answer: how many lines contain a word."""
    f, body = name(rng, ".txt"), lines(rng, 10)
    word = body[0].split()[2]
    n = sum(word in x.split() for x in body)
    return _shell(
        f'How many lines of {f} contain the word "{word}"? Answer with the number.',
        {f: "\n".join(body) + "\n"},
        [f"grep -cw {word} {f}"],
        answer=str(n),
    )


def sum_numbers(rng: random.Random) -> Task:
    """Answer: the sum of a file's numbers."""
    f = name(rng, ".txt")
    numbers = [rng.randint(1, 99) for _ in range(rng.randint(3, 8))]
    return _shell(
        f"{f} holds one number per line. What is their sum? Answer with the number.",
        {f: "\n".join(map(str, numbers)) + "\n"},
        ["awk '{s += $1} END {print s}' " + f],
        answer=str(sum(numbers)),
    )


def largest_file(rng: random.Random) -> Task:
    """Answer: the largest file of a directory."""
    d = name(rng)
    stems = names(rng, 4, ".bin")
    sizes = rng.sample(range(10, 400), 4)
    files = {f"{d}/{x}": "z" * size for x, size in zip(stems, sizes, strict=True)}
    biggest = stems[sizes.index(max(sizes))]
    return _shell(
        f"Which file in the directory {d} is the largest? Answer with its name.",
        files,
        [f"ls -S {d} | head -1"],
        answer=biggest,
    )


def find_file(rng: random.Random) -> Task:
    """Answer: which directory holds a file."""
    dirs, target = names(rng, 3), name(rng, ".cfg")
    home = rng.choice(dirs)
    files = {f"{d}/.keep": "" for d in dirs} | {f"{home}/{target}": "x=1\n"}
    return _shell(
        f"Which directory in your home directory contains the file {target}? Answer with the directory name.",
        files,
        [f"find . -name {target}"],
        answer=home,
    )


def unique_lines(rng: random.Random) -> Task:
    """Answer: a file's number of distinct lines."""
    f, body = name(rng, ".txt"), lines(rng, 4)
    drawn = [rng.choice(body) for _ in range(9)]
    return _shell(
        f"How many distinct lines does {f} have? Answer with the number.",
        {f: "\n".join(drawn) + "\n"},
        [f"sort -u {f} | wc -l"],
        answer=str(len(set(drawn))),
    )


def count_hidden(rng: random.Random) -> Task:
    """Answer: the number of hidden files in a directory."""
    d = name(rng)
    hidden, shown = rng.randint(1, 4), rng.randint(1, 4)
    files = {f"{d}/.{x}": "" for x in names(rng, hidden)} | {f"{d}/{x}": "" for x in names(rng, shown, ".txt")}
    return _shell(
        f"How many hidden files (names starting with a dot) are in the directory {d}? Answer with the number.",
        files,
        [f"ls -A {d}"],
        answer=str(hidden),
    )


def first_word(rng: random.Random) -> Task:
    """Answer: the name with the highest score in a CSV file."""
    f = name(rng, ".csv")
    rows = [f"{name(rng)},{rng.randint(1, 500)}" for _ in range(6)]
    best = max(rows, key=lambda r: int(r.split(",")[1])).split(",")[0]
    return _shell(
        f"{f} has rows name,score. Which name has the highest score? Answer with the name.",
        {f: "\n".join(rows) + "\n"},
        [f"sort -t, -k2 -n {f} | tail -1"],
        answer=best,
    )


def tail_lines(rng: random.Random) -> Task:
    """Write a file's last n lines into a new file."""
    src, dst = names(rng, 2, ".txt")
    body, n = lines(rng, 8), rng.randint(2, 5)
    return _shell(
        f"Write the last {n} lines of {src} into a new file {dst}.",
        {src: "\n".join(body) + "\n"},
        [f"tail -n {n} {src} > {dst}"],
        check=lambda s: same_text("\n".join(body[-n:]))(s.text(dst)),
    )


def dedupe_lines(rng: random.Random) -> Task:
    """Remove repeated lines, keeping the first of each."""
    f, body = name(rng, ".txt"), lines(rng, 4)
    drawn = [rng.choice(body) for _ in range(8)]
    kept = list(dict.fromkeys(drawn))
    return _shell(
        f"Remove the repeated lines of {f}, keeping the first occurrence of each line in its place.",
        {f: "\n".join(drawn) + "\n"},
        [f"awk '!seen[$0]++' {f} > t && mv t {f}"],
        check=lambda s: same_text("\n".join(kept))(s.text(f)),
    )


def count_dirs(rng: random.Random) -> Task:
    """Answer: the number of subdirectories."""
    d, n = name(rng), rng.randint(1, 6)
    files = {f"{d}/{x}/.keep": "" for x in names(rng, n)} | {f"{d}/{x}": "" for x in names(rng, 3, ".txt")}
    return _shell(
        f"How many subdirectories does the directory {d} have? Answer with the number.",
        files,
        [f"ls -d {d}/*/ | wc -l"],
        answer=str(n),
    )


def which_file_has(rng: random.Random) -> Task:
    """Answer: which file of a directory contains a word."""
    d, stems = name(rng), names(rng, 4, ".txt")
    secret = rng.choice(["zebra", "comet", "tulip", "maple"])
    target = rng.choice(stems)
    files = {f"{d}/{x}": (sentence(rng) + (f" {secret}" if x == target else "") + "\n") for x in stems}
    return _shell(
        f'Which file in the directory {d} contains the word "{secret}"? Answer with the file name.',
        files,
        [f"grep -l {secret} {d}/*"],
        answer=target,
    )


TEMPLATES = [
    Template("xterm", fn.__name__.replace("_", "-"), fn)
    for fn in (
        make_dir, make_nested_dirs, create_file, rename_file, move_into_dir, copy_file, delete_file, delete_dir,
        append_line, make_executable, symlink, sort_file, concat_files, head_lines, replace_word, uppercase_file,
        rename_extension, archive_dir, empty_file, count_lines, count_files, read_line, count_words, grep_count,
        sum_numbers, largest_file, find_file, unique_lines, count_hidden, first_word, tail_lines, dedupe_lines,
        count_dirs, which_file_has,
    )
]  # fmt: skip
