"""Split an answer into gradeable units (sentences, bullets, word windows) with character offsets.

Works on prose, markdown notes and unpunctuated transcripts: every unit keeps the exact span of
the original text it came from, so evidence quotes are always substrings of the answer.
"""

from __future__ import annotations

import dataclasses
import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from pathlib import Path

import yaml

from grader.text import english_word, straightened, without_fenced_code

SHORTHAND_FILE = Path(__file__).with_name("shorthand.yaml")

WINDOW_WORDS = 24
WINDOW_STRIDE = 12
MIN_UNIT_WORDS = 4
MIN_NOTE_WORDS = (
    2  # a terse note under a heading ("Ops" / "- retrain daily") is read with the heading
)
HEADING_WORDS = 6
HEADING_CHARS = 160  # longer lines are never headings; also keeps the heading regex linear
CONTEXT_MAX_WORDS = (
    12  # notes this short (a line of their own) are embedded with their section heading in front
)
WRAP_WORDS = 8  # a line this long that stops mid-sentence was wrapped (a caption cue, a hard wrap)

_LINE = re.compile(r"[^\n]+")
_BLOCK = re.compile(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*")
_MARKER = re.compile(r"^\s*(?:[-*+•>]|\d{1,3}[.)]|#{1,6})\s+")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])\s")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+(?P<md>[^\n]+?)|(?P<colon>[^\s.!?:][^\n.!?:]*):)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# a section's number, then its title: "4.1 Baseline", "1.2. Goals" (not a list's "3. Data")
_SECTION = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})+[.)]?\s+(?P<title>\S.*)$")
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,})\s*$")  # a setext heading's rule: "=====", "-----"
# a word broken at a line's end by a hyphen ("recom-" / "mendation"), as text copied from a PDF is
_LINE_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")
_RULE_CELL = re.compile(r":?-{3,}:?")  # a cell of a table's header rule: "---", ":---:"
_LABEL = re.compile(r"^\s*[^\s:]+(?:\s+[^\s:]+){0,2}:(?:\s|$)")  # a note's lead: "goal: ..."
# abbreviations whose full stop ends no sentence ("features incl. watch history"); a title or
# "No." only with its capital: "a budget of 40 ms. We monitor ..." is two sentences
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|a\.k\.a|w\.r\.t|etc|vs|approx|incl|excl|esp|avg|est|resp|cf|et\s+al|fig"
    r"|(?-i:Mr|Ms|Mrs|Dr|No))\.)$",
    re.IGNORECASE,
)
_ABBREV_TAIL = 12  # longer than the longest abbreviation above, with its boundary
_WORD = re.compile(r"\S+")
_WORD_RUN = re.compile(r"\w+")
_FILLERS = re.compile(
    r"\b(?:uh-huh|mm-hmm|u+m+|u+h+|e+r+m*|e+h+|a+h+|hmm+|mm+|you know|i mean|sort of|kind of|like i said|so yeah|okay so|right so)\b[,.]?\s*",
    re.IGNORECASE,
)
# a list item's marker, with the box of a task list ("- [x] Latency: ...", "[ ] drift") as part of it
_MARKUP = re.compile(
    r":?-{3,}:?|[*_`#>|]+|(?:^|(?<=\n))[ \t]*(?:(?:[-+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?|\[[ xX]\]\s+)"
)
# what a page pasted from the web wraps words in: HTML tags and comments, a link's or an image's
# address (its text stays: "[our earlier post](https://...)" reads "our earlier post"), bare
# addresses. Tags are HTML's own names with attributes that have values, so that "a<b and c>d"
# stays as written.
_HTML_TAGS = (
    "a|abbr|b|blockquote|br|caption|cite|code|col|colgroup|dd|del|details|div|dl|dt|em|figcaption|"
    "figure|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|q|s|section|small|span|strong|sub|"
    "summary|sup|table|tbody|td|tfoot|th|thead|tr|u|ul"
)
_WEB_MARKUP = re.compile(
    r"<!--.*?-->"  # a comment
    rf"|</?(?:{_HTML_TAGS})(?:\s+(?:open|[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)))*\s*/?>"
    r"|!?\[([^\]\n]*)\]\((?=[^()\s]*[/.#])[^()\s]+(?:\s+\"[^\"\n]*\")?\)"  # link, image
    r"|\b(?:https?://|www\.)[^\s<>()\[\]]+",  # an address
    re.IGNORECASE,
)
# stuttered words and restarted phrases ("the the", "I would, I would"), and cut-off words ("recomm- ")
_REPEAT = re.compile(r"\b(\w+(?:\s+\w+){0,2})(?:[\s,-]+\1\b)+", re.IGNORECASE)
_CUT_OFF = re.compile(r"\b\w+-\s+(?=\w)")


