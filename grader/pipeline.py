"""One entry point for the CLI, the app and the evals: an answer input in, a finished report out.

Order: deterministic grading of the candidate's text, then pacing when the input has timestamps,
then the optional LLM layer (which only ever adjusts the deterministic report within bounds).
"""

from __future__ import annotations

from typing import Callable

from grader.answers.model import AnswerInput
from grader.extras import needs
from grader.report import Evidence, GradeReport
from grader.scoring.grading import Grader

Progress = Callable[[str], None]


def grade_input(
    grader: Grader,
    answer: AnswerInput | str,
    question: str,
    *,
    llm=None,
    samples: int = 1,
    progress: Progress | None = None,
) -> GradeReport:
    """Grade `answer` (text or an AnswerInput) against `question`; `llm` is an `LLMConfig` or None."""
    say = progress or (lambda _stage: None)
    inp = answer if isinstance(answer, AnswerInput) else AnswerInput.from_text(answer)
    say("grading")
    report = grader.grade(inp.graded_text, question)
    report = report.model_copy(
        update={"source": inp.source, "warnings": [*inp.notes, *report.warnings]}
    )
    if inp.segments:
        say("pacing")
        report = _with_pacing(grader, inp, report)
    if llm is not None and llm.enabled:
        say("asking the LLM")
        with needs("llm", "LLM grading"):
            from grader.llm.assist import assist

        report = assist(grader, inp.graded_text, report, llm, samples=samples, progress=say)
    return _quotes_from(inp.text, report) if inp.text != inp.graded_text else report


def _quotes_from(text: str, report: GradeReport) -> GradeReport:
    """Evidence quotes as `text` reads them. A quote found in the graded form of a transcript has the
    speaker labels blanked; the report quotes what the user sees, so text[start:end] == quote holds."""

    def as_read(e: Evidence) -> Evidence:
        return e.model_copy(update={"quote": text[e.start : e.end]})

    components = [
        c.model_copy(
            update={
                "evidence": [as_read(e) for e in c.evidence],
                "mention": as_read(c.mention) if c.mention else None,
            }
        )
        for c in report.components
    ]
    ignored = [p.model_copy(update={"quote": text[p.start : p.end]}) for p in report.ignored]
    return report.model_copy(update={"components": components, "ignored": ignored})


def _with_pacing(grader: Grader, inp: AnswerInput, report: GradeReport) -> GradeReport:
    """Add the pacing section: minutes per step, speaking rate, fillers, longest monologue."""
    from grader.practice.pacing import compute_pacing

    quoted: dict[str, list[tuple[int, int]]] = {}
    for c in report.components:  # what the grading credited, where: pacing reads it too
        if c.status != "missing":
            quoted.setdefault(c.step, []).extend((e.start, e.end) for e in c.evidence)
    pacing = compute_pacing(grader, inp, evidence=quoted)
    return report.model_copy(update={"pacing": pacing}) if pacing else report
