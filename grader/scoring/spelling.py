"""A typed question's misspelt words read as the design words they were meant to be.

"fruad detection" reads nothing like fraud detection to the embedding model, which then found no
case near it and graded a fraud answer as off topic (0/100). A word that is not English (neither
one the model holds whole nor one of an English dictionary, pyspellchecker's) and that the
knowledge base never uses is read as the knowledge base's word one typing slip away from it (a
letter added, dropped, changed, or two swapped: "fruad" -> "fraud", "detecton" -> "detection"; two
slips in a word of ten letters or more). A capitalised word inside the question is a name
("Klarna") and is left as typed. Only the question is read so: the question as typed is what
reports and history keep.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from grader.text import english_word

_WORD = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 5  # shorter words have too many neighbours one slip away ("sale", "scale", "stale")
LONG_WORD = 10  # from this length, two slips ("schoolers" is no slip of "schools")


class English:
    """Words spelt as English spells them: `words` (the embedding model's whole words), then an
    English dictionary of 160,000 words, loaded on the first word not among them."""

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(words)

    def __contains__(self, word: object) -> bool:
        return word in self.words or english_word(word)


def design_words(texts: Iterable[str]) -> Counter[str]:
    """How often each lowercase word of `texts` (the knowledge base's notes) is used."""
    return Counter(w.lower() for t in texts for w in _WORD.findall(t))


def respelled(
    question: str, known: Container[str], words: Counter[str]
) -> tuple[str, list[tuple[str, str]]]:
    """The question with each misspelt word replaced (`known`: English words, `English`; `words`:
    the knowledge base's words and their counts), and the (typed, read) pairs."""
    long_words = [w for w in words if len(w) >= MIN_LETTERS - 1]
    fixed: list[tuple[str, str]] = []

    def fix(m: re.Match) -> str:
        typed = m.group(0)
        word = typed.lower()
        if (
            len(word) < MIN_LETTERS
            or word in words
            or (word.endswith("s") and word[:-1] in words)  # a plural: "datasets"
            or (typed[0].isupper() and m.start() > 0)  # a name, not a slip
            or word in known
        ):
            return typed
        slips = 2 if len(word) >= LONG_WORD else 1
        near = extract(word, long_words, scorer=OSA.distance, score_cutoff=slips, limit=None)
        if not near:
            return typed
        # fewest slips, then the knowledge base's most used word, then the alphabet: one reading
        meant = min(near, key=lambda c: (c[1], -words[c[0]], c[0]))[0]
        fixed.append((typed, meant))
        return meant.capitalize() if typed[0].isupper() else meant

    return _WORD.sub(fix, question), fixed
