"""Definitions: passages that say what a topic is or why it matters in general, instead of what the
design does, are read against the knowledge base's general statements and earn nothing
(`judge.defined`)."""

import re

import numpy as np
import pytest

from grader.knowledge.chunks import build_chunks
from grader.scoring.calibration import Calibration
from grader.scoring.judge import committed, defined
from grader.scoring.segment import segment

# a glossary written for this test: every line says what a term means, none what the system does
GLOSSARY = """## Key terms

**Covariate shift**: a change in how the inputs of a model are distributed after it was trained.
**Skew between training and serving**: features that are computed one way offline and another way online.
**Delayed feedback**: outcomes that become known only long after the prediction they judge.
**Self-reinforcing loop**: predictions that shape the very data the next model will learn from.
**New-entity problem**: having to score users or items that have no history at all.
**Equal opportunity**: the requirement that true positive rates are similar across groups.
**Staged rollout**: exposing a new version to a small slice of traffic before all of it.
**Log loss**: a measure of how far predicted probabilities are from the observed outcomes.
"""


def _units(*texts: str):
    return [u for u in segment("\n\n".join(texts) + "\n") if not u.is_window]


def test_a_passage_of_the_authors_design_is_committed():
    units = _units(
        "We compare each feature's weekly distribution with training.",
        "I'd log the features used at serving time.",
        "Our labels come from chargebacks.",
        "The model is retrained every month on new labels.",
        "Data drift is a change in the inputs over time.",
        "Feedback loops are a known danger in recommendation, i.e. they narrow the feed.",
        "A model trained on the US market may not fit Europe.",
    )
    assert committed(units).tolist() == [True, True, True, True, False, False, False]


def test_a_definition_states_no_figure_and_no_plan_and_reads_as_one():
    cal = Calibration()
    units = [
        u
        for u in segment(
            "Data drift is a change in the inputs a model receives over time.\n\n"
            "We alert when the PSI of a top feature passes the threshold.\n\n"
            "Fairness is a concern for any ranking that decides who gets seen.\n\n"
            "Skew is a mismatch between offline and online features that appears in 2% of rows.\n"
        )
    ]
    whole = [u for u in units if not u.is_window]
    margins = np.full(len(units), -0.1)  # every unit reads more like a definition than a cue
    stated = np.array([u.is_window is False and "2%" in u.text for u in units])
    found = defined(margins, units, stated, cal)
    by_text = {u.text: bool(f) for u, f in zip(units, found) if not u.is_window}
    assert [by_text[u.text] for u in whole] == [True, False, True, False]
    # read nearer a cue than any general statement: no definition
    assert not defined(np.full(len(units), 0.1), units, stated, cal).any()


@pytest.mark.slow
def test_a_glossary_appended_to_an_answer_earns_nothing_and_is_listed(grader, strong_answer):
    weak = (
        "I would build a two-tower retrieval model and a ranking model trained on clicks and "
        "watch time. We serve it behind an API with a feature store, and we retrain it weekly "
        "on the newest logs. We measure recall at 100 offline and run an A/B test on watch time.\n"
    )
    base = grader.grade(weak, "video_recommendation")
    report = grader.grade(weak + "\n" + GLOSSARY, "video_recommendation")
    set_aside = " ".join(p.quote for p in report.ignored if p.reason == "definitions")
    lines = [line for line in GLOSSARY.splitlines() if line.startswith("**")]
    assert sum(line in set_aside for line in lines) >= 6, set_aside
    assert any("what a topic is or why it matters" in w for w in report.warnings)
    became_present = [
        c.id
        for c in report.components
        if c.status != "missing" and base.component(c.id).status == "missing"
    ]
    assert len(became_present) <= 1, became_present
    # a concrete answer in the author's own voice keeps every passage
    strong = grader.grade(strong_answer, "video_recommendation")
    assert not [p for p in strong.ignored if p.reason == "definitions"]


def test_the_definitions_note_is_a_contrast_of_its_own(kb, grader):
    definitions = [b for b in kb.background.values() if b.reads_as == "definitions"]
    assert definitions
    kinds = {c.doc_id: c.kind for c in build_chunks(kb)}
    assert {kinds[f"background:{b.id}:0"] for b in definitions} == {"definition"}
    assert len(grader.index.definition_vectors()) == sum(len(b.sentences) for b in definitions)


@pytest.mark.slow
def test_the_graders_own_advice_pasted_back_earns_nothing_and_is_listed(grader, strong_answer):
    """A report's "A strong answer says" sentences pasted back had taken a 64/100 answer to 99, its
    "why it matters" paragraphs to 92: a sentence copied word for word from the grader's advice
    is set aside, and the report says so."""
    weak = (
        "I would build a two-tower retrieval model and a ranking model trained on clicks and "
        "watch time. We serve it behind an API with a feature store.\n"
    )
    base = grader.grade(weak, "video_recommendation")
    gaps = [c for c in base.components if c.status == "missing"][:6]
    concepts = [grader.kb.concepts[c.id] for c in gaps]
    pasted = "\n\n".join(
        f"{c.why_it_matters} {c.levels.model_dump()[max(c.levels.model_dump())]}" for c in concepts
    )
    report = grader.grade(weak + "\n## Other concerns\n\n" + pasted + "\n", "video_recommendation")
    raised = [c.id for c in report.components if c.score > base.component(c.id).score]
    assert not raised, raised
    copied = [p for p in report.ignored if p.reason == "copied"]
    assert len(copied) >= len(concepts)
    assert any("copied word for word from the grader's own advice" in w for w in report.warnings)
    # a sentence with a decimal in it is one sentence on both sides ("alert if PSI > 0.2.")
    decimal = next(
        s
        for c in grader.kb.concepts.values()
        for s in re.split(r"(?<=[.!?])\s+", " ".join(c.cues))
        if re.search(r"\d\.\d", s) and len(s.split()) >= 6
    )
    pasted = weak + "- " + decimal + "\n"
    assert [pasted[a:b] for a, b in grader.copied_advice(pasted)] == [decimal]
    # a label in front, or words of one's own around it, leave the copied sentence copied; the
    # words around it are the candidate's ("Retraining: " had earned a pasted cue covered 71)
    cue = grader.kb.concepts["retraining"].cues[0].rstrip(".")
    labelled = weak + "Retraining: " + cue + ", and we keep the last three models warm.\n"
    assert [labelled[a:b] for a, b in grader.copied_advice(labelled)] == [cue]
    blanked = labelled.replace(cue, " " * len(cue))
    scores = [
        {c.id: c.score for c in grader.grade(t, "video_recommendation").components}
        for t in (blanked, labelled)
    ]
    assert scores[1] == scores[0]  # the pasted sentence adds nothing to what is left
    # in other words, the same points are the candidate's to make
    assert not [
        p
        for p in grader.grade(strong_answer, "video_recommendation").ignored
        if p.reason == "copied"
    ]
