"""History: every saved attempt, progress per step over time, two attempts side by side, open,
delete, export and clear."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from grader.app import drafts, nav, state
from grader.app.safe import inert
from grader.batch import score_checks
from grader.errors import HistoryError
from grader.knowledge.notes import cached_kb
from grader.practice.history import Attempt
from grader.report import GradeReport
from grader.scoring import probes
from grader.text import as_said, quantity, shorten

ALL = "All questions"


def render() -> None:
    st.title("History")
    try:
        history = state.open_history()
        attempts = history.list()
    except HistoryError as exc:
        st.error(inert(str(exc)))
        return
    state.show_notices()
    st.caption(f"{quantity(len(attempts), 'attempt')} in `{history.path}`")
    if not attempts:
        st.info("No attempts yet: every answer you grade is saved here.")
        return
    reports = _reports(attempts)
    _suggest(attempts, reports)
    st.dataframe(
        attempts_table(attempts, reports),
        hide_index=True,
        width="stretch",
        column_config=ATTEMPT_COLUMNS,
    )
    _progress(attempts, reports)
    _compare(attempts, reports)
    _manage(history, attempts, reports)


def _label(a: Attempt) -> str:
    return f"#{a.id} · {a.created_at.astimezone():%Y-%m-%d %H:%M} · {a.question_title} · {a.overall_score}/100 · {a.mode}"


def _reports(attempts: list[Attempt]) -> dict[int, GradeReport]:
    out, unreadable = {}, []
    for a in attempts:
        try:
            out[a.id] = a.report
        except ValueError:  # saved by another version of the grader
            unreadable.append(a.id)
    if unreadable:
        st.caption(
            f"Attempts {unreadable} were saved in another report format: listed, but not charted."
        )
    return out


# the question, the only way to tell attempts apart, comes right after the score at a width of its
# own: a long one typed as text is cut in its cell (shown whole on hover) rather than pushing the
# score off a laptop's screen, and a phone's screen still shows it (last, it was off-screen at 390 px)
ATTEMPT_COLUMNS = {
    "id": st.column_config.NumberColumn("id", width="small"),
    "score": st.column_config.NumberColumn("score", width="small"),
    "question": st.column_config.TextColumn("question", width="medium"),
    "check": st.column_config.TextColumn(
        "check",
        width="medium",
        help="What to check before comparing the score, as its report warns",
    ),
    "answer": st.column_config.TextColumn(
        "answer", width="medium", help="How the answer begins: attempts at one question told apart"
    ),
}
ANSWER_OPENING = 60  # characters of an answer's opening shown in its row


def attempts_table(attempts: list[Attempt], reports: dict[int, GradeReport]) -> pd.DataFrame:
    """One row per attempt, newest first: its id, score and question, what to check before
    comparing that score (from `reports`, the attempts' reports as read once: `_reports`; none
    for a report this version cannot read), how the answer begins (three answers pasted to one
    long typed question had differed only by score), then when, how long and how it was given
    (`ATTEMPT_COLUMNS`)."""
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "score": a.overall_score,
                "question": a.question_title,
                "check": ", ".join(score_checks(reports[a.id])) if a.id in reports else "",
                "answer": shorten(a.answer, ANSWER_OPENING),
                "when": a.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                "words": _graded_words(a),
                "mode": a.mode,
                "source": a.source,
            }
            for a in reversed(attempts)
        ]
    )


def _graded_words(a: Attempt) -> int:
    """The words the report graded (a transcript's candidate turns, not the interviewer's), as the
    report says; the saved text's words for a report this version cannot read."""
    try:
        return a.report.answer_stats.words
    except ValueError:
        return len(a.answer.split())


SUGGEST_MIN_WORDS = 50  # an attempt shorter than this (a 2-second clip) says nothing of the gaps


