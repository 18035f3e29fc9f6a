"""Every page of the Streamlit app through `streamlit.testing.v1.AppTest`, with the real deterministic
grader (the same index as the `grader` fixture; `st.cache_resource` keeps one grader for all tests)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from grader import report as grader_report
from grader.app import drafts, state
from grader.app.practice import GRADE_INTO_VIEW, scroll_script
from grader.app.report_view import NARROW_STYLE, ordered
from grader.app.safe import inert
from grader.practice.history import History
from grader.report import GradeReport

pytestmark = pytest.mark.slow
QUESTION = "video_recommendation"
KEY = "sk-app-test-0123456789SECRETKEY"


def _app(start: str) -> None:
    from grader.app.nav import main

    main(start)


@pytest.fixture(scope="module")
def data_dir(real_index_dir, tmp_path_factory):
    """The app's environment: the test index, no automatic index build, a private history folder."""
    data = tmp_path_factory.mktemp("app-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLSD_INDEX_DIR", str(real_index_dir))
        mp.setenv("MLSD_AUTO_INDEX", "0")
        mp.setenv("MLSD_DATA_DIR", str(data))
        mp.setenv("MLSD_CONFIG", os.devnull)  # no personal LLM config file
        for var in (
            "MLSD_LLM",
            "MLSD_LLM_API_KEY",
            "OPENAI_API_KEY",
            "MLSD_LLM_MODEL",
            "MLSD_LLM_BASE_URL",
        ):
            mp.delenv(var, raising=False)
        state.fresh_grader.clear()
        yield data
        state.fresh_grader.clear()


@pytest.fixture()
def history(data_dir):
    h = History()
    h.clear()
    return h


@pytest.fixture(scope="module")
def weak(grader, weak_answer):
    return grader.grade(weak_answer, QUESTION)


def run_app(
    start: str = "practise", session: dict | None = None, query: dict | None = None
) -> AppTest:
    at = AppTest.from_function(_app, kwargs={"start": start}, default_timeout=180)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.query_params.update(query or {})
    return at.run()


def shown_report(report, text: str) -> dict:
    return {
        state.REPORT: report,
        state.REPORT_TEXT: text,
        state.REPORT_QUESTION: QUESTION,
        state.REPORT_ATTEMPT: None,
        state.REPORT_GRADED: text,
    }


def all_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (
            "markdown",
            "caption",
            "error",
            "warning",
            "info",
            "success",
            "metric",
            "title",
            "header",
            "subheader",
            "text_area",
        )
        for e in getattr(at, kind)
    ]
    parts += [
        w.value for w in at.text_input if w.key != state.API_KEY
    ]  # the key's own field is a password box
    return "\n".join(str(p) for p in parts)


def _a_keeper(body: str, sid: str) -> bool:
    """Whether a page's HTML is the keeper of typed words for this session, holding no user text:
    its boxes are the known ones, each with a 16-digit digest of what the app holds."""
    before, after = drafts._KEEPER.replace("SID", json.dumps(sid), 1).split("BOXES")
    if not (body.startswith(before) and body.endswith(after)):
        return False
    boxes = json.loads(body[len(before) : len(body) - len(after)])
    return all(
        set(b) == {"name", "selector", "sends", "base"}
        and (b["selector"], b["sends"]) == drafts.BOXES[b["name"]]
        and re.fullmatch(r"[0-9a-f]{16}", b["base"])
        for b in boxes
    )


