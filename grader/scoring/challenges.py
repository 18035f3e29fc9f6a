"""Challenges: follow-ups that press on a choice an interviewer questions when an answer makes it.

A concept note lists such choices (`Concept.challenges`): data split at random when it changes over
time, a latency budget set on the average, quality watched live where labels come late. Each is
looked for in the passages that count (sentences, bullets and table rows; not a passage set aside
or said again), and the first passage making it is quoted back with the note's question. A
challenge leads the follow-ups: it is about what the candidate chose, not what they left out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

from grader.knowledge.notes import Challenge, Concept, KnowledgeBase
from grader.report import FollowUp
from grader.scoring.probes import ELLIPSIS, MAX_QUOTE_CHARS
from grader.scoring.segment import Unit
from grader.text import as_read

MAX_CHALLENGES = 2  # of the follow-ups, at most this many challenge a choice
_LEAD = re.compile(r"^[\s>*_#|-]*(?:\d+[.)]\s+)?[\s*_|]*")  # list markers, emphasis, a row's bar
_TRAIL = " \t\r\n*_|.;:,!?"  # and a final stop: the question goes on after the quote


def find_challenges(
    kb: KnowledgeBase,
    answer: str,
    read: str,
    units: Sequence[Unit],
    counted: np.ndarray,
    rubric: Collection[str],
    systems: Collection[str] = (),
) -> list[FollowUp]:
    """The challenges an answer earns, in the order it makes the choices, at most MAX_CHALLENGES:
    for each challenge of a rubric component whose `needs` the rubric holds, written for the asked
    kinds of system (`systems`; `Challenge.fits`), the first counted
    sentence, bullet or row (`counted`, by unit, of the answer as graded, `read`) that makes the
    choice and holds nothing set aside, quoted from `answer`."""
    found: list[tuple[int, FollowUp]] = []
    rubric = set(rubric)
    for cid in sorted(rubric):
        concept = kb.concepts.get(cid)
        for challenge in concept.challenges if concept is not None else ():
            if not set(challenge.needs) <= rubric or not challenge.fits(systems):
                continue
            hit = _first(challenge, answer, read, units, counted)
            if hit is not None:
                start, quote = hit
                found.append((start, _follow_up(concept, challenge, quote)))
    found.sort(key=lambda x: x[0])
    taken: list[FollowUp] = []
    for _, f in found:  # one per component and per passage
        if all(f.component_id != t.component_id and f.quote != t.quote for t in taken):
            taken.append(f)
    return taken[:MAX_CHALLENGES]


def _first(
    challenge: Challenge, answer: str, read: str, units: Sequence[Unit], counted: np.ndarray
) -> tuple[int, str] | None:
    for i, u in enumerate(units):
        passage = answer[u.start : u.end]
        if u.is_window or not counted[i] or read[u.start : u.end] != passage:
            continue
        m = challenge.finds(passage)
        if m is not None:
            return u.start, quoted(passage, m.start(), m.end())
    return None


def quoted(passage: str, start: int, end: int) -> str:
    """The passage as a challenge quotes it: without its list marker, a row's bars or its final
    stop, and when longer than MAX_QUOTE_CHARS, the whole words around the choice (`start`:`end`;
    cut mid-word where no space is near), "…" marking a cut. Without the marks it is the
    candidate's words as written."""
    lo = _LEAD.match(passage).end()
    hi = lo + len(passage[lo:].rstrip(_TRAIL))
    lo, hi = min(lo, start), max(hi, end)
    if hi - lo <= MAX_QUOTE_CHARS:
        return passage[lo:hi]
    spare = max(0, MAX_QUOTE_CHARS - (end - start))
    left = max(lo, start - spare // 2)
    right = min(hi, end + (MAX_QUOTE_CHARS - (end - start) - (start - left)))
    left = max(lo, right - MAX_QUOTE_CHARS) if right == hi else left
    while lo < left < start and not passage[left - 1].isspace():  # whole words only
        left += 1
    while end < right < hi and not passage[right].isspace():
        right -= 1
    text = passage[left:right].strip()
    return (ELLIPSIS if left > lo else "") + text + (ELLIPSIS if right < hi else "")


def _follow_up(concept: Concept, challenge: Challenge, quote: str) -> FollowUp:
    """The challenge as a follow-up: what a strong reply covers is the component's top level, as
    for every follow-up, then what the challenge listens for."""
    return FollowUp(
        question=f'You said: "{as_read(quote)}". {challenge.ask}',
        component_id=concept.id,
        why=f"{concept.title}: a choice interviewers press on",
        kind="challenge",
        quote=quote,
        listen_for=[concept.levels.l3, *challenge.listen_for],
    )
