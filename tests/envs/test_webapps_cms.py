"""The CMS (``web/cms.*``, Wagtail): what is seeded, per-episode isolation in the admin, pixel mode.

The shared web-app tests (tests/envs/test_webapps.py) cover its seeding determinism, its templates'
instances and the oracle on a sample of its templates.
"""

from __future__ import annotations

import sqlite3

import pytest

import agora
from agora.envs.web.appserver import seeded_db
from agora.envs.web.cms.seed import AUTHORS, PAGES_PER_SECTION, POSTS, SECTIONS, TAGS
from agora.envs.web.webapp import WebAppOracle


def test_the_seeded_site_has_sections_a_large_blog_and_history():
    db = sqlite3.connect(f"file:{seeded_db('cms')}?mode=ro", uri=True)
    try:
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        assert count("SELECT COUNT(*) FROM agora_cms_blogpage") == POSTS
        assert count("SELECT COUNT(*) FROM agora_cms_standardpage") == len(SECTIONS) * PAGES_PER_SECTION
        drafts = count(
            "SELECT COUNT(*) FROM wagtailcore_page p JOIN agora_cms_blogpage b ON b.page_ptr_id = p.id WHERE p.live = 0"
        )
        assert 10 < drafts < POSTS // 5
        assert count("SELECT COUNT(*) FROM wagtailcore_revision") > count("SELECT COUNT(*) FROM wagtailcore_page")
        assert count("SELECT COUNT(*) FROM agora_cms_blogauthor") == len(AUTHORS)
        assert count("SELECT COUNT(*) FROM taggit_tag") == len(TAGS)
        # treebeard's bookkeeping the seeder computed: each page's child count matches its children
        wrong = count(
            "SELECT COUNT(*) FROM wagtailcore_page p WHERE numchild != (SELECT COUNT(*) FROM wagtailcore_page c"
            " WHERE c.path LIKE p.path || '____')"
        )
        assert wrong == 0
        # every page's live and latest revision exist, and the site serves the home page
        assert (
            count(
                "SELECT COUNT(*) FROM wagtailcore_page WHERE latest_revision_id NOT IN"
                " (SELECT id FROM wagtailcore_revision) AND depth > 1"
            )
            == 0
        )
        assert count("SELECT root_page_id FROM wagtailcore_site WHERE is_default_site = 1") == 2
    finally:
        db.close()


@pytest.mark.browser
def test_an_admin_edit_in_one_episode_is_invisible_to_another_of_the_same_seed():
    """One episode saves a draft title in the Wagtail admin and scores 1; a second episode started at the
    same time, on the same instance, still sees the seeded title and scores 0 when it answers at once."""
    changer, bystander = agora.make("web/cms.save-draft-title-v0"), agora.make("web/cms.save-draft-title-v0")
    try:
        bystander.reset(seed=3)
        obs, info = changer.reset(seed=3)
        oracle, total = WebAppOracle(), 0.0
        for _ in range(12):
            obs, reward, terminated, _, info = changer.step(oracle.act(obs, info))
            total += reward
            if terminated:
                break
        assert total == 1.0
        inst = bystander.unwrapped.instance
        assert inst == changer.unwrapped.instance
        obs, *_ = bystander.step(f'goto("/admin/pages/{inst.params["id"]}/edit/")')
        title_field = next(line for line in obs.splitlines() if 'textbox "Title*"' in line)
        assert title_field.endswith(f'value="{inst.params["title"]}"'), title_field  # the seeded title
        _, reward, terminated, _, _ = bystander.step('answer("")')
        assert terminated and reward == 0.0
    finally:
        changer.close()
        bystander.close()


@pytest.mark.browser
def test_pixel_mode_shows_the_cms_and_grades_the_same():
    env = agora.make("web/cms.post-author-v0", mode="pixel")
    try:
        obs, info = env.reset(seed=1)
        assert obs["image"].shape == (768, 1024, 3) and obs["image"].std() > 5
        assert info["task_kind"] == "answer"
        _, reward, terminated, _, _ = env.step(f'answer("{env.unwrapped.instance.answers[0]}")')
        assert terminated and reward == 1.0
    finally:
        env.close()
