"""The app's pages and navigation. `app.py` calls `main()`; pages link to each other with `page(slug)`."""

from __future__ import annotations

import streamlit as st

from grader.app import state

# slug -> (module, title, icon); the modules are imported when a page runs.
PAGES = {
    "practise": ("grader.app.practice", "Practise", ":material/edit_note:"),
    "report": ("grader.app.report_page", "Report", ":material/analytics:"),
    "mock": ("grader.app.mock_interview", "Mock interview", ":material/record_voice_over:"),
    "history": ("grader.app.history_page", "History", ":material/history:"),
    "knowledge": ("grader.app.knowledge", "Knowledge base", ":material/menu_book:"),
}
DEFAULT = "practise"


def _runner(module: str):
    def run() -> None:
        import importlib

        importlib.import_module(module).render()

    run.__name__ = module.rsplit(".", 1)[-1]
    return run


def page(slug: str, default: str = DEFAULT) -> st.Page:
    """The `st.Page` for a slug (the same page object every time, so links and switches resolve)."""
    module, title, icon = PAGES[slug]
    return st.Page(_runner(module), title=title, icon=icon, url_path=slug, default=slug == default)


def main(start: str = DEFAULT) -> None:
    """Run the app; `start` is the page shown at the root URL."""
    st.set_page_config(page_title="mlsd-grader", page_icon=":material/school:", layout="wide")
    state.keep_widget_values()
    from grader.app import sidebar

    current = st.navigation([page(slug, start) for slug in PAGES])
    sidebar.render()
    current.run()
