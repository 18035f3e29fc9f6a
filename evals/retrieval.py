"""Retrieval quality with ragas' non-LLM context precision and recall (string similarity to
reference contexts): free-text question -> case, and component gap -> knowledge-base note."""

from __future__ import annotations

import asyncio
import warnings

import numpy as np
import yaml

from evals.dataset import DATA
from grader.scoring.grading import Grader

K = 3


def _metrics():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas import SingleTurnSample
        from ragas.metrics import NonLLMContextPrecisionWithReference, NonLLMContextRecall
    return SingleTurnSample, NonLLMContextPrecisionWithReference(), NonLLMContextRecall()


def _score(samples: list[tuple[list[str], list[str], list[str]]]) -> dict:
    """samples: (retrieved, reference contexts for precision, reference contexts for recall)."""
    sample_cls, precision, recall = _metrics()

    async def run():
        p, r = [], []
        for retrieved, ref_precision, ref_recall in samples:
            p.append(
                await precision.single_turn_ascore(
                    sample_cls(retrieved_contexts=retrieved, reference_contexts=ref_precision)
                )
            )
            r.append(
                await recall.single_turn_ascore(
                    sample_cls(retrieved_contexts=retrieved, reference_contexts=ref_recall)
                )
            )
        return p, r

    p, r = asyncio.run(run())
    return {
        "n": len(samples),
        "k": K,
        "context_precision": round(float(np.mean(p)), 3),
        "context_recall": round(float(np.mean(r)), 3),
    }


def question_to_case(grader: Grader, split: str | None = None) -> dict:
    """Does a paraphrased question retrieve its case? Precision: share of the top K case documents
    (prompt, title, aliases) that belong to the right case; recall: the case prompt is among them."""
    questions = [
        q
        for q in yaml.safe_load((DATA / "questions.yaml").read_text())
        if q["case"] and (split is None or q["split"] == split)
    ]
    case_docs = grader.index.doc_ids("case")
    samples = []
    for q in questions:
        hits = grader.index.query(grader.embedder.embed([q["text"]])[0], ["case"], k=K)
        docs = grader.index.documents([h.doc_id for h in hits] + case_docs[q["case"]])
        samples.append(
            (
                [docs[h.doc_id] for h in hits],
                [docs[d] for d in case_docs[q["case"]]],
                [docs[f"case:{q['case']}"]],
            )
        )
    return _score(samples)


def gap_to_note(grader: Grader) -> dict:
    """For every component of every case, does the gap query retrieve that component's note?"""
    samples = []
    for case in grader.kb.cases.values():
        for comp in case.components:
            _, vecs = grader.component_cues(case, comp)
            mean = vecs.mean(axis=0)
            hits = grader.index.query(
                mean / np.linalg.norm(mean), ["concept", "case_note", "step"], k=K
            )
            ref = f"concept:{comp.id}"
            docs = grader.index.documents([h.doc_id for h in hits] + [ref])
            samples.append(([docs[h.doc_id] for h in hits], [docs[ref]], [docs[ref]]))
    return _score(samples)
