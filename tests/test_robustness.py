"""Fuzzed inputs never crash the library, and concurrent gradings equal their sequential twins."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.answers.decode import decode_answer
from grader.errors import InputError
from grader.scoring.segment import segment
from tests.conftest import EXAMPLES

TRICKY = st.sampled_from(
    ["\u200b", "\u202e", "\ufeff", "\U000e0041", "\x00", "\r\n", "#" * 7, "- " * 50, "é", "👍"]
)
TEXT = st.lists(st.one_of(st.text(max_size=80), TRICKY), max_size=30).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000))
def test_decode_accepts_or_refuses_cleanly(data):
    try:
        text = decode_answer(data, "fuzz.txt")
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(text, str)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_segments_are_always_exact_spans(text):
    for u in segment(text):
        assert text[u.start : u.end] == u.text and u.clean


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=TEXT,
    question=st.sampled_from(["fraud_detection", "Design a chat app", "video recommendation"]),
)
def test_grade_gives_a_report_or_one_clear_error(fast_grader, text, question):
    try:
        report = fast_grader.grade(text, question)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert 0 <= report.overall_score <= 100
    for c in report.components:
        for e in [*c.evidence, *([c.mention] if c.mention else [])]:
            assert text[e.start : e.end] == e.quote


def test_huge_single_line_and_deep_nesting(fast_grader):
    line = "monitor drift with psi " * 4000  # one 16,000-word line
    assert fast_grader.grade(line, "fraud_detection").overall_score >= 0
    nested = "\n".join(
        ">" * depth + " - " * depth + "retrain weekly on fresh labels" for depth in range(1, 100)
    )
    assert fast_grader.grade(nested, "fraud_detection").answer_stats.units > 0
    # rubric words then a 100,000-digit number: read for a quantity in linear time (a
    # backtracking pattern took 36 s on 20,000 digits, and grows with their square)
    digits = "Retrain the model with the feature store " + "7" * 100_000
    assert fast_grader.grade(digits, "fraud_detection").overall_score >= 0


@pytest.mark.slow
def test_concurrent_gradings_match_sequential(grader):
    answers = [
        (EXAMPLES / name).read_text()
        for name in [
            "video_recommendation_strong.md",
            "video_recommendation_weak.md",
            "fraud_detection_notes.md",
            "fraud_detection_transcript.txt",
        ]
    ]
    questions = [
        "video_recommendation",
        "video_recommendation",
        "fraud_detection",
        "fraud_detection",
    ]
    jobs = [(answers[i % 4], questions[i % 4]) for i in range(24)]
    sequential = {q + a[:40]: grader.grade(a, q).to_json() for a, q in zip(answers, questions)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: (job, grader.grade(*job).to_json()), jobs))
    for (a, q), got in results:
        assert got == sequential[q + a[:40]]


def test_a_quote_is_what_the_answer_says_around_an_invisible_character(fast_grader):
    """A zero-width space is blanked for grading; a quote still reads the answer as written, so
    answer[start:end] == quote."""
    text = "0:OFFLINE:METRICS\u200b0 and PR-AUC on a held-out month of transactions"
    report = fast_grader.grade(text, "fraud_detection")
    for c in report.components:
        for e in [*c.evidence, *([c.mention] if c.mention else [])]:
            assert text[e.start : e.end] == e.quote
