"""Report: the report on show (the last graded answer, or an attempt opened from the history)."""

from __future__ import annotations

import streamlit as st

from grader.app import nav, report_view, state


def render() -> None:
    st.title("Report")
    shown = state.current_report()
    if shown is None:
        st.info("No report yet: grade an answer first, or open an attempt from your history.")
        st.page_link(nav.page("practise"), label="Practise", icon=":material/edit_note:")
        return
    report, text, _question = shown
    report_view.render(report, text, key="report")
