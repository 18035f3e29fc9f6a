"""Lines of a written answer that give the interviewer's words ("Interviewer: How would you
monitor drift?", "> **Interviewer:** ..."): what was asked is not what the candidate said. A
written mock interview whose interviewer's questions carried the design ("so you'd watch PSI on
every feature and alert on a shift?") while the candidate said "Yes, exactly" was credited drift
14 -> 63 in a helper's red-team test. A transcript's interviewer turns are set aside when it is read
(`grader.answers.transcripts`); this is the same rule for text that is not read as one."""

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


def interviewer_lines(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the lines that give the interviewer's words, in order."""
    if "nterviewer" not in text and "NTERVIEWER" not in text:
        return []
    return [m.span() for m in _ASKED.finditer(without_fenced_code(text))]
