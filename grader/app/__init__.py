"""The Streamlit front end's pages and helpers; `app.py` runs `grader.app.nav.main()`. UI and session state
only: grading, history and the mock interview live in the `grader` library."""
