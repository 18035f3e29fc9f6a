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
