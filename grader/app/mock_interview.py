"""Mock interview as a conversation: the interviewer asks about the biggest gaps one question at a
time; each typed or recorded reply is graded for the component it probes, and the interviewer says
what the reply added (quoted) and what is still missing, then asks the next question. At the end,
why it ended and a summary of what improved."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from grader.answers.files import load_answer_bytes
from grader.answers.model import AnswerInput
from grader.app import drafts, nav, sidebar, state
from grader.app.safe import inert
from grader.errors import GraderError
from grader.knowledge.notes import cached_kb
from grader.practice import speech
from grader.practice.mock_interview import (
    DEFAULT_ROUNDS,
    MockInterview,
    end_reason,
    reply_feedback,
)

SAVED = "mock_saved"  # the interview last saved to the history
SPOKEN = "mock_spoken"  # read the questions aloud
REPLY = "mock_reply"  # the reply box
INTERVIEWER = ":material/person:"
CANDIDATE = ":material/face:"


def render() -> None:
    st.title("Mock interview")
    state.show_notices()
    shown = state.current_report()
    if shown is None:
        st.info("Grade an answer first: the interview starts from its follow-up questions.")
        st.page_link(nav.page("practise"), label="Practise", icon=":material/edit_note:")
        return
    report, text, question = shown
    mock = state.current_mock()
    if mock is None:
        _start(report, text, question)
        return
    kb = cached_kb()
    _scoreboard(mock)
    _conversation(mock)
    reason = end_reason(mock, kb)
    if reason:
        _summary(mock, reason)
        return
    follow_up = mock.next_follow_up(kb)
    with st.chat_message("assistant", avatar=INTERVIEWER):
        st.caption(f"Question {len(mock.rounds) + 1} of {mock.max_rounds}")
        st.markdown(inert(follow_up.question))
        if speech.available() and st.toggle(
            "Read the questions aloud", key=SPOKEN, help="Spoken on this machine by espeak-ng."
        ):
            _spoken(follow_up.question)
    reply = st.chat_input(
        "Type your reply, or record it with the microphone",
        # one box for the whole interview: it empties itself after each reply, and a reply typed
        # while the next question loads stays in it (a new key per question replaced the box and
        # dropped what was typed into the old one)
        key=REPLY,
        accept_audio=True,
    )
    if reply is not None:
        _answer(mock, follow_up, reply)
        return
    # a reply typed and not sent is kept over a refresh or a page switch, for this question only
    # (never on the run that takes a reply: its box is empty, and the reply would be put back)
    drafts.keep_typing(reply=f"{len(mock.rounds)} {follow_up.question}")


def _spoken(question: str) -> None:
    """The question as audio, synthesised once per question and session."""
    cache = st.session_state.setdefault(SPOKEN + "_audio", {})
    try:
        if question not in cache:
            cache.clear()  # only the current question is kept
            cache[question] = speech.speak(question)
        st.audio(cache[question], format="audio/wav", autoplay=True)
    except GraderError as exc:
        st.caption(inert(str(exc)))


def _start(report, text: str, question: str) -> None:
    st.markdown(
        f"Your answer to **{inert(report.question.shown)}** scored **{report.overall_score}/100**. "
        "The interviewer will ask about your biggest gaps, one question at a time; after each "
        "reply you see what it added and what is still missing."
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
        st.session_state[state.MOCK_FEEDBACK] = []
        st.rerun()


def _scoreboard(mock: MockInterview) -> None:
    a, b = st.columns(2)
    moved = mock.report.overall_score - mock.initial.overall_score
    a.metric("Overall", f"{mock.report.overall_score}/100", delta=moved or None)  # no bare "0"
    b.metric("Rounds", f"{len(mock.rounds)} of {mock.max_rounds}")


def feedback_markdown(fb: dict) -> str:
    """The interviewer's written feedback on one reply (untrusted text made inert)."""
    title = inert(fb["component_title"])
    change = f"{fb['before_score']} → {fb['after_score']}/100, {fb['after_status']}"
    if fb["added"]:
        quotes = "\n".join(f"> {inert(q)}" for q in fb["added"][:3])
        out = f"**What your reply added** for {title} ({change}):\n\n{quotes}"
    elif fb["after_score"] > fb["before_score"]:  # missing, or no passage clearly about it
        out = (
            f"**Your reply raised {title}** ({change}); its sentences read more like other "
            "components, so none is quoted for this one."
        )
    elif fb.get("on_point"):  # about the component, but nothing the answer was not credited for
        quotes = "\n".join(f"> {inert(q)}" for q in fb["on_point"][:2])
        out = (
            f"**Your reply is on point for {title}**, but it says what your answer was already "
            f"credited for (still {fb['after_score']}/100, {fb['after_status']}):\n\n{quotes}"
        )
    else:
        out = (
            f"**Your reply added nothing the rubric counts for {title}** "
            f"(still {fb['after_score']}/100, {fb['after_status']})."
        )
    if fb["still_missing"]:
        out += "\n\n**Still missing:**\n" + "\n".join(
            f"- {inert(m)}" for m in fb["still_missing"][:4]
        )
    elif fb["after_status"] == "covered":
        out += f"\n\n{title} is now covered."
    return out


