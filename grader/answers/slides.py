"""Answers pasted from a slide deck's text export ("Slide 7" / "Evaluation" / one short line per
bullet / a page number): read as Markdown, each slide a section headed by its title.

Read as it is, the deck's slide titles were plain lines, the markers and page numbers words of the
bullets around them ("...Slide 7 Evaluation Recall on defects at the chosen threshold..."), and a
slide's bullets were not read as its step: a deck's evaluation slide scored its step 0.
"""

from __future__ import annotations

import re

_MARKER = re.compile(
    r"^[ \t]*(?:slide|page)[ \t]+\d{1,3}(?:[ \t]*(?:/|of)[ \t]*\d{1,3})?[ \t]*$", re.I
)
_PAGE_NUMBER = re.compile(r"^[ \t]*\d{1,3}(?:[ \t]*/[ \t]*\d{1,3})?[ \t]*$")
MIN_SLIDES = 3  # marker lines: fewer, and "Page 2" is a line of an answer
TITLE_WORDS = 8  # a slide's first line this short, without end punctuation, is its title


def is_slide_dump(text: str) -> bool:
    """Whether a text is a slide deck's export: MIN_SLIDES lines or more that say only "Slide N"
    (or "Page N", "Slide N of M")."""
    return sum(1 for line in text.split("\n") if _MARKER.match(line)) >= MIN_SLIDES


def slides_text(text: str) -> str:
    """The deck as Markdown: each slide marker a section break, the slide's first line its "##"
    title when it reads as one, page-number lines left out."""
    out: list[str] = []
    title_next = False
    for line in text.split("\n"):
        if _MARKER.match(line):
            out.append("")
            title_next = True
        elif _PAGE_NUMBER.match(line):
            continue
        elif title_next and line.strip():
            title = line.strip()
            short = len(title.split()) <= TITLE_WORDS
            out.append(f"## {title}" if short and not title.endswith(tuple(".!?,;:")) else line)
            title_next = False
        else:
            out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"
