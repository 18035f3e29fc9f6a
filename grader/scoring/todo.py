"""Notes of what an answer still has to say: "TODO: add monitoring section & adversarial attacks.",
"- Online: TBD.". Such a note says the thing is not there; read as design text, it named its
topics closely enough to credit them (abuse and security "covered 52" on the TODO above)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.text import blank_spans

# the writers' markers for "not written yet"; in capitals (or "To do:"), as notes write them
MARKER = re.compile(r"\b(?:TODO|TBD|FIXME|[Tt]o-?do:)(?![\w-])")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True)
class ToDo:
    start: int
    end: int


def to_do_notes(text: str) -> list[ToDo]:
    """The sentences holding a to-do marker (each within its line: from the end of the sentence
    before it to the end of its own), in order, overlapping ones joined."""
    notes: list[ToDo] = []
    for m in MARKER.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        start = line_start
        for before in _SENTENCE_END.finditer(text, line_start, m.start()):
            start = before.end()
        after = _SENTENCE_END.search(text, m.end(), line_end)
        end = after.end() if after else line_end
        if notes and start <= notes[-1].end:
            notes[-1] = ToDo(notes[-1].start, max(end, notes[-1].end))
        else:
            notes.append(ToDo(start, end))
    return notes


def without_to_do(text: str, notes: list[ToDo] | None = None) -> str:
    """The text with its to-do notes blanked (same length: offsets hold)."""
    notes = to_do_notes(text) if notes is None else notes
    return blank_spans(text, [(n.start, n.end) for n in notes]) if notes else text
