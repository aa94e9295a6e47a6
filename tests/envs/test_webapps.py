"""The real web apps (``web/<app>.*``): seeded state, per-episode isolation, graders, oracle, bounded servers."""

from __future__ import annotations

import os
import sqlite3
import urllib.error
import urllib.request

import pytest

import agora
from agora.envs.web import WEB_APPS
from agora.envs.web.appserver import app_server, new_token, seeded_db
from agora.envs.web.apptasks import answer_matches, normalise
from agora.envs.web.webapp import WebAppOracle, instances_of, template_table

ORACLE_SAMPLE = {
    "helpdesk": (
        "ticket-status",
        "queue-status-count",
        "resolve-ticket",
        "create-ticket",
        "queue-ticket-list",
        "assign-to-project-lead",
    ),
    "wiki": ("project-budget", "previous-budget", "set-project-status", "create-article", "open-history"),
    "store": ("order-total", "set-stock", "sorted-category", "wiki-price-sync"),
}
"""Templates whose oracle runs in CI, per app (one or more of each kind); the benchmark runs every template."""


def play_oracle(env, seed: int, max_steps: int = 20) -> tuple[float, dict]:
    """Plays the oracle for one episode; returns its return and the last info."""
    obs, info = env.reset(seed=seed)
    oracle, total = WebAppOracle(), 0.0
    for _ in range(max_steps):
        obs, reward, terminated, truncated, info = env.step(oracle.act(obs, info))
        assert not info.get("error") and not info.get("infra_error"), (info, obs[-2000:])
        total += reward
        if terminated or truncated:
            break
    return total, info


def test_answers_compare_exactly_after_normalising():
    assert normalise(' "Kenji  Nakamura". ') == "kenji nakamura"
    assert normalise("1,024") == normalise("1024") == "1024"
    assert normalise("Jan 2, 2023") == normalise("2023-01-02") == normalise("2 January 2023") == "2023-01-02"
    assert normalise("3.50") == normalise("3.5")
    assert answer_matches("4. Low", ("4. Low", "Low", "4")) and answer_matches("low", ("4. Low", "Low", "4"))
    assert not answer_matches("Lo", ("4. Low", "Low")) and not answer_matches("12", ("120",))
    assert not answer_matches("x" * 10_000, ("x",))


@pytest.mark.parametrize("app", sorted(WEB_APPS))
def test_seeding_is_deterministic_and_large(app):
    """Seeding the app's schema twice gives the same rows; the seeded state has thousands of rows."""
    import importlib

    seed = importlib.import_module(f"agora.envs.web.{app}.seed").seed
    schema = sqlite3.connect(f"file:{seeded_db(app)}?mode=ro", uri=True)
    ddl = [sql for (sql,) in schema.execute("SELECT sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL")]
    dumps = []
    for _ in range(2):
        db = sqlite3.connect(":memory:")
        for sql in ddl:
            if "sqlite_sequence" not in sql:
                db.execute(sql)
        for table in ("django_site", "django_content_type"):  # rows the migrations write, which seeding reads
            rows = schema.execute(f"SELECT * FROM {table}").fetchall()
            db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
        seed(db)
        dumps.append(list(db.iterdump()))
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) > 1000


@pytest.mark.parametrize("app", sorted(WEB_APPS))
def test_every_template_has_instances_from_the_seeded_state(app):
    table = template_table(app)
    counts = {name: len(instances_of(app, name)) for name in table}
    assert all(counts.values()), counts
    assert {t.kind for t in table.values()} == {"answer", "change", "navigate"}
    for name, template in table.items():
        for inst in instances_of(app, name)[:50]:
            assert inst.text and (template.kind != "answer" or inst.answers), (name, inst)


@pytest.mark.browser
@pytest.mark.parametrize("env_id", [f"web/{a}.{t}-v0" for a, ts in ORACLE_SAMPLE.items() for t in ts])
def test_oracle_solves_a_sample_of_templates(env_id):
    env = agora.make(env_id)
    try:
        total, info = play_oracle(env, seed=7)
        assert total == 1.0, info
        assert info["task_kind"] == env.unwrapped.template.kind
    finally:
        env.close()


@pytest.mark.browser
def test_episodes_of_the_same_seed_never_see_each_others_writes():
    """While one episode closes a ticket and scores 1, another episode of the same seed started at the same
    time still sees the ticket open, and scores 0 when it answers at once."""
    changer, bystander = agora.make("web/helpdesk.close-ticket-v0"), agora.make("web/helpdesk.close-ticket-v0")
    try:
        bystander.reset(seed=3)
        total, _ = play_oracle(changer, seed=3)
        assert total == 1.0
        ticket = changer.unwrapped.instance.params["id"]
        assert bystander.unwrapped.instance.params["id"] == ticket
        obs, *_ = bystander.step(f'goto("/helpdesk/tickets/{ticket}/")')
        status_line = obs.split('text "Status"\n', 1)[1].splitlines()[0]
        assert status_line.endswith('text "Open"'), status_line  # the bystander's copy still has it open
        _, reward, terminated, _, _ = bystander.step('answer("")')
        assert terminated and reward == 0.0
        # the next episode of the changer starts from the seeded state again
        changer.reset(seed=3)
        _, reward, *_ = changer.step('answer("")')
        assert reward == 0.0
    finally:
        changer.close()
        bystander.close()


