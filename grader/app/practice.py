"""Practise: choose a question, give an answer (paste, upload or record), grade it, see the report."""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from grader.answers.editable import editable
from grader.answers.files import load_answer_bytes, read_text
from grader.answers.model import AnswerInput
from grader.answers.transcripts import sniff_format
from grader.app import drafts, kept, nav, report_view, sidebar, state
from grader.app.kept import size_text
from grader.app.safe import inert
from grader.errors import GraderError
from grader.knowledge.notes import cached_kb
from grader.pipeline import grade_input
from grader.scoring.inputs import MAX_QUESTION_CHARS, answer_words, check_answer
from grader.settings import settings
from grader.text import quantity

TEXT_TYPES = [
    "md",
    "markdown",
    "txt",
    "ipynb",
    "html",
    "htm",
    "docx",
    "pdf",
]  # notebook: Markdown cells
TRANSCRIPT_TYPES = ["srt", "vtt", "json"]
AUDIO_TYPES = ["wav", "mp3", "m4a", "ogg", "webm", "flac"]
SOURCES = {"paste": "Paste text", "upload": "Upload a file", "record": "Record"}
UPLOAD_HELP = (
    "Text: " + ", ".join(TEXT_TYPES) + ". Transcripts: " + ", ".join(TRANSCRIPT_TYPES)
    + ". Audio: " + ", ".join(AUDIO_TYPES) + "."
)  # fmt: skip
CUT_OFF = (
    "Your last grading did not finish: the page was reloaded or left, or a setting was changed, "
    "while it ran, so that answer was neither graded nor saved. Your typed answer is still here; "
    "{files}. Click **Grade** to grade it."
)
FILES_KEPT = "so is your upload or recording, while this tab stays open"
FILES_LOST = "an uploaded file or a recording must be given again"
# why there is nothing to grade, by the answer's source
NOTHING = {
    "paste": "nothing to grade: paste your answer, upload a file or record one",
    "upload": "no file to grade: choose one in the box above (" + UPLOAD_HELP.lower().rstrip(".")
    + "); a file the box shows in red was refused (another kind of file, or too large), and "
    "hovering over it says why",
    "record": "nothing recorded yet: record your answer, or paste or upload it instead",
}  # fmt: skip
# said in the report when an answer revised from a timed one is graded without timings
TIMINGS_DROPPED = {
    "edited": "timings dropped: the revised answer no longer reads as the timed transcript it "
    "was revised from (each cue keeps its number and timing line), so it was graded as written "
    "text, without pacing",
    "unkept": "timings dropped: the timed transcript this answer was revised from was not kept "
    "with its report (History keeps an attempt's words, not their timings), so it was graded as "
    "written text, without pacing",
}
FORMATS = {"srt": "SRT", "vtt": "WebVTT", "json": "transcript JSON"}
ROUND_MINUTES = 45
WARN_MINUTES = 5
SCROLL = "scroll_to_report"  # set when a grade finished: the next draw scrolls the report into view
SCROLL_ERROR = "scroll_to_error"  # set when a grade failed: this draw brings the error into view
# Grading stages as the pipeline names them -> where the progress bar stands when they start.
STAGES = (
    ("reading", 0.05, "Reading the answer"),
    ("transcribing", 0.05, "Transcribing"),
    ("loading", 0.2, "Loading the grader"),
    ("grading", 0.3, "Grading against the rubric"),
    ("pacing", 0.75, "Measuring pacing"),
    ("asking the llm", 0.8, "Asking the LLM"),
)


def render() -> None:
    st.title("Practise an ML system design answer")
    state.show_notices()
    if st.session_state.pop(state.GRADING, False):
        files = FILES_KEPT if st.session_state.get(kept.KEPT) else FILES_LOST
        st.warning(CUT_OFF.format(files=files), icon=":material/sync_problem:")
    question = _question()
    _timer()
    answer = _answer_input()
    _keep_typing()
    if st.button("Grade", type="primary", key="grade", icon=":material/grading:"):
        _grade(question, answer)
    error = st.session_state.get(state.LAST_ERROR)
    if error:
        st.error(f"**Could not grade this answer:** {inert(error)}", icon=":material/error:")
        if st.session_state.pop(SCROLL_ERROR, False):
            # the error is under the button, often below the screen's edge: nothing seemed to happen
            st.html(GRADE_INTO_VIEW, unsafe_allow_javascript=True)
    shown = state.current_report()
    if shown is not None:
        report, text, asked = shown
        changed = _changed_since(report, text, asked, question, answer)
        attempt = st.session_state.get(state.REPORT_ATTEMPT)
        if changed and st.session_state.get(state.REPORT_OPENED):
            # an attempt opened from History is no report of the answer in the box: shown
            # under it, another answer's 97 read as this one's
            st.info(
                f"Attempt #{attempt}, opened from History, is on the Report page; the answer here "
                "has not been graded yet: click **Grade** to grade it.",
                icon=":material/history:",
            )
            st.page_link(nav.page("report"), label="Report", icon=":material/description:")
            return
        st.divider()
        st.header("Your report", anchor="report")
        if changed:
            st.warning(
                f"This report is for the answer you graded before: you have changed the "
                f"{changed} since. Click **Grade** to grade what you have now.",
                icon=":material/history:",
            )
        report_view.render(report, text, key="practise")
        if st.session_state.pop(SCROLL, False):  # after the report: the page is long enough by then
            _scroll_to("report")


