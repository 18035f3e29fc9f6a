"""One grade report on screen: score, step chart, components, evidence in place, follow-ups, reading,
pacing, warnings and downloads. All user and LLM text goes through `ui.safe`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from grader.app import nav
from grader.app.safe import fenced, inert, markdown_block
from grader.batch import checks_score, score_checks
from grader.knowledge.notes import cached_kb
from grader.render import (
    IGNORED,
    clock,
    fillers_heard,
    interviewer_sheet,
    question_line,
    rubric_line,
    status_note,
    step_score_note,
    to_markdown,
)
from grader.report import NOTHING_QUOTED, SEVERITY_LABEL, GradeReport
from grader.scoring.grading import gaps_first
from grader.scoring.probes import cross_cutting
from grader.text import printable, quantity, shorten

STATUS_COLOUR = {"covered": "#d4f4dd", "partial": "#fff3c4", "missing": "#ffd6d6"}


STATUS_BADGE = {"covered": "green", "partial": "orange", "missing": "red"}
QUOTE_COLOUR = "violet"  # the chosen component's quotes (a strong colour in .streamlit/config.toml)
OTHER_COLOUR = "gray"  # evidence for the other components
NAMED_COLOUR = "blue"  # where a missing component is named without being explained
ANSWERED = "blocks"  # session key prefix: how the answer is shown
SHOWN_QUESTION_CHARS = 300  # a longer question is cut in the report's question line
# On a narrow screen (a phone, or a laptop window with the sidebar open) the components table
# showed one or two of its five columns: the list that stacks each component on a line of its own
# is shown instead. Containers keyed with these words are shown on one kind of screen only.
WIDE_ONLY, NARROW_ONLY = "wide_only", "narrow_only"
NARROW_PX = 860
# the answer shown with its evidence: its margin's component names wrap rather than end in "…"
# ("Serving architecture and prediction pi…" in a margin two sevenths of the page wide)
ANSWER = "evidence_answer"
NARROW_STYLE = f"""<style>
@media (max-width: {NARROW_PX}px) {{ div[class*="st-key-"][class*="_{WIDE_ONLY}"] {{ display: none; }} }}
@media (min-width: {NARROW_PX + 1}px) {{ div[class*="st-key-"][class*="_{NARROW_ONLY}"] {{ display: none; }} }}
div[class*="st-key-"][class*="_{ANSWER}"] .stMarkdownBadge {{
  white-space: normal; overflow: visible; text-overflow: clip; max-width: 100%; height: auto;
}}
</style>"""


def render(report: GradeReport, text: str, key: str) -> None:
    """Draw `report`; `text` is what its evidence offsets index into; `key` keeps widget keys unique."""
    _headline(report)
    _warnings(report)
    _missed_critical(report)
    if report.summary:
        st.markdown("**Summary:** " + inert(report.summary))
    if report.strengths:  # what to keep doing, before what to change
        kept = "\n".join(f"- {inert(s)}" for s in report.strengths)
        st.markdown("**What the answer did well**\n\n" + kept)
    if report.improvements:
        items = "\n".join(f"{i}. {inert(s)}" for i, s in enumerate(report.improvements, 1))
        st.markdown("**Top improvements**\n\n" + items)
    st.subheader("Steps")
    st.altair_chart(step_chart(report), width="stretch")
    st.caption(step_score_note(report))
    st.subheader("Components, biggest gaps first")
    st.caption(
        "A gap costs its component's importance times the points it lacks, so an important "
        f"partial component can come before a minor missing one. {status_note()}"
    )
    with st.container(key=f"{key}_{WIDE_ONLY}"):
        st.dataframe(
            components_table(report),
            hide_index=True,
            width="stretch",
            column_config=COMPONENT_COLUMNS,
            # "judged by" says something only when an LLM judged some components
            column_order=[
                k
                for k in COMPONENT_COLUMNS
                if k != "Judged by" or any(c.judged_by == "llm" for c in report.components)
            ],
            height=35 * (len(report.components) + 1) + 3,  # every row, no inner scrolling
        )
        with st.expander("The components as a list"):
            st.markdown(components_list(report))
    with st.container(key=f"{key}_{NARROW_ONLY}"):  # the list itself, where the table is cut
        st.markdown(components_list(report))
    st.html(NARROW_STYLE)
    _evidence(report, text, key)
    _outline(report)
    _follow_ups(report)
    _reading(report)
    if report.pacing is not None:
        _pacing(report)
    _details(report)
    _downloads(report, text, key)


def _headline(r: GradeReport) -> None:
    a, b, c, d = st.columns(4)
    # what to check before comparing the score is said on it: a pale warning further down, like
    # the routine "no close bank case", left an answer to another system looking like the best
    checks = score_checks(r)
    a.metric(
        "Overall score",
        f"{r.overall_score}/100",
        delta=f"check: {', '.join(checks)}" if checks else None,
        delta_color="orange",
        delta_arrow="off",
        help="The share of the rubric the answer covers, weighted by importance: a covered "
        "component counts in full, a partial one half, a missing one not at all. A step's score "
        "counts its own components the same way, less when the answer says little about them."
        + (" The warnings below say what to check before comparing it." if checks else ""),
    )
    b.metric("Missed critical", len(r.missed_critical))
    c.metric("Words", f"{r.answer_stats.words:,}")
    d.metric(
        "Grader",
        "rules + LLM" if r.grader.mode == "llm" else "rules",
        help="rules: deterministic, the same answer always gets the same report; rules + LLM: an "
        "LLM adjusted the rules' verdicts within bounds that its quotes must support.",
    )
    asked = r.question.asked or ""
    if r.question.matched_by in ("retrieval", "framework") and len(asked) > SHOWN_QUESTION_CHARS:
        # a question with pages of context was shown whole, forty lines above the report
        st.caption(
            f"Question: {inert(shorten(asked, SHOWN_QUESTION_CHARS))} ({inert(rubric_line(r))})"
        )
        with st.expander("The whole question"):
            st.text(printable(asked))
    else:
        st.caption(f"Question: {inert(question_line(r))}")


_GENERIC = r"(?P<generic{n}>it reads as generic, close to no case in the bank, [\d.]+ at most)"
_OFF_CASE = re.compile(
    r"the answer does not read as an answer to (?:'(?P<case>.+?)'|the question asked) "
    r"\((?:similarity [\d.]+(?:; it is closer to '(?P<closer>.+?)' \([\d.]+\)|; "
    + _GENERIC.format(n=1)
    + r")?|it is closer to '(?P<closer2>.+?)', [\d.]+|"
    + _GENERIC.format(n=2)
    + r")\); scores were scaled by (?P<factor>[\d.]+)"
)
# the counts as reports say them ('1 passage', '2 passages'; earlier versions '2 passage(s)')
_SHORT = re.compile(r"the answer is short \((?P<n>[\d,]+) words?\)")
_BUZZ = re.compile(r"(?P<n>[\d,]+) passage(?:s|\(s\))? read as lists of buzzwords")
_OFF_DOMAIN = re.compile(r"(?P<n>[\d,]+) passage(?:s|\(s\))? read as unrelated to ML system design")
_CLAIMS = re.compile(r"(?P<n>[\d,]+) passage(?:s|\(s\))? read as claims without specifics")
_CODE = re.compile(r"(?P<n>[\d,]+) passage(?:s|\(s\))? of code or configuration read as bare terms")


def _count(m: re.Match, noun: str) -> str:
    return quantity(int(m["n"].replace(",", "")), noun)


_FIRST_SPAN = re.compile(r'first: "(.*)"\): ')  # the steering warning's first span


def plain_warning(w: str) -> str:
    """A grader warning in plain language (no similarities or factors)."""
    m = _OFF_CASE.search(w)
    if m:
        factor = float(m["factor"])
        asked = f"\u201c{m['case']}\u201d" if m["case"] else "the question asked"
        closer = m["closer"] or m["closer2"]
        effect = (
            "so it earned no credit"
            if factor <= 0.005
            else f"so its scores were cut to {factor:.0%} of what its content would earn"
        )
        if m["generic1"] or m["generic2"]:
            return (
                "This answer reads as generic, close to no question in the bank, rather than as "
                f"an answer to {asked}, {effect}. Say how each part would work for the question "
                "on screen."
            )
        reads = (
            f"reads more like an answer to \u201c{closer}\u201d than to {asked}"
            if closer
            else f"does not read as an answer to {asked}"
        )
        return f"This answer {reads}, {effect}. Answer the question on screen."
    m = _SHORT.search(w)
    if m:
        return (
            f"Short answer: {_count(m, 'word')}. A full design usually takes 600 words or more, "
            "so several steps could not earn credit."
        )
    m = _BUZZ.search(w)
    if m:
        return (
            f"{_count(m, 'passage')} only listed terms without saying how or why (read as "
            "buzzwords) and earned no credit: explain each choice instead of naming it."
        )
    m = _CLAIMS.search(w)
    if m:
        return (
            f"{_count(m, 'passage')} named, promised or praised a part of the design without "
            "saying how it works (read as claims) and earned no credit: say what is done, with "
            "what, and how much."
        )
    m = _CODE.search(w)
    if m:
        return (
            f"{_count(m, 'passage')} of code or configuration read as bare terms and earned no "
            "credit: say the design they configure in words."
        )
    m = _OFF_DOMAIN.search(w)
    if m:
        return f"{_count(m, 'passage')} read as unrelated to ML system design and earned no credit."
    if w.startswith("possible attempt to steer the grader"):
        first = _FIRST_SPAN.search(w)
        begins = f' (it begins "{first.group(1)}")' if first else ""
        return (
            f"Part of the answer reads as instructions to the grader{begins}: it was ignored and "
            "cannot raise any score."
        )
    return w[:1].upper() + w[1:]


def _warnings(r: GradeReport) -> None:
    # an LLM that could not be used says so, and why, among the warnings; those that question the
    # score come first (the another-system warning had come after the routine "no close bank case")
    for w in sorted(r.warnings, key=lambda w: not checks_score(w)):
        st.warning(inert(plain_warning(w)), icon=":material/warning:")
    if r.ignored:
        with st.expander(f"Not counted as evidence ({quantity(len(r.ignored), 'passage')})"):
            for p in r.ignored:
                st.markdown(f"- **{IGNORED[p.reason]}:** {inert(' '.join(p.quote.split()))}")


def _missed_critical(r: GradeReport) -> None:
    """One box naming the critical components the answer missed, with why each matters folded
    below it: a box each (a weak answer misses twelve) filled six phone screens before the top
    improvements."""
    if not r.missed_critical:
        return
    missed = [r.component(cid) for cid in r.missed_critical]
    st.error(
        f"**Missed critical components ({len(missed)}):** "
        + " · ".join(inert(c.title) for c in missed),
        icon=":material/error:",
    )
    with st.expander("Why each missed critical component matters"):
        st.markdown("\n".join(f"- **{inert(c.title)}:** {inert(c.feedback)}" for c in missed))


def step_chart(r: GradeReport) -> alt.LayerChart:
    """One bar per framework step, its score written at the end of the bar."""
    df = pd.DataFrame(
        [
            {
                "step": s.title,
                "score": s.score,
                "covered": s.coverage,
                "words about it": s.said_words,
            }
            for s in r.steps
        ]
    )
    base = alt.Chart(df).encode(
        # room past 100 for the figure written at a full bar's end (a phone cut "95" to "9")
        x=alt.X(
            "score:Q",
            scale=alt.Scale(domain=[0, 112]),
            axis=alt.Axis(values=list(range(0, 101, 20))),
            title="score",
        ),
        y=alt.Y(
            "step:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)
        ),  # the longest step title whole
        tooltip=["step", "score", "covered", "words about it"],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "score:Q",
            legend=None,
            scale=alt.Scale(domain=[0, 50, 100], range=["#e45756", "#f2cf5b", "#54a24b"]),
        )
    )
    labels = base.mark_text(align="left", dx=4, fontSize=13, fontWeight="bold").encode(
        text="score:Q"
    )
    return (bars + labels).properties(height=36 * max(len(df), 1) + 30)


# pixels, so that at 1,400 px the longest component ("Feedback loops and selection bias from the
# model's own decisions") and step ("Data preparation and feature engineering") both show whole,
# and at 1,280 px a severity ("nice to have") still does
COMPONENT_COLUMNS = {
    "Component": st.column_config.TextColumn("Component", width=370),
    "Status": st.column_config.TextColumn("Status", width="small"),
    "Score": st.column_config.ProgressColumn(  # grey: the theme's red read as a failing score
        "Score", min_value=0, max_value=100, format="%d", width="small", color="#6b6b6b"
    ),
    "Severity": st.column_config.TextColumn("Severity", width=100),
    "Step": st.column_config.TextColumn("Step", width=265),
    "Judged by": st.column_config.TextColumn("Judged by", width="small"),
}


def ordered(r: GradeReport) -> list:
    """The components, biggest gaps first (`gaps_first`), then the covered ones."""
    gaps = gaps_first(r.components, {c.id for c in r.question.raised}, cross_cutting(cached_kb()))
    ids = {c.id for c in gaps}
    covered = sorted((c for c in r.components if c.id not in ids), key=lambda c: (c.score, c.id))
    return [*gaps, *covered]


def components_table(r: GradeReport):
    """The components as a table, biggest gaps first, each row coloured by its status."""
    comps = ordered(r)
    steps = {s.id: s.title for s in r.steps}
    df = pd.DataFrame(
        [
            {
                "Component": c.title,
                "Status": c.status,
                "Score": c.score,
                "Severity": SEVERITY_LABEL[c.severity],
                "Step": steps.get(c.step, c.step),
                "Judged by": c.judged_by,
            }
            for c in comps
        ]
    )
    statuses = [c.status for c in comps]
    return df.style.apply(
        lambda row: [f"background-color: {STATUS_COLOUR[statuses[row.name]]}"] * len(row), axis=1
    )


def components_list(r: GradeReport) -> str:
    """The components, biggest gaps first, one stacked line each (narrow screens)."""
    return "\n".join(
        f"- :{STATUS_BADGE[c.status]}-badge[{c.status}] **{inert(c.title)}**: {c.score}/100, "
        f"{SEVERITY_LABEL[c.severity]}"
        for c in ordered(r)
    )


def blocks(text: str) -> list[tuple[int, int]]:
    """The answer's paragraphs: [start, end) of each run of non-blank lines."""
    out, start, pos = [], None, 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            start = pos if start is None else start
            last = end
        elif start is not None:
            out.append((start, last))
            start = None
        pos = end + 1
    if start is not None:
        out.append((start, last))
    return out