def weakest(reports: list[GradeReport], n: int = 3, kb=None) -> list[tuple[str, str, float]]:
    """The `n` components with the lowest mean score across the attempts long enough to be an
    answer (SUGGEST_MIN_WORDS: a clip of two words scores 0 everywhere, which is no gap):
    (id, title, mean). With `kb`, a component counts only in attempts whose question the grader
    asks about it (`probes.Fit.asks_about`: none about people's data where the question and answer
    name no people), so a low score it does not ask about is no weakness to practise (a bike-dock
    forecast's privacy had sent its candidate to card fraud)."""
    scores: dict[str, list[int]] = {}
    titles: dict[str, str] = {}
    for r in reports:
        if r.answer_stats.words < SUGGEST_MIN_WORDS:
            continue
        fit = probes.Fit(nobody=r.question.people is False)
        for c in r.components:
            if kb is not None and not fit.asks_about(kb, c.id):
                continue
            scores.setdefault(c.id, []).append(c.score)
            titles[c.id] = c.title
    means = sorted((sum(v) / len(v), cid) for cid, v in scores.items())
    return [(cid, titles[cid], mean) for mean, cid in means[:n]]


def suggest_case(kb, reports: list[GradeReport], practised: dict[str, int]) -> tuple[str, list]:
    """The bank case to practise next: the one whose rubric weighs the weakest components most
    (each by how weak it is times its weight in that case: a gap that is critical there is
    exercised more than one that is nice to have), the less practised one on ties. Counting
    only whether a case lists them tied most cases (privacy, cost, fairness are in nearly every
    rubric) and the case ids then chose. Only cases of the kinds of system the attempts asked for
    are offered, when the bank has one (a candidate practising recommenders is not sent to a
    RAG assistant). (case id, weak components)."""
    weak = weakest(reports, kb=kb)
    if not weak:
        return "", []
    kinds = {k for r in reports for k in (r.question.systems or [])}
    alike = [c for c, case in kb.cases.items() if kinds & set(case.systems)]

    def fit(case_id: str) -> tuple:
        weights = {c.id: c.effective_weight for c in kb.cases[case_id].components}
        gain = sum((100 - mean) * weights[cid] for cid, _t, mean in weak if cid in weights)
        return (-gain, practised.get(case_id, 0), case_id)

    best = min(alike or kb.cases, key=fit)
    ids = {c.id for c in kb.cases[best].components}
    return best, [w for w in weak if w[0] in ids]


def _suggest(attempts: list[Attempt], reports: dict[int, GradeReport]) -> None:
    kb = cached_kb()
    practised: dict[str, int] = {}
    for a in attempts:
        if a.question_id:
            practised[a.question_id] = practised.get(a.question_id, 0) + 1
    case_id, weak = suggest_case(kb, list(reports.values()), practised)
    if not case_id:
        return
    with st.container(border=True):
        st.markdown(
            f"**Practise next: {inert(kb.cases[case_id].title)}**  \n"
            + (
                "It exercises your weakest components across your attempts: "
                + ", ".join(f"{inert(t)} (average {m:.0f}/100)" for _c, t, m in weak)
                + "."
                if weak
                else "It is the bank case you have practised least."
            )
        )
        if st.button("Practise this case", key="history_suggest", icon=":material/edit_note:"):
            from grader.app.knowledge import practise

            practise(case_id)


def progress_frame(attempts: list[Attempt], reports: dict[int, GradeReport]) -> pd.DataFrame:
    """Long format: one row per attempt and step (and the overall score), for the progress chart."""
    rows = []
    for a in attempts:
        r = reports.get(a.id)
        if r is None:
            continue
        # attempts are placed in order, one step apart, named by number and time: on a time axis,
        # attempts minutes apart crowd together under labels such as ":51"
        when = f"#{a.id} {a.created_at.astimezone():%b %d %H:%M}"
        rows.append({"when": when, "attempt": a.id, "series": "Overall", "score": r.overall_score})
        rows += [
            {"when": when, "attempt": a.id, "series": s.title, "score": s.score} for s in r.steps
        ]
    return pd.DataFrame(rows, columns=["when", "attempt", "series", "score"])