@dataclass(frozen=True)
class Unit:
    """A span of the answer: text == answer[start:end]; `clean` is what gets embedded."""

    start: int
    end: int
    text: str
    clean: str
    words: int
    is_window: bool = False
    block: str = ""  # the paragraph or list the unit was cut from
    heading: str = ""  # the title of the section the unit is in
    # a window's sentences, as (start, end, how many of their words it holds), the span being the
    # unit that reads the sentence: a window of whole sentences' ends is read from theirs
    # (`Grader.unit_vectors`)
    parts: tuple[tuple[int, int, int], ...] = ()
    # the answer's title written without markup (`_plain_title`): it says what the answer is about,
    # and nothing of how; read for the answer's topic, never as evidence
    title: bool = False
    # the title of the markdown section ("## Data and labels") a sentence, bullet or row is in,
    # also when a label inside it ("**Sources:**") is its `heading`
    section: str = ""


@dataclass(frozen=True)
class _Shorthand:
    """The shorthand table (shorthand.yaml) as two patterns: words, and units after a number.
    `leads` are the words a shorthand word starts with ("w" for "w/o"); None when some entry does
    not start with a plain ASCII word, and every text is then searched."""

    words: re.Pattern
    word_of: dict[str, str]
    units: re.Pattern
    unit_of: dict[str, str]
    leads: frozenset[str] | None


@lru_cache(maxsize=1)
def _shorthand() -> _Shorthand:
    # libyaml's loader when PyYAML has it: the same table, in a tenth of the time (12 -> 1.5 ms of
    # a cold grade)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    table = yaml.load(SHORTHAND_FILE.read_text(encoding="utf-8"), Loader=loader)  # a safe loader
    words = {k.lower(): v for k, v in table["words"].items()}
    units = dict(table["units"])
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    unit_alts = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    heads = [_WORD_RUN.match(w) for w in words]
    return _Shorthand(
        # whole words: none runs on into a word or a decimal ("y=1" is no part of "y=1.5")
        re.compile(rf"(?<!\w)(?:{alts})(?!\w|\.\d)", re.IGNORECASE),
        words,
        re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s?({unit_alts})(?!\w)"),
        units,
        frozenset(h.group(0) for h in heads)
        if all(h and w.isascii() for h, w in zip(heads, words))
        else None,
    )


def expand_shorthand(text: str) -> str:
    """Shorthand read as the words it stands for ("feats" -> "features", "24h" -> "24 hours")."""
    table = _shorthand()
    text = table.units.sub(lambda m: f"{m.group(1)} {table.unit_of[m.group(2)]}", text)
    # the words pattern matches only where a whole word (in ASCII, case folds as `lower` does) is
    # the first word of an entry; a text with none of those is not searched (a third of the cost
    # of reading a unit)
    if table.leads is not None and text.isascii():
        if table.leads.isdisjoint(_WORD_RUN.findall(text.lower())):
            return text
    return table.words.sub(lambda m: table.word_of[m.group(0).lower()], text)


def _rejoined(m: re.Match) -> str:
    """A word a line break cut at a hyphen, joined again: without the hyphen when it broke a word
    ("recom-" / "mendation", "geoloca-" / "tion": the joined word is English, or its first part is
    not), with it when it joins two words ("two-" / "tower", "less-" / "biased")."""
    before = re.search(r"[A-Za-z]*$", m.string[: m.start()]).group(0)
    after = re.match(r"[a-z]*", m.string[m.end() :]).group(0)
    joined = (before + after).lower()
    return "" if english_word(joined) or not english_word(before.lower()) else "-"


def without_markup(text: str) -> str:
    """Text without its web markup (tags, comments, link and image addresses; entities read) and
    Markdown's (emphasis, headings, list and task markers, table pipes)."""
    if "<" in text or "](" in text or "://" in text or "www." in text:
        text = _WEB_MARKUP.sub(lambda m: f" {m.group(1) or ''} ", text)
    if "&" in text:
        text = html.unescape(text)  # "&amp;", "&nbsp;" pasted from a page
    if "\n" in text:
        text = _LINE_HYPHEN.sub(_rejoined, text)  # "geoloca-" / "tion" reads "geolocation"
    return _MARKUP.sub(" ", text)


