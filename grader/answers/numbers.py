"""Spoken numbers in an answer: runs of number words ("p ninety nine", "two hundred milliseconds",
"zero point two", "99.9 percent") that a quote must hold whole or not at all.

Speech recognition writes numbers as words and without punctuation, so a quote cut by word count
could read "p ninety" where the candidate said "p ninety nine". `whole_numbers` moves a quote's
ends off such runs: out to the run's end when that takes a few words, else back before the run.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_CARDINALS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
    thousand million billion trillion""".split()
)
# words that go on a number only when a number follows them ("zero point two", "a hundred and ten")
_JOINS = frozenset({"point", "and"})
_PREFIXES = frozenset({"p"})  # "p ninety nine": a percentile, said
# what a number's run may end with: its unit
_UNITS = frozenset(
    """percent percentile percentiles ms millisecond milliseconds second seconds minute minutes hour
    hours day days week weeks month months year years k x times qps rps gb mb tb kb gigabytes
    megabytes terabytes bytes users requests""".split()
)
_DIGITS = re.compile(r"(?:p-?)?\d[\d,.]*(?:%|[a-z]{1,2})?")
_WORD = re.compile(r"\S+")
_EDGES = "\"'“”‘’([{)]}"
_STOPS = ",.;:!?…"  # a word ending in one ends any run it is in
_ITEM = re.compile(r"\d{1,3}[.)]|[-*+•]")  # a list item's marker
MAX_EXTEND = 6  # a quote grows by at most this many words to hold a number whole


def _role(core: str) -> str | None:
    """'num', 'join', 'prefix', 'unit' or None for a word (lower case, without edge punctuation)."""
    if _DIGITS.fullmatch(core):
        return "num"
    parts = core.split("-")
    if all(p in _CARDINALS for p in parts) or (
        len(parts) > 1 and parts[0] in _PREFIXES and all(p in _CARDINALS for p in parts[1:])
    ):
        return "num"
    if core in _JOINS:
        return "join"
    if core in _PREFIXES:
        return "prefix"
    return "unit" if core in _UNITS else None


class NumberRuns:
    """The runs of number words of one text: `run_of[i]` is the run id of its i-th word, or -1.
    `read` (the same length as the text, as `AnswerInput.graded_text`) marks the characters the
    grading read; a run never takes a word it did not read."""

    def __init__(self, text: str, read: str | None = None):
        self.spans = [m.span() for m in _WORD.finditer(text)]
        self.starts = [s for s, _ in self.spans]
        self.ends = [e for _, e in self.spans]
        roles, linked = [], []
        for k, (s, e) in enumerate(self.spans):
            word = text[s:e].strip(_EDGES)
            ok = read is None or read[s:e] == text[s:e]
            roles.append(_role(word.rstrip(_STOPS).lower()) if ok else None)
            gap = text[e : self.spans[k + 1][0]] if k + 1 < len(self.spans) else "\n\n"
            nxt = text[slice(*self.spans[k + 1])] if k + 1 < len(self.spans) else ""
            item = "\n" in gap and _ITEM.fullmatch(nxt)  # the next line is a list's next item
            linked.append(not word.endswith(tuple(_STOPS)) and gap.count("\n") <= 1 and not item)
        self.run_of = _runs(roles, linked)

    def whole(self, start: int, end: int) -> tuple[int, int]:
        """The span [start, end) with neither end inside a run of number words: each end moved out
        to its run's edge when that adds `MAX_EXTEND` words or fewer, else back before the run.
        An end inside a word, or a span that would be left empty, stays as it is."""
        first = bisect_left(self.starts, start)  # the first word in the span
        last = bisect_right(self.ends, end) - 1  # the last word in the span
        if first > last or (first and self.ends[first - 1] > start):
            return start, end
        if last + 1 < len(self.starts) and self.starts[last + 1] < end:
            return start, end
        new_first, new_last = first, last
        run = self.run_of[first]
        if first and run >= 0 and self.run_of[first - 1] == run:
            head = first
            while head and self.run_of[head - 1] == run:
                head -= 1
            if first - head <= MAX_EXTEND:
                new_first = head
            else:  # after the run
                while new_first <= last and self.run_of[new_first] == run:
                    new_first += 1
        run = self.run_of[last]
        if last + 1 < len(self.run_of) and run >= 0 and self.run_of[last + 1] == run:
            tail = last
            while tail + 1 < len(self.run_of) and self.run_of[tail + 1] == run:
                tail += 1
            if tail - last <= MAX_EXTEND:
                new_last = tail
            else:  # before the run
                while new_last >= new_first and self.run_of[new_last] == run:
                    new_last -= 1
        if new_first > new_last:
            return start, end
        return (
            self.starts[new_first] if new_first != first else start,
            self.ends[new_last] if new_last != last else end,
        )


def _runs(roles: list[str | None], linked: list[bool]) -> list[int]:
    """Run ids per word: a run starts at a number (or "p" before one) and goes on through the
    numbers that follow it, a "point" or "and" between two numbers, and a unit that ends it."""
    out = [-1] * len(roles)
    k, run = 0, 0
    n = len(roles)

    def num_at(i: int) -> bool:
        return i < n and roles[i] == "num"

    while k < n:
        starts = roles[k] == "num" or (roles[k] == "prefix" and linked[k] and num_at(k + 1))
        if not starts:
            k += 1
            continue
        end = k
        while end + 1 < n and linked[end]:
            here, nxt = roles[end], roles[end + 1]
            if nxt == "num" and here in ("num", "prefix", "join"):
                end += 1
            elif nxt == "join" and here == "num" and linked[end + 1] and num_at(end + 2):
                end += 1
            elif nxt == "unit" and here == "num":
                end += 1
                break
            else:
                break
        if end > k:
            out[k : end + 1] = [run] * (end + 1 - k)
            run += 1
        k = end + 1
    return out