def _report_key(r: GradeReport, text: str) -> str:
    """A short digest of the report on show: widgets keyed with it start fresh for a new report."""
    return hashlib.sha1((r.to_json() + text).encode()).hexdigest()[:10]


def _evidence(r: GradeReport, text: str, key: str) -> None:
    """The answer as the candidate wrote it (Markdown rendered, safely), paragraph by paragraph;
    each sentence quoted as evidence carries a numbered mark, and the margin says which components
    each marked sentence counts for; the chosen component's quotes in a strong colour, and a view
    that jumps to them."""
    st.subheader("Your answer, with the evidence", anchor="evidence")
    digest = _report_key(r, text)
    valid = {
        c.id: [e for e in c.evidence if text[e.start : e.end] == e.quote] for c in r.components
    }
    comps = ordered(r)
    with_evidence = [c for c in comps if valid[c.id]]
    options = [c.id for c in comps]
    default = options.index(with_evidence[0].id) if with_evidence else 0

    def label(i: str) -> str:
        c, n = r.component(i), len(valid[i])
        return f"{c.title} ({c.status}, {quantity(n, 'quote')})"

    cid = st.selectbox(
        "Component", options, index=default, key=f"{key}_evidence_{digest}", format_func=label
    )
    comp = r.component(cid)
    st.markdown(
        f":{STATUS_BADGE[comp.status]}-badge[{comp.status} · {comp.score}/100] "
        + inert(comp.feedback)
    )
    named = comp.mention  # a missing component named, not explained: shown, never a quote
    named = named if named and text[named.start : named.end] == named.quote else None
    st.markdown(
        f"Legend: :{QUOTE_COLOUR}-background[**quotes for {inert(comp.title)}**] · "
        f":{OTHER_COLOUR}-background[evidence for other components] · in the margin, the "
        "components each marked sentence counts for (:green-badge[covered] :orange-badge[partial])"
    )
    quotes = valid[cid]
    shown_here = [*quotes, *([named] if named else [])]  # what "Around the quotes" shows
    paras = blocks(text)
    if not quotes:
        st.caption(
            (
                f"{NOTHING_QUOTED[0].upper()}{NOTHING_QUOTED[1:]}."  # as the report says it
                if comp.status != "missing"
                else "No quote from your answer supports this component."
            )
            + (
                f" It is named, not explained, in the :{NAMED_COLOUR}-background[passage marked]."
                if named
                else ""
            )
        )
    view = st.segmented_control(
        "Show",
        ["quotes", "all"],
        format_func={"quotes": "Around the quotes", "all": "The whole answer"}.get,
        default="quotes" if shown_here else "all",
        key=f"{key}_view_{digest}",
        required=True,
    )
    colours: list[str | None] = [None] * len(text)
    strong = [False] * len(text)
    code = fenced(text)  # over the whole answer: a code block may hold blank lines
    marks = sentence_marks(r, valid)
    for c in r.components:
        for e in valid[c.id]:
            if c.id != cid:
                for i in range(e.start, e.end):
                    colours[i] = colours[i] or OTHER_COLOUR
    for e in quotes:
        for i in range(e.start, e.end):
            colours[i], strong[i] = QUOTE_COLOUR, True
    if named:
        for i in range(named.start, named.end):
            colours[i] = NAMED_COLOUR
    hits = [
        b for b, (s, t) in enumerate(paras) if any(e.start < t and e.end > s for e in shown_here)
    ]
    shown = hits if view == "quotes" and hits else list(range(len(paras)))
    if view == "quotes" and hits:
        what = quantity(len(quotes), "quote") if quotes else "Named"
        st.caption(
            f"{what} in paragraph(s) {', '.join(str(b + 1) for b in hits)} of "
            f"{len(paras)}; choose \u201cThe whole answer\u201d to read it all."
        )
    with st.container(border=True, key=f"{key}_{ANSWER}"):
        previous = None
        for b in shown:
            if previous is not None and b != previous + 1:
                st.caption("\u2026")
            previous = b
            s, t = paras[b]
            here = [(n, m) for n, m in enumerate(marks, 1) if s <= m.at <= t]
            body, margin = st.columns([5, 2])
            body.markdown(markdown_block(*marked(text, s, t, here, colours, strong, code)))
            lines = [
                f"{superscript(n)} "
                + " ".join(
                    f":{STATUS_BADGE[status]}-badge[{inert(r.component(c).title)}]"
                    for c, status in m.components.items()
                )
                for n, m in here
            ]
            margin.markdown("  \n".join(lines) if lines else f":gray[¶{b + 1}]")


