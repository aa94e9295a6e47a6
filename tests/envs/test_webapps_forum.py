"""The forum (``web/forum.*``, django-machina): what is seeded, and that episodes of one seed stay apart."""

from __future__ import annotations

import sqlite3

import pytest

import agora
from agora.envs.web.appserver import seeded_db
from tests.envs.test_webapps import play_oracle


@pytest.fixture(scope="module")
def db():
    connection = sqlite3.connect(f"file:{seeded_db('forum')}?mode=ro", uri=True)
    yield connection
    connection.close()


def _one(db: sqlite3.Connection, sql: str) -> object:
    return db.execute(sql).fetchone()[0]


def test_the_seeded_forum_is_large_and_varied(db):
    assert _one(db, "SELECT COUNT(*) FROM forum_conversation_topic") == 1500
    assert _one(db, "SELECT COUNT(*) FROM forum_conversation_post") >= 8000
    assert _one(db, "SELECT COUNT(DISTINCT poster_id) FROM forum_conversation_post") >= 60
    assert _one(db, "SELECT COUNT(*) FROM forum_forum WHERE type = 1") == 4  # categories
    assert _one(db, "SELECT COUNT(*) FROM forum_forum WHERE level = 2") >= 3  # sub-forums
    assert dict(db.execute("SELECT type, COUNT(*) > 0 FROM forum_conversation_topic GROUP BY type")) == {
        0: 1,
        1: 1,
        2: 1,
    }  # normal, sticky, announce
    assert _one(db, "SELECT COUNT(*) FROM forum_polls_topicpoll") >= 80
    assert _one(db, "SELECT COUNT(DISTINCT substr(created, 1, 4)) FROM forum_conversation_topic") >= 4
    assert _one(db, "SELECT MIN(direct_topics_count) FROM forum_forum WHERE type = 0") > 20  # pages of listings


def test_the_counters_machina_keeps_match_the_rows(db):
    """Denormalised counters (topic posts, first and last post, forum totals, member posts) as machina keeps them."""
    assert not db.execute(
        "SELECT t.id FROM forum_conversation_topic t WHERE t.posts_count != (SELECT COUNT(*) FROM"
        " forum_conversation_post p WHERE p.topic_id = t.id) OR t.first_post_id != (SELECT MIN(p.id) FROM"
        " forum_conversation_post p WHERE p.topic_id = t.id) OR t.last_post_id != (SELECT MAX(p.id) FROM"
        " forum_conversation_post p WHERE p.topic_id = t.id)"
    ).fetchall()
    assert not db.execute(
        "SELECT f.id FROM forum_forum f WHERE f.direct_posts_count != (SELECT COALESCE(SUM(t.posts_count), 0)"
        " FROM forum_conversation_topic t WHERE t.forum_id = f.id)"
    ).fetchall()
    assert not db.execute(
        "SELECT m.user_id FROM forum_member_forumprofile m WHERE m.posts_count != (SELECT COUNT(*) FROM"
        " forum_conversation_post p WHERE p.poster_id = m.user_id)"
    ).fetchall()
    # each poll has one leader (poll-winner has one right answer); the agent has not voted yet (vote-in-poll)
    votes: dict[int, list[int]] = {}
    for poll, n in db.execute(
        "SELECT o.poll_id, COUNT(v.id) FROM forum_polls_topicpolloption o LEFT JOIN forum_polls_topicpollvote v"
        " ON v.poll_option_id = o.id GROUP BY o.id"
    ):
        votes.setdefault(poll, []).append(n)
    assert votes and all(counts.count(max(counts)) == 1 for counts in votes.values())
    assert _one(db, "SELECT COUNT(*) FROM forum_polls_topicpollvote WHERE voter_id = 1") == 0


@pytest.mark.browser
def test_a_forum_episode_never_sees_a_concurrent_episode_s_lock():
    """While one episode locks a topic and scores 1, another of the same seed still has it unlocked and
    scores 0 when it answers at once."""
    changer, bystander = agora.make("web/forum.lock-topic-v0"), agora.make("web/forum.lock-topic-v0")
    try:
        bystander.reset(seed=2)
        total, _ = play_oracle(changer, seed=2)
        assert total == 1.0
        topic = bystander.unwrapped.instance.params["id"]
        assert changer.unwrapped.instance.params["id"] == topic
        status = bystander.unwrapped.episode().query(
            "forum", "SELECT status FROM forum_conversation_topic WHERE id = ?", topic
        )
        assert status == [(0,)]  # the bystander's copy still has it unlocked
        _, reward, terminated, _, _ = bystander.step('answer("")')
        assert terminated and reward == 0.0
    finally:
        changer.close()
        bystander.close()
