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

from grader.scoring.segment import table_rule
from grader.text import FENCED_CODE

_PUNCT = frozenset(string.punctuation)
# What GFM's autolink-literal extension would make a link of: schemes, www. hosts and e-mail addresses.
_LINKISH = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TRAILING = ".,;:!?)]}'\"*_"
COLOURS = ("red", "orange", "yellow", "green", "blue", "violet", "gray")


# Streamlit's Markdown turns these pairs, standing between spaces, into symbols ("->" into an arrow,
# "--" into a dash, ">=" into a sign): the user's quote would no longer read as written. A word
# joiner (invisible, no break) between the two characters keeps them as typed.
_TYPOGRAPHIC = re.compile(r"(?<=[-<>~])(?=[->=])")
_PAIRS = frozenset({"->", "<-", "--", ">=", "<=", "~="})
WORD_JOINER = "\u2060"


def _kept_as_typed(text: str) -> str:
    return _TYPOGRAPHIC.sub(
        lambda m: WORD_JOINER if text[m.start() - 1 : m.start() + 1] in _PAIRS else "", text
    )


def _escape_plain(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in _kept_as_typed(text))


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


# -- the candidate's Markdown, rendered safely --------------------------------------------------
# Only structure this module writes itself survives: headings (shown bold), list items, quotes,
# bold, italics and code spans. Every character of the user's text is still escaped, so no HTML,
# link, image, table or directive can come from it.
_BLOCK = re.compile(r"^(?P<indent>\s*)(?P<mark>#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+|>\s?)")
_INLINE = re.compile(
    r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\3(?![\w*])|(`+)(.+?)\5"
)


def _styles(line: str) -> tuple[str, list[int], list[str]]:
    """`line` without its emphasis markers, the offset in `line` of each kept character, and each
    kept character's style ('', 'b', 'i' or 'c')."""
    kept, where, style, pos = [], [], [], 0
    for m in _INLINE.finditer(line):
        for k in range(pos, m.start()):
            kept.append(line[k]), where.append(k), style.append("")
        if m.group(1):
            grp, kind = 2, "b"
        elif m.group(3):
            grp, kind = 4, "i"
        else:
            grp, kind = 6, "c"
        for k in range(m.start(grp), m.end(grp)):
            kept.append(line[k]), where.append(k), style.append(kind)
        pos = m.end()
    for k in range(pos, len(line)):
        kept.append(line[k]), where.append(k), style.append("")
    return "".join(kept), where, style


def _wrap(text: str, style: str, colour: str | None, strong: bool) -> str:
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    if style == "c":
        out = _code_span(core)
    else:
        out = _escape_line(core)
        if style == "b" or strong:
            out = f"**{out}**"
        elif style == "i":
            out = f"*{out}*"
    if colour:
        out = f":{colour}-background[{out}]"
    return lead + out + trail


def markdown_line(
    line: str, colours: list[str | None], strong: list[bool], indented: bool = True
) -> str:
    """One line of the candidate's Markdown as safe Markdown; `colours[i]` (a COLOURS name or None)
    is the background of character i of `line`, `strong[i]` makes it bold. A line that is no
    list item keeps its indentation as no-break spaces (code and outlines keep their shape, and
    Markdown reads no code block from them; not a table cell's, `indented` False); a code
    fence's line is shown as written."""
    indent = _indent(line) if indented else ""
    fence = _FENCE.match(line)
    if fence:  # "```yaml": the language, in grey; a bare fence shows nothing
        rest = line[fence.end() :].strip()
        return f"{indent}:gray[{_escape_line(rest)}]" if rest else ""
    m = _BLOCK.match(line)
    prefix, start = "", 0
    if m:
        mark = m.group("mark").strip()
        start = m.end()
        if mark.startswith("#"):
            prefix = "heading"
        elif mark == ">":
            prefix = "> "
        elif mark[:-1].isdigit():
            prefix = f"{int(mark[:-1])}. "
        else:
            prefix = "- "
    body = line[start:].rstrip()
    plain, where, style = _styles(body)
    parts, i = [], 0
    while i < len(plain):
        key = (style[i], colours[start + where[i]], strong[start + where[i]])
        j = i
        while (
            j < len(plain)
            and (style[j], colours[start + where[j]], strong[start + where[j]]) == key
        ):
            j += 1
        parts.append(_wrap(plain[i:j], *key))
        i = j
    text = "".join(parts).strip()
    if not text:
        return ""
    if prefix == "heading":
        return text if text.startswith("**") and text.endswith("**") else f"**{text}**"
    return prefix + text if prefix else indent + text


_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})")


