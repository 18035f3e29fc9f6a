"""Mock interview: ask the top follow-up, grade the reply for the component it probes, update coverage.

The interview keeps one growing text (the answer, then each follow-up and reply) and one report
whose evidence offsets point into that text. Each reply is graded in the context of the answer
(earlier replies blanked: they answered other questions) and counts only for the component its
question probes; a component keeps the better of its old and new
result, and the totals are recomputed by the grader itself (`Grader.totals`).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from grader.answers.model import AnswerInput
from grader.errors import InputError
from grader.knowledge.notes import KnowledgeBase
from grader.pipeline import Progress, grade_input
from grader.report import ComponentResult, FollowUp, GradeReport, SourceInfo, Status
from grader.scoring.advice import challenged_quotes
from grader.scoring.grading import Grader, gaps_to_ask
from grader.scoring.overlap import terms
from grader.scoring.probes import (
    advice_case,
    fit_asked,
    gap_follow_up,
    made,
    systems_asked,
    where_asked,
)
from grader.scoring.segment import count_words
from grader.text import blank, blank_spans, quantity

DEFAULT_ROUNDS = 3
INTERVIEWER = "Interviewer: "
CANDIDATE = "Candidate: "


class Round(BaseModel):
    """One follow-up question, the reply, and what it changed."""

    question: str
    component_id: str
    component_title: str
    reply: str
    reply_start: int = Field(description="Offset of the reply in the interview text.")
    graded_score: int = Field(
        description="The probed component's score on the interview text with the reply."
    )
    before_score: int
    after_score: int
    before_status: Status
    after_status: Status
    on_point: list[str] = Field(
        default_factory=list,
        description="Quotes from the reply that the regraded component cites, whether or not its "
        "score rose (a reply that says again what the answer was credited for cites some).",
    )

    @property
    def improved(self) -> bool:
        return self.after_score > self.before_score


class ComponentChange(BaseModel):
    id: str
    title: str
    before_score: int
    after_score: int
    before_status: Status
    after_status: Status


class MockSummary(BaseModel):
    rounds: int
    overall_before: int
    overall_after: int
    improved: list[ComponentChange]
    not_improved: list[ComponentChange]
    still_missing_critical: list[str] = Field(
        description="Titles of critical components still missing."
    )

    def lines(self) -> list[str]:
        """The summary in plain sentences, best news first."""
        out = [
            f"{quantity(self.rounds, 'round')}: overall {self.overall_before} -> "
            f"{self.overall_after}."
        ]
        out += [
            f"Improved {c.title}: {c.before_score} -> {c.after_score}"
            + (
                f" ({c.before_status} -> {c.after_status})."
                if c.after_status != c.before_status
                else f" (still {c.after_status})."
            )
            for c in self.improved
        ]
        out += [
            f"No change on {c.title} ({c.after_score}, {c.after_status})."
            for c in self.not_improved
        ]
        if self.still_missing_critical:
            out.append("Still missing (critical): " + ", ".join(self.still_missing_critical) + ".")
        return out


class MockInterview(BaseModel):
    """The state of one mock interview; plain data, so it can live in a UI session."""

    question: str = Field(description="The question as asked: a case id or free text.")
    text: str = Field(
        description="The answer and every follow-up exchange; evidence offsets index into it."
    )
    graded_text: str = Field(
        description="`text` with what is not the candidate's (interviewer lines) blanked."
    )
    initial: GradeReport
    report: GradeReport = Field(description="Coverage so far.")
    rounds: list[Round] = Field(default_factory=list)
    max_rounds: int = DEFAULT_ROUNDS

    @classmethod
    def start(
        cls,
        answer: str,
        report: GradeReport,
        question: str | None = None,
        *,
        graded_text: str | None = None,
        max_rounds: int = DEFAULT_ROUNDS,
    ) -> "MockInterview":
        """`answer` is the text the report's offsets index into; `graded_text` its graded form when
        parts of it (interviewer turns in a transcript) were blanked."""
        question = question or report.question.id or report.question.title
        graded = (
            graded_text if graded_text is not None and len(graded_text) == len(answer) else answer
        )
        return cls(
            question=question,
            text=answer,
            graded_text=graded,
            initial=report,
            report=report,
            max_rounds=max_rounds,
        )

    def finished(self, kb: KnowledgeBase | None = None) -> bool:
        """All rounds played, or nothing left to ask."""
        return len(self.rounds) >= self.max_rounds or self.next_follow_up(kb) is None

    def next_follow_up(self, kb: KnowledgeBase | None = None) -> FollowUp | None:
        """The top follow-up not asked yet whose component is not covered, or that challenges a
        choice the candidate made (whatever the component's status: the passage making the choice
        often covers it); with `kb`, the knowledge base supplies questions for gaps beyond the
        report's own list."""
        asked = {r.component_id for r in self.rounds}
        for f in self.report.follow_up_questions:
            if f.component_id not in asked and (
                f.kind == "challenge" or self.report.component(f.component_id).status != "covered"
            ):
                return f
        if kb is None:
            return None
        question = self.report.question
        case = advice_case(kb, question)
        fit = fit_asked(kb, question)
        for c in (g for g in gaps_to_ask(kb, self.report.components, fit) if g.id not in asked):
            return gap_follow_up(
                kb, c, case, where_asked(question), systems=systems_asked(kb, question), fit=fit
            )
        return None

    def answer(
        self,
        grader: Grader,
        follow_up: FollowUp,
        reply: str,
        *,
        llm=None,
        progress: Progress | None = None,
    ) -> Round:
        """Grade `reply` to `follow_up` and update the coverage of the component it probes.

        The reply is graded in context: the answer and the reply against the interview's question,
        with the interviewer's lines and the earlier replies blanked, so a focused reply still reads
        as part of an answer to that question and takes no credit for what an earlier reply said.
        Only the probed component's result is taken, and only when it is better and a passage
        of the reply is quoted for it."""
        if not reply.strip():
            raise InputError("the reply is empty: type or record your answer to the question")
        prefix = f"\n\n{INTERVIEWER}{follow_up.question}\n{CANDIDATE}"
        reply_start = len(self.text) + len(prefix)
        text = self.text + prefix + reply
        graded = self.graded_text + blank(prefix) + reply
        # earlier replies answered other questions: what they say counted (or not) in their own
        # round, so a reply that adds nothing ("I don't know") cannot collect their credit
        earlier = [(r.reply_start, r.reply_start + len(r.reply)) for r in self.rounds]
        source = SourceInfo(kind="text", format="mock-interview")
        regraded = grade_input(
            grader,
            AnswerInput(text, blank_spans(graded, earlier), source),
            self.question,
            llm=llm,
            progress=progress,
        )
        old = self.report.component(follow_up.component_id)
        new = next((c for c in regraded.components if c.id == old.id), None)
        end = reply_start + len(reply)
        on_point = [e.quote for e in (new.evidence if new else []) if reply_start <= e.start < end]
        # a reply raises its component only by what it says: a score that rose with no passage of
        # the reply quoted for it is the noise of a longer text (a reply about dark mode had
        # raised privacy 7 -> 11), not credit
        kept = new if new is not None and new.score > old.score and on_point else old
        self.text, self.graded_text = text, graded
        self.report = _with_component(grader, self.report, kept, text, asked=old.id)
        rnd = Round(
            question=follow_up.question,
            component_id=old.id,
            component_title=old.title,
            reply=reply,
            reply_start=reply_start,
            graded_score=new.score if new else 0,
            before_score=old.score,
            after_score=kept.score,
            before_status=old.status,
            after_status=kept.status,
            on_point=on_point,
        )
        self.rounds.append(rnd)
        return rnd

    def saved_report(self) -> GradeReport:
        """The report as the interview leaves it, with what its rounds changed as its summary
        (after an LLM's summary, if any): saved to the history, it is read there again."""
        said = f"Mock interview, {' '.join(self.summary().lines())}"
        summary = f"{self.report.summary}\n\n{said}" if self.report.summary else said
        return self.report.model_copy(update={"summary": summary})

    def summary(self) -> MockSummary:
        changes = {}
        for r in self.rounds:  # a component asked twice reports its first before and last after
            first = changes.get(r.component_id)
            changes[r.component_id] = ComponentChange(
                id=r.component_id,
                title=r.component_title,
                before_score=first.before_score if first else r.before_score,
                before_status=first.before_status if first else r.before_status,
                after_score=r.after_score,
                after_status=r.after_status,
            )
        improved = [c for c in changes.values() if c.after_score > c.before_score]
        return MockSummary(
            rounds=len(self.rounds),
            overall_before=self.initial.overall_score,
            overall_after=self.report.overall_score,
            improved=improved,
            not_improved=[c for c in changes.values() if c not in improved],
            still_missing_critical=[
                self.report.component(c).title for c in self.report.missed_critical
            ],
        )


