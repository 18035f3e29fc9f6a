"""The answer stage's output: one `AnswerInput` for every kind of input.

Every input becomes `text` (what the user sees; evidence offsets index into it) and `graded_text`
(the same length, with whatever is not the candidate's answer blanked out: interviewer turns,
timestamps, cue numbers), so the grader's offsets and quotes always point into `text`.
"""

from __future__ import annotations

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

    def __post_init__(self):
        if len(self.text) != len(self.graded_text):
            raise ValueError("graded_text must have the same length as text")

    @classmethod
    def from_text(cls, text: str, name: str | None = None, fmt: str = "txt") -> "AnswerInput":
        return cls(
            text=text, graded_text=text, source=SourceInfo(kind="text", format=fmt, name=name)
        )
