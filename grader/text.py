"""Small text helpers shared by every stage: words, one-line messages, blanking, secret scrubbing."""

from __future__ import annotations

import functools
import os
import re
import threading
import unicodedata
from collections.abc import Iterable

import snowballstemmer
from pydantic import ValidationError

_NON_WORD = re.compile(r"[^a-z0-9]+")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9\-']*[a-z0-9]|[a-z0-9]")
STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each either few for from further had
    has have having he her here hers him his how i if in into is it its itself just let like me more
    most my no nor not now of off on once only or other our ours out over own same she should so some
    such than that the their them then there these they this those through to too under until up us
    very was we were what when where which while who whom why will with would you your yours yeah
    okay ok um uh really basically actually thing things stuff maybe probably going gonna want need
    think know mean sure well lot lots get got make use using used one two way ways good important""".split()
)


# typographic quotes read as the typewriter's: a phone or a word processor curls "don't" and
# "the user's", and the same answer typed either way read differently (34 against 36)
_TYPEWRITER = str.maketrans(
    {q: "'" for q in "\u2018\u2019\u201b\u2032"} | {q: '"' for q in "\u201c\u201d\u201e"}
)


def straightened(text: str) -> str:
    """`text` with typographic quotes and apostrophes as straight ones (the same length)."""
    return text.translate(_TYPEWRITER)


def as_said(question: str) -> str:
    """A question's words as said: case, spacing, typographic quotes and its final stop aside."""
    return " ".join(straightened(question).lower().rstrip(" .?!").split())


def content_tokens(text: str) -> set[str]:
    """Lowercase content words of at least three characters (a curly apostrophe read as straight)."""
    return {
        t for t in _TOKEN.findall(straightened(text).lower()) if len(t) >= 3 and t not in STOPWORDS
    }


_LOCAL = threading.local()  # a snowball stemmer keeps per-word state: one per thread


@functools.lru_cache(maxsize=16384)
def terms(text: str) -> frozenset[str]:
    """Stemmed content words of a text ("retrained daily" -> {"retrain", "daili"}); cached, since
    cues, quotes and units are read again and again."""
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return frozenset(stemmer.stemWords(sorted(content_tokens(text))))


@functools.lru_cache(maxsize=8192)
def plain_words(text: str) -> str:
    """Lowercase letters and digits, every other run of characters one space: 'A/B-test',
    'a/b test' and 'a b test' read the same."""
    return _NON_WORD.sub(" ", text.lower()).strip()


# Markdown a quote is shown without: paired emphasis and code marks ("**Labels:**", "`LightGBM`")
# and a table row's outer pipes; a lone "*" or "_" ("scale_pos_weight", "5 * 3") stays
_PAIRED_MARKS = re.compile(r"(\*\*|__|`)(?=\S)(.+?)(?<=\S)\1")
_ROW_ENDS = re.compile(r"^\s*\|\s*|\s*\|\s*$")


def as_read(quote: str) -> str:
    """A quote of an answer as its reader sees it rendered: "**Labels:** from outcomes" reads
    "Labels: from outcomes", "| PR-AUC | 0.41 |" reads "PR-AUC | 0.41"."""
    if "|" in quote:
        quote = _ROW_ENDS.sub("", quote)
    if "*" in quote or "_" in quote or "`" in quote:
        quote = _PAIRED_MARKS.sub(r"\2", quote)
    return quote


def quantity(n: int, noun: str) -> str:
    """A count and its noun, singular for one: '1 word', '2 words', '1,500 words'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# a terminal's escape sequences (colour, cursor moves, a window title) and the other control
# characters a typed line can carry (a question pasted from a terminal): they hold no words, and
# printed back they would act on the reader's terminal
_CONTROLS = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_]?)"
    r"|\x9b[0-?]*[ -/]*[@-~]?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def printable(text: str) -> str:
    """`text` without terminal escape sequences and control characters (tab, line feed and
    carriage return kept)."""
    return _CONTROLS.sub("", text)


def english_word(word: str) -> bool:
    """Whether a lowercase word is in an English dictionary of 160,000 words (pyspellchecker's,
    loaded on first use)."""
    return word in _dictionary()


@functools.cache
def _dictionary():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.dictionary


def unaccented(text: str) -> str:
    """`text` with its letters' accents dropped and compatibility forms read as plain ones
    ("résumé" as "resume", full-width "ＡＩ" as "AI"): how a question's words are looked up."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in folded if not unicodedata.combining(c)))


