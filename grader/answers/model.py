"""The answer stage's output: one `AnswerInput` for every kind of input.

Every input becomes `text` (what the user sees; evidence offsets index into it) and `graded_text`
(the same length, with whatever is not the candidate's answer blanked out: interviewer turns,
timestamps, cue numbers), so the grader's offsets and quotes always point into `text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from grader.report import SourceInfo


@dataclass(frozen=True)
class TimedSegment:
    """A stretch of speech: times in seconds, characters [char_start, char_end) of `AnswerInput.text`."""

    start: float
    end: float
    char_start: int
    char_end: int
    speaker: str | None = None
    is_candidate: bool = True


@dataclass(frozen=True)
class AnswerInput:
    text: str
    graded_text: str
    source: SourceInfo
    segments: tuple[TimedSegment, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())  # how the input was read, for the report's warnings
    # `text` is the very string the caller gave (`read_text` of plain text): offsets into it need
    # no copy in the report; otherwise the report carries `text` as `source.text`
    as_sent: bool = False
    # a recording (or its transcript) the recogniser mostly misheard (`confidence.misheard`): its
    # words cannot say what question it answers, so its topic is not judged
    misheard: bool = False
    # silences between two words the recogniser timed (`word_pauses`), in seconds: its segments
    # stretch over them, so a talk's pauses are read from its words
    pauses: tuple[tuple[float, float], ...] = ()

    def __post_init__(self):
        if len(self.text) != len(self.graded_text):
            raise ValueError("graded_text must have the same length as text")

    @classmethod
    def from_text(cls, text: str, name: str | None = None, fmt: str = "txt") -> "AnswerInput":
        return cls(
            text=text, graded_text=text, source=SourceInfo(kind="text", format=fmt, name=name)
        )


MIN_PAUSE = 1.0  # seconds: a shorter silence between two words is no pause worth keeping


def word_pauses(times: Iterable[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """The silences of MIN_PAUSE or more between consecutive timed words, (start, end) in seconds;
    `times` are the words' (start, end) in order."""
    out, last = [], None
    for start, end in times:
        if last is not None and start - last >= MIN_PAUSE:
            out.append((last, start))
        last = end if last is None else max(last, end)
    return tuple(out)
