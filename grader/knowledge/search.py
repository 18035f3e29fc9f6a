"""Notes found by the words of a query as a reader types it: "how to handle delayed labels in
fraud" finds what "fraud delayed labels" finds, though no note holds the whole sentence."""

from __future__ import annotations

import math
from dataclasses import dataclass

from grader.knowledge.notes import Case, Concept, KnowledgeBase
from grader.text import plain_words, terms

KINDS = ("case", "concept", "step")  # in the order notes of equal standing are listed


@dataclass(frozen=True)
class Found:
    kind: str  # "case", "concept" or "step"
    id: str
    title: str


def _text(note) -> str:
    """Everything a reader could be looking for in a note: its title, keywords, prompt, body and
    what a strong answer says."""
    parts = [note.title, note.body or "", *getattr(note, "keywords", [])]
    if isinstance(note, Concept):
        parts += [note.why_it_matters, *note.cues]
    if isinstance(note, Case):
        parts += [note.prompt, *(cue for comp in note.components for cue in comp.cues)]
    return " ".join(parts)


def search_notes(kb: KnowledgeBase, query: str) -> list[Found]:
    """The notes holding at least two thirds of the query's content words (stemmed: "labels" finds
    "label", "delayed" finds "delay"), ranked by the words they hold, a word in the title counting
    three times (the note "Delayed labels" before the fraud case that mentions both) and all of
    them said together once more ("position bias"), then by title. A query of only function
    words finds nothing."""
    phrase = plain_words(query)  # "training-serving skew" as "training serving skew"
    wanted = terms(phrase)
    if not wanted:
        return []
    need = math.ceil(2 * len(wanted) / 3)
    ranked = []
    for order, kind in enumerate(KINDS):
        for note_id, note in kb.notes(kind).items():
            text = plain_words(_text(note))
            held = len(wanted & terms(text))
            if held >= need:
                titled = len(wanted & terms(plain_words(note.title)))
                # the query's words together, as the note says them ("position bias")
                together = len(wanted) if f" {phrase} " in f" {text} " else 0
                found = Found(kind, note_id, note.title)
                ranked.append((-(held + 2 * titled + together), note.title, order, found))
    return [found for *_, found in sorted(ranked, key=lambda r: r[:3])]
