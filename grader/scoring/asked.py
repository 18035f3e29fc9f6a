"""Lines of a written answer that give the interviewer's words ("Interviewer: How would you
monitor drift?", "> **Interviewer:** ...", "Q: ...", "[14:02] Priya (interviewer): ..."): what was
asked is not what the candidate said. A written mock interview whose interviewer's questions
carried the design ("so you'd watch PSI on every feature and alert on a shift?") while the
candidate said "Yes, exactly" was credited drift 14 -> 63 in a helper's red-team test.

A turn runs on over the lines that are plainly still the interviewer's: a blockquote's next quoted
lines, or, where the candidate's side is labelled too near it ("Me:", "Candidate:", "A:"), the lines up to
the next label, blank line, heading or bullet, or until a line ends the question ("...?"). An
unlabelled line after the question may be the candidate's answer, so it is not taken on a guess,
and a candidate's label later on the same line ("Interviewer: And drift? Me: PSI weekly.") ends
the turn there. A transcript's interviewer turns are set aside when it is read
(`grader.answers.transcripts`); this is the same rule for text that is not read as one."""

from __future__ import annotations

import bisect
import re

from grader.text import without_fenced_code

_LEAD = (
    r"[ \t]*(?:>[ \t]*)*(?:\[[0-9:.]{4,12}\][ \t]*)?(?:\*\*|__|\*|_)?"  # quote, [14:02], emphasis
)
# the label's end: a colon or a spaced dash, or bold closing on the label ("**Interviewer** And?")
_CLOSE = (
    r"(?:(?:\*\*|__|\*|_)?[ \t]*(?:[:\uff1a]|[ \t][\u2013\u2014][ \t])(?:\*\*|__|\*|_)?"
    r"|(?<=[\w)])(?:\*\*|__)(?:[ \t]+|[ \t]*(?=\r?$)))"
)
# the asker's label opening a line: "Interviewer", "Interviewer (Sam)", "Interviewer's
# follow-up", "Priya (interviewer)", "Q", "Question". Not a bullet: "- Interviewer: id, calendar"
# is a field of a design about interviews
_ASKER = (
    r"(?:(?:interviewer(?:[ \t]+(?:\d{1,2}|[A-Z]))?|(?P<role>hiring[ \t]+manager|panell?ist"
    r"|recruiter|(?:bar[ \t]*)?raiser)(?:[ \t]+(?:\d{1,2}|[A-Z]))?)(?:'s[ \t]+[\w-]{1,20})?"
    r"(?:[ \t]*\([^)\n]{1,40}\))?"
    r"|[A-Z][\w.'-]{0,30}(?:[ \t]+[A-Z][\w.'-]{0,30})?[ \t]*\((?i:interviewer)\)"
    r"|(?P<self_posed>q|question))"
)
# or a table row's first cell (a Word document's Speaker | Words table, read as Markdown rows)
_CELL = r"[ \t]*(?:\*\*|__)?"
_ASKED = re.compile(
    rf"^{_LEAD}(?i:{_ASKER}){_CLOSE}"
    rf"|^[ \t]*\|{_CELL}(?P<row>(?i:{re.sub(r'[?]P<[a-z_]+>', '?:', _ASKER)})){_CELL}[ \t]*\|",
    re.MULTILINE,
)
# the candidate's label, at a line's start or later on the asker's line
_ANSWERER = r"(?:candidate|interviewee|me|a|answer)(?:[ \t]*\([^)\n]{1,40}\))?"
_ANSWERS_INLINE = re.compile(rf"(?<=[.?!])[ \t]+(?:\*\*|__|\*|_)?(?i:{_ANSWERER}){_CLOSE}")
_ANSWERS_LINE = re.compile(
    rf"^{_LEAD}(?i:{_ANSWERER}){_CLOSE}|^[ \t]*\|{_CELL}(?i:{_ANSWERER}){_CELL}[ \t]*\|",
    re.MULTILINE,
)
NEAR = 600  # a dialogue labels the candidate's side near the interviewer's turn (one "A:" far off does not)
_QUOTED = re.compile(r"[ \t]*>")
_BREAK = re.compile(r"[ \t]{0,3}(?:#|[-*+][ \t]|\d{1,3}[.)][ \t])")  # a heading or a list item


def interviewer_lines(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the interviewer's turns, in order: each from its labelled line
    through the lines that continue it."""
    shown = without_fenced_code(text)
    # an asker named by another role ("Hiring manager:", "Panelist:"), or in a table's row asking
    # something, only where the candidate's side is labelled near it: without one, "Recruiter:
    # sees the top 50" or "| Interviewer | id, calendar |" is a line of a design
    starts = [
        (m.start(), end := _asked_end(shown, m), m["role"], m["row"] and shown[m.start() : end])
        for m in _ASKED.finditer(shown)
    ]
    if not starts:
        return []
    answers = [m.start() for m in _ANSWERS_LINE.finditer(shown)]

    def labelled_near(start: int) -> bool:  # the candidate's label within NEAR characters
        k = bisect.bisect_left(answers, start - NEAR)
        return k < len(answers) and answers[k] <= start + NEAR

    turns = []
    for start, end, role, row in starts:
        near = labelled_near(start)
        if (role or row) and not near or row and "?" not in row:
            continue
        turns.append(_turn(shown, start, end, near))
    return turns


def _asked_end(text: str, m: re.Match) -> int:
    """Where an asker's line ends (the line under a label alone on its own, "**Interviewer**"):
    a "Q:" or "Question:" line at its question mark, since a
    candidate posing their own question answers it on the same line ("Question: should list
    price be a feature? It's very predictive, but ..."); an interviewer's at the line's end."""
    end = _line_end(text, m.start())
    if not text[m.end() : end].strip() and end < len(text):  # the label alone: its words below
        end = _line_end(text, end + 1)
    if m.group("self_posed"):
        mark = text.find("?", m.end(), end)
        return mark + 1 if mark >= 0 else end
    return end


def _is_question(line: str) -> bool:
    return line.rstrip(" \t\r*_").endswith("?")


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return end - (text[start:end].endswith("\r"))


def _turn(text: str, start: int, end: int, both_sides: bool) -> tuple[int, int]:
    """The turn whose labelled line is text[start:end], run on over the lines continuing it."""
    answered = _ANSWERS_INLINE.search(text, start, end)
    if answered:
        return start, answered.start()
    quoted = bool(_QUOTED.match(text, start))
    while end < len(text):
        asked = _is_question(text[start:end])
        line_start = text.find("\n", end) + 1
        if not line_start:
            break
        line_end = _line_end(text, line_start)
        line = text[line_start:line_end]
        if not line.strip() or _ASKED.match(line) or _ANSWERS_LINE.match(line):
            break
        if quoted:
            if not _QUOTED.match(line):
                break
        elif not both_sides or _BREAK.match(line) or (asked and not _is_question(line)):
            break  # after the question, only another question is still the interviewer's
        end = line_end
        answered = _ANSWERS_INLINE.search(text, line_start, end)
        if answered:
            return start, answered.start()
    return start, end
