"""Lines of a written answer giving the interviewer's words are what was asked, not what the
candidate said: they are not counted."""

from grader.scoring.asked import interviewer_lines
from tests.conftest import EXAMPLES

ASKED = [
    "Interviewer: So you'd watch PSI on every feature, alert on a shift and retrain on fresh data?",
    '> **Interviewer:** "How would you monitor this model for drift and data quality?"',
    "Interviewer (Sam): and how would you roll it out, behind a canary with a rollback?",
]


def test_the_interviewers_lines_are_found_in_the_forms_people_write_them():
    text = "\n".join(["We rank with a GBDT.", *ASKED, "Me: yes, exactly."]) + "\n"
    assert [text[s:e] for s, e in interviewer_lines(text)] == ASKED
    said = (
        "The interviewer: asked about drift, so we compare PSI weekly.\nInterviewers: 3 per loop.\n"
    )
    assert interviewer_lines("We rank with a GBDT; interviewer: none.\n") == []
    fields = "- Interviewer: id, calendar, expertise tags\n```\nInterviewer: a log line\n```\n"
    assert interviewer_lines(fields) == []  # a field of a design about interviews; code
    assert [said[s:e] for s, e in interviewer_lines(said)] == []


def test_a_turn_runs_on_over_the_lines_plainly_still_the_interviewers():
    quoted = (
        "> **Interviewer:** how would you monitor it?\n> PSI on every feature, paging on a shift?\n"
    )
    labelled = "Interviewer: and drift?\nWould you retrain on a PSI alert?\nMe: yes, exactly.\n"
    assert [quoted[s:e] for s, e in interviewer_lines(quoted + "\nYes.\n")] == [quoted[:-1]]
    turn = labelled.split("\nMe")[0]
    assert [labelled[s:e] for s, e in interviewer_lines(labelled)] == [turn]
    # the candidate's side unlabelled: the line after the question may be their answer
    answered = "Interviewer: and drift?\nWe compare PSI weekly on every feature.\n"
    assert [answered[s:e] for s, e in interviewer_lines(answered)] == ["Interviewer: and drift?"]
    ended = "Interviewer: and drift?\nMore of the question?\n\nWe compare PSI weekly.\nMe: done.\n"
    assert [ended[s:e] for s, e in interviewer_lines(ended)] == [ended.split("\n\n")[0]]


def test_the_interviewers_words_raise_no_score_and_are_listed_as_not_counted(grader):
    weak = (EXAMPLES / "video_recommendation_weak.md").read_text()
    before = grader.grade(weak, "video_recommendation")
    dialogue = "\n\n".join(f"{line}\n\nYes, exactly." for line in ASKED)
    after = grader.grade(weak + "\n" + dialogue + "\n", "video_recommendation")
    scores = {c.id: c.score for c in before.components}
    assert all(c.score <= scores[c.id] for c in after.components)
    assert [p.quote for p in after.ignored if p.reason == "interviewer"] == ASKED
    assert any("giving the interviewer's words" in w for w in after.warnings)
    bodies = [line.split(":", 1)[1].strip(" *") for line in ASKED]
    multi = "\n\n".join(f"Interviewer: so?\n{body}\nMe: Yes, exactly." for body in bodies)
    again = grader.grade(weak + "\n" + multi + "\n", "video_recommendation")
    assert all(c.score <= scores[c.id] for c in again.components)
