"""Notes of what an answer still has to say: "TODO: add monitoring section & adversarial attacks.",
"- Online: TBD.". Such a note says the thing is not there; read as design text, it named its
topics closely enough to credit them (abuse and security "covered 52" on the TODO above)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.scoring.segment import _MARKER, _SENTENCE_END, abbreviated

# the writers' markers for "not written yet"; in capitals (or "To do:"), as notes write them
MARKER = re.compile(r"\b(?:TODO|TBD|FIXME|[Tt]o[- ]?do:)(?![\w-])")
# what may come before a marker that leads its sentence: a bullet, emphasis, a label ("Online:")
_LEAD = re.compile(r"[*_~`\s]*(?:[^\W\d][\w /&'-]{0,40}[:\u2013\u2014-])?[*_~`\s]*")


@dataclass(frozen=True)
class ToDo:
    start: int
    end: int


def to_do_notes(text: str) -> list[ToDo]:
    """The notes of what is still to do, in order, overlapping ones joined. A marker that leads its
    sentence ("TODO: add drift checks.", "Online: TBD.", "TBD - check the data rules") makes the
    sentence a note, and a marker alone on its line ("TODO:" over a list) its whole block; one in
    parentheses, only them ("(exact window TBD)"); one with a colon inside a sentence, what follows
    it ("XGBoost, e.g. for tabular data TODO: tune depth."); any other one inside a sentence is a
    word of it ("we track every TODO in Jira")."""
    notes: list[ToDo] = []
    for m in MARKER.finditer(text):
        span = _note(text, m)
        if span is None:
            continue
        start, end = span
        if notes and start <= notes[-1].end:
            notes[-1] = ToDo(notes[-1].start, max(end, notes[-1].end))
        else:
            notes.append(ToDo(start, end))
    return notes


def _note(text: str, m: re.Match) -> tuple[int, int] | None:
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    opened = text.rfind("(", line_start, m.start())
    if opened > text.rfind(")", line_start, m.start()):  # inside parentheses: them alone
        closed = text.find(")", m.end(), line_end)
        return (opened, closed + 1) if closed >= 0 else (opened, line_end)
    start = line_start
    for end in _SENTENCE_END.finditer(text, line_start, m.start()):
        if not abbreviated(text, end.start(), line_start):
            start = end.end()
    before = text[start : m.start()]
    marker = _MARKER.match(before)
    lead = before[marker.end() if marker else 0 :]
    if not _LEAD.fullmatch(lead):
        if not text.startswith(":", m.end()):
            return None  # a word of its sentence
        start = m.start()  # "... tabular features TODO: tune depth.": the note is what follows
    start += len(text[start : m.start()]) - len(text[start : m.start()].lstrip())
    rest = text[m.end() : line_end]
    if not rest.strip(" \t:*_") and not lead.strip(" \t*_~`#"):  # "TODO:" over a list: it too
        blank_line = re.compile(r"\n[ \t]*\n").search(text, line_end)
        return start, blank_line.start() if blank_line else len(text.rstrip())
    end = line_end
    for stop in _SENTENCE_END.finditer(text, m.end(), line_end):
        if not abbreviated(text, stop.start(), m.end()):
            end = stop.start()
            break
    return start, end
