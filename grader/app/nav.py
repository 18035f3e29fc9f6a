"""The app's pages and navigation. `app.py` calls `main()`; pages link to each other with `page(slug)`.

Every page has its own URL (`/practise`, `/report`, `/mock`, `/history`, `/knowledge`); the root URL
is a hidden page that forwards to the start page, query parameters included."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
import streamlit as st
from PIL import Image

from grader.app import state
from grader.errors import GraderError
from grader.settings import settings

# slug -> (module, title, icon); the modules are imported when a page runs.
PAGES = {
    "practise": ("grader.app.practice", "Practise", ":material/edit_note:"),
    "report": ("grader.app.report_page", "Report", ":material/analytics:"),
    "mock": ("grader.app.mock_interview", "Mock interview", ":material/record_voice_over:"),
    "history": ("grader.app.history_page", "History", ":material/history:"),
    "knowledge": ("grader.app.knowledge", "Knowledge base", ":material/menu_book:"),
}
DEFAULT = "practise"
ROOT = "home"  # the hidden page at "/"


def _runner(module: str):
    def run() -> None:
        import importlib

        importlib.import_module(module).render()

    run.__name__ = module.rsplit(".", 1)[-1]
    return run


def page(slug: str) -> st.Page:
    """The `st.Page` for a slug (the same URL path every time, so links and switches resolve)."""
    module, title, icon = PAGES[slug]
    return st.Page(_runner(module), title=title, icon=icon, url_path=slug)


def _root(start: str) -> st.Page:
    def home() -> None:
        st.switch_page(page(start), query_params=st.query_params.to_dict())

    return st.Page(home, title=PAGES[start][1], url_path=ROOT, default=True, visibility="hidden")


@lru_cache(maxsize=1)
def favicon() -> bytes:
    """The tab icon, drawn here: a page icon from Streamlit's icon font would be fetched from a
    font host on every page load, and the app makes no request off this machine."""
    size = 64
    y, x = np.mgrid[0:size, 0:size]
    img = np.full((size, size, 3), 255, dtype=np.uint8)
    disc = (x - 31.5) ** 2 + (y - 31.5) ** 2 <= 31**2
    img[disc] = (38, 84, 166)
    for left, top in ((16, 36), (28, 24), (40, 14)):  # three rising bars
        img[top:50, left : left + 8] = (255, 255, 255)
    out = io.BytesIO()
    Image.fromarray(img).save(out, format="PNG")
    return out.getvalue()


def main(start: str = DEFAULT) -> None:
    """Run the app; `start` is the page the root URL forwards to."""
    st.set_page_config(page_title="mlsd-grader", page_icon=favicon(), layout="wide")
    try:  # a settings problem (MLSD_CONFIG naming no file, a malformed one) is said in one line
        settings()
    except GraderError as exc:
        st.error(f"mlsd-grader cannot start: {exc}")
        st.stop()
    from grader.app import drafts, sidebar

    drafts.start()  # before any widget: a refresh restores the draft into the widgets
    state.keep_widget_values()
    current = st.navigation([_root(start), *(page(slug) for slug in PAGES)])
    sidebar.render()
    try:
        current.run()
    finally:
        drafts.save()
