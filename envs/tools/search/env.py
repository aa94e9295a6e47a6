"""Multi-hop question answering over a fictional encyclopedia with a BM25 search tool.

**Task.** A question whose answer needs a chain of 2 to 4 documents (``In which country was the
founder of Quessaly Works born?``) over a generated encyclopedia of about 230 documents about
people, cities, countries, companies and inventions that do not exist, so memorised knowledge
cannot help (`agora.envs.tools.search.corpus`). The seed picks the question.

**Tools** (listed in ``info["tools"]``; one JSON call per reply,
``{"name": "search", "arguments": {"query": "Quessaly Works founder"}}``):

* ``search(query)``: the top ``k`` (5) documents by BM25 (``rank_bm25``), as id, title and snippet;
* ``open(doc_id)``: the full text of a document (an unknown id is an error observation);
* ``answer(answer)``: submits the final answer and ends the episode.

**Rewards.** ``answer`` earns the answer score: exact match (``reward="em"``, the default) or
token F1 (``reward="f1"``) after SQuAD normalisation (lower case, no punctuation or articles),
plus ``retrieval_weight`` (0 by default) times the fraction of the supporting documents the agent
opened (a retrieval-utility term). ``info["score"]`` gives ``em``, ``f1`` and ``retrieval``. Other
calls earn 0; a malformed call or an unknown tool earns -0.1.
"""

from __future__ import annotations

import functools
import re
import string
from collections import Counter
from typing import Any

from agora._optional import require
from agora.envs.tools.base import ToolEnv, ToolResult, answer_spec, option_index
from agora.envs.tools.search.corpus import Corpus, Question, build_corpus, questions
from agora.tools import ToolCall, tool_spec

INSTRUCTIONS = (
    "Answer the question using the encyclopedia tools. The encyclopedia describes a fictional world, so "
    "look everything up. Call one tool per reply as one JSON object, e.g. "
    '{"name": "search", "arguments": {"query": "..."}}. `search` returns document ids and snippets, '
    "`open` shows a whole document, and `answer` ends the episode with your short answer (a name or a year)."
)
_TOKEN = re.compile(r"\w+")


def _one_string(name: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "string", "description": description}},
        "required": [name],
        "additionalProperties": False,
    }


TOOLS = [
    tool_spec(
        "search",
        "Search the encyclopedia (BM25); returns the best document ids, titles and snippets.",
        _one_string("query", "keywords to search for"),
    ),
    tool_spec("open", "Show the full text of one document.", _one_string("doc_id", "a document id, e.g. person-007")),
    answer_spec("Submit the final short answer; ends the episode."),
]


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


def f1_score(prediction: str, gold: str) -> float:
    """Token F1 between the normalised prediction and gold answer."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@functools.lru_cache(maxsize=1)
def _index() -> tuple[Corpus, Any, tuple[Question, ...]]:
    rank_bm25 = require("rank_bm25", "text")
    corpus = build_corpus()
    bm25 = rank_bm25.BM25Okapi([_tokens(f"{d.title} {d.text}") for d in corpus.documents])
    return corpus, bm25, tuple(questions(corpus))


MAX_QUERY_TOKENS = 64
"""Words of a query that count; the rest are ignored (BM25's cost grows with each)."""


class SearchEnv(ToolEnv):
    """Search-agent QA over a local fictional corpus (see the module docs)."""

    def __init__(self, reward: str = "em", retrieval_weight: float = 0.0, k: int = 5, render_mode: str | None = None):
        super().__init__(render_mode=render_mode)
        if reward not in ("em", "f1"):
            raise ValueError(f"reward must be 'em' or 'f1', got {reward!r}")
        self.reward_kind, self.retrieval_weight, self.k = reward, float(retrieval_weight), int(k)
        self.corpus, self._bm25, self.questions = _index()
        self._docs = self.corpus.by_id()
        self.task: Question | None = None
        self._opened: set[str] = set()

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.task = self.questions[option_index(options, "question_index", len(self.questions), self.np_random)]
        self._opened = set()
        self._set_tools(TOOLS)
        return f"Question: {self.task.question}", self._info(instructions=INSTRUCTIONS)

    def _call_tool(self, call: ToolCall) -> ToolResult:
        if call.name == "search":
            return self._search(call.arguments["query"]), 0.0, False, {}
        if call.name == "open":
            doc = self._docs.get(call.arguments["doc_id"].strip())
            if doc is None:
                return self.tool_failed(f"no document has id {call.arguments['doc_id']!r}; use an id from search")
            self._opened.add(doc.id)
            return f"[{doc.id}] {doc.title}\n{doc.text}", 0.0, False, {}
        return self._final(call.arguments["answer"])

    def search(self, query: str) -> list[str]:
        """The ids of the top-k documents for `query` by BM25 (best first)."""
        scores = self._bm25.get_scores(_tokens(query)[:MAX_QUERY_TOKENS])  # bounded work per call
        ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [self.corpus.documents[i].id for i in ranked[: self.k] if scores[i] > 0]

    def _search(self, query: str) -> str:
        hits = self.search(query)
        if not hits:
            return "No documents match."
        return "\n".join(f"[{i}] {self._docs[i].title}: {self._docs[i].text[:90]}..." for i in hits)

    def _final(self, answer: str) -> ToolResult:
        em = float(normalize_answer(answer) == normalize_answer(self.task.answer))
        f1 = f1_score(answer, self.task.answer)
        retrieval = len(self._opened & set(self.task.support)) / len(self.task.support)
        reward = (em if self.reward_kind == "em" else f1) + self.retrieval_weight * retrieval
        score = {"em": em, "f1": f1, "retrieval": retrieval, "reward": reward}
        verdict = "correct" if em else "not the expected answer"
        return f"Your answer is {verdict}. Score {reward:.2f}.", reward, True, {"score": score}