def assert_inert(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    # no HTML but the app's own scripts: the scroll to the report, and the keeper of typed words
    # (which holds no user text: the session id and a digest)
    ours = {scroll_script("report"), GRADE_INTO_VIEW, NARROW_STYLE}  # and the narrow screens' style
    sid = at.session_state[drafts.SESSION_ID] if drafts.SESSION_ID in at.session_state else None
    bodies = [h.proto.body for h in at.get("html")]
    ours.update(b for b in bodies if sid and _a_keeper(b, sid))
    assert all(h.proto.body in ours for h in at.get("html"))
    assert all(not m.allow_html for m in at.markdown)


def test_practise_grades_shows_the_report_and_saves_the_attempt(history, kb, weak, weak_answer):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION).run()
    assert at.info[0].value == kb.cases[QUESTION].prompt  # the question's prompt is shown
    at.text_area(key="answer_text").input(weak_answer)
    at.button(key="grade").click().run()
    assert_inert(at)
    assert (
        at.status[0].label == f"Graded: {weak.overall_score}/100"
        and at.status[0].state == "complete"
    )
    assert (
        at.metric[0].label == "Overall score" and at.metric[0].value == f"{weak.overall_score}/100"
    )
    # what to check before comparing the score is marked on it (the weak answer makes claims)
    assert at.metric[0].proto.delta == "check: claims"
    callouts = [e.value for e in at.error]  # one box names them all; why each matters is folded
    missed = [weak.component(c).title for c in weak.missed_critical]
    assert len(callouts) == 1 and f"Missed critical components ({len(missed)})" in callouts[0]
    assert "Cold start for newcomers with no history" in missed
    assert all(inert(title) in callouts[0] for title in missed)
    why = next(e for e in at.expander if e.label == "Why each missed critical component matters")
    assert all(
        inert(weak.component(c).feedback) in why.markdown[0].value for c in weak.missed_critical
    )
    table = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    gaps_first = ordered(weak)  # biggest gaps first, then the covered components
    assert list(table["Component"]) == [c.title for c in gaps_first]
    assert list(table["Status"]) == [c.status for c in gaps_first]
    assert list(table["Score"]) == [c.score for c in gaps_first]
    assert gaps_first[0].status != "covered"
    first = weak.follow_up_questions[0].question
    assert any(first.rstrip("?") in m.value.replace("\\", "") for m in at.markdown)
    # what the answer did well is said before what to change, as in the Markdown report
    page = [m.value for m in at.markdown]
    kept = next(i for i, v in enumerate(page) if v.startswith("**What the answer did well**"))
    assert weak.strengths and all(inert(x) in page[kept] for x in weak.strengths)
    assert kept < next(i for i, v in enumerate(page) if v.startswith("**Top improvements**"))
    assert {b.label for b in at.get("download_button")} >= {
        "Download Markdown",
        "Download JSON",
        "Download the interviewer sheet",  # the interviewer's page, as `mlsd sheet` writes it
    }
    links = [link.value for link in at.page_link]
    assert [any(link.startswith(r.title) for link in links) for r in weak.recommended_reading] == [
        True
    ] * len(weak.recommended_reading)
    # the selected component's quotes are highlighted in place
    picker = next(s for s in at.selectbox if s.key.startswith("practise_evidence_"))
    chosen = weak.component(picker.value)
    assert chosen.evidence and any(":violet-background[**" in m.value for m in at.markdown)
    saved = history.list()
    assert len(saved) == 1 and saved[0].answer == weak_answer and saved[0].mode == "practice"
    assert (
        saved[0].report == at.session_state[state.REPORT]
        and saved[0].overall_score == weak.overall_score
    )


def test_a_report_says_when_the_answer_or_question_on_screen_has_changed(history, weak_answer):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION).run()
    at.text_area(key="answer_text").input(weak_answer)
    at.button(key="grade").click().run()
    assert not [w for w in at.warning if "changed the" in w.value]
    at.text_area(key="answer_text").input(weak_answer + "\n\nWe retrain weekly.").run()
    assert any("changed the answer since" in w.value for w in at.warning)
    at.selectbox(key="q_case").set_value("fraud_detection").run()
    assert any("changed the question and the answer" in w.value for w in at.warning)
    at.button(key="grade").click().run()  # graded again: the report is for what is on screen
    assert not [w for w in at.warning if "changed the" in w.value]
    # a double click grades the same answer twice: one attempt
    at.button(key="grade").click().run()
    assert len(history.list()) == 2


def test_bad_input_is_one_line_and_keeps_what_was_typed(history):
    at = run_app()
    at.radio(key="q_mode").set_value("My own question").run()
    at.text_input(key="q_text").input("video_recomendation_x")
    typed = "My design starts with the business goal and then the data."
    at.text_area(key="answer_text").input(typed)
    at.button(key="grade").click().run()
    assert_inert(at)
    assert len(
        at.error
    ) == 1 and "unknown question id 'video_recomendation_x'; did you mean video_recommendation" in (
        at.error[0].value.replace("\\", "")
    )
    assert (
        at.text_area(key="answer_text").value == typed
        and at.text_input(key="q_text").value == "video_recomendation_x"
    )
    at.text_area(key="answer_text").input("   ")
    at.text_input(key="q_text").input("How would you rank search results?")
    at.button(key="grade").click().run()
    assert "the answer is empty" in at.error[0].value and not at.metric
    assert history.list() == []


