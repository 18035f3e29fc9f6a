"""The rubric a question is graded with: the question as matched, its case (if any) and components."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.knowledge.notes import Case, CaseComponent
from grader.report import QuestionMatch


@dataclass(frozen=True)
class Rubric:
    question: QuestionMatch
    case: Case | None  # None: graded with the framework's rubric
    components: list[CaseComponent]
    warnings: list[str]
    question_vector: np.ndarray | None = None  # a free-text question's embedding
