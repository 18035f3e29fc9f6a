"""Human renderings of a GradeReport: Markdown, rich terminal output, and the interviewer sheet."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from grader.report import NOTHING_QUOTED, SEVERITY_LABEL, ComponentResult, GradeReport
from grader.scoring import probes
from grader.scoring.calibration import load_calibration
from grader.text import printable, quantity, shorten

if TYPE_CHECKING:
    from grader.knowledge.notes import KnowledgeBase

_MARK = {"covered": "✅", "partial": "🟡", "missing": "❌"}
_STYLE = {"covered": "green", "partial": "yellow", "missing": "red"}


IGNORED = {  # why a passage was not counted, as the reports say it
    "buzzwords": "Read as a list of buzzwords",
    "code": "Code or configuration read as bare terms",
    "claims": "A claim without specifics",
    "definitions": "What a topic is or why it matters, not what this design does",
    "unrelated": "Unrelated to ML system design",
    "steering": "Instructions to the grader",
    "to_do": "Still to do or left out",
    "hidden": "Not shown to a reader",
    "interviewer": "The interviewer's words",
    "copied": "Copied from the grader's own advice",
    "comments": "A reviewer's comment, not the candidate's",
}


def _md_escape(text: str) -> str:
    """Keep user text inert in Markdown: no HTML, links or images from the answer (`_md_inline`),
    and no quote block where the text opens a line."""
    text = _md_inline(text)
    return "\\" + text if text.startswith(">") else text


def question_line(r: GradeReport) -> str:
    """The question as asked and the rubric it was graded with: a bank case asked for by name is
    its title; an open question names the nearest bank case whose rubric it took (and the others
    that informed it), or the general framework. Similarities are in the JSON, not here."""
    q = r.question
    if q.matched_by in ("retrieval", "framework"):
        # printable: a question saved before control characters were dropped on reading
        return f"{printable(q.asked or q.title)} ({rubric_line(r)})"
    return q.title


def rubric_line(r: GradeReport) -> str:
    """The rubric a report was graded with, without the question: the bank case asked for by
    name, or for a question typed as text the nearest case whose rubric it took and the others
    that informed it, or the general framework; the kind of system read and what the question
    weighs as critical (`stakes_note`)."""
    q = r.question
    # the kind read from a typed question: it chose its follow-ups (and any bank case it took)
    kind = f"; read as a {' and '.join(q.systems)} system" if q.systems else ""
    kind += stakes_note(r)
    case = "case of your own" if q.own else "bank case"
    if q.matched_by == "retrieval":
        others = [c.replace("_", " ") for c in q.informed_by if c != q.id]
        also = f"; also informed by: {', '.join(others)}" if others else ""
        return f"rubric of the nearest {case}, {q.title}{also}{kind}"
    if q.matched_by == "framework":
        near = [c.replace("_", " ") for c in q.informed_by]
        also = f"; informed by: {', '.join(near)}" if near else ""
        return f"no close bank case: general framework rubric{also}{kind}"
    return f"{'your own case' if q.own else 'bank case'} {q.title}"


def stakes_note(r: GradeReport) -> str:
    """The components a typed question weighs as critical, by the question's words that raise
    them ("; weighed as critical because the question says 'hiring': Bias and fairness"); empty
    when none. (A bare "Bias and fairness ('inpatient')" left readers asking what the word meant.)"""
    if not r.question.raised:
        return ""
    titles = {c.id: c.title for c in r.components}
    by_word: dict[str, list[str]] = {}
    for x in r.question.raised:
        by_word.setdefault(x.said, []).append(titles.get(x.id, x.id.replace("_", " ")))
    said = "; ".join(f"'{word}': {', '.join(names)}" for word, names in by_word.items())
    return f"; weighed as critical because the question says {said}"


def step_score_note(r: GradeReport) -> str:
    """How the report's steps are scored: with the installed calibration's figures (read when a
    report is rendered, not on import: a damaged calibration fails the grading that needs it, with
    its own message, not every command that imports this module), or, for a report saved before
    steps counted the words said about them, as they were scored then."""
    if any(s.coverage is None for s in r.steps):
        return (
            "A step's score is the share of its components covered, by importance (a partial one "
            "counts half)."
        )
    cal = load_calibration()
    return (
        "A step's score is the share of its components covered, by importance (a partial one "
        f"counts half, and each counts up to {cal.component_depth_share:.0%} less when the "
        f"answer's own passages about it say under {cal.component_depth_words} words), less up "
        f"to {cal.step_depth_share:.0%} of it when the answer says under "
        f"{cal.step_depth_words} words about the covered ones. The overall is the share of the "
        "whole rubric covered."
    )


# what a steps table's words column counts, said under the tables that have one
WORDS_NOTE = (
    "Words (about it): how many words of the answer read as about the step's components (a "
    "passage counts for the one component it reads most like)."
)


def status_note() -> str:
    """How a component's score reads as its status, with the installed calibration's cut-offs
    (read when a report is rendered, as `step_score_note`): "missing 39/100" is under the cut-off,
    not 39% of the component present."""
    cal = load_calibration()
    return (
        f"A component's score sets its status: missing under {cal.partial_at}, partial from "
        f"{cal.partial_at}, covered from {cal.covered_at}."
    )


def _note_id(doc_id: str) -> str:
    """The note a reading doc id names ("drift" for "concept:drift" and for "drift")."""
    return doc_id.split(":")[1] if ":" in doc_id else doc_id


def _or_dash(value: int | None) -> str:
    """A figure a report saved before it existed does not have."""
    return "-" if value is None else str(value)


def to_markdown(r: GradeReport) -> str:
    """The report as Markdown for people; same content as the JSON."""
    out = [
        f"# ML system design grade: {r.overall_score}/100",
        "",
        f"**Question:** {_md_escape(question_line(r))}",
        "",
    ]
    if source_line(r):
        out += [f"**Source:** {_md_escape(source_line(r))}", ""]
    if r.warnings:  # read first: off topic, short, steering say how far the scores go
        out += ["## Warnings", ""] + [f"- {_md_escape(w)}" for w in r.warnings] + [""]
    if r.missed_critical:
        titles = ", ".join(r.component(c).title for c in r.missed_critical)
        out += [f"> **Missed critical components:** {titles}", ""]
    if r.summary:
        out += ["## Summary", "", _md_escape(r.summary), ""]
    if r.improvements:
        out += (
            ["## Top improvements", ""]
            + [f"{i}. {_md_escape(x)}" for i, x in enumerate(r.improvements, 1)]
            + [""]
        )
    out += ["## Steps", "", "| Step | Score | Covered | Words about it |", "|---|---:|---:|---:|"]
    out += [
        f"| {s.title} | {s.score} | {_or_dash(s.coverage)} | {_or_dash(s.said_words)} |"
        for s in r.steps
    ]
    out += ["", f"*{step_score_note(r)} {WORDS_NOTE}*"]
    out += pacing_markdown(r)
    out += ["", "## Components", "", "| | Component | Severity | Score |", "|---|---|---|---:|"]
    titles = {x.id: x.title for x in r.steps}
    for step, group in itertools.groupby(r.components, key=lambda c: c.step):
        out.append(f"| | **{titles.get(step, step)}** | | |")
        out += [
            f"| {_MARK[c.status]} | {c.title} | {SEVERITY_LABEL[c.severity]} | {_score_cell(c)} |"
            for c in group
        ]
    out += ["", f"*{status_note()}*"]
    if r.strengths:
        out += ["", "## Strengths", ""] + [f"- {_md_escape(s)}" for s in r.strengths]
    out += ["", "## Feedback and evidence", ""]
    for c in r.components:
        out += [
            f"### {_MARK[c.status]} {c.title} ({c.status}, {c.score}/100)",
            "",
            _md_escape(c.feedback),
            "",
        ]
        out += [f'> "{_md_escape(e.shown)}" (chars {e.start}-{e.end})' for e in c.evidence]
        if c.evidence:
            out.append("")
    if r.follow_up_questions:
        out += ["## Follow-up questions", ""]
        for i, f in enumerate(r.follow_up_questions, 1):
            # a probe quotes the candidate: their words stay inert here too
            out.append(f"{i}. {_md_escape(f.question)} *({_md_escape(f.why)})*")
            if f.listen_for:  # as the app shows it under each question
                out += ["", "   What a strong reply covers:", ""]
                out += [f"   - {_md_escape(x)}" for x in f.listen_for]
                out += [""]
    if r.recommended_reading:
        named = {c.id: c.title for c in r.components}
        out += ["", "## Recommended reading", ""]
        for x in r.recommended_reading:  # a step's note says which components sent you there
            serves = [named.get(c, c) for c in x.for_components if named.get(c, c) != x.title]
            out.append(
                # as the text report says it: a command that works from any folder, not a path
                # inside the checkout that a pip install does not have
                f"- {x.title} (`mlsd show {_note_id(x.doc_id)}`)"
                + (f", for {', '.join(serves)}" if serves else "")
            )
    if r.ignored:
        out += ["", "## Not counted", ""]
        out += [f"- {IGNORED[p.reason]}: {_md_escape(shorten(p.quote))}" for p in r.ignored]
    g = r.grader
    out += [
        "",
        "---",
        f"*{g.mode} grader {g.version}, {g.model}, calibration {g.calibration}; "
        f"{quantity(r.answer_stats.words, 'word')}.*",
    ]
    if r.llm:
        out.append(f"*{_md_escape(llm_line(r))}*")
    # no terminal escape sequence or control character of the answer's reaches the page (a
    # report printed to a terminal must not retitle it, clear it or plant a hidden link)
    return printable("\n".join(out + [""]))


def _score_cell(c) -> str:
    if c.deterministic_score is None or c.deterministic_score == c.score:
        return str(c.score)
    return f"{c.score} (rules {c.deterministic_score})"


def llm_line(r: GradeReport) -> str:
    """One line on what the LLM did: model, samples and spread, calls, tokens, time and cost."""
    x = r.llm
    if x is None:
        return "no LLM"
    cost = f", about ${x.estimated_cost_usd:.4f}" if x.estimated_cost_usd is not None else ""
    spread = (
        f", {x.samples} samples {x.overall_samples} (spread {x.overall_spread})"
        if x.samples > 1
        else ""
    )
    state = "fell back to the deterministic report" if x.fell_back else "LLM-assisted"
    return (
        f"{state}: {x.provider} {x.model}{spread}; {quantity(x.calls, 'call')} "
        f"({x.failed_calls} failed), "
        f"{x.prompt_tokens}+{x.completion_tokens} tokens, {x.latency_seconds:.1f}s{cost}"
    )


def print_rich(r: GradeReport, console=None) -> None:
    """Readable terminal output with colours and tables."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    console = console or Console()
    colour = "green" if r.overall_score >= 70 else "yellow" if r.overall_score >= 40 else "red"
    console.print(
        Panel(
            f"[bold {colour}]{r.overall_score}/100[/]  {escape(question_line(r))}",
            title="ML system design grade",
        )
    )
    if source_line(r):
        console.print(f"[dim]{escape(source_line(r))}[/]")
    for w in r.warnings:  # read first: off topic, short, steering say how far the scores go
        console.print(f"[yellow]warning:[/] {escape(w)}")
    if r.summary:
        console.print(escape(r.summary))
    steps = Table(
        title="Steps",
        show_header=True,
        caption=f"{step_score_note(r)} {WORDS_NOTE}",
        caption_justify="left",
    )
    steps.add_column("Step")
    steps.add_column("Score", justify="right")
    steps.add_column("")
    steps.add_column("Covered", justify="right")
    steps.add_column("Words", justify="right")
    for s in r.steps:
        steps.add_row(
            s.title,
            str(s.score),
            "█" * (s.score // 10),
            _or_dash(s.coverage),
            _or_dash(s.said_words),
        )
    console.print(steps)
    print_pacing(r, console)
    # components come by step: each step's group opens with its title, which leaves the width a
    # step column took to the evidence (a narrow terminal folded each quote over ten lines)
    comps = Table(
        title="Components", show_header=True, caption=status_note(), caption_justify="left"
    )
    comps.add_column("Component", overflow="fold", max_width=26)
    for col in ("Severity", "Status", "Score"):
        comps.add_column(col, overflow="fold")
    comps.add_column("Evidence", overflow="fold", ratio=1)
    titles = {s.id: s.title for s in r.steps}
    # about three lines of the evidence column (the other columns take some 60): a wide terminal
    # shows a word window whole
    limit = max(120, 3 * (console.width - 60))
    groups = [list(g) for _, g in itertools.groupby(r.components, key=lambda c: c.step)]
    for k, group in enumerate(groups):
        comps.add_row(f"[bold]{escape(titles.get(group[0].step, group[0].step))}[/]")
        for c in group:
            # most of a word window (24 words); the JSON, Markdown and app reports quote it whole
            quote = escape(shorten(c.evidence[0].shown, limit)) if c.evidence else ""
            if not c.evidence and c.status != "missing":  # credited, yet nothing reads as its own
                quote = f"[dim]{NOTHING_QUOTED}[/]"
            comps.add_row(
                c.title,
                SEVERITY_LABEL[c.severity],
                f"[{_STYLE[c.status]}]{c.status}[/]",
                _score_cell(c),
                quote,
                end_section=c is group[-1] and k < len(groups) - 1,
            )
    console.print(comps)
    if r.missed_critical:
        console.print(
            f"[bold red]Missed critical:[/] {', '.join(r.component(c).title for c in r.missed_critical)}"
        )
    if r.strengths:
        _listed(console, "Strengths", ["-"] * len(r.strengths), [escape(x) for x in r.strengths])
    if r.follow_up_questions:
        items = [f"{escape(f.question)} [dim]({escape(f.why)})[/]" for f in r.follow_up_questions]
        _listed(console, "Follow-up questions", _numbers(items), items)
    if r.recommended_reading:
        items = [  # a command that works from any folder, not a path inside the checkout
            f"{escape(x.title)} [dim](mlsd show {escape(_note_id(x.doc_id))})[/]"
            for x in r.recommended_reading
        ]
        _listed(console, "Recommended reading", ["-"] * len(items), items)
    if r.improvements:
        items = [escape(x) for x in r.improvements]
        _listed(console, "Top improvements", _numbers(items), items)
    for p in r.ignored:
        console.print(
            f"[dim]not counted ({IGNORED[p.reason].lower()}):[/] {escape(shorten(p.quote))}"
        )
    if r.llm:
        console.print(f"[dim]{escape(llm_line(r))}[/]")


def _numbers(items: list) -> list[str]:
    return [f"{i}." for i in range(1, len(items) + 1)]


def _listed(console, title: str, marks: list[str], items: list[str]) -> None:
    """A titled list whose items wrap under their own text, not under their number."""
    from rich.table import Table

    console.print(f"\n[bold]{title}[/]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right")
    grid.add_column(ratio=1)
    for mark, item in zip(marks, items):
        grid.add_row(f" {mark}", item)
    console.print(grid)


def clock(seconds: float) -> str:
    """A time as m:ss (h:mm:ss from an hour), as the report reads times into a recording."""
    seconds = int(round(seconds))
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


def source_line(r: GradeReport) -> str | None:
    """Where a transcribed or transcript answer came from, e.g. 'transcript (srt), 2 speakers, 14 candidate turns'."""
    src = r.source
    if src is None or src.kind == "text":
        return None
    parts = [f"{src.kind} ({src.format})"]
    if src.duration_seconds:
        parts.append(clock(src.duration_seconds))
    if src.speakers:
        parts.append(quantity(len(src.speakers), "speaker"))
    if src.candidate_turns is not None:
        parts.append(
            quantity(src.candidate_turns, "candidate turn")
            + (f" ({src.candidate})" if src.candidate else "")
        )
    if src.transcription_model:
        parts.append(f"transcribed with {src.transcription_model}")
    return ", ".join(parts)


# speech recognition writes down what was meant: most "um"s and "uh"s said are left out
FILLERS_HEARD = "speech recognition leaves out most fillers, so there were at least as many"


def fillers_heard(r: GradeReport) -> str | None:
    """What a recording's filler rate is (a floor), or None for a transcript's."""
    return FILLERS_HEARD if r.source is not None and r.source.kind == "audio" else None


def pacing_summary(r: GradeReport) -> str:
    p = r.pacing
    floor = fillers_heard(r)
    return (
        f"{p.total_minutes:.1f} minutes in all, {p.speaking_minutes:.1f} of them the candidate speaking; "
        f"a pace of {p.words_per_minute:.0f} words a minute with {p.fillers_per_minute:.1f} filler words a minute"
        f"{f' ({floor})' if floor else ''}; longest monologue "
        f"{clock(p.longest_monologue_seconds)} from {clock(p.longest_monologue_start_seconds)}. "
        f"Budgets are for a {p.round_minutes:g}-minute round."
    )


def _pacing_rows(r: GradeReport) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for s in r.pacing.steps:
        if s.step in r.pacing.unreached_steps:
            rows.append((s.title, "not reached", f"{s.budget_minutes:g}", "", ""))
        else:
            rows.append(
                (
                    s.title,
                    f"{s.minutes:.1f}",
                    f"{s.budget_minutes:g}",
                    f"{s.minutes - s.budget_minutes:+.1f}",
                    f"{s.share:.0%}",
                )
            )
    return rows


def pacing_markdown(r: GradeReport) -> list[str]:
    """The pacing section as Markdown lines (empty without pacing)."""
    if r.pacing is None:
        return []
    out = [
        "",
        "## Pacing",
        "",
        pacing_summary(r),
        "",
        "| Step | Minutes | Budget | Over (+) / under (-) | Share |",
        "|---|---:|---:|---:|---:|",
    ]
    out += [f"| {' | '.join(row)} |" for row in _pacing_rows(r)]
    return out


def print_pacing(r: GradeReport, console) -> None:
    """The pacing table for the terminal (nothing without pacing)."""
    if r.pacing is None:
        return
    from rich.table import Table

    table = Table(title="Pacing", caption=pacing_summary(r), show_header=True)
    for col, justify in (
        ("Step", "left"),
        ("Minutes", "right"),
        ("Budget", "right"),
        ("+/-", "right"),
        ("Share", "right"),
    ):
        table.add_column(col, justify=justify)
    for title, minutes, budget, diff, share in _pacing_rows(r):
        style = (
            "red"
            if minutes == "not reached" or (diff and float(diff) > 0.5 * float(budget))
            else ""
        )
        table.add_row(title, f"[{style}]{minutes}[/]" if style else minutes, budget, diff, share)
    console.print(table)


# -- the interviewer sheet ------------------------------------------------------------------------
_PAREN = re.compile(r"\s*\([^()]*\)")
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _md_inline(text: str) -> str:
    """Like `_md_escape`, but what Markdown never reads as markup mid-line stays as typed so the
    raw sheet reads well too: an underscore inside a word (video_recommendation), and ">" (an
    arrow, "logs -> daily tables"; a "<" is still escaped, so no tag can open)."""
    for ch in "\\`*[]<|!#":
        text = text.replace(ch, "\\" + ch)
    return " ".join(_LONE_UNDERSCORE.sub(r"\_", text).split())


def _compressed(descriptor: str) -> str:
    """A level descriptor short enough to tick live: no asides in brackets, no final stop."""
    return " ".join(_PAREN.sub("", descriptor).split()).rstrip(".")


def _live_order(components: list[ComponentResult]) -> list[ComponentResult]:
    """Gaps first (missing critical ones first, then by weight x missing points, as the follow-ups
    are ranked), then covered components the same way."""
    return sorted(
        components,
        key=lambda c: (
            c.status == "covered",
            not (c.status == "missing" and c.severity == "critical"),
            -(c.weight * (100 - c.score)),
            c.id,
        ),
    )


def interviewer_sheet(
    r: GradeReport,
    kb: KnowledgeBase | None = None,
    *,
    candidate: str | None = None,
    file: str | None = None,
) -> str:
    """A one-page Markdown sheet for the interviewer: the question, the candidate, the scores, what
    the answer did well (its strengths, quoted), the top follow-ups with what to listen for, the
    case's own follow-up questions and notes (a case asked for by id, title or alias; not the
    nearest case of an open question), and one line per rubric
    component to score live (its level descriptors from `kb`). Deterministic: the same report
    gives the same sheet."""
    who = candidate or (r.source.name if r.source and r.source.name else "candidate")
    out = [f"# Interviewer sheet: {_md_inline(who)}", ""]
    asked = r.question.shown
    out += [f"- **Question:** {_md_inline(asked)}"]
    out += [f"- **Rubric:** {_md_inline(rubric_line(r))}"]
    shown_file = " ".join((file or "").replace("`", "'").split())
    cand = _md_inline(who) + (f" (`{shown_file}`)" if shown_file else "")
    out += [f"- **Candidate:** {cand}"]
    if source_line(r):
        out += [f"- **Source:** {_md_inline(source_line(r))}"]
    steps = " · ".join(f"{s.title} {s.score}" for s in r.steps)
    out += [f"- **Overall:** {r.overall_score}/100 ({steps})"]
    if r.missed_critical:
        titles = ", ".join(r.component(c).title for c in r.missed_critical)
        out += [f"- **Missed critical:** {_md_inline(titles)}"]
    if r.warnings:  # off topic, steering, passages not counted: what the grade rests on
        out += ["- **Check before trusting the grade:**"]
        out += [f"  - {_md_inline(w)}" for w in r.warnings]
    if r.strengths:  # what to credit in the debrief, beside what to probe
        out += ["", "## What the answer did well", ""]
        out += [f"- {_md_inline(x)}" for x in r.strengths]
    out += ["", "## Top probes", ""]
    if not r.follow_up_questions:
        out += ["Nothing to probe: every component is covered and nothing quotable was found.", ""]
    for i, f in enumerate(r.follow_up_questions, 1):
        c = next((x for x in r.components if x.id == f.component_id), None)
        # a probe of a missing component quotes where it is named: say so, or "missing" above
        # "You said: ..." reads as a contradiction
        named = ", named only" if c and c.status == "missing" and c.level == 1 else ""
        state = (
            f"{c.status} {c.score}/100{named}, {SEVERITY_LABEL[c.severity]}"
            if c
            else f.component_id
        )
        title = c.title if c else f.component_id
        origin = ", LLM" if f.origin == "llm" else ""
        out += [f"{i}. **{_md_inline(title)}** ({f.kind}{origin}; {state})", ""]
        out += [f"   {_md_inline(f.question)}", ""]
        if f.listen_for:
            out += ["   Listen for:", ""]
            out += [f"   - {_md_inline(x)}" for x in f.listen_for]
            out += [""]
    case = probes.advice_case(kb, r.question) if kb is not None else None
    if case is not None and case.follow_ups:  # the interviewer's own questions, as written
        out += ["## Questions written for this case", ""]
        out += [f"{i}. {_md_inline(q)}" for i, q in enumerate(case.follow_ups, 1)]
        out += [""]
    if case is not None and case.body.strip():  # the case's notes (an interviewer's own, say)
        out += ["## Notes on this case", "", case.body.strip(), ""]
    out += [
        "## Rubric lines to score live",
        "",
        "Tick the level the candidate reaches in the interview; *now* is the written answer's "
        f"grade. {status_note()}",
        "",
    ]
    # the levels' own prose only where it fits the question (`probes.Fit`): no "matched to p99
    # latency" to tick for a nightly job
    fit = probes.fit_asked(kb, r.question) if kb is not None else probes.ANY_FIT
    for c in _live_order(r.components):
        concept = kb.concepts.get(c.id) if kb is not None else None
        # the written answer's verdict, not a level of the scale beside it: "covered 53/100" has
        # not reached the top level's descriptor ("level 3" beside it read as if it had)
        named = ", named only" if c.status == "missing" and c.level == 1 else ""
        line = f"- [ ] **{_md_inline(c.title)}** ({SEVERITY_LABEL[c.severity]}; now {c.status} {c.score}/100{named})"
        if concept is not None:
            levels = concept.levels.model_dump(by_alias=True)
            fitting = {k: fit.fitting(kb, levels[k]) for k in ("1", "2", "3")}
            ticks = " · ".join(
                f"**{k}** {_md_inline(_compressed(said))}" for k, said in fitting.items() if said
            )
            line += f" — {ticks}" if ticks else ""
        out.append(line)
    g = r.grader
    out += ["", "---", f"*{g.mode} grader {g.version}, calibration {g.calibration}.*"]
    return "\n".join(out + [""])
