"""What the forum's site needs beyond settings: a database search backend for haystack and a middleware guard.

Loaded by site.py (lazily, under the name ``agora_webapp_forum_glue``) in the apps' venv; imports nothing
of agora.

**Search.** haystack's ``simple`` backend flattens every filter into one string of words and keeps only the last, so
machina's forum filter (``forum__in``) and subject filter break it. This backend keeps the filters apart
(the query travels as JSON from `DatabaseSearchQuery` to `DatabaseSearchBackend`) and runs them as one
database query: every word (or "quoted phrase") in a post's subject or text, the subject filter on the
topic, the poster filter on the username, the forum filter on the topic's forum; newest posts first, one
page at a time.

**Static files.** machina's permission middleware reads the session of every request, static files
included, but static requests carry no episode database: `ForumPermissions` runs it for pages only.
"""

import json
import re

from django.db.models import Q
from haystack import connections
from haystack.backends import BaseEngine
from haystack.backends.simple_backend import SimpleSearchBackend, SimpleSearchQuery
from haystack.models import SearchResult
from machina.apps.forum_permission.middleware import ForumPermissionMiddleware

MAX_TERMS = 16
MAX_TERM_CHARS = 100


def _terms(text: str) -> list[str]:
    """The words and "quoted phrases" of a query, bounded."""
    found = re.findall(r'"([^"]+)"|(\S+)', text[: MAX_TERMS * MAX_TERM_CHARS])
    return [(a or b)[:MAX_TERM_CHARS] for a, b in found][:MAX_TERMS]


class DatabaseSearchQuery(SimpleSearchQuery):
    """Serialises the query's filters (AND only, as machina builds them) as JSON for the backend."""

    def build_query(self) -> str:
        """``{"field": value, ...}`` of every filter (text inputs as their raw query string)."""
        filters: dict = {}
        self._collect(self.query_filter, filters)
        return json.dumps(filters)

    def _collect(self, node, filters: dict) -> None:
        for child in node.children:
            if hasattr(child, "children"):
                self._collect(child, filters)
                continue
            field, value = child[0].split("__")[0], child[1]
            if hasattr(value, "query_string"):
                value = value.query_string
            elif not isinstance(value, str | int):
                value = [int(v) for v in value]
            filters[field] = value


class DatabaseSearchBackend(SimpleSearchBackend):
    """Runs a `DatabaseSearchQuery` on the forum's posts (see the module docs)."""

    def search(self, query_string: str, **kwargs) -> dict:
        """One page of matching posts (as the index would store them) and the number of matches."""
        from machina.core.db.models import get_model

        post = get_model("forum_conversation", "Post")
        filters = json.loads(query_string) if query_string.startswith("{") else {}
        posts = post.objects.filter(approved=True)
        for term in _terms(str(filters.get("content", ""))):
            posts = posts.filter(Q(content__icontains=term) | Q(subject__icontains=term))
        for term in _terms(str(filters.get("topic_subject", ""))):
            posts = posts.filter(topic__subject__icontains=term)
        if filters.get("poster_name"):
            posts = posts.filter(poster__username__icontains=str(filters["poster_name"])[:MAX_TERM_CHARS])
        if "forum" in filters:
            forums = filters["forum"]
            posts = posts.filter(topic__forum_id__in=forums if isinstance(forums, list) else [forums])
        posts = posts.select_related("topic", "topic__forum", "poster").order_by("-created", "-id")
        start, end = kwargs.get("start_offset", 0), kwargs.get("end_offset")
        index = connections[self.connection_alias].get_unified_index().get_index(post)
        results = []
        for match in posts[start:end]:
            fields = {k: v for k, v in index.full_prepare(match).items() if k not in ("id", "django_ct", "django_id")}
            result = SearchResult("forum_conversation", "post", match.pk, 0, **fields)
            result._model, result._object = post, match
            results.append(result)
        return {"results": results, "hits": posts.count()}


class DatabaseSearchEngine(BaseEngine):
    """haystack's engine entry for `DatabaseSearchBackend` (``HAYSTACK_CONNECTIONS`` names it)."""

    backend = DatabaseSearchBackend
    query = DatabaseSearchQuery


class ForumPermissions(ForumPermissionMiddleware):
    """machina's `ForumPermissionMiddleware`, skipped for static files (see the module docs)."""

    def process_request(self, request) -> None:
        """Attaches machina's permission handler to a page request."""
        from django.conf import settings

        if not request.path.startswith(settings.STATIC_URL):
            super().process_request(request)
