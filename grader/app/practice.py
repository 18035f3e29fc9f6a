"""Practise: choose a question, give an answer (paste, upload or record), grade it, see the report."""

from __future__ import annotations

import time

import streamlit as st

from grader.answers.files import load_answer_bytes
from grader.answers.model import AnswerInput
from grader.app import report_view, sidebar, state
from grader.app.safe import inert
from grader.errors import GraderError
from grader.knowledge.notes import cached_kb
from grader.pipeline import grade_input

TEXT_TYPES = ["md", "markdown", "txt"]
TRANSCRIPT_TYPES = ["srt", "vtt", "json"]
AUDIO_TYPES = ["wav", "mp3", "m4a", "ogg", "webm", "flac"]
SOURCES = {"paste": "Paste text", "upload": "Upload a file", "record": "Record"}
ROUND_MINUTES = 45


def render() -> None:
    st.title("Practise an ML system design answer")
    state.show_notices()
    question = _question()
    _timer()
    answer = _answer_input()
    if st.button("Grade", type="primary", key="grade", icon=":material/grading:"):
        _grade(question, answer)
    shown = state.current_report()
    if shown is not None:
        report, text, _question_asked = shown
        st.divider()
        report_view.render(report, text, key="practise")


def _question() -> str:
    """The question as the grader takes it: a case id, or the user's own text."""
    cases = cached_kb().cases
    mode = st.radio(
        "Question", ["From the case bank", "My own question"], horizontal=True, key="q_mode"
    )
    if mode == "My own question":
        return st.text_input(
            "Your question",
            key="q_text",
            max_chars=500,
            placeholder="e.g. Design a system that flags fake product reviews",
        )
    case_id = st.selectbox("Case", list(cases), format_func=lambda c: cases[c].title, key="q_case")
    st.info(cases[case_id].prompt, icon=":material/help:")
    return case_id


def _timer() -> None:
    """An optional interview clock: a start time in the session; the elapsed time shows on each rerun."""
    if not st.toggle(
        "Interview timer",
        key="timer_on",
        help=f"A {ROUND_MINUTES}-minute round; updates as you work.",
    ):
        return
    started = st.session_state.get("timer_started")
    left, right = st.columns([1, 3])
    if started is None:
        if left.button("Start the clock", key="timer_start"):
            st.session_state["timer_started"] = time.time()
            st.rerun()
        return
    minutes = (time.time() - started) / 60
    right.progress(
        min(minutes / ROUND_MINUTES, 1.0), text=f"{minutes:.0f} of {ROUND_MINUTES} minutes"
    )
    if left.button("Reset the clock", key="timer_reset"):
        del st.session_state["timer_started"]
        st.rerun()


def _answer_input():
    """Draw the chosen input; return pasted text, an uploaded file, a recording, or None."""
    st.session_state.setdefault(
        "answer_source", "paste"
    )  # defaults via state: the value survives page switches
    source = st.segmented_control(
        "Answer", list(SOURCES), format_func=SOURCES.get, key="answer_source", required=True
    )
    if source == "upload":
        upload = st.file_uploader(
            "Answer file: text (.md, .txt), a transcript (.srt, .vtt, Whisper .json) or audio",
            type=TEXT_TYPES + TRANSCRIPT_TYPES + AUDIO_TYPES,
            key="answer_file",
        )
        st.text_input(
            "Candidate speaker (optional)",
            key="candidate",
            help="In a transcript with speaker names, the speaker to grade; the others are the interviewer.",
        )
        return upload
    if source == "record":
        st.caption("Speak your answer; it is transcribed on this machine.")
        return st.audio_input("Record your answer", key="answer_audio")
    return st.text_area(
        "Your answer",
        key="answer_text",
        height=320,
        placeholder="Clarify the requirements, frame the ML task, then data, model, evaluation, "
        "serving and monitoring...",
    )


def transcribing(status):
    """A transcription progress callback that keeps the status label current."""
    return lambda done, total: status.update(
        label=f"Transcribing: {done:.0f} of {total:.0f} seconds..."
    )


def _grade(question: str, answer) -> None:
    if not question.strip():
        st.error("Type your question first, or pick one from the case bank.")
        return
    with st.status("Grading...", expanded=True) as status:

        def progress(stage: str) -> None:
            status.update(label=stage[:1].upper() + stage[1:] + "...")
            status.write(inert(stage))

        try:
            llm = sidebar.llm_config()
            if answer is None:
                raise GraderError(
                    "nothing to grade: paste your answer, upload a file or record one"
                )
            if isinstance(answer, str):
                source = answer
            else:  # an uploaded file or a recording
                name = answer.name or "recording.wav"
                progress(f"reading {name}")
                source = load_answer_bytes(
                    answer.getvalue(),
                    name,
                    candidate=st.session_state.get("candidate") or None,
                    progress=transcribing(status),
                )
            progress("loading the grader (the knowledge index is built on first use)")
            grader = state.shared_grader()
            report = grade_input(grader, source, question, llm=llm, progress=progress)
        except GraderError as exc:
            status.update(label="Could not grade this answer", state="error")
            st.error(inert(state.redact(str(exc))))
            return
        except ImportError as exc:
            status.update(label="Could not grade this answer", state="error")
            st.error(
                inert(
                    f"a part of the grader is not installed ({exc.name}): choose 'None' for the LLM "
                    "in the sidebar, or reinstall"
                )
            )
            return
        except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
            status.update(label="Could not grade this answer", state="error")
            st.error(inert(state.redact(f"unexpected {type(exc).__name__}: {exc}")))
            return
        status.update(label=f"Graded: {report.overall_score}/100", state="complete", expanded=False)
    text, graded = (
        (source.text, source.graded_text) if isinstance(source, AnswerInput) else (source, source)
    )
    attempt_id = state.save_attempt(text, report, mode="practice")
    state.set_report(report, text, question, attempt_id, graded)
    st.session_state.pop(state.MOCK, None)  # a new answer starts a new mock interview
