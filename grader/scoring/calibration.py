"""Thresholds of the deterministic grader, fitted on labelled answers by `evals/calibrate.py`."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import GraderError
from grader.text import first_line

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


class Calibration(BaseModel):
    """Every number the deterministic grader uses to turn similarities into statuses and scores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "default"
    fitted_on: str = Field(default="", description="Which labelled data produced these values.")
    # Unit eligibility
    substance_words: int = Field(
        6, description="Content words beyond the topic's own keywords for full credit."
    )
    substance_penalty: float = Field(
        0.1, description="Similarity removed from a unit with no substance."
    )
    listy_components: int = Field(3, description="A unit naming this many components' keywords...")
    listy_density: float = Field(
        0.9, description="...whose content words are nearly all rubric terms is a buzzword list."
    )
    # Similarity -> score
    sim_low: float = 0.30
    sim_high: float = 0.65
    cue_match: float = 0.45
    breadth_full: int = 3
    cue_soft: float = Field(
        0.0, description="Half-width of the ramp around cue_match over which a cue counts in part."
    )
    lexical_blend: float = Field(
        0.0,
        description="Share of a unit-cue similarity taken from word overlap (the "
        "idf-weighted share of the cue's words in the unit); the rest is cosine.",
    )
    w_semantic: float = 0.55
    w_breadth: float = 0.30
    w_lexical: float = 0.15
    w_depth: float = Field(
        0.0, description="Weight of depth: distinct units about the component (0: not used)."
    )
    depth_min: float = Field(0.45, description="A unit this similar to a cue adds depth.")
    depth_full: int = Field(4, description="Distinct supporting units for full depth credit.")
    component_offsets: dict[str, int] = Field(
        default_factory=dict,
        description="Points added to a component's score above 0: how real answers word it. A "
        "core step is often made in a few plain words (raised); a cross-cutting concern is "
        "often only named (lowered). Fitted; 0 for a component not listed.",
    )
    heading_prior: float = Field(
        0.25,
        description="A unit under a section heading reads as belonging to the components of the "
        "step its heading names: this times the heading's cosine with the step's title is added "
        "when the components compete for the unit (`grading.unit_owners`).",
    )
    evidence_min: float = 0.40
    step_depth_share: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="The most a step's coverage is discounted when the answer says little about "
        "it (`grading.step_score`): removing a section that carries a step lowers it though "
        "another sentence keeps each component covered. Chosen on the development set's section "
        "ablations; the overall stays coverage only.",
    )
    step_depth_words: int = Field(
        100,
        ge=1,
        description="Words about a step's covered and partial components (their `said_words`) "
        "for no discount.",
    )
    component_depth_share: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="The most a present component's credit in its step is discounted when the "
        "answer says little about it in passages of its own (`grading.step_score`): a section "
        "taken out lowers its step though a sentence elsewhere keeps its components' verdicts. "
        "Chosen on the development set's section ablations; the overall stays coverage only.",
    )
    component_depth_words: int = Field(
        30,
        ge=1,
        description="Words a component's own passages say about it (`said_words`) for no "
        "discount of its credit in its step.",
    )
    evidence_more: float = Field(
        0.6,
        description="A second or third quote must be this close to the component: on the "
        "development set's labelled spans, quotes under it were inside a span less than half "
        "the time (0.33 of those at 0.5-0.55, 0.43 at 0.55-0.6; evidence precision 0.473 -> "
        "0.497 against 0.5).",
    )
    said_margin: int = Field(
        5,
        ge=0,
        le=20,
        description="A component the answer says something about (words in sentences, bullets or "
        "rows of its own that explain and come near its cues: `judge.words_said` above 0) is "
        "partial from this many points under partial_at: its score is raised to partial_at. "
        "Saying something, however tersely ('log feats at scoring time, train on logged feats "
        "-> no train/serve skew'), is what careful readers call present; a score near the "
        "cut-off with nothing of its own said is not. Chosen on the development set, whose "
        "labellers never saw the grader: agreement 0.840 -> 0.851, missing precision 0.713 -> "
        "0.734, Spearman 0.810 -> 0.818 (3 points: 0.848); calibration-split F1 0.897 -> 0.900, "
        "Spearman 0.944 -> 0.940 (with the offsets then refitted, fit-5d914496: 0.905, 0.937). "
        "Five points added to the score instead gave the same agreement but lifted partial "
        "components to covered too (calibration QWK 0.799 -> 0.793, Spearman 0.937).",
    )
    w_reference: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description="Points (x 100) a component's score gains per unit of its reference lead: how "
        "much closer the answer's passage most about it comes to the passages readers marked for "
        "it in development answers (knowledge_base/references/) than to any other component's "
        "(`Grader.reference_leads`, `judge.referenced`); 0: references not read. Chosen on the "
        "calibration split, the held-out cases and the development set, each development answer "
        "graded without the references from its own question (evals/README.md).",
    )
    # Score -> status
    covered_at: int = 60
    partial_at: int = 35
    # Question matching
    case_match_min: float = 0.45
    # Answer relevance: similarity of the answer's centroid to the asked case (scores scale from 0 at
    # relevance_low to full at relevance_high)
    relevance_low: float = 0.30
    relevance_high: float = 0.45
    # A free-text question is judged against itself and every bank case near it, never against
    # one case it is only near. An answer's similarity to a short question runs lower than to a
    # case's documents: question_offset is that gap, measured on the calibration split (0.587 to
    # the asked case against 0.486 to its free-text questions, on average).
    question_offset: float = 0.10
    # A unit whose best rubric cue is not this much closer than its closest everyday background
    # sentence (knowledge_base/background/) is not design content: no credit, no topic. Chosen on
    # the calibration split: 0.7% of answer units fall under it, every unit of the fit's paddings.
    domain_margin: float = 0.05
    claim_margin: float = Field(
        0.0,
        description="A passage stating no figure is claim-like when its best cue similarity is "
        "under this much above its best similarity to the knowledge base's vague claims; it is a "
        "claim, never evidence, when it makes a promise (`judge.PRAISE_WORDS`) or when claim-like "
        "passages hold claim_share of the answer's words (`judge.claimed`). Chosen by hand on the "
        "development sets (evals/README.md), not in the fit's grid.",
    )
    definition_margin: float = Field(
        0.0,
        description="A passage stating no figure and no plan of its author's own (`judge."
        "committed`) is a definition, never evidence, when its best cue similarity is under this "
        "much above its best similarity to the knowledge base's general statements of what a "
        "topic is or why it matters (`judge.defined`). Chosen by hand on the development sets, "
        "not in the fit's grid.",
    )
    claim_share: float = Field(
        0.5,
        description="An answer with this share of its words in claim-like passages reads as made "
        "of claims: every such passage is a claim, promise word or not.",
    )


@lru_cache(maxsize=1)
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The fitted calibration. A missing or unreadable file is an error, never a silent fall back
    to defaults that would grade differently."""
    try:
        return Calibration.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise GraderError(
            f"the grader's calibration {path} cannot be read ({exc.strerror}): reinstall mlsd-grader "
            "or run `make calibrate`"
        ) from None
    except (ValueError, ValidationError) as exc:
        raise GraderError(
            f"the grader's calibration {path} is invalid ({first_line(exc)})"
        ) from None
