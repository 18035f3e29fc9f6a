"""Mock interview logic with the real grader: follow-ups asked in order, replies graded for the probed
component only, coverage kept at the better result, scores recomputed with the grader's weights."""

import pytest

from grader.practice.mock_interview import CANDIDATE, INTERVIEWER, MockInterview
from grader.scoring.grading import step_score

pytestmark = pytest.mark.slow
UNSURE = "I am not sure, I would need to think about it more."


CREDIT = {"covered": 100, "partial": 50, "missing": 0}


def weighted(components) -> int:
    """The severity-weighted share of verdicts the grader uses for the overall score."""
    total = sum(c.weight * CREDIT[c.status] for c in components)
    return round(total / sum(c.weight for c in components))


@pytest.fixture(scope="module")
def weak_report(grader, weak_answer):
    return grader.grade(weak_answer, "video_recommendation")


def test_a_good_reply_covers_the_probed_component_and_raises_the_scores(
    grader, weak_answer, weak_report, strong_reply
):
    mock = MockInterview.start(weak_answer, weak_report, "video_recommendation")
    follow_up = mock.next_follow_up(grader.kb)
    assert follow_up == weak_report.follow_up_questions[0]  # the top follow-up first
    cid = follow_up.component_id
    rnd = mock.answer(grader, follow_up, strong_reply("video_recommendation", cid))
    assert (
        rnd.before_score == weak_report.component(cid).score and rnd.after_score > rnd.before_score
    )
    assert mock.report.component(cid).status != "missing" and rnd.improved
    # only that component changed; totals follow the grader's own weighting
    others = [c for c in mock.report.components if c.id != cid]
    assert others == [c for c in weak_report.components if c.id != cid]
    assert mock.report.overall_score == weighted(mock.report.components) > weak_report.overall_score
    step = next(s for s in mock.report.steps if cid in s.components)
    assert (step.score, step.coverage, step.said_words) == step_score(
        [mock.report.component(c) for c in step.components], grader.cal
    )
    assert step.score > weak_report.step(step.id).score
    assert cid not in mock.report.missed_critical or mock.report.component(cid).status == "missing"
    # evidence now quotes the reply, in place inside the interview text; the interviewer's line is never evidence
    assert (
        mock.text.startswith(weak_answer)
        and f"{INTERVIEWER}{follow_up.question}\n{CANDIDATE}" in mock.text
    )
    evidence = mock.report.component(cid).evidence
    assert any(e.start >= rnd.reply_start for e in evidence)
    assert not any(
        follow_up.question in e.quote for c in mock.report.components for e in c.evidence
    )
    for c in mock.report.components:
        for e in c.evidence:
            assert mock.text[e.start : e.end] == e.quote


def test_a_weak_reply_keeps_the_better_old_result(grader, weak_answer, weak_report, strong_reply):
    mock = MockInterview.start(weak_answer, weak_report, "video_recommendation", max_rounds=2)
    first = mock.next_follow_up(grader.kb)
    rnd = mock.answer(grader, first, UNSURE)
    assert rnd.graded_score <= rnd.before_score == rnd.after_score and not rnd.improved
    assert mock.report.overall_score == weak_report.overall_score
    assert mock.report.component(first.component_id) == weak_report.component(first.component_id)
    second = mock.next_follow_up(grader.kb)
    assert second.component_id != first.component_id  # never the same component twice
    assert not mock.finished(grader.kb)
    mock.answer(grader, second, strong_reply("video_recommendation", second.component_id))
    assert mock.finished(grader.kb)
    summary = mock.summary()
    assert summary.overall_before == weak_report.overall_score < summary.overall_after
    assert [c.id for c in summary.improved] == [second.component_id]
    assert [c.id for c in summary.not_improved] == [first.component_id]
    lines = summary.lines()
    assert lines[0] == f"2 rounds: overall {weak_report.overall_score} -> {summary.overall_after}."
    assert any(line.startswith(f"Improved {summary.improved[0].title}") for line in lines)


def test_a_reply_takes_no_credit_for_what_an_earlier_reply_said(
    grader, weak_answer, weak_report, strong_reply
):
    """A candidate answers the first question with content for the second one's component, then
    says they don't know to the second: the second reply moves nothing, whatever the first said."""
    mock = MockInterview.start(weak_answer, weak_report, "video_recommendation")
    first = mock.next_follow_up(grader.kb)
    later = next(
        f.component_id
        for f in weak_report.follow_up_questions
        if f.component_id != first.component_id
        and weak_report.component(f.component_id).status != "covered"
    )
    mock.answer(grader, first, strong_reply("video_recommendation", later))
    assert mock.report.component(later) == weak_report.component(later)  # not the probed one
    second = mock.next_follow_up(grader.kb)
    assert second.component_id == later
    rnd = mock.answer(grader, second, "I don't know.")
    assert not rnd.improved and rnd.after_score == weak_report.component(later).score
    assert mock.report.component(later) == weak_report.component(later)


