"""Mousepad templates: a seeded text file is open in the editor; graders read the file the agent saved.

The oracle selects everything, types the edited text and saves with ctrl+s (the file already has a name,
so no dialog opens); question tasks are answered with ``answer("...")``. Settings tasks (the View menu's
line numbers, toolbar, status bar) are graded by the settings Mousepad saved in the GSettings keyfile.
"""

from __future__ import annotations

import random

from agora.envs.desktop.templates import Task, Template, answer, key, same_text, type_
from agora.envs.desktop.words import ADJECTIVES, NOUNS, lines, name, sentence


def _edit(rng: random.Random, instruction: str, before: list[str], after: list[str]) -> Task:
    """A change task on a fresh file holding `before`; the grader wants exactly `after` saved."""
    f = name(rng, ".txt")
    text = "\n".join(after)
    oracle = (key("ctrl+a"), type_(text), key("ctrl+s"), "wait()", answer(""))
    return Task(
        f"{instruction.format(f=f)} Save the file.",
        {f: ("\n".join(before) + "\n").encode()},
        oracle,
        check=lambda s: same_text(text)(s.text(f)),
        open_file=f,
    )


def _ask(rng: random.Random, question: str, body: list[str], reply: str) -> Task:
    """A question about a fresh file holding `body`; the exact answer is `reply`."""
    f = name(rng, ".txt")
    return Task(
        question.format(f=f), {f: ("\n".join(body) + "\n").encode()}, (answer(reply),), answer=reply, open_file=f
    )


def append_line(rng: random.Random) -> Task:
    """Add a line at the end."""
    body, extra = lines(rng, 4), sentence(rng)
    return _edit(rng, f'In {{f}}, add the line "{extra}" at the end.', body, [*body, extra])


def prepend_line(rng: random.Random) -> Task:
    """Add a line at the top."""
    body, extra = lines(rng, 4), sentence(rng)
    return _edit(rng, f'In {{f}}, add the line "{extra}" as the first line.', body, [extra, *body])


def replace_word(rng: random.Random) -> Task:
    """Replace every occurrence of a word."""
    body = lines(rng, 5)
    old = body[0].split()[2]
    new = rng.choice([w for w in NOUNS if w not in " ".join(body)])
    return _edit(rng, f'In {{f}}, replace every "{old}" with "{new}".', body, [x.replace(old, new) for x in body])


def delete_line(rng: random.Random) -> Task:
    """Delete the line holding a word."""
    body = lines(rng, 5)
    target = rng.choice(body)
    return _edit(rng, f'In {{f}}, delete the line "{target}".', body, [x for x in body if x != target])


def uppercase_line(rng: random.Random) -> Task:
    """Turn one line into capitals."""
    body, n = lines(rng, 5), rng.randint(1, 5)
    after = [x.upper() if i == n - 1 else x for i, x in enumerate(body)]
    return _edit(rng, f"In {{f}}, write line {n} in capital letters.", body, after)


def sort_lines(rng: random.Random) -> Task:
    """Sort the lines alphabetically."""
    body = lines(rng, 6)
    return _edit(rng, "Sort the lines of {f} alphabetically.", body, sorted(body))


def reverse_lines(rng: random.Random) -> Task:
    """Reverse the order of the lines."""
    body = lines(rng, 5)
    return _edit(rng, "Reverse the order of the lines of {f} (the last line first).", body, body[::-1])


def insert_after(rng: random.Random) -> Task:
    """Insert a line after line n."""
    body, extra, n = lines(rng, 5), sentence(rng), rng.randint(1, 4)
    return _edit(rng, f'In {{f}}, insert the line "{extra}" right after line {n}.', body, [*body[:n], extra, *body[n:]])


def swap_lines(rng: random.Random) -> Task:
    """Swap two lines."""
    body = lines(rng, 5)
    i, j = sorted(rng.sample(range(5), 2))
    after = list(body)
    after[i], after[j] = after[j], after[i]
    return _edit(rng, f"In {{f}}, swap line {i + 1} and line {j + 1}.", body, after)


def remove_blank_lines(rng: random.Random) -> Task:
    """Remove the empty lines."""
    body = lines(rng, 5)
    spaced = [x for line in body for x in ([line, ""] if rng.random() < 0.6 else [line])]
    return _edit(rng, "Remove every empty line from {f}.", spaced, body)


def number_lines(rng: random.Random) -> Task:
    """Prefix each line with its number."""
    body = lines(rng, 4)
    return _edit(
        rng,
        'Number the lines of {f}: put "1. " before the first line, "2. " before the second, and so on.',
        body,
        [f"{i}. {x}" for i, x in enumerate(body, 1)],
    )


def fix_typo(rng: random.Random) -> Task:
    """Fix a misspelt word."""
    body = lines(rng, 4)
    word = body[1].split()[1]
    typo = word[:2] + word[3] + word[2] + word[4:]
    broken = [body[0], body[1].replace(word, typo, 1), *body[2:]]
    return _edit(rng, f'In {{f}}, the word "{typo}" is misspelt: correct it to "{word}".', broken, body)


def duplicate_line(rng: random.Random) -> Task:
    """Duplicate a line."""
    body, n = lines(rng, 4), rng.randint(1, 4)
    return _edit(
        rng, f"In {{f}}, duplicate line {n} (its copy goes right below it).", body, [*body[:n], body[n - 1], *body[n:]]
    )


