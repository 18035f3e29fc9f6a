"""Streamlit front end (placeholder until the app issue lands): paste an answer, see the grade."""

import streamlit as st

from grader.errors import GraderError
from grader.grading import Grader
from grader.kb import cached_kb
from grader.render import to_markdown

st.set_page_config(page_title="mlsd-grader", layout="wide")


@st.cache_resource
def _grader() -> Grader:
    return Grader.open()


st.title("ML system design grader")
cases = cached_kb().cases
case_id = st.selectbox("Question", list(cases), format_func=lambda c: cases[c].title)
st.caption(cases[case_id].prompt)
answer = st.text_area("Your answer", height=300, key="answer")
if st.button("Grade", type="primary"):
    try:
        report = _grader().grade(answer, case_id)
    except GraderError as exc:
        st.error(str(exc))
    else:
        st.metric("Overall", f"{report.overall_score}/100")
        st.markdown(to_markdown(report))