def _indent(line: str) -> str:
    """A line's leading spaces and tabs (a tab as four) as no-break spaces."""
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    return "\u00a0" * len(lead.expandtabs(4))


def _cells(line: str) -> list[tuple[int, int]]:
    """The [start, end) of each cell of a table row, inside its outer pipes."""
    body_start = len(line) - len(line.lstrip())
    body_end = len(line.rstrip())
    if line[body_start : body_start + 1] == "|":
        body_start += 1
    if body_end > body_start and line[body_end - 1] == "|":
        body_end -= 1
    out, at = [], body_start
    for k in range(body_start, body_end + 1):
        if k == body_end or line[k] == "|":
            out.append((at, k))
            at = k + 1
    return out


def markdown_table(text: str, colours: list[str | None], strong: list[bool]) -> str | None:
    """A block that is a Markdown table (a header row, its rule, rows) as a safe Markdown table:
    each cell's text made inert as a line is (`markdown_line`), the pipes between cells kept. None
    when the block is not a table."""
    lines = text.split("\n")
    if len(lines) < 2 or not lines[0].lstrip().startswith("|") or not table_rule(lines[1]):
        return None
    width = len(_cells(lines[0]))
    out, pos = [], 0
    for k, raw in enumerate(lines):
        if k == 1:
            out.append("|" + "---|" * width)
        else:
            cells = [
                markdown_line(
                    raw[s:e], colours[pos + s : pos + e], strong[pos + s : pos + e], False
                )
                for s, e in _cells(raw)
            ]
            # text past the header's columns (a mark set after the row's closing pipe) joins the
            # last cell rather than being dropped
            cells = [*cells[: width - 1], " ".join(c for c in cells[width - 1 :] if c)]
            cells += [""] * (width - len(cells))
            out.append("| " + " | ".join(c.replace("\n", " ") for c in cells) + " |")
        pos += len(raw) + 1
    return "\n".join(out)


def fenced(text: str) -> list[bool]:
    """Per character of `text`, whether it is on a line inside a fenced code block, the fence
    lines themselves excluded: the blocks the grader reads as code (`text.FENCED_CODE`)."""
    inside = [False] * len(text)
    for m in FENCED_CODE.finditer(text):
        first = text.index("\n", m.start()) + 1  # past the opening fence's line
        last = text.rfind("\n", first - 1, m.end())  # before the closing fence's line
        inside[first:last] = [True] * (last - first)
    return inside


def code_line(line: str, colours: list[str | None], code: list[bool]) -> str:
    """A line of a fenced code block as safe Markdown: its text as code (no emphasis, list or
    heading read from it), its indentation kept, coloured where `colours` say; characters `code`
    leaves out (an evidence mark set in the line) as plain text."""
    indent = _indent(line)
    body = line.lstrip(" \t").rstrip()
    start = len(line) - len(line.lstrip(" \t"))
    parts, i = [], 0
    while i < len(body):
        key = (colours[start + i], code[start + i])
        j = i
        while j < len(body) and (colours[start + j], code[start + j]) == key:
            j += 1
        parts.append(_wrap(body[i:j], "c" if key[1] else "", key[0], False))
        i = j
    text = "".join(parts).strip()
    return indent + text if text else ""


def markdown_block(
    text: str,
    colours: list[str | None],
    strong: list[bool],
    code: list[bool] | None = None,
) -> str:
    """A block of the candidate's Markdown (no blank lines) as safe Markdown, line breaks kept; a
    table stays a table (`markdown_table`); a line that `code` marks as inside a fenced code block
    (`fenced`, read over the whole answer) is shown as code (`code_line`)."""
    table = markdown_table(text, colours, strong)
    if table is not None:
        return table
    code = code if code is not None else fenced(text)
    out, pos = [], 0
    for raw in text.split("\n"):
        n = len(raw)
        if any(code[pos : pos + n]):
            line = code_line(raw, colours[pos : pos + n], code[pos : pos + n])
        else:
            line = markdown_line(raw, colours[pos : pos + n], strong[pos : pos + n])
        pos += n + 1
        if line:
            out.append(line)
    listish = re.compile(r"^(- |\d+\. |> )")
    return "\n".join(
        ln + ("  " if i + 1 < len(out) and not listish.match(out[i + 1]) else "")
        for i, ln in enumerate(out)
    )
