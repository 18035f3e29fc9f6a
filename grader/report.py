"""The report contract shared by the library, the CLI, the app and the evals."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.text import as_read

SCHEMA_VERSION = 12  # 3: follow-ups carry kind, quote and listen_for; `ignored` passages
# 4: a missing component names where its topic is only mentioned (`mention`)
# 5: a quote says whether it is an excerpt cut from a longer sentence (`excerpt`)
# 6: the source carries the text the evidence offsets index when it is not the text sent
# (`source.text`: a file's or a transcript's text as read)
# 7: a follow-up may challenge a choice the answer makes (`kind` "challenge")
# 8: a passage may be set aside as a claim that says how nothing is done (`ignored` reason
# "claims"), and code read as bare terms is listed as such (reason "code")
# 9: a typed question says whether it or its answer names people (`question.people`), and whether
# it is read as scoring in batch (`question.batch`)
# 10: the question says how far the answer reads as answering it (`question.relevance`)
# 11: a passage may be set aside as saying what a topic is or why it matters, not what the design
# does (`ignored` reason "definitions"), or as copied from the grader's own advice ("copied")
# 12: a reviewer's comment exported with a document is set aside (`ignored` reason "comments")
Status = Literal["covered", "partial", "missing"]
OFF_TOPIC = 0.5  # an answer whose scores were scaled by less reads as answering another question
# a severity as people read it ("nice" alone reads as praise)
SEVERITY_LABEL: dict[str, str] = {
    "critical": "critical",
    "important": "important",
    "nice": "nice to have",
}
# said of a covered or partial component that no passage is quoted for: every passage near it reads
# more like another component (which may quote it, or not: a list of buzzwords quotes nothing)
NOTHING_QUOTED = (
    "credited from passages that read close to it but even more like other components, so none "
    "is quoted here"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """An exact substring of the answer: answer[start:end] == quote. Offsets count Unicode code
    points, as Python indexes a string (JavaScript's indexes count UTF-16 units: an emoji is one
    code point and two units there), into the answer as graded: the text sent, or for a file, the
    text read from it (a transcript's words, a web page's text), given as `source.text`."""

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    similarity: float = Field(
        description="Similarity to the closest strong-answer cue: embedding cosine, blended "
        "with word overlap when the calibration sets lexical_blend."
    )
    excerpt: bool = Field(
        False,
        description="A piece cut from a longer passage (a word window of run-on speech or a long "
        "sentence, or a transcript's quote cut at a speaker label): it may start or end inside a "
        "sentence, and is shown with '…' at its ends.",
    )

    @property
    def shown(self) -> str:
        """The quote as a reader sees it: its Markdown rendered (`as_read`), an excerpt marked as
        one at both ends."""
        quote = as_read(self.quote)
        return f"…{quote.strip()}…" if self.excerpt else quote


class ComponentResult(_Model):
    id: str
    title: str
    step: str
    severity: Literal["critical", "important", "nice"]
    weight: float
    status: Status
    score: int = Field(ge=0, le=100)
    level: int = Field(
        ge=0,
        le=3,
        description="The status on the knowledge base's 0-3 levels: 3 covered, 2 partial, 1 "
        "named without being explained (see `mention`), 0 absent. Without an LLM it follows the "
        "status and is not matched against the level descriptors' text; an LLM judge may set it.",
    )
    cues_matched: int = Field(
        ge=0,
        description="Cues some unit comes near (the calibration's cue_match): what breadth "
        "counts, not points a reader would call made.",
    )
    cues_total: int = Field(ge=0)
    evidence: list[Evidence]
    mention: Evidence | None = Field(
        default=None,
        description="Where the answer names this component's topic without explaining it (a "
        "missing component at level 1). Never credit: shown so the candidate sees what did not "
        "count.",
    )
    said_words: int | None = Field(
        default=None,
        ge=0,
        description="Words of the answer's distinct sentences, bullets and rows that read most "
        "like this component, say more than topic names and come near its cues (evidence_min): "
        "how much the answer says about it. Part of its step's score while it is covered or "
        "partial. None in reports saved before components had one (their steps take no "
        "discount).",
    )
    feedback: str
    judged_by: Literal["rules", "llm"] = "rules"
    deterministic_score: int | None = Field(
        default=None,
        description="The rules-based score, when an LLM judgement adjusted `score` (within a bound).",
    )

    @property
    def unsaid(self) -> bool:
        """Whether the answer says nothing of its own about it: missing, or credited with no
        passage quoted and no word said (`NOTHING_QUOTED`, `said_words` 0), every passage near it
        reading more like another component. A report saved before `said_words` reads as said."""
        return self.status == "missing" or (not self.evidence and self.said_words == 0)


class StepResult(_Model):
    id: str
    title: str
    score: int = Field(
        ge=0,
        le=100,
        description="The weighted share of the step's components covered (partial counts half), "
        "each present one's credit discounted (at most by the calibration's "
        "component_depth_share) when its own passages say little about it, and the step's "
        "(at most by step_depth_share) when the answer says little about the present ones "
        "(their `said_words`; `grading.step_score`).",
    )
    components: list[str]
    coverage: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="The weighted share of the step's components covered, before the discount "
        "(None in reports saved before steps had one).",
    )
    said_words: int | None = Field(
        default=None,
        ge=0,
        description="Words about the step's covered and partial components: the sum of their "
        "`said_words` (None in reports saved before steps had one).",
    )


class RaisedConcern(_Model):
    """A component a typed question weighs as critical, and the question's words that do so."""

    id: str
    said: str = Field(description="The words of the question that raise it, in plain words.")