def join_lines(rng: random.Random) -> Task:
    """Join the first two lines."""
    body = lines(rng, 4)
    return _edit(
        rng,
        "In {f}, join the first two lines into one line, separated by one space.",
        body,
        [f"{body[0]} {body[1]}", *body[2:]],
    )


def capitalize_lines(rng: random.Random) -> Task:
    """Capitalize each line's first letter."""
    body = lines(rng, 4)
    return _edit(
        rng, "In {f}, make the first letter of every line a capital letter.", body, [x[0].upper() + x[1:] for x in body]
    )


def trim_spaces(rng: random.Random) -> Task:
    """Remove leading spaces."""
    body = lines(rng, 4)
    return _edit(
        rng, "In {f}, remove the spaces at the start of every line.", [" " * rng.randint(1, 4) + x for x in body], body
    )


def write_list(rng: random.Random) -> Task:
    """Replace the text with a given list."""
    items = rng.sample(ADJECTIVES, 3)
    return _edit(
        rng,
        f"Replace the whole text of {{f}} with three lines: {', '.join(items)} (one word per line).",
        lines(rng, 3),
        items,
    )


def replace_line(rng: random.Random) -> Task:
    """Replace line n with a given text."""
    body, extra, n = lines(rng, 5), sentence(rng), rng.randint(1, 5)
    after = [extra if i == n - 1 else x for i, x in enumerate(body)]
    return _edit(rng, f'In {{f}}, replace line {n} with "{extra}".', body, after)


def add_title(rng: random.Random) -> Task:
    """Add a title and an empty line above the text."""
    body, title = lines(rng, 3), rng.choice(ADJECTIVES).capitalize() + " notes"
    return _edit(
        rng, f'At the top of {{f}}, add the title line "{title}" followed by one empty line.', body, [title, "", *body]
    )


VIEW_MENU = (163, 12)
VIEW_ITEMS = {"line numbers": (213, 88), "toolbar": (192, 139), "statusbar": (200, 164)}
"""Where the View menu and its check items are on the maximized window (800x600)."""
VIEW_SETTINGS = {
    "line numbers": ("org/xfce/mousepad/preferences/view", "show-line-numbers"),
    "toolbar": ("org/xfce/mousepad/preferences/window", "toolbar-visible"),
    "statusbar": ("org/xfce/mousepad/preferences/window", "statusbar-visible"),
}


def _show(rng: random.Random, items: list[str]) -> Task:
    """A settings task: turn on the View menu's `items`; the grader reads Mousepad's saved settings."""
    f = name(rng, ".txt")
    oracle = [a for item in items for a in (f"click{VIEW_MENU}", "wait()", f"click{VIEW_ITEMS[item]}")]
    wanted = [VIEW_SETTINGS[item] for item in items]
    return Task(
        f"In Mousepad, turn on the {' and the '.join(items)} (View menu).",
        {f: ("\n".join(lines(rng, 3)) + "\n").encode()},
        (*oracle, "wait()", answer("")),
        check=lambda s: float(all(s.setting(group, k) == "true" for group, k in wanted)),
        open_file=f,
    )


def show_line_numbers(rng: random.Random) -> Task:
    """Setting: show line numbers."""
    return _show(rng, ["line numbers"])


def show_toolbar(rng: random.Random) -> Task:
    """Setting: show the toolbar."""
    return _show(rng, ["toolbar"])


def show_statusbar(rng: random.Random) -> Task:
    """Setting: show the status bar."""
    return _show(rng, ["statusbar"])


def show_two_bars(rng: random.Random) -> Task:
    """Setting: line numbers and the status bar."""
    return _show(rng, ["line numbers", "statusbar"])


def count_words(rng: random.Random) -> Task:
    """Answer: the number of words."""
    body = lines(rng, rng.randint(2, 5))
    return _ask(
        rng,
        "How many words does the open file {f} contain? Answer with the number.",
        body,
        str(sum(len(x.split()) for x in body)),
    )


def line_of_word(rng: random.Random) -> Task:
    """Answer: the line number holding a word."""
    body = lines(rng, 6)
    n = rng.randint(1, 6)
    word = next((w for w in body[n - 1].split()[1:] if all(w not in x for x in body[: n - 1])), None)
    word = word or body[n - 1].split()[2]
    n = next(i for i, x in enumerate(body, 1) if word in x)
    return _ask(
        rng, f'On which line of {{f}} does the word "{word}" first appear? Answer with the number.', body, str(n)
    )


def last_line(rng: random.Random) -> Task:
    """Answer: the text of the last line."""
    body = lines(rng, rng.randint(3, 9))
    return _ask(rng, "What is the last line of the open file {f}? Answer with its text.", body, body[-1])


TEMPLATES = [
    Template("mousepad", fn.__name__.replace("_", "-"), fn)
    for fn in (
        append_line, prepend_line, replace_word, delete_line, uppercase_line, sort_lines, reverse_lines,
        insert_after, swap_lines, remove_blank_lines, number_lines, fix_typo, duplicate_line, join_lines,
        capitalize_lines, trim_spaces, write_list, replace_line, add_title, show_line_numbers, show_toolbar,
        show_statusbar, show_two_bars, count_words, line_of_word, last_line,
    )
]  # fmt: skip