def _progress(attempts: list[Attempt], reports: dict[int, GradeReport]) -> None:
    st.subheader("Progress per step")
    # one question typed with another capital or final "?" is the same question: one series,
    # shown as its latest attempt typed it
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for a in attempts:
        key = as_said(a.question_title)
        counts[key] = counts.get(key, 0) + 1
        shown[key] = a.question_title
    keys = sorted(counts, key=lambda k: (-counts[k], shown[k]))  # the most practised first
    which = st.selectbox(
        "Question",
        [*keys, ALL],
        format_func=lambda k: k if k == ALL else f"{shown[k]} ({quantity(counts[k], 'attempt')})",
        key="history_question",
    )
    chosen = [a for a in attempts if which == ALL or as_said(a.question_title) == which]
    df = progress_frame(chosen, reports)
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "when:O",
                title=None,
                sort=alt.EncodingSortField("attempt"),
                axis=alt.Axis(labelAngle=-30, labelLimit=0),
            ),
            y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "series:N",
                title=None,
                # the overall, then the steps in the framework's order, not alphabetically
                sort=list(dict.fromkeys(df["series"])),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=0),
            ),
            tooltip=["attempt", "series", "score"],
        )
        .properties(height=300 + 26 * df["series"].nunique())  # the legend below takes its share
    )
    st.altair_chart(chart, width="stretch")
    versions = sorted({reports[a.id].grader.version for a in chosen if a.id in reports})
    if len(versions) > 1:
        st.caption(
            f"These attempts were graded by different versions of the grader "
            f"({', '.join(versions)}): a change between them is partly the grader's, not the "
            "answer's (0.2.0 began to lower a step the answer says little about)."
        )


def compare_frame(a: GradeReport, b: GradeReport, same_question: bool = True) -> pd.DataFrame:
    """Component by component: status and score in each attempt, and the change, biggest first (no
    such column between answers to different questions: that is not progress)."""
    left = {c.id: c for c in a.components}
    right = {c.id: c for c in b.components}
    rows = []
    for cid in [*left, *(c for c in right if c not in left)]:
        x, y = left.get(cid), right.get(cid)
        row = {
            "Component": (x or y).title,
            "A": f"{x.score} ({x.status})" if x else "not asked",
            "B": f"{y.score} ({y.status})" if y else "not asked",
        }
        if same_question:
            row["Change"] = (y.score - x.score) if x and y else None
        rows.append(row)
    if same_question:  # what moved comes first, the biggest move at the top; then rubric order
        rows.sort(key=lambda row: -abs(row["Change"] or 0))
    return pd.DataFrame(rows)


def steps_frame(r: GradeReport, before: GradeReport | None = None) -> pd.DataFrame:
    """A report's steps and their scores; with `before` (an earlier answer to the same question),
    each step's change since it."""
    earlier = {s.id: s.score for s in before.steps} if before is not None else {}
    rows = []
    for s in r.steps:
        row = {"Step": s.title, "Score": s.score}
        if before is not None:
            row["Change"] = s.score - earlier[s.id] if s.id in earlier else None
        rows.append(row)
    return pd.DataFrame(rows)


