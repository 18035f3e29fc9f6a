"""Transcripts in: SRT, WebVTT, faster-whisper / OpenAI verbose JSON and speaker-labelled text.

Each parser returns an `AnswerInput` whose `text` is the readable transcript and whose
`graded_text` keeps only the candidate's words (same length, newlines kept), so that evidence
offsets index into `text`. Speaker labels ("Interviewer:", "[00:12:03] Candidate:", "Speaker 1:",
"<v Alice>") decide who the candidate is; interviewer turns are kept as context, never graded.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.answers.confidence import Heard, same_words
from grader.answers.model import AnswerInput, TimedSegment
from grader.errors import InputError
from grader.report import SourceInfo
from grader.text import blank, first_line, quantity, shorten

WORDS_PER_SECOND = (
    2.5  # 150 words a minute: the end of a last timestamped turn that has no end time
)
MAX_LABEL_WORDS = 4

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_NAME = r"[A-Za-z][\w.'’-]*(?:[ ][\w.'’-]+){0,3}"
# "[00:12:03] Candidate:", "00:12 - Interviewer:", "**Me:**", "Candidate (00:12:03):"
_LABEL = re.compile(
    rf"^[ \t]*(?:[\[(]?(?P<ts>{_TS})[\])]?[ \t]*[-–—]?[ \t]*)?(?:\*\*|__)?(?P<name>{_NAME})"
    rf"(?:[ \t]*[\[(](?P<ts2>{_TS})[\])])?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?=[ \t]|$)[ \t]*"
)
# a time of day: "10:02 AM", "3:15pm" (a chat's messages: Slack, Teams)
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?[ \t]?[AaPp]\.?[Mm]\.?"
# Otter-style header line: "Speaker 1  0:03" alone on a line, or a chat's "Priya Raman  10:02 AM";
# the turn starts on the next line.
_HEADER = re.compile(rf"^[ \t]*(?P<name>{_NAME})[ \t]+(?:(?P<ts>{_TS})|(?P<clock>{_CLOCK}))[ \t]*$")
# a speaker's name on a line of its own, its time on the next (a Google Meet transcript)
_NAME_LINE = re.compile(rf"^[ \t]*(?P<name>{_NAME})[ \t]*$")
_TIME_LINE = re.compile(rf"[ \t]*(?P<ts>{_TS})[ \t]*")
_CANDIDATE_ROLES = {"candidate", "interviewee", "me"}
# short labels of the two sides that only choose among speakers found taking turns: alone, "A:"
# and "Q:" are as often a design's options or a query rate
_SIDES = {
    **dict.fromkeys(("q", "question", "int", "intv"), "interviewer"),
    **dict.fromkeys(("a", "answer", "cand"), "candidate"),
}
# the interviewer's role, alone or numbered ("Interviewer 2"): "Interviewer feedback:" and
# "Interviewer's scorecard:" are fields of a recruiting system's design
_INTERVIEWER = re.compile(r"^interviewers?(?:\s+(?:\d{1,2}|[a-z]))?$", re.IGNORECASE)
DIALOGUE_TURNS = 4  # turns that make pasted text an interview (`is_interview`) ...
TITLE_WORDS = 12  # ... after a title of at most this many words
# an interviewer's opening turn asks something or sets the task: "How would you ...?", "Design a
# feed for ...", "Walk me through ...", "Let's start", a greeting
_ASKS = re.compile(
    r"[?\uff1f]|^\W*(?:design|build|walk|tell|describe|explain|talk|imagine|suppose|let'?s|today"
    r"|so|ok(?:ay)?|hi|hello|hey|welcome|thanks|thank)\b",
    re.IGNORECASE,
)
_GENERIC = re.compile(r"^(?:speaker|spk|participant)[ _-]?\d+$", re.IGNORECASE)
# a SubRip cue's timing line, and a cue's number alone on its line
_SRT_TIMING = re.compile(r"[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->")
_SRT_NUMBER = re.compile(r"[ \t]*\d+[ \t]*\r?")
_SRT_START = re.compile(rf"\A\s*{_SRT_NUMBER.pattern}\n{_SRT_TIMING.pattern}")


@dataclass(frozen=True)
class Cue:
    """One timed piece of a transcript (a subtitle cue or a recogniser segment)."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class _Turn:
    speaker: str | None
    label_start: int  # where the label (or the line) starts in the text
    start: int  # where the spoken words start
    end: int
    time: float | None = None
    time_end: float | None = None


# ---------------------------------------------------------------------------------------------
# format detection


def sniff_format(text: str) -> str | None:
    """'vtt', 'srt' or 'json' when the content is one of those, else None (plain or speaker text)."""
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    if head[:1] in "{[":
        try:
            json.loads(text)
        except (
            ValueError,
            RecursionError,
        ):  # nesting deeper than the parser's stack is not a transcript
            return None
        return "json"
    return None


# ---------------------------------------------------------------------------------------------
# parsers


def parse_srt(text: str, name: str = "the transcript") -> list[Cue]:
    """SubRip cues with their times (pysrt)."""
    import pysrt

    try:
        items = pysrt.from_string(
            _cues_apart(text.lstrip("\ufeff")), error_handling=pysrt.ERROR_RAISE
        )
    except Exception as exc:  # noqa: BLE001 - pysrt raises InvalidItem and friends
        raise InputError(f"{name} is not a valid SRT file ({_srt_problem(exc)})") from None
    return [
        Cue(item.text_without_tags, item.start.ordinal / 1000, item.end.ordinal / 1000)
        for item in items
    ]


def _cues_apart(text: str) -> str:
    """SubRip text with a blank line before every cue (its number and timing line, or a timing
    line alone): some exports leave them out, and pysrt then read the whole file as one cue,
    numbers and timings graded as words."""
    lines = text.split("\n")
    out: list[str] = []
    for k, line in enumerate(lines):
        timing = _SRT_TIMING.match(line) is not None
        numbered = (
            _SRT_NUMBER.fullmatch(line) is not None
            and k + 1 < len(lines)
            and _SRT_TIMING.match(lines[k + 1]) is not None
        )
        after_number = k > 0 and _SRT_NUMBER.fullmatch(lines[k - 1]) is not None
        if (numbered or (timing and not after_number)) and out and out[-1].strip():
            out.append("\r" if line.endswith("\r") else "")
        out.append(line)
    return "\n".join(out)