@dataclass(frozen=True)
class Mark:
    """A sentence (or passage) quoted as evidence: where its mark goes and what it counts for."""

    start: int
    at: int  # the mark's offset: the passage's end, moved past markup that closes there
    components: dict[str, str]  # component id: status, in rubric order


def sentence_marks(r: GradeReport, valid: dict) -> list[Mark]:
    """One mark per distinct evidence passage, in answer order."""
    spans: dict[tuple[int, int], dict[str, str]] = {}
    for c in r.components:
        for e in valid[c.id]:
            spans.setdefault((e.start, e.end), {})[c.id] = c.status
    return [Mark(s, e, comps) for (s, e), comps in sorted(spans.items())]


_SUPERSCRIPT = str.maketrans(
    "0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def superscript(n: int) -> str:
    return f"\u207d{str(n).translate(_SUPERSCRIPT)}\u207e"


def marked(
    text: str, s: int, t: int, here: list, colours: list, strong: list, code: list | None = None
) -> tuple:
    """The paragraph text[s:t] with each mark's number inserted after its passage (past closing
    markup, so emphasis still renders), and the colour, strength and code lists to match (`code`:
    which characters are inside a fenced code block, `fenced`; none when not given)."""
    code = code if code is not None else [False] * len(text)
    body, cols, bold, codes = list(text[s:t]), list(colours[s:t]), list(strong[s:t]), code[s:t]
    # from the last mark back, so offsets hold; marks at one place go in as (n+1) then (n), which
    # reads (n)(n+1)
    for n, m in sorted(here, key=lambda x: (-x[1].at, -x[0])):
        k = m.at - s
        while k < len(body) and body[k] in "*_`":
            k += 1
        tag = superscript(n)
        body[k:k] = list(tag)
        cols[k:k] = [None] * len(tag)
        bold[k:k] = [False] * len(tag)
        codes[k:k] = [False] * len(tag)
    return "".join(body), cols, bold, codes


def _outline(r: GradeReport) -> None:
    """What a strong answer to this bank case covers, step by step (from the knowledge base)."""
    case = cached_kb().cases.get(r.question.id) if r.question.by_name else None
    if case is None:
        return  # an open question, or one only near a bank case: its outline is another product's
    with st.expander(
        "Model answer outline: what a strong answer covers", icon=":material/checklist:"
    ):
        st.markdown(outline_markdown(case))


def outline_markdown(case) -> str:
    """A bank case's reference outline as Markdown bullets under each step's title."""
    kb = cached_kb()
    parts = []
    for o in case.reference_outline:
        title = kb.steps[o.step].title if o.step in kb.steps else o.step
        parts.append(f"**{inert(title)}**\n\n" + "\n".join(f"- {inert(p)}" for p in o.points))
    return "\n\n".join(parts)


def _follow_ups(r: GradeReport) -> None:
    """Each follow-up with why it is asked, and what a strong reply covers (folded: try answering
    first)."""
    if not r.follow_up_questions:
        return
    st.subheader("Follow-up questions an interviewer would ask")
    for i, f in enumerate(r.follow_up_questions, 1):
        llm = " (LLM)" if f.origin == "llm" else ""
        st.markdown(f"{i}. {inert(f.question)}  \n   *{inert(f.why)}*{llm}")
        if f.listen_for:
            with st.expander("What a strong reply covers", icon=":material/hearing:"):
                st.markdown(listen_for_markdown(f.listen_for))


def listen_for_markdown(points: list[str]) -> str:
    """What a strong reply covers: the rubric's top level, then the points not yet made."""
    top, *rest = points
    lines = [f"- **The rubric's top level:** {inert(top)}"]
    return "\n".join([*lines, *(f"- {inert(p)}" for p in rest)])


def _reading(r: GradeReport) -> None:
    if not r.recommended_reading:
        return
    st.subheader("Recommended reading")
    for x in r.recommended_reading:
        gaps = ", ".join(
            title
            for c in x.for_components
            if any(k.id == c for k in r.components) and (title := r.component(c).title) != x.title
        )
        # a link and its "for ..." line held together, apart from the next link (spaced evenly,
        # the line read as the next link's)
        with st.container(gap=None):
            st.page_link(  # the title alone: a long label is cut on a phone
                nav.page("knowledge"),
                label=x.title,
                icon=":material/menu_book:",
                query_params={"doc": x.path},
            )
            if gaps:
                st.caption(f"for {inert(gaps)}")


def _pacing(r: GradeReport) -> None:
    p = r.pacing
    st.subheader("Pacing")
    a, b, c = st.columns(3)
    a.metric("Minutes", f"{p.total_minutes:.1f}")
    b.metric("Words per minute", f"{p.words_per_minute:.0f}")
    c.metric("Fillers per minute", f"{p.fillers_per_minute:.1f}", help=fillers_heard(r))
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
        width="stretch",
    )
    if p.unreached_steps:
        titles = {s.step: s.title for s in p.steps} | {s.id: s.title for s in r.steps}
        st.warning(
            "Steps with under 15 seconds of your speaking time: "
            + ", ".join(inert(titles.get(s, s)) for s in p.unreached_steps)
            + ". Pacing places each stretch of speech in one step, so a step mentioned only in "
            "passing counts as not reached."
        )
    st.caption(
        f"Longest monologue: {clock(p.longest_monologue_seconds)}, from "
        f"{clock(p.longest_monologue_start_seconds)} into the recording."
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
                    f"LLM: {u.provider} {u.model}, {quantity(u.calls, 'call')}, "
                    f"{u.failed_calls} failed, "
                    f"{u.prompt_tokens}+{u.completion_tokens} tokens, {u.latency_seconds:.1f} s, {cost}"
                )
            )