def _changed_since(report, text: str, asked: str | None, question: str, answer) -> str:
    """What of the inputs on screen differs from those the report on show graded: "question",
    "answer", both, or "". The answer box is compared with the answer as the box held it when
    graded (`state.REPORT_INPUT`: a pasted transcript as pasted, not as read), else with the
    report's text (an attempt opened from History); an empty box changes nothing (a file graded,
    then the paste tab opened); an uploaded or recorded answer is compared with the file graded,
    by its bytes (`state.REPORT_FILE`), when a file was graded."""
    changed = []
    if asked is not None and " ".join(question.split()) != " ".join(asked.split()):
        changed.append("question")
    graded = st.session_state.get(state.REPORT_INPUT)
    graded = text if graded is None else graded
    if isinstance(answer, str) and answer.strip() and answer.strip() != graded.strip():
        changed.append("answer")
    graded_file = st.session_state.get(state.REPORT_FILE)
    if isinstance(answer, kept.KeptFile) and graded_file not in (None, answer.digest):
        changed.append("answer file")
    return " and the ".join(changed)


def _keep_typing() -> None:
    """Keep what is typed but not yet sent in the boxes this page draws: the answer, when it is
    pasted, and the question, when it is one's own (`drafts.keep_typing`)."""
    boxes = {}
    if st.session_state.get("answer_source") == "paste":
        boxes["answer"] = st.session_state.get("answer_text") or ""
    if st.session_state.get("q_mode") == "My own question":
        boxes["question"] = st.session_state.get("q_text") or ""
    if boxes:
        drafts.keep_typing(**boxes)


def _scroll_to(anchor: str) -> None:
    """Bring the heading with this anchor into view (a script of ours; no user text in it). It runs
    in the page itself (`st.html`; `components.v1.html` is deprecated and its iframe took room)."""
    st.html(scroll_script(anchor), unsafe_allow_javascript=True)


# the Grade button at the top of the screen, the error under it in view (a script of ours)
GRADE_INTO_VIEW = (
    "<script>const b = document.querySelector('.st-key-grade');"
    "if (b) { b.scrollIntoView({behavior: 'smooth', block: 'start'}); }</script>"
)


def scroll_script(anchor: str) -> str:
    """One of the two scripts the app puts in its page (the other keeps typed words,
    `drafts.keeper_script`): scroll to a heading of ours by its anchor."""
    return (
        f"<script>const el = document.getElementById({anchor!r});"
        "if (el) { el.scrollIntoView({behavior: 'smooth', block: 'start'}); }</script>"
    )


def _question() -> str:
    """The question as the grader takes it: a case id, or the user's own text."""
    cases = cached_kb().cases
    mode = st.radio(
        "Question",
        ["From the case bank", "My own question"],
        horizontal=True,
        key="q_mode",
        on_change=_forget_error,  # an error about the question asked before is no longer shown
    )
    if mode == "My own question":
        typed = st.text_input(
            "Your question",
            key="q_text",
            on_change=_forget_error,
            # no max_chars: the box then took no longer paste at all, and said nothing
            help=f"At most {MAX_QUESTION_CHARS:,} characters: a question with a paragraph of "
            "context.",
            placeholder="e.g. Design a system that flags fake product reviews",
        )
        if len(typed) > MAX_QUESTION_CHARS:
            st.warning(
                f"Your question has {len(typed):,} characters, over the {MAX_QUESTION_CHARS:,} "
                "the grader reads: keep its context to a paragraph.",
                icon=":material/short_text:",
            )
        return typed
    if st.session_state.get("q_case") not in cases:
        st.session_state.pop("q_case", None)
    # none chosen at first: a case picked for the user graded answers to another question, off
    # topic, and saved those attempts at 0/100
    case_id = st.selectbox(
        "Case",
        list(cases),
        format_func=lambda c: cases[c].title,
        key="q_case",
        on_change=_forget_error,
        index=None,
        placeholder="Choose the question you answered",
    )
    if case_id is None:
        return ""
    st.info(cases[case_id].prompt, icon=":material/help:")
    return case_id


