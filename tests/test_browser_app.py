"""The app as a practice partner, end to end in Debian's Chromium (never `playwright install`):
no request leaves the machine, a refresh restores the draft and the report, the evidence view and
the mock interview conversation, with screenshots at 1,400 and 390 px in tests/artifacts/."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests import test_browser as base
from tests.test_browser import ARTIFACTS, QUESTION, TIMEOUT_MS

pytestmark = pytest.mark.slow
server, browser = base.server, base.browser  # the same fixtures: the app and Chromium
LOCAL = {"127.0.0.1", "localhost"}
WIDE, PHONE = {"width": 1400, "height": 1000}, {"width": 390, "height": 844}


def _context(browser, viewport, requests: list[str] | None = None):
    ctx = browser.new_context(viewport=viewport)
    if requests is not None:
        ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.on("dialog", lambda d: pytest.fail(f"a script ran in the page: {d.message}"))
    return ctx, page


def _session_id(page) -> str:
    page.wait_for_url(re.compile(r"[?&]s="), timeout=TIMEOUT_MS)
    return re.search(r"[?&]s=([A-Za-z0-9_-]+)", page.url).group(1)


def _choose_case_and_type(page, answer: str) -> None:
    page.get_by_role("combobox", name="Case").click(timeout=TIMEOUT_MS)
    page.get_by_role("option", name="Video recommendation (home feed)").click()
    box = base._answer_box(page)
    box.fill(answer)
    box.press("Control+Enter")  # commit the text: the draft is saved
    page.get_by_text("draft saved with this tab").wait_for(timeout=TIMEOUT_MS)


def _grade(page, score: int) -> None:
    page.get_by_role("button", name="Grade").click()
    base._wait_for_report(page, score)
    page.get_by_role("button", name="Download JSON").wait_for(timeout=TIMEOUT_MS)


def _shot(page, name: str, height: int = 6000) -> None:
    """A screenshot of the whole page: the viewport made tall (Streamlit scrolls inside its own
    container, so a full-page capture alone would show one screen)."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(1500)  # charts and tables redraw at the new size
    page.screenshot(path=str(ARTIFACTS / name))
    page.set_viewport_size(size)


def test_no_request_leaves_the_machine(server, browser, grader, weak_answer):
    requests: list[str] = []
    ctx, page = _context(browser, WIDE, requests)
    try:
        page.goto(server + "/practise")
        _choose_case_and_type(page, weak_answer)
        _grade(page, grader.grade(weak_answer, QUESTION).overall_score)
        for slug in ("report", "mock", "history", "knowledge"):
            page.goto(f"{server}/{slug}?s={_session_id(page)}")
            page.get_by_test_id("stHeading").first.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_timeout(1500)
    finally:
        ctx.close()
    hosts = {
        urlparse(u).hostname
        for u in requests
        if urlparse(u).scheme in ("http", "https", "ws", "wss")
    }
    assert requests and hosts <= LOCAL, sorted(hosts - LOCAL)


def test_refresh_restores_the_draft_and_the_report(server, browser, grader, weak_answer):
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        page.get_by_role("heading", name="Practise an ML system design answer").wait_for(
            timeout=TIMEOUT_MS
        )
        _choose_case_and_type(page, weak_answer)
        sid = _session_id(page)
        page.reload()
        box = base._answer_box(page)
        box.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(
            "n => document.querySelector('textarea') && document.querySelector('textarea').value.length === n",
            arg=len(weak_answer),
            timeout=TIMEOUT_MS,
        )
        assert box.input_value() == weak_answer and _session_id(page) == sid
        score = grader.grade(weak_answer, QUESTION).overall_score
        _grade(page, score)
        heading = page.get_by_text("Your report", exact=True)
        heading.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "app_graded_1400.png"))  # scrolled to the report
        top = heading.bounding_box()["y"]  # the page brought the report into view
        assert 0 <= top < page.viewport_size["height"] / 2, top
        _shot(page, "app_report_1400.png")
        page.reload()  # the report is still there
        base._wait_for_report(page, score)
        assert base._answer_box(page).input_value() == weak_answer
    finally:
        ctx.close()
    phone, small = _context(browser, PHONE)  # the same session's report on a phone
    try:
        small.goto(f"{server}/report?s={sid}")
        base._wait_for_report(small, score)
        small.get_by_role("button", name="Download JSON").wait_for(timeout=TIMEOUT_MS)
        _shot(small, "app_report_390.png", height=9000)
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the report is {width} px wide on a 390 px phone"
    finally:
        phone.close()