def test_a_long_question_is_taken_and_said_not_silently_cut(history, weak_answer):
    """The question box took no paste over 3,000 characters and said nothing; a question with
    pages of context was then repeated whole above the report. Over the limit is said under the
    box (and grading says why it refuses); a long question is cut in the report's question line,
    and shown whole when asked for."""
    context = "The platform serves short videos to viewers in forty countries. " * 20
    question = "Design the home feed recommender for a video app. " + context
    at = run_app()
    at.radio(key="q_mode").set_value("My own question").run()
    at.text_input(key="q_text").input(question + context * 3).run()
    assert any("over the 3,000 the grader reads" in w.value for w in at.warning)
    at.text_input(key="q_text").input(question)
    at.text_area(key="answer_text").input(weak_answer)
    at.button(key="grade").click().run()
    assert_inert(at)
    assert not any("over the 3,000" in w.value for w in at.warning)
    line = next(c.value for c in at.caption if c.value.startswith("Question:"))
    assert len(line) < 600 and "…" in line
    whole = next(e for e in at.expander if e.label == "The whole question")
    assert whole.text[0].value == " ".join(question.split())


def test_no_case_is_chosen_for_the_user(history, weak_answer):
    """The case box started on the bank's first case: an answer graded before choosing was graded
    against another question, off topic, and saved at 0/100. Nothing is chosen at first, and
    grading says to choose."""
    at = run_app()
    assert at.selectbox(key="q_case").value is None
    at.text_area(key="answer_text").input(weak_answer)
    at.button(key="grade").click().run()
    assert "choose the question you answered" in at.error[0].value
    assert not at.metric and history.list() == []
    assert at.text_area(key="answer_text").value == weak_answer  # nothing typed is lost
    # the error is brought into view as it appears (it had been below the screen's edge), once
    assert [h.proto.body for h in at.get("html")].count(GRADE_INTO_VIEW) == 1
    at.run()
    assert GRADE_INTO_VIEW not in [h.proto.body for h in at.get("html")]
    assert "choose the question you answered" in at.error[0].value
    at.selectbox(key="q_case").set_value(QUESTION).run()  # chosen: the error about it goes
    assert not at.error


def test_a_few_words_are_graded_but_not_saved_as_an_attempt(history):
    """Someone trying the app out ("just testing this") gets a report, not a history row."""
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.text_area(key="answer_text").input("just testing this")
    at.button(key="grade").click().run()
    assert at.metric[0].value == "0/100"
    assert history.list() == []
    assert any("not saved to your history (3 words" in t.value for t in at.toast)


def test_an_uploaded_file_is_graded_and_the_pasted_text_survives(history, grader, strong_answer):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.text_area(key="answer_text").input("pasted draft, not graded this time")
    at.button_group(key="answer_source").set_value("upload").run()
    assert not at.text_area  # only the chosen input is drawn
    at.file_uploader(key="answer_file").upload("design.md", strong_answer.encode(), "text/markdown")
    at.button(key="grade").click().run()
    assert_inert(at)
    expected = grader.grade(strong_answer, QUESTION).overall_score
    assert at.metric[0].value == f"{expected}/100" and not at.error
    at.button_group(key="answer_source").set_value("paste").run()
    assert at.text_area(key="answer_text").value == "pasted draft, not graded this time"
    assert [a.overall_score for a in history.list()] == [expected]


def test_an_upload_is_named_before_grading_and_the_toast_says_where_it_was_saved(
    history, strong_answer
):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("upload").run()
    at.button(key="grade").click().run()  # no file yet: said so, not "paste your answer"
    error = at.error[0].value if len(at.error) == 1 else ""  # (Markdown-escaped)
    assert "no file to grade" in error and "box above" in error and "refused" in error
    at.file_uploader(key="answer_file").upload("design.md", strong_answer.encode(), "text/markdown")
    at.run()
    size = f"{len(strong_answer.encode()) / 1e3:.1f} KB"  # as the box writes it, not "0.0 MB"
    assert any(c.value.replace("\\", "") == f"To grade: design.md ({size})" for c in at.caption)
    at.button(key="grade").click().run()
    (first,) = history.list()
    assert any(f"saved as attempt #{first.id}." in t.value for t in at.toast)
    at.button(key="grade").click().run()  # the same file again: kept once, and said so
    assert [a.id for a in history.list()] == [first.id]
    assert any(f"already saved as attempt #{first.id}" in t.value for t in at.toast)


