"""Streamlit front end: `make run` (or `streamlit run app.py`) serves it on 127.0.0.1:8501.

UI and session state only; the pages are in `ui/`, the work is done by the `grader` library."""

from ui.nav import main

main()