def test_words_typed_since_the_last_commit_survive_a_refresh(server, browser):
    """The box sends its text to the app only when it loses focus: words typed after that are kept
    in the tab's own storage and put back after a refresh, then committed."""
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        _choose_case_and_type(page, "First committed line about the two-tower retrieval model.")
        box = base._answer_box(page)
        more = "First committed line about the two-tower retrieval model. Then words not yet sent."
        box.fill(more)  # typed, never blurred: the app has not seen it
        page.wait_for_timeout(500)
        page.reload()
        box = base._answer_box(page)
        page.wait_for_function(
            "t => document.querySelector('textarea') && document.querySelector('textarea').value === t",
            arg=more,
            timeout=TIMEOUT_MS,
        )
        page.get_by_text("draft saved with this tab").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)
        page.reload()  # committed once restored: the app's own draft now holds it
        base._answer_box(page).wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(
            "t => document.querySelector('textarea') && document.querySelector('textarea').value === t",
            arg=more,
            timeout=TIMEOUT_MS,
        )
    finally:
        ctx.close()


def test_a_question_typed_and_not_yet_sent_survives_a_refresh(server, browser):
    """One's own question reaches the app when its box loses focus: what was typed after that had
    gone back to the last words sent on a refresh."""
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        _session_id(page)
        page.get_by_text("My own question").click(timeout=TIMEOUT_MS)
        box = page.get_by_role("textbox", name="Your question")
        box.fill("Design a churn model for a gym chain")
        box.press("Enter")  # sent: the app holds it
        page.wait_for_timeout(1500)
        typed = "Design a churn model for a gym chain with 200 sites"
        box.fill(typed)  # typed, never sent
        page.wait_for_timeout(500)
        page.reload()
        page.wait_for_function(
            """t => { const el = document.querySelector('input[aria-label="Your question"]');
                      return el && el.value === t; }""",
            arg=typed,
            timeout=TIMEOUT_MS,
        )
    finally:
        ctx.close()


def test_words_typed_survive_a_page_switch_that_raced_their_commit(server, browser):
    """A click on another page can blur the box and switch pages before the box's text reaches
    the app; back on the page, the words kept in the tab's storage are put back and committed. The
    race is made certain here: the words are in the tab's storage, as typing leaves them, and were
    never sent."""
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        _session_id(page)
        base._answer_box(page).wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function("() => typeof window.__mlsdBase === 'string'", timeout=TIMEOUT_MS)
        typed = "Words typed just before switching pages: a two-tower model with ANN retrieval."
        page.evaluate(
            """t => { const sid = new URLSearchParams(location.search).get("s");
                      localStorage.setItem("mlsd-draft-" + sid,
                                           JSON.stringify({base: window.__mlsdBase, text: t})); }""",
            typed,
        )
        page.get_by_role("link", name="History").click()
        page.wait_for_url(re.compile(r"/history"), timeout=TIMEOUT_MS)
        page.get_by_role("link", name="Practise").click()
        page.wait_for_function(
            "t => document.querySelector('textarea') && document.querySelector('textarea').value === t",
            arg=typed,
            timeout=TIMEOUT_MS,
        )
        page.get_by_text("draft saved with this tab").wait_for(timeout=TIMEOUT_MS)  # committed
    finally:
        ctx.close()


def test_text_the_app_sets_back_is_not_overwritten_by_words_it_already_holds(
    server, browser, grader, weak_answer
):
    """An edit typed and sent, then the graded answer taken back to Practise with "Revise" and
    "Replace it": the box shows the graded answer, and the edit, which the app held, is not
    put back over it."""
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        _choose_case_and_type(page, weak_answer)
        _grade(page, grader.grade(weak_answer, QUESTION).overall_score)
        box = base._answer_box(page)
        edited = weak_answer + "\n\nMORE WORDS ADDED LATER."
        box.fill(edited)
        box.press("Control+Enter")  # sent: the app holds the edit
        page.wait_for_timeout(2000)
        page.get_by_role("link", name="Report").click()
        page.wait_for_url(re.compile(r"/report"), timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Revise this answer in Practise").click(timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Replace it").click(timeout=TIMEOUT_MS)
        page.wait_for_url(re.compile(r"/practise"), timeout=TIMEOUT_MS)
        base._answer_box(page).wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(3000)  # past the keeper's wait
        assert base._answer_box(page).input_value() == weak_answer
    finally:
        ctx.close()


