"""Knowledge base: markdown notes with YAML front matter, validated into pydantic models."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Collection, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from grader.errors import KnowledgeBaseError
from grader.settings import settings
from grader.text import (
    STOPWORDS,
    plain_words,
    quantity,
    straightened,
    validation_parts,
    validation_problems,
)

StepId = Literal["requirements", "framing", "data", "model", "evaluation", "serving", "monitoring"]
STEP_IDS: tuple[str, ...] = get_args(StepId)
Severity = Literal["critical", "important", "nice"]
# The kinds of ML system a question can be written for: a case names its own, a concept's follow-up
# question names those it presumes ("your ranking", "your classifier"), or none when any will do.
System = Literal["recommendation", "search", "classification", "regression", "generation"]
SEVERITY_WEIGHT = {"critical": 3.0, "important": 2.0, "nice": 1.0}

REQUIRED_CONCEPTS = (
    "business_objective scale_latency ml_objective io_spec data_sources labels feature_engineering "
    "class_imbalance privacy baseline model_choice loss_function training offline_metrics "
    "online_evaluation serving_architecture scaling monitoring_metrics drift retraining cold_start "
    "bias_fairness feedback_loops explainability abuse_security"
).split()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Field(min_length=1)


class Step(_Strict):
    """One of the seven framework steps."""

    id: StepId
    kind: Literal["step"]
    order: int = Field(ge=1, le=7)
    title: str = NonEmpty
    budget_minutes: float = Field(gt=0, description="Suggested minutes in a 45-minute round.")
    summary: str = NonEmpty
    strong_answer_covers: list[str] = Field(min_length=3)
    common_mistakes: list[str] = Field(min_length=2)
    cues: list[str] = Field(
        min_length=3, description="Statements typical of this step, for classifying text."
    )
    batch_words: list[str] = Field(
        default_factory=list,
        description="Words by which a question asks for predictions made ahead, in batch "
        "('nightly', 'batch'): advice that speaks only of answering live requests does not fit it.",
    )
    live_words: list[str] = Field(
        default_factory=list,
        description="Words of text that speaks of answering live requests ('p99', 'per request').",
    )
    people_words: list[str] = Field(
        default_factory=list,
        description="Words naming people whose data or treatment a system handles ('users', "
        "'patients', 'personal data'): a question and an answer that say none of them are not "
        "asked about people, and advice that speaks of them does not fit.",
    )
    body: str = ""


class Levels(_Strict):
    """What a 0 / 1 / 2 / 3 answer looks like for one component."""

    l0: str = Field(alias="0", min_length=1)
    l1: str = Field(alias="1", min_length=1)
    l2: str = Field(alias="2", min_length=1)
    l3: str = Field(alias="3", min_length=1)


def _fits(written_for: Collection[str], asked: Collection[str]) -> bool:
    """Whether text written for these kinds of system (none: any) reads right for a system of the
    asked kinds (none known: any)."""
    return not written_for or not asked or not set(written_for).isdisjoint(asked)


class FollowUpQuestion(_Strict):
    """A concept's follow-up question, and the kinds of system it is written for (none: any). In a
    note, a plain string is a question for any system."""

    ask: str = NonEmpty
    systems: list[System] = Field(default_factory=list)
    answered_by: list[str] = Field(
        default_factory=list,
        description="Words that, said in the passage a probe quotes, answer the question already "
        "('psi' for 'Which statistic would you use to detect drift?'): the probe asks another.",
    )
    settled_by: list[str] = Field(
        default_factory=list,
        description="Words or phrases that answer the question wherever the answer says them "
        "('ms' for 'What is your latency budget at p99?', 'time split' for 'Why not split the "
        "data randomly?'): asked of a gap or as a probe, the question gives way to the next.",
    )
    presumes: list[str] = Field(
        default_factory=list,
        description="Words or phrases one of which the answer must say for the question's premise "
        "to hold ('metric' for 'Which metrics would you refuse to let degrade while optimising "
        "the main one?'): an answer that says none is not asked it, as a probe or a gap.",
    )
    about: list[str] = Field(
        default_factory=list,
        description="Other concepts the question asks about in words their keywords do not hold "
        "('Could exposing reasons help abusers game the model?': abuse_security): a case that "
        "sets one aside as not applicable is not asked it.",
    )

    def fits(self, systems: Collection[str]) -> bool:
        """Whether the question reads right for a system of these kinds. Of a system of unknown
        kind only a question written for any system is asked: "what does a new user see in their
        first session" is not asked of a question that may be about machines."""
        return _fits(self.systems, systems) if systems else not self.systems


