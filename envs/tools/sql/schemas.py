"""Three SQLite schemas with foreign keys (shop, school, library) and their seeded data.

`build_database(path, schema, seed)` writes a fresh database file; the same (schema, seed) always
gives the same rows. Data sizes are small (tens to a few hundred rows) so an episode starts fast.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable

FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dario",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ivo",
    "Jun",
    "Kemal",
    "Lea",
    "Mira",
    "Nils",
    "Oona",
    "Pavel",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Yara",
    "Zoe",
]
LAST = [
    "Lopez",
    "Okafor",
    "Novak",
    "Tanaka",
    "Berg",
    "Rossi",
    "Haddad",
    "Kim",
    "Silva",
    "Moreau",
    "Petrov",
    "Quinn",
    "Sato",
    "Weber",
    "Costa",
    "Larsen",
]
CITIES = ["Lyon", "Porto", "Gdansk", "Osaka", "Tampere", "Bergen", "Cork", "Graz", "Lille", "Turin"]
COUNTRIES = ["France", "Portugal", "Poland", "Japan", "Finland", "Norway", "Ireland", "Austria"]

DDL: dict[str, str] = {
    "shop": """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, joined TEXT NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
  price REAL NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
  order_date TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE order_items (order_id INTEGER NOT NULL REFERENCES orders(id),
  product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL,
  PRIMARY KEY (order_id, product_id));""",
    "school": """
CREATE TABLE teachers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, department TEXT NOT NULL);
CREATE TABLE courses (id INTEGER PRIMARY KEY, title TEXT NOT NULL, teacher_id INTEGER NOT NULL
  REFERENCES teachers(id), credits INTEGER NOT NULL);
CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT NOT NULL, year INTEGER NOT NULL);
CREATE TABLE enrollments (student_id INTEGER NOT NULL REFERENCES students(id),
  course_id INTEGER NOT NULL REFERENCES courses(id), grade INTEGER NOT NULL,
  PRIMARY KEY (student_id, course_id));""",
    "library": """
CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL);
CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL
  REFERENCES authors(id), year INTEGER NOT NULL, genre TEXT NOT NULL);
CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);
CREATE TABLE loans (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books(id),
  member_id INTEGER NOT NULL REFERENCES members(id), loan_date TEXT NOT NULL, returned INTEGER NOT NULL);""",
}

Rows = dict[str, list[tuple]]


def _names(rng: random.Random, n: int) -> list[str]:
    pool = [f"{f} {lst}" for f in FIRST for lst in LAST]
    return rng.sample(pool, n)


def _date(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _shop(rng: random.Random) -> Rows:
    catalogue = {
        "books": ["Atlas", "Novel", "Cookbook", "Diary"],
        "garden": ["Rake", "Hose", "Shovel", "Pot"],
        "kitchen": ["Kettle", "Pan", "Whisk", "Grater"],
        "toys": ["Kite", "Puzzle", "Yo-yo", "Robot"],
    }
    customers = [
        (i + 1, n, rng.choice(CITIES), _date(rng, rng.randint(2019, 2023))) for i, n in enumerate(_names(rng, 30))
    ]
    kinds = [
        (f"{item} {model}", cat) for cat, items in catalogue.items() for item in items for model in ("Basic", "Pro")
    ]
    products = [(i + 1, name, cat, round(rng.uniform(2, 120), 2)) for i, (name, cat) in enumerate(kinds)]
    orders = [
        (i + 1, rng.randint(1, 30), _date(rng, 2024), rng.choice(["paid", "shipped", "cancelled"])) for i in range(60)
    ]
    items = sorted(
        {
            (o, p): (o, p, rng.randint(1, 5))
            for o in range(1, 61)
            for p in rng.sample(range(1, len(products) + 1), rng.randint(1, 4))
        }.values()
    )
    return {"customers": customers, "products": products, "orders": orders, "order_items": items}


def _school(rng: random.Random) -> Rows:
    departments = ["Mathematics", "History", "Biology", "Music"]
    names = _names(rng, 48)
    teachers = [(i + 1, names[i], departments[i % 4]) for i in range(8)]
    titles = [
        "Algebra",
        "Geometry",
        "Statistics",
        "Ancient Rome",
        "Modern Europe",
        "Genetics",
        "Ecology",
        "Botany",
        "Harmony",
        "Orchestra",
        "Calculus",
        "Zoology",
    ]
    courses = [(i + 1, t, rng.randint(1, 8), rng.choice([3, 4, 6])) for i, t in enumerate(titles)]
    students = [(i + 1, names[8 + i], rng.randint(1, 4)) for i in range(40)]
    enrollments = [
        (s, c, rng.randint(40, 100)) for s in range(1, 41) for c in sorted(rng.sample(range(1, 13), rng.randint(2, 4)))
    ]
    return {"teachers": teachers, "courses": courses, "students": students, "enrollments": enrollments}


def _library(rng: random.Random) -> Rows:
    genres = ["mystery", "poetry", "science", "fantasy"]
    names = _names(rng, 42)
    authors = [(i + 1, names[i], rng.choice(COUNTRIES)) for i in range(12)]
    words = ["Silent", "River", "Glass", "Winter", "Harbor", "Lantern", "Orbit", "Garden", "Copper", "Echo"]
    titles = rng.sample([f"The {a} {b}" for a in words for b in words if a != b], 40)
    books = [(i + 1, t, rng.randint(1, 12), rng.randint(1950, 2023), rng.choice(genres)) for i, t in enumerate(titles)]
    members = [(i + 1, names[12 + i], rng.choice(CITIES)) for i in range(30)]
    loans = [
        (i + 1, rng.randint(1, 40), rng.randint(1, 30), _date(rng, 2024), int(rng.random() < 0.7)) for i in range(80)
    ]
    return {"authors": authors, "books": books, "members": members, "loans": loans}


GENERATORS: dict[str, Callable[[random.Random], Rows]] = {
    "shop": _shop,
    "school": _school,
    "library": _library,
}
SCHEMAS = tuple(GENERATORS)


def generate_rows(schema: str, seed: int) -> Rows:
    """The rows of every table of `schema` for `seed`."""
    return GENERATORS[schema](random.Random(f"{schema}:{seed}"))


def build_database(path: str, schema: str, seed: int) -> Rows:
    """Writes a fresh SQLite database for (schema, seed) at `path`; returns its rows."""
    rows = generate_rows(schema, seed)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file rebuilt from the seed: no need to sync
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(DDL[schema])
        for table, values in rows.items():
            marks = ", ".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    conn.close()
    return rows
