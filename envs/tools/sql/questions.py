"""Question templates per schema, each with its gold query.

A template's parameters are drawn from the seeded rows (`column`) or from a fixed list (`one_of`),
so every question is about data that exists. Values are quoted for SQL when filled in.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

from agora.envs.tools.sql.schemas import Rows

Sampler = Callable[[random.Random, Rows], Any]


def column(table: str, index: int) -> Sampler:
    """A sampler of one value of `table`'s column `index`."""
    return lambda rng, rows: rng.choice(rows[table])[index]


def one_of(*values: Any) -> Sampler:
    """A sampler of one of `values`."""
    return lambda rng, rows: rng.choice(values)


@dataclasses.dataclass(frozen=True)
class Template:
    """A question and its gold query with ``{name}`` fields, and how to draw each field."""

    question: str
    sql: str
    params: dict[str, Sampler] = dataclasses.field(default_factory=dict)

    def fill(self, rng: random.Random, rows: Rows) -> tuple[str, str]:
        """The (question, gold query) for parameters drawn with `rng`."""
        values = {name: sample(rng, rows) for name, sample in self.params.items()}
        quoted = {k: v.replace("'", "''") if isinstance(v, str) else v for k, v in values.items()}
        return self.question.format(**values), self.sql.format(**quoted)


SHOP = [
    Template(
        "How many customers live in {city}?",
        "SELECT COUNT(*) FROM customers WHERE city = '{city}'",
        {"city": column("customers", 2)},
    ),
    Template(
        "List the names and prices of products in the '{cat}' category that cost more than {p}, "
        "from the most to the least expensive.",
        "SELECT name, price FROM products WHERE category = '{cat}' AND price > {p} ORDER BY price DESC",
        {"cat": column("products", 2), "p": one_of(10, 30, 50)},
    ),
    Template(
        "What is the total quantity of items ordered by the customer '{name}' (0 if none)?",
        "SELECT COALESCE(SUM(oi.quantity), 0) FROM customers c JOIN orders o ON o.customer_id = c.id "
        "JOIN order_items oi ON oi.order_id = o.id WHERE c.name = '{name}'",
        {"name": column("customers", 1)},
    ),
    Template(
        "For each product category, give the category and the number of products in it.",
        "SELECT category, COUNT(*) FROM products GROUP BY category",
    ),
    Template(
        "Give the names of the customers who placed at least one order with status '{status}'.",
        "SELECT DISTINCT c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = '{status}'",
        {"status": one_of("paid", "shipped", "cancelled")},
    ),
]

SCHOOL = [
    Template(
        "How many students are in year {year}?",
        "SELECT COUNT(*) FROM students WHERE year = {year}",
        {"year": one_of(1, 2, 3, 4)},
    ),
    Template(
        "What is the average grade in the course '{title}'?",
        "SELECT AVG(e.grade) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE c.title = '{title}'",
        {"title": column("courses", 1)},
    ),
    Template(
        "List the titles of the courses taught by teachers of the {dept} department.",
        "SELECT c.title FROM courses c JOIN teachers t ON t.id = c.teacher_id WHERE t.department = '{dept}'",
        {"dept": column("teachers", 2)},
    ),
    Template(
        "For each course, give its title and the number of students enrolled in it.",
        "SELECT c.title, COUNT(e.student_id) FROM courses c LEFT JOIN enrollments e ON e.course_id = c.id "
        "GROUP BY c.id",
    ),
    Template(
        "Give the names of the students with a grade of at least {grade} in '{title}'.",
        "SELECT s.name FROM students s JOIN enrollments e ON e.student_id = s.id "
        "JOIN courses c ON c.id = e.course_id WHERE c.title = '{title}' AND e.grade >= {grade}",
        {"title": column("courses", 1), "grade": one_of(60, 70, 80)},
    ),
]

LIBRARY = [
    Template(
        "How many books were written by authors from {country}?",
        "SELECT COUNT(*) FROM books b JOIN authors a ON a.id = b.author_id WHERE a.country = '{country}'",
        {"country": column("authors", 2)},
    ),
    Template(
        "List the titles and years of the {genre} books published after {year}, oldest first (ties by title).",
        "SELECT title, year FROM books WHERE genre = '{genre}' AND year > {year} ORDER BY year, title",
        {"genre": column("books", 4), "year": one_of(1970, 1990, 2000)},
    ),
    Template(
        "Give the names of the members who have at least one loan that is not returned yet (returned = 0).",
        "SELECT DISTINCT m.name FROM members m JOIN loans l ON l.member_id = m.id WHERE l.returned = 0",
    ),
    Template(
        "For each genre that has been borrowed, give the genre and the number of loans of books of that genre.",
        "SELECT b.genre, COUNT(*) FROM loans l JOIN books b ON b.id = l.book_id GROUP BY b.genre",
    ),
    Template(
        "Who wrote the book '{title}'? Give the author's name.",
        "SELECT a.name FROM authors a JOIN books b ON b.author_id = a.id WHERE b.title = '{title}'",
        {"title": column("books", 1)},
    ),
]

TEMPLATES: dict[str, list[Template]] = {"shop": SHOP, "school": SCHOOL, "library": LIBRARY}


def make_question(schema: str, rows: Rows, rng: random.Random) -> tuple[str, str]:
    """A (question, gold query) pair for `schema`, drawn with `rng` from the schema's templates."""
    return rng.choice(TEMPLATES[schema]).fill(rng, rows)