def clean_text(text: str) -> str:
    """Text for embedding: typographic quotes straightened, markup, fillers and stuttered repeats
    removed, shorthand expanded, spaces collapsed."""
    text = without_markup(straightened(text))
    text, fillers = _FILLERS.subn(" ", text)
    if fillers:  # removing one filler can bring two together ("um, uh"): read once more
        text = _FILLERS.sub(" ", text)
    text = _CUT_OFF.sub("", text)
    if _may_repeat(text):
        text = _REPEAT.sub(r"\1", text)
    return " ".join(expand_shorthand(text).split())


def _may_repeat(text: str) -> bool:
    """Whether `_REPEAT` can match: a phrase of one to three words said again right after it has
    a word equal to the one one, two or three words on. In ASCII, where the pattern's case folding
    is `lower`'s, most sentences have none and are not searched (4 of the 11 ms of reading a
    1,500-word answer's units); any other text is."""
    if not text.isascii():
        return True
    words = _WORD_RUN.findall(text.lower())
    return any(any(map(str.__eq__, words, words[k:])) for k in (1, 2, 3))


def abbreviated(text: str, end: int, start: int = 0) -> bool:
    """Whether text[start:end] ends with an abbreviation's full stop ("incl."), which ends no
    sentence. Only the tail is searched (abbreviations are short): searching the whole sentence at
    each stop is quadratic on text such as 'e.g. e.g. e.g. ...'."""
    return _ABBREV.search(text, max(start, end - _ABBREV_TAIL), end) is not None


