"""The LLM layer over a deterministic report: depth judgements in small batches, tailored
follow-ups, a summary and improvements; grounded and bounded (grader/llm/grounding.py), and a
clean fallback to the deterministic report whenever the model is down or keeps answering badly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from grader.errors import InvalidOutput, LLMUnavailable
from grader.knowledge.notes import CaseComponent
from grader.llm.client import LLMClient, public_url
from grader.llm.config import LLMConfig
from grader.llm.grounding import apply_verdict, inert, verify_quotes
from grader.llm.prompts import load_prompt, neutralise
from grader.llm.schemas import Summary, follow_up_schema, judge_schema, per_component
from grader.report import ComponentResult, FollowUp, GradeReport, LLMInfo
from grader.scoring import probes
from grader.scoring.advice import challenged_quotes
from grader.scoring.grading import Grader, counted_text, gaps_to_ask
from grader.scoring.injection import claims, detect, steering
from grader.text import quantity

PROMPTS = ("judge_components", "follow_ups", "summary")
NOTES_CHARS = 900
MAX_LLM_FOLLOW_UPS = 3


class _Run:
    """One graded answer's LLM work: shared context for every request."""

    def __init__(self, grader: Grader, answer: str, report: GradeReport, client: LLMClient):
        self.grader, self.report, self.client = grader, report, client
        findings = detect(answer)
        self.allow_raise = not (steering(findings) or claims(findings))
        # quotes are verified against what was graded: steering and to-do notes blanked
        self.answer = counted_text(answer, findings, grader.set_aside(answer))
        self.shown = neutralise(self.answer)
        self.case = grader.kb.cases.get(report.question.id) if report.question.id else None
        self.warnings: list[str] = []
        if findings:
            self.warnings.append(
                "the answer claims its own coverage or quality, so the LLM was not allowed to "
                "raise any score"
                if claims(findings) and not steering(findings)
                else "the answer tries to steer the grader, so the LLM was not allowed to raise "
                "any score"
            )

    # -- components -------------------------------------------------------------------------
    def judge_all(self, components: list[ComponentResult]) -> list[ComponentResult]:
        chosen = self._to_judge(components)
        todo = [c for c in components if c.id in chosen]
        size = self.client.config.batch_size
        batches = [todo[i : i + size] for i in range(0, len(todo), size)]
        with ThreadPoolExecutor(max_workers=self.client.config.workers) as pool:
            judged = list(pool.map(self._judge_batch, batches))
        for _results, notes in judged:  # in batch order, whatever order the requests finished in
            self.warnings += notes
        done = {c.id: c for results, _notes in judged for c in results}
        return [done.get(c.id, c) for c in components]

    def _to_judge(self, components: list[ComponentResult]) -> set[str]:
        """All components, or the `max_components` whose rules-based score is nearest a status threshold
        (where a depth judgement can change the verdict), heavier components first on ties."""
        limit = self.client.config.max_components
        if not limit or limit >= len(components):
            return {c.id for c in components}
        cal = self.grader.cal
        doubt = sorted(
            components,
            key=lambda c: (
                min(abs(c.score - cal.covered_at), abs(c.score - cal.partial_at)),
                -c.weight,
                c.id,
            ),
        )
        return {c.id for c in doubt[:limit]}

    def _judge_batch(self, batch: list[ComponentResult]) -> tuple[list[ComponentResult], list[str]]:
        ids = [c.id for c in batch]
        notes: list[str] = []
        values = dict(
            question_title=self.report.question.shown,
            question_prompt=self.report.question.prompt or "",
            components=[self._component_context(c) for c in batch],
            answer=self.shown,
        )
        try:
            out = self.client.ask(load_prompt("judge_components"), values, judge_schema(ids))
        except InvalidOutput as exc:
            return batch, [
                f"LLM verdicts for {', '.join(ids)} were invalid twice; kept the rules-based results ({exc})"
            ]
        verdicts = per_component(out.verdicts, ids)
        result = []
        for det in batch:
            v = verdicts[det.id]
            quotes, dropped = verify_quotes(self.answer, v.quotes)
            if dropped:
                notes.append(
                    f"dropped {quantity(dropped, 'LLM quote')} for {det.id}: not in the answer"
                )
            sims = self._similarities(det.id, [q.text for q in quotes])
            result.append(
                apply_verdict(
                    det,
                    v.level,
                    v.feedback,
                    quotes,
                    sims,
                    bool(v.quotes),
                    self.allow_raise,
                    self.grader.cal,
                )
            )
        return result, notes

    def _component_context(self, c: ComponentResult) -> dict:
        return component_context(self.grader, self.case, c)

    def _similarities(self, component_id: str, quotes: list[str]) -> list[float]:
        if not quotes:
            return []
        # a component the question raised that its case does not list is read by its concept's
        # cues alone (`stakes.with_stakes` adds it to the rubric)
        comp = next(
            (x for x in self.grader.kb.case_components(self.case) if x.id == component_id),
            CaseComponent(id=component_id, severity="critical"),
        )
        return [
            float(s) for s in self.grader.text_similarities(quotes, self.case, comp).max(axis=1)
        ]

    # -- follow-ups and summary -------------------------------------------------------------
    def follow_ups(self, components: list[ComponentResult]) -> list[FollowUp]:
        """Tailored questions for the weakest components, ranked with the bank's gap questions and
        probes (`probes.follow_ups`) over the judged components, each in its component's place."""
        fit = probes.fit_asked(self.grader.kb, self.report.question)
        gaps = gaps_to_ask(self.grader.kb, components, fit)[:MAX_LLM_FOLLOW_UPS]
        if not gaps:
            return self._ranked(components)
        ids = [g.id for g in gaps]
        values = dict(
            question_title=self.report.question.shown,
            answer=self.shown,
            gaps=[
                dict(
                    id=g.id,
                    title=g.title,
                    status=g.status,
                    severity=g.severity,
                    missing=self.grader.kb.concepts[g.id].why_it_matters,
                )
                for g in gaps
            ],
        )

        def validate(out) -> str | None:
            return (
                None
                if all(inert(q.question) for q in per_component(out.questions, ids).values())
                else "a question is empty"
            )

        try:
            out = self.client.ask(
                load_prompt("follow_ups"), values, follow_up_schema(ids), validate
            )
        except InvalidOutput as exc:
            self.warnings.append(
                f"LLM follow-up questions were invalid twice; kept the question bank's ({exc})"
            )
            return self._ranked(components)
        tailored = []
        for g, q in zip(gaps, per_component(out.questions, ids).values()):
            anchors, _ = verify_quotes(self.answer, [q.anchor], limit=1)
            said = f'; builds on: "{inert(anchors[0].text, 120)}"' if anchors else ""
            tailored.append(
                FollowUp(
                    question=inert(q.question, 400),
                    component_id=g.id,
                    origin="llm",
                    why=f"{g.title} is {g.status} ({g.score}/100){said}",
                    kind="probe" if anchors else "gap",
                    quote=anchors[0].text if anchors else None,
                )
            )
        return self._ranked(components, tailored)

    def _ranked(
        self, components: list[ComponentResult], tailored: list[FollowUp] | None = None
    ) -> list[FollowUp]:
        return probes.follow_ups(
            self.grader.kb,
            components,
            probes.advice_case(self.grader.kb, self.report.question),
            extra=tailored or [],
            # the challenges of choices the answer made stand: they quote it, as graded
            first=[f for f in self.report.follow_up_questions if f.kind == "challenge"],
            limit=probes.MAX_FOLLOW_UPS,
            systems=probes.systems_asked(self.grader.kb, self.report.question),
            where=probes.where_asked(self.report.question),
            near=probes.near_case(self.grader.kb, self.report.question),
            fit=probes.fit_asked(self.grader.kb, self.report.question),
            probing=not self.report.question.off_topic,  # as the grade asked them
            answer=self.answer,
        )

    def summary(self, report: GradeReport) -> tuple[str | None, list[str]]:
        def validate(out: Summary) -> str | None:
            if not inert(out.summary):
                return "the summary is empty"
            return (
                None
                if len([i for i in out.improvements if inert(i)]) == 3
                else "give exactly three improvements"
            )

        values = dict(
            question_title=report.question.shown,
            overall_score=report.overall_score,
            answer=self.shown,
            components=[
                dict(title=c.title, status=c.status, score=c.score) for c in report.components
            ],
        )
        try:
            out = self.client.ask(load_prompt("summary"), values, Summary, validate)
        except InvalidOutput as exc:
            self.warnings.append(
                f"the LLM summary was invalid twice; kept the rules-based improvements ({exc})"
            )
            return None, report.improvements
        # the rules' "say more about <step>" (after their three gaps) stays: the LLM's three
        # replace the gap items, and the step's depth discount is the rules' own
        return inert(out.summary, 800), [inert(i, 300) for i in out.improvements] + (
            report.improvements[3:]
        )