class Challenge(_Strict):
    """A choice an interviewer presses on when an answer makes it: a passage that says `said` (a
    regular expression, read without regard to case) and not `unless` (the same passage showing it
    knows the catch: "split by time"), in an answer graded on a rubric holding every component of
    `needs` (the catch only bites there: a random split where the data drifts), is asked
    `ask`, with the candidate's words quoted, and the reply listened for as `listen_for` says."""

    said: str = NonEmpty
    unless: str | None = None
    needs: list[str] = Field(default_factory=list)
    systems: list[System] = Field(
        default_factory=list,
        description="The kinds of system the catch bites in (none: any); a question read as "
        "another kind is not asked it (a price regressor is not asked about a model that never "
        "flags anything). A question of unknown kind is.",
    )
    ask: str = NonEmpty
    listen_for: list[str] = Field(default_factory=list)

    def fits(self, systems: Collection[str]) -> bool:
        """Whether the catch bites in a system of these kinds (none known: it may)."""
        return _fits(self.systems, systems)

    @field_validator("said", "unless")
    @classmethod
    def _pattern(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        try:
            compiled = re.compile(v, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"{info.field_name} is not a regular expression: {exc}") from None
        if compiled.search(""):
            raise ValueError(f"{info.field_name} matches empty text, so it would match anywhere")
        return v

    def finds(self, passage: str) -> re.Match | None:
        """Where the passage makes this choice without showing it knows the catch, else None (read
        with typographic quotes as straight ones: "won’t" shows the catch as "won't" does)."""
        passage = straightened(passage)  # the same length: offsets hold
        found = re.search(self.said, passage, re.IGNORECASE)
        if found is None or (self.unless and re.search(self.unless, passage, re.IGNORECASE)):
            return None
        return found


class CueNote(_Strict):
    """What a concept's cue is written for: kinds of system (none: any) and, when it is an example
    from one product, that product (a bank case id, or a few words for one outside the bank). In a
    note, a plain string is a cue for any system and no product in particular."""

    says: str = NonEmpty
    systems: list[System] = Field(default_factory=list)
    example_of: str | None = None

    def fits(self, systems: Collection[str], case_id: str | None) -> bool:
        """Whether the cue reads right as advice for a system of these kinds, asked as the bank
        case `case_id` (None: an open question). Of a system of unknown kind, as for follow-up
        questions, only a cue written for any system: "embeddings of the thumbnail" is no advice
        for a question that may be about factory cameras."""
        fits = _fits(self.systems, systems) if systems else not self.systems
        return fits and self.example_of in (None, case_id)


class Concept(_Strict):
    """A rubric component: something a strong answer addresses."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["concept"]
    title: str = NonEmpty
    step: StepId
    severity: Severity
    cross_cutting: bool = False
    keywords: list[str] = Field(min_length=2, description="Lowercase terms that signal the topic.")
    keywords_together: list[list[str]] = Field(
        default_factory=list,
        description="Lists of lowercase words or phrases that name the topic when a sentence says "
        "one of each list, none naming it alone: 'a new station' with 'no history' names cold "
        "start.",
    )
    raised_by: list[str] = Field(
        default_factory=list,
        description="Lowercase words of a typed question that make this concept critical for it: "
        "its own names, and subjects that raise its stakes (`grader.scoring.stakes`).",
    )
    about_people: bool = Field(
        default=False,
        description="Whether the concept is about people's data (privacy): a typed question "
        "whose words and answer name no people is not asked or advised about it as a gap.",
    )
    named_choice: bool = Field(
        default=False,
        description="Whether each of its techniques (keywords not made of its title's words) is "
        "one choice among others, so a sentence naming one or two of them makes that choice "
        "('Train with binary cross-entropy'), as a labelled line does ('Loss: MSE').",
    )
    why_it_matters: str = NonEmpty
    cues: list[str] = Field(min_length=4, description="Concrete statements a strong answer makes.")
    common_mistakes: list[str] = Field(min_length=2)
    levels: Levels
    follow_ups: list[FollowUpQuestion] = Field(min_length=3)
    challenges: list[Challenge] = Field(
        default_factory=list,
        description="Choices an interviewer presses on when an answer makes them.",
    )
    body: str = ""
    cue_notes: list[CueNote] = Field(
        default_factory=list, description="Read from `cues`: what each cue is written for."
    )

    @model_validator(mode="before")
    @classmethod
    def _read_cue_notes(cls, data):
        """`cues` holds the cues' texts (what is embedded and scored); `cue_notes` what each is
        written for, from the note's `{says, systems, example_of}` entries."""
        if isinstance(data, dict) and isinstance(data.get("cues"), list):
            notes = [{"says": c} if isinstance(c, str) else c for c in data["cues"]]
            texts = [n.get("says") if isinstance(n, dict) else n for n in notes]
            data = {**data, "cues": texts, "cue_notes": notes}
        return data

    @field_validator("follow_ups", mode="before")
    @classmethod
    def _plain_questions(cls, v):
        return [{"ask": q} if isinstance(q, str) else q for q in v] if isinstance(v, list) else v

    def questions(self, systems: Collection[str] | None = None) -> list[str]:
        """The follow-up questions that fit a system of these kinds (unknown kinds, `()`: those
        written for any system), in the note's order; every question when `systems` is None."""
        return [q.ask for q in self.follow_ups if systems is None or q.fits(systems)]

    def answered_by(self, question: str) -> list[str]:
        """The words that answer one of its follow-up questions already (`answered_by`)."""
        return next((q.answered_by for q in self.follow_ups if q.ask == question), [])

    def presumes(self, question: str) -> list[str]:
        """The words one of which an answer says when one of its follow-up questions' premise
        holds (`presumes`)."""
        return next((q.presumes for q in self.follow_ups if q.ask == question), [])

    def settled_by(self, question: str) -> list[str]:
        """The words that answer one of its follow-up questions wherever said (`settled_by`)."""
        return next((q.settled_by for q in self.follow_ups if q.ask == question), [])

    @field_validator("keywords", "raised_by")
    @classmethod
    def _lowercase(cls, v: list[str], info: ValidationInfo) -> list[str]:
        bad = [
            k for k in v if k != k.lower() or not plain_words(k)
        ]  # no words: it would match everywhere
        if bad:
            raise ValueError(f"{info.field_name} must be lowercase, with a letter or digit: {bad}")
        return v


class CaseComponent(_Strict):
    """How one rubric component applies to a case."""

    id: str
    severity: Severity
    weight: float | None = Field(default=None, gt=0, le=5)
    cues: list[str] = Field(
        default_factory=list, description="Case-specific strong-answer statements."
    )
    pitfalls: list[str] = Field(default_factory=list)

    @property
    def effective_weight(self) -> float:
        return self.weight if self.weight is not None else SEVERITY_WEIGHT[self.severity]


class Requirements(_Strict):
    functional: list[str] = Field(min_length=2)
    non_functional: list[str] = Field(min_length=2)


class OutlineStep(_Strict):
    step: StepId
    points: list[str] = Field(min_length=1)


class Case(_Strict):
    """A case study: an interview question with its case-specific rubric."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["case"]
    title: str = NonEmpty
    aliases: list[str] = Field(default_factory=list)
    prompt: str = NonEmpty
    clarifying_questions: list[str] = Field(min_length=3)
    requirements: Requirements
    components: list[CaseComponent] = Field(min_length=12)
    not_applicable: dict[str, str] = Field(
        default_factory=dict, description="Component id -> why it is not expected in this case."
    )
    reference_outline: list[OutlineStep] = Field(min_length=7)
    follow_ups: list[str] = Field(min_length=3)
    systems: list[System] = Field(
        default_factory=list,
        description="The kinds of system the question asks for; none: any (a concept's follow-up "
        "questions are then all in play).",
    )
    body: str = ""

    @model_validator(mode="after")
    def _unique(self) -> "Case":
        problems = _listing_problems([c.id for c in self.components], list(self.not_applicable))
        if problems:
            raise ValueError(problems[0])
        return self


def _listing_problems(ids: list[str], not_applicable: list[str]) -> list[str]:
    """What is wrong with how a case lists its components: one listed twice, one both expected and
    not applicable."""
    problems = []
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append(f"components listed twice: {', '.join(dup)}")
    both = sorted(set(ids) & set(not_applicable))
    if both:
        problems.append(f"components both expected and not_applicable: {', '.join(both)}")
    return problems


class _Listing(_Strict):
    """A note that is a list of texts the grader reads beside the rubric, and what it is for."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = NonEmpty
    purpose: str = NonEmpty
    body: str = ""


class Background(_Listing):
    """Prose that is not design content, the contrast that tells it from an answer: everyday
    sentences (padding, an anecdote) or, read as `claims`, passages that name a part of a system
    or praise it without saying how anything is done ("we take privacy extremely seriously"), or,
    read as `definitions`, passages that say what a topic is or why it matters in general ("Data
    drift: a change over time in the inputs a model receives"), or, read as `questions`, questions
    that are not ML system design (software design without a model, coding, theory, interviews'
    behavioural questions, everyday life): the contrast for a question typed as text."""

    kind: Literal["background"]
    reads_as: Literal["everyday", "claims", "definitions", "questions"] = "everyday"
    sentences: list[str] = Field(min_length=20)


class Passage(_Strict):
    """One passage of a development answer that a reader marked as evidence for a component."""

    says: str = NonEmpty
    answer: str = Field(description="The development answer it comes from.")
    question: str = Field(description="That answer's question (the id evaluation withholds by).")
    status: Literal["covered", "partial"]


class References(_Listing):
    """How answers other writers wrote put one component (`id`, a concept): the passages readers
    marked for it (`evals/references.py` writes them from the development set's labels)."""

    kind: Literal["reference"]
    passages: list[Passage] = Field(min_length=1)


class SystemKind(_Strict):
    """A kind of ML system (`System`), told by the questions that ask for one: what a question typed
    as text asks for when its words say it ("which tickets will escalate" is a classifier, though
    the bank case nearest to it predicts delivery times)."""

    id: System
    kind: Literal["system"]
    title: str = NonEmpty
    describes: str = NonEmpty
    questions: list[str] = Field(
        min_length=8, description="Design questions that ask for a system of this kind."
    )
    words: list[str] = Field(
        default_factory=list,
        description="Words that, in a question, name this kind of system ('churn', 'forecast'): "
        "they decide between kinds the question's wording reads about equally near.",
    )
    body: str = ""


class KnowledgeBase(BaseModel):
    """The whole validated knowledge base."""

    model_config = ConfigDict(frozen=True)

    root: Path
    steps: dict[str, Step]
    concepts: dict[str, Concept]
    cases: dict[str, Case]
    digest: str
    background: dict[str, Background] = Field(default_factory=dict)
    system_kinds: dict[str, SystemKind] = Field(default_factory=dict)
    references: dict[str, References] = Field(
        default_factory=dict, description="Reference passages, by the component they are for."
    )
    paths: dict[str, Path] = Field(default_factory=dict, description='"kind:id" -> its file.')
    user_notes: list[str] = Field(default_factory=list, description="The user's own notes in use.")
    skipped: list[str] = Field(
        default_factory=list,
        description="The user's own notes that could not be read, each with why (one line each).",
    )

    def is_user(self, kind: str, note_id: str) -> bool:
        """Whether a note comes from the user's own folder."""
        return f"user/{note_path(kind, note_id)}" in self.user_notes

    def path_of(self, kind: str, note_id: str) -> Path:
        """The file a note was read from (a user's note lives outside the bundled folder)."""
        return self.paths.get(f"{kind}:{note_id}", self.root / note_path(kind, note_id))

    def notes(self, kind: str) -> dict:
        """The notes of one kind ("step", "concept" or "case") by id."""
        return {
            "step": self.steps,
            "concept": self.concepts,
            "case": self.cases,
            "background": self.background,
            "system": self.system_kinds,
            "reference": self.references,
        }[kind]

    def readable(self, note_id: str) -> tuple[str, str] | None:
        """(kind, id) of the case, concept or step a reader asks for: by its id ("drift") or by a
        report's reading doc id ("concept:drift", "case:fraud_detection:note"); None when there
        is none."""
        kinds: tuple[str, ...] = ("case", "concept", "step")
        given, _, rest = note_id.partition(":")
        if rest and given in kinds:
            kinds, note_id = (given,), rest.split(":", 1)[0]
        return next(((k, note_id) for k in kinds if note_id in self.notes(k)), None)

    def systems_of(self, case_ids: Iterable[str]) -> frozenset[str]:
        """The kinds of system these bank cases are (unknown ids are skipped)."""
        return frozenset(
            s for cid in case_ids if cid in self.cases for s in self.cases[cid].systems
        )

    def unread(self, note_id: str) -> str | None:
        """Why one's own note of this id could not be read (its line in `skipped`), if it could
        not."""
        key = note_id.lower().replace("-", "_")
        return next((s for s in self.skipped if f"/{key}.md:" in s), None)

    def case_components(self, case: Case | None) -> list[CaseComponent]:
        """Expected components for a case, or the general framework rubric when case is None,
        by step in the framework's order: a case's in the order it lists them within a step (a
        user's case listing fairness among the data components had its report show the evaluation
        step twice), the framework's the most severe first within a step."""
        if case is not None:
            return self.by_step(case.components)
        severe = sorted(self.concepts.values(), key=lambda c: -SEVERITY_WEIGHT[c.severity])
        return self.by_step(CaseComponent(id=c.id, severity=c.severity) for c in severe)

    def by_step(self, components: Iterable[CaseComponent]) -> list[CaseComponent]:
        """`components` sorted by their concepts' steps in the framework's order, keeping their
        order within a step."""
        step = {s: i for i, s in enumerate(self.steps)}
        return sorted(components, key=lambda c: step.get(self.concepts[c.id].step, len(step)))

    def step_words(self) -> dict[str, frozenset[str]]:
        """Per step, the words that name it (a speaker's signpost, a section heading): its id and
        the words of four letters or more of its title, not stopwords, in the singular ("the
        requirement", "Data and labels"); a word two steps' titles share names neither."""
        words = {
            step.id: {
                w.removesuffix("s")
                for w in {step.id, *re.findall(r"[a-z]+", step.title.lower())}
                if len(w) >= 4 and w not in STOPWORDS
            }
            for step in self.steps.values()
        }
        shared = {w for a in words for b in words if a != b for w in words[a] & words[b]}
        return {step: frozenset(w - shared) for step, w in words.items()}


# Each kind of note, its model and its folder under the knowledge-base root.
_MODELS = {
    "step": (Step, "framework"),
    "concept": (Concept, "concepts"),
    "case": (Case, "cases"),
    "background": (Background, "background"),
    "system": (SystemKind, "systems"),
    "reference": (References, "references"),
}
FOLDERS = {kind: folder for kind, (_, folder) in _MODELS.items()}


def front_and_prose(text: str) -> tuple[str, str]:
    """A note file's YAML front matter and its prose, as written ("" for a part it lacks)."""
    import frontmatter

    yaml = frontmatter.YAMLHandler()
    return tuple(yaml.split(text)) if yaml.detect(text) else ("", text)


def note_path(kind: str, note_id: str) -> str:
    """A note's path inside the knowledge base ("concepts/drift.md")."""
    return f"{FOLDERS[kind]}/{note_id}.md"


def load_note(path: Path, kind: str, parsed: "ParsedNotes | None" = None):
    """Parse and validate one markdown note; raise KnowledgeBaseError naming the file and field.
    `parsed` holds notes parsed before, by their bytes: a note found there is not parsed again."""
    model, _ = _MODELS[kind]
    data = path.read_bytes()
    fields = parsed.get(data) if parsed is not None else None
    if fields is None:
        fields = _fields(path, data)
        if parsed is not None:
            parsed.put(data, fields)
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        where, msg = validation_parts(exc, "")
        field = f"field '{where}': " if where else ""  # a rule across fields names none
        raise KnowledgeBaseError(f"{path}: {field}{msg}", _problems(path, exc, fields)) from None


def _problems(path: Path, exc: ValidationError, fields: dict) -> list[str]:
    """Every problem of a note, one line each: "PATH: field 'where': message", a case's component
    named by its id ("field 'components.18.severity' (abuse_security): ...")."""
    comps = fields.get("components") if isinstance(fields.get("components"), list) else []
    out = []
    for (where, msg), e in zip(validation_problems(exc, ""), exc.errors()):
        loc, named = e["loc"], ""
        if len(loc) > 1 and loc[0] == "components" and isinstance(loc[1], int):
            comp = comps[loc[1]] if loc[1] < len(comps) else None
            cid = comp.get("id") if isinstance(comp, dict) else None
            named = f" ({cid})" if isinstance(cid, str) and cid else ""
        out.append(f"{path}: {f'field {where!r}{named}: ' if where else ''}{msg}")
    return out


def _yaml_problem(exc) -> str:
    """A YAML error as one line with its place in the file ("line 12, column 5: found ... while
    parsing a flow node"): python-frontmatter hands YAML the text from the end of the opening "---",
    so its 0-based line is the file's 1-based one."""
    mark, opened = exc.problem_mark or exc.context_mark, exc.context_mark
    problem = " ".join(x for x in (exc.problem, exc.context) if x) or "not valid YAML"
    if opened is not None and mark is not None and opened.line != mark.line:
        problem += f" (opened on line {opened.line + 1})"
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


def _fields(path: Path, data: bytes) -> dict:
    """A note's front matter and body, as its model reads them."""
    import frontmatter  # only when a note is parsed: most loads find every note in ParsedNotes
    import yaml

    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
        post = frontmatter.loads(text, handler=_unique_keys_handler())
    except yaml.MarkedYAMLError as exc:  # where the YAML broke: its line in the file
        raise KnowledgeBaseError(
            f"{path}: cannot parse front matter: {_yaml_problem(exc)}"
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KnowledgeBaseError(f"{path}: cannot parse front matter: {reason}") from None
    fields = dict(post.metadata)
    if "levels" in fields and isinstance(fields["levels"], dict):
        fields["levels"] = {str(k): v for k, v in fields["levels"].items()}
    fields["body"] = post.content.strip()
    return fields


@lru_cache(maxsize=1)
def _unique_keys_handler():
    """python-frontmatter's YAML handler with a loader that refuses a key given twice in one
    mapping: YAML keeps the last one, so a second `severity:` under a component silently won."""
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    class UniqueKeys(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:  # a list as a key: PyYAML's own check names it
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"the key '{key}' is given twice (the second would silently win)",
                        key_node.start_mark,
                    )
                seen.add(key)
            return super().construct_mapping(node, deep)

    class Handler(YAMLHandler):
        def load(self, fm, **kwargs):
            return yaml.load(fm, Loader=UniqueKeys)  # noqa: S506 - a SafeLoader

    return Handler()


PARSED_FORMAT = 2  # raise when `_fields` reads a note differently (2: a key given twice refused)


class ParsedNotes:
    """Notes parsed before, as JSON, by the SHA-256 of their bytes (`cache_dir/notes.json`).
    Parsing the notes' YAML is nearly all of loading the knowledge base (0.15 s of a cold grade on
    a 2-core machine); reading them back from JSON takes a hundredth of that. A note whose fields
    do not come back from JSON exactly as parsed is never kept; the file names the parser's
    versions, so another PyYAML reads every note again. A file that cannot be read or written is
    no error: the notes are parsed."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.parser = (
                f"{PARSED_FORMAT}|pyyaml {metadata.version('pyyaml')}|"
                f"python-frontmatter {metadata.version('python-frontmatter')}"
            )
        except metadata.PackageNotFoundError:  # parsers of unknown version: nothing is kept
            self.parser = ""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            known = saved["notes"] if self.parser and saved.get("parser") == self.parser else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            known = {}
        self._known: dict = known if isinstance(known, dict) else {}
        self._used: dict[str, dict] = {}
        self._added = False

    def get(self, data: bytes) -> dict | None:
        key = hashlib.sha256(data).hexdigest()
        fields = self._known.get(key)
        if not isinstance(fields, dict):
            return None
        self._used[key] = fields
        return fields

    def put(self, data: bytes, fields: dict) -> None:
        try:
            same = json.loads(json.dumps(fields)) == fields
        except (TypeError, ValueError):  # a date, a set: not JSON
            same = False
        if same:
            self._used[hashlib.sha256(data).hexdigest()] = fields
            self._added = True

    def save(self) -> None:
        """Write the notes used by this load (and only those) when any was parsed anew."""
        if not self._added or not self.parser:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".notes-", suffix=".json")
        except OSError:  # a read-only folder: the notes are parsed next time too
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"parser": self.parser, "notes": self._used}, f)
            os.replace(tmp, self.path)  # atomic: a reader sees the old file or the new one
        except OSError:
            Path(tmp).unlink(missing_ok=True)


def _check_links(kb_root: Path, steps: dict, concepts: dict, cases: dict, paths: dict) -> None:
    missing_steps = sorted(set(STEP_IDS) - set(steps))
    if missing_steps:
        raise KnowledgeBaseError(f"{kb_root / 'framework'}: missing steps {missing_steps}")
    missing = sorted(set(REQUIRED_CONCEPTS) - set(concepts))
    if missing:
        raise KnowledgeBaseError(f"{kb_root / 'concepts'}: missing required concepts {missing}")
    for case in cases.values():
        check_case(
            case, concepts, paths.get(f"case:{case.id}", kb_root / note_path("case", case.id))
        )
    for concept in concepts.values():
        path = paths.get(f"concept:{concept.id}", kb_root / note_path("concept", concept.id))
        for name in (n for c in concept.challenges for n in c.needs if n not in concepts):
            raise KnowledgeBaseError(f"{path}: field 'challenges': {_unknown(name, concepts)}")
        for name in (n for q in concept.follow_ups for n in q.about if n not in concepts):
            raise KnowledgeBaseError(f"{path}: field 'follow_ups': {_unknown(name, concepts)}")
    for key, path in paths.items():
        kind, _, note_id = key.partition(":")
        if kind == "reference" and note_id not in concepts:
            raise KnowledgeBaseError(f"{path}: references for '{note_id}', which is no concept")


def _unknown(name: str, concepts: Collection[str]) -> str:
    """An id that names no concept, said with the concept ids it may be a slip for."""
    near = difflib.get_close_matches(name, sorted(concepts), n=3, cutoff=0.6)
    return f"unknown concept id '{name}'" + (f"; did you mean {', '.join(near)}?" if near else "")


def check_case(case: Case, concepts: dict, path: Path) -> None:
    """A case's links: every component a known concept, every framework step covered."""
    problems = _link_problems([c.id for c in case.components], list(case.not_applicable), concepts)
    if problems:
        raise KnowledgeBaseError(f"{path}: {problems[0]}")


def _link_problems(ids: list[str], not_applicable: list[str], concepts: dict) -> list[str]:
    """What is wrong with a case's links: a component that is no known concept, a framework step
    with no component."""
    problems = [
        f"field 'components': {_unknown(name, concepts)}"
        for name in dict.fromkeys(ids + not_applicable)
        if name not in concepts
    ]
    uncovered = sorted(set(STEP_IDS) - {concepts[i].step for i in ids if i in concepts})
    if uncovered:
        problems.append(f"field 'components': no component for steps {uncovered}")
    return problems


def case_problems(path: Path, concepts: dict) -> list[str]:
    """Every problem of a case file at once, one line each (`mlsd case check`): its fields' (each
    component named by its id), how it lists its components and its links, which validating the
    fields alone reports only once they are right. A file whose YAML cannot be read raises that
    one problem."""
    fields = _fields(path, path.read_bytes())
    try:
        Case.model_validate(fields)
        problems = []
    except ValidationError as exc:
        problems = _problems(path, exc, fields)
    comps = fields.get("components") if isinstance(fields.get("components"), list) else []
    ids = [c["id"] for c in comps if isinstance(c, dict) and isinstance(c.get("id"), str)]
    skipped = fields.get("not_applicable")
    skipped = list(skipped) if isinstance(skipped, dict) else []
    more = _listing_problems(ids, skipped) + _link_problems(ids, skipped, concepts)
    return problems + [p for p in (f"{path}: {m}" for m in more) if p not in problems]


USER_KINDS = ("case", "concept")  # what a user overlay may add or override
EDIT_ME = "(edit me)"  # what `mlsd case new` marks as still to be written in a case's template


def load_kb(root: Path | None = None, user: Path | None = None) -> KnowledgeBase:
    """Load and validate every note under the knowledge-base root, then the user's own cases and
    concepts (`user`, default `MLSD_USER_KB`), which add to the bundled notes or replace those with
    the same id. The digest covers both, so the index picks user notes up incrementally. A user's
    note that cannot be read is skipped and named in `skipped` (`mlsd case check` names its
    error too): a slip in one's own case does not stop grading every other question. A bundled note
    that cannot be read is an error."""
    root = Path(root) if root is not None else settings().kb_dir
    if not root.is_dir():
        raise KnowledgeBaseError(f"{root}: knowledge base folder not found")
    user = Path(user) if user is not None else settings().user_kb
    found: dict[str, dict] = {kind: {} for kind in _MODELS}
    paths: dict[str, Path] = {}
    user_notes: list[str] = []
    skipped: list[str] = []
    bundled: dict[str, tuple] = {}  # "kind:id" -> the bundled note and its file
    sources: dict[str, Path] = {}  # every note in use, by its path relative to its layer
    parsed = ParsedNotes(settings().cache_dir / "notes.json")
    for base, prefix, kind, path in _note_files(root, user):
        try:
            note = load_note(path, kind, parsed)
            if note.id != path.stem:
                raise KnowledgeBaseError(
                    f"{path}: field 'id': '{note.id}' does not match the file name"
                )
        except KnowledgeBaseError as exc:
            if not prefix:
                raise
            skipped.append(str(exc))
            continue
        if not prefix:
            bundled[f"{kind}:{note.id}"] = (note, path)
        found[kind][note.id] = note
        paths[f"{kind}:{note.id}"] = path
        rel = prefix + path.relative_to(base).as_posix()
        if prefix:
            user_notes.append(rel)
        sources[rel] = path
    for rel in [r for r in user_notes if r.startswith(f"user/{FOLDERS['case']}/")]:
        case_id = Path(rel).stem
        key = f"case:{case_id}"
        try:  # a user's case with a broken link is skipped; the bundled one it replaced stays
            check_case(found["case"][case_id], found["concept"], paths[key])
        except KnowledgeBaseError as exc:
            skipped.append(str(exc))
            user_notes.remove(rel)
            del sources[rel]
            if key in bundled:
                found["case"][case_id], paths[key] = bundled[key]
            else:
                del found["case"][case_id], paths[key]
    parsed.save()
    digest = hashlib.sha256()
    for rel, path in sources.items():  # in load order: a skipped note leaves the index as it was
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    steps = dict(sorted(found["step"].items(), key=lambda kv: kv[1].order))
    _check_links(root, steps, found["concept"], found["case"], paths)
    return KnowledgeBase(
        root=root,
        steps=steps,
        concepts=found["concept"],
        cases=found["case"],
        digest=digest.hexdigest(),
        background=found["background"],
        system_kinds=found["system"],
        references=found["reference"],
        paths=paths,
        user_notes=user_notes,
        skipped=skipped,
    )


def _note_files(root: Path, user: Path):
    """(layer folder, its prefix, kind, path) of every note file `load_kb` reads: the bundled
    notes of every kind, then the user's own cases and concepts ("user/")."""
    layers = [(root, "", tuple(_MODELS))]
    if user.is_dir():
        layers.append((user, "user/", USER_KINDS))
    for base, prefix, kinds in layers:
        for kind in kinds:
            for path in sorted((base / FOLDERS[kind]).glob("*.md")):
                yield base, prefix, kind, path


def notes_stamp(root: Path | None = None, user: Path | None = None) -> tuple:
    """What `load_kb` would read (`_note_files`), as each note file's path, size and modification
    time: equal stamps, the same notes, without reading or validating any (a long-running server
    looks at it every few seconds; a full load takes about 16 ms)."""
    root = Path(root) if root is not None else settings().kb_dir
    user = Path(user) if user is not None else settings().user_kb
    stamp = []
    for _, _, _, path in _note_files(root, user):
        try:
            info = path.stat()
        except OSError:
            continue
        stamp.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(stamp)


@lru_cache(maxsize=4)
def cached_kb(root: str | None = None) -> KnowledgeBase:
    """Load the knowledge base once per process and root."""
    return load_kb(Path(root) if root else None)


def _main(argv: list[str]) -> int:
    """`python -m grader.knowledge.notes [FILE ...]`: validate notes (kind from their folder), or the whole base."""
    import sys

    kinds = {folder: kind for kind, folder in FOLDERS.items()}
    try:
        if not argv:
            kb = load_kb()
            print(
                f"ok: {quantity(len(kb.steps), 'step')}, {quantity(len(kb.concepts), 'concept')}, "
                f"{quantity(len(kb.cases), 'case')}"
            )
            return 0
        for name in argv:
            path = Path(name)
            load_note(path, kinds[path.parent.name])
            print(f"ok: {path}")
    except KnowledgeBaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