def _srt_problem(exc: Exception) -> str:
    """What pysrt could not read, in words: its errors carry (line number, the cue's raw text)."""
    args = exc.args
    if len(args) != 2 or not isinstance(args[1], str):
        return first_line(exc, 120)
    lines = [line.strip() for line in args[1].splitlines() if line.strip()]
    times = next((line for line in lines if "-->" in line), None)
    what = f"the cue timed {times!r}" if times else f"the cue {shorten(' '.join(lines), 60)!r}"
    return f"{what} cannot be read: a cue is a number, 'HH:MM:SS,mmm --> HH:MM:SS,mmm', then text"


def parse_vtt(text: str, name: str = "the transcript") -> list[Cue]:
    """WebVTT cues with their times and <v Speaker> voices (webvtt-py)."""
    import webvtt

    text = _VTT_TIMING_LINE.sub(_vtt_timing, text.lstrip("\ufeff"))
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as exc:  # noqa: BLE001 - MalformedFileError and parsing errors
        raise InputError(f"{name} is not a valid WebVTT file ({first_line(exc, 120)})") from None
    timings = [m.group(0).strip() for m in _VTT_TIMING_LINE.finditer(text)]
    # a cue's timing line with no time in it ("hello --> world"): the first line with an arrow in
    # a cue's first two lines (an identifier may come first; an arrow in its text is words)
    heads = [
        next((line for line in block.split("\n")[:2] if "-->" in line), None)
        for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    ]
    lost = next((h for h in heads if h and not _VTT_TIMING_LINE.match(h)), None)
    if lost:
        raise InputError(
            f"{name} is not a valid WebVTT file (the cue timed {shorten(lost, 60)!r} cannot be "
            "read: a cue's times are 'HH:MM:SS.mmm --> HH:MM:SS.mmm')"
        )
    if len(captions) < len(timings):  # webvtt-py skips a cue it cannot time, without a word
        read = {f"{c.start} --> {c.end}" for c in captions}
        lost = next((t for t in timings if not any(t.startswith(r) for r in read)), timings[0])
        raise InputError(
            f"{name} is not a valid WebVTT file (the cue timed {shorten(lost, 60)!r} cannot be "
            "read: a cue's times are 'HH:MM:SS.mmm --> HH:MM:SS.mmm')"
        )
    cues = []
    for c in captions:
        whole = Cue(
            c.text,
            c.start_time.in_milliseconds() / 1000,
            c.end_time.in_milliseconds() / 1000,
            c.voice or None,
        )
        cues += _voices(c.raw_text, whole)
    return cues


_VTT_STAMP = re.compile(
    r"(?<![\d:.,])(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3})\d*)?(?![\d:])"
)
# a cue's timing line: it opens with something shaped like a time (digits, a colon, a digit),
# however malformed; "2 --> 3 replicas" in a cue's words is none
_VTT_TIMING_LINE = re.compile(r"^[ \t]*\d+:\d\S*[ \t]*-->[ \t]*\S+", re.MULTILINE)


def _vtt_timing(m: re.Match) -> str:
    """A cue's timing as WebVTT spells it ("00:00:19.200"), from what exports write: a decimal
    comma ("00:00:19,200", SubRip's), no milliseconds ("00:00:19"), more than three digits."""

    def stamp(t: re.Match) -> str:
        hours, minutes, seconds, millis = t.groups()
        return f"{int(hours or 0):02d}:{int(minutes):02d}:{seconds}.{(millis or '').ljust(3, '0')}"

    return _VTT_STAMP.sub(stamp, m.group(0))


_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")


def _voices(raw: str, cue: Cue) -> list[Cue]:
    """A cue holding two voices ("<v Interviewer>...", "<v Candidate>...", on lines of their own
    or on one line, as overlapping speech is written) as one cue per voice, timed by its share of
    the words (`_timed_pieces`): webvtt-py gives the cue the first voice only, which took the
    second speaker's words. Any other cue as it is."""
    tags = list(_VOICE.finditer(raw))
    if len({m.group(1).strip() for m in tags}) < 2:
        return [cue]
    bounds = [m.start() for m in tags[1:]] + [len(raw)]
    pieces = [(None, raw[: tags[0].start()])] if raw[: tags[0].start()].strip() else []
    pieces += [(m.group(1).strip(), raw[m.end() : end]) for m, end in zip(tags, bounds)]
    return _timed_pieces(
        cue,
        [
            (voice, "\n".join(_TAG.sub("", line).strip() for line in said.split("\n")).strip())
            for voice, said in pieces
        ],
    )


def _timed_pieces(cue: Cue, pieces: list[tuple[str | None, str]]) -> list[Cue]:
    """Cues for the pieces of `cue` ((speaker, text) in order), each timed by its share of the
    cue's words."""
    words = [len(text.split()) for _, text in pieces]
    total = sum(words) or 1
    timed = cue.start is not None and cue.end is not None
    out, before = [], 0
    for (speaker, text), n in zip(pieces, words):
        if timed:
            span = cue.end - cue.start
            start, end = cue.start + span * before / total, cue.start + span * (before + n) / total
        else:
            start, end = cue.start, cue.end
        out.append(Cue(text, start, end, speaker))
        before += n
    return out


class _Word(BaseModel):
    model_config = ConfigDict(extra="ignore")
    start: float
    end: float
    word: str
    probability: float | None = None


class _Segment(BaseModel):
    model_config = ConfigDict(extra="ignore")
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str
    speaker: str | None = None
    # read leniently: only to tell how sure the recogniser was (`_heard`), and aligners leave some
    # words untimed (WhisperX: a number it could not align) or score them otherwise
    words: list[Any] | None = None


class _VerboseJSON(BaseModel):
    """faster-whisper segments as JSON, or OpenAI's verbose_json transcription response."""

    model_config = ConfigDict(extra="ignore")
    task: str | None = None
    text: str | None = None
    language: str | None = None
    duration: float | None = None
    model: str | None = None
    segments: list[_Segment] | None = None
    words: list[_Word] | None = None