class QuestionMatch(_Model):
    id: str | None = Field(
        description="Case id, or None when graded against the general framework."
    )
    title: str
    matched_by: Literal["id", "title", "retrieval", "framework"]
    similarity: float | None = None
    prompt: str | None = None
    asked: str | None = Field(default=None, description="The question as the user typed it.")
    informed_by: list[str] = Field(
        default_factory=list,
        description="For a free-text question: the bank cases nearest to it. Graded with the "
        "nearest one's rubric (matched_by 'retrieval'), they shaped it; with the framework's "
        "('framework'), those of the kind it asks for are only suggested as reading.",
    )
    systems: list[str] | None = Field(
        default=None,
        description="The kinds of system the question asks for (classification, regression, "
        "recommendation, search, generation): read from a question typed as text when it says, "
        "else its bank case's; empty when unknown. None in a report saved before this was kept.",
    )
    own: bool = Field(
        default=False,
        description="Whether the case is one of the user's own (MLSD_USER_KB), not a bundled one.",
    )
    raised: list[RaisedConcern] = Field(
        default_factory=list,
        description="Components a question typed as text weighs as critical because of what it "
        "says (a concern it names, or a subject such as hiring or health that raises one).",
    )
    people: bool | None = Field(
        default=None,
        description="For a question typed as text: whether it or its answer names people whose "
        "data or treatment the system handles (users, customers, patients, personal data). When "
        "neither does, nothing is asked or advised about them, and privacy is not among the gaps "
        "put first. None for a bank case asked by name, or a report saved before this was kept.",
    )
    batch: bool | None = Field(
        default=None,
        description="For a question typed as text: whether the system is read as scoring in "
        "batch, as the question says ('scored nightly') or, when it says nothing of when, as its "
        "answer decides (it says so and says nothing of live requests); then nothing that speaks "
        "only of live requests is asked or advised. None for a bank case asked by name, or a "
        "report saved before this was kept.",
    )
    relevance: float | None = Field(
        default=None,
        description="How far the answer reads as an answer to this question, 0-1: every "
        "component's score was scaled by it. Under 0.5 the answer is off topic: the improvements "
        "start with answering the question asked, and the follow-ups ask about the question, "
        "never quoting the answer. None in a report saved before this was kept.",
    )

    @property
    def off_topic(self) -> bool:
        """Whether the answer reads as an answer to another question (`relevance` under
        OFF_TOPIC)."""
        return self.relevance is not None and self.relevance < OFF_TOPIC

    @property
    def by_name(self) -> bool:
        """Whether a bank case was asked for by id, title or alias, not only found near the
        question typed (retrieval): only then are that case's own examples, pitfalls and outline
        the question's."""
        return self.id is not None and self.matched_by in ("id", "title")

    @property
    def shown(self) -> str:
        """The question as people read it: a bank case named by id or title is its title; a
        question typed as text is as typed."""
        return self.title if self.by_name else (self.asked or self.title)


class FollowUp(_Model):
    question: str = Field(
        description="The question to ask, as said; a bank probe starts with the quoted words."
    )
    component_id: str
    why: str
    origin: Literal["bank", "llm"] = "bank"
    kind: Literal["gap", "probe", "challenge"] = Field(
        default="gap",
        description="gap: asks for what the answer left out; probe: presses on what the candidate "
        "said (`quote`); challenge: questions a choice the candidate made (`quote`) that "
        "interviewers press on, such as a random split of data that changes over time.",
    )
    quote: str | None = Field(
        default=None,
        description="The candidate's words the question builds on, copied from the answer; '…' "
        "marks where a longer passage was cut (without it, the quote is a substring of the answer).",
    )
    listen_for: list[str] = Field(
        default_factory=list,
        description="What a strong reply covers: the component's level-3 descriptor, then "
        "strong-answer points the answer has not made yet.",
    )


class IgnoredPassage(_Model):
    """A passage of the answer that was read but never counted as evidence, and why:
    `buzzwords` (a list of concepts, or a sentence that only names them), `code` (lines of a
    fenced code or configuration block read as bare terms: "num_leaves: 127"), `claims` (a passage
    that names, promises or praises a part of the design without saying how: "we take privacy
    extremely seriously"), `definitions` (a passage that says what a topic is or why it matters
    in general, not what this design does: "Data drift: a change over time in the inputs a model
    receives"), `unrelated` (everyday prose, closer to it than to any rubric point),
    `steering` (an attempt to steer the grader) or
    `to_do` (a note of what is still to be written: "TODO: add monitoring") or `hidden` (what a
    reader of the rendered answer does not see: an HTML comment, a link's title) or `interviewer`
    (a line of a written answer giving the interviewer's words, or their question as the
    candidate tells it: "he asked how I'd monitor drift") or `copied` (a sentence copied word for
    word from the grader's own advice: a report's feedback, suggestions or a case's model outline)
    or `comments` (a reviewer's comment exported with a document: "[a] P. Okafor: can we ...").
    answer[start:end] == quote."""

    quote: str
    start: int
    end: int
    reason: Literal[
        "buzzwords",
        "code",
        "claims",
        "definitions",
        "unrelated",
        "steering",
        "to_do",
        "hidden",
        "interviewer",
        "copied",
        "comments",
    ]