def clock(seconds: float) -> str:
    """mm:ss (minutes can pass 59)."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _timer() -> None:
    """An optional interview clock that ticks each second: mm:ss used and left, a warning with
    `WARN_MINUTES` left and a notice when the round is over. The start time is in the session (and
    its draft), so page switches and refreshes keep it."""
    if not st.toggle(
        "Interview timer",
        key="timer_on",
        help=f"A {ROUND_MINUTES}-minute round, counting down each second.",
    ):
        return
    if st.session_state.get("timer_started") is None:
        if st.button("Start the clock", key="timer_start", icon=":material/timer:"):
            st.session_state["timer_started"] = time.time()
            st.session_state.pop("timer_warned", None)
            st.rerun()
        return
    _ticking_clock()


@st.fragment(run_every=1)
def _ticking_clock() -> None:
    started = st.session_state.get("timer_started")
    if started is None:
        return
    elapsed = time.time() - started
    left = ROUND_MINUTES * 60 - elapsed
    bar, button = st.columns([5, 1], vertical_alignment="bottom")
    text = (
        f"{clock(elapsed)} used · {clock(left)} left of {ROUND_MINUTES}:00"
        if left > 0
        else f"{clock(elapsed)} used · time is up"
    )
    bar.progress(min(elapsed / (ROUND_MINUTES * 60), 1.0), text=text)
    if button.button("Reset the clock", key="timer_reset"):
        st.session_state.pop("timer_started", None)
        st.session_state.pop("timer_warned", None)
        st.rerun(scope="app")
    if left <= 0:
        st.error(
            f"Time is up: the {ROUND_MINUTES} minutes are over. Finish your sentence and grade "
            "the answer.",
            icon=":material/alarm:",
        )
        if st.session_state.get("timer_warned") != "up":
            st.session_state["timer_warned"] = "up"
            st.toast("Time is up", icon=":material/alarm:")
    elif left <= WARN_MINUTES * 60:
        st.warning(
            f"{clock(left)} left: wrap up with evaluation, serving and monitoring if you have "
            "not reached them.",
            icon=":material/hourglass_bottom:",
        )
        if not st.session_state.get("timer_warned"):
            st.session_state["timer_warned"] = "warned"
            st.toast(f"{WARN_MINUTES} minutes left", icon=":material/hourglass_bottom:")


def upload_limit_mb() -> int:
    """The largest file the upload box takes, in MB (`server.maxUploadSize`, .streamlit/config.toml)."""
    return int(st.get_option("server.maxUploadSize"))


def _answer_input():
    """Draw the chosen input; return pasted text, an uploaded file, a recording, or None."""
    st.session_state.setdefault(
        "answer_source", "paste"
    )  # defaults via state: the value survives page switches
    source = st.segmented_control(
        "Answer",
        list(SOURCES),
        format_func=SOURCES.get,
        key="answer_source",
        required=True,
        on_change=_forget_error,
    )
    if source == "upload":
        live = st.file_uploader(
            "Answer file: text (.md, .txt, a Word .docx or a PDF), a transcript (.srt, .vtt, "
            "Whisper .json) or audio",
            type=TEXT_TYPES + TRANSCRIPT_TYPES + AUDIO_TYPES,
            key="answer_file",
            on_change=_file_changed,
            args=("upload", "answer_file"),
            help=f"{UPLOAD_HELP} Up to {upload_limit_mb()} MB here; `mlsd grade FILE` reads "
            "larger recordings.",
        )
        upload = _kept_or("upload", live)
        if live is not None:  # a file the box refused leaves the one before it in place
            st.caption(f"To grade: {inert(live.name)} ({size_text(live.size)})")
        if upload is None or not _is_audio(upload.name):
            st.text_input(  # a recording's speakers are not told apart: no name to give
                "Candidate speaker (optional)",
                key="candidate",
                help="In a transcript with speaker names, the speaker to grade; the others are "
                "the interviewer.",
            )
        return upload
    if source == "record":
        st.caption(
            "Speak your answer; it is transcribed on this machine. The browser asks to use the "
            "microphone: if the recorder shows an error, allow it (the icon in the address bar) "
            "or upload a recording instead."
        )
        live = st.audio_input(
            "Record your answer",
            key="answer_audio",
            on_change=_file_changed,
            args=("record", "answer_audio"),
        )
        return _kept_or("record", live)
    text = st.text_area(
        "Your answer",
        key="answer_text",
        on_change=_forget_error,
        height=320,
        placeholder="Clarify the requirements, frame the ML task, then data, model, evaluation, "
        "serving and monitoring...",
        help=f"The grader reads answers in English, up to {settings().max_words:,} words.",
    )
    if text:
        kept = (
            "draft kept in this tab only: it could not be saved to disk"
            if st.session_state.get(drafts.WARNED)
            else "draft saved with this tab: a refresh keeps it"
        )
        fmt = FORMATS.get(sniff_format(text) or "")
        what = (
            f"a timed transcript ({fmt}): revise its words and keep each cue's timing line, and "
            "its pacing is kept"
            if fmt
            else quantity(len(text.split()), "word")
        )
        st.caption(f"{what} · {kept}")
        words = answer_words(text)
        if words > settings().max_words:  # said before Grade, not after
            st.warning(
                f"{words:,} words is over the grader's limit of {settings().max_words:,}: "
                "shorten the answer before grading (it stays saved here)."
            )
    return text


def _kept_or(source: str, live):
    """The file the widget holds (kept for later), else the one kept from before this page was
    left, shown with a way to discard it; None when there is neither."""
    lost = st.session_state.get(drafts.LOST_FILES, {})
    if live is not None:
        lost.pop(source, None)
        return kept.keep(source, live)
    earlier = kept.kept(source)
    if earlier is None:
        if source in lost:  # files stay in memory, never on disk: a refresh lets them go
            what = "recording" if source == "record" else f"file {inert(lost[source])}"
            st.warning(
                f"Your {what} was held in this tab's memory only, and the refresh let it go: "
                f"{'record it' if source == 'record' else 'upload it'} again to grade it.",
                icon=":material/sync_problem:",
            )
        return None
    if source == "record":
        said = f"Your earlier recording ({kept.length(earlier)}) is kept"
        again = "record again to replace it"
    else:
        said = f"Your earlier file {inert(earlier.name)} ({size_text(earlier.size)}) is kept"
        again = "choose another file to replace it"
    st.info(
        f"{said}: **Grade** grades it, or {again}. The box above no longer shows it.",
        icon=":material/inventory_2:",
    )
    if source == "record":
        st.audio(earlier.data)
    if st.button("Discard it", key=f"discard_{source}", icon=":material/delete:"):
        kept.drop(source)
        _forget_error()
        st.rerun()
    return earlier


def _file_changed(source: str, key: str) -> None:
    """A file recorded, uploaded or removed: the last error goes, and a removed file is not kept."""
    _forget_error()
    kept.removed(source, key)


def _forget_error() -> None:
    """A new answer (typed, uploaded, recorded or another source chosen) or another question is
    not the one the last error was about: the error goes with it."""
    st.session_state.pop(state.LAST_ERROR, None)


class _Progress:
    """The grading stages as a progress bar with the stage named, inside a status box."""

    def __init__(self, status, words: int | None):
        self.status, self.words = status, words
        self.bar = status.progress(0.0, text="Starting...")

    def stage(self, stage: str) -> None:
        low = stage.lower()
        at, label = next(
            ((frac, name) for key, frac, name in STAGES if low.startswith(key)), (None, None)
        )
        if label is None:  # an LLM sub-step: keep the bar, name the step
            self.status.update(label=stage[:1].upper() + stage[1:] + "...")
            return
        if low.startswith("grading") and self.words:
            label += f" ({quantity(self.words, 'word')}; about {max(2, round(self.words / 200))} s)"
        self.bar.progress(at, text=label + "...")
        self.status.update(label=label + "...")

    def transcribing(self, done: float, total: float) -> None:
        frac = 0.05 + 0.15 * (done / total if total else 0)
        self.bar.progress(
            min(frac, 0.2), text=f"Transcribing: {done:.0f} of {total:.0f} seconds..."
        )
        self.status.update(label=f"Transcribing: {done:.0f} of {total:.0f} seconds...")


def transcribing(status):
    """A transcription progress callback that keeps the status label current."""
    return lambda done, total: status.update(
        label=f"Transcribing: {done:.0f} of {total:.0f} seconds..."
    )


def _fail(message: str) -> None:
    st.session_state[state.LAST_ERROR] = state.redact(message)
    st.session_state[SCROLL_ERROR] = True


def _timings_dropped(source: AnswerInput, question: str) -> AnswerInput:
    """A pasted answer revised from a timed one (`state.REVISED`, for this question) and read
    without timings says so in its report (`TIMINGS_DROPPED`); any other as it is."""
    revised = st.session_state.get(state.REVISED)
    if source.segments or not isinstance(revised, dict) or revised.get("question") != question:
        return source
    note = TIMINGS_DROPPED.get(revised.get("why"), TIMINGS_DROPPED["edited"])
    return dataclasses.replace(source, notes=(*source.notes, note))


def _is_audio(name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower() in AUDIO_TYPES


def _grade(question: str, answer) -> None:
    """`_grade_now`, marked as under way in the session and its saved draft until it ends: a
    refresh (or a click elsewhere) that cuts it off leaves the mark, and the page then says the
    answer was not graded (`CUT_OFF`) instead of showing nothing."""
    st.session_state[state.GRADING] = True
    drafts.save()
    _grade_now(question, answer)
    st.session_state.pop(state.GRADING, None)  # not reached when the run is stopped


def _grade_now(question: str, answer) -> None:
    """Grade, with a progress bar through the stages; the old report is cleared first, so what
    shows afterwards is this answer's report or the reason it could not be graded."""
    state.clear_report()
    st.session_state.pop(state.LAST_ERROR, None)
    if not question.strip():
        mode = st.session_state.get("q_mode")
        return _fail(
            "type your question first"
            if mode == "My own question"
            else "choose the question you answered from the case bank first"
        )
    if answer is None:
        return _fail(NOTHING.get(st.session_state.get("answer_source"), NOTHING["paste"]))
    if isinstance(answer, str):
        try:
            check_answer(answer)
        except GraderError as exc:
            return _fail(str(exc))
    words = len(answer.split()) if isinstance(answer, str) else None
    slot = st.empty()  # the progress box: gone again when grading fails, the reason shown once
    error = None
    with slot.status("Grading...", expanded=True) as status:
        progress = _Progress(status, words)
        try:
            llm = sidebar.llm_config()
            if isinstance(answer, str):  # a pasted transcript is read as one (`read_text`)
                source = _timings_dropped(read_text(answer), question)
            else:  # an uploaded file or a recording
                name = answer.name or "recording.wav"
                progress.stage(f"reading {name}")
                # the name box is shown for text and transcripts only: a recording is all graded
                audio = _is_audio(name) or st.session_state.get("answer_source") == "record"
                candidate = None if audio else st.session_state.get("candidate") or None
                source = kept.read_once(
                    answer,
                    candidate,
                    settings().transcriber,
                    lambda f: load_answer_bytes(
                        f.getvalue(), name, candidate=candidate, progress=progress.transcribing
                    ),
                )
                if isinstance(source, AnswerInput) and progress.words is None:
                    progress.words = len(source.graded_text.split())
            progress.stage("loading the grader (the knowledge index is built on first use)")
            grader = state.shared_grader()
            report = grade_input(grader, source, question, llm=llm, progress=progress.stage)
        except GraderError as exc:
            error = str(exc)
        except ImportError as exc:
            error = (
                f"a part of the grader is not installed ({exc.name}): choose 'None' for the LLM "
                "in the sidebar, or reinstall"
            )
        except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
            error = f"unexpected {type(exc).__name__}: {exc}"
        else:
            progress.bar.progress(1.0, text="Done")
            label = f"Graded: {report.overall_score}/100"
            status.update(label=label, state="complete", expanded=False)
    if error is not None:
        slot.empty()
        return _fail(error)
    text, graded = (
        (source.text, source.graded_text) if isinstance(source, AnswerInput) else (source, source)
    )
    attempt_id = state.save_attempt(text, report, mode="practice")
    box = answer if isinstance(answer, str) else editable(source)  # what Revise puts in the box
    state.set_report(report, text, question, attempt_id, graded, box)
    st.session_state[state.REPORT_FILE] = (
        answer.digest if isinstance(answer, kept.KeptFile) else None
    )
    st.session_state[SCROLL] = True
    saved = st.session_state.pop(state.SAVED_AS, "")
    saved = f", {saved}" if saved else ""
    st.toast(
        f"Graded: {report.overall_score}/100{saved}. Your report is below.",
        icon=":material/grading:",
    )
