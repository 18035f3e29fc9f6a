"""Open questions: a free-text question is graded against itself and the bank cases near it, never
judged off-topic against one case it is only near, and kept as typed in reports and history."""

import pytest

from grader.practice.history import History
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
FRAUD = (EXAMPLES / "fraud_detection_notes.md").read_text(encoding="utf-8")
NOTIFICATIONS = "Design a notification ranking system"


def _scaled(report) -> bool:
    return any("scores were scaled" in w for w in report.warnings)


def test_a_question_near_a_bank_case_is_graded_as_asked(grader, strong_answer, tmp_path):
    report = grader.grade(strong_answer, NOTIFICATIONS)
    q = report.question
    assert q.matched_by == "retrieval" and q.asked == NOTIFICATIONS and q.informed_by
    assert not _scaled(report)  # a ranking design answers a ranking question
    history = History(tmp_path / "h.sqlite3")
    attempt = history.get(history.save(strong_answer, report))
    assert attempt.question_title == NOTIFICATIONS and attempt.question_id is None


def test_an_answer_to_another_question_is_still_off_topic(grader):
    report = grader.grade(FRAUD, NOTIFICATIONS)
    assert _scaled(report) and report.overall_score < 20


def test_a_case_picked_by_id_keeps_its_title(grader, strong_answer, tmp_path):
    report = grader.grade(strong_answer, "video_recommendation")
    history = History(tmp_path / "h.sqlite3")
    attempt = history.get(history.save(strong_answer, report))
    assert attempt.question_id == "video_recommendation"
    assert attempt.question_title == report.question.title


def test_open_question_advice_fits_the_question_asked(grader):
    """Outside the case bank, "a strong answer says" quotes the concept's statement nearest the
    question asked, so a question about machine sensors is not advised with a video feed's example
    and two open questions get different advice, each closer to its own question."""
    import re

    from grader.knowledge.embedder import cosines

    answer = (
        "We would train a model on the historical data we have, put it behind an API and keep an "
        "eye on how accurate it is after launch."
    )
    questions = [
        "Design a predictive maintenance system that warns before factory machines fail, using "
        "their sensor readings",
        "Design a system that routes incoming customer support tickets to the right team",
    ]
    says = re.compile(r"A strong answer says: (.+?)(?: Watch out:|$)")
    advice = []
    for q in questions:
        r = grader.grade(answer, q)
        assert r.question.matched_by == "framework"
        advice.append([m.group(1) for c in r.components if (m := says.search(c.feedback))])
    assert len(advice[0]) > 10 and advice[0] != advice[1]
    asked = grader.embedder.embed(questions)
    for i, texts in enumerate(advice):
        closeness = cosines(grader.embedder.embed(texts), asked).mean(axis=0)
        assert closeness[i] > closeness[1 - i], (questions[i], closeness)