def _sentences(line: str, offset: int) -> list[tuple[int, int]]:
    """A line's sentences, as spans. An opening sentence too short to be read alone (under
    MIN_UNIT_WORDS words after the line's list marker), such as a run-in label ("Constraints. The
    feed must render in 200 ms"), is read with the sentence after it, as it is when set in bold
    ("**Constraints.** The feed ..."): the bold alone moved components by up to 10 points, and
    "We retrain daily." opening a line was dropped as too short. At most MIN_UNIT_WORDS sentences
    are joined so (each adds a word)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(line):
        if abbreviated(line, m.start(), start):
            continue
        spans.append((offset + start, offset + m.start()))
        start = m.end()
    spans.append((offset + start, offset + len(line)))
    marker = _MARKER.match(line)  # "1. Cold start. New users ...": the number is no sentence
    after = marker.end() if marker else 0
    while len(spans) > 1 and line[: spans[0][1] - offset].endswith("."):
        if len(_WORD.findall(line, after, max(after, spans[0][1] - offset))) >= MIN_UNIT_WORDS:
            break
        spans[:2] = [(spans[0][0], spans[1][1])]
    return spans


def _indent(line: str) -> int:
    """How far a line is indented (a tab as four spaces)."""
    return len(line[: len(line) - len(line.lstrip(" \t"))].expandtabs(4))


def _heading(line: str, next_line: str | None) -> str | None:
    """The title of a heading line: a markdown heading (also one underlined with "===" or "---"),
    a short line ending in a colon, a short line without end punctuation that introduces a list,
    or a numbered section title (`_numbered_title`)."""
    if len(line) > HEADING_CHARS:
        return None
    m = _HEADING.match(line)
    title = (m.group("md") or m.group("colon")) if m else None
    unpunctuated = not line.rstrip().endswith((".", "!", "?", ",", ";"))
    if title is None and unpunctuated and next_line is not None:
        if _UNDERLINE.match(next_line) or (_MARKER.match(next_line) and not _MARKER.match(line)):
            title = line
    if title is None and unpunctuated:
        title = _numbered_title(line)
    title = clean_text(title or "")
    return title if title and len(title.split()) <= HEADING_WORDS else None


# A heading written without markup, as a PDF's text layer or a plain-text file gives it:
# "Requirements" on a line of its own, then a paragraph. Read as "## Requirements" is, when the
# answer is laid out so at least twice (a lone short line may be anything).
PLAIN_HEADINGS_MIN = 2
PARAGRAPH_WORDS = 12  # a line this long after a short one: the short one heads it
_PLAIN_HEADING = re.compile(r"^[ \t]*[A-Z0-9][^\n.!?,;:|]*$")
_PARAGRAPH_END = re.compile(r"[.!?:][\"')\]\u201d\u2019]*[ \t]*$")  # a line ending a paragraph


def _plain_headings(answer: str) -> set[int]:
    """Where the answer's headings without markup start: a line of HEADING_WORDS words or fewer,
    capitalised, with no end punctuation, not a list item nor a table row, at the answer's start,
    after a blank line or after a line ending a paragraph, with a paragraph line (PARAGRAPH_WORDS
    words or more) next, right under it or after blank lines; none unless PLAIN_HEADINGS_MIN of
    them differ."""
    lines, at = [], 0
    for line in answer.split("\n"):
        lines.append((at, line))
        at += len(line) + 1
    following, ahead = [""] * len(lines), ""  # each line's next non-blank line (one pass back)
    for k in range(len(lines) - 1, -1, -1):
        following[k] = ahead
        if lines[k][1].strip():
            ahead = lines[k][1]
    found: dict[int, str] = {}  # where each starts: its words
    for k, (at, line) in enumerate(lines):
        before, after = lines[k - 1][1] if k else "", following[k]
        if (
            (not before.strip() or _PARAGRAPH_END.search(before))
            and len(line) <= HEADING_CHARS
            and _PLAIN_HEADING.match(line)
            and not _MARKER.match(line)
            and len(line.split()) <= HEADING_WORDS
            and len(after.split()) >= PARAGRAPH_WORDS
            and not _MARKER.match(after)
            and not after.lstrip().startswith("|")
        ):
            found[at] = " ".join(line.split()).lower()
    # distinct ones: an answer pasted twice has its title twice, and no more structure than once
    return set(found) if len(set(found.values())) >= PLAIN_HEADINGS_MIN else set()


def _sectioning(line: str, next_line: str | None) -> bool:
    """Whether a heading line is a markdown section's ("## Data", or underlined with "==="), not
    a label inside one ("**Sources:**", "Constraints:", a line introducing a list)."""
    m = _HEADING.match(line)
    if m is not None and m.group("md"):
        return True
    return next_line is not None and _UNDERLINE.match(next_line) is not None


_MD_LEVEL = re.compile(r"^[ \t]*(#{1,6})[ \t]+\S", re.M)


def _title_line(answer: str) -> int | None:
    """Where the answer's title starts: a markdown heading on its first line that no later
    heading of the same or a higher level follows, and that is either of the first level or over
    deeper headings ("# Real-time bidding model" over notes, or over "##" sections). A title
    restates the question: it is no section, and notes under it are not read with it in front
    ("Real-time bidding model: Monitoring: we check the AUC monthly" named the latency budget). A
    lone "## Features" over a table is the answer's one section. None when there is no title."""
    first = re.search(r"\S", answer)
    if first is None:
        return None
    # a "#" line inside a fenced code block is a comment, not a heading
    prose = without_fenced_code(answer)

    def line(start: int) -> str:
        end = prose.find("\n", start)
        return " ".join(prose[start : end if end >= 0 else len(prose)].split())

    # a "#" line longer than any heading is a paragraph pasted after its "#" (an answer pasted
    # again on fewer lines), not a heading
    levels = [
        (m.start(1), len(m.group(1)))
        for m in _MD_LEVEL.finditer(prose)
        if len(line(m.start(1))) <= HEADING_CHARS
    ]
    if not levels or answer.count("\n", 0, first.start()) != answer.count("\n", 0, levels[0][0]):
        return None  # the first line is no markdown heading
    at, level = levels[0]

    # the title said again (the answer pasted twice) is no other section: the first copy is read
    # as it was alone
    if any(n <= level and line(s) != line(at) for s, n in levels[1:]):
        return None  # a section among sections of its level
    if level > 1 and len(levels) == 1:
        return None  # the answer's one section
    return answer.rfind("\n", 0, at) + 1


def _plain_title(answer: str) -> int | None:
    """Where the answer's title starts when it is written without markup: a first paragraph of one
    short line (HEADING_WORDS words or fewer) with no end punctuation, with more after it ("Job
    feed ranking - quick notes"). It restates the question: quoted as the evidence of what the
    model predicts, it said nothing; it heads no section. None when there is none."""
    first = _BLOCK.search(answer)
    if first is None or "\n" in first.group() or first.end() == len(answer.rstrip()):
        return None
    line = first.group().strip()
    if line.endswith((".", "!", "?", ",", ";", ":")) or _MARKER.match(first.group()):
        return None
    return first.start() if len(_WORD.findall(line)) <= HEADING_WORDS else None


