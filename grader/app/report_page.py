"""Report: the report on show (the last graded answer, or an attempt opened from the history).

`/report?attempt=<id>` opens a saved attempt, so an attempt's report has its own URL."""

from __future__ import annotations

import hashlib

import streamlit as st

from grader.app import nav, report_view, state
from grader.app.safe import inert
from grader.errors import HistoryError, NoSuchAttempt
from grader.text import quantity

PARAM = "attempt"


def open_attempt(attempt_id: int) -> bool:
    """Make a saved attempt the report on show; False (with a message) when it cannot be read."""
    try:
        a = state.open_history().get(attempt_id)
        report = a.report
    except NoSuchAttempt:
        st.warning(f"No attempt #{attempt_id} in your history: open one from History.")
        return False
    except HistoryError as exc:
        st.warning(inert(str(exc)))
        return False
    except ValueError:
        st.warning(f"Attempt #{attempt_id} was saved in another report format and cannot be shown.")
        return False
    state.set_report(report, a.answer, a.question_id or a.question_title, a.id, opened=True)
    st.session_state.pop(state.MOCK, None)
    st.session_state.pop(state.MOCK_FEEDBACK, None)
    return True


def render() -> None:
    st.title("Report")
    wanted = st.query_params.get(PARAM)
    if wanted is not None:
        opened = True
        if not wanted.isdigit():
            st.warning(f"No attempt {inert(wanted)}: attempts are numbered, see History.")
            opened = False
        elif (
            st.session_state.get(state.REPORT_ATTEMPT) != int(wanted) or not state.current_report()
        ):
            opened = open_attempt(int(wanted))
        if not opened:  # the link names an attempt: another report under it would read as that one
            st.page_link(nav.page("history"), label="History", icon=":material/history:")
            return
    shown = state.current_report()
    if shown is None:
        st.info("No report yet: grade an answer first, or open an attempt from your history.")
        st.page_link(nav.page("practise"), label="Practise", icon=":material/edit_note:")
        return
    report, text, _question = shown
    attempt = st.session_state.get(state.REPORT_ATTEMPT)
    if attempt is not None:
        st.caption(f"Attempt #{attempt}, saved in History.")
        if st.query_params.get(PARAM) != str(attempt):
            st.query_params[PARAM] = str(attempt)  # the URL names the attempt: a link that lasts
    box = st.session_state.get(state.REPORT_INPUT) or text  # a timed transcript with its timings
    if box.strip() and box != st.session_state.get("answer_text"):
        _revise(box, report)
    report_view.render(report, text, key="report")


REPLACING = "revise_pending"  # the answer a revise was asked for while the box held other text


def _revise(text: str, report) -> None:
    """A button that takes this answer and its question to Practise, to revise and grade again.
    Text in the answer box is never replaced unasked: with other text there, a second button
    says so and replaces it (asked for this answer only: another report opened since asks anew)."""
    typed = (st.session_state.get("answer_text") or "").strip()
    mine = hashlib.sha256(f"{report.question.shown}\n{text}".encode()).hexdigest()
    if st.button("Revise this answer in Practise", icon=":material/edit_note:"):
        if not typed:
            _to_practise(text, report)
        st.session_state[REPLACING] = mine
    if st.session_state.get(REPLACING) == mine and typed:
        st.warning(  # (not said to be ungraded: it may be another attempt, graded and saved)
            "Your answer box in Practise holds other text "
            f"({quantity(_words(typed), 'word')}). Replace it with this answer?"
        )
        if st.button("Replace it", key="revise_replace"):
            _to_practise(text, report)


def _words(text: str) -> int:
    """The words of a text as its answer reads: a transcript's cues without their timings."""
    from grader.answers.files import read_text
    from grader.errors import GraderError

    try:
        return len(read_text(text).text.split())
    except GraderError:
        return len(text.split())


def _to_practise(text: str, report) -> None:
    """Open Practise with this answer in the box and its question chosen: the bank case asked for
    by name, or the question as typed, in full (a saved attempt's title may be shortened). A timed
    answer is noted (`state.REVISED`): graded without its timings, its report says why."""
    from grader.answers.editable import timed
    from grader.knowledge.notes import cached_kb

    ss = st.session_state
    ss.pop(REPLACING, None)
    q = report.question
    if q.by_name and q.id in cached_kb().cases:
        ss["q_mode"], ss["q_case"] = "From the case bank", q.id
        asked = q.id
    else:
        ss["q_mode"], ss["q_text"] = "My own question", q.shown
        asked = q.shown
    ss["answer_source"], ss["answer_text"] = "paste", text
    kept = timed(text)
    if kept or report.pacing is not None:
        ss[state.REVISED] = {"question": asked, "why": "edited" if kept else "unkept"}
    else:
        ss.pop(state.REVISED, None)
    st.switch_page(nav.page("practise"))