def test_evidence_view_and_mock_interview(server, browser, grader, weak_answer):
    score = grader.grade(weak_answer, QUESTION).overall_score
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        _choose_case_and_type(page, weak_answer)
        _grade(page, score)
        sid = _session_id(page)
        evidence = page.get_by_role("heading", name="Your answer, with the evidence")
        evidence.scroll_into_view_if_needed()
        page.get_by_text("Legend:").wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(ARTIFACTS / "app_evidence_1400.png"))
        # the chosen component's quotes: a strong background, not near-white
        colour = page.evaluate(
            """() => { for (const el of document.querySelectorAll('span')) {
                 const c = getComputedStyle(el).backgroundColor;
                 if (el.closest('[data-testid="stMarkdownContainer"]') && el.querySelector('strong')
                     && c !== 'rgba(0, 0, 0, 0)') return c; } return null; }"""
        )
        assert colour is not None
        rgb = [int(x) for x in re.findall(r"\d+", colour)[:3]]
        assert min(rgb) < 225, f"the highlight {colour} is too close to white"
        # the mock interview as a conversation
        page.goto(f"{server}/mock?s={sid}")
        page.get_by_role("button", name="Start the interview").click(timeout=TIMEOUT_MS)
        chat = page.get_by_test_id("stChatInputTextArea")
        chat.wait_for(timeout=TIMEOUT_MS)
        chat.fill("I don't know.")
        chat.press("Enter")
        page.get_by_text("added nothing the rubric counts", exact=False).wait_for(
            timeout=TIMEOUT_MS
        )
        chat = page.get_by_test_id("stChatInputTextArea")
        assert chat.input_value() == ""  # a fresh box for the next question
        page.wait_for_timeout(1000)  # past the keeper's wait: the reply sent is not put back
        assert chat.input_value() == ""
        chat.fill(
            "For new users I would show popular videos in their region, and new videos get an "
            "exploration budget so they collect their first views before the model ranks them."
        )
        chat.press("Enter")
        page.get_by_test_id("stChatMessage").nth(5).wait_for(timeout=TIMEOUT_MS)
        _shot(page, "app_mock_1400.png")
        # a reply typed and not sent outlives a page switch (it had been lost), and stays unsent
        unsent = "For drift I would watch the share of fresh videos among the top slots each day."
        page.wait_for_timeout(1500)
        said = page.get_by_test_id("stChatMessage").count()
        page.get_by_test_id("stChatInputTextArea").fill(unsent)
        page.wait_for_timeout(500)
        page.get_by_role("link", name="History").click()
        page.wait_for_url(re.compile(r"/history"), timeout=TIMEOUT_MS)
        page.get_by_role("link", name="Mock interview").click()
        page.wait_for_function(
            """t => { const el = document.querySelector('[data-testid="stChatInputTextArea"]');
                      return el && el.value === t; }""",
            arg=unsent,
            timeout=TIMEOUT_MS,
        )
        page.wait_for_timeout(1500)
        assert page.get_by_test_id("stChatMessage").count() == said  # kept in the box, not sent
    finally:
        ctx.close()
    phone, small = _context(browser, PHONE)
    try:
        small.goto(f"{server}/mock?s={sid}")
        small.get_by_test_id("stChatMessage").nth(5).wait_for(timeout=TIMEOUT_MS)
        _shot(small, "app_mock_390.png", height=4000)
        small.goto(f"{server}/practise?s={sid}")
        small.get_by_role(
            "heading", name="Your answer, with the evidence"
        ).scroll_into_view_if_needed(timeout=TIMEOUT_MS)
        small.screenshot(path=str(ARTIFACTS / "app_evidence_390.png"))
        small.goto(f"{server}/history?s={sid}")
        small.get_by_text("Practise next:").wait_for(timeout=TIMEOUT_MS)
        _shot(small, "app_history_390.png")
    finally:
        phone.close()


def test_a_word_document_uploaded_in_the_browser_is_graded(server, browser, grader, tmp_path):
    """The upload box takes a .docx (as Word and Google Docs save answers) and grades its text."""
    from grader.answers.files import load_answer_bytes
    from tests.test_documents import _docx

    path = tmp_path / "design.docx"
    path.write_bytes(_docx())
    expected = grader.grade(load_answer_bytes(path.read_bytes(), path.name).graded_text, QUESTION)
    ctx, page = _context(browser, WIDE)
    try:
        page.goto(server + "/practise")
        page.get_by_role("combobox", name="Case").click(timeout=TIMEOUT_MS)
        page.get_by_role("option", name="Video recommendation (home feed)").click()
        page.get_by_text("Upload a file", exact=True).click(timeout=TIMEOUT_MS)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(path)
        page.get_by_text("To grade: design.docx").wait_for(timeout=TIMEOUT_MS)
        _grade(page, expected.overall_score)
        _shot(page, "docx_report.png", height=2000)
    finally:
        ctx.close()