def _conversation(mock: MockInterview) -> None:
    feedback = st.session_state.get(state.MOCK_FEEDBACK) or []
    for i, rnd in enumerate(mock.rounds):
        with st.chat_message("assistant", avatar=INTERVIEWER):
            st.caption(f"Question {i + 1} of {mock.max_rounds}")
            st.markdown(inert(rnd.question))
        with st.chat_message("user", avatar=CANDIDATE):
            st.markdown(inert(rnd.reply))
        if i < len(feedback):
            with st.chat_message("assistant", avatar=INTERVIEWER):
                st.markdown(feedback_markdown(feedback[i]))


def _reply_text(reply) -> str:
    """The text of a chat reply: what was typed, else the recording transcribed on this machine."""
    text = (getattr(reply, "text", None) if not isinstance(reply, str) else reply) or ""
    audio = getattr(reply, "audio", None) if not isinstance(reply, str) else None
    if text.strip() or audio is None:
        return text
    with st.status("Transcribing your reply...", expanded=False):
        loaded = load_answer_bytes(audio.getvalue(), audio.name or "reply.wav")
    return loaded.graded_text if isinstance(loaded, AnswerInput) else loaded


def _answer(mock: MockInterview, follow_up, reply) -> None:
    with st.status("Grading your reply...", expanded=False) as status:
        try:
            text = _reply_text(reply)
            if not text.strip():
                raise GraderError("type or record a reply first")
            rnd = mock.answer(
                state.shared_grader(),
                follow_up,
                text,
                llm=sidebar.llm_config(),
                progress=lambda s: status.update(label=inert(s[:1].upper() + s[1:]) + "..."),
            )
        except GraderError as exc:
            status.update(label="Could not grade this reply", state="error")
            st.error(inert(state.redact(str(exc))))
            return
        except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
            status.update(label="Could not grade this reply", state="error")
            st.error(inert(state.redact(f"unexpected {type(exc).__name__}: {exc}")))
            return
        status.update(label="Graded", state="complete")
    fb = reply_feedback(mock, rnd, follow_up).model_dump()
    st.session_state[state.MOCK_FEEDBACK] = [
        *(st.session_state.get(state.MOCK_FEEDBACK) or []),
        fb,
    ]
    st.rerun()


def _summary(mock: MockInterview, reason: str) -> None:
    with st.chat_message("assistant", avatar=INTERVIEWER):
        st.markdown(f"**That is the end of the interview.** {inert(reason)}")
    st.subheader("Summary")
    summary = mock.summary()
    st.markdown("\n".join(f"- {inert(line)}" for line in summary.lines()))
    steps = pd.DataFrame(
        [
            {"Step": a.title, "Before": a.score, "After": b.score}
            for a, b in zip(mock.initial.steps, mock.report.steps, strict=True)
        ]
    )
    st.dataframe(steps, hide_index=True, width="stretch")
    done = hashlib.sha1(mock.text.encode()).hexdigest()  # the same after a refresh
    if mock.rounds and st.session_state.get(SAVED) != done:  # save each finished interview once
        st.session_state[SAVED] = done
        state.save_attempt(mock.text, mock.saved_report(), mode="mock")
        if saved := st.session_state.pop(state.SAVED_AS, ""):
            st.toast(f"The interview is {saved}.")
    if st.button("Start a new interview", key="mock_again"):
        st.session_state.pop(state.MOCK, None)
        st.session_state.pop(state.MOCK_FEEDBACK, None)
        st.rerun()
