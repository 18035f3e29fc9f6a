"""One grade report on screen: score, step chart, components, evidence in place, follow-ups, reading,
pacing, warnings and downloads. All user and LLM text goes through `ui.safe`."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from grader.app import nav
from grader.app.safe import highlighted, inert
from grader.render import question_line, to_markdown
from grader.report import GradeReport

STATUS_COLOUR = {"covered": "#d4f4dd", "partial": "#fff3c4", "missing": "#ffd6d6"}


def render(report: GradeReport, text: str, key: str) -> None:
    """Draw `report`; `text` is what its evidence offsets index into; `key` keeps widget keys unique."""
    _headline(report)
    _warnings(report)
    _missed_critical(report)
    if report.summary:
        st.markdown("**Summary:** " + inert(report.summary))
    if report.improvements:
        items = "\n".join(f"{i}. {inert(s)}" for i, s in enumerate(report.improvements, 1))
        st.markdown("**Top improvements**\n\n" + items)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Steps")
        st.altair_chart(step_chart(report), width="stretch")
    with right:
        st.subheader("Components")
        st.dataframe(components_table(report), hide_index=True, width="stretch")
    _evidence(report, text, key)
    _follow_ups(report)
    _reading(report)
    if report.pacing is not None:
        _pacing(report)
    _details(report)
    _downloads(report, key)


def _headline(r: GradeReport) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Overall score", f"{r.overall_score}/100")
    b.metric("Missed critical", len(r.missed_critical))
    c.metric("Words", r.answer_stats.words)
    d.metric("Grader", "LLM-assisted" if r.grader.mode == "llm" else "deterministic")
    st.caption(f"Question: {inert(question_line(r))}")


def _warnings(r: GradeReport) -> None:
    if r.llm is not None and r.llm.fell_back:
        st.warning("The LLM could not be used for this answer; this is the deterministic grade.")
    for w in r.warnings:
        st.warning(inert(w))


def _missed_critical(r: GradeReport) -> None:
    for cid in r.missed_critical:
        c = r.component(cid)
        st.error(
            f"**Missed critical component: {inert(c.title)}**  \n{inert(c.feedback)}",
            icon=":material/error:",
        )


def step_chart(r: GradeReport) -> alt.Chart:
    df = pd.DataFrame([{"step": s.title, "score": s.score} for s in r.steps])
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="score"),
            y=alt.Y("step:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)),
            color=alt.Color(
                "score:Q",
                legend=None,
                scale=alt.Scale(domain=[0, 50, 100], range=["#e45756", "#f2cf5b", "#54a24b"]),
            ),
            tooltip=["step", "score"],
        )
        .properties(height=260)
    )


def components_table(r: GradeReport):
    """The components as a table, each row coloured by its status."""
    df = pd.DataFrame(
        [
            {
                "Status": c.status,
                "Component": c.title,
                "Step": c.step,
                "Severity": c.severity,
                "Score": c.score,
                "Key points": f"{c.cues_matched}/{c.cues_total}",
                "Judged by": c.judged_by,
            }
            for c in r.components
        ]
    )
    statuses = [c.status for c in r.components]
    return df.style.apply(
        lambda row: [f"background-color: {STATUS_COLOUR[statuses[row.name]]}"] * len(row), axis=1
    )


def _evidence(r: GradeReport, text: str, key: str) -> None:
    st.subheader("Your answer, with the evidence")
    with_evidence = [c for c in r.components if c.evidence]
    options = [c.id for c in r.components]
    default = options.index(with_evidence[0].id) if with_evidence else 0
    cid = st.selectbox(
        "Component",
        options,
        index=default,
        key=f"{key}_evidence",
        format_func=lambda i: (
            f"{r.component(i).title} ({r.component(i).status}, "
            f"{len(r.component(i).evidence)} quote(s))"
        ),
    )
    comp = r.component(cid)
    st.markdown(inert(comp.feedback))
    spans = [(e.start, e.end) for e in comp.evidence if text[e.start : e.end] == e.quote]
    if not comp.evidence:
        st.caption("No quote from your answer supports this component.")
    with st.container(height=360, border=True):
        st.markdown(highlighted(text, spans))


def _follow_ups(r: GradeReport) -> None:
    if not r.follow_up_questions:
        return
    st.subheader("Follow-up questions an interviewer would ask")
    lines = [
        f"{i}. {inert(f.question)}  \n   *{inert(f.why)}*" + (" (LLM)" if f.origin == "llm" else "")
        for i, f in enumerate(r.follow_up_questions, 1)
    ]
    st.markdown("\n".join(lines))


def _reading(r: GradeReport) -> None:
    if not r.recommended_reading:
        return
    st.subheader("Recommended reading")
    for x in r.recommended_reading:
        gaps = ", ".join(
            r.component(c).title for c in x.for_components if any(k.id == c for k in r.components)
        )
        st.page_link(
            nav.page("knowledge"),
            label=f"{x.title} (for {gaps})" if gaps else x.title,
            icon=":material/menu_book:",
            query_params={"doc": x.path},
        )


def _pacing(r: GradeReport) -> None:
    p = r.pacing
    st.subheader("Pacing")
    a, b, c = st.columns(3)
    a.metric("Minutes", f"{p.total_minutes:.1f}")
    b.metric("Words per minute", f"{p.words_per_minute:.0f}")
    c.metric("Fillers per minute", f"{p.fillers_per_minute:.1f}")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Step": s.title,
                    "Minutes": round(s.minutes, 1),
                    "Budget": s.budget_minutes,
                    "Share": f"{s.share:.0%}",
                }
                for s in p.steps
            ]
        ),
        hide_index=True,
    )
    if p.unreached_steps:
        st.warning("Steps never reached: " + ", ".join(inert(s) for s in p.unreached_steps))
    st.caption(
        f"Longest monologue: {p.longest_monologue_seconds:.0f} s, from "
        f"{p.longest_monologue_start_seconds / 60:.1f} min."
    )


def _details(r: GradeReport) -> None:
    with st.expander("Grader, source and LLM details"):
        g = r.grader
        st.markdown(
            f"{g.mode} grader {inert(g.version)}, {inert(g.model)}, calibration {inert(g.calibration)}."
        )
        if r.source is not None:
            s = r.source
            bits = [s.kind, s.format] + (
                [f"{s.duration_seconds / 60:.1f} min"] if s.duration_seconds else []
            )
            bits += [f"transcribed by {s.transcription_model}"] if s.transcription_model else []
            st.markdown("Source: " + inert(", ".join(bits)))
        if r.llm is not None:
            u = r.llm
            cost = (
                f"${u.estimated_cost_usd:.4f}"
                if u.estimated_cost_usd is not None
                else "unknown cost"
            )
            st.markdown(
                inert(
                    f"LLM: {u.provider} {u.model}, {u.calls} call(s), {u.failed_calls} failed, "
                    f"{u.prompt_tokens}+{u.completion_tokens} tokens, {u.latency_seconds:.1f} s, {cost}"
                )
            )


def _downloads(r: GradeReport, key: str) -> None:
    name = f"grade-{r.question.id or 'question'}-{r.overall_score}"
    a, b = st.columns(2)
    a.download_button(
        "Download Markdown",
        to_markdown(r),
        file_name=f"{name}.md",
        mime="text/markdown",
        key=f"{key}_md",
        icon=":material/download:",
        on_click="ignore",
    )
    b.download_button(
        "Download JSON",
        r.to_json(),
        file_name=f"{name}.json",
        mime="application/json",
        key=f"{key}_json",
        icon=":material/download:",
        on_click="ignore",
    )