def _compare(attempts: list[Attempt], reports: dict[int, GradeReport]) -> None:
    st.subheader("Compare two attempts")
    ids = [a.id for a in reversed(attempts) if a.id in reports]
    if len(ids) < 2:
        st.caption("Grade at least two answers to compare them.")
        return
    by_id = {a.id: a for a in attempts}
    asked = {i: as_said(by_id[i].question_title) for i in ids}
    # A defaults to the last earlier answer to its question
    before = next((k for k, i in enumerate(ids[1:], 1) if asked[i] == asked[ids[0]]), 1)
    left, right = st.columns(2)
    a_id = left.selectbox(
        "Attempt A", ids, index=before, format_func=lambda i: _label(by_id[i]), key="compare_a"
    )
    b_id = right.selectbox(
        "Attempt B", ids, index=0, format_func=lambda i: _label(by_id[i]), key="compare_b"
    )
    same = asked[a_id] == asked[b_id]
    if not same:
        st.caption(
            f"A and B answer different questions ({inert(by_id[a_id].question_title)}; "
            f"{inert(by_id[b_id].question_title)}): their scores are side by side, not a change."
        )
    versions = {aid: reports[aid].grader.version for aid in (a_id, b_id)}
    if versions[a_id] != versions[b_id]:
        st.caption(
            f"A and B were graded by different versions of the grader ({versions[a_id]}; "
            f"{versions[b_id]}): part of any change is the grader's, not the answer's."
        )
    # the notes above sit under the pickers, before the figures they qualify
    left, right = st.columns(2)
    for col, aid in ((left, a_id), (right, b_id)):
        r = reports[aid]
        col.metric(
            "Overall",
            f"{r.overall_score}/100",
            delta=(r.overall_score - reports[a_id].overall_score)
            if aid == b_id and a_id != b_id and same
            else None,
        )
        before = reports[a_id] if aid == b_id and a_id != b_id and same else None
        col.dataframe(steps_frame(r, before), hide_index=True, width="stretch")
        if r.missed_critical:
            col.caption(
                "Missed critical: "
                + ", ".join(inert(r.component(c).title) for c in r.missed_critical)
            )
    frame = compare_frame(reports[a_id], reports[b_id], same)
    st.dataframe(  # every row, no inner scrolling
        frame, hide_index=True, width="stretch", height=35 * (len(frame) + 1) + 3
    )


def _manage(history, attempts: list[Attempt], reports: dict[int, GradeReport]) -> None:
    st.subheader("Open, delete, export")
    by_id = {a.id: a for a in attempts}
    chosen = st.selectbox(
        "Attempt",
        [a.id for a in reversed(attempts)],
        format_func=lambda i: _label(by_id[i]),
        key="history_attempt",
    )
    open_col, delete_col = st.columns(2)
    if open_col.button("Open its report", key="history_open", disabled=chosen not in reports):
        a = by_id[chosen]
        state.set_report(
            reports[chosen], a.answer, a.question_id or a.question_title, a.id, opened=True
        )
        st.session_state.pop(state.MOCK, None)
        st.session_state.pop(state.MOCK_FEEDBACK, None)
        st.switch_page(nav.page("report"), query_params={"attempt": str(a.id)})
    # the confirmation belongs to the attempt chosen: ticked for one, it never deletes another
    sure = delete_col.checkbox("Yes, delete it", key=f"history_delete_sure_{chosen}")
    if delete_col.button("Delete the attempt", key="history_delete", disabled=not sure):
        try:
            history.delete(chosen)
        except HistoryError as exc:
            st.error(inert(str(exc)))
        else:
            st.session_state.pop(f"history_delete_sure_{chosen}", None)
            st.toast(f"Deleted attempt #{chosen}")
            st.rerun()
    st.download_button(
        "Export all attempts (JSON)",
        history.export_json,
        file_name="mlsd-history.json",  # on click
        mime="application/json",
        key="history_export",
        on_click="ignore",
        icon=":material/download:",
    )
    with st.expander("Delete all history"):
        sure_all = st.checkbox(
            f"Yes, delete all {quantity(len(attempts), 'attempt')} (and the drafts saved with open "
            "tabs) for good",
            key="history_clear_sure",
        )
        if st.button(
            "Delete everything", key="history_clear", type="primary", disabled=not sure_all
        ):
            try:
                count = history.clear()
                drafts.clear_all()  # the autosaved drafts hold answers too
            except HistoryError as exc:
                st.error(inert(str(exc)))
            else:
                st.session_state.pop("history_clear_sure", None)
                st.toast(f"Deleted {quantity(count, 'attempt')}")
                st.rerun()
