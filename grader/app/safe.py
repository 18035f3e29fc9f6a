"""Render untrusted text (the user's answer, LLM output, error messages) as inert Streamlit Markdown.

Every ASCII punctuation character is backslash-escaped (CommonMark allows it for all of them), so
no HTML, heading, list, table, emphasis, math, `:colour[...]` directive or `[link](url)` /
`![image](url)` syntax survives; bare URLs and e-mail addresses, which GitHub-flavoured Markdown
would turn into links, are shown as code spans. Nothing here is ever passed to
`unsafe_allow_html`.
"""

from __future__ import annotations

import re
import string

_PUNCT = frozenset(string.punctuation)
# What GFM's autolink-literal extension would make a link of: schemes, www. hosts and e-mail addresses.
_LINKISH = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TRAILING = ".,;:!?)]}'\"*_"
COLOURS = ("red", "orange", "yellow", "green", "blue", "violet", "gray")


def _escape_plain(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in text)


def _code_span(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def _escape_line(line: str) -> str:
    """One line of text as inert Markdown; URL-like runs become code spans."""
    out, pos = [], 0
    for m in _LINKISH.finditer(line):
        link = m.group().rstrip(
            _TRAILING
        )  # a sentence's closing punctuation is not part of the link
        out += [_escape_plain(line[pos : m.start()]), _code_span(link)]
        pos = m.start() + len(link)
    out.append(_escape_plain(line[pos:]))
    return "".join(out)


def inert(text: str) -> str:
    """Untrusted text as one inert Markdown paragraph (whitespace collapsed)."""
    return _escape_line(" ".join(str(text).split()))


def inert_block(text: str) -> str:
    """Untrusted text as inert Markdown that keeps its line breaks and blank lines."""
    return highlighted(text, [])


def highlighted(text: str, spans: list[tuple[int, int]], colour: str = "orange") -> str:
    """`text` as inert Markdown with the characters in each [start, end) span on a coloured background.

    Lines keep their breaks; leading indentation is dropped so nothing turns into a code block.
    """
    if colour not in COLOURS:
        raise ValueError(f"colour must be one of {COLOURS}")
    marks = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            marks[i] = True
    lines, pos = [], 0
    for raw in text.split("\n"):
        lines.append(_render_line(raw, marks[pos : pos + len(raw)], colour))
        pos += len(raw) + 1
    out = []
    for line in lines:  # a hard break between lines, a paragraph break for blank lines
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(line)
    return "\n".join(
        ln + "  " if ln and i + 1 < len(out) and out[i + 1] else ln for i, ln in enumerate(out)
    ).strip()


def _render_line(line: str, marks: list[bool], colour: str) -> str:
    strip = len(line) - len(line.lstrip())
    line, marks = line[strip:].rstrip(), marks[strip:]
    if not line:
        return ""
    parts, i = [], 0
    while i < len(line):
        j = i
        while j < len(line) and marks[j] == marks[i]:
            j += 1
        chunk = _escape_line(line[i:j])
        if marks[i] and line[i:j].strip():
            parts.append(f":{colour}-background[{chunk}]")
        else:
            parts.append(chunk)
        i = j
    return "".join(parts)
