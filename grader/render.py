"""Human renderings of a GradeReport: Markdown, and rich terminal output."""

from __future__ import annotations

from grader.report import GradeReport

_MARK = {"covered": "✅", "partial": "🟡", "missing": "❌"}
_STYLE = {"covered": "green", "partial": "yellow", "missing": "red"}


def _md_escape(text: str) -> str:
    """Keep user text inert in Markdown: no HTML, links or images from the answer."""
    for ch in "\\`*_[]<>|!#":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


def _question_line(r: GradeReport) -> str:
    q = r.question
    how = {"id": "by id", "title": "by title", "retrieval": f"retrieved, similarity {q.similarity:.2f}" if q.similarity else "retrieved",
           "framework": "no close case: general framework rubric"}[q.matched_by]
    return f"{q.title} ({how})"


def to_markdown(r: GradeReport) -> str:
    """The report as Markdown for people; same content as the JSON."""
    out = [f"# ML system design grade: {r.overall_score}/100", "", f"**Question:** {_md_escape(_question_line(r))}", ""]
    if r.missed_critical:
        titles = ", ".join(r.component(c).title for c in r.missed_critical)
        out += [f"> **Missed critical components:** {titles}", ""]
    out += ["## Steps", "", "| Step | Score |", "|---|---:|"]
    out += [f"| {s.title} | {s.score} |" for s in r.steps]
    out += ["", "## Components", "", "| | Component | Step | Severity | Score |", "|---|---|---|---|---:|"]
    out += [f"| {_MARK[c.status]} | {c.title} | {c.step} | {c.severity} | {c.score} |" for c in r.components]
    if r.strengths:
        out += ["", "## Strengths", ""] + [f"- {_md_escape(s)}" for s in r.strengths]
    out += ["", "## Feedback and evidence", ""]
    for c in r.components:
        out += [f"### {_MARK[c.status]} {c.title} ({c.status}, {c.score}/100)", "", _md_escape(c.feedback), ""]
        out += [f"> \"{_md_escape(e.quote)}\" (chars {e.start}-{e.end})" for e in c.evidence]
        if c.evidence:
            out.append("")
    if r.follow_up_questions:
        out += ["## Follow-up questions", ""]
        out += [f"{i}. {f.question} *({f.why})*" for i, f in enumerate(r.follow_up_questions, 1)]
    if r.recommended_reading:
        out += ["", "## Recommended reading", ""]
        out += [f"- {x.title} (`knowledge_base/{x.path}`) for {', '.join(x.for_components)}" for x in r.recommended_reading]
    if r.warnings:
        out += ["", "## Warnings", ""] + [f"- {_md_escape(w)}" for w in r.warnings]
    g = r.grader
    out += ["", "---", f"*{g.mode} grader {g.version}, {g.model}, calibration {g.calibration}; "
            f"{r.answer_stats.words} words.*", ""]
    return "\n".join(out)


def print_rich(r: GradeReport, console=None) -> None:
    """Readable terminal output with colours and tables."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    console = console or Console()
    colour = "green" if r.overall_score >= 70 else "yellow" if r.overall_score >= 40 else "red"
    console.print(Panel(f"[bold {colour}]{r.overall_score}/100[/]  {escape(_question_line(r))}", title="ML system design grade"))
    steps = Table(title="Steps", show_header=True)
    steps.add_column("Step")
    steps.add_column("Score", justify="right")
    steps.add_column("")
    for s in r.steps:
        steps.add_row(s.title, str(s.score), "█" * (s.score // 10))
    console.print(steps)
    comps = Table(title="Components", show_header=True)
    for col in ("Component", "Step", "Severity", "Status", "Score", "Evidence"):
        comps.add_column(col, overflow="fold")
    for c in r.components:
        quote = c.evidence[0].quote if c.evidence else ""
        quote = quote if len(quote) <= 70 else quote[:67] + "..."
        comps.add_row(c.title, c.step, c.severity, f"[{_STYLE[c.status]}]{c.status}[/]", str(c.score), escape(quote))
    console.print(comps)
    if r.missed_critical:
        console.print(f"[bold red]Missed critical:[/] {', '.join(r.component(c).title for c in r.missed_critical)}")
    if r.follow_up_questions:
        console.print("\n[bold]Follow-up questions[/]")
        for i, f in enumerate(r.follow_up_questions, 1):
            console.print(f" {i}. {escape(f.question)} [dim]({escape(f.why)})[/]")
    if r.recommended_reading:
        console.print("\n[bold]Recommended reading[/]")
        for x in r.recommended_reading:
            console.print(f" - {escape(x.title)} [dim]knowledge_base/{x.path}[/]")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
