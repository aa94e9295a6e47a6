"""Question templates per schema: each draws its parameters from the seeded rows and returns
(question, gold query). Values in gold queries come from the data, so every question has an answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from agora.envs.tools.sql.schemas import Rows

Template = Callable[[random.Random, Rows], tuple[str, str]]


def _q(text: str) -> str:
    return text.replace("'", "''")


def _pick(rng: random.Random, rows: Rows, table: str, column: int) -> str:
    return rng.choice(rows[table])[column]


SHOP: list[Template] = [
    lambda rng, r: (c := _pick(rng, r, "customers", 2),
                    (f"How many customers live in {c}?", f"SELECT COUNT(*) FROM customers WHERE city = '{c}'")),
    lambda rng, r: (cat := _pick(rng, r, "products", 2), p := rng.choice([10, 30, 50]), (
        f"List the names and prices of products in the '{cat}' category that cost more than {p}, "
        "from the most to the least expensive.",
        f"SELECT name, price FROM products WHERE category = '{cat}' AND price > {p} ORDER BY price DESC")),
    lambda rng, r: (n := _pick(rng, r, "customers", 1), (
        f"What is the total quantity of items ordered by the customer '{n}' (0 if none)?",
        "SELECT COALESCE(SUM(oi.quantity), 0) FROM customers c JOIN orders o ON o.customer_id = c.id "
        f"JOIN order_items oi ON oi.order_id = o.id WHERE c.name = '{_q(n)}'")),
    lambda rng, r: (None, (
        "For each product category, give the category and the number of products in it.",
        "SELECT category, COUNT(*) FROM products GROUP BY category")),
    lambda rng, r: (s := rng.choice(["paid", "shipped", "cancelled"]), (
        f"Give the names of the customers who placed at least one order with status '{s}'.",
        "SELECT DISTINCT c.name FROM customers c JOIN orders o ON o.customer_id = c.id "
        f"WHERE o.status = '{s}'")),
]

SCHOOL: list[Template] = [
    lambda rng, r: (y := rng.randint(1, 4),
                    (f"How many students are in year {y}?", f"SELECT COUNT(*) FROM students WHERE year = {y}")),
    lambda rng, r: (t := _pick(rng, r, "courses", 1), (
        f"What is the average grade in the course '{t}'?",
        f"SELECT AVG(e.grade) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE c.title = '{t}'")),
    lambda rng, r: (d := _pick(rng, r, "teachers", 2), (
        f"List the titles of the courses taught by teachers of the {d} department.",
        "SELECT c.title FROM courses c JOIN teachers t ON t.id = c.teacher_id "
        f"WHERE t.department = '{d}'")),
    lambda rng, r: (None, (
        "For each course, give its title and the number of students enrolled in it.",
        "SELECT c.title, COUNT(e.student_id) FROM courses c LEFT JOIN enrollments e ON e.course_id = c.id "
        "GROUP BY c.id")),
    lambda rng, r: (t := _pick(rng, r, "courses", 1), g := rng.choice([60, 70, 80]), (
        f"Give the names of the students with a grade of at least {g} in '{t}'.",
        "SELECT s.name FROM students s JOIN enrollments e ON e.student_id = s.id "
        f"JOIN courses c ON c.id = e.course_id WHERE c.title = '{t}' AND e.grade >= {g}")),
]

LIBRARY: list[Template] = [
    lambda rng, r: (c := _pick(rng, r, "authors", 2), (
        f"How many books were written by authors from {c}?",
        f"SELECT COUNT(*) FROM books b JOIN authors a ON a.id = b.author_id WHERE a.country = '{c}'")),
    lambda rng, r: (g := _pick(rng, r, "books", 4), y := rng.choice([1970, 1990, 2000]), (
        f"List the titles and years of the {g} books published after {y}, oldest first (ties by title).",
        f"SELECT title, year FROM books WHERE genre = '{g}' AND year > {y} ORDER BY year, title")),
    lambda rng, r: (None, (
        "Give the names of the members who have at least one loan that is not returned yet (returned = 0).",
        "SELECT DISTINCT m.name FROM members m JOIN loans l ON l.member_id = m.id WHERE l.returned = 0")),
    lambda rng, r: (None, (
        "For each genre that has been borrowed, give the genre and the number of loans of books of that genre.",
        "SELECT b.genre, COUNT(*) FROM loans l JOIN books b ON b.id = l.book_id GROUP BY b.genre")),
    lambda rng, r: (t := _pick(rng, r, "books", 1), (
        f"Who wrote the book '{t}'? Give the author's name.",
        f"SELECT a.name FROM authors a JOIN books b ON b.author_id = a.id WHERE b.title = '{t}'")),
]

TEMPLATES: dict[str, list[Template]] = {"shop": SHOP, "school": SCHOOL, "library": LIBRARY}


def make_question(schema: str, rows: Rows, rng: random.Random) -> tuple[str, str]:
    """A (question, gold query) pair for `schema`, drawn with `rng` from the schema's templates."""
    template = rng.choice(TEMPLATES[schema])
    return template(rng, rows)[-1]