def test_an_unreadable_upload_shows_its_reason_once(history):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("upload").run()
    at.file_uploader(key="answer_file").upload("notes.md", b"\x00\x01binary", "text/markdown")
    at.button(key="grade").click().run()
    assert len(at.error) == 1 and "NUL bytes" in at.error[0].value
    assert not at.status  # the progress box goes: no second "Could not grade" box above it
    assert not at.metric and history.list() == []


def test_a_word_document_upload_is_graded_as_its_text(history):
    from tests.test_documents import _docx

    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("upload").run()
    at.file_uploader(key="answer_file").upload(
        "design.docx",
        _docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    at.button(key="grade").click().run()
    report = at.session_state[state.REPORT]
    assert at.status[0].state == "complete" and report.source.kind == "text"
    assert (report.source.format, report.source.name) == ("docx", "design.docx")
    assert "- PSI on the top 20 features daily" in at.session_state[state.REPORT_TEXT]


def test_a_recording_is_transcribed_on_this_machine_and_graded(history, tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: `apt-get install espeak-ng` (.ci/run installs it)")
    wav = tmp_path / "answer.wav"
    speech = (
        "For new users with no history I would show popular videos in their region, "
        "and new videos get a small exploration budget so they collect their first views."
    )
    subprocess.run(
        ["espeak-ng", "-s", "160", "-w", str(wav), speech], check=True, capture_output=True
    )
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("record").run()
    at.audio_input(key="answer_audio").upload("answer.wav", wav.read_bytes())
    at.button(key="grade").click().run()
    assert_inert(at)
    report = at.session_state[state.REPORT]
    assert at.status[0].state == "complete" and report.source.kind == "audio"
    assert "popular videos" in at.session_state[state.REPORT_TEXT].lower()
    assert report.pacing is not None and any(
        h.value == "Pacing" for h in at.subheader
    )  # timestamps give pacing
    assert [a.source_kind for a in history.list()] == ["audio"]


def test_markup_links_and_html_in_an_answer_stay_inert(history):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    evil = (
        "<script>alert(1)</script> Cold start: new users get [popular](https://evil.example/x) videos "
        "![x](https://evil.example/i.png) :red[red] $x$ https://evil.example/raw"
    )
    at.text_area(key="answer_text").input(evil)
    at.button(key="grade").click().run()
    assert_inert(at)
    answer = next(
        m.value for m in at.markdown if "evil.example/raw" in m.value and "script" in m.value
    )
    assert "\\<script\\>" in answer and "\\[popular\\]" in answer and "\\!\\[x\\]" in answer
    assert (
        "\\:red\\[red\\]" in answer
        and "\\$x\\$" in answer
        and "` https://evil.example/raw `" in answer
    )


def test_report_page(history, weak, weak_answer):
    empty = run_app("report")
    assert "No report yet" in empty.info[0].value
    at = run_app("report", session=shown_report(weak, weak_answer))
    assert_inert(at)
    assert at.title[0].value == "Report" and at.metric[0].value == f"{weak.overall_score}/100"
    assert len(at.error) == (1 if weak.missed_critical else 0)  # one box names them all
    # a link to an attempt that is not there shows no other report under it
    for missing in ("999", "abc"):
        lost = run_app(
            "report", session=shown_report(weak, weak_answer), query={"attempt": missing}
        )
        assert lost.warning and "No attempt" in lost.warning[0].value
        assert not lost.metric and lost.query_params["attempt"] == missing


def test_mock_interview_page(history, grader, kb, weak, weak_answer, strong_reply):
    empty = run_app("mock")
    assert "Grade an answer first" in empty.info[0].value
    at = run_app("mock", session=shown_report(weak, weak_answer))
    at.number_input(key="mock_rounds").set_value(1)
    at.button(key="mock_start").click().run()
    asked = weak.follow_up_questions[0]
    assert asked.question.rstrip("?") in at.chat_message[0].markdown[0].value.replace("\\", "")
    at.chat_input[0].set_value(strong_reply("video_recommendation", asked.component_id)).run()
    assert_inert(at)
    summary = "\n".join(m.value for m in at.markdown)
    title = kb.concepts[asked.component_id].title
    assert f"Improved {title}".replace("-", "\\-").split("(")[0] in summary
    after = at.session_state[state.MOCK].report.overall_score
    assert after > weak.overall_score and at.metric[0].value == f"{after}/100"
    saved = history.list()
    assert [a.mode for a in saved] == ["mock"] and saved[0].overall_score == after


def test_a_report_made_before_the_code_was_reloaded_still_starts_a_mock_interview(
    history, weak, weak_answer, monkeypatch
):
    # Streamlit reloads an edited module while the app runs: a report kept in the session is then
    # of the class as it was, which the interview's pydantic fields refuse
    spec = importlib.util.spec_from_file_location("report_before", grader_report.__file__)
    before = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, before)  # its annotations resolve in it
    spec.loader.exec_module(before)
    stale = before.GradeReport.model_validate(weak.model_dump(mode="json"))
    assert not isinstance(stale, GradeReport)
    at = run_app("mock", session=shown_report(stale, weak_answer))
    at.number_input(key="mock_rounds").set_value(1)
    at.button(key="mock_start").click().run()
    assert_inert(at)
    assert isinstance(at.session_state[state.REPORT], GradeReport)
    assert at.session_state[state.MOCK].initial == weak and at.chat_message


def test_mock_interview_names_the_question_as_typed(grader, weak_answer):
    typed = "Design the recommendations for a short-video app"
    report = grader.grade(weak_answer, typed)
    assert report.question.title != typed  # graded with a nearby case's rubric
    at = run_app("mock", session=shown_report(report, weak_answer))
    opening = "\n".join(m.value for m in at.markdown)
    assert f"Your answer to **{inert(typed)}**" in opening and report.question.title not in opening


def test_history_page(history, grader, weak, weak_answer, strong_answer):
    assert "No attempts yet" in run_app("history").info[0].value
    strong = grader.grade(strong_answer, QUESTION)
    weak_id = history.save(weak_answer, weak)
    strong_id = history.save(strong_answer, strong)
    at = run_app("history")
    assert_inert(at)
    listing = at.dataframe[0].value
    # the question, which tells attempts apart, right after the score (a phone shows three columns)
    assert list(listing.columns[:3]) == ["id", "score", "question"]
    assert list(listing["id"]) == [strong_id, weak_id] and list(listing["score"]) == [
        strong.overall_score,
        weak.overall_score,
    ]
    # what to check before comparing a score is said beside it, as each report warns
    assert list(listing["check"]) == ["", "claims"]
    # and how each answer begins: attempts at one long question had differed only by score
    for opening, answer in zip(listing["answer"], [strong_answer, weak_answer]):
        assert opening.endswith("…") and len(opening) <= 60
        assert " ".join(answer.split()).startswith(opening[:-1])
    assert at.get("vega_lite_chart")  # progress per step
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    # the legend reads the overall, then the steps in the framework's order
    assert spec["encoding"]["color"]["sort"] == ["Overall", *(s.title for s in weak.steps)]
    assert (
        at.selectbox(key="compare_a").value == weak_id
        and at.selectbox(key="compare_b").value == strong_id
    )
    a_steps, b_steps = at.dataframe[-3].value, at.dataframe[-2].value
    assert "Change" not in a_steps and list(b_steps["Change"]) == [
        s.score - weak.step(s.id).score for s in strong.steps
    ]  # B's steps say what moved since A, as the overall's delta does
    diff = at.dataframe[-1].value
    changes = [abs(x) for x in diff["Change"]]
    assert changes == sorted(changes, reverse=True) and changes[0] > 0  # what moved first
    cold = diff[diff["Component"] == weak.component("cold_start").title].iloc[0]
    assert (
        cold["A"].endswith("(missing)")
        and cold["Change"]
        == strong.component("cold_start").score - weak.component("cold_start").score
    )
    assert at.get("download_button")[0].label == "Export all attempts (JSON)"
    # delete needs a confirmation
    at.selectbox(key="history_attempt").set_value(weak_id).run()
    assert at.button(key="history_delete").disabled
    at.checkbox(key=f"history_delete_sure_{weak_id}").check().run()
    at.selectbox(key="history_attempt").set_value(strong_id).run()
    assert at.button(key="history_delete").disabled  # ticked for another attempt: not this one
    at.selectbox(key="history_attempt").set_value(weak_id).run()
    at.checkbox(key=f"history_delete_sure_{weak_id}").check().run()
    at.button(key="history_delete").click().run()
    assert [a.id for a in history.list()] == [strong_id]
    assert at.button(key="history_delete").disabled  # the next attempt starts unconfirmed
    # open an attempt in the report page
    at.button(key="history_open").click().run()
    assert at.title[0].value == "Report" and at.metric[0].value == f"{strong.overall_score}/100"


def test_an_attempt_whose_report_cannot_be_read_is_listed_with_nothing_to_check(
    history, weak, weak_answer
):
    """History lists an attempt saved in a report format this version cannot read, with no
    "check" (what to check comes from the report) rather than failing the page."""
    import sqlite3

    kept, lost = history.save(weak_answer, weak), history.save(weak_answer + " More.", weak)
    with sqlite3.connect(history.path) as conn:
        conn.execute("UPDATE attempts SET report_json = '{}' WHERE id = ?", (lost,))
    listing = run_app("history").dataframe[0].value
    assert list(listing["id"]) == [lost, kept] and list(listing["check"]) == ["", "claims"]


def test_an_attempt_opened_from_history_is_not_shown_under_another_answer(
    history, grader, weak, weak_answer, strong_answer
):
    """Opening an old attempt from History shows it on the Report page; Practise, holding another
    answer, says so instead of showing that report under it (a 97 had read as the weak answer's,
    under "you have changed the answer since"). With the attempt's own answer in the box (revised
    from the Report page), its report is shown there as before."""
    strong = grader.grade(strong_answer, QUESTION)
    strong_id = history.save(strong_answer, strong)
    at = run_app("history", session={"answer_text": weak_answer})
    at.selectbox(key="history_attempt").set_value(strong_id).run()
    at.button(key="history_open").click().run()
    assert at.session_state[state.REPORT_OPENED] is True
    at = run_app(
        session={
            **shown_report(strong, strong_answer),
            state.REPORT_ATTEMPT: strong_id,
            state.REPORT_OPENED: True,
            "answer_text": weak_answer,
        }
    )
    assert not [w for w in at.warning if "changed the" in w.value]
    assert any(f"Attempt #{strong_id}, opened from History" in i.value for i in at.info)
    assert "Your report" not in [h.value for h in at.header]
    at = run_app(
        session={
            **shown_report(strong, strong_answer),
            state.REPORT_ATTEMPT: strong_id,
            state.REPORT_OPENED: True,
            "answer_text": strong_answer,
            "q_case": QUESTION,
        }
    )
    assert "Your report" in [h.value for h in at.header]
    at = run_app(
        session={
            **shown_report(strong, strong_answer),
            "answer_text": weak_answer,
            "q_case": QUESTION,
        }
    )
    assert any("changed the answer since" in w.value for w in at.warning)  # graded here


def test_history_shows_no_change_between_answers_to_different_questions(
    history, grader, weak, weak_answer
):
    other = grader.grade(weak_answer, "fraud_detection")
    history.save(weak_answer, weak)
    history.save(weak_answer, other)
    at = run_app("history")
    assert any("answer different questions" in c.value for c in at.caption)
    assert "Change" not in at.dataframe[-1].value.columns  # side by side, not progress
    assert not any(m.delta for m in at.metric)
    chart = at.get("vega_lite_chart")[0].proto.spec
    assert '"when"' in chart and '"ordinal"' in chart  # attempts in order, not seconds apart


def test_history_clear_from_the_page(history, weak, weak_answer):
    history.save(weak_answer, weak)
    at = run_app("history")
    at.checkbox(key="history_clear_sure").check().run()
    at.button(key="history_clear").click().run()
    assert history.list() == [] and "No attempts yet" in at.info[0].value


def test_knowledge_page_opens_a_linked_note(data_dir, kb):
    at = run_app("knowledge", query={"doc": "concepts/cold_start.md"})
    assert_inert(at)
    assert at.header[0].value == kb.concepts["cold_start"].title and "doc" not in at.query_params
    # what each strong-answer point and follow-up question is written for is shown beside it
    page = " ".join(m.value for m in at.markdown).replace("\\", "")  # unescaped
    assert "(example from Real-time payment fraud detection)" in page
    assert "(for recommendation and search systems)" in page
    at.button_group(key="kb_kind").set_value("framework").run()
    assert at.header[0].value.endswith(kb.steps[at.selectbox(key="kb_note_framework").value].title)
    assert "No note" in run_app("knowledge", query={"doc": "../../etc/passwd"}).warning[0].value


def test_the_knowledge_base_can_be_searched(data_dir, kb):
    at = run_app("knowledge")
    at.text_input(key="kb_search").input("position bias").run()
    found = [b for b in at.button if b.key.startswith("kb_found_")]
    assert found and all(
        b.label.endswith(("(cases)", "(concepts)", "(framework steps)")) for b in found
    )
    target = next(b for b in found if b.label.startswith(kb.concepts["feedback_loops"].title))
    target.click().run()
    assert_inert(at)
    assert at.header[0].value == kb.concepts["feedback_loops"].title
    at.text_input(key="kb_search").input("zzzz nothing like it").run()
    assert any("No note mentions" in c.value for c in at.caption)
    # a question typed as a sentence finds what its key words find ("fraud delayed labels")
    at.text_input(key="kb_search").input("how to handle delayed labels in fraud").run()
    found = [b.label for b in at.button if b.key.startswith("kb_found_")]
    assert found[0].startswith(kb.concepts["label_delay"].title)


def test_llm_settings_keep_the_key_in_the_session_only(history, weak_answer, monkeypatch):
    monkeypatch.setenv("MLSD_LLM_RETRIES", "0")  # the server below is not there: fail fast
    at = run_app()
    at.sidebar.selectbox(key="llm_provider").set_value("openai").run()
    assert "needs an API key" in at.sidebar.error[0].value
    at.sidebar.text_input(key=state.API_KEY).input(KEY).run()
    assert not at.sidebar.error and "sent to api\\.openai\\.com" in at.sidebar.warning[0].value
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.text_input(key="llm_base_url").input("http://127.0.0.1:9/v1")
    at.sidebar.text_input(key="llm_model").input("local-model").run()
    assert "stay local" in at.sidebar.caption[0].value and not at.sidebar.warning
    at.text_area(key="answer_text").input(weak_answer)
    at.button(
        key="grade"
    ).click().run()  # the server is not there: the grade falls back, or one clear error
    assert_inert(at)
    assert KEY not in all_text(at)
    assert all(KEY not in a.answer and KEY not in a.report_json for a in history.list())
    assert KEY.encode() not in b"".join(
        p.read_bytes() for p in history.path.parent.iterdir() if p.is_file()
    )


def test_two_sessions_do_not_share_answers_or_reports(history, weak_answer):
    first, second = run_app(), run_app()
    first.selectbox(key="q_case").set_value(QUESTION)
    first.text_area(key="answer_text").input(weak_answer)
    first.button(key="grade").click().run()
    second.run()
    assert first.metric and not second.metric
    assert (
        second.text_area(key="answer_text").value == "" and state.REPORT not in second.session_state
    )


def test_history_says_when_two_attempts_were_graded_by_different_versions(
    history, weak, weak_answer
):
    older = weak.model_copy(update={"grader": weak.grader.model_copy(update={"version": "0.0.9"})})
    history.save(weak_answer, older)
    history.save(weak_answer, weak)
    at = run_app("history")
    captions = [c.value for c in at.caption]
    assert any("different versions of the grader (0.0.9;" in c for c in captions), captions
    # the progress chart too: a step's line across them is partly the grader's change
    assert any("graded by different versions of the grader (0.0.9, " in c for c in captions)


def test_practise_next_reads_only_attempts_long_enough_to_be_answers(grader, weak, weak_answer):
    from grader.app.history_page import SUGGEST_MIN_WORDS, weakest

    clip = grader.grade("We would use a model and monitor it.", QUESTION)  # a 2-second recording
    assert clip.answer_stats.words < SUGGEST_MIN_WORDS <= weak.answer_stats.words
    assert weakest([weak, clip]) == weakest([weak]) and weakest([clip]) == []


def test_practise_next_weighs_no_gap_the_grader_does_not_ask_about(kb, weak):
    """A component about people's data scored in an attempt whose question and answer name no
    people is no weakness to practise (the grader asks nothing about it there); with people named,
    it is one."""
    from grader.app.history_page import weakest

    nobody = weak.model_copy(
        update={"question": weak.question.model_copy(update={"people": False})}
    )
    people = [c.id for c in weak.components if kb.concepts[c.id].about_people]
    assert people and all(w[0] not in people for w in weakest([nobody], n=29, kb=kb))
    assert set(people) <= {w[0] for w in weakest([weak], n=29, kb=kb)}
    assert set(people) <= {w[0] for w in weakest([nobody], n=29)}  # without the notes: all


def test_a_config_file_that_is_not_there_is_said_in_one_line(data_dir, tmp_path, monkeypatch):
    """MLSD_CONFIG naming no file stops the app with one line, not Streamlit's error page."""
    monkeypatch.setenv("MLSD_CONFIG", str(tmp_path / "nope.toml"))
    at = AppTest.from_function(_app, kwargs={"start": "practice"}, default_timeout=60).run()
    assert not at.exception
    assert any("cannot start" in e.value and "does not exist" in e.value for e in at.error)


def test_a_pasted_web_page_is_graded_as_the_text_it_shows(history):
    page = (
        "<h2>Problem</h2><p>Rank the home feed for 200 million daily users.<br>Each request "
        "must return within 200 ms.</p><ul><li>Candidate generation with a two-tower model.</li>"
        "<li>A ranker trained on watch time, retrained daily.</li></ul>"
        "<p>Offline we compare NDCG@10 and recall@100 on the last week of watch logs; online we "
        "run an A/B test on watch time per user.</p>"
        "<p>TODO: add the monitoring section.</p>"
    )
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION).run()
    at.text_area(key="answer_text").input(page)
    at.button(key="grade").click().run()
    assert not at.exception
    report = at.session_state[state.REPORT]
    assert report.source.format == "html"
    quoted = [e.quote for c in report.components for e in c.evidence]
    assert quoted and not any("<" in q or "TODO" in q for q in quoted)
    assert "<" not in report.source.text  # the text the quotes index, as read
    assert not [w for w in at.warning if "changed the" in w.value]  # the box holds what was graded