def download_name(r: GradeReport, text: str = "") -> str:
    """A report's file name, without its extension: the case asked for by name, or the question
    as typed (a grocery forecast graded with the ETA case's rubric is no "eta_prediction"), its
    score and, given the answer's `text`, the first characters of its SHA-256: three candidates'
    reports on one question differed only by score, and two of them could share it."""
    q = r.question
    said = q.id if q.by_name and q.id else (q.asked or q.title or "")
    slug = re.sub(r"[^a-z0-9_]+", "-", said.lower()).strip("-")[:48].strip("-") or "question"
    digest = f"-{hashlib.sha256(text.encode()).hexdigest()[:6]}" if text else ""
    return f"grade-{slug}-{r.overall_score}{digest}"


def _downloads(r: GradeReport, text: str, key: str) -> None:
    name = download_name(r, text)
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
    # open again after the rerun a typed name causes (it had folded away under the typing)
    named = bool(st.session_state.get(f"{key}_candidate"))
    with st.expander("Interviewer sheet", icon=":material/assignment:", expanded=named):
        st.caption(
            "One page for the interviewer: the top probes of this answer with what to listen "
            "for, and a line per rubric component to score live (`mlsd sheet` writes the same)."
        )
        who = " ".join((st.text_input("Candidate's name", key=f"{key}_candidate") or "").split())
        st.download_button(
            "Download the interviewer sheet",
            interviewer_sheet(r, cached_kb(), candidate=who or None),
            file_name=f"{sheet_name(r, who, text)}.md",
            mime="text/markdown",
            key=f"{key}_sheet",
            icon=":material/download:",
            on_click="ignore",
        )


def sheet_name(r: GradeReport, candidate: str = "", text: str = "") -> str:
    """An interviewer sheet's file name, without its extension: the candidate's name, when given,
    before the report's (`download_name`): three candidates' sheets differ by more than a score."""
    who = re.sub(r"[^\w]+", "-", candidate.lower()).strip("-_")[:32].strip("-_")
    return "sheet-" + (f"{who}-" if who else "") + download_name(r, text).removeprefix("grade-")