class Reading(_Model):
    doc_id: str = Field(
        description="The note's id in the index ('concept:drift', 'case:fraud_detection:note'): "
        "the API's GET /v1/notes/{doc_id} reads it, as `mlsd show` does its last part ('drift')."
    )
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
    knowledge_base: str = Field(default="", description="Digest of the knowledge base that graded.")
    user_notes: list[str] = Field(
        default_factory=list,
        description="The user's own cases and concepts in that knowledge base.",
    )


class LLMInfo(_Model):
    """What the LLM layer did: never the key, only the provider, model, usage and cost."""

    provider: Literal["openai", "openai-compatible"]
    model: str
    base_url: str | None = None
    samples: int = 1
    overall_samples: list[int] = Field(
        default_factory=list, description="Overall score of each sample; the report is the median."
    )
    overall_spread: int = 0
    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_seconds: float = 0.0
    estimated_cost_usd: float | None = Field(
        default=None, description="None when the model's price is unknown (local servers)."
    )
    fell_back: bool = False


class SourceInfo(_Model):
    """Where the answer came from: typed text, a transcript file or audio."""

    kind: Literal["text", "transcript", "audio"]
    format: str = Field(
        description="md, txt, srt, vtt, whisper-json, openai-json, speaker-text, wav, mp3, ..."
    )
    name: str | None = None
    duration_seconds: float | None = None
    speakers: list[str] = Field(default_factory=list)
    candidate_turns: int | None = None
    candidate: str | None = Field(
        default=None, description="The speaker graded as the candidate, when speakers are labelled."
    )
    interviewer_context: list[str] = Field(
        default_factory=list, description="The interviewer's turns, kept as context, not graded."
    )
    transcription_model: str | None = None
    text: str | None = Field(
        default=None,
        description="The text the evidence offsets index, when it is not the answer as sent: a "
        "file's text as read (a web page's or document's words, a transcript's turns), or text "
        "sent as a transcript or page and read as one. None when the answer was graded as sent.",
    )


class PacingStep(_Model):
    step: str
    title: str
    minutes: float
    budget_minutes: float
    share: float = Field(description="Fraction of the candidate's speaking time.")


class Pacing(_Model):
    """How the candidate used their time; only for inputs with timestamps."""

    total_minutes: float
    steps: list[PacingStep]
    unreached_steps: list[str]
    words_per_minute: float
    fillers_per_minute: float
    longest_monologue_seconds: float
    longest_monologue_start_seconds: float
    speaking_minutes: float = Field(
        default=0.0, description="The candidate's speaking time; shares and rates are over it."
    )
    round_minutes: float = Field(
        default=45.0, description="Length of the round the step budgets are for."
    )


class AnswerStats(_Model):
    characters: int
    words: int
    sentences: int
    units: int


class GradeReport(_Model):
    """One grading of one answer: the contract between the library, the CLI, the API, the app and
    the evals (`to_json`; `model_validate_json` reads it back). Per component: status, score,
    quotes from the answer as evidence and feedback; per step: a score; the follow-up questions,
    the improvements, the passages not counted and why, warnings, and what was graded (`source`)."""

    schema_version: int = SCHEMA_VERSION
    question: QuestionMatch
    overall_score: int = Field(
        ge=0,
        le=100,
        description="The weighted share of the rubric's components covered (partial counts half).",
    )
    steps: list[StepResult]
    components: list[ComponentResult]
    missed_critical: list[str]
    strengths: list[str]
    follow_up_questions: list[FollowUp]
    recommended_reading: list[Reading]
    warnings: list[str]
    ignored: list[IgnoredPassage] = Field(
        default_factory=list,
        description="Passages not counted as evidence, in answer order (the warnings count them).",
    )
    answer_stats: AnswerStats
    grader: GraderInfo
    summary: str | None = Field(
        default=None,
        description="A narrative summary: the LLM's, when an LLM was used; for a mock interview "
        "saved to the history, what its rounds changed (after the LLM's, if any).",
    )
    improvements: list[str] = Field(
        default_factory=list, description="Top improvements, best first."
    )
    llm: LLMInfo | None = None
    source: SourceInfo | None = None
    pacing: Pacing | None = None

    def component(self, component_id: str) -> ComponentResult:
        return next(c for c in self.components if c.id == component_id)

    def step(self, step_id: str) -> StepResult:
        return next(s for s in self.steps if s.id == step_id)

    def to_json(self) -> str:
        """Canonical JSON: the same report always gives the same bytes."""
        return self.model_dump_json(indent=2) + "\n"
