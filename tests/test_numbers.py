"""Spoken numbers in quotes: a quote of unpunctuated speech never cuts a run of number words
("p ninety" | "nine latency"); it holds the run whole, or leaves it out when that would take too many
words, and a number the grading did not read is never taken in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.answers.files import read_text
from grader.answers.numbers import MAX_EXTEND, NumberRuns
from grader.pipeline import grade_input

SPEECH = (
    "so for serving we put the ranker behind an online feature store and we watch p ninety nine "
    "latency under two hundred milliseconds with an alert when it goes over three hundred "
    "milliseconds for five minutes and then we do a canary rollout to five percent of traffic "
    "first the candidate generation uses two tower embeddings with about one thousand candidates "
    "per request and the ranker is a gradient boosted tree for monitoring we track click through "
    "rate and watch time daily and the feature drift with population stability index above zero "
    "point two raising an alert we retrain the model every twenty four hours on the last thirty "
    "days of logged impressions and we do an a b test for two weeks before a full launch"
)
# the test's own list: a boundary between two of these words cuts a spoken number
SPOKEN = set(
    """zero one two three four five six seven eight nine ten twenty thirty forty fifty sixty
    seventy eighty ninety hundred thousand million point percent p milliseconds""".split()
)


def _spoken(lead: int) -> str:
    """The strong example answer as unpunctuated speech, with SPEECH said in its middle after
    `lead` filler words."""
    written = (
        Path(__file__).parent.parent / "examples" / "video_recommendation_strong.md"
    ).read_text()
    words = re.sub(r"[^a-z0-9' ]+", " ", written.lower()).split()
    return " ".join([*words[:150], *["well"] * lead, SPEECH, *words[150:]])


def _cut(text: str, start: int, end: int) -> list[str]:
    """The ends of text[start:end] that fall between two words of a spoken number."""
    inside = text[start:end].split()
    before, after = text[:start].split()[-1:], text[end:].split()[:1]
    cuts = []
    if before and inside and before[0] in SPOKEN and inside[0] in SPOKEN:
        cuts.append(f"{before[0]} | {inside[0]}")
    if after and inside and inside[-1] in SPOKEN and after[0] in SPOKEN:
        cuts.append(f"{inside[-1]} | {after[0]}")
    return cuts


def _quoted(text: str, start: int, end: int) -> str:
    runs = NumberRuns(text)
    s, e = runs.whole(start, end)
    return text[s:e]


def test_an_end_inside_a_number_moves_out_to_hold_it_whole():
    text = "we watch p ninety nine latency under two hundred milliseconds daily"
    assert _quoted(text, 0, text.index(" nine")) == "we watch p ninety nine"
    at = text.index("nine latency")
    assert (
        _quoted(text, at, len(text)) == "p ninety nine latency under two hundred milliseconds daily"
    )
    at = text.index("hundred")
    assert _quoted(text, 0, at + len("hundred")) == text[: text.index(" daily")]
    # "zero point two", "99.9 percent", "twenty-four hours", "p99 and p fifty"
    text = "psi above zero point two and an sla of 99.9 percent over twenty-four hours"
    assert _quoted(text, 0, text.index(" two")) == "psi above zero point two"
    assert (
        _quoted(text, 0, text.index(" percent"))
        == "psi above zero point two and an sla of 99.9 percent"
    )
    assert _quoted(text, text.index("hours"), len(text)) == "twenty-four hours"


def test_a_boundary_that_cuts_no_number_stays_where_it_is():
    text = "we train one model per region. Two hundred features feed it"
    for start, end in [(0, text.index(" model")), (text.index("Two"), len(text)), (0, 30)]:
        assert NumberRuns(text).whole(start, end) == (start, end)
    # a full stop or a comma ends a number: "ninety. Nine" and "two, three" are two numbers
    text = "latency of ninety. Nine teams use two, three models"
    for end in (text.index(". Nine") + 1, text.index(", three") + 1):
        assert NumberRuns(text).whole(0, end) == (0, end)
    # nor across a blank line
    text = "we keep five\n\nhundred replicas"
    assert NumberRuns(text).whole(0, text.index("\n")) == (0, text.index("\n"))


def test_a_long_run_is_left_out_rather_than_quoted_far_past_the_end():
    count = " ".join(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    text = f"we count {count} and stop"
    cut = text.index(" three")  # inside the run, with more than MAX_EXTEND words after it
    assert len(text[cut:].split()) - 2 > MAX_EXTEND
    assert _quoted(text, 0, cut) == "we count"
    assert _quoted(text, text.index("four"), len(text)) == text[text.index("one") :]
    assert _quoted(text, text.index("eight"), len(text)) == "and stop"


def test_a_number_the_grading_did_not_read_is_not_taken_in():
    text = "Candidate: we watch p ninety\nInterviewer: nine what\nCandidate: ok"
    read = text.replace("Interviewer: nine what", " " * len("Interviewer: nine what"))
    runs = NumberRuns(text, read)
    assert runs.whole(11, text.index("\n")) == (11, text.index("\n"))


def _clock(seconds: int) -> str:
    return f"00:{seconds // 60:02d}:{seconds % 60:02d},000"


@pytest.mark.slow
@pytest.mark.parametrize("lead", range(12))
def test_quotes_of_unpunctuated_speech_never_cut_a_spoken_number(grader, lead):
    """The same speech with 0 to 11 words before it, so that word windows start and stop at every
    place in its numbers ("p ninety" | "nine latency" at some of them); the scores are the same
    as the quotes' ends move."""
    text = _spoken(lead)
    report = grade_input(grader, text, "video_recommendation")
    assert report.overall_score == grader.grade(text, "video_recommendation").overall_score
    quoted = [e for c in report.components for e in c.evidence]
    assert quoted
    for e in quoted:
        assert text[e.start : e.end] == e.quote
        assert not _cut(text, e.start, e.end), e.quote
    # a transcript: the same words in timed cues, quoted from the text the user sees
    words = text.split()
    cues = "\n\n".join(
        f"{n + 1}\n{_clock(2 * n)} --> {_clock(2 * n + 2)}\n{' '.join(words[k : k + 5])}"
        for n, k in enumerate(range(0, len(words), 5))
    )
    answer = read_text(cues)
    report = grade_input(grader, answer, "video_recommendation")
    for e in (e for c in report.components for e in c.evidence):
        assert answer.text[e.start : e.end] == e.quote
        assert not _cut(" ".join(answer.text.split("\n")), e.start, e.end), e.quote
