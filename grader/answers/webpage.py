"""Answers pasted as a web page's source (a wiki's source view, an exported HTML file): read as
the text a browser shows, with its paragraphs, line breaks, headings, list items and table rows.

Read as plain text, `<br>` joined the sentences it separated ("...10 billion messages a day<br>
so the decision...", not credited), and quotes showed `<li>`, `&#39;` and HTML comments.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# tags that start a new line, and those that leave a blank line around them
_LINE = frozenset(
    "br li tr dt dd pre blockquote section article header footer aside figure figcaption".split()
)
_PARAGRAPH = frozenset("p div ul ol dl table h1 h2 h3 h4 h5 h6 hr".split())
_SKIPPED = frozenset("script style head title template noscript svg".split())
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|table|tr|td|th)\b[^>]*>", re.IGNORECASE)
_CLOSING_TAG = re.compile(r"</(?:p|div|li|ul|ol|h[1-6]|table|tr|td|th)\s*>", re.IGNORECASE)
MIN_CLOSED = 3  # block elements closed: a text about HTML names a "<div>", a page closes them
MIN_TAG_SHARE = 0.05  # of the characters, in block tags


def is_webpage(text: str) -> bool:
    """Whether a text is HTML source: MIN_CLOSED closing block tags or more, its block tags taking
    MIN_TAG_SHARE of its characters or more (a Markdown answer that mentions a `<div>` is not)."""
    if len(_CLOSING_TAG.findall(text)) < MIN_CLOSED:
        return False
    return sum(map(len, _BLOCK_TAG.findall(text))) >= MIN_TAG_SHARE * len(text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.cells = 0
        self.rows = 0  # rows of the table being read: its first is its header

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _PARAGRAPH:
            self.out.append("\n\n")
            self.rows = 0 if tag == "table" else self.rows
            if tag[0] == "h" and tag[1:].isdigit():
                self.out.append("#" * int(tag[1:]) + " ")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in _LINE:
            self.out.append("\n")
            self.cells = 0
        elif tag in ("td", "th"):
            self.out.append("| " if not self.cells else " | ")
            self.cells += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _LINE or tag in _PARAGRAPH:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _PARAGRAPH:
            self.out.append("\n\n")
        elif tag == "tr" and self.cells:
            self.out.append(" |")
            self.rows += 1
            if self.rows == 1:  # a Markdown table's header line
                self.out.append("\n|" + "---|" * self.cells)
            self.cells = 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:  # a page's own line breaks and indents are spaces to a browser
            self.out.append(re.sub(r"\s+", " ", data.replace("\xa0", " ")))


def webpage_text(text: str) -> str:
    """The text a browser shows of an HTML page: tags, comments, scripts and styles left out,
    entities read, block tags as line breaks and blank lines, headings as Markdown headings, list
    items as bullets and table rows as pipe rows."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).split("\n")]
    joined = "\n".join(line for line in lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip() + "\n"
