"""The UnitTests task set: 53 function-writing problems written for agora, each with hidden tests.

A test is ``(args, expected)``: the function is called as ``name(*args)`` inside the sandbox and its
return value is compared with ``expected`` on the host (floats to 1e-6; ``{"raises": "ValueError"}``
expects that exception). Expected values were worked out by hand; each problem's ``reference`` solution
must pass all of its tests (checked in tests/envs/code). The references never reach the agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One task: the function's signature, its specification, a reference solution and hidden tests."""

    name: str
    signature: str
    spec: str
    reference: str
    tests: tuple[tuple[tuple[Any, ...], Any], ...]


def _p(signature: str, spec: str, reference: str, *tests: tuple[tuple[Any, ...], Any]) -> Problem:
    return Problem(signature.split("(")[0], signature, spec, reference.strip() + "\n", tuple(tests))


RAISES_VALUE_ERROR = {"raises": "ValueError"}

PROBLEMS: tuple[Problem, ...] = (
    _p(
        "add_digits(n: int) -> int",
        "Return the sum of the decimal digits of the non-negative integer n.",
        """
def add_digits(n):
    return sum(int(c) for c in str(n))
""",
        ((0,), 0),
        ((7,), 7),
        ((123,), 6),
        ((9999,), 36),
        ((10,), 1),
    ),
    _p(
        "is_palindrome(s: str) -> bool",
        "Return True if s reads the same backwards, ignoring case and every character that is not a letter or digit.",
        """
def is_palindrome(s):
    t = [c.lower() for c in s if c.isalnum()]
    return t == t[::-1]
""",
        (("A man, a plan, a canal: Panama",), True),
        (("race a car",), False),
        (("",), True),
        (("Ab",), False),
        (("No 'x' in Nixon",), True),
    ),
    _p(
        "fizzbuzz(n: int) -> list[str]",
        "Return the strings for 1..n: 'Fizz' for multiples of 3, 'Buzz' for "
        "multiples of 5, 'FizzBuzz' for multiples of both, otherwise the number itself.",
        """
def fizzbuzz(n):
    out = []
    for i in range(1, n + 1):
        out.append("FizzBuzz" if i % 15 == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else str(i))
    return out
""",
        ((5,), ["1", "2", "Fizz", "4", "Buzz"]),
        ((0,), []),
        (
            (15,),
            [
                "1",
                "2",
                "Fizz",
                "4",
                "Buzz",
                "Fizz",
                "7",
                "8",
                "Fizz",
                "Buzz",
                "11",
                "Fizz",
                "13",
                "14",
                "FizzBuzz",
            ],
        ),
    ),
    _p(
        "count_vowels(s: str) -> int",
        "Return how many characters of s are vowels (a, e, i, o, u, any case).",
        """
def count_vowels(s):
    return sum(c in "aeiou" for c in s.lower())
""",
        (("hello",), 2),
        (("AEIOU",), 5),
        (("rhythm",), 0),
        (("",), 0),
        (("Programming Language",), 7),
    ),
    _p(
        "reverse_words(s: str) -> str",
        "Return the whitespace-separated words of s in reverse order, joined by single spaces.",
        """
def reverse_words(s):
    return " ".join(reversed(s.split()))
""",
        (("hello world",), "world hello"),
        (("  a  b c ",), "c b a"),
        (("",), ""),
        (("one",), "one"),
    ),
    _p(
        "fib(n: int) -> int",
        "Return the n-th Fibonacci number, with fib(0) = 0 and fib(1) = 1.",
        """
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
""",
        ((0,), 0),
        ((1,), 1),
        ((10,), 55),
        ((20,), 6765),
        ((50,), 12586269025),
    ),
    _p(
        "factorial(n: int) -> int",
        "Return n! for a non-negative integer n (0! = 1).",
        """
def factorial(n):
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out
""",
        ((0,), 1),
        ((5,), 120),
        ((10,), 3628800),
        ((20,), 2432902008176640000),
    ),
    _p(
        "gcd(a: int, b: int) -> int",
        "Return the greatest common divisor of two non-negative integers; gcd(0, 0) is 0.",
        """
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
""",
        ((12, 18), 6),
        ((17, 5), 1),
        ((0, 7), 7),
        ((100, 75), 25),
        ((0, 0), 0),
    ),
    _p(
        "is_prime(n: int) -> bool",
        "Return True if n is a prime number (n may be 0 or 1, which are not).",
        """
def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True
""",
        ((1,), False),
        ((2,), True),
        ((15,), False),
        ((97,), True),
        ((7919,), True),
        ((7917,), False),
        ((0,), False),
    ),
    _p(
        "primes_below(n: int) -> list[int]",
        "Return the primes smaller than n, in increasing order.",
        """
def primes_below(n):
    return [p for p in range(2, n) if all(p % d for d in range(2, int(p ** 0.5) + 1))]
""",
        ((10,), [2, 3, 5, 7]),
        ((2,), []),
        ((20,), [2, 3, 5, 7, 11, 13, 17, 19]),
        ((3,), [2]),
    ),
    _p(
        "run_length_encode(s: str) -> str",
        "Encode each run of equal characters as the character followed by the run's length, e.g. 'aaab' -> 'a3b1'.",
        """
def run_length_encode(s):
    out, i = [], 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f"{s[i]}{j - i}")
        i = j
    return "".join(out)
""",
        (("aaabcc",), "a3b1c2"),
        (("",), ""),
        (("abc",), "a1b1c1"),
        (("z" * 12,), "z12"),
    ),
    _p(
        "run_length_decode(s: str) -> str",
        "Decode a string of letters each followed by a count (which may have several digits): 'a3b1' -> 'aaab'.",
        """
import re

def run_length_decode(s):
    return "".join(ch * int(count) for ch, count in re.findall(r"(\\D)(\\d+)", s))
""",
        (("a3b1c2",), "aaabcc"),
        (("",), ""),
        (("x10",), "x" * 10),
        (("a1b12",), "a" + "b" * 12),
    ),
    _p(
        "two_sum(nums: list[int], target: int) -> list[int]",
        "Return [i, j] with i < j such that nums[i] + nums[j] == target. Exactly one such pair exists.",
        """
def two_sum(nums, target):
    seen = {}
    for j, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], j]
        seen.setdefault(x, j)
""",
        (([2, 7, 11, 15], 9), [0, 1]),
        (([3, 2, 4], 6), [1, 2]),
        (([3, 3], 6), [0, 1]),
        (([1, 5, 9, -2], 7), [2, 3]),
    ),
    _p(
        "flatten(items: list) -> list",
        "Flatten arbitrarily nested lists into one list, keeping the order.",
        """
def flatten(items):
    out = []
    for x in items:
        out.extend(flatten(x) if isinstance(x, list) else [x])
    return out
""",
        (([1, [2, [3, [4]]], 5],), [1, 2, 3, 4, 5]),
        (([],), []),
        (([[], [[]]],), []),
        (([[1, 2], [3]],), [1, 2, 3]),
    ),
    _p(
        "max_subarray(nums: list[int]) -> int",
        "Return the largest sum of a non-empty contiguous sub-list.",
        """
def max_subarray(nums):
    best = cur = nums[0]
    for x in nums[1:]:
        cur = max(x, cur + x)
        best = max(best, cur)
    return best
""",
        (([-2, 1, -3, 4, -1, 2, 1, -5, 4],), 6),
        (([1],), 1),
        (([-3, -1, -2],), -1),
        (([5, 4, -1, 7, 8],), 23),
    ),
    _p(
        "roman_to_int(s: str) -> int",
        "Convert a Roman numeral (I, V, X, L, C, D, M, subtractive form) to an integer.",
        """
def roman_to_int(s):
    v = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, c in enumerate(s):
        total += -v[c] if i + 1 < len(s) and v[s[i + 1]] > v[c] else v[c]
    return total
""",
        (("III",), 3),
        (("LVIII",), 58),
        (("MCMXCIV",), 1994),
        (("IX",), 9),
        (("MMXXIV",), 2024),
    ),
    _p(
        "int_to_roman(n: int) -> str",
        "Convert 1 <= n <= 3999 to a Roman numeral in the standard subtractive form.",
        """
def int_to_roman(n):
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
             (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, sym in table:
        while n >= value:
            out += sym
            n -= value
    return out
""",
        ((3,), "III"),
        ((58,), "LVIII"),
        ((1994,), "MCMXCIV"),
        ((4,), "IV"),
        ((3999,), "MMMCMXCIX"),
    ),
    _p(
        "balanced_brackets(s: str) -> bool",
        "Return True if the brackets (), [] and {} in s are balanced and "
        "properly nested; other characters are ignored.",
        """
def balanced_brackets(s):
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for c in s:
        if c in "([{":
            stack.append(c)
        elif c in pairs:
            if not stack or stack.pop() != pairs[c]:
                return False
    return not stack
""",
        (("()[]{}",), True),
        (("([)]",), False),
        (("{[]}",), True),
        (("",), True),
        (("((",), False),
        (("a(b)c",), True),
    ),
    _p(
        "word_frequencies(text: str) -> dict[str, int]",
        "Count the words of text, case-insensitively; a word is "
        "a maximal run of letters a-z. Keys are lower-case words.",
        """
import re
from collections import Counter

def word_frequencies(text):
    return dict(Counter(re.findall(r"[a-z]+", text.lower())))
""",
        (("The cat and the hat.",), {"the": 2, "cat": 1, "and": 1, "hat": 1}),
        (("",), {}),
        (("A a A",), {"a": 3}),
        (("it's",), {"it": 1, "s": 1}),
    ),
    _p(
        "are_anagrams(a: str, b: str) -> bool",
        "Return True if a and b use the same letters the same number of times, ignoring case and spaces.",
        """
def are_anagrams(a, b):
    norm = lambda s: sorted(s.replace(" ", "").lower())
    return norm(a) == norm(b)
""",
        (("Listen", "Silent"), True),
        (("abc", "abd"), False),
        (("Dormitory", "Dirty room"), True),
        (("a", "aa"), False),
    ),
    _p(
        "caesar(s: str, k: int) -> str",
        "Shift every letter of s by k places in the alphabet (wrapping around, "
        "keeping case; k may be negative or larger than 26); other characters stay.",
        """
def caesar(s, k):
    out = []
    for c in s:
        if c.isascii() and c.isalpha():
            base = ord("a") if c.islower() else ord("A")
            out.append(chr(base + (ord(c) - base + k) % 26))
        else:
            out.append(c)
    return "".join(out)
""",
        (("abc", 1), "bcd"),
        (("xyz", 3), "abc"),
        (("Hello, World!", 13), "Uryyb, Jbeyq!"),
        (("abc", -1), "zab"),
        (("abc", 26), "abc"),
    ),
    _p(
        "binary_search(nums: list[int], target: int) -> int",
        "nums is sorted and has no duplicates; return the index of target, or -1 if it is absent.",
        """
def binary_search(nums, target):
    lo, hi = 0, len(nums) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if nums[mid] == target:
            return mid
        lo, hi = (mid + 1, hi) if nums[mid] < target else (lo, mid - 1)
    return -1
""",
        (([1, 3, 5, 7, 9], 7), 3),
        (([1, 3, 5, 7, 9], 4), -1),
        (([], 1), -1),
        (([5], 5), 0),
        (([1, 3, 5, 7, 9], 1), 0),
    ),
    _p(
        "merge_sorted(a: list[int], b: list[int]) -> list[int]",
        "Merge two sorted lists into one sorted list (keep duplicates).",
        """
def merge_sorted(a, b):
    return sorted(a + b)
""",
        (([1, 4, 9], [2, 3, 10]), [1, 2, 3, 4, 9, 10]),
        (([], [1]), [1]),
        (([1, 1], [1]), [1, 1, 1]),
        (([], []), []),
    ),
    _p(
        "transpose(matrix: list[list[int]]) -> list[list[int]]",
        "Return the transpose of a rectangular matrix given as a list of rows ([] stays []).",
        """
def transpose(matrix):
    return [list(col) for col in zip(*matrix)]
""",
        (([[1, 2, 3], [4, 5, 6]],), [[1, 4], [2, 5], [3, 6]]),
        (([],), []),
        (([[1]],), [[1]]),
    ),
    _p(
        "matrix_multiply(a: list[list[int]], b: list[list[int]]) -> list[list[int]]",
        "Return the matrix product a x b (the sizes fit).",
        """
def matrix_multiply(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]
""",
        (([[1, 2], [3, 4]], [[5, 6], [7, 8]]), [[19, 22], [43, 50]]),
        (([[1, 0], [0, 1]], [[2, 3], [4, 5]]), [[2, 3], [4, 5]]),
        (([[2]], [[3]]), [[6]]),
        (([[1, 2, 3]], [[1], [2], [3]]), [[14]]),
    ),
    _p(
        "digital_root(n: int) -> int",
        "Repeatedly sum the decimal digits of the non-negative n until one digit remains; return it.",
        """
def digital_root(n):
    while n >= 10:
        n = sum(map(int, str(n)))
    return n
""",
        ((0,), 0),
        ((16,), 7),
        ((942,), 6),
        ((132189,), 6),
        ((9,), 9),
    ),
    _p(
        "collatz_steps(n: int) -> int",
        "Count the steps n -> n/2 (even) or 3n+1 (odd) needed to reach 1 from n >= 1.",
        """
def collatz_steps(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps
""",
        ((1,), 0),
        ((2,), 1),
        ((3,), 7),
        ((6,), 8),
        ((27,), 111),
    ),
    _p(
        "is_leap_year(year: int) -> bool",
        "Return True for a Gregorian leap year.",
        """
def is_leap_year(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
""",
        ((2000,), True),
        ((1900,), False),
        ((2024,), True),
        ((2023,), False),
        ((2100,), False),
    ),
    _p(
        "day_of_year(date: str) -> int",
        "date is 'YYYY-MM-DD'; return its day number in its year (1 January is 1).",
        """
import datetime

def day_of_year(date):
    return datetime.date.fromisoformat(date).timetuple().tm_yday
""",
        (("2024-01-01",), 1),
        (("2024-03-01",), 61),
        (("2023-03-01",), 60),
        (("2023-12-31",), 365),
        (("2024-12-31",), 366),
    ),
    _p(
        "to_binary(n: int) -> str",
        "Return the binary digits of the non-negative n, without a prefix.",
        """
def to_binary(n):
    return bin(n)[2:]
""",
        ((0,), "0"),
        ((5,), "101"),
        ((255,), "11111111"),
        ((1024,), "10000000000"),
    ),
    _p(
        "from_base(digits: str, base: int) -> int",
        "Return the value of digits (0-9 then a-z, lower case) in the given base, 2 <= base <= 36.",
        """
def from_base(digits, base):
    return int(digits, base)
""",
        (("ff", 16), 255),
        (("101", 2), 5),
        (("z", 36), 35),
        (("777", 8), 511),
    ),
    _p(
        "pascal_row(n: int) -> list[int]",
        "Return row n of Pascal's triangle (row 0 is [1]).",
        """
def pascal_row(n):
    row = [1]
    for _ in range(n):
        row = [a + b for a, b in zip([0] + row, row + [0])]
    return row
""",
        ((0,), [1]),
        ((1,), [1, 1]),
        ((4,), [1, 4, 6, 4, 1]),
        ((6,), [1, 6, 15, 20, 15, 6, 1]),
    ),
    _p(
        "unique_in_order(items: list) -> list",
        "Drop items equal to the item just before them.",
        """
def unique_in_order(items):
    return [x for i, x in enumerate(items) if i == 0 or items[i - 1] != x]
""",
        (([1, 1, 2, 2, 2, 3, 1],), [1, 2, 3, 1]),
        (([],), []),
        ((["a", "a", "b"],), ["a", "b"]),
    ),
    _p(
        "second_largest(nums: list[int]) -> int | None",
        "Return the second largest distinct value, or None when there are fewer than two distinct values.",
        """
def second_largest(nums):
    values = sorted(set(nums))
    return values[-2] if len(values) >= 2 else None
""",
        (([3, 1, 4, 1, 5],), 4),
        (([2, 2],), None),
        (([7],), None),
        (([-1, -2, -3],), -2),
        (([5, 5, 4],), 4),
    ),
    _p(
        "chunk(items: list, size: int) -> list[list]",
        "Split items into consecutive lists of length size (the last may be shorter).",
        """
def chunk(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]
""",
        (([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]),
        (([], 3), []),
        (([1, 2, 3], 3), [[1, 2, 3]]),
        (([1, 2], 5), [[1, 2]]),
    ),
    _p(
        "rotate_right(items: list, k: int) -> list",
        "Rotate items right by k places (k >= 0 may exceed the length).",
        """
def rotate_right(items, k):
    if not items:
        return []
    k %= len(items)
    return items[-k:] + items[:-k] if k else list(items)
""",
        (([1, 2, 3, 4, 5], 2), [4, 5, 1, 2, 3]),
        (([1, 2, 3], 0), [1, 2, 3]),
        (([1, 2, 3], 4), [3, 1, 2]),
        (([], 3), []),
    ),
    _p(
        "count_islands(grid: list[str]) -> int",
        "grid rows are strings of '1' (land) and '0' (water); count the "
        "groups of land cells connected up, down, left or right.",
        """
def count_islands(grid):
    seen, count = set(), 0
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell == "1" and (r, c) not in seen:
                count += 1
                stack = [(r, c)]
                while stack:
                    y, x = stack.pop()
                    inside = 0 <= y < len(grid) and 0 <= x < len(grid[y])
                    if (y, x) in seen or not inside or grid[y][x] != "1":
                        continue
                    seen.add((y, x))
                    stack += [(y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)]
    return count
""",
        ((["11000", "11000", "00100", "00011"],), 3),
        ((["111", "010", "111"],), 1),
        (([],), 0),
        ((["0"],), 0),
        ((["101", "010", "101"],), 5),
    ),
    _p(
        "longest_common_prefix(words: list[str]) -> str",
        "Return the longest prefix shared by all words ('' for no words).",
        """
import os

def longest_common_prefix(words):
    return os.path.commonprefix(words) if words else ""
""",
        ((["flower", "flow", "flight"],), "fl"),
        ((["dog", "racecar", "car"],), ""),
        (([],), ""),
        ((["same", "same"],), "same"),
    ),
    _p(
        "longest_unique_run(s: str) -> int",
        "Return the length of the longest substring of s without a repeated character.",
        """
def longest_unique_run(s):
    best, start, last = 0, 0, {}
    for i, c in enumerate(s):
        if last.get(c, -1) >= start:
            start = last[c] + 1
        last[c] = i
        best = max(best, i - start + 1)
    return best
""",
        (("abcabcbb",), 3),
        (("bbbbb",), 1),
        (("pwwkew",), 3),
        (("",), 0),
        (("abcdef",), 6),
    ),
    _p(
        "edit_distance(a: str, b: str) -> int",
        "Return the Levenshtein distance: the fewest single-character "
        "insertions, deletions and substitutions turning a into b.",
        """
def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]
""",
        (("kitten", "sitting"), 3),
        (("", "abc"), 3),
        (("flaw", "lawn"), 2),
        (("same", "same"), 0),
        (("intention", "execution"), 5),
    ),
    _p(
        "lcs_length(a: str, b: str) -> int",
        "Return the length of the longest common subsequence of a and b.",
        """
def lcs_length(a, b):
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]
""",
        (("abcde", "ace"), 3),
        (("abc", "def"), 0),
        (("AGGTAB", "GXTXAYB"), 4),
        (("", "a"), 0),
    ),
    _p(
        "coin_change(coins: list[int], amount: int) -> int",
        "Return the fewest coins (unlimited supply of each value) summing to amount, or -1 if impossible.",
        """
def coin_change(coins, amount):
    inf = float("inf")
    best = [0] + [inf] * amount
    for total in range(1, amount + 1):
        for c in coins:
            if c <= total:
                best[total] = min(best[total], best[total - c] + 1)
    return -1 if best[amount] == inf else best[amount]
""",
        (([1, 2, 5], 11), 3),
        (([2], 3), -1),
        (([1], 0), 0),
        (([1, 3, 4], 6), 2),
        (([186, 419, 83, 408], 6249), 20),
    ),
    _p(
        "climb_stairs(n: int) -> int",
        "Count the ways to climb n >= 1 stairs taking 1 or 2 steps at a time.",
        """
def climb_stairs(n):
    a, b = 1, 1
    for _ in range(n):
        a, b = b, a + b
    return a
""",
        ((1,), 1),
        ((2,), 2),
        ((3,), 3),
        ((5,), 8),
        ((10,), 89),
    ),
    _p(
        "valid_ipv4(s: str) -> bool",
        "Return True if s is four decimal numbers 0-255 joined by dots, with no "
        "leading zeros (except the number 0 itself) and nothing else.",
        """
def valid_ipv4(s):
    parts = s.split(".")
    return len(parts) == 4 and all(
        p.isdigit() and p.isascii() and int(p) <= 255 and (p == "0" or not p.startswith("0")) for p in parts)
""",
        (("192.168.1.1",), True),
        (("256.1.1.1",), False),
        (("1.2.3",), False),
        (("01.2.3.4",), False),
        (("0.0.0.0",), True),
        (("1.2.3.a",), False),
    ),
    _p(
        "squash_spaces(s: str) -> str",
        "Replace every run of whitespace by one space and strip both ends.",
        """
def squash_spaces(s):
    return " ".join(s.split())
""",
        (("  a   b \t c  ",), "a b c"),
        (("",), ""),
        (("x",), "x"),
        (("a\n\nb",), "a b"),
    ),
    _p(
        "title_case(s: str) -> str",
        "Upper-case the first letter of each space-separated word and lower-case the rest.",
        """
def title_case(s):
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" "))
""",
        (("hello world",), "Hello World"),
        (("hELLO wORLD",), "Hello World"),
        (("a",), "A"),
        (("",), ""),
    ),
    _p(
        "mean_median(nums: list[float]) -> list[float]",
        "Return [mean, median] of a non-empty list (the median of an even count is the mean of the two middle values).",
        """
def mean_median(nums):
    s = sorted(nums)
    mid = len(s) // 2
    median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return [sum(s) / len(s), float(median)]
""",
        (([1, 2, 3, 4],), [2.5, 2.5]),
        (([3, 1, 2],), [2.0, 2.0]),
        (([1, 1, 10],), [4.0, 1.0]),
        (([5],), [5.0, 5.0]),
    ),
    _p(
        "newton_sqrt(x: float) -> float",
        "Return the square root of x >= 0 to within 1e-6, without math.sqrt or ** (Newton's method works).",
        """
def newton_sqrt(x):
    if x == 0:
        return 0.0
    guess = max(x, 1.0)
    for _ in range(100):
        guess = (guess + x / guess) / 2
    return guess
""",
        ((4,), 2.0),
        ((2,), 1.41421356),
        ((0,), 0.0),
        ((10,), 3.16227766),
    ),
    _p(
        "poly_eval(coeffs: list[int], x: int) -> int",
        "coeffs lists a polynomial's coefficients from the highest "
        "power down; return its value at x ([] is the zero polynomial).",
        """
def poly_eval(coeffs, x):
    total = 0
    for c in coeffs:
        total = total * x + c
    return total
""",
        (([1, 0, -2], 3), 7),
        (([2], 5), 2),
        (([], 4), 0),
        (([1, 1, 1, 1], 2), 15),
    ),
    _p(
        "dedupe(items: list) -> list",
        "Remove repeated items, keeping each first occurrence in order.",
        """
def dedupe(items):
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
""",
        (([3, 1, 3, 2, 1],), [3, 1, 2]),
        (([],), []),
        ((["b", "a", "b"],), ["b", "a"]),
    ),
    _p(
        "parse_int_strict(s: str) -> int",
        "Parse a decimal integer with an optional leading + or -; raise "
        "ValueError for anything else (spaces included).",
        """
import re

def parse_int_strict(s):
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        raise ValueError(f"not an integer: {s!r}")
    return int(s)
""",
        (("42",), 42),
        (("-7",), -7),
        (("+3",), 3),
        (("4a",), RAISES_VALUE_ERROR),
        (("",), RAISES_VALUE_ERROR),
        ((" 5",), RAISES_VALUE_ERROR),
    ),
    _p(
        "spiral(matrix: list[list[int]]) -> list[int]",
        "Return the elements of a rectangular matrix in clockwise spiral order, starting top left.",
        """
def spiral(matrix):
    out, m = [], [list(r) for r in matrix]
    while m:
        out += m.pop(0)
        m = [list(r) for r in zip(*m)][::-1]
    return out
""",
        (([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), [1, 2, 3, 6, 9, 8, 7, 4, 5]),
        (([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]],), [1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7]),
        (([],), []),
        (([[1]],), [1]),
    ),
    _p(
        "hamming(a: int, b: int) -> int",
        "Return the number of bit positions where the non-negative a and b differ.",
        """
def hamming(a, b):
    return bin(a ^ b).count("1")
""",
        ((1, 4), 2),
        ((3, 1), 1),
        ((0, 0), 0),
        ((255, 0), 8),
    ),
)