def _numbered_title(line: str) -> str | None:
    """The title of a numbered section heading without its number: a section's own number ("4.1
    Baseline", "1.2. Goals", from a PDF or a document's outline) heads what follows it. A list's
    number ("8. Cold start" over its bullets) does not: read as a heading, such lines pulled their
    sentences away from the component they name (measured: evals/README.md)."""
    m = _SECTION.match(line)
    return m.group("title") if m is not None else None


# words no sentence ends on: a line stopping on one is cut mid-sentence ("There is no" / "A/B
# test; instead ...")
_RUN_ON_WORDS = frozenset(
    """a an the no every each this these those our their its my your his her of to at by for with
    within from into onto between against across per via than and or but nor because whereas
    unless whose is are was were be been will would can could should must may might not""".split()
)
_LAST_WORD = re.compile(r"([A-Za-z]+)\W*$")


# A text hard-wrapped at a fixed width (by an editor, `fmt`, an email client, a PDF's text
# layer): each line of a paragraph holds as many words as fit, so the next line's first word would
# not have fitted on it. Read so when that holds at one width for WRAP_SHARE of its line breaks
# inside paragraphs, WRAP_MIN_BREAKS of them at least.
WRAP_WIDTHS = range(30, 121)
WRAP_SHARE = 0.8
WRAP_MIN_BREAKS = 6


def wrap_width(answer: str) -> int | None:
    """The width the answer's paragraphs were hard-wrapped at, or None when they were not: the
    width at which most line breaks inside a paragraph or list item (not before an item, a
    heading, a table row or a code line) came where the next word would not have fitted."""
    lines = without_fenced_code(answer).split("\n")
    breaks = [
        b
        for line, nxt in zip(lines, lines[1:])
        if line.strip() and not line.lstrip().startswith("#") and (b := _break(line, nxt))
    ]
    if len(breaks) < WRAP_MIN_BREAKS:
        return None
    fits = {w: sum(lo <= w < hi for lo, hi in breaks) for w in WRAP_WIDTHS}
    width = max(WRAP_WIDTHS, key=lambda w: (fits[w], -w))
    return width if fits[width] >= max(WRAP_MIN_BREAKS, WRAP_SHARE * len(breaks)) else None


def _break(line: str, next_line: str) -> tuple[int, int] | None:
    """A line break inside a paragraph or list item (not before an item, a heading or a table
    row, nor after a row) as (the line's length, its length were the next word on it); None for
    any other."""
    if (
        not next_line.strip()
        or line.lstrip().startswith("|")
        or next_line.lstrip().startswith(("|", "#"))
        or _MARKER.match(next_line) is not None
    ):
        return None
    length = len(line.rstrip())
    return length, length + 1 + len(next_line.split(None, 1)[0])


def runs_on(
    line: str, next_line: str, min_words: int = WRAP_WORDS, width: int | None = None
) -> bool:
    """Whether a line runs on into the next one: a sentence cut by a line break, as speech
    recognition and caption files cut at every timed cue, and hard-wrapped text at a fixed width.
    The line is long (`min_words`; a sentence's first words on a line it shares with the sentence
    before, as a quote holds them, are read with 0), stops without ending its sentence, and the
    next line goes on with the
    sentence (it starts in lower case or with a figure, "5% of length", or the line stopped at a
    comma or on a word no sentence ends on, "There is no" / "A/B test") rather than starting an
    item, a heading, a table row or a note of its own ("model: ..."). A word broken by a hyphen at
    the line's end ("recom-" / "mendation") runs on whatever the line's length."""
    if width is not None and (b := _break(line, next_line)) and b[1] > width:
        return True  # a hard-wrapped text's full line: its paragraph goes on (`wrap_width`)
    line, nxt = line.strip(), next_line.strip()
    if line.endswith("-") and _LINE_HYPHEN.search(f"{line}\n{nxt}", len(line) - 1):
        return True
    return (
        len(_WORD.findall(line)) >= min_words
        and not line.endswith((".", "!", "?", ":", ";"))
        and not line.startswith("|")
        and not nxt.startswith("|")
        and _MARKER.match(next_line) is None
        and _LABEL.match(nxt) is None
        and (nxt[:1].islower() or nxt[:1].isdigit() or line.endswith(",") or _stops_mid(line))
    )