@pytest.mark.browser
def test_wrong_answers_and_wrong_changes_score_zero():
    env = agora.make("web/helpdesk.set-priority-v0")
    try:
        env.reset(seed=5)
        inst = env.unwrapped.instance
        env.step(f'goto("/helpdesk/tickets/{inst.params["id"]}/edit/")')
        obs, *_ = env.step("noop()")
        wrong = next(p for p in ("1. Critical", "5. Very Low") if p[0] != str(inst.params["value"]))
        field = next(line for line in obs.splitlines() if 'combobox "Priority"' in line)
        env.step(f'select({field.split("]")[0].strip(" [")}, "{wrong}")')
        _, reward, terminated, *_ = env.step("answer('')")  # not saved: the database is unchanged
        assert terminated and reward == 0.0
    finally:
        env.close()
    env = agora.make("web/helpdesk.ticket-status-v0")
    try:
        env.reset(seed=5)
        right = env.unwrapped.instance.answers[0]
        wrong = "Duplicate" if right != "Duplicate" else "Open"
        assert env.step(f'answer("{wrong}")')[1] == 0.0
        env.reset(seed=5)
        assert env.step(f'answer(" {right.upper()}. ")')[1] == 1.0
    finally:
        env.close()


@pytest.mark.browser
def test_goto_stays_on_the_apps_of_the_template():
    env = agora.make("web/helpdesk.open-ticket-v0")
    try:
        env.reset(seed=0)
        server = app_server("helpdesk")
        for url in ("http://example.com/", "//example.com/x", "http://127.0.0.1:1/", "file:///etc/passwd"):
            assert env.step(f"goto({url!r})")[4].get("error"), url
        obs, *_ = env.step(f'goto("{server.origin}/helpdesk/tickets/1/")')
        assert "Page: /helpdesk/tickets/1/" in obs
    finally:
        env.close()


def test_a_closed_episode_leaves_no_copy_and_its_pages_answer_410():
    server = app_server("helpdesk")
    token = new_token()
    server.new_episode(token)
    request = urllib.request.Request(
        f"{server.origin}/helpdesk/tickets/1/", headers={"Cookie": f"agora_episode={token}"}
    )
    assert urllib.request.urlopen(request).status == 200
    server.end_episode(token)
    assert not server.episode_db(token).exists()
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request)
    assert e.value.code == 410
    forged = urllib.request.Request(f"{server.origin}/helpdesk/", headers={"Cookie": "agora_episode=../../x"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(forged)


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


@pytest.mark.slow
def test_server_memory_and_disk_are_flat_over_500_episodes():
    """500 episodes (copy, a page that writes a session, delete) against one app server: its RSS stays within
    40 MB of the start and no episode file is left (the browser side is the shop's 500-episode test)."""
    server = app_server("helpdesk")

    def episode() -> None:
        token = new_token()
        server.new_episode(token)
        cookie = {"Cookie": f"agora_episode={token}"}
        urllib.request.urlopen(urllib.request.Request(f"{server.origin}/helpdesk/rss/", headers=cookie)).read()
        server.end_episode(token)

    for _ in range(20):
        episode()
    start = _rss_mb(server.process.pid)
    for _ in range(500):
        episode()
    end = _rss_mb(server.process.pid)
    print(f"helpdesk server RSS over 500 episodes: {start:.0f} MB -> {end:.0f} MB")
    assert end - start < 40, (start, end)
    assert os.listdir(server.episodes) == []


@pytest.mark.browser
def test_pixel_mode_shows_the_app_and_grades_the_same():
    env = agora.make("web/wiki.project-status-v0", mode="pixel")
    try:
        obs, info = env.reset(seed=2)
        assert obs["image"].shape == (768, 1024, 3) and obs["image"].std() > 5  # the rendered wiki, not a blank
        assert info["task_kind"] == "answer"
        answer = env.unwrapped.instance.answers[0]
        _, reward, terminated, _, _ = env.step(f'answer("{answer}")')
        assert terminated and reward == 1.0
    finally:
        env.close()


@pytest.mark.browser
def test_the_turn_limit_grades_the_state_the_episode_left():
    env = agora.make("web/helpdesk.close-ticket-v0", turn_limit=3)
    try:
        obs, info = env.reset(seed=4)
        oracle = WebAppOracle()
        for _ in range(3):  # goto, click "Closed", click "Save": the limit comes before answer("")
            obs, reward, terminated, truncated, info = env.step(oracle.act(obs, info))
        assert terminated and not truncated and reward == 1.0 and info["graded_at_turn_limit"]
        env.reset(seed=4)
        for _ in range(3):
            obs, reward, terminated, truncated, info = env.step("noop()")
        assert terminated and reward == 0.0
    finally:
        env.close()


def test_the_registered_template_names_are_each_app_s_templates() -> None:
    import importlib
    import json
    from pathlib import Path

    import agora.envs.web as web

    names = json.loads((Path(web.__file__).parent / web.APP_TEMPLATES_FILE).read_text())
    expected = {app: list(importlib.import_module(f"agora.envs.web.{app}.tasks").TEMPLATES) for app in web.WEB_APPS}
    assert names == expected, f"regenerate {web.APP_TEMPLATES_FILE}: {json.dumps(expected)}"
