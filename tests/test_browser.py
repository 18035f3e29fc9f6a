"""End to end in a real browser: `streamlit run app.py` on 127.0.0.1 and Debian's headless Chromium
driven by Playwright (never `playwright install`). Two browser contexts grade at the same time and
neither sees the other's answer or report; markup in an answer stays inert. Screenshots go to
tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, serving

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "video_recommendation"
TIMEOUT_MS = 120_000
EVIL = '\n\nSee [my notes](https://evil.example/x) <img src=x onerror="alert(1)"> ![pixel](https://evil.example/p.png)\n'


@pytest.fixture(scope="module")
def server(real_index_dir, tmp_path_factory):
    """The app, started the way `make run` starts it, on a free port with a private history folder."""
    port = free_port()
    data = tmp_path_factory.mktemp("browser-data")
    env = {
        **os.environ,
        "MLSD_INDEX_DIR": str(real_index_dir),
        "MLSD_AUTO_INDEX": "0",
        "MLSD_DATA_DIR": str(data),
        "MLSD_CONFIG": os.devnull,  # no personal config file
    }
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    with serving(
        cmd, f"{url}/_stcore/health", data / "server.log", env=env, ready=lambda body: body == b"ok"
    ):
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing: `apt-get install chromium chromium-driver` (.ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str, answer: str):
    """A fresh browser context (its own Streamlit session) with the case chosen and the answer typed."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 4200}
    )  # tall: screenshots show the report
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"a script ran in the page: {d.message}"))
    page.goto(url)
    page.get_by_role("combobox", name="Case").click(timeout=TIMEOUT_MS)
    page.get_by_role("option", name="Video recommendation (home feed)").click()
    box = _answer_box(page)
    box.fill(answer)
    box.press("Control+Enter")  # commit the text to the session
    return context, page


def _answer_box(page):
    return page.get_by_role("textbox", name="Your answer", exact=True)


def _wait_for_report(page, score: int) -> None:
    page.get_by_test_id("stMetricValue").filter(has_text=f"{score}/100").first.wait_for(
        timeout=TIMEOUT_MS
    )


def test_grade_in_a_real_browser_with_a_private_session(
    server, browser, grader, weak_answer, strong_answer
):
    ARTIFACTS.mkdir(exist_ok=True)
    weak_text = weak_answer + EVIL
    ctx1, first = _open(browser, server, weak_text)
    ctx2, second = _open(browser, server, strong_answer)  # another user, open at the same time
    try:
        first.get_by_role("button", name="Grade").click()
        weak = grader.grade(weak_text, QUESTION)  # what the library says, while the app grades
        _wait_for_report(first, weak.overall_score)
        first.get_by_text("Missed critical components (").first.wait_for(timeout=TIMEOUT_MS)
        first.get_by_role("button", name="Download JSON").wait_for(
            timeout=TIMEOUT_MS
        )  # the whole report is drawn
        first.locator(
            '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
        ).first.wait_for()
        first.screenshot(path=str(ARTIFACTS / "weak_report.png"))
        second.get_by_text("Interview timer", exact=True).click()  # a rerun of the second session
        second.get_by_role("button", name="Start the clock").wait_for(timeout=TIMEOUT_MS)
        second.screenshot(path=str(ARTIFACTS / "second_session.png"))

        # each session sees only its own answer, and only the first has a report
        weak_only, strong_only = (
            "because that is what YouTube uses",
            "Optimising clicks alone rewards clickbait",
        )
        assert (
            weak_only in weak_answer
            and strong_only in strong_answer
            and strong_only not in weak_answer
        )
        second_text = second.content()
        assert (
            second.get_by_test_id("stMetricValue").count() == 0
            and "Missed critical" not in second_text
        )
        assert weak_only not in second_text and weak_only not in _answer_box(second).input_value()
        assert (
            strong_only in _answer_box(second).input_value() and strong_only not in first.content()
        )
        # the answer's link, image and HTML are shown as text, never made live
        assert first.locator('a[href*="evil.example"]').count() == 0
        assert first.locator('img[src="x"], img[src*="evil.example"]').count() == 0
        assert first.get_by_text("onerror").count() >= 1
    finally:
        ctx1.close()
        ctx2.close()
