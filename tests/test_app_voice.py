"""Voice practice in the app (`AppTest`, the real grader): a recording or an uploaded file is kept
over a page switch until it is graded over, replaced or discarded."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from grader.app import kept, state
from tests import test_app as base
from tests.test_app import QUESTION, all_text, assert_inert, run_app

data_dir, history = base.data_dir, base.history  # the same fixtures

pytestmark = pytest.mark.slow
SPEECH = (
    "For new users with no history I would show popular videos in their region, "
    "and new videos get a small exploration budget so they collect their first views."
)


def _go(at, slug: str):
    """Switch to the page at this URL path, as the navigation does, and run."""
    at._page_hash = next(
        h for h, info in at._registered_pages.items() if info.get("url_pathname") == slug
    )
    return at.run()


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> bytes:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: `apt-get install espeak-ng` (.ci/run installs it)")
    wav = tmp_path_factory.mktemp("voice") / "answer.wav"
    subprocess.run(
        ["espeak-ng", "-s", "160", "-w", str(wav), SPEECH], check=True, capture_output=True
    )
    return wav.read_bytes()


def test_a_recording_survives_a_page_switch_and_is_graded_on_return(history, recording):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("record").run()
    at.audio_input(key="answer_audio").upload("answer.wav", recording)
    at.run()
    at = _go(at, "history")
    assert at.title[0].value == "History"
    at = _go(at, "practise")
    assert_inert(at)
    assert at.audio_input(key="answer_audio").value is None  # the recorder itself starts empty
    said = all_text(at)
    assert "Your earlier recording (" in said and " s) is kept" in said
    assert at.get("audio")  # it can be played back
    at.button(key="grade").click().run()
    assert not [e for e in at.error if "Could not grade" in e.value]
    report = at.session_state[state.REPORT]
    assert report.source.kind == "audio" and report.pacing is not None
    assert "popular videos" in at.session_state[state.REPORT_TEXT].lower()
    assert [a.source_kind for a in history.list()] == ["audio"]
    # discarded, it is gone, and grading says there is nothing recorded
    at.button(key="discard_record").click().run()
    assert "is kept" not in all_text(at) and "record" not in at.session_state[kept.KEPT]
    at.button(key="grade").click().run()
    assert "nothing recorded yet" in at.error[0].value
    # a recording removed in the recorder itself is not kept either
    at.audio_input(key="answer_audio").upload("answer.wav", recording)
    at.run()
    assert "record" in at.session_state[kept.KEPT]
    at.audio_input(key="answer_audio").clear()
    at.run()
    assert "record" not in at.session_state[kept.KEPT]
    assert "is kept" not in all_text(at)


def test_an_uploaded_file_survives_a_page_switch(history, strong_answer):
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("upload").run()
    at.file_uploader(key="answer_file").upload("design.md", strong_answer.encode(), "text/markdown")
    at.run()
    at = _go(at, "knowledge")
    at = _go(at, "practise")
    assert_inert(at)
    assert "Your earlier file design.md (" in all_text(at).replace("\\", "")
    at.button(key="grade").click().run()
    assert not [e for e in at.error if "Could not grade" in e.value]
    assert at.session_state[state.REPORT].source.name == "design.md"
    assert "This report is for the answer you graded before" not in all_text(at)
    # another file chosen: the report on show is said to be the earlier file's
    at.file_uploader(key="answer_file").upload("v2.md", b"A second draft, not graded.", "text/md")
    at.run()
    assert "you have changed the answer file since" in all_text(at)


def _srt(text: str, words: int = 12) -> str:
    """`text` said as SubRip cues of `words` words, three seconds each."""
    said = text.split()

    def stamp(s: int) -> str:
        return f"00:{s // 60:02d}:{s % 60:02d},000"

    return "\n\n".join(
        f"{n}\n{stamp(3 * n - 3)} --> {stamp(3 * n)}\n{' '.join(said[k : k + words])}"
        for n, k in enumerate(range(0, len(said), words), 1)
    )


def _plain(text: str) -> str:
    """Markdown as plain words, as a speaker would say them."""
    return " ".join(w.strip("#*-|`") for w in text.split() if w.strip("#*-|`"))


def test_a_revised_transcript_keeps_its_timings(history, strong_answer):
    """An uploaded SRT transcript, graded and then revised from the Report page, goes to the answer
    box as its cues with their timings: a word changed in a cue is graded with the same timings
    (pacing kept); text that no longer reads as the transcript says in one line that timings were
    dropped."""
    srt = _srt(_plain(strong_answer))
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("upload").run()
    at.file_uploader(key="answer_file").upload("interview.srt", srt.encode(), "text/plain")
    at.button(key="grade").click().run()
    first = at.session_state[state.REPORT]
    assert first.pacing is not None and first.source.format == "srt"
    at = _go(at, "report")
    at = next(b for b in at.button if b.label == "Revise this answer in Practise").click().run()
    box = at.session_state["answer_text"]
    assert box.startswith("1\n00:00:00,000 --> 00:00:03,000\n")  # the cues, timed as uploaded
    assert at.session_state["answer_source"] == "paste"
    at = _go(at, "practise")
    assert "a timed transcript (SRT)" in all_text(at)
    revised = (
        box.replace("two-tower", "two tower", 1)
        + "\n\n999\n00:59:00,000 --> 00:59:03,000\nWe retrain weekly.\n"
    )
    at.text_area(key="answer_text").input(revised)
    at.button(key="grade").click().run()
    again = at.session_state[state.REPORT]
    assert again.pacing is not None and again.source.format == "srt"
    assert again.pacing.total_minutes > first.pacing.total_minutes  # the cue added at 59:00
    assert not [w for w in again.warnings if "timings dropped" in w]
    # edited freely: the cue numbers and timings gone, the words graded as written text, said once
    prose = "\n".join(
        line for line in revised.splitlines() if "-->" not in line and not line.isdigit()
    )
    at.text_area(key="answer_text").input(prose)
    at.button(key="grade").click().run()
    free = at.session_state[state.REPORT]
    assert free.pacing is None
    dropped = [w for w in free.warnings if "timings dropped" in w]
    assert len(dropped) == 1 and "no longer reads as the timed transcript" in dropped[0]
    assert any("Timings dropped" in w.value for w in at.warning)


def test_a_pasted_transcript_edited_after_grading_says_the_report_is_for_the_earlier_one(
    history, strong_answer
):
    srt = _srt(_plain(strong_answer))
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.text_area(key="answer_text").input(srt)
    at.button(key="grade").click().run()
    assert at.session_state[state.REPORT].source.format == "srt"
    assert not [w for w in at.warning if "changed the" in w.value]
    at.text_area(key="answer_text").input(
        srt + "\n\n999\n00:59:00,000 --> 00:59:03,000\nWe retrain weekly."
    ).run()
    assert any("changed the answer since" in w.value for w in at.warning)
    at.text_area(key="answer_text").input(srt).run()  # back as graded
    assert not [w for w in at.warning if "changed the" in w.value]
    # pasted WebVTT and transcript JSON alike
    for pasted in (
        "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n" + _plain(strong_answer),
        '{"segments": [{"start": 0, "end": 60, "text": "'
        + _plain(strong_answer).replace('"', "")
        + '"}]}',
    ):
        at.text_area(key="answer_text").input(pasted)
        at.button(key="grade").click().run()
        assert at.session_state[state.REPORT].source.kind == "transcript"
        assert not [w for w in at.warning if "changed the" in w.value]
        at.text_area(key="answer_text").input(pasted.replace("features", "signals")).run()
        assert any("changed the answer since" in w.value for w in at.warning)


def test_a_recording_graded_again_is_not_transcribed_again(history, recording, monkeypatch):
    """The same recording graded for a second question reads the session's transcript: the
    recogniser runs once (a three-minute recording had taken 11-22 s each time)."""
    from grader.answers import files

    heard = []
    real = files.transcribe

    def counted(*args, **kwargs):
        heard.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(files, "transcribe", counted)
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("record").run()
    at.audio_input(key="answer_audio").upload("answer.wav", recording)
    at.button(key="grade").click().run()
    first = at.session_state[state.REPORT]
    at.selectbox(key="q_case").set_value("fraud_detection")
    at.button(key="grade").click().run()
    second = at.session_state[state.REPORT]
    assert second.question.id == "fraud_detection" and first.question.id == QUESTION
    assert second.source == first.source and len(heard) == 1
    assert [a.source_kind for a in history.list()] == ["audio", "audio"]


def test_no_speaker_name_is_asked_for_a_recording(history, recording):
    """The candidate's name picks turns in a transcript; a recording's speakers are not told apart,
    so an audio upload shows no name box and a name typed before is not passed on (its report
    had said the name "was not looked for")."""
    at = run_app()
    at.selectbox(key="q_case").set_value(QUESTION)
    at.button_group(key="answer_source").set_value("upload").run()
    assert [t.key for t in at.text_input] == ["candidate"]  # for a transcript, before a file
    at.text_input(key="candidate").input("Alice").run()
    at.file_uploader(key="answer_file").upload("answer.wav", recording, "audio/wav").run()
    assert not [t for t in at.text_input if t.key == "candidate"]
    at.button(key="grade").click().run()
    report = at.session_state[state.REPORT]
    assert report.source.kind == "audio"
    assert not [w for w in report.warnings if "Alice" in w]