@dataclass(frozen=True)
class JSONTranscript:
    cues: list[Cue]
    format: str
    text: str | None
    duration: float | None
    language: str | None
    model: str | None
    # the recogniser's scored words, from segments whose text is still the words it wrote
    heard: tuple[Heard, ...] = ()
    word_times: tuple[tuple[float, float], ...] = ()  # every timed word's (start, end), in order


_NOT_TRANSCRIPT = "is not a transcript: expected faster-whisper or OpenAI verbose JSON with segments (start, end, text)"


def parse_json(text: str, name: str = "the transcript") -> JSONTranscript:
    """faster-whisper JSON (`mlsd transcribe` writes it) or OpenAI verbose_json; a bare segment list too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # cut off, or edited by hand: where it breaks
        raise InputError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}): "
            "the file may be cut off"
        ) from None
    except (ValueError, RecursionError):
        raise InputError(f"{name} {_NOT_TRANSCRIPT}") from None
    return parse_verbose(data, name)


def parse_verbose(data, name: str = "the transcript") -> JSONTranscript:
    """The parsed JSON (a dict, or a list of segments) of a verbose transcription."""
    try:
        doc = _VerboseJSON.model_validate({"segments": data} if isinstance(data, list) else data)
    except (ValidationError, RecursionError):
        raise InputError(f"{name} {_NOT_TRANSCRIPT}") from None
    fmt = "openai-json" if doc.task else "whisper-json"
    if doc.segments:
        cues = [Cue(s.text, s.start, s.end, s.speaker) for s in doc.segments]
    elif doc.words:
        cues = _cues_from_words(doc.words)
    elif doc.text and doc.text.strip():
        cues = []
    else:
        raise InputError(f"{name} {_NOT_TRANSCRIPT}")
    _check_times(cues, doc.duration, name)
    heard = tuple(h for seg in doc.segments or () for h in _heard(seg))
    times = tuple(
        (float(w["start"]), float(w["end"]))
        for seg in doc.segments or ()
        for w in seg.words or ()
        if isinstance(w, dict) and all(isinstance(w.get(k), (int, float)) for k in ("start", "end"))
    )
    return JSONTranscript(cues, fmt, doc.text, doc.duration, doc.language, doc.model, heard, times)


def _heard(segment: _Segment) -> list[Heard]:
    """A segment's words with the recogniser's probability for each, as `mlsd transcribe` writes
    them; none when its text is no longer the words it wrote (edited since), or when a word is
    not of that shape."""
    words = segment.words or []
    if not all(isinstance(w, dict) and isinstance(w.get("word"), str) for w in words):
        return []
    if not words or not same_words(segment.text, " ".join(w["word"] for w in words)):
        return []
    number = (int, float)
    if not all(isinstance(w.get("start"), number) and isinstance(w.get("probability"), number)
               for w in words):  # fmt: skip
        return []
    return [Heard(float(w["start"]), w["word"], float(w["probability"])) for w in words]


def _cues_from_words(words: list[_Word], max_words: int = 20, gap: float = 1.0) -> list[Cue]:
    """Group word timestamps into cues at pauses or every `max_words` words."""
    cues, run = [], []
    for w in words:
        if run and (len(run) >= max_words or w.start - run[-1].end > gap):
            cues.append(Cue(" ".join(x.word.strip() for x in run), run[0].start, run[-1].end))
            run = []
        run.append(w)
    if run:
        cues.append(Cue(" ".join(x.word.strip() for x in run), run[0].start, run[-1].end))
    return cues


# ---------------------------------------------------------------------------------------------
# timed lines: "00:12 words", "[00:00:12] words", a time on a line of its own over its words (a
# video site's transcript pasted), SubViewer's "0:00:12.075,0:00:17.325" (.sbv)

_STAMP_LEAD = re.compile(
    rf"^[ \t]*[\[(]?(?P<ts>{_TS})(?:[ \t]*,[ \t]*(?P<end>{_TS}))?[\])]?(?:[ \t]*[-–—|][ \t]*|[ \t]+|$)"
)
TIMED_FORMATS = ("srt", "vtt", "sbv", "timed-text")  # caption files and timed lines: no speaker
TIMED_LINES_MIN = 4  # this many timed lines at least, ...
TIMED_SHARE = 0.8  # ... starting this share of the text's lines that are not a cue's own words


def stamps_stand_alone(text: str) -> bool:
    """Whether a text's times stand on lines of their own over the words (a SubViewer file, a
    video site's transcript pasted), in most of its timed lines: its speakers' labels, if any,
    are then on the lines under them, where a speaker-labelled text's reading would keep the
    times as words."""
    stamps = [m for line in text.splitlines() if (m := _STAMP_LEAD.match(line))]
    alone = sum(not m.string[m.end() :].strip() for m in stamps)
    return len(stamps) >= TIMED_LINES_MIN and 2 * alone > len(stamps)


def parse_timed_lines(text: str) -> list[Cue]:
    """The cues of a text whose lines are timed as a transcript's are ("00:12 So, um, ...", "[00:00:12]
    So ...", or a time alone on its line with the words under it), each timed from its stamp to
    the next one's; none when the text is not laid out so: TIMED_LINES_MIN stamps at least, their
    times never going back, starting at least TIMED_SHARE of the lines that no stamp alone on its
    line heads. Read as written text, the times had been quoted as the candidate's words ("Retrain
    monthly or when 04:20 drift alerts fire") and an SBV file, its times and blank lines read
    as words, had scored 0 as an answer to another question."""
    cues: list[list] = []  # [start, end, words]
    loose = 0  # lines of words no stamp heads or stands over
    under = False  # the line before was a stamp alone, or words under one
    for line in text.splitlines():
        if not line.strip():
            under = under and bool(cues) and not cues[-1][2]
            continue
        m = _STAMP_LEAD.match(line)
        if m is not None:
            words = line[m.end() :].strip()
            cues.append([_seconds(m["ts"]), _seconds(m["end"]), words])
            under = True
        elif under and cues:
            cues[-1][2] = f"{cues[-1][2]} {line.strip()}".strip()
        else:
            loose += 1
    starts = [c[0] for c in cues]
    if (
        len(cues) < TIMED_LINES_MIN
        or any(b < a for a, b in zip(starts, starts[1:]))
        or len(cues) < TIMED_SHARE * (len(cues) + loose)
    ):
        return []
    out = []
    for k, (start, end, words) in enumerate(cues):
        if end is None:
            end = (
                cues[k + 1][0]
                if k + 1 < len(cues)
                else start + len(words.split()) / WORDS_PER_SECOND
            )
        if words:
            out.append(Cue(words, start, max(start, end)))
    return out


# ---------------------------------------------------------------------------------------------
# speaker labels


def _seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for p in parts:
        value = value * 60 + float(p)
    return value


def _time_of_day(clock: str) -> float:
    """Seconds since midnight of "10:02 AM", "12:05 am" or "3:15 p.m."."""
    hours, minutes, *rest = (int(n) for n in re.findall(r"\d+", clock))
    pm = "p" in clock.lower()
    return (hours % 12 + 12 * pm) * 3600 + minutes * 60 + (rest[0] if rest else 0)


def _role(name: str) -> str | None:
    low = " ".join(name.lower().split())
    if _INTERVIEWER.match(low):
        return "interviewer"
    if low in _CANDIDATE_ROLES:
        return "candidate"
    if _GENERIC.match(low):
        return "generic"
    return None


def _label_at(text: str, pos: int, end: int) -> tuple[str, float | None, int, str] | None:
    """(name, time, where the words start, how it was timed: "time" into a recording, "clock" for
    a chat message's time of day, "" for none) for a label starting the line text[pos:end], else
    None."""
    line = text[pos:end]
    m = _HEADER.match(line)
    if m:
        nxt = end + 1 if end < len(text) else end
        # a chat message's time of day says when it was sent, not how long anyone spoke: no
        # pacing is read from it
        return m.group("name").strip(), _seconds(m["ts"]), nxt, "time" if m["ts"] else "clock"
    m = _NAME_LINE.match(line)
    if m and end < len(text):  # Google Meet: the name, then its time on a line of its own
        stamp_end = text.find("\n", end + 1)
        stamp_end = len(text) if stamp_end < 0 else stamp_end
        ts = _TIME_LINE.match(text, end + 1, stamp_end)
        if ts and ts.end() == stamp_end:
            nxt = stamp_end + 1 if stamp_end < len(text) else stamp_end
            return m.group("name").strip(), _seconds(ts.group("ts")), nxt, "time"
    m = _LABEL.match(line)
    if m and len(m.group("name").split()) <= MAX_LABEL_WORDS:
        return (
            m.group("name").strip(),
            _seconds(m.group("ts") or m.group("ts2")),
            pos + m.end(),
            "time" if m.group("ts") or m.group("ts2") else "",
        )
    return None


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _turns_hold_the_words(text: str, first_label: int) -> bool:
    """Labelled turns must hold most of the words: a written answer that ends with a closing
    exchange ("Interviewer: Thanks" / "Candidate: Thanks") is still a written answer."""
    before = len(text[:first_label].split())
    return before <= len(text[first_label:].split())


def _speaker_labels(text: str, candidate: str | None, captions: bool = False) -> set[str]:
    """The names used as speaker labels, or an empty set when the text is not speaker-labelled.

    Role names ("Interviewer", "Candidate", "Me", "Speaker 1"), timestamped labels and the named
    candidate always count. Without those, other names count only when at least two of them take
    turns repeatedly and label most lines, so that headings such as "Model: ..." in written
    notes are not mistaken for speakers; in a caption file's cues (`captions`, one line each),
    names taking turns count however few cues they label: captions name a speaker where the turn
    changes, and the cues after it go on with the turn ("Priya Raman:" over three cues of hers, then
    "Lee Park:" over eight of his had been read as no speaker named, and her hints as his answer).
    Either way the labelled turns must hold most of the words.
    """
    found: list[tuple[str, str, int]] = []
    asking: set[str] = set()  # names whose lines ask something
    times: dict[int, float] = {}  # a chat header's time of day, by where its line starts
    nonblank = 0
    for s, e in _lines(text):
        if not text[s:e].strip():
            continue
        nonblank += 1
        hit = _label_at(text, s, e)
        if hit:
            found.append((hit[0], hit[3], s))
            if "?" in text[hit[2] : e]:
                asking.add(hit[0])
            if hit[3] == "clock":
                times[s] = _time_of_day(_HEADER.match(text[s:e])["clock"])
    if not found:
        return set()
    labels = _label_set(found, 0 if captions else nonblank, candidate, asking, times)
    only_asked = labels and all(_role(n) == "interviewer" for n in labels)
    if only_asked and not candidate and nonblank > len(found):
        # only the interviewer labelled ("Interviewer: <the question>" over a written answer):
        # the unlabelled lines are not all theirs, and nobody else speaks; the answer is written
        # text, whose interviewer lines are set aside when it is graded (`grader.scoring.asked`)
        return set()
    first = min((s for n, _, s in found if n in labels), default=None)
    if first is None or not _turns_hold_the_words(text, first):
        return set()
    return labels


def _label_set(
    found: list[tuple[str, str, int]],
    nonblank: int,
    candidate: str | None,
    asking: set[str],
    times: dict[int, float],
) -> set[str]:
    """The speaker labels among the names `found` labelling lines: ones timed into a recording,
    roles ("Interviewer", "Candidate"), the senders of a chat thread's messages when they take
    turns ("Priya Raman  10:02 AM": a schedule's "Nightly retrain  2:00 AM" rows take none), and
    the names taking turns with a role: beside an interviewer, any ("Interviewer:" asking, "Alice:"
    answering, whether or not she asks anything back: she had not been a speaker unless she asked),
    beside a candidate only those asking ("Them:" asking, "Me:" answering: "Them:"'s questions had
    been read as the candidate's words; "Job:" fields beside "Candidate:" ones ask nothing);
    without those, names that take turns (`_taking_turns`), which the candidate named by
    the user joins ("Alice" with "Bob" answering her: both are speakers, not Alice alone, which
    gave her Bob's questions too)."""
    named = {n for n, _, _ in found if candidate and n.casefold() == candidate.casefold()}
    sure = {n for n, timed, _ in found if timed == "time" or _role(n)}
    sure |= _chatting([f for f in found if f[1] == "clock"], times)
    taking = _taking_turns(found, nonblank)
    if sure:
        beside = taking if taking & sure else set()
        if not any(_role(n) == "interviewer" for n in sure):
            beside &= asking  # beside the candidate ("Me:"), the other side is the one asking
        return sure | named | beside
    return named if named and not named <= taking else taking


def _chatting(found: list[tuple[str, str, int]], times: dict[int, float]) -> set[str]:
    """The senders of a chat thread (`found`: lines headed by a name and a time of day), when they
    take turns and the times never go back: rows of a schedule ("Text reminder  9:00 AM", "Call
    reminder  4:00 PM", then the same again) are no thread."""
    stamps = [times[s] for _, _, s in found]
    if any(b < a for a, b in zip(stamps, stamps[1:])):
        return set()
    return _taking_turns(found, 0)


def _taking_turns(found: list[tuple[str, str, int]], nonblank: int) -> set[str]:
    """Names that label lines as speakers do: at least two of them, each twice or more, taking
    turns repeatedly and labelling most lines, so that headings such as "Model: ..." in written
    notes are not mistaken for speakers; else none. In a conversation one side speaks in more
    than a third of the turns (the one answering, or one of two talking): labels that share the
    lines out evenly among three or more are a document's fields said over again ("Goal:",
    "Data:", "Features:", "Model:", "Serving:" for a first design, then for a second), which
    had been read as five speakers and the answer graded on the last one's lines alone."""
    counts: dict[str, int] = {}
    for n, _, _ in found:
        counts[n] = counts.get(n, 0) + 1
    names = {n for n, c in counts.items() if c >= 2}
    changes = sum(
        1 for (a, _, _), (b, _, _) in zip(found, found[1:]) if a != b and a in names and b in names
    )
    turns = sum(counts[n] for n in names)
    most = max((counts[n] for n in names), default=0)
    if len(names) >= 2 and changes >= 3 and len(found) >= nonblank / 2 and 3 * most > turns:
        return names
    return set()


def is_interview(text: str) -> bool:
    """Whether text pasted as it is reads as an interview beyond doubt: its speaker labels
    (`_speaker_labels`) include an interviewer and take DIALOGUE_TURNS turns or more, the
    interviewer's and another speaker's alternating ("Interviewer:" / "Candidate:" four times),
    from its first lines on (a title at most). A written answer headed "Interviewer: <the
    question>" has one such turn, and one that ends with a few questions and answers is written
    text before them: both are answers."""
    labels = _speaker_labels(text, None)
    if not any(_role(n) == "interviewer" for n in labels):
        return False
    turns: list[tuple[str, int]] = []
    for s, e in _lines(text):
        hit = _label_at(text, s, e)
        if hit and hit[0] in labels and (not turns or turns[-1][0] != hit[0]):
            turns.append((hit[0], s))
    return len(turns) >= DIALOGUE_TURNS and len(text[: turns[0][1]].split()) <= TITLE_WORDS


def _speaker_turns(text: str, labels: set[str]) -> list[_Turn]:
    """Turns of a speaker-labelled text; text before the first label is a turn with no speaker."""
    turns: list[_Turn] = []
    current = None  # (speaker, label_start, start, time)
    for s, e in _lines(text):
        hit = _label_at(text, s, e)
        if hit and hit[0] in labels:
            if current is not None:
                turns.append(_Turn(current[0], current[1], current[2], s, current[3]))
            elif s > 0:
                turns.append(_Turn(None, 0, 0, s))
            current = (hit[0], s, min(hit[2], len(text)), hit[1])
    if current is None:
        return []
    turns.append(_Turn(current[0], current[1], current[2], len(text), current[3]))
    return [_strip(text, t) for t in turns]


def _strip(text: str, t: _Turn) -> _Turn:
    """Trim surrounding whitespace from a turn's spoken words."""
    piece = text[t.start : t.end]
    start = t.start + len(piece) - len(piece.lstrip())
    end = t.start + len(piece.rstrip())
    return _Turn(t.speaker, t.label_start, start, max(start, end), t.time, t.time_end)


_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # "(he/him)", "(Guest)", "[External]"


def name_key(name: str) -> tuple[str, ...]:
    """A speaker's name as compared: its words in lower case, without asides in brackets ("Sam
    Chen (he/him)", "sam chen" and "Sam Chen" are one key)."""
    return tuple(re.findall(r"[^\W_]+", _ASIDE.sub(" ", name).casefold()))


def _shortens(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether `short` is `full` with its last names cut or cut to initials ("Sam", "Sam C." for
    "Sam Chen"): the first name the same, every later word the same or its initial, and nothing
    cut that holds a digit ("Speaker" is not "Speaker 2")."""
    if not short or len(short) > len(full) or short == full or short[0] != full[0]:
        return False
    if any(w.isdigit() or any(ch.isdigit() for ch in w) for w in full[len(short) :]):
        return False
    return all(
        s == f or (len(s) == 1 and s.isalpha() and f.startswith(s))
        for s, f in zip(short[1:], full[1:])
    )


SLIP_MIN_LETTERS = 5  # a typing slip is read only in a word this long: "Kevn", "Rahman"


def _slipped(a: str, b: str) -> bool:
    """Whether two words differ by one typing slip that drops, adds or swaps a letter ("Kevn"
    for "Kevin", "Rahman" for "Raman", "Priay" for "Priya"), in a word of SLIP_MIN_LETTERS or
    more without digits. Not a letter typed for another: "Maria" and "Mario" may be two people."""
    if a == b or max(len(a), len(b)) < SLIP_MIN_LETTERS or not (a + b).isalpha():
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] + a[diff[1]] == b[diff[1]] + b[diff[0]]
        )
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(
        long[:k] + long[k + 1 :] == short for k in range(len(long))
    )


def _slips(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two names are one name with one typing slip in one of its words (`_slipped`)."""
    if len(a) != len(b):
        return False
    differ = [(x, y) for x, y in zip(a, b) if x != y]
    return len(differ) == 1 and _slipped(*differ[0])


def same_speakers(speakers: dict[str, int]) -> dict[str, str]:
    """Each speaker's name (of {name: words spoken}) as one person's: meeting software names one
    person several ways in one file ("Sam", "sam chen", "Sam Chen (he/him)", "Sam C."), and a
    label typed by hand slips ("Priya Rahman" on some cues of "Priya Raman": her words there had
    gone ungraded). Names with the same words are one person, and so is a name one typing slip
    away from exactly one other (`_slips`), and one that shortens exactly one other person's
    ("Sam" with only one Sam); each is given as the form of the name that spoke most."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in speakers:
        groups.setdefault(name_key(name), []).append(name)
    spoke = {key: sum(speakers[n] for n in names) for key, names in groups.items()}
    for key in sorted(groups, key=lambda k: (spoke[k], k)):  # the less heard into the more
        if key not in groups:
            continue
        near = [k for k in groups if _slips(key, k)]
        if len(near) == 1 and spoke[near[0]] >= spoke[key]:
            groups[near[0]] += groups.pop(key)
            spoke[near[0]] += spoke.pop(key)
    into = {}
    for key in groups:
        fuller = [k for k in groups if _shortens(key, k)]
        full = [k for k in fuller if not any(_shortens(k, o) for o in fuller)]
        if len(full) == 1:
            into[key] = full[0]
    merged: dict[tuple[str, ...], list[str]] = {}
    for key, names in groups.items():
        merged.setdefault(into.get(key, key), []).extend(names)
    out = {}
    for key, names in merged.items():
        shown = max(
            (n for n in names if name_key(n) == key) if key in groups else names,
            key=lambda n: (speakers[n], -list(speakers).index(n)),
        )
        out.update({n: shown for n in names})
    return out


ASKING_SIDE = 0.5  # the share of its turns a side asks in (at least) to be the asking side ...
ASKING_APART = 0.5  # ... when the other asks in at most this share of that


def asking_shares(text: str, turns: list["_Turn"]) -> dict[str, float]:
    """Per speaker, the share of their turns (a speaker's consecutive lines or cues are one turn)
    that ask something: hold a question mark."""
    asked: dict[str, list[bool]] = {}
    spoken = [t for t in turns if t.speaker is not None]
    for who, run in itertools.groupby(spoken, key=lambda t: t.speaker):
        said = " ".join(text[t.start : t.end] for t in run)
        asked.setdefault(who, []).append("?" in said or "\uff1f" in said)
    return {who: sum(turns) / len(turns) for who, turns in asked.items()}


def choose_candidate(
    speakers: dict[str, int],
    candidate: str | None = None,
    asking: dict[str, float] | None = None,
) -> str | None:
    """The candidate among speakers ({name: words spoken}): the named one, a 'Candidate'/'Me' label
    (or one taking turns as the answering side: 'A' with 'Q', 'Cand' with 'Int'), the only speaker
    who is not an interviewer, the one side that answers when the others ask (`asking`: the share
    of each speaker's turns that ask something; the others ask in ASKING_SIDE of theirs or more,
    and the one answering in at most ASKING_APART of the least of theirs), or else the one who
    spoke most. A dialogue whose questions ran longer than its answers had its questions graded,
    and an interviewer who explained at length ("Speaker 1" asking every question of "Speaker 2")
    had been graded as the candidate."""
    if candidate:
        for name in speakers:
            if name.casefold() == candidate.casefold():
                return name
        asked = name_key(candidate)
        for name in speakers:  # "Sam Chen" for "Sam Chen (Guest)"
            if name_key(name) == asked:
                return name
        fuller = [n for n in speakers if _shortens(asked, name_key(n))]
        if len(fuller) == 1:  # "Sam" for Sam Chen, when there is one Sam
            return fuller[0]
        raise InputError(
            f"no speaker called '{candidate}'; the speakers are {', '.join(speakers) or 'none'}"
        )
    roles = {n: _side(n) for n in speakers}
    named = [n for n, r in roles.items() if r == "candidate"]
    if named:
        return max(named, key=lambda n: speakers[n])
    others = [n for n, r in roles.items() if r != "interviewer"]
    if not others:
        return None
    answering = _answering(others, asking or {})
    if answering is not None:
        return answering
    return max(others, key=lambda n: (speakers[n], -list(speakers).index(n)))


def _side(name: str) -> str | None:
    """A speaker's side by its label: a role ("Interviewer", "Candidate", "Speaker 1" as
    "generic"), or a dialogue's short side ("Q:" asking, "A:" answering); None for a name."""
    return _role(name) or _SIDES.get(name.casefold().rstrip("."))


def _answering(names: list[str], asking: dict[str, float]) -> str | None:
    """The one speaker among `names` who answers while every other asks (`choose_candidate`), or
    None when no side is clearly so."""
    if len(names) < 2 or any(n not in asking for n in names):
        return None
    least, *rest = sorted(names, key=lambda n: (asking[n], names.index(n)))
    floor = min(asking[n] for n in rest)
    if floor >= ASKING_SIDE and asking[least] <= ASKING_APART * floor:
        return least
    return None


# ---------------------------------------------------------------------------------------------
# building the AnswerInput


def _build(
    text: str,
    turns: list[_Turn],
    *,
    source: SourceInfo,
    candidate: str | None,
    name: str,
    segments_from_turns: bool,
) -> AnswerInput:
    spoke: dict[str, int] = {}  # words per name as written
    for t in turns:
        if t.speaker is not None:
            spoke[t.speaker] = spoke.get(t.speaker, 0) + len(text[t.start : t.end].split())
    one = same_speakers(spoke)  # one person named several ways: one speaker
    speakers: dict[str, int] = {}
    for name, words in spoke.items():
        speakers[one[name]] = speakers.get(one[name], 0) + words
    read_as = [
        f"{', '.join(n for n in spoke if one[n] == shown)} as {shown}"
        for shown in speakers
        if sum(v == shown for v in one.values()) > 1
    ]
    if read_as:
        turns = [dataclasses.replace(t, speaker=one.get(t.speaker)) for t in turns]
    asking = asking_shares(text, turns)
    if speakers:
        chosen = choose_candidate(speakers, candidate, asking)
        is_cand = [t.speaker is not None and t.speaker == chosen for t in turns]
    else:  # a name given for a text with none: all of it is that person's (`no_speakers`)
        chosen, is_cand = None, [True] * len(turns)
    graded = list(blank(text))
    for t, cand in zip(turns, is_cand):
        if cand:
            graded[t.start : t.end] = text[t.start : t.end]
    graded_text = "".join(graded)
    if not graded_text.strip():
        who = f"'{chosen}'" if chosen else "the candidate"
        listed = ", ".join(speakers) if speakers else "none"
        raise InputError(
            f"{name} has no turns by {who} to grade (speakers: {listed}); "
            "say who the candidate is with --candidate NAME"
        )
    spoken = [
        (t, cand)
        for t, cand in zip(turns, is_cand)
        if t.speaker is not None and text[t.start : t.end].strip()
    ]
    turn_count, context = 0, []
    for cand, run in itertools.groupby(spoken, key=lambda x: x[1]):
        if cand:
            turn_count += 1
        else:
            context.append(" ".join(" ".join(text[t.start : t.end].split()) for t, _ in run))
    segments = _segments(text, turns, is_cand) if segments_from_turns else ()
    info = source.model_copy(
        update={
            "speakers": list(speakers),
            "candidate": chosen,
            "candidate_turns": turn_count if speakers else None,
            "interviewer_context": context,
        }
    )
    notes: tuple[str, ...] = ()
    if speakers and (source.format == "speaker-text" or len(speakers) > 1):  # who was graded
        graded_words = len(graded_text.split())
        notes = (
            f"read as a transcript with speaker labels ({', '.join(speakers)}): graded only "
            f"{chosen}'s {quantity(turn_count, 'turn')}, {quantity(graded_words, 'word')}"
            + _why_chosen(speakers, candidate, asking, chosen),
        )
    if read_as:
        notes += (f"one speaker named several ways: read {'; '.join(read_as)}",)
    if candidate and not speakers:
        notes += (no_speakers(name, candidate),)
    return AnswerInput(
        text=text, graded_text=graded_text, source=info, segments=segments, notes=notes
    )


def _why_chosen(
    speakers: dict[str, int], candidate: str | None, asking: dict[str, float], chosen: str | None
) -> str:
    """Why `chosen` was taken for the candidate, when no name or role said it: the one answering
    while the others asked, or the one who spoke most; and how to grade another."""
    roles = [_side(n) for n in speakers]
    unsaid = [n for n, r in zip(speakers, roles) if r not in ("interviewer", "candidate")]
    if candidate or chosen is None or "candidate" in roles or len(unsaid) < 2:
        return ""
    how = (
        "the one answering while the others asked"
        if _answering(unsaid, asking) == chosen
        else "the one who spoke most"
    )
    return f" ({how}; --candidate NAME grades another speaker)"


def _segments(text: str, turns: list[_Turn], is_cand: list[bool]) -> tuple[TimedSegment, ...]:
    timed = [(t, c) for t, c in zip(turns, is_cand) if t.time is not None]
    out = []
    for i, (t, cand) in enumerate(timed):
        end = t.time_end
        if end is None:
            end = (
                timed[i + 1][0].time
                if i + 1 < len(timed)
                else t.time + len(text[t.start : t.end].split()) / WORDS_PER_SECOND
            )
        out.append(TimedSegment(t.time, max(t.time, end), t.start, t.end, t.speaker, cand))
    return tuple(out)


def no_speakers(name: str, candidate: str) -> str:
    """The note for a candidate named for a text with no speaker labels: all of it is one person's
    answer, graded as the named candidate's (a written answer's interviewer sheet is headed with
    that name; `mlsd sheet dan.md --candidate "Dan Smith"` had been refused), as a recording's
    is."""
    return (
        f"{name} has no speaker labels: '{candidate}' was not looked for, and all of it was "
        "graded as one person's answer"
    )


def from_speaker_text(
    text: str,
    *,
    name: str = "the transcript",
    source_name: str | None = None,
    candidate: str | None = None,
) -> AnswerInput | None:
    """A speaker-labelled text ("Interviewer: ...", "[00:12:03] Candidate: ..."), or None when the
    text has no speaker labels (then it is graded as written text)."""
    labels = _speaker_labels(text, candidate)
    if not labels:
        return None
    turns = _speaker_turns(text, labels)
    if not candidate and _a_few_fields(text, turns):
        return None
    source = SourceInfo(kind="transcript", format="speaker-text", name=source_name)
    inp = _build(
        text, turns, source=source, candidate=candidate, name=name, segments_from_turns=True
    )
    if inp.segments:
        last = max(s.end for s in inp.segments)
        inp = dataclasses.replace(
            inp, source=inp.source.model_copy(update={"duration_seconds": last})
        )
    return from_zero(inp)


def _a_few_fields(text: str, turns: list[_Turn]) -> bool:
    """Whether role labels are a few lines of a written answer rather than an interview's turns:
    fewer than DIALOGUE_TURNS of them, after more than a title's words ("Candidate: sees
    recommended jobs" then "Interviewer: id, calendar" in a recruiting system's design had it
    graded by its 27 words of 150), or opened by an interviewer's line that neither asks nor sets
    the task ("Interviewer: id, calendar", under any title). Such an answer is written text, whose
    interviewer lines are set aside when it is graded (`grader.scoring.asked`); a short interview
    opened by the interviewer asking ("Interviewer: Design a feed for ...") is still a
    transcript, under a note of when and who too."""
    spoken = [t for t in turns if t.speaker is not None]
    if not spoken or len(spoken) >= DIALOGUE_TURNS:
        return False
    first = spoken[0]
    if _role(first.speaker) == "interviewer":  # asking on its line, or a field of the design
        line_end = text.find("\n", first.start, first.end)
        return not _ASKS.search(text[first.start : first.end if line_end < 0 else line_end])
    return len(text[: first.label_start].split()) > TITLE_WORDS


def from_zero(inp: AnswerInput) -> AnswerInput:
    """A transcript timed by a clock ("[14:00:05] Candidate:", cues from 10:00:03) read from its
    first words: when they come later than the whole transcript lasts, its times are a time of day,
    not a time into the recording, and pacing had read "603 minutes in all". Others as they are."""
    if not inp.segments:
        return inp
    first = min(s.start for s in inp.segments)
    if first <= max(s.end for s in inp.segments) - first:
        return inp
    segments = tuple(
        dataclasses.replace(s, start=s.start - first, end=s.end - first) for s in inp.segments
    )
    duration = inp.source.duration_seconds
    source = inp.source.model_copy(
        update={"duration_seconds": None if duration is None else max(0.0, duration - first)}
    )
    pauses = tuple((a - first, b - first) for a, b in inp.pauses)
    return dataclasses.replace(inp, segments=segments, source=source, pauses=pauses)


MAX_SECONDS = 24 * 3600.0  # no interview or recording is longer: larger times are corrupt


def _check_times(cues: list[Cue], duration: float | None, name: str) -> None:
    """Refuse times that are not finite, negative, beyond a day, or that end before they start: the
    report would carry them and fail its own schema."""

    def bad(value: float | None) -> bool:
        return value is not None and not (0.0 <= value <= MAX_SECONDS)  # NaN fails both comparisons

    if bad(duration):
        raise InputError(f"{name}: duration {duration!r} is not a time between 0 and 24 hours")
    for i, cue in enumerate(cues, 1):
        if bad(cue.start) or bad(cue.end):
            raise InputError(
                f"{name}: segment {i} has times {cue.start!r}-{cue.end!r}: times must be finite "
                "seconds between 0 and 24 hours"
            )
        if cue.start is not None and cue.end is not None and cue.end < cue.start:
            raise InputError(f"{name}: segment {i} ends ({cue.end}) before it starts ({cue.start})")


def _by_label(cue: Cue) -> list[Cue]:
    """A cue split where a line of it starts with a speaker label ("Interviewer: ...\nCandidate:
    ..." in one subtitle), each piece timed by its share of the cue's words: read as one line, the
    second speaker's words went to the first. A cue with a voice, or no such line, stays whole."""
    lines = cue.text.split("\n")
    starts = [k for k, line in enumerate(lines) if k and _LABEL.match(line)]
    if cue.speaker or not starts:
        return [cue]
    bounds = zip([0, *starts], [*starts, len(lines)])
    return _timed_pieces(cue, [(None, "\n".join(lines[a:b])) for a, b in bounds])


UNLABELLED = (
    "no speaker is named in the transcript, so all of it was graded as the answer: if an "
    "interviewer speaks in it, label each turn ('Interviewer: ...', 'Candidate: ...') or give "
    "the speakers' voices"
)
# a WebVTT note saying that one person speaks: a practice recording, written back for revising
ONE_SPEAKER = "NOTE one speaker: a practice recording, every cue the candidate's"


def says_one_speaker(text: str) -> bool:
    """Whether a WebVTT text says that one person speaks in it (`ONE_SPEAKER`, a line of its
    own), so that no cue needs a speaker's name."""
    return any(line.strip() == ONE_SPEAKER for line in text.splitlines())


def _turn_lines(
    pieces: list[tuple[str, Cue]], labels: set[str]
) -> list[tuple[str, int, str | None, Cue]]:
    """One line per cue (its words, after "Speaker: " where its voice names one), with where its
    words start and who speaks it: a speaker's label once, where the turn starts; a cue going on
    with the same speaker's turn is its words alone (a meeting tool labelling every cue had every
    quote cut to one cue, "given the first", since no quote crosses a label)."""
    out, speaker = [], None
    for words, cue in pieces:
        who, at = cue.speaker, 0
        if who is None and labels:
            hit = _label_at(words, 0, len(words))
            if hit and hit[0] in labels:
                who, at = hit[0], hit[2]
        if who is not None and who == speaker:  # the turn goes on: no label again
            line, at = words[at:] if cue.speaker is None else words, 0
        elif cue.speaker:
            line, at = f"{who}: {words}", len(who) + 2
        else:
            line = words
        speaker = who or speaker
        out.append((line, at, speaker, cue))
    return out


def from_cues(
    cues: list[Cue],
    *,
    fmt: str,
    name: str = "the transcript",
    source_name: str | None = None,
    candidate: str | None = None,
    kind: str = "transcript",
    duration: float | None = None,
    model: str | None = None,
    one_speaker: bool = False,
) -> AnswerInput:
    """One line per cue ("Speaker: words" when the cue has a voice), with each cue a timed segment.
    Subtitles naming no one are noted as graded whole (`UNLABELLED`), unless they say that one
    person speaks in them (`one_speaker`)."""
    _check_times(cues, duration, name)
    pieces = [
        (words, cue)
        for whole in cues
        for cue in _by_label(whole)
        if (words := " ".join(cue.text.split()))
    ]
    if not pieces:
        raise InputError(f"{name} has no spoken words")
    labelled = "\n".join(f"{c.speaker}: {w}" if c.speaker else w for w, c in pieces)
    labels = {c.speaker for c in cues if c.speaker} or _speaker_labels(
        labelled, candidate, captions=True
    )
    lines = _turn_lines(pieces, labels)
    text = "\n".join(line for line, _, _, _ in lines)
    turns, pos = [], 0
    for line, at, speaker, cue in lines:
        s, e = pos, pos + len(line)
        turns.append(
            _strip(text, _Turn(speaker if labels else None, s, s + at, e, cue.start, cue.end))
        )
        pos = e + 1
    if duration is None and cues:
        duration = max((c.end for c in cues if c.end is not None), default=None)
    source = SourceInfo(
        kind=kind,
        format=fmt,
        name=source_name,
        duration_seconds=duration,
        transcription_model=model,
    )
    inp = _build(
        text, turns, source=source, candidate=candidate, name=name, segments_from_turns=True
    )
    if kind == "transcript" and fmt in TIMED_FORMATS and not labels and not one_speaker:
        # subtitles of a call name no one: an interviewer's questions would count as the answer
        inp = dataclasses.replace(inp, notes=(*inp.notes, UNLABELLED))
    return from_zero(inp) if kind == "transcript" else inp  # a recording's times start at 0
