"""What a typed question makes weigh more: a concern it names, or one its subject makes critical.

An interviewer's question carries stakes that no bank case states for it. "Screen job applicants
for a hiring team" makes fairness and explainability critical; "real-time" makes the latency
budget critical; "for children" makes privacy critical. Each concept note lists the words of a
question that do so (`raised_by`: the concern's own names and the subjects that raise it), and a
question typed as text that says one weighs that component as critical: it counts for more in the
overall, comes first among the gaps, and is asked about first. A component the question raises
that its bank case lacks is added to the rubric. Nothing is ever lowered, and a case asked for by
id or title keeps its own severities.
"""

from __future__ import annotations

from grader.knowledge.notes import SEVERITY_WEIGHT, CaseComponent, KnowledgeBase
from grader.report import RaisedConcern
from grader.scoring.judge import TopicLexicon, _inside, _spans, naming_masks
from grader.text import plain_words

CRITICAL = "critical"


def stakes_lexicons(kb: KnowledgeBase) -> dict[str, TopicLexicon]:
    """Per concept that lists any, the words of a question that raise it, in the singular or the
    plural ("job seekers" raises fairness, and so does "a job seeker")."""
    return {
        cid: TopicLexicon.from_keywords(c.raised_by, singulars=True)
        for cid, c in kb.concepts.items()
        if c.raised_by
    }


def raised_concerns(lexicons: dict[str, TopicLexicon], question: str) -> list[RaisedConcern]:
    """The concepts the question's words raise (`stakes_lexicons`), in the knowledge base's
    order, each with the first words that raise it. A phrase raises one concern: "position bias"
    raises feedback loops, not fairness through "bias" (`naming_masks`), and is not given as
    fairness's reason when another phrase raises it ("hiring")."""
    found = naming_masks(lexicons, [question])
    text = plain_words(question)
    spans = {cid: _spans(lexicon.pattern, question) for cid, lexicon in lexicons.items()}
    out = []
    for cid in lexicons:
        if found[cid][0]:
            longer = [
                o for other, found_there in spans.items() if other != cid for o in found_there
            ]
            own = [sp for sp in spans[cid] if not any(_inside(sp, o) for o in longer)]
            s, e = (own or spans[cid])[0]
            out.append(RaisedConcern(id=cid, said=text[s:e]))
    return out


def with_stakes(
    components: list[CaseComponent], raised: list[RaisedConcern]
) -> tuple[list[CaseComponent], list[RaisedConcern]]:
    """`components` with every raised concept weighed as critical (an explicit weight kept when
    it is higher) and those the rubric lacks added at the end; and the raised concerns that
    changed the rubric (one it already weighs as critical is not news)."""
    severity = {c.id: c.severity for c in components}
    changed = [r for r in raised if severity.get(r.id) != CRITICAL]
    up = {r.id for r in changed}
    out = [
        c
        if c.id not in up
        else c.model_copy(
            update={
                "severity": CRITICAL,
                "weight": None if c.weight is None else max(c.weight, SEVERITY_WEIGHT[CRITICAL]),
            }
        )
        for c in components
    ]
    out += [CaseComponent(id=r.id, severity=CRITICAL) for r in changed if r.id not in severity]
    return out, changed