def test_the_knowledge_base_supplies_questions_beyond_the_report(grader, weak_answer, weak_report):
    exhausted = weak_report.model_copy(update={"follow_up_questions": []})
    mock = MockInterview.start(weak_answer, exhausted)
    assert (
        mock.next_follow_up() is None and mock.finished()
    )  # the report alone has nothing left to ask
    follow_up = mock.next_follow_up(grader.kb)
    gaps = sorted(
        (c for c in weak_report.components if c.status != "covered"),
        key=lambda c: (-c.weight * (100 - c.score), c.id),
    )
    assert follow_up.component_id == gaps[0].id  # the costliest gap first
    assert follow_up.question in grader.kb.concepts[gaps[0].id].questions(["recommendation"])
    mock.answer(grader, follow_up, UNSURE)
    assert (
        mock.next_follow_up(grader.kb).component_id == gaps[1].id
    )  # never the same component twice


def test_a_challenge_is_asked_though_its_component_is_covered(grader, strong_answer):
    """The passage making a choice often covers its component; the challenge of it is still the
    first question (the mock skipped every follow-up of a covered component)."""
    answer = strong_answer + "\n\nWe evaluate with a random 80/20 train/test split.\n"
    report = grader.grade(answer, "video_recommendation")
    (challenge,) = [f for f in report.follow_up_questions if f.kind == "challenge"]
    assert report.component(challenge.component_id).status == "covered"
    assert MockInterview.start(answer, report).next_follow_up() == challenge


def test_an_empty_reply_is_refused_and_changes_nothing(grader, weak_answer, weak_report):
    from grader.errors import InputError

    mock = MockInterview.start(weak_answer, weak_report)
    with pytest.raises(InputError, match="reply is empty"):
        mock.answer(grader, mock.next_follow_up(), "  \n ")
    assert mock.rounds == [] and mock.text == weak_answer


def test_feedback_lists_only_the_points_the_reply_did_not_make(grader, weak_answer, weak_report):
    from grader.practice.mock_interview import Round, reply_feedback

    mock = MockInterview.start(weak_answer, weak_report, "video_recommendation")
    follow_up = mock.next_follow_up(grader.kb)
    comp = weak_report.component(follow_up.component_id)
    assert comp.status != "covered"
    point = follow_up.listen_for[1]  # a strong reply's point, said in so many words
    rnd = Round(
        question=follow_up.question, component_id=comp.id, component_title=comp.title,
        reply=f"{point} That is how I would do it.", reply_start=len(mock.text),
        graded_score=comp.score, before_score=comp.score, after_score=comp.score,
        before_status=comp.status, after_status=comp.status,
    )  # fmt: skip
    feedback = reply_feedback(mock, rnd, follow_up)
    assert feedback.still_missing == [p for p in follow_up.listen_for if p != point]


def test_feedback_does_not_list_a_point_the_answer_made_already(grader, weak_answer, weak_report):
    """The probe may quote what the answer said: a point made there, in a passage credited to the
    component, is not "still missing" after a reply that does not repeat it; a quote cut from a
    longer passage is shown with its cut marked."""
    from grader.practice.mock_interview import Round, reply_feedback
    from grader.report import Evidence

    first = MockInterview.start(weak_answer, weak_report, "video_recommendation")
    follow_up = first.next_follow_up(grader.kb)
    comp = weak_report.component(follow_up.component_id)
    point = follow_up.listen_for[1]
    quoted = comp.model_copy(
        update={"evidence": [Evidence(quote=point, start=0, end=len(point), similarity=0.5)]}
    )
    report = weak_report.model_copy(
        update={"components": [quoted if c.id == comp.id else c for c in weak_report.components]}
    )
    mock = MockInterview.start(weak_answer, report, "video_recommendation")
    rnd = Round(
        question=follow_up.question, component_id=comp.id, component_title=comp.title,
        reply="I am not sure.", reply_start=len(mock.text), graded_score=comp.score,
        before_score=comp.score, after_score=comp.score, before_status=comp.status,
        after_status=comp.status,
    )  # fmt: skip
    feedback = reply_feedback(mock, rnd, follow_up)
    assert feedback.still_missing == [p for p in follow_up.listen_for if p != point]
    assert reply_feedback(first, rnd, follow_up).still_missing == follow_up.listen_for
    cut = Evidence(quote="meaning the rate", start=len(mock.text), end=len(mock.text) + 16,
                   similarity=0.5, excerpt=True)  # fmt: skip
    mock.report = report.model_copy(
        update={
            "components": [
                quoted.model_copy(update={"evidence": [cut]}) if c.id == comp.id else c
                for c in report.components
            ]
        }
    )
    wide = rnd.model_copy(update={"reply": "I would compare it, meaning the rate, weekly."})
    assert reply_feedback(mock, wide, follow_up).added == ["…meaning the rate…"]


