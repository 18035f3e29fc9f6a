"""The report contract shared by the library, the CLI, the app and the evals."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
Status = Literal["covered", "partial", "missing"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """An exact substring of the answer: answer[start:end] == quote."""

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    similarity: float = Field(description="Cosine similarity to the closest strong-answer cue.")


class ComponentResult(_Model):
    id: str
    title: str
    step: str
    severity: Literal["critical", "important", "nice"]
    weight: float
    status: Status
    score: int = Field(ge=0, le=100)
    level: int = Field(ge=0, le=3, description="The knowledge base's 0-3 level descriptor that fits best.")
    cues_matched: int = Field(ge=0)
    cues_total: int = Field(ge=0)
    evidence: list[Evidence]
    feedback: str


class StepResult(_Model):
    id: str
    title: str
    score: int = Field(ge=0, le=100)
    components: list[str]


class QuestionMatch(_Model):
    id: str | None = Field(description="Case id, or None when graded against the general framework.")
    title: str
    matched_by: Literal["id", "title", "retrieval", "framework"]
    similarity: float | None = None
    prompt: str | None = None


class FollowUp(_Model):
    question: str
    component_id: str
    why: str


class Reading(_Model):
    doc_id: str
    kind: str
    title: str
    path: str = Field(description="Path of the note inside the knowledge base.")
    similarity: float
    for_components: list[str]


class GraderInfo(_Model):
    mode: Literal["deterministic", "llm"] = "deterministic"
    version: str
    model: str = Field(description="Embedding model, plus the LLM when one was used.")
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    calibration: str = Field(description="Id of the threshold set used.")


class AnswerStats(_Model):
    characters: int
    words: int
    sentences: int
    units: int


class GradeReport(_Model):
    schema_version: int = SCHEMA_VERSION
    question: QuestionMatch
    overall_score: int = Field(ge=0, le=100)
    steps: list[StepResult]
    components: list[ComponentResult]
    missed_critical: list[str]
    strengths: list[str]
    follow_up_questions: list[FollowUp]
    recommended_reading: list[Reading]
    warnings: list[str]
    answer_stats: AnswerStats
    grader: GraderInfo

    def component(self, component_id: str) -> ComponentResult:
        return next(c for c in self.components if c.id == component_id)

    def to_json(self) -> str:
        """Canonical JSON: the same report always gives the same bytes."""
        return self.model_dump_json(indent=2) + "\n"
