"""Answers pasted as a web page's source (a wiki's source view, an exported HTML file): read as
the text a browser shows, with its paragraphs, line breaks, headings, list items and table rows.

Read as plain text, `<br>` joined the sentences it separated ("...10 billion messages a day<br>
so the decision...", not credited), and quotes showed `<li>`, `&#39;` and HTML comments.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from grader.text import without_fenced_code

# tags that start a new line, and those that leave a blank line around them
_LINE = frozenset("br tr dt dd blockquote section article header footer aside figure".split())
_PARAGRAPH = frozenset("p div ul ol dl table h1 h2 h3 h4 h5 h6 hr pre".split())
_SKIPPED = frozenset("script style title template noscript svg".split())  # never shown
# a block tag, its attributes read without crossing another "<" (linear on "<p <p <p ...")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|table|tr|td|th)\b[^<>]*>", re.IGNORECASE)
_CLOSING_TAG = re.compile(r"</(?:p|div|li|ul|ol|h[1-6]|table|tr|td|th)\s*>", re.IGNORECASE)
_PAGE_START = re.compile(r"\A\ufeff?\s*<(?:!doctype|html|head|body|[a-z][a-z0-9]*[\s>/])", re.I)
_HIDDEN = re.compile(
    r"<(script|style|svg|template)\b[^<>]*>.*?</\1\s*>|<!--.*?-->|\s[\w:-]+=\"[^\"]*\"",
    re.IGNORECASE | re.DOTALL,
)
MIN_CLOSED = 3  # block elements closed: a text about HTML names a "<div>", a page closes them
MIN_TAG_SHARE = 0.05  # of the characters a reader could see, in block tags


def is_webpage(text: str) -> bool:
    """Whether a text is HTML source (its fenced code aside): MIN_CLOSED closing block tags or more,
    and either it opens with a tag (a saved page, a source view) or its block tags take
    MIN_TAG_SHARE of what is left once scripts, styles, comments and attribute values are set
    aside (a fragment). A Markdown answer that mentions a `<div>` or quotes HTML in a code block
    is not."""
    text = without_fenced_code(text)
    if len(_CLOSING_TAG.findall(text)) < MIN_CLOSED:
        return False
    if _PAGE_START.match(text):
        return True
    seen = _HIDDEN.sub(" ", text)
    return sum(map(len, _BLOCK_TAG.findall(seen))) >= MIN_TAG_SHARE * len(seen)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.cells = 0  # cells of the row being read
        self.rows = 0  # rows of the table being read: its first is its header
        self.lists = 0  # lists the text is inside
        self.inside = 0  # cells and list items the text is inside: their paragraphs are spaces
        self.pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        if self.skipping:
            return
        if tag in ("ul", "ol"):
            self.lists += 1
        if tag == "pre":
            self.pre += 1
        if tag == "li":
            self.inside += 1
            self.out.append("\n" + "  " * max(self.lists - 1, 0) + "- ")
        elif tag in ("td", "th"):
            self.inside += 1
            self.out.append("| " if not self.cells else " | ")
            self.cells += 1
        elif tag in ("ul", "ol") and self.lists > 1:
            pass  # a nested list: its items start their own lines
        elif self.inside and tag in _PARAGRAPH | _LINE and tag not in ("table", "tr"):
            self._space()
        elif tag in _PARAGRAPH:
            self.out.append("\n\n")
            self.rows = 0 if tag == "table" else self.rows
            if tag[0] == "h" and tag[1:].isdigit():
                self.out.append("#" * int(tag[1:]) + " ")
        elif tag in _LINE:
            self.out.append("\n")
            self.cells = 0 if tag == "tr" else self.cells

    def handle_startendtag(self, tag: str, attrs) -> None:
        if not self.skipping and (tag in _LINE or tag in _PARAGRAPH):
            self._space() if self.inside else self.out.append("\n")

    def _space(self) -> None:
        if self.out and not self.out[-1][-1:].isspace():
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in ("li", "td", "th"):
            self.inside = max(0, self.inside - 1)
        elif tag in ("ul", "ol"):
            self.lists = max(0, self.lists - 1)
            self.out.append("\n" if self.lists else "\n\n")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.out.append("\n\n")
        elif tag == "tr" and self.cells:
            self.out.append(" |")
            self.rows += 1
            if self.rows == 1:  # a Markdown table's header line
                self.out.append("\n|" + "---|" * self.cells)
            self.cells = 0
        elif tag in _PARAGRAPH and not self.inside:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:  # preformatted text keeps its lines
            self.out.append(data.replace("\xa0", " "))
        else:  # a page's own line breaks and indents are spaces to a browser
            words = re.sub(r"\s+", " ", data.replace("\xa0", " "))
            if self.out and self.out[-1][-1:].isspace():
                words = words.lstrip(" ")
            self.out.append(words)


def webpage_text(text: str) -> str:
    """The text a browser shows of an HTML page: tags, comments, scripts and styles left out,
    entities read, block tags as line breaks and blank lines, headings as Markdown headings, list
    items as bullets (nested ones indented), table rows as pipe rows and preformatted text with its
    lines."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.out).split("\n")]
    joined = "\n".join(line if line.strip() else "" for line in lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip() + "\n"
