"""What a report says beyond its verdicts: each component's feedback, the improvements, strengths
and reading. Advice comes from the asked case or from text tied to no other bank case (`probes`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np

from grader.knowledge.embedder import cosines
from grader.knowledge.index import KnowledgeIndex
from grader.knowledge.notes import Case, CaseComponent, KnowledgeBase, note_path
from grader.report import (
    NOTHING_QUOTED,
    SEVERITY_LABEL,
    ComponentResult,
    Evidence,
    FollowUp,
    QuestionMatch,
    Reading,
    StepResult,
)
from grader.scoring import probes
from grader.scoring.rubric import Rubric
from grader.text import quantity, shorten

MAX_READING = 6
# a step this many points under its coverage (the answer says little about it) gets an improvement
THIN_STEP_POINTS = 10
# a covered component scored under this is no strength to show: on the development sets, readers
# marked 11 of the 35 strengths scored 50-59 covered and 5 missing ("we would train a state of the
# art model, maybe a large language model or a transformer... because those are the best models"),
# against 28 of 53 covered and none missing at 60-69
STRENGTH_MIN = 60
# a section this long under a heading naming a step is no step the answer says little about
SECTION_WORDS = 60


# a missing component this close to the partial cut-off says its score and the cut-off in its
# feedback, not "Not addressed." (`Advisor.feedback`)
NEAR_MISS_POINTS = 10


class Advisor:
    """Writes advice from the knowledge base; `cues` gives a component's cue texts and vectors
    (`Grader.component_cues`), the case's own first."""

    def __init__(
        self,
        kb: KnowledgeBase,
        index: KnowledgeIndex,
        cues: Callable[[Case | None, CaseComponent], tuple[list[str], np.ndarray]],
    ):
        self.kb = kb
        self.index = index
        self.cues = cues

    def thin_step(
        self,
        steps: list[StepResult],
        results: list[ComponentResult],
        sections: Mapping[str, int] | None = None,
    ) -> str | None:
        """The "Say more" improvement for the step the answer says least about for what it covers:
        the one whose score lost most to depth (`step_score`), by `THIN_STEP_POINTS` or more, with
        what a strong answer says for its present component the answer spends fewest words on. A
        step the answer writes a section of its own about (`sections`: SECTION_WORDS words or
        more under a heading naming it) is not told to say more: a 119-word framing section had
        been told its passages "take only about 16 words", read as other components'."""
        sections = sections or {}
        lost, step = max(
            (
                (s.coverage - s.score, s)
                for s in steps
                if s.coverage is not None and sections.get(s.id, 0) < SECTION_WORDS
            ),
            key=lambda x: x[0],
            default=(0, None),
        )
        if step is None or lost < THIN_STEP_POINTS:
            return None
        present = [r for r in results if r.step == step.id and r.status != "missing"]
        thinnest = min(present, key=lambda r: (r.said_words or 0, -r.weight))
        aim = self.kb.concepts[thinnest.id].levels.l3
        if step.said_words:
            # the words of the passages read as about its components, not the section's length
            # ("takes only about 10 words" under a 130-word section read as a miscount)
            said = (
                f"the passages read as explaining what it covers take only about "
                f"{quantity(step.said_words, 'word')}"
            )
        elif any(r.evidence for r in present):  # quoted, yet no passage counted as explaining
            # a passage counts for the one component it reads most like: a narrative's framing
            # paragraph, read as the business objective's, was called terse
            said = (
                "the passages quoted for it are terse, read only loosely like what it covers, or "
                "read more like another component (none counts as explaining it on its own)"
            )
        else:
            # its present components are credited from passages that read more like other ones
            # ("ML objective: covered 68" beside "no passage reads as explaining" read as a
            # contradiction)
            said = (
                "what it covers is credited from passages that read even more like other "
                "components, and none explains it on its own"
            )
        return (
            f"Say more about {step.title}: {said}, so the step scores {step.score} instead of "
            f"{step.coverage}. For {thinnest.title}, the rubric's top level: {aim}"
        )

    def improvement(
        self,
        r: ComponentResult,
        case: Case | None,
        systems: Collection[str] = (),
        near: Case | None = None,
        fit: probes.Fit = probes.ANY_FIT,
    ) -> str:
        # the rubric's top level, a criterion rather than something an answer says, where it fits
        aim = fit.fitting(self.kb, self.kb.concepts[r.id].levels.l3)
        aim = f"; aim for: {aim}" if aim else ""
        # missing, or credited only from passages about other components with no word said of
        # it: to add, not to deepen ("Deepen Offline evaluation metrics" for an answer that says
        # nothing about evaluation). An example that is not another bank case's (`advice`).
        if r.unsaid:
            comp = next((c for c in case.components if c.id == r.id), None) if case else None
            texts, _ = self.cues(case, comp or CaseComponent(id=r.id, severity=r.severity))
            example = self.advice(
                case, texts, list(range(len(texts))), systems=systems, near=near, fit=fit
            )
            state = (
                "missing"
                if r.status == "missing"
                else f"{r.status} {r.score}/100 from passages about other components only"
            )
            added = f"Add {r.title} ({SEVERITY_LABEL[r.severity]}, {state})"
            if example:
                return f'{added}; a strong answer says, for example: "{example}"'
            return f"{added}{aim}"
        return f"Deepen {r.title} (partial, {r.score}/100){aim}"

    def cue_order(self, rubric: Rubric, comp: CaseComponent) -> list[int] | None:
        """For a question typed as free text (outside the bank, or only near a bank case), the
        component's cues ordered by closeness to the question as asked (ties in cue order); None
        for a bank case asked by name, whose own cues come first."""
        if rubric.question_vector is None:
            return None
        vectors = self.cues(rubric.case, comp)[1]
        near = cosines(vectors, rubric.question_vector[None, :])
        return sorted(range(len(near)), key=lambda k: (-float(near[k, 0]), k))

    def advice(
        self,
        case: Case | None,
        cue_texts: list[str],
        candidates: list[int],
        fallback: bool = True,
        order: list[int] | None = None,
        systems: Collection[str] = (),
        near: Case | None = None,
        fit: probes.Fit = probes.ANY_FIT,
    ) -> str:
        """The first of the candidate cues written for the asked kind of system (`systems`) and
        no other product (`probes.foreign`), and not sharing more words with another bank case
        (`probes.elsewhere`; for a typed question, also than with `near`, the case it was graded
        with); without one, and with `fallback`, the first such cue of all; else ""
        (the caller says the rubric's top level instead): advice about slang and memes does not
        belong under a video feed's drift. `order` ranks the cues (for an open question: nearest
        to it first), so that a question about machine sensors is not advised with a video feed's
        example; a question of unknown kind (far from every case) is advised only with cues
        written for any system; none that does not `fit` the question (`probes.Fit.refuses`: no
        p99 budget for a nightly job, no users' data for a model of water mains); none naming a
        topic the case sets aside as not applicable (`probes.names_set_aside`)."""
        order = order or list(range(len(cue_texts)))
        rank = {k: i for i, k in enumerate(order)}
        candidates = sorted(candidates, key=rank.__getitem__)

        def fitting(ks: list[int]) -> list[int]:
            return [
                k
                for k in ks
                if not probes.foreign(self.kb, case, systems, cue_texts[k])
                and probes.elsewhere(self.kb, case, cue_texts[k], near) < 2
                and not fit.refuses(self.kb, cue_texts[k])
                and not probes.names_set_aside(self.kb, case, cue_texts[k])
            ]

        chosen = fitting(candidates)
        if not chosen and fallback:
            chosen = fitting(order)
        return cue_texts[chosen[0]] if chosen else ""

    def feedback(
        self,
        j,
        concept,
        comp: CaseComponent,
        cue_texts: list[str],
        case=None,
        order: list[int] | None = None,
        systems: Collection[str] = (),
        mention: Evidence | None = None,
        near: Case | None = None,
        fit: probes.Fit = probes.ANY_FIT,
        partial_at: int | None = None,
    ) -> str:
        # the rubric's own prose, as the cues, only where it fits the question (`probes.Fit`)
        level = fit.fitting(self.kb, concept.levels.model_dump(by_alias=True)[str(j.level)])
        top = fit.fitting(self.kb, concept.levels.l3)
        why = fit.fitting(self.kb, concept.why_it_matters)
        # only a point the answer does not come near is advised: with none that fits, the
        # rubric's top level ("Add: I would train only on examples older than the label maturity
        # window" had been offered, as the first cue of all, to an answer saying just that)
        todo = self.advice(
            case, cue_texts, list(j.unmatched_cues), False, order, systems, near, fit
        )
        # a case's pitfalls are its own product's: said only under the case asked by name
        pitfall = f" Watch out: {comp.pitfalls[0]}" if comp.pitfalls and case is not None else ""
        # no count of "key points made": a cue counts towards the score when a unit comes near it
        # (cue_match, far below what a reader would call the point made), so such a count could
        # show a missing component more points than a covered one
        # credit from passages none of which reads clearly about it: no quote to show
        unquoted = "" if j.evidence else f" ({NOTHING_QUOTED})"
        # the level's descriptor says what such an answer does in general, not what this one said
        if j.status == "covered":
            extra = f" To go further: {todo}" if todo else ""
            asks = f" What the rubric's top level asks for: {level}" if level else ""
            return f"Covered{unquoted}.{asks}{extra}"
        if j.status == "partial":
            middle = f" The rubric's middle level: {level}" if level else ""
            add = f" Add: {todo or top}" if todo or top else ""
            return f"Partly covered{unquoted}.{middle}{add}{pitfall}"
        named = "Not addressed. "
        if partial_at is not None and j.score >= partial_at - NEAR_MISS_POINTS:
            # a score just under the cut-off is no absence: "Not addressed" of a 40 had read as
            # a verdict that the answer said nothing of it
            named = (
                f"Not addressed clearly enough to earn credit ({j.score}/100; partial from "
                f"{partial_at}). "
            )
        if j.level == 1:
            where = probes.shown(self.kb, case, comp.id, mention) if mention else ""
            quoted = f' ("{where}")' if where else ""
            named = (
                # its own passages say something of it, in words far from the rubric's points:
                # "named but not explained" of "New cities have no history: start from the model
                # of the most similar city and weight local data up" read as a put-down
                f"Said{quoted}, but in words that read too far from the rubric's points to earn "
                "credit. "
                if j.said_words
                else f"Named but not explained{quoted}. "
            )
        says = self.advice(
            case,
            cue_texts,
            list(range(len(cue_texts))),
            order=order,
            systems=systems,
            near=near,
            fit=fit,
        )
        strong = f"A strong answer says: {says or top}" if says or top else ""
        body = " ".join(part for part in (why, strong) if part)
        return f"{named}{body}{pitfall}" if body else f"{named.rstrip()}{pitfall}"

    @staticmethod
    def answer_the_question(question: QuestionMatch) -> str:
        """The first improvement for an answer to another question (`QuestionMatch.off_topic`)."""
        asked = question.shown  # a case asked for by its id is named by its title
        return (
            f'Answer the question asked ("{asked}"): this answer reads as an answer to another '
            f"question, so its scores were scaled by {question.relevance:.2f}"
        )

    @staticmethod
    def strengths(
        results: list[ComponentResult],
        challenged: Collection[str] = (),
        refuses: Callable[[str], bool] | None = None,
    ) -> list[str]:
        """The five best covered components, scored STRENGTH_MIN or more, that the answer says
        something about in passages of their own (`said_words`): one credited from another's
        passage ("Model inputs and outputs" on a monitoring sentence naming "per category",
        offline metrics on a sentence about ensembling) is no strength to show, its quote saying
        something else. Nor is one
        whose quote is a choice the follow-ups challenge (`challenged`, their quotes): "check
        accuracy on a held-out random 20% split" is the answer's mistake; nor one whose quote
        does not fit the question (`refuses`, `probes.Fit.refuses`): "fully real-time and low
        latency" for a list due by 6:00. None, when no covered component has such a passage (a
        report saved before components counted their words lists them all)."""
        best = sorted(
            (
                r
                for r in results
                if r.status == "covered"
                and r.score >= STRENGTH_MIN
                and r.said_words != 0
                and not (r.evidence and _challenged(r.evidence[0].quote, challenged))
                and not (r.evidence and refuses is not None and refuses(r.evidence[0].quote))
            ),
            key=lambda r: (-r.score, r.id),
        )[:5]
        out = []
        for r in best:
            # as read (an excerpt marked at both ends, as under Feedback), then shortened
            quote = shorten(r.evidence[0].shown, 140) if r.evidence else ""
            out.append(
                f'{r.title} ({r.score}/100): "{quote}"' if quote else f"{r.title} ({r.score}/100)"
            )
        return out

    def reading(
        self,
        priority: list[ComponentResult],
        gap_vectors: dict[str, np.ndarray],
        cases: set[str],
        concepts: set[str],
    ) -> list[Reading]:
        """Reading for the biggest gaps: each one's own concept note (written for exactly that
        component) first, then each one's step note, then the case note nearest to it among those
        of `cases` (the asked case, or the bank cases nearest to an open question), as room
        allows (MAX_READING): another case's notes explain its own product, not what this answer
        left out. A note is offered for the gap it was written for, never because its words come
        near another's ("Labels" was offered for a fairness gap, both speaking of groups of
        examples; monitoring's step note for a business objective, both speaking of metrics)."""
        found: dict[str, Reading] = {}
        gaps = priority[:4]

        def offer(r: ComponentResult, hits: list) -> None:
            for hit in hits:
                if hit.doc_id in found:
                    if r.id not in found[hit.doc_id].for_components:
                        found[hit.doc_id].for_components.append(r.id)
                elif len(found) < MAX_READING:
                    found[hit.doc_id] = Reading(
                        doc_id=hit.doc_id,
                        kind=hit.kind,
                        title=self._title(hit.kind, hit.id),
                        path=self._path(hit.kind, hit.id),
                        similarity=hit.similarity,
                        for_components=[r.id],
                    )

        for r in gaps:
            offer(r, self._nearest(gap_vectors[r.id], "concept", {r.id} & concepts))
        for r in gaps:
            step = self.kb.concepts[r.id].step if r.id in self.kb.concepts else None
            offer(r, self._nearest(gap_vectors[r.id], "step", {step}))
        for r in gaps:
            offer(r, self._nearest(gap_vectors[r.id], "case_note", cases))
        return list(found.values())

    def _nearest(self, vector: np.ndarray, kind: str, ids: Collection[str]) -> list:
        """The document of this kind, among the notes `ids`, nearest to `vector` (none or one)."""
        return self.index.query(vector, [kind], k=1, keep=lambda hit: hit.id in ids) if ids else []

    def _title(self, kind: str, doc: str) -> str:
        if kind == "concept":
            return self.kb.concepts[doc].title
        if kind == "step":
            return f"Step: {self.kb.steps[doc].title}"
        return f"Case notes: {self.kb.cases[doc].title}"

    @staticmethod
    def _path(kind: str, doc: str) -> str:
        return note_path({"concept": "concept", "step": "step"}.get(kind, "case"), doc)


def challenged_quotes(follow_ups: Sequence[FollowUp]) -> list[str]:
    """The candidate's words that the challenges among these follow-ups quote."""
    return [f.quote for f in follow_ups if f.kind == "challenge" and f.quote]


def _challenged(quote: str, challenged: Collection[str]) -> bool:
    """Whether a quote and a challenge's quote (cut short with "…" where long) share a passage."""
    return any(
        (c := q.strip(probes.ELLIPSIS + " "))
        and (c in quote or quote.strip(probes.ELLIPSIS + " ") in c)
        for q in challenged
    )
