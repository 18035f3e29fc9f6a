"""Notes of what an answer still has to say: "TODO: add monitoring section & adversarial attacks.",
"- Online: TBD.", and what it says it leaves out: "I won't go into drift or privacy here", "I ran
out of time, I would have talked about serving". Such a note says the thing is not there; read as
design text, it named its topics closely enough to credit them (abuse and security "covered 52" on
the TODO above; drift 10 -> 27 on the weak example for "I won't go into drift detection")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.scoring.segment import _MARKER, _SENTENCE_END, abbreviated

# the writers' markers for "not written yet"; in capitals (or "To do:"), as notes write them
MARKER = re.compile(r"\b(?:TODO|TBD|FIXME|[Tt]o[- ]?do:)(?![\w-])")
# saying a topic is left out: a first-person speaker declining or deferring to talk about it. With
# "we" (often the system or the team: "we don't cover minors") only verbs of talk, never "cover"
_TALK = (
    r"(?:go|get|dive|dig|delve)\s+(?:deep(?:er|ly)?\s+)?into|go\s+deep(?:er)?\s+(?:on|into)"
    r"|discuss|talk\s+(?:about|through)|touch\s+on|elaborate\s+on|expand\s+on"
)
_TALK_I = _TALK + r"|cover|address|get\s+to|mention|go\s+over"
_NOT = (
    r"(?:won't|will\s+not|wouldn't|would\s+not|can't|cannot|can\s+not|don't|do\s+not|didn't"
    r"|did\s+not|haven't|have\s+not|(?:am|'m|are|'re)\s+not\s+going\s+to"
    r"|(?:won't|didn't|did\s+not)\s+have\s+(?:the\s+)?time\s+to|had\s+no\s+time\s+to)"
)
_WOULD = r"(?:I|we)(?:'d|\s+would)\s+(?:also\s+)?(?:have\s+)?(?:talked|gone|{talk})"
DEFERRAL = re.compile(
    rf"\bI\s+{_NOT}\s+(?:really\s+|fully\s+)?(?:{_TALK_I})\b"
    rf"|\bwe\s+{_NOT}\s+(?:really\s+|fully\s+)?(?:{_TALK})\b"
    rf"|\b(?:I'll|I\s+will|I'd|I\s+would|let's|let\s+me|we'll)\s+(?:skip|leave\s+out|not\s+(?:{_TALK_I}))\b"
    rf"|\bI\s+(?:skip(?:ped)?|(?:am|'m)\s+skipping|left\s+out|ran\s+out\s+of\s+time)\b"
    rf"|\b(?:if\s+I|if\s+we|had\s+I|had\s+we)\s+had\s+(?:more\s+)?time,?\s+"
    + _WOULD.format(talk=_TALK_I)
    + r"\b|\btime\s+permitting,?\s+"
    + _WOULD.format(talk=_TALK_I)
    + r"\b",
    re.IGNORECASE,
)
# where what a deferral leaves out ends: its sentence's end, or a clause turning to what is said
_CLAUSE_END = re.compile(
    r"[.!?;:](?:\s|$)|\n|,?\s+(?:but|because|since|although|though|whereas)\s|\s[\u2013\u2014-]\s"
)
DEFERRAL_WORDS = 30  # the most a deferral reaches on unpunctuated speech
# a short lead before the speaker, kept with the note: "Given the time, ", "For brevity here, "
_DEFERRAL_LEAD = re.compile(r"[^\W\d][\w' ]{0,40},\s*")

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
    spans = [span for m in MARKER.finditer(text) if (span := _note(text, m)) is not None]
    spans += [_deferral(text, m) for m in DEFERRAL.finditer(text)]
    notes: list[ToDo] = []
    for start, end in sorted(spans):
        if notes and start <= notes[-1].end:
            notes[-1] = ToDo(notes[-1].start, max(end, notes[-1].end))
        else:
            notes.append(ToDo(start, end))
    return notes


def _deferral(text: str, m: re.Match) -> tuple[int, int]:
    """A deferral's span: from its speaker (or its sentence's start, past a short lead such as
    "Given the time, ") to the end of its clause, at most DEFERRAL_WORDS words on."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    start = line_start
    for end in _SENTENCE_END.finditer(text, line_start, m.start()):
        if not abbreviated(text, end.start(), line_start):
            start = end.end()
    before = text[start : m.start()]
    marker = _MARKER.match(before)
    lead = before[marker.end() if marker else 0 :]
    start = start + (marker.end() if marker else 0) if _DEFERRAL_LEAD.fullmatch(lead) else m.start()
    words = re.compile(r"\S+").finditer(text, m.end())
    end = m.end()
    for k, word in enumerate(words):
        if k >= DEFERRAL_WORDS:
            break
        stop = _CLAUSE_END.search(text, end, word.end() + 1)
        if stop:
            end = stop.start() if text[stop.start()] in " ,\n\u2013\u2014-" else stop.start() + 1
            break
        end = word.end()
    return start, end


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
