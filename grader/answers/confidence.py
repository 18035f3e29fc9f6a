"""How sure a speech recogniser was of the words it wrote: a note when many of them are unsure.

A recogniser that mishears writes other words with confidence too low to trust ("evaluation of
light" for "evaluation offline"), and a misheard answer is graded on words the candidate never
said. Measured on espeak-ng readings of eval answers with whisper tiny.en: a clean reading leaves
9-13% of the words under probability 0.5 (word error 0.10-0.30); with background noise or read fast,
15-43% (word error 0.21-0.79). Past `UNSURE_SHARE` the report says so, and where: the longest runs
of unsure words, with their times, are the places to check in the transcript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

UNSURE_BELOW = 0.5  # a word under this probability is unsure
UNSURE_SHARE = 0.15  # the share of unsure words that earns a note
UNSURE_MIN_WORDS = 20  # fewer words heard say too little to judge the recogniser by
# past this share of unsure words a recording is mostly misheard: its words cannot say what was
# answered (a clean espeak reading leaves 9-13% unsure, one with noise or read fast up to 43%;
# a helper's noisy and fast recordings 45-50%, judged off topic and scaled to 0/100)
MISHEARD_SHARE = 0.35
SHOWN = 3  # places named in the note
SHOWN_WORDS = 8  # words quoted of a place at most

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Heard:
    """One recognised word: when it starts (seconds), what was written, how sure the recogniser was."""

    start: float
    word: str
    probability: float


def same_words(a: str, b: str) -> bool:
    """Whether two texts hold the same words, ignoring case, spacing and punctuation (a segment whose
    text was edited no longer matches the words that were timed and scored)."""
    return _WORD.findall(a.lower()) == _WORD.findall(b.lower())


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _runs(words: Sequence[Heard]) -> list[list[Heard]]:
    """The runs of consecutive unsure words."""
    runs: list[list[Heard]] = []
    run: list[Heard] = []
    for w in words:
        if w.probability < UNSURE_BELOW:
            run.append(w)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _place(run: list[Heard]) -> str:
    words = [w.word.strip() for w in run[:SHOWN_WORDS]]
    more = "..." if len(run) > SHOWN_WORDS else ""
    return f'{_clock(run[0].start)} "{" ".join(words)}{more}"'


def _counted(words: Iterable[Heard]) -> tuple[list[Heard], int] | None:
    """The words written and how many of them were unsure; None under UNSURE_MIN_WORDS words."""
    heard = [w for w in words if w.word.strip()]
    if len(heard) < UNSURE_MIN_WORDS:
        return None
    return heard, sum(w.probability < UNSURE_BELOW for w in heard)


def unsure_share(words: Iterable[Heard]) -> float | None:
    """The share of the words the recogniser was unsure of; None under UNSURE_MIN_WORDS words."""
    counted = _counted(words)
    return None if counted is None else counted[1] / len(counted[0])


def misheard(words: Iterable[Heard]) -> bool:
    """Whether a recording was mostly misheard (`MISHEARD_SHARE` of its words unsure or more)."""
    share = unsure_share(words)
    return share is not None and share >= MISHEARD_SHARE


def unsure_note(words: Iterable[Heard], model: str | None = None) -> str | None:
    """A one-line note when `UNSURE_SHARE` or more of the words are unsure, naming the longest runs
    of unsure words in time order; None when the recogniser was mostly sure, gave no
    probabilities, or heard under UNSURE_MIN_WORDS words. The larger recogniser is suggested only
    after the smallest (`model`, as the transcript names it, says tiny.en)."""
    counted = _counted(words)
    if counted is None:
        return None
    heard, unsure = counted
    if unsure < UNSURE_SHARE * len(heard):
        return None
    runs = _runs(heard)
    # the longest runs first, the least sure of equal length first, then the earliest
    ranked = sorted(
        runs, key=lambda r: (-len(r), sum(w.probability for w in r) / len(r), r[0].start)
    )
    places = sorted(ranked[:SHOWN], key=lambda r: r[0].start)
    return (
        f"the speech recogniser was unsure of {round(100 * unsure / len(heard))}% of the words "
        f"({unsure} of {len(heard)} under probability {UNSURE_BELOW}), so some were likely "
        "misheard and graded as said: check the transcript, above all at "
        f"{', '.join(_place(r) for r in places)}; a quieter room or a closer microphone "
        + (
            "helps, and so does transcribing with the larger recogniser (--transcriber base)"
            if model and "tiny.en" in model
            else "helps"
        )
    )
