"""Reviewers' comments that came with a document: a Google Docs download as plain text, Markdown or
a web page marks each commented passage with a letter in brackets ("... pairs of listings.[a]")
and lists the comments after the text, each on a line that opens with its mark ("[a] P. Okafor:
can we quantify the business cost?"). Those lines are the reviewers' words, not the candidate's:
"[d] L. Chen: nice, +1 on the cascade." had been quoted as the candidate's word on cost.

A line is a comment only when its mark was anchored earlier, inside a line of the text, so a list
the candidate lettered ("[a] batch scoring", "[b] online scoring") is the design's. Linear in the
answer's length."""

from __future__ import annotations

import re

# a comment's mark inside the text: right after a word or a stop ("listings.[a]"), one or two
# lowercase letters as Google Docs numbers them ([a] ... [z], [aa], [ab] ...)
_ANCHOR = re.compile(r"(?<=\S)\[([a-z]{1,2})\]")
# a comment: its mark opening a line, then its words
_COMMENT = re.compile(r"^[ \t]*\[([a-z]{1,2})\][ \t]*\S[^\n]*", re.MULTILINE)


def reviewer_comments(answer: str) -> list[tuple[int, int]]:
    """(start, end) of each line that gives a reviewer's comment on the answer: it opens with a
    mark ("[a]") that a passage earlier in the answer carries."""
    anchored: dict[str, int] = {}
    for m in _ANCHOR.finditer(answer):
        anchored.setdefault(m.group(1), m.start())
    if not anchored:
        return []
    return [
        (m.start(), m.end())
        for m in _COMMENT.finditer(answer)
        if anchored.get(m.group(1), len(answer)) < m.start()
    ]