def test_feedback_says_when_a_reply_moved_a_score_without_a_quote():
    from grader.app.mock_interview import feedback_markdown

    same_args = {"before_score": 13, "after_score": 13, "after_status": "missing"}

    reply = {"component_title": "Bias and fairness", "added": [], "still_missing": []}
    moved = feedback_markdown(
        {**reply, "before_score": 13, "after_score": 22, "after_status": "missing"}
    )
    assert "raised Bias and fairness" in moved and "(13 → 22/100, missing)" in moved
    assert "added nothing" not in moved
    same = feedback_markdown(
        {**reply, "before_score": 13, "after_score": 13, "after_status": "missing"}
    )
    assert "added nothing the rubric counts" in same and "still 13/100" in same
    # on point, but what the answer was already credited for: said so, with the reply's words
    repeated = feedback_markdown(
        {**same_args, **reply, "on_point": ["We audit per-group error rates monthly."]}
    )
    assert "on point for Bias and fairness" in repeated and "already credited" in repeated
    assert "> We audit per" in repeated and "error rates monthly" in repeated
    assert "added nothing" not in repeated


def test_a_round_records_the_reply_sentences_its_component_cites(grader, strong_answer):
    """Whether or not the score rises, the round keeps the reply's sentences the regraded component
    cites; feedback calls them "on point" only when they raised nothing (the answer was already
    credited for them), and "added" when they did."""
    from grader.practice.mock_interview import reply_feedback
    from grader.report import FollowUp

    report = grader.grade(strong_answer, "video_recommendation")
    comp = report.component("monitoring_metrics")
    mock = MockInterview.start(strong_answer, report, "video_recommendation")
    follow_up = FollowUp(
        question="What would you monitor once it is live?", component_id=comp.id, why="probe"
    )
    reply = (
        "I would put dashboards and alerts on request rate, error rate and p99 latency, plus the "
        "click-through rate per country, and page the on-call engineer when one crosses its "
        "threshold."
    )
    rnd = mock.answer(grader, follow_up, reply)
    assert rnd.on_point == [reply]
    feedback = reply_feedback(mock, rnd, follow_up)
    if rnd.improved:
        assert feedback.added and not feedback.on_point
    else:
        assert feedback.on_point == [reply] and not feedback.added
    # had it raised nothing (the interview's report as before the reply): on point, not added
    fresh = MockInterview.start(strong_answer, report, "video_recommendation")
    same = rnd.model_copy(update={"after_score": rnd.before_score, "after_status": comp.status})
    kept = reply_feedback(fresh, same, follow_up)
    assert kept.on_point == [reply] and not kept.added


def test_a_reply_that_only_names_terms_or_talks_of_else_raises_nothing(
    grader, weak_answer, weak_report
):
    """A reply raises its component only by a passage of its own quoted for it: a list of the
    component's buzzwords, or talk of something else, leaves the score where it was."""
    from grader.report import FollowUp

    for cid in ("scaling", "privacy"):
        old = weak_report.component(cid)
        asked = FollowUp(question=f"What about {old.title}?", component_id=cid, why="", kind="gap")
        for reply in (
            "Kubernetes, autoscaling, GPUs, serverless, caching, sharding, load balancers, CDN.",
            "I think the app needs a dark mode, and the brand colours could be more vibrant.",
        ):
            mock = MockInterview.start(weak_answer, weak_report, "video_recommendation")
            rnd = mock.answer(grader, asked, reply)
            assert rnd.after_score == old.score and not rnd.improved, (cid, reply)
            assert mock.report.component(cid) == old


def test_the_report_saved_after_an_interview_says_what_its_rounds_changed(
    grader, weak_answer, weak_report, strong_reply
):
    """Saved to the history, an interview's report carries its summary (rounds, overall before
    and after, what improved), so that opening or exporting the attempt shows it again."""
    mock = MockInterview.start(weak_answer, weak_report, "video_recommendation")
    follow_up = mock.next_follow_up(grader.kb)
    mock.answer(grader, follow_up, strong_reply("video_recommendation", follow_up.component_id))
    saved = mock.saved_report()
    assert saved.summary.startswith("Mock interview, 1 round: overall ")
    assert f"{weak_report.overall_score} -> {mock.report.overall_score}" in saved.summary
    assert saved.model_copy(update={"summary": None}) == mock.report.model_copy(
        update={"summary": None}
    )
