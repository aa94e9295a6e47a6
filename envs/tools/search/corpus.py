"""A fictional encyclopedia, generated deterministically, so that memorised world knowledge cannot help.

Names are built from syllables (``Varnholt``, ``Quessaly``) and linked by facts: people are born in
cities, cities lie in countries, countries have capitals, people found companies and invent things.
Each entity has one document; a document names the entities it links to, so multi-hop questions
need a chain of searches. `build_corpus()` always returns the same corpus (a fixed seed), about
230 documents; `questions(corpus)` returns the multi-hop questions with gold answers and the ids of
the documents that support them.
"""

from __future__ import annotations

import dataclasses
import functools
import random

SYLLABLES = [
    "var",
    "nol",
    "ques",
    "sa",
    "ly",
    "dor",
    "mith",
    "ka",
    "ren",
    "tal",
    "ou",
    "brin",
    "zel",
    "fa",
    "gor",
    "hil",
    "ix",
    "jo",
    "lun",
    "mer",
    "pra",
    "quo",
    "rhe",
    "sil",
    "tor",
    "ulm",
    "vey",
    "wyn",
]
PROFESSIONS = [
    "engineer",
    "painter",
    "chemist",
    "merchant",
    "astronomer",
    "composer",
    "architect",
    "physician",
]
INVENTION_KINDS = ["lamp", "loom", "compass", "engine", "telescope", "clock", "pump", "press"]
INDUSTRIES = ["shipping", "textiles", "glassware", "printing", "mining", "instruments"]
CORPUS_SEED = 20240607


@dataclasses.dataclass(frozen=True)
class Document:
    """One encyclopedia entry."""

    id: str
    title: str
    text: str


@dataclasses.dataclass(frozen=True)
class Question:
    """A multi-hop question, its gold answer, and the documents that support it, hop by hop."""

    question: str
    answer: str
    support: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Corpus:
    """The documents and the facts they were written from."""

    documents: tuple[Document, ...]
    facts: dict[str, dict[str, str]]

    def by_id(self) -> dict[str, Document]:
        """Documents by id."""
        return {d.id: d for d in self.documents}


class _Names:
    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def __call__(self, parts: int = 2) -> str:
        while True:
            name = "".join(self.rng.choice(SYLLABLES) for _ in range(parts)).capitalize()
            if name not in self.used and len(name) > 3:
                self.used.add(name)
                return name


def _doc(kind: str, index: int, title: str, text: str) -> Document:
    return Document(f"{kind}-{index:03d}", title, text)


def _world(rng: random.Random) -> dict[str, dict[str, dict[str, str]]]:
    name = _Names(rng)
    countries = {name(3): {} for _ in range(10)}
    cities = {
        name(2) + rng.choice(["holm", "ford", "ton", "grad", "mouth"]): {"country": c}
        for c in countries
        for _ in range(4)
    }
    for country in countries:
        countries[country]["capital"] = rng.choice([c for c, f in cities.items() if f["country"] == country])
    people = {
        f"{name(2)} {name(2)}": {
            "born": rng.choice(list(cities)),
            "profession": rng.choice(PROFESSIONS),
            "year": str(rng.randint(1700, 1900)),
        }
        for _ in range(110)
    }
    founders = rng.sample(list(people), 40)
    companies = {
        name(2) + " " + rng.choice(["Works", "Company", "Guild", "Trading"]): {
            "founder": f,
            "city": rng.choice(list(cities)),
            "year": str(int(people[f]["year"]) + rng.randint(20, 45)),
            "industry": rng.choice(INDUSTRIES),
        }
        for f in founders
    }
    inventors = rng.sample([p for p in people if p not in founders], 30)
    inventions = {f"{name(2)} {rng.choice(INVENTION_KINDS)}": {"inventor": p} for p in inventors}
    return {
        "country": countries,
        "city": cities,
        "person": people,
        "company": companies,
        "invention": inventions,
    }


def _texts(world: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    people_of = {c: sorted(p for p, f in world["person"].items() if f["born"] == c) for c in world["city"]}
    texts = {
        "country": {
            c: f"{c} is a country whose capital is {f['capital']}. Its cities include "
            f"{', '.join(x for x, g in world['city'].items() if g['country'] == c)}."
            for c, f in world["country"].items()
        },
        "city": {
            c: f"{c} is a city in {f['country']}. Notable people born in {c}: "
            f"{', '.join(people_of[c]) or 'none recorded'}."
            for c, f in world["city"].items()
        },
        "person": {
            p: f"{p} was a {f['profession']} born in {f['year']} in the city of {f['born']}."
            for p, f in world["person"].items()
        },
        "company": {
            c: f"{c} is a {f['industry']} company founded in {f['year']} by {f['founder']}. "
            f"Its headquarters are in {f['city']}."
            for c, f in world["company"].items()
        },
        "invention": {i: f"The {i} was invented by {f['inventor']}." for i, f in world["invention"].items()},
    }
    for company, f in world["company"].items():
        texts["person"][f["founder"]] += f" {f['founder'].split()[0]} founded {company}."
    for invention, f in world["invention"].items():
        texts["person"][f["inventor"]] += f" {f['inventor'].split()[0]} invented the {invention}."
    return texts


@functools.lru_cache(maxsize=1)
def build_corpus() -> Corpus:
    """The encyclopedia (the same every time)."""
    world = _world(random.Random(CORPUS_SEED))
    texts = _texts(world)
    documents, facts = [], {}
    for kind, entities in texts.items():
        for index, (title, text) in enumerate(entities.items()):
            doc = _doc(kind, index, title, text)
            documents.append(doc)
            facts[title] = {**world[kind][title], "doc_id": doc.id, "kind": kind}
    return Corpus(tuple(documents), facts)


def questions(corpus: Corpus) -> list[Question]:
    """Every multi-hop question the corpus supports (2 to 4 hops), in a fixed order."""
    f = corpus.facts
    out = []
    for company, c in sorted((k, v) for k, v in f.items() if v["kind"] == "company"):
        founder = f[c["founder"]]
        city = f[founder["born"]]
        out.append(
            Question(
                f"In which country was the founder of {company} born?",
                city["country"],
                (c["doc_id"], founder["doc_id"], city["doc_id"]),
            )
        )
        out.append(
            Question(
                f"In which city are the headquarters of the company founded by {c['founder']}?",
                c["city"],
                (founder["doc_id"], c["doc_id"]),
            )
        )
    for invention, i in sorted((k, v) for k, v in f.items() if v["kind"] == "invention"):
        inventor = f[i["inventor"]]
        city = f[inventor["born"]]
        country = f[city["country"]]
        out.append(
            Question(
                f"What is the capital of the country where the inventor of the {invention} was born?",
                country["capital"],
                (i["doc_id"], inventor["doc_id"], city["doc_id"], country["doc_id"]),
            )
        )
        out.append(
            Question(
                f"In what year was the inventor of the {invention} born?",
                inventor["year"],
                (i["doc_id"], inventor["doc_id"]),
            )
        )
    return out
