"""Per-session state and the few shared resources.

Everything user-specific lives in `st.session_state` (one per browser tab); `st.cache_resource`
holds only the grader, which is thread-safe and holds no user data. Nothing user-specific is kept
in module globals.
"""

from __future__ import annotations

from typing import TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError

from grader.errors import HistoryError
from grader.practice.history import History
from grader.practice.mock_interview import MockInterview
from grader.report import GradeReport
from grader.scoring.grading import FreshGrader, Grader
from grader.scoring.segment import count_words
from grader.settings import env
from grader.text import quantity, scrub

M = TypeVar("M", bound=BaseModel)

# Session-state keys.
REPORT = "current_report"  # the GradeReport on show
REPORT_TEXT = "current_text"  # the text its evidence offsets index into
REPORT_GRADED = "current_graded_text"  # that text with non-candidate parts blanked
REPORT_QUESTION = "current_question"
REPORT_ATTEMPT = "current_attempt_id"
# the answer as the answer box holds it to be graded the same way again: the text pasted, or a
# file's (a timed transcript or a recording as SRT or WebVTT cues, `answers.editable`); None for an
# attempt opened from History
REPORT_INPUT = "current_input"
REPORT_FILE = "current_file"  # the digest of the file or recording graded; None for pasted text
REPORT_OPENED = "current_opened"  # the report on show was opened from History, not graded here
REVISED = "revised_timed"  # a timed answer taken to Practise to revise: its question, and why not
MOCK = "mock_interview"
MOCK_FEEDBACK = (
    "mock_feedback"  # per round of the mock interview: what the reply added, what is missing
)
GRADING = "grading_unfinished"  # set while an answer is graded: still set, that grading was cut off
SAVED_AS = "saved_as"  # where the last graded attempt was saved, for the toast that says so
LAST_ERROR = "last_error"  # why the last grading failed, shown until a new answer or try
NOTICES = "notices"
# an answer of fewer words is someone trying the app out ("test", "hello world"), not a practice
# attempt: the app grades it but does not save it (`mlsd grade --save` saves what it is asked to)
MIN_SAVED_WORDS = 10
API_KEY = "llm_api_key"
# Widgets whose values must survive page switches and inputs shown only some of the time.
KEPT_WIDGETS = (
    "q_mode",
    "q_case",
    "q_text",
    "answer_source",
    "answer_text",
    "candidate",
    "mock_rounds",
    "llm_provider",
    "llm_model",
    "llm_base_url",
    API_KEY,
    "timer_on",
)


@st.cache_resource(
    show_spinner="Loading the grader: embedding model and knowledge index (first run only)..."
)
def fresh_grader() -> FreshGrader:
    """The grader of this server process (thread-safe; no user data), opened on first use."""
    fresh = FreshGrader(Grader.open)
    fresh()
    return fresh


def shared_grader() -> Grader:
    """The one grader of this server process, opened again when the notes are edited while the
    app runs (`FreshGrader`)."""
    return fresh_grader()()


KEPT_COPY = "kept_widget_values"  # the kept widgets' values as the last run of the app left them


def keep_widget_values() -> None:
    """Stop Streamlit from dropping the values of widgets that are not drawn in this run (what the
    user typed on another page, or in an input hidden by a toggle). It also drops them all when a
    click that leaves the page cuts short a run of a fragment (a tick of the interview clock): the
    typed question and answer went with it. They are put back from the copy the last run kept."""
    ss = st.session_state
    copy = ss.get(KEPT_COPY) or {}
    for key in KEPT_WIDGETS:
        if key in ss:
            ss[key] = ss[key]
        elif key in copy:
            ss[key] = copy[key]
    ss[KEPT_COPY] = {key: ss[key] for key in KEPT_WIDGETS if key in ss}