def _with_component(
    grader: Grader, report: GradeReport, comp: ComponentResult, text: str, asked: str
) -> GradeReport:
    """The report with one component replaced and everything that follows from it (steps, overall,
    missed critical, strengths, improvements) recomputed by the grader, as in a fresh grade."""
    components = [comp if c.id == comp.id else c for c in report.components]
    stats = report.answer_stats.model_copy(
        update={"characters": len(text), "words": count_words(text)}
    )
    return report.model_copy(
        update={
            **grader.totals(
                components, report.question, challenged_quotes(report.follow_up_questions)
            ),
            "follow_up_questions": [
                f for f in report.follow_up_questions if f.component_id != asked
            ],
            "answer_stats": stats,
        }
    )


class ReplyFeedback(BaseModel):
    """What one reply did: the quotes from it that now count, and what a strong reply still covers."""

    component_title: str
    before_score: int
    after_score: int
    after_status: Status
    added: list[str] = Field(description="Quotes from the reply that count as evidence now.")
    on_point: list[str] = Field(
        default_factory=list,
        description="Quotes from the reply about the component that raised nothing: the answer "
        "was already credited for what they say.",
    )
    still_missing: list[str] = Field(
        description="What a strong reply covers that the component still lacks."
    )
    feedback: str = Field(description="The grader's feedback on the component after the reply.")


