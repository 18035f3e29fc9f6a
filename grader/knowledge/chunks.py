"""Turn the knowledge base into documents for the vector store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from grader.knowledge.notes import KnowledgeBase


@dataclass(frozen=True)
class Chunk:
    """One document: a stable id, its text and flat metadata (kind, id, step, case)."""

    doc_id: str
    text: str
    kind: str
    id: str
    step: str = ""
    case: str = ""

    def metadata(self, model: str) -> dict[str, str]:
        digest = hashlib.sha256(f"{model}\0{self.text}".encode()).hexdigest()[:32]
        return {
            "kind": self.kind,
            "id": self.id,
            "step": self.step,
            "case": self.case,
            "hash": digest,
        }


def _lines(items: list[str]) -> str:
    return "\n".join(f"- {x}" for x in items)


# the index's kind for each way a background note is read
BACKGROUND_KINDS = {
    "everyday": "background",
    "claims": "claim",
    "definitions": "definition",
    "questions": "other_question",
}


def build_chunks(kb: KnowledgeBase) -> list[Chunk]:
    """Every chunk the index holds, in a stable order.

    Kinds: `step` and `step_cue` (framework), `concept` (a whole note, for reading) and `cue`
    (one strong-answer statement), `case` (the prompt, the title and each alias, for question matching),
    `case_note` (requirements, outline and pitfalls), `case_cue` (case-specific statements) and
    `background` (everyday sentences, the contrast for what is not design content), `claim`
    (vague claims, the contrast for design content that says how nothing is done), `definition`
    (what a topic is or why it matters, the contrast for design content that decides),
    `other_question` (questions that are not ML system design, the contrast for a typed question),
    `system` (questions that ask for one kind of system, for reading a typed question's kind) and
    `reference` (passages readers marked for a component in development answers).
    """
    out: list[Chunk] = []
    for s in kb.steps.values():
        text = f"{s.title}\n{s.summary}\n{_lines(s.strong_answer_covers)}\n{s.body}"
        out.append(Chunk(f"step:{s.id}", text, "step", s.id, step=s.id))
        out += [
            Chunk(f"step:{s.id}:cue:{i}", c, "step_cue", s.id, step=s.id)
            for i, c in enumerate(s.cues)
        ]
    for c in kb.concepts.values():
        text = f"{c.title}\n{c.why_it_matters}\n{c.body}"
        out.append(Chunk(f"concept:{c.id}", text, "concept", c.id, step=c.step))
        out += [
            Chunk(f"concept:{c.id}:cue:{i}", q, "cue", c.id, step=c.step)
            for i, q in enumerate(c.cues)
        ]
    for case in kb.cases.values():
        out.append(
            Chunk(f"case:{case.id}", f"{case.title}\n{case.prompt}", "case", case.id, case=case.id)
        )
        out += [
            Chunk(f"case:{case.id}:alias:{i}", a, "case", case.id, case=case.id)
            for i, a in enumerate([case.title, *case.aliases])
        ]
        pitfalls = [p for comp in case.components for p in comp.pitfalls]
        outline = [f"{o.step}: {' '.join(o.points)}" for o in case.reference_outline]
        note = (
            f"{case.title}\n{case.body}\nRequirements:\n{_lines(case.requirements.functional)}\n"
            f"{_lines(case.requirements.non_functional)}\nOutline:\n{_lines(outline)}\nPitfalls:\n{_lines(pitfalls)}"
        )
        out.append(Chunk(f"case:{case.id}:note", note, "case_note", case.id, case=case.id))
        for comp in case.components:
            step = kb.concepts[comp.id].step
            out += [
                Chunk(
                    f"case:{case.id}:cue:{comp.id}:{i}",
                    q,
                    "case_cue",
                    comp.id,
                    step=step,
                    case=case.id,
                )
                for i, q in enumerate(comp.cues)
            ]
    for b in kb.background.values():
        out += [
            Chunk(
                f"background:{b.id}:{i}",
                s,
                BACKGROUND_KINDS[b.reads_as],
                b.id,
            )
            for i, s in enumerate(b.sentences)
        ]
    for k in kb.system_kinds.values():
        out += [Chunk(f"system:{k.id}:{i}", q, "system", k.id) for i, q in enumerate(k.questions)]
    for r in kb.references.values():
        step = kb.concepts[r.id].step
        out += [
            Chunk(f"reference:{r.id}:{i}", p.says, "reference", r.id, step=step)
            for i, p in enumerate(r.passages)
        ]
    return out