def set_report(
    report: GradeReport,
    text: str,
    question: str,
    attempt_id: int | None,
    graded_text: str | None = None,
    answer_input: str | None = None,
    opened: bool = False,
) -> None:
    """Make a report the one on show; `opened`: an attempt opened from History, not the answer
    graded on the Practise page."""
    st.session_state[REPORT] = report
    st.session_state[REPORT_OPENED] = opened
    st.session_state[REPORT_INPUT] = answer_input
    st.session_state[REPORT_TEXT] = text
    st.session_state[REPORT_GRADED] = graded_text if graded_text is not None else text
    st.session_state[REPORT_QUESTION] = question
    st.session_state[REPORT_ATTEMPT] = attempt_id


def clear_report() -> None:
    """Drop the report on show (and the mock interview built on it): a new grade is starting."""
    for key in (
        REPORT,
        REPORT_TEXT,
        REPORT_GRADED,
        REPORT_QUESTION,
        REPORT_ATTEMPT,
        REPORT_INPUT,
        REPORT_FILE,
        REPORT_OPENED,
        MOCK,
    ):
        st.session_state.pop(key, None)
    st.session_state.pop(MOCK_FEEDBACK, None)


def current_report() -> tuple[GradeReport, str, str] | None:
    report = _as_now_defined(REPORT, GradeReport)
    if report is None:
        return None
    return report, st.session_state[REPORT_TEXT], st.session_state[REPORT_QUESTION]


def current_mock() -> MockInterview | None:
    """The mock interview under way, if any."""
    return _as_now_defined(MOCK, MockInterview)


def _as_now_defined(key: str, cls: type[M]) -> M | None:
    """The pydantic object kept under `key`, as an instance of `cls` as the code now defines it.
    Streamlit reloads a module edited while the app runs (an upgrade replaces it too), and an
    object made before is of the class as it was, which pydantic fields then refuse: it is read
    again from its data, or, when that no longer fits, dropped (the answer text is kept apart)."""
    value = st.session_state.get(key)
    if value is None or isinstance(value, cls):
        return value
    try:
        value = cls.model_validate(value.model_dump(mode="json"))
    except (AttributeError, ValidationError):
        st.session_state.pop(key, None)
        return None
    st.session_state[key] = value
    return value


def secrets() -> list[str]:
    """What must never be shown or stored: the API key typed in this session or set in the environment."""
    keys = [st.session_state.get(API_KEY), env("MLSD_LLM_API_KEY"), env("OPENAI_API_KEY")]
    return [k for k in keys if k]


def redact(text: str) -> str:
    """`text` with every secret and anything shaped like a key masked."""
    return scrub(text, secrets(), keylike=True)


def open_history() -> History:
    """The history database; a recovery notice (damaged file moved aside) is kept for this session."""
    history = History()
    if history.notice:
        st.session_state.setdefault(NOTICES, []).append(history.notice)
    return history


def save_attempt(text: str, report: GradeReport, mode: str) -> int | None:
    """Save an attempt and say where it went (the same answer and report graded again is kept
    once, under its first id); on failure warn (the report stays on screen) and return None. An
    answer under MIN_SAVED_WORDS words is not saved, and the toast says so."""
    words = count_words(text)
    if words < MIN_SAVED_WORDS:
        st.session_state[SAVED_AS] = (
            f"not saved to your history ({quantity(words, 'word')}: too short to be an attempt)"
        )
        return None
    try:
        attempt, new = open_history().store(text, report, mode=mode, secrets=secrets())
    except HistoryError as exc:
        from grader.app.safe import inert

        st.warning("This attempt was not saved to your history: " + inert(redact(str(exc))))
        return None
    st.session_state[SAVED_AS] = (
        f"saved as attempt #{attempt}"
        if new
        else f"already saved as attempt #{attempt}: the same answer and report"
    )
    return attempt


def show_notices() -> None:
    from grader.app.safe import inert

    for notice in st.session_state.get(NOTICES, []):
        st.warning(inert(notice))
