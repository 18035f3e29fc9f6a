"""Lines of a written answer that give the interviewer's words ("Interviewer: How would you
monitor drift?", "> **Interviewer:** ..."): what was asked is not what the candidate said. A
written mock interview whose interviewer's questions carried the design ("so you'd watch PSI on
every feature and alert on a shift?") while the candidate said "Yes, exactly" was credited drift
14 -> 63 in a helper's red-team test. A turn runs on over the lines that are plainly still the interviewer's: a
blockquote's next quoted lines, or, where the candidate's side is labelled too ("Me:",
"Candidate:"), every line up to the next label, blank line or heading. An unlabelled line after
the question may be the candidate's answer, so it is not taken on a guess. A transcript's
interviewer turns are set aside when it is read (`grader.answers.transcripts`); this is the same
rule for text that is not read as one."""

from __future__ import annotations

import re

from grader.text import without_fenced_code

# a line opening with the interviewer's label, after a quote mark or emphasis (a bullet
# "- Interviewer: id, calendar" is a field of a design about interviews)
_ASKED = re.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:\*\*|__|\*|_)?interviewer(?:[ \t]*\([^)\n]{1,40}\))?"
    r"(?:\*\*|__|\*|_)?[ \t]*[:\uff1a](?:\*\*|__|\*|_)?[^\n]*",
    re.IGNORECASE | re.MULTILINE,
)

# a line opening with either side's label: where a turn ends, and, for the candidate's, the
# sign that every turn of the dialogue is labelled
_LABELLED = re.compile(
    r"[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+)?(?:\*\*|__|\*|_)?"
    r"(interviewer|candidate|interviewee|me|you|answer|response|a)"
    r"(?:[ \t]*\([^)\n]{1,40}\))?(?:\*\*|__|\*|_)?[ \t]*[:\uff1a]",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[ \t]*>")
_HEADING = re.compile(r"[ \t]{0,3}#")


def interviewer_lines(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the interviewer's turns, in order: each from its labelled line
    through the lines that continue it."""
    if "nterviewer" not in text and "NTERVIEWER" not in text:
        return []
    shown = without_fenced_code(text)
    starts = [m.span() for m in _ASKED.finditer(shown)]
    if not starts:
        return []
    both_sides = any(
        (m := _LABELLED.match(line)) and m.group(1).lower() != "interviewer"
        for line in shown.splitlines()
    )
    return [_turn(shown, start, end, both_sides) for start, end in starts]


def _turn(text: str, start: int, end: int, both_sides: bool) -> tuple[int, int]:
    """The turn whose labelled line is text[start:end], run on over the lines continuing it."""
    quoted = bool(_QUOTED.match(text, start))
    while end < len(text):
        next_end = text.find("\n", end + 1)
        next_end = len(text) if next_end < 0 else next_end
        line = text[end + 1 : next_end]
        if not line.strip() or _HEADING.match(line) or _LABELLED.match(line):
            break
        if not (both_sides or (quoted and _QUOTED.match(line))):
            break
        end = next_end - (line.endswith("\r"))
    return start, end
