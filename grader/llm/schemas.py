"""What the LLM must return, as pydantic models sent as function schemas.

Per request, the schema names the components asked about as required properties of an object,
so a server that constrains output to the schema (llama.cpp grammars) can only answer each
listed component exactly once; levels are an enum and lists and strings have bounds, so even a
tiny model cannot ramble past `max_tokens` inside a list.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

Level = Literal[0, 1, 2, 3]
Quote = Annotated[str, StringConstraints(max_length=300)]
Sentence = Annotated[str, StringConstraints(max_length=400)]


class ComponentVerdict(BaseModel):
    """The verdict on one rubric component: feedback first, then quotes, then the level."""

    feedback: str = Field(
        max_length=800,
        description="Two or three sentences: what the answer says, what is missing, how to improve.",
    )
    quotes: list[Quote] = Field(
        max_length=3, description="Up to three passages copied verbatim from the answer."
    )
    level: Level = Field(description="0, 1, 2 or 3, matching the component's level descriptions.")


class FollowUpQuestion(BaseModel):
    """One interviewer follow-up for one weak component."""

    anchor: str = Field(
        max_length=200, description="A short phrase copied verbatim from the answer, or empty."
    )
    question: str = Field(max_length=400, description="The question, one or two sentences.")


class Summary(BaseModel):
    """A short narrative summary and the three most valuable improvements."""

    summary: str = Field(max_length=900, description="At most four sentences.")
    improvements: list[Sentence] = Field(
        min_length=3, max_length=3, description="Three, most valuable first."
    )


def _by_component(name: str, item: type[BaseModel], ids: list[str]) -> type[BaseModel]:
    # Field names are positional (ids such as model_choice clash with pydantic's namespace); aliases are the ids.
    fields = {f"c{k}": (item, Field(alias=cid)) for k, cid in enumerate(ids)}
    return create_model(name, __config__=ConfigDict(populate_by_name=True), **fields)


def judge_schema(ids: list[str]) -> type[BaseModel]:
    """{"verdicts": {id: ComponentVerdict, ...}} for exactly these component ids."""
    model = create_model(
        "JudgeVerdicts", verdicts=(_by_component("Verdicts", ComponentVerdict, ids), ...)
    )
    model.__doc__ = "One verdict for each listed component id."
    return model


def follow_up_schema(ids: list[str]) -> type[BaseModel]:
    """{"questions": {id: FollowUpQuestion, ...}} for exactly these component ids."""
    model = create_model(
        "FollowUpQuestions", questions=(_by_component("Questions", FollowUpQuestion, ids), ...)
    )
    model.__doc__ = "One follow-up question for each listed component id."
    return model


def per_component(obj: BaseModel, ids: list[str]) -> dict[str, BaseModel]:
    """The items of a judge_schema/follow_up_schema object's inner object, keyed by component id."""
    return {cid: getattr(obj, f"c{k}") for k, cid in enumerate(ids)}