def _stops_mid(line: str) -> bool:
    """Whether a line stops on a word no sentence ends on (`_RUN_ON_WORDS`)."""
    last = _LAST_WORD.search(line)
    return last is not None and last.group(1).lower() in _RUN_ON_WORDS


def _runs(block: str, width: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each run of a block's lines that reads as one stretch of text: a line of
    its own, or lines that continue one another (`runs_on`; `width`: the answer's `wrap_width`)."""
    runs: list[list[int]] = []
    lines = list(_LINE.finditer(block))
    for k, line in enumerate(lines):
        if k and runs_on(lines[k - 1].group(), line.group(), width=width):
            runs[-1][1] = line.end()
        else:
            runs.append([line.start(), line.end()])
    return [(s, e) for s, e in runs]


def table_rule(line: str) -> bool:
    """Whether a line is the rule under a markdown table's header ("|---|:---:|"). Cell by cell, not
    one regex: runs of blanks between optional parts made a regex's failures quadratic."""
    cells = line.strip().strip("|").split("|")
    return bool(line.strip()) and all(_RULE_CELL.fullmatch(c.strip()) for c in cells)


def _cells(row: str) -> list[str]:
    """The cells of a markdown table row, cleaned."""
    return [clean_text(c) for c in row.strip().strip("|").split("|")]


def _row_text(columns: list[str], row: str) -> str:
    """A table row read with its header ("Signal: velocity; Window: 24 hours"): a row's cells
    lean on their column names for their meaning, as a terse note leans on its heading."""
    pairs = zip_longest(columns, _cells(row), fillvalue="")  # a cell past the header keeps its text
    return "; ".join(f"{h}: {c}" if h and h != c else c for h, c in pairs if c)


def _trim(answer: str, start: int, end: int) -> tuple[int, int]:
    piece = answer[start:end]
    lead = len(piece) - len(piece.lstrip())
    marker = _MARKER.match(piece[lead:])
    if marker:
        lead += marker.end()
    return start + lead, start + len(piece.rstrip())


def _windows(answer: str, start: int, end: int) -> list[tuple[int, int]]:
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(answer[start:end])]
    out = []
    for i in range(0, max(1, len(words) - WINDOW_STRIDE), WINDOW_STRIDE):
        chunk = words[i : i + WINDOW_WORDS]
        out.append((chunk[0][0], chunk[-1][1]))
    return out


def _between(
    start: int, end: int, cuts: list[tuple[int, int, str]], above: str | None
) -> list[tuple[int, int, str | None]]:
    """The stretches of [start, end) outside the sorted, disjoint heading lines `cuts`, each with
    the heading it sits under (`above` before the first)."""
    out, at, title = [], start, above
    for s, e, name in cuts:
        if s > at:
            out.append((at, s, title))
        at, title = max(at, e), name
    if end > at:
        out.append((at, end, title))
    return out


def _parts(
    answer: str, spans: list[tuple[int, int]], canon: dict, start: int, end: int
) -> tuple[tuple[int, int, int], ...]:
    """The sentences (`spans`: sorted, disjoint) a window overlaps, as the span of the unit that
    reads each (`canon`: the first place a repeated sentence appears) and how many of its words
    fall inside the window."""
    first = max(0, bisect_right(spans, (start, start)) - 1)
    return tuple(
        (*canon[s, e], len(_WORD.findall(answer[max(s, start) : min(e, end)])))
        for s, e in spans[first : bisect_left(spans, (end, end))]
        if start < e
    )


def _title_unit(answer: str, start: int, end: int, seen: set[str]) -> list[Unit]:
    """The answer's title as a unit of its own (`Unit.title`: read for its topic, never as
    evidence), or none when it is too short to read."""
    s, e = _trim(answer, start, end)
    text = answer[s:e]
    if len(_WORD_RUN.findall(text)) < MIN_UNIT_WORDS:
        return []
    seen.add(text)
    return [Unit(s, e, text, clean_text(text), len(_WORD.findall(text)), block=text, title=True)]


# Captions exported as text put a blank line after every cue: paragraphs of a dozen words, most of
# them stopping mid-sentence. Such a text's blank lines inside a sentence are no paragraph breaks
# when CAPTION_BREAKS of them at least, and CAPTION_SHARE of all its blank-line breaks, are so.
CAPTION_BREAKS = 4
CAPTION_SHARE = 0.6
CAPTION_WORDS = 20  # a caption's words at most (a spoken paragraph runs on for many more)
_GAP = re.compile(r"\n[ \t]*\n\s*")


def caption_gaps(answer: str) -> list[int]:
    """Where a text laid out as captions (`CAPTION_BREAKS`) has a blank line inside a sentence:
    the start of each such gap (its first line break), where the paragraph before it is one line
    of at most CAPTION_WORDS words, no list item, that runs on (`runs_on`) into the one after, no
    heading; none for any other text (an unpunctuated spoken answer's paragraphs are long, and
    each its own)."""
    gaps, breaks = [], 0
    for m in _GAP.finditer(answer):
        before = answer[answer.rfind("\n", 0, m.start()) + 1 : m.start()]
        after_end = answer.find("\n", m.end())
        after = answer[m.end() : after_end if after_end >= 0 else len(answer)]
        if not before.strip() or not after.strip():
            continue
        breaks += 1
        if (
            MIN_UNIT_WORDS <= len(before.split()) <= CAPTION_WORDS
            and len(after.split()) >= MIN_UNIT_WORDS  # no heading ("data") over a list
            and _MARKER.match(before) is None  # no list's item
            and runs_on(before, after, 1)
        ):
            gaps.append(m.start())
    return gaps if len(gaps) >= CAPTION_BREAKS and len(gaps) >= CAPTION_SHARE * breaks else []


def segment(answer: str) -> list[Unit]:
    """`_segment` of the answer, its caption-like blank lines inside sentences read as line
    breaks (`caption_gaps`: the same words cut every 14 words by blank lines had read 47 against
    77); each unit's text is the answer's own."""
    gaps = caption_gaps(answer)
    if not gaps:
        return _segment(answer)
    bridged = list(answer)
    for at in gaps:
        bridged[at] = " "  # "\n\n" -> " \n": one block, its lines read as any lines are
    units = _segment("".join(bridged))
    return [dataclasses.replace(u, text=answer[u.start : u.end]) for u in units]


def _segment(answer: str) -> list[Unit]:
    """Sentence and bullet units, plus overlapping word windows over every paragraph longer than a
    window, so that punctuated and unpunctuated renderings of the same text get similar units.
    A terse note (a short line of its own under a heading) is embedded with the heading in front
    ("Monitoring: PSI weekly"), since such notes lean on their heading for their topic; sentences
    of a paragraph carry their own. A note or a list item is a unit from MIN_NOTE_WORDS words; a
    sentence from MIN_UNIT_WORDS. A table row is read with its header (`_row_text`), and a
    sentence cut by line breaks is read whole (`_runs`). Each unit records its section heading.
    A passage repeated word for word is read once, where it first appears."""
    units: list[Unit] = []
    title_at = _title_line(answer)  # the answer's own title heads no section
    plain_title = _plain_title(answer)  # nor is a title without markup a sentence of it
    plain = _plain_headings(answer)  # sections headed without markup, as "##" heads them
    width = wrap_width(answer)  # a hard-wrapped text's paragraphs run on across its lines
    if plain_title in plain:  # the first of them, not the answer's title
        plain_title = None
    seen: set[str] = set()  # a passage said twice is read once, where it first appears
    first: dict[str, tuple[int, int]] = {}  # a sentence's text: the span of the unit reading it
    heading: str | None = None
    section: str | None = None  # the title of the markdown section the text is in
    # list items that head the items nested under them ("- features:"): (the item's indent, the
    # heading in force before it), innermost last
    scopes: list[tuple[int, str | None]] = []
    for block in _BLOCK.finditer(answer):
        if block.start() == plain_title:
            units += _title_unit(answer, block.start(), block.end(), seen)
            continue
        spans: dict[tuple[int, int], tuple[int, int]] = {}  # each sentence's: its reader's span
        whole = block.group()  # one string shared by the block's units
        runs = _runs(whole, width)
        lines = [whole[s:e] for s, e in runs]
        starts = [s for s, _ in runs]
        columns: list[str] | None = None  # the header of the table being read
        # the block's heading lines (no window reads them) and the heading each one starts
        titles: list[tuple[int, int, str]] = []
        above = heading  # the heading in force where the block starts
        for k, line in enumerate(lines):
            following = lines[k + 1] if k + 1 < len(lines) else None
            if line.lstrip().startswith("|") and following and table_rule(following):
                columns = _cells(line)  # a header names columns; it says nothing itself
                continue
            if table_rule(line):
                continue
            if columns is not None and not line.lstrip().startswith("|"):
                columns = None
            at = block.start() + starts[k]
            indent = _indent(line)
            if scopes and indent <= scopes[-1][0]:  # past the items a list item headed
                while scopes and indent <= scopes[-1][0]:
                    heading = scopes.pop()[1]
                titles.append((at, at, heading or ""))
            if k and columns is None and _LABEL.match(line) and not _LIST_ITEM.match(line):
                # a note that opens with its label ("Data: ...") starts a stretch of its own, as
                # it does after a blank line: no window joins it to the note before (a PDF's text,
                # or a form's, loses the blank lines: the same notes had read 43 and 58)
                titles.append((at, at, heading or ""))
            title = _heading(line, following)
            if title is None and at in plain:
                title = clean_text(line) or None
            if title is None and at == title_at and len(line) <= HEADING_CHARS:
                # a title of more words than a heading has ("# Ranking Answers Under Each
                # Question (Community Q&A Site)") is still the title; a longer run (the title's
                # line read on with text under it) is read as its sentences
                units += _title_unit(answer, at, at + len(line), seen)
                titles.append((at, at + len(line), ""))
                continue
            if title is not None:
                sectioning = _sectioning(line, following)
                # an underlined numbered title ("6. Serving" over "----") heads a section, as
                # "## 6. Serving" does, not only the items under it
                if _LIST_ITEM.match(line) and not sectioning:
                    scopes.append((indent, heading))
                else:  # a section's heading ends every list item's
                    scopes.clear()
                heading = title if at != title_at else None
                if at == title_at or at in plain or sectioning:
                    section = heading
                titles.append((at, at + len(line), heading or ""))
                continue
            row = columns is not None
            sentences = (
                [(block.start() + starts[k], block.start() + starts[k] + len(line))]
                if row  # a row is read whole, with its header
                else _sentences(line, block.start() + starts[k])
            )
            # a line of its own under a heading, or a list item, is a note: two words say
            # something there ("- model: LSTM"), where a sentence that short says nothing ("Um,
            # scale.", "Me: Yes, exactly.")
            note = len(sentences) == 1 and (heading is not None or bool(_LIST_ITEM.match(line)))
            for s, e in sentences:
                s, e = _trim(answer, s, e)
                text = answer[s:e]
                n_words = len(_WORD.findall(text))
                # "·" and "->" are no words (a table row keeps its cells' count: terse by nature)
                said = n_words if text.startswith("|") else len(_WORD_RUN.findall(text))
                if e <= s or said < (MIN_NOTE_WORDS if note else MIN_UNIT_WORDS):
                    continue
                spans[s, e] = first.setdefault(text, (s, e))
                if text in seen:
                    continue
                seen.add(text)
                clean = _row_text(columns, text) if row else clean_text(text)
                if note and heading is not None and n_words <= CONTEXT_MAX_WORDS:
                    clean = f"{heading}: {clean}"
                units.append(
                    Unit(
                        s,
                        e,
                        text,
                        clean,
                        n_words,
                        block=whole,
                        heading=heading or "",
                        section=section or "",
                    )
                )
        ordered = sorted(spans)
        for ps, pe, title in _between(block.start(), block.end(), titles, above):
            if len(_WORD.findall(answer, ps, pe)) <= WINDOW_WORDS:
                continue
            for ws, we in _windows(answer, ps, pe):
                ws, we = _trim(answer, ws, we)
                piece = answer[ws:we]
                if (ws, we) not in spans and piece not in seen:
                    seen.add(piece)
                    n_words = len(_WORD.findall(piece))
                    units.append(
                        Unit(
                            ws,
                            we,
                            piece,
                            clean_text(piece),
                            n_words,
                            True,
                            whole,
                            title or "",
                            _parts(answer, ordered, spans, ws, we),
                        )  # fmt: skip
                    )
    return [u for u in units if u.clean]


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def count_said_words(text: str) -> int:
    """`count_words` of text whose lines' list markers ("2. ", "- ", "> ") are no words."""
    return sum(count_words(_MARKER.sub(" ", line, count=1)) for line in text.splitlines())


def count_fillers(text: str) -> int:
    """Filler words and phrases ("um", "uh", "you know", ...) in spoken text."""
    return len(_FILLERS.findall(text))
