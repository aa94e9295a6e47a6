"""The desktop family's pure parts: the XWD reader, actions as xdotool calls, the window list, the templates."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import agora
from agora.envs.desktop import app_templates
from agora.envs.desktop.actions import to_xdotool
from agora.envs.desktop.base import answers_match, tree_objects
from agora.envs.desktop.display import (
    NO_TREE,
    TREE_MAX_CHARS,
    TREE_MAX_OBJECTS,
    Screen,
    exports,
    parse_windows,
    tree_text,
)
from agora.envs.desktop.templates import APPS, INSTANCES_PER_TEMPLATE, ini_value
from agora.envs.desktop.xwd import XwdError, decode_xwd
from agora.envs.web.actions import ActionError, parse_action


def _xwd(pixels: np.ndarray, ncolors: int = 2, msb: bool = False) -> bytes:
    """An XWD file as Xvfb writes it: 32 bits per pixel, little-endian BGRX, a colormap before the pixels."""
    height, width, _ = pixels.shape
    name = b"Xvfb main window\x00"
    header_size = 100 + len(name)
    fields = [header_size, 7, 2, 24, width, height, 0, int(msb), 32, 0, 32, 32, 4 * width, 4]
    fields += [0xFF0000, 0x00FF00, 0x0000FF, 8, 256, ncolors, width, height, 0, 0, 0]
    words = (pixels[..., 0].astype("<u4") << 16) | (pixels[..., 1].astype("<u4") << 8) | pixels[..., 2]
    pixel_bytes = words.astype(">u4" if msb else "<u4").tobytes()
    return struct.pack(">25I", *fields) + name + b"\x00" * (12 * ncolors) + pixel_bytes


def test_the_framebuffer_decodes_to_the_pixels_written():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (7, 5, 3), dtype=np.uint8)
    assert (decode_xwd(_xwd(pixels)) == pixels).all()
    assert (decode_xwd(_xwd(pixels, msb=True)) == pixels).all()  # the general path: masks and byte order
    with pytest.raises(XwdError, match="cut short"):
        decode_xwd(_xwd(pixels)[:-4])
    with pytest.raises(XwdError, match="too short"):
        decode_xwd(b"\x00" * 10)


def _calls(text: str) -> list[str]:
    return to_xdotool(parse_action(text, "desktop"), 800, 600)


def test_actions_become_xdotool_calls_and_bad_ones_are_refused():
    assert _calls("click(10, 20)") == ["mousemove 10 20 click --delay 0 1"]
    assert _calls("right_click(1, 2)") == ["mousemove 1 2 click --delay 0 3"]
    assert _calls("scroll(5, 5, -120)") == ["mousemove 5 5 click --repeat 2 --delay 10 4"]
    assert _calls('key("ctrl+s")') == ["key --delay 20 -- ctrl+s"]
    assert _calls('key("Enter ctrl+a")') == ["key --delay 20 -- Return ctrl+a"]
    assert _calls('type("a\'b\\nc")') == ["type --delay 4 -- 'a'\"'\"'b'", "key Return", "type --delay 4 -- c"]
    for bad, reason in [
        ("click(800, 5)", "outside"),
        ('key("ctrl+$(reboot)")', "not a key"),
        ('key("")', "no key"),
        ('type("\\x00")', "cannot be typed"),
        ('type("")', "empty"),
        ('type("' + "x" * 1001 + '")', "at most"),
    ]:
        with pytest.raises(ActionError, match=reason):
            _calls(bad)
    with pytest.raises(ActionError, match="unknown action"):
        parse_action("goto('/')", "desktop")


def test_the_window_list_reads_wmctrl_and_skips_sticky_windows():
    listing = "0x01 0 0 0 800 600 host My file - Mousepad\n0x02 -1 0 0 800 20 host panel\nbroken line\n"
    (window,) = parse_windows(listing)
    assert (window.title, window.x, window.width) == ("My file - Mousepad", 0, 800)


def test_a_window_title_s_control_characters_are_replaced():
    (window,) = parse_windows("0x01 0 0 0 800 600 host a\x1b[31mred\u202egnp.exe - Mousepad" + "x" * 300 + "\n")
    assert window.title == "a?[31mred?gnp.exe - Mousepad" + "x" * 92


def test_the_tree_text_is_bounded_and_printable_whatever_the_reader_wrote():
    assert tree_text("") == tree_text("\n  \n") == NO_TREE
    hostile = 'frame "a\x1b[2Jb\x00c\u202ed\x85e"\n' + "x" * (2 * TREE_MAX_CHARS)
    text = tree_text(hostile)
    assert text.splitlines()[0] == 'frame "a?[2Jb?c?d?e"' and len(text) <= TREE_MAX_CHARS
    many = tree_text("\n".join(f'push button "{i}" (0, 0, 1, 1)' for i in range(2000)))
    assert len(many.splitlines()) == TREE_MAX_OBJECTS + 2


def test_the_tree_option_and_the_observation_text():
    assert (tree_objects(False), tree_objects(True), tree_objects(25)) == (0, TREE_MAX_OBJECTS, 25)
    for bad in (0, TREE_MAX_OBJECTS + 1, "yes", 2.5):
        with pytest.raises(ValueError, match="accessibility_tree"):
            tree_objects(bad)
    image = np.zeros((1, 1, 3), np.uint8)
    without = Screen(image, (), "").summary()
    assert without == "Windows: none" and "Accessibility" not in without
    text = Screen(image, (), "", 'application "x"\n  frame "x" (0, 0, 800, 600)').summary()
    assert text.splitlines()[1].startswith("Accessibility tree") and text.endswith('frame "x" (0, 0, 800, 600)')
    assert "NO_AT_BRIDGE=1" in exports() and "DBUS_SESSION_BUS_ADDRESS" not in exports()
    assert "NO_AT_BRIDGE" not in exports(True) and "DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/" in exports(True)


def test_answers_compare_by_value_case_and_spacing():
    assert answers_match(" 42.0 ", "42") and answers_match("Quiet  River", "quiet river")
    assert not answers_match("41", "42") and not answers_match("", "42")


def test_over_100_templates_over_5_apps_give_over_1000_distinct_instances():
    table = app_templates()
    assert set(table) == set(APPS) and all(len(t) >= 10 for t in table.values())
    every = [t for ts in table.values() for t in ts]
    assert len(every) >= 100 and len(every) * INSTANCES_PER_TEMPLATE >= 1000
    assert len(agora.list_envs(family="desktop")) == len(every)
    for template in every:
        tasks = [template.make(seed) for seed in range(INSTANCES_PER_TEMPLATE)]
        again = template.make(3)  # the same seed gives the same task
        assert (again.instruction, again.files, again.oracle, again.answer) == (
            (tasks[3].instruction, tasks[3].files, tasks[3].oracle, tasks[3].answer)
        )
        distinct = {(t.instruction, tuple(sorted(t.files.items()))) for t in tasks}
        assert len(distinct) >= INSTANCES_PER_TEMPLATE // 2, template.name
        for task in tasks:
            assert (task.answer is None) != (task.check is None), template.name
            assert task.oracle and task.oracle[-1].startswith("answer("), template.name
            for action in task.oracle:
                parsed = parse_action(action, "desktop")  # the oracle uses the env's own grammar
                if parsed.name not in ("answer", "wait"):
                    to_xdotool(parsed, 800, 600)


def test_the_registered_template_names_are_each_app_s_templates() -> None:
    import json
    from pathlib import Path

    import agora.envs.desktop as desktop

    names = json.loads((Path(desktop.__file__).parent / desktop.TEMPLATE_NAMES_FILE).read_text())
    expected = {app: [t.name for t in templates] for app, templates in app_templates().items()}
    assert names == expected, f"regenerate {desktop.TEMPLATE_NAMES_FILE}: {json.dumps(expected)}"


def test_ini_values_are_read_per_group_and_the_last_one_wins():
    text = "[general]\nmode=0\n[ui]\nmode=9\n show_hidden = 1 \n[general]\nmode=1\n"
    assert ini_value(text, "general", "mode") == "1" and ini_value(text, "ui", "show_hidden") == "1"
    assert ini_value(text, "ui", "absent") is None and ini_value(text, "other", "mode") is None
    assert ini_value("show_hidden=1\n", "ui", "show_hidden") is None  # a key outside any group is in none
