"""One entry point for the CLI, the app and the evals: an answer input in, a finished report out.

Order: deterministic grading of the candidate's text, then pacing when the input has timestamps,
then the optional LLM layer (which only ever adjusts the deterministic report within bounds).
"""

from __future__ import annotations

from typing import Callable

from grader.answers.files import read_text
from grader.answers.model import AnswerInput
from grader.answers.numbers import NumberRuns
from grader.extras import needs
from grader.report import Evidence, GradeReport
from grader.scoring.advice import Advisor, challenged_quotes
from grader.scoring.grading import Grader, default_grader
from grader.scoring.inputs import check_text
from grader.text import read_stretch

Progress = Callable[[str], None]
# whether a quote does not fit the question (`Grader.misfit`)
Refuses = Callable[[str], bool] | None
MISHEARD = (
    "the recording was mostly misheard, so this grade reads words the recogniser guessed: "
    "whether it answers the question was not judged from them; record again in a quieter room or "
    "closer to the microphone (what was misheard, and where, is below)"
)


def grade_input(
    grader: Grader,
    answer: AnswerInput | str,
    question: str,
    *,
    llm=None,
    samples: int = 1,
    progress: Progress | None = None,
) -> GradeReport:
    """Grade `answer` (an AnswerInput, or text: read as a transcript when it is one, `read_text`)
    against `question`; `llm` is an `LLMConfig` or None."""
    say = progress or (lambda _stage: None)
    if not isinstance(answer, AnswerInput):
        check_text(answer)  # text, not bytes or None, before it is read as a transcript or page
    inp = answer if isinstance(answer, AnswerInput) else read_text(answer)
    say("grading")
    report = grader.grade(inp.graded_text, question, judge_topic=not inp.misheard)
    source = inp.source
    if not inp.as_sent:  # the offsets index text the caller does not have as it is
        source = source.model_copy(update={"text": inp.text})
    misheard = [MISHEARD] if inp.misheard else []
    report = report.model_copy(
        update={"source": source, "warnings": [*misheard, *inp.notes, *report.warnings]}
    )
    if inp.segments:
        say("pacing")
        report = _with_pacing(grader, inp, report)
    if llm is not None and llm.enabled:
        say("asking the LLM")
        with needs("llm", "LLM grading"):
            from grader.llm.assist import assist

        report = assist(grader, inp.graded_text, report, llm, samples=samples, progress=say)
    refuses = grader.misfit(report.question)  # strengths are read again with the quotes
    if inp.text != inp.graded_text:
        report = _quotes_from(inp.text, report, inp.graded_text, refuses)
    return _whole_numbers(inp.text, report, inp.graded_text, refuses)


def _quotes_from(
    text: str, report: GradeReport, graded: str | None = None, refuses: Refuses = None
) -> GradeReport:
    """Evidence quotes as `text` reads them. A quote found in the graded form of a transcript has the
    speaker labels blanked; the report quotes what the user sees, so text[start:end] == quote holds.
    A quote reaching across what the grading did not read (`graded` blanks it: a speaker label, the
    interviewer's words) keeps its longest stretch of the candidate's words: "...shown but skipped
    Candidate: features..." quoted a label as the candidate's."""

    def as_read(e: Evidence) -> Evidence:
        start, end = read_stretch(text, graded, e.start, e.end) if graded else (e.start, e.end)
        cut = (start, end) != (e.start, e.end)
        return e.model_copy(
            update={
                "quote": text[start:end],
                "start": start,
                "end": end,
                "excerpt": e.excerpt or cut,
            }
        )

    ignored = [p.model_copy(update={"quote": text[p.start : p.end]}) for p in report.ignored]
    return _requoted(report, as_read, refuses, ignored=ignored)


def _requoted(report: GradeReport, quote, refuses: Refuses = None, **update) -> GradeReport:
    """The report with `quote` applied to every evidence quote and mention, and its strengths
    read again (they quote what the evidence quotes; none whose quote `refuses` says does not fit
    the question, `Grader.misfit`); `update` sets other fields too."""
    components = [
        c.model_copy(
            update={
                "evidence": [quote(e) for e in c.evidence],
                "mention": quote(c.mention) if c.mention else None,
            }
        )
        for c in report.components
    ]
    return report.model_copy(
        update={
            "components": components,
            "strengths": Advisor.strengths(
                components,
                challenged_quotes(update.get("follow_up_questions", report.follow_up_questions)),
                refuses,
            ),
            **update,
        }
    )


def _whole_numbers(
    text: str, report: GradeReport, graded: str, refuses: Refuses = None
) -> GradeReport:
    """Quotes that hold each spoken number whole (`NumberRuns.whole`): a quote cut by word count
    from unpunctuated speech read "we watch p ninety" where the candidate said "p ninety nine".
    The report itself when no quote cuts a number."""
    quoted = [
        e for c in report.components for e in (*c.evidence, *([c.mention] if c.mention else []))
    ]
    if not quoted:
        return report
    runs = NumberRuns(text, graded if graded != text else None)
    moved = {(e.start, e.end): runs.whole(e.start, e.end) for e in quoted}
    if all(span == new for span, new in moved.items()):
        return report

    def whole(e: Evidence) -> Evidence:
        start, end = moved[e.start, e.end]
        if (start, end) == (e.start, e.end):
            return e
        return e.model_copy(
            update={"quote": text[start:end], "start": start, "end": end, "excerpt": True}
        )

    return _requoted(report, whole, refuses)


def _with_pacing(grader: Grader, inp: AnswerInput, report: GradeReport) -> GradeReport:
    """Add the pacing section: minutes per step, speaking rate, fillers, longest monologue."""
    from grader.practice.pacing import compute_pacing

    quoted: dict[str, list[tuple[int, int]]] = {}
    # what the grading credited from the candidate's own words, where: pacing reads it too (an
    # evaluation credited from passages that read more like other components, with no word said
    # about it, is no sign the candidate reached evaluation)
    for c in report.components:
        if not c.unsaid:
            quoted.setdefault(c.step, []).extend((e.start, e.end) for e in c.evidence)
    pacing = compute_pacing(grader, inp, evidence=quoted)
    return report.model_copy(update={"pacing": pacing}) if pacing else report


def grade(answer: str, question: str) -> GradeReport:
    """Grade `answer` against `question` (a case id, a case title or free text) with the default
    grader. The text is read as the app and the API read pasted text (`files.read_text`): an SRT,
    WebVTT or transcript-JSON text as its file would be (the candidate's turns, with pacing), a web
    page's HTML source as the answer a reader takes from it. `Grader.grade` grades text exactly as
    given."""
    return grade_input(default_grader(), answer, question)


def grade_file(path, question: str, *, candidate: str | None = None) -> GradeReport:
    """Grade the answer in a file (text, Markdown, Word, PDF, HTML, a notebook, a transcript or a
    recording) against `question`, as `mlsd grade FILE` does; `candidate` names the speaker to
    grade in a transcript with several."""
    from grader.answers.files import load_answer_file

    return grade_input(default_grader(), load_answer_file(path, candidate=candidate), question)
