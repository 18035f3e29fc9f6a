"""Answers pasted as a web page's source (a wiki's source view, an exported HTML file): read as
the text a reader takes as the answer, with its paragraphs, line breaks, headings, list items and
table rows.

Read as plain text, `<br>` joined the sentences it separated ("...10 billion messages a day<br>
so the decision...", not credited), and quotes showed `<li>`, `&#39;` and HTML comments. Read
whole, a blog page's menu, "related posts" sidebar and reader comments were graded as the answer
(a sidebar link "Privacy and GDPR compliance for ML engineers" credited privacy, and a reader's
comment was quoted back as "You said"), and so was text the page hides.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from grader.text import quantity, tight_lists, without_fenced_code

# tags that start a new line, and those that leave a blank line around them
_LINE = frozenset("br tr dt dd blockquote section article header footer aside figure".split())
_PARAGRAPH = frozenset("p div ul ol dl table h1 h2 h3 h4 h5 h6 hr pre".split())
_SKIPPED = frozenset("script style title template noscript svg".split())  # never shown
# elements without an end tag: one set aside holds nothing else
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# a page's furniture around its content, set aside with all they hold: menus, sidebars, footers,
# forms and their controls (a <select> ran its options together into a sentence)
_FURNITURE_TAGS = frozenset("nav aside footer form select button dialog".split())
_FURNITURE_ROLES = frozenset("navigation banner contentinfo complementary search dialog".split())
# words of a container's class that name furniture, read as whole words ("comments",
# "cookie-banner"); never an id: a heading's id is made from its words ("## Consent and
# retention" gets id="consent-and-retention") and is no furniture
_FURNITURE_CONTAINERS = frozenset("div section ul ol span table p a".split())
_FURNITURE_NAMES = re.compile(
    r"(?<![a-z0-9])(?:"
    # what a site puts around a page: comments, banners, menus, sharing and likes, related posts
    r"comments?|disqus|cookies?|consent|gdpr|breadcrumbs?|sidebar|newsletter|subscribe|share|"
    r"social|adverts?|advertisement|ads|sponsored|popup|modal|navbar|menu|likes?|related|"
    r"relatedposts|"
    # what a page says about itself: its metadata, contents, attachments, headings' permalinks
    r"meta|byline|properties|toc|table-of-contents|attachments|headerlink|anchor-link|permalink|"
    # a notebook's code cells and their outputs (its .ipynb is read for its Markdown cells only)
    r"code-cell|codecell|jp-codecell|input-area|output-area|jp-inputarea|jp-outputarea"
    r")(?![a-z0-9])",
    re.IGNORECASE,
)
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAIN = re.compile(r"<main\b|\srole\s*=\s*[\"']?main\b", re.IGNORECASE)
_ARTICLE = re.compile(r"<article\b", re.IGNORECASE)
# a block tag, its attributes read without crossing another "<" (linear on "<p <p <p ...")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|table|tr|td|th)\b[^<>]*>", re.IGNORECASE)
_CLOSING_TAG = re.compile(r"</(?:p|div|li|ul|ol|h[1-6]|table|tr|td|th)\s*>", re.IGNORECASE)
_PAGE_START = re.compile(r"\A\ufeff?\s*<(?:!doctype|html|head|body|[a-z][a-z0-9]*[\s>/])", re.I)
_HIDDEN = re.compile(
    r"<(script|style|svg|template)\b[^<>]*>.*?</\1\s*>|<!--.*?-->|\s[\w:-]+=\"[^\"]*\"",
    re.IGNORECASE | re.DOTALL,
)
MIN_CLOSED = 3  # block elements closed: a text about HTML names a "<div>", a page closes them
ARTICLES_SHARE = 0.5  # of what the page (or its <main>) reads, for its articles to be the answer
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


def _set_aside(tag: str, attrs: dict[str, str | None], outside: bool) -> str | None:
    """Why an element and all it holds is no part of the answer a reader takes from the page:
    "hidden" (the `hidden` attribute, `aria-hidden`, a style that hides it) or "furniture" (a
    menu, a sidebar, a footer, a form, a comment section, a cookie banner); None when it is read.
    A <header> outside the content a page marks (`outside`) is its banner; inside it, or on a
    page that marks none, the title of what is read."""
    style = attrs.get("style") or ""
    if (
        "hidden" in attrs
        or (attrs.get("aria-hidden") or "").strip().lower() == "true"
        or _HIDING_STYLE.search(style)
        or (tag == "input" and (attrs.get("type") or "").lower() == "hidden")
    ):
        return "hidden"
    role = (attrs.get("role") or "").strip().lower()
    classes = (attrs.get("class") or "").replace("_", "-")
    if (
        tag in _FURNITURE_TAGS
        or (tag == "header" and outside)
        or role in _FURNITURE_ROLES
        or (tag in _FURNITURE_CONTAINERS and _FURNITURE_NAMES.search(classes))
    ):
        return "furniture"
    return None


class _Text(HTMLParser):
    def __init__(self, content: str | None = None, furniture: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.furniture = furniture  # whether the page's furniture is set aside
        # the element the page's content is in ("main" or "article"; None: the whole page) and
        # how deep the text is inside one; an element set aside: its tag and nesting; how many
        # elements were set aside, by why
        self.content = content
        self.in_content = 0
        self.aside: list[str | int] | None = None
        self.left_out: dict[str, int] = {}
        self.cells = 0  # cells of the row being read
        self.rows = 0  # rows of the table being read: its first is its header
        self.lists = 0  # lists the text is inside
        self.inside = 0  # cells and list items the text is inside: their paragraphs are spaces
        self.pre = 0

    @property
    def _here(self) -> bool:
        """Whether the text at this point is read: inside the content, outside what is set aside."""
        return self.aside is None and (not self.content or bool(self.in_content))

    def _reading(self, tag: str, attrs) -> bool:
        """Track the content and what is set aside as a start tag opens; whether it is read."""
        if self.aside is not None:
            if tag == self.aside[0] and tag not in _VOID:
                self.aside[1] += 1
            return False
        if self.content and (
            tag == self.content or (self.content == "main" and ("role", "main") in attrs)
        ):
            self.in_content += tag not in _VOID
        why = _set_aside(tag, dict(attrs), bool(self.content) and not self.in_content)
        if why == "furniture" and not self.furniture:
            why = None
        if why:
            self.left_out[why] = self.left_out.get(why, 0) + 1
            if tag not in _VOID:
                self.aside = [tag, 1]
            return False
        return self._here

    def _closing(self, tag: str) -> bool:
        """Track the content and what is set aside as an end tag closes; whether it is read."""
        if self.aside is not None:
            if tag == self.aside[0]:
                self.aside[1] -= 1
                if not self.aside[1]:
                    self.aside = None
            return False
        reading = self._here
        if self.content and tag == self.content and self.in_content:
            self.in_content -= 1
        return reading

    def handle_starttag(self, tag: str, attrs) -> None:
        if not self._reading(tag, attrs):
            return
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
        if not self._here:
            return
        if not self.skipping and (tag in _LINE or tag in _PARAGRAPH):
            self._space() if self.inside else self.out.append("\n")

    def _space(self) -> None:
        if self.out and not self.out[-1][-1:].isspace():
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self._closing(tag):
            return
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
        if self.skipping or not self._here:
            return
        if self.pre:  # preformatted text keeps its lines
            self.out.append(data.replace("\xa0", " "))
        else:  # a page's own line breaks and indents are spaces to a browser
            words = re.sub(r"\s+", " ", data.replace("\xa0", " "))
            if self.out and self.out[-1][-1:].isspace():
                words = words.lstrip(" ")
            self.out.append(words)


def webpage_text(text: str) -> str:
    """The answer a reader takes from an HTML page (`webpage_reading`)."""
    return webpage_reading(text)[0]


def webpage_reading(text: str) -> tuple[str, dict[str, int]]:
    """The text a reader takes as the answer from an HTML page, and how many elements were left
    out of it, by why ("hidden", "furniture"). What a browser shows: tags, comments, scripts and
    styles left out, entities read, block tags as line breaks and blank lines, headings as
    Markdown headings, list items as bullets (nested ones indented), table rows as pipe rows and
    preformatted text with its lines; of that, the page's <main> (or its articles) when it marks
    one, and never a hidden element or the page's furniture (`_set_aside`)."""
    seen = _HIDDEN.sub(" ", text)
    # the page as a whole, or its <main> when it marks one; its articles when they hold most of
    # that (a repository page's README article, inside a <main> that lists its files and commits)
    read, left_out = _read(text, "main") if _MAIN.search(seen) else ("", {})
    if not read:  # no <main>, or one holding nothing readable: the page as a whole
        read, left_out = _read(text, None)
    if _ARTICLE.search(seen):
        articles = _read(text, "article")
        if len(articles[0]) >= ARTICLES_SHARE * len(read):
            read, left_out = articles
    if not read and left_out.get("furniture"):  # all of it read as furniture (an element left
        read, left_out = _read(text, None, furniture=False)  # open): never an empty answer
    return read + "\n", left_out


def left_out_note(left_out: dict[str, int]) -> str:
    """The report's note of what a web page's reading left out (`webpage_reading`)."""
    parts = []
    if left_out.get("furniture"):
        parts.append(
            f"{quantity(left_out['furniture'], 'part')} of the page around the answer (menus, "
            "sidebars, footers, forms, comments, banners)"
        )
    if left_out.get("hidden"):
        parts.append(f"{quantity(left_out['hidden'], 'element')} the page hides")
    return f"read as a web page: left out {' and '.join(parts)}, none of it graded"


def _read(text: str, content: str | None, furniture: bool = True) -> tuple[str, dict[str, int]]:
    parser = _Text(content, furniture)
    parser.feed(text)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.out).split("\n")]
    joined = "\n".join(line if line.strip() else "" for line in lines)
    return tight_lists(re.sub(r"\n{3,}", "\n\n", joined)).strip(), parser.left_out
