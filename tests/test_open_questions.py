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