def reply_feedback(mock: MockInterview, rnd: Round, follow_up: FollowUp) -> ReplyFeedback:
    """Feedback on round `rnd` of `mock` (just played): the reply's words that now count for the
    probed component, and the points of `follow_up.listen_for` still to make: those neither the
    reply nor the component's evidence in the answer makes in so many words (`probes.made`); none
    once the component is covered."""
    comp = mock.report.component(rnd.component_id)
    end = rnd.reply_start + len(rnd.reply)
    # shown as the report shows quotes: a piece of a longer passage with "…" at its ends
    added = [e.shown for e in comp.evidence if e.start >= rnd.reply_start and e.end <= end]
    # a point the answer made already, in a passage credited to the component (the probe may have
    # quoted it), is not still missing: only what neither the reply nor the answer says
    said = terms(" ".join([rnd.reply, *(e.quote for e in comp.evidence)]))
    missing = (
        [] if comp.status == "covered" else [p for p in follow_up.listen_for if not made(p, said)]
    )
    return ReplyFeedback(
        component_title=rnd.component_title,
        before_score=rnd.before_score,
        after_score=rnd.after_score,
        after_status=rnd.after_status,
        added=added,
        on_point=[] if added or rnd.improved else rnd.on_point,
        still_missing=missing,
        feedback=comp.feedback,
    )


def end_reason(mock: MockInterview, kb: KnowledgeBase | None = None) -> str | None:
    """Why the interview is over, in a sentence; None while it goes on."""
    if len(mock.rounds) >= mock.max_rounds:
        return f"All {mock.max_rounds} rounds are done."
    if mock.next_follow_up(kb) is None:
        return (
            f"After {len(mock.rounds)} of {mock.max_rounds} rounds there is nothing left to ask: "
            "every component is covered or has been asked about."
        )
    return None
