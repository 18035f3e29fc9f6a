"""Streamlit front end: `make run` (or `streamlit run app.py`) serves it on 127.0.0.1:8501.

UI and session state only; the pages are in `grader/app/`, the work is done by the `grader` library."""

from grader.app.nav import main

main()
