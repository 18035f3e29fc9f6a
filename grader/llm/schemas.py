"""What the LLM must return, as pydantic models (sent as function schemas; levels are an enum)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, create_model

Level = Literal[0, 1, 2, 3]


class ComponentVerdict(BaseModel):
    """The verdict on one rubric component: feedback first, then quotes, then the level."""

    component_id: str = Field(description="The component id exactly as listed.")
    feedback: str = Field(description="Two or three sentences: what the answer says, what is missing, how to improve.")
    quotes: list[str] = Field(default_factory=list, description="Up to three passages copied verbatim from the answer.")
    level: Level = Field(description="0, 1, 2 or 3, matching the component's level descriptions.")


class JudgeVerdicts(BaseModel):
    """Verdicts for every listed component, in the order given."""

    verdicts: list[ComponentVerdict]


class FollowUpQuestion(BaseModel):
    """One interviewer follow-up for one weak component."""

    component_id: str = Field(description="The component id exactly as listed.")
    anchor: str = Field(default="", description="A short phrase copied verbatim from the answer, or empty.")
    question: str = Field(description="The question, one or two sentences.")


class FollowUpQuestions(BaseModel):
    """One follow-up question per listed component, in the order given."""

    questions: list[FollowUpQuestion]


class Summary(BaseModel):
    """A short narrative summary and the three most valuable improvements."""

    summary: str = Field(description="At most four sentences.")
    improvements: list[str] = Field(description="Exactly three, most valuable first, one sentence each.")


def for_components(schema: type[BaseModel], ids: list[str]) -> type[BaseModel]:
    """`schema` (JudgeVerdicts or FollowUpQuestions) with `component_id` narrowed to an enum of `ids`,
    so servers that constrain output to the schema (llama.cpp grammars, OpenAI strict mode) can only
    name the components asked about. The function name stays the same."""
    item_type = ComponentVerdict if schema is JudgeVerdicts else FollowUpQuestion
    field = "verdicts" if schema is JudgeVerdicts else "questions"
    narrowed = create_model(item_type.__name__, __base__=item_type,
                            component_id=(Literal[tuple(ids)], Field(description="One of the listed ids.")))
    narrowed.__doc__ = item_type.__doc__
    outer = create_model(schema.__name__, __base__=schema, **{field: (list[narrowed], ...)})
    outer.__doc__ = schema.__doc__
    return outer
