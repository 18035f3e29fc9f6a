"""Mock interview: the app asks the top follow-up; each reply is graded for the component it probes
and the coverage updates; after a few rounds, a summary of what improved."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from grader.answers.files import load_answer_bytes
from grader.answers.model import AnswerInput
from grader.app import nav, practice, sidebar, state
from grader.app.safe import inert
from grader.errors import GraderError
from grader.knowledge.notes import cached_kb
from grader.practice.mock_interview import DEFAULT_ROUNDS, MockInterview

REPLY_SOURCES = {"type": "Type", "record": "Record"}
SAVED = "mock_saved"  # the interview last saved to the history


def render() -> None:
    st.title("Mock interview")
    state.show_notices()
    shown = state.current_report()
    if shown is None:
        st.info("Grade an answer first: the interview starts from its follow-up questions.")
        st.page_link(nav.page("practise"), label="Practise", icon=":material/edit_note:")
        return
    report, text, question = shown
    mock: MockInterview | None = st.session_state.get(state.MOCK)
    if mock is None:
        st.markdown(
            f"Your answer to **{inert(report.question.title)}** scored **{report.overall_score}/100**. "
            "The interviewer will ask about your biggest gaps, one question at a time."
        )
        st.session_state.setdefault("mock_rounds", DEFAULT_ROUNDS)
        rounds = st.number_input("Rounds", min_value=1, max_value=5, key="mock_rounds")
        if st.button("Start the interview", type="primary", key="mock_start"):
            st.session_state[state.MOCK] = MockInterview.start(
                text,
                report,
                question,
                graded_text=st.session_state.get(state.REPORT_GRADED),
                max_rounds=int(rounds),
            )
            st.rerun()
        return
    _progress(mock)
    kb = cached_kb()
    if mock.finished(kb):
        _summary(mock)
        return
    follow_up = mock.next_follow_up(kb)
    st.subheader(f"Question {len(mock.rounds) + 1} of {mock.max_rounds}")
    st.chat_message("assistant", avatar=":material/person:").markdown(inert(follow_up.question))
    reply = _reply_input()
    if st.button("Submit the reply", type="primary", key="mock_submit"):
        if _grade_reply(mock, follow_up, reply):
            st.session_state.pop("mock_reply", None)  # a fresh box for the next question
            st.rerun()


def _reply_input():
    st.session_state.setdefault("mock_reply_source", "type")
    source = st.segmented_control(
        "Reply",
        list(REPLY_SOURCES),
        format_func=REPLY_SOURCES.get,
        key="mock_reply_source",
        required=True,
    )
    if source == "record":
        return st.audio_input("Record your reply", key="mock_audio")
    return st.text_area("Your reply", key="mock_reply", height=160)


def _grade_reply(mock: MockInterview, follow_up, reply) -> bool:
    with st.status("Grading your reply...", expanded=True) as status:
        try:
            if reply is None or (isinstance(reply, str) and not reply.strip()):
                raise GraderError("type or record a reply first")
            if not isinstance(reply, str):
                loaded = load_answer_bytes(
                    reply.getvalue(),
                    reply.name or "reply.wav",
                    progress=practice.transcribing(status),
                )
                reply = loaded.graded_text if isinstance(loaded, AnswerInput) else loaded
            rnd = mock.answer(
                state.shared_grader(),
                follow_up,
                reply,
                llm=sidebar.llm_config(),
                progress=lambda s: status.write(inert(s)),
            )
        except GraderError as exc:
            status.update(label="Could not grade this reply", state="error")
            st.error(inert(state.redact(str(exc))))
            return False
        except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
            status.update(label="Could not grade this reply", state="error")
            st.error(inert(state.redact(f"unexpected {type(exc).__name__}: {exc}")))
            return False
        status.update(
            label=f"{rnd.component_title}: {rnd.before_score} -> {rnd.after_score}",
            state="complete",
        )
    return True


def _progress(mock: MockInterview) -> None:
    a, b = st.columns(2)
    a.metric(
        "Overall",
        f"{mock.report.overall_score}/100",
        delta=mock.report.overall_score - mock.initial.overall_score,
    )
    b.metric("Rounds", f"{len(mock.rounds)} of {mock.max_rounds}")
    if mock.rounds:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Question": r.question,
                        "Component": r.component_title,
                        "Before": f"{r.before_score} ({r.before_status})",
                        "After": f"{r.after_score} ({r.after_status})",
                    }
                    for r in mock.rounds
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _summary(mock: MockInterview) -> None:
    st.subheader("Summary")
    summary = mock.summary()
    st.markdown("\n".join(f"- {inert(line)}" for line in summary.lines()))
    steps = pd.DataFrame(
        [
            {"Step": a.title, "Before": a.score, "After": b.score}
            for a, b in zip(mock.initial.steps, mock.report.steps, strict=True)
        ]
    )
    st.dataframe(steps, hide_index=True)
    if mock.rounds and st.session_state.get(SAVED) is not mock:  # save each finished interview once
        st.session_state[SAVED] = mock
        state.save_attempt(mock.text, mock.report, mode="mock")
    if st.button("Start a new interview", key="mock_again"):
        st.session_state.pop(state.MOCK, None)
        st.rerun()