def test_one_question_typed_two_ways_is_one_series_in_history(history, grader, weak_answer):
    """A question typed again with a capital or a final "?" is the same question: one series in
    the progress chart and a change between its attempts, not two questions."""
    typed = "Design a system that predicts which restaurant orders will arrive late"
    history.save(weak_answer, grader.grade(weak_answer, typed))
    history.save(weak_answer, grader.grade(weak_answer, typed.lower() + "?"))
    at = run_app("history")
    picker = at.selectbox(key="history_question")
    assert len(picker.options) == 2, picker.options  # the question and "All questions"
    assert "(2 attempts)" in picker.options[0]
    assert not any("answer different questions" in c.value for c in at.caption)
    assert "Change" in at.dataframe[-1].value.columns


def test_an_interviewer_sheet_is_named_for_its_candidate(weak, weak_answer):
    """Three candidates' sheets for one question differ by more than their scores: the name
    typed for the sheet leads its file name, and heads the sheet; the box holding it stays open
    once a name is typed (it had folded away under the typing)."""
    from grader.app.report_view import download_name, sheet_name
    from grader.render import interviewer_sheet

    at = run_app("report", session=shown_report(weak, weak_answer))
    sheet = next(e for e in at.expander if e.label == "Interviewer sheet")
    assert not sheet.proto.expanded
    at.text_input(key="report_candidate").input("Zoë O'Neil").run()
    sheet = next(e for e in at.expander if e.label == "Interviewer sheet")
    assert sheet.proto.expanded

    assert sheet_name(weak) == "sheet-" + download_name(weak).removeprefix("grade-")
    # two candidates with the same score on one question get two file names
    other = weak_answer + "\nAnd a closing line."
    assert download_name(weak, weak_answer) != download_name(weak, other)
    assert download_name(weak, weak_answer).startswith(download_name(weak) + "-")
    assert sheet_name(weak, "", weak_answer).endswith(download_name(weak, weak_answer)[6:])
    assert sheet_name(weak, " Zoë  O'Neil ").startswith("sheet-zoë-o-neil-")
    assert interviewer_sheet(weak, candidate="Zoë O'Neil").startswith(
        "# Interviewer sheet: Zoë O'Neil"
    )


def test_the_warnings_that_question_the_score_come_first(weak, weak_answer):
    """A warning that questions the score (the weak answer's claims) is shown before one that only
    says how the answer was read (the framework rubric), whatever the report's order."""
    read = "no case in the bank matches this question closely; graded against the general framework rubric"
    report = weak.model_copy(update={"warnings": [read, *weak.warnings]})
    at = run_app("report", session=shown_report(report, weak_answer))
    shown = [w.value for w in at.warning]
    claims = next(i for i, w in enumerate(shown) if "promised or praised" in w)
    rubric = next(i for i, w in enumerate(shown) if "general framework rubric" in w)
    assert claims < rubric