def component_context(grader: Grader, case, c: ComponentResult) -> dict:
    """What the judge sees about one component: descriptors, cues, and its note retrieved from Chroma."""
    concept = grader.kb.concepts[c.id]
    comp = next((x for x in grader.kb.case_components(case) if x.id == c.id), None)
    cues = (list(comp.cues) if comp else []) + concept.cues
    notes = grader.index.documents([f"concept:{c.id}"]).get(
        f"concept:{c.id}", concept.why_it_matters
    )
    pitfalls = (
        f"\nPitfalls for this case: {' '.join(comp.pitfalls)}" if comp and comp.pitfalls else ""
    )
    return dict(
        id=c.id,
        title=c.title,
        severity=c.severity,
        why=concept.why_it_matters,
        cues=cues[:6],
        levels=concept.levels.model_dump(by_alias=True),
        notes=" ".join(notes.split())[:NOTES_CHARS] + pitfalls,
    )


def _median_run(overall: list[int]) -> int:
    """Index of the sample whose overall score is the (lower) median."""
    order = sorted(range(len(overall)), key=lambda i: (overall[i], i))
    return order[(len(order) - 1) // 2]


def assist(
    grader: Grader,
    answer: str,
    report: GradeReport,
    config: LLMConfig,
    *,
    samples: int = 1,
    progress: Callable[[str], None] | None = None,
    chat_model=None,
) -> GradeReport:
    """Add LLM judgements to a deterministic `report` of `answer`. Never raises for LLM trouble: the
    deterministic report comes back with a warning instead."""
    say = progress or (lambda _s: None)
    client = LLMClient(config, chat_model)
    run = _Run(grader, answer, report, client)
    samples = max(1, int(samples))
    try:
        runs = []
        for k in range(samples):
            say(
                f"LLM judging components (sample {k + 1} of {samples})"
                if samples > 1
                else "LLM judging components"
            )
            runs.append(run.judge_all(report.components))
        challenged = challenged_quotes(report.follow_up_questions)
        sample_totals = [grader.totals(r, report.question, challenged) for r in runs]
        overall = [t["overall_score"] for t in sample_totals]
        chosen = _median_run(overall)
        components, totals = runs[chosen], sample_totals[chosen]
        say("LLM writing follow-up questions")
        follow_ups = run.follow_ups(components)
        draft = report.model_copy(update=totals)
        say("LLM writing the summary")
        summary, improvements = run.summary(draft)
    except LLMUnavailable as exc:
        return _fallback(
            report,
            client,
            config,
            samples,
            f"LLM unavailable, so this is the deterministic report: {exc}",
        )
    judged = sum(c.judged_by == "llm" for c in components)
    if judged == 0 and summary is None:
        return _fallback(
            report,
            client,
            config,
            samples,
            "the LLM gave no usable output, so this is the deterministic report",
            run.warnings,
        )
    info = _info(client, config, samples, overall, fell_back=False)
    grader_info = report.grader.model_copy(
        update=dict(
            mode="llm",
            model=f"{report.grader.model} + {config.provider}:{config.model_name}",
            prompt_versions={p: load_prompt(p).version for p in PROMPTS},
        )
    )
    return report.model_copy(
        update={
            **totals,
            "follow_up_questions": follow_ups,
            "summary": summary,
            "improvements": improvements,
            "llm": info,
            "grader": grader_info,
            "warnings": report.warnings + _dedupe(run.warnings),
        }
    )


def _fallback(
    report: GradeReport,
    client: LLMClient,
    config: LLMConfig,
    samples: int,
    why: str,
    extra: list[str] | None = None,
) -> GradeReport:
    info = _info(client, config, samples, [], fell_back=True)
    return report.model_copy(
        update=dict(llm=info, warnings=report.warnings + _dedupe((extra or []) + [why]))
    )


def _info(
    client: LLMClient, config: LLMConfig, samples: int, overall: list[int], fell_back: bool
) -> LLMInfo:
    u = client.usage
    prices = config.prices()
    cost = (
        None
        if prices is None
        else round((u.prompt_tokens * prices[0] + u.completion_tokens * prices[1]) / 1e6, 6)
    )
    return LLMInfo(
        provider=config.provider,
        model=config.model_name,
        base_url=public_url(config.base_url),
        samples=samples,
        overall_samples=overall,
        overall_spread=(max(overall) - min(overall)) if overall else 0,
        calls=u.calls,
        failed_calls=u.failed_calls,
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        latency_seconds=round(u.latency_seconds, 3),
        estimated_cost_usd=cost,
        fell_back=fell_back,
    )


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