def shorten(text: str, limit: int = 160) -> str:
    """Printable (`printable`), whitespace collapsed and at most `limit` characters: a longer text
    is cut after its last whole word that fits (mid-word only when that would drop over half of
    it), "…" marking the cut."""
    text = " ".join(printable(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and cut.rfind(" ") >= limit // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def display_name(path) -> str:
    """A file name that can be printed, whatever bytes it holds (non-UTF-8 bytes become U+FFFD)."""
    return os.fsencode(str(path)).decode("utf-8", "replace")


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of an exception's message (its type's name when it has none), at most `limit` chars."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]


def validation_problems(exc: ValidationError, empty: str = "(value)") -> list[tuple[str, str]]:
    """Every problem of a pydantic error: its field path and its message (a validator's own,
    without pydantic's "Value error, " before it)."""
    return [
        (".".join(str(p) for p in e["loc"]) or empty, e["msg"].removeprefix("Value error, "))
        for e in exc.errors()
    ]


def validation_parts(exc: ValidationError, empty: str = "(value)") -> tuple[str, str]:
    """A pydantic error's first field path and its message ("and N more problems" when there are
    more)."""
    where, msg = validation_problems(exc, empty)[0]
    extra = exc.error_count() - 1
    more = f" (and {quantity(extra, 'more problem')})" if extra else ""
    return where, f"{msg}{more}"


def validation_line(exc: ValidationError) -> str:
    """A pydantic error as one line: "field.path: message (and N more problems)"."""
    return ": ".join(validation_parts(exc))


# a list's item, or a line opening a list ("Features:"), with a blank line before the next item:
# a web page's or a Word file's list as converted, Markdown's "loose" list
_LOOSE_ITEM = re.compile(
    r"^(?P<line>[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t][^\n]*|[^\n]*:[ \t]*)\n[ \t]*\n"
    r"(?=[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t])",
    re.MULTILINE,
)


def tight_lists(text: str) -> str:
    """`text` with its lists' items one under another, and under the line opening them, as a
    Markdown answer writes them: a page or a document converted with a blank line between them
    had been read otherwise (the same answer 52 as text, 48 as a web page or a Word file)."""
    return _LOOSE_ITEM.sub(r"\g<line>\n", text)


def blank(text: str) -> str:
    """Every character but newlines replaced by a space: same length, so offsets still hold."""
    return "".join(ch if ch == "\n" else " " for ch in text)


# a Markdown code block fenced by ``` or ~~~ lines (closed by the same fence)
FENCED_CODE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[^\n]*$", re.M | re.S)


def without_fenced_code(text: str) -> str:
    """`text` with its fenced code blocks blanked (same length): what is written, not quoted code."""
    return (
        FENCED_CODE.sub(lambda m: blank(m.group()), text)
        if "```" in text or "~~~" in text
        else text
    )


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with each [start, end) span blanked (newlines kept)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = blank(text[start:end])
    return "".join(chars)


MIN_SECRET = 8  # shorter strings are too likely to occur in ordinary text to mask
_KEYLIKE = re.compile(r"\b(?:sk|pk|key|api)[-_][A-Za-z0-9_\-*.]{6,}")


def scrub(text: str, secrets: Iterable[str] = (), *, keylike: bool = False) -> str:
    """Mask each secret (and, with `keylike`, anything shaped like an API key) with asterisks of the
    same length, so offsets into the text still hold. `keylike` is for messages from providers and
    models, never for an answer, where "api_gateway_v2" is ordinary text."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET:
            text = text.replace(secret, "*" * len(secret))
    return _KEYLIKE.sub(lambda m: "*" * len(m.group()), text) if keylike else text


def read_stretch(text: str, read: str, start: int, end: int) -> tuple[int, int]:
    """The longest stretch of text[start:end] in which every character was read as written (`read`,
    the same text with what was not read blanked, offsets kept: a speaker label, a steering
    phrase), without the spaces at its ends; the span itself when it has no other. An invisible
    formatting character blanked (a zero-width space) was not content: the stretch runs on over it."""
    stretches, at = [], start
    for k in range(start, end + 1):
        if k == end or (
            read[k] != text[k] and not text[k].isspace() and unicodedata.category(text[k]) != "Cf"
        ):
            piece = text[at:k]
            lead = len(piece) - len(piece.lstrip())
            stretches.append((at + lead, at + len(piece.rstrip())))
            at = k + 1
    best = max(stretches, key=lambda s: (s[1] - s[0], -s[0]))
    return best if best[1] > best[0] else (start, end)
