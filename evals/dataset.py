"""Labelled answers for calibration and evaluation (evals/data/answers/*.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import frontmatter
import yaml
from pydantic import BaseModel, ConfigDict, Field

DATA = Path(__file__).parent / "data"
DEV = DATA / "dev"  # the development set: written and labelled like the blind set, fitted on
DEV2 = DATA / "dev2"  # a second one, for choosing only: nothing (fit, reference passages) reads it
DEV3 = (
    DATA / "dev3"
)  # a third, of polished answers (claims, checklists, concrete prose): choosing only
# a fourth, for choosing only like dev2: 24 answers to 12 more questions, nothing reads it
DEV4 = DATA / "dev4"
Label = Literal["covered", "partial", "missing"]


class AnswerMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    case: str
    quality: int = Field(ge=1, le=5)
    style: Literal["prose", "bullets", "transcript"]
    labels: dict[str, Label]


@dataclass(frozen=True)
class LabelledAnswer:
    meta: AnswerMeta
    text: str
    split: Literal["calibration", "heldout"]


def load_answers(data: Path = DATA) -> list[LabelledAnswer]:
    """Every labelled answer, sorted by id, with its split."""
    heldout = set(yaml.safe_load((data / "splits.yaml").read_text())["heldout_cases"])
    out = []
    for path in sorted((data / "answers").glob("*.md")):
        post = frontmatter.load(path)
        meta = AnswerMeta.model_validate(post.metadata)
        out.append(
            LabelledAnswer(
                meta,
                post.content.strip() + "\n",
                "heldout" if meta.case in heldout else "calibration",
            )
        )
    return out
