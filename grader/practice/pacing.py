"""Pacing of a timed answer: minutes per framework step against a budget, speaking rate, filler
words and the longest monologue.

The candidate's speech is cut into blocks of about `BLOCK_WORDS` words (times interpolated within
a long turn). Each block is scored against the concept and case cues of every framework step in the
index, and the sequence of steps is decoded as a whole (Viterbi), with a cost for changing step and
a larger one for going back: a stray sentence does not switch steps, a sustained stretch does. A
step named aloud at the start of a sentence ("So framing.", "Okay, monitoring, ...") opens a block
that leans to it, and counts as reached however briefly it is talked about.

The default budget for a 45-minute round is each framework step's `budget_minutes` in the knowledge
base; a YAML or TOML file (the path argument, or MLSD_PACING_BUDGET) overrides any of them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.answers.model import AnswerInput, TimedSegment
from grader.errors import InputError
from grader.knowledge.embedder import cosines
from grader.knowledge.notes import STEP_IDS, cached_kb
from grader.report import Pacing, PacingStep
from grader.scoring.segment import clean_text, count_fillers, count_words
from grader.settings import settings
from grader.text import validation_line

BLOCK_WORDS = 20
PIECE_WORDS = 60  # longer turns are cut into near-equal pieces no longer than this
TOP_CUES = 3
# Step changes cost SWITCH_PENALTY, going back to an earlier step BACK_PENALTY more (in cosine
# similarity per block); fitted with BLOCK_WORDS on sectioned answers from evals/data and their spoken renderings.
SWITCH_PENALTY = 0.03
BACK_PENALTY = 0.22
REACHED_SECONDS = 15.0  # a step with less time than this counts as never reached,
REACHED_SHARE = 0.05  # or, in a short practice run, less than this share of the speaking time
TURN_PAUSE = 3.0  # without speaker labels, a silence this long is taken for another's turn
SIGNPOST_BONUS = 0.3  # a block that opens on a step's name leans to it (more than going back costs)
# what a speaker says before naming the step they move on to ("Okay, so, monitoring.", "For the
# model, ...")
_LEAD_IN = (
    r"(?:(?:okay|ok|so|um+|uh+|alright|all right|right|and|then|now|next|finally|moving on to"
    r"|on to|let's talk about|let me talk about|(?:as )?for(?: the)?)[,.]?\s+)*"
)
# a step announced as what the speaker will do next, after up to six words of their own ("before
# I jump in I'd like to pin down the requirements.", "Now let's talk about monitoring."): its words
# the sentence's last
_ANNOUNCE = (
    r"(?:(?:[\w']+,?\s+){0,6}?(?:i'd|i would|i'll|i will|i want to|let me|let's|we'll|we should"
    r"|we can)\s+(?:like to\s+|want to\s+)?(?:start with|start by|begin with|pin down|nail down"
    r"|clarify|talk about|touch on|cover|move on to|move to|go over|go through|get to|look at"
    r"|turn to|discuss|think about)\s+(?:the\s+)?)?"
)
# a sentence starts after a stop; caption lines break mid-sentence, so no line starts one
_SENTENCE_START = r"(?<=[.!?])\s+"
_WORD = re.compile(r"\S+")


def default_budget() -> dict[str, float]:
    """Minutes per step in a 45-minute round, as the knowledge base's framework notes set them."""
    return {s.id: s.budget_minutes for s in cached_kb().steps.values()}


class PacingBudget(BaseModel):
    """Minutes per framework step for a round of `round_minutes`; missing steps keep their default."""

    model_config = ConfigDict(extra="forbid")
    round_minutes: float = Field(default=45.0, gt=0, le=600)
    steps: dict[str, float] = Field(default_factory=lambda: default_budget())

    @field_validator("steps")
    @classmethod
    def _known_steps(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(STEP_IDS))
        if unknown:
            raise ValueError(
                f"unknown step(s) {', '.join(unknown)}; the steps are {', '.join(STEP_IDS)}"
            )
        if any(v < 0 for v in value.values()):
            raise ValueError("minutes must not be negative")
        defaults = default_budget()
        return {s: float(value.get(s, defaults[s])) for s in STEP_IDS}


def load_budget(path: str | Path | None = None) -> PacingBudget:
    """The budget from `path`, else from the file MLSD_PACING_BUDGET names, else the default.

    The file (YAML or TOML) holds `round_minutes` and `steps: {step: minutes}`, or just the steps.
    """
    path = path or settings().pacing_budget
    if not path:
        return PacingBudget()
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw) if path.suffix.lower() == ".toml" else yaml.safe_load(raw)
    except OSError as exc:
        raise InputError(f"pacing budget {path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(
            f"pacing budget {path} is not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"pacing budget {path}: expected a mapping of steps to minutes")
    if "steps" not in data and "round_minutes" not in data:
        data = {"steps": data}
    try:
        return PacingBudget.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"pacing budget {path}: {validation_line(exc)}") from None


@dataclass(frozen=True)
class _Piece:
    start: float
    end: float
    char_start: int
    char_end: int
    words: int
    signpost: str | None = None  # the step the piece opens by naming ("Serving. The model ...")


def signposts(kb) -> re.Pattern:
    """Where a speaker announces a step: a sentence that opens (after "okay", "so", "next" and the
    like) on the step's id or a word of its title, said on its own or followed by a pause ("So
    framing.", "Okay, monitoring, which I think ...", "Serving. The model ..."), or that says it
    comes next and ends on it ("Okay, before I jump in I'd like to pin down the requirement."; a
    voice answer's first minute of requirements had read "0.0 minutes"). Each step's words are a
    named group, in the singular or the plural; a word two steps' titles share names neither."""
    # in the singular (`KnowledgeBase.step_words`), the pattern adding an optional plural
    alts = "|".join(
        f"(?P<{step}>{'|'.join(sorted(w, key=len, reverse=True))})"
        for step, w in kb.step_words().items()
        if w
    )
    return re.compile(
        rf"{_SENTENCE_START}{_LEAD_IN}{_ANNOUNCE}(?:{alts})s?(?:\s*[.,:;!?\u2014-]|\s*$)",
        re.IGNORECASE,
    )


def _signposted(
    pattern: re.Pattern, text: str, start: int, end: int, turn: bool = False
) -> list[tuple[int, str]]:
    """(character, step) of each signpost in text[start:end], at the sentence it opens. The stretch
    opens a sentence when it opens a turn (`turn`: it follows another speaker's), or the text
    before it ends one, or nothing is before it; a caption line that follows another need not."""
    i = start
    while i > 0 and text[i - 1].isspace():
        i -= 1
    lead = ". " if turn or i == 0 or text[i - 1] in ".!?" else ""
    found = []
    for m in pattern.finditer(lead + text[start:end]):
        step = next(k for k, v in m.groupdict().items() if v)
        opens = m.start() + len(m.group()) - len(m.group().lstrip())  # "So framing." from "So"
        found.append((start + opens - len(lead), step))
    return found


def _pieces(
    text: str, segments: list[TimedSegment], posts: re.Pattern | None = None
) -> tuple[list[_Piece], set[int]]:
    """The candidate's speech cut into pieces of at most PIECE_WORDS words, times interpolated by
    word position, and cut where the speaker names a step (`posts`, see `signposts`); and the
    indices of the pieces that follow an interviewer turn."""
    pieces: list[_Piece] = []
    breaks: set[int] = set()
    after_interviewer = False
    for seg in segments:
        if not seg.is_candidate:
            after_interviewer = True
            continue
        words = [m.span() for m in _WORD.finditer(text, seg.char_start, seg.char_end)]
        if not words:
            continue
        turn = after_interviewer or not pieces  # ("[03:34] Candidate: Finally monitoring.")
        if after_interviewer:
            breaks.add(len(pieces))
        after_interviewer = False
        n, length = len(words), seg.end - seg.start
        named = {}  # word index -> the step named there
        if posts is not None:
            for at, step in _signposted(posts, text, seg.char_start, seg.char_end, turn):
                named[next(i for i, (a, b) in enumerate(words) if b > at)] = step
        cuts: list[int] = []
        for lo, hi in zip([0, *sorted(named)], [*sorted(named), n]):
            if hi > lo:
                k = -(-(hi - lo) // PIECE_WORDS)
                cuts += [lo + round((hi - lo) * c / k) for c in range(k)]
        cuts.append(n)
        for i, j in zip(cuts, cuts[1:]):
            pieces.append(
                _Piece(
                    seg.start + length * i / n,
                    seg.start + length * j / n,
                    words[i][0],
                    words[j - 1][1],
                    j - i,
                    named.get(i),
                )
            )
    return pieces, breaks


def _blocks(pieces: list[_Piece], breaks: set[int]) -> list[list[int]]:
    """Neighbouring pieces grouped until a block has BLOCK_WORDS words, never across an interviewer
    turn, and a piece that names a step opens a block of its own."""
    blocks: list[list[int]] = []
    words: list[int] = []
    for i, piece in enumerate(pieces):
        joins = i not in breaks and piece.signpost is None
        if blocks and joins and words[-1] < BLOCK_WORDS:
            blocks[-1].append(i)
            words[-1] += piece.words
        else:
            blocks.append([i])
            words.append(piece.words)
    return blocks


def _cue_matrix(grader) -> tuple[np.ndarray, np.ndarray]:
    """Every concept and case cue vector in the index, with the column of its framework step."""
    cues = grader.index.cue_vectors()
    matrix = np.concatenate([v for v in cues.values()])
    steps = np.concatenate(
        [[STEP_IDS.index(grader.kb.concepts[comp].step)] * len(v) for (_, comp), v in cues.items()]
    )
    return matrix, steps


def step_scores(grader, texts: list[str]) -> np.ndarray:
    """(texts x steps) mean similarity of each text to the TOP_CUES closest cues of each step."""
    matrix, steps = _cue_matrix(grader)
    sims = cosines(grader.embedder.embed([clean_text(t) or t for t in texts]), matrix)
    scores = np.zeros((len(texts), len(STEP_IDS)), dtype=np.float32)
    for j in range(len(STEP_IDS)):
        own = np.sort(sims[:, steps == j], axis=1)[:, ::-1][:, :TOP_CUES]
        if own.size:
            scores[:, j] = own.mean(axis=1)
    return scores


def decode_steps(
    scores: np.ndarray, switch: float = SWITCH_PENALTY, back: float = BACK_PENALTY
) -> list[int]:
    """The step sequence with the best total score, paying `switch` for each change of step and
    `back` more for returning to an earlier one (Viterbi): interviews move forward through the
    steps, from the first. Starting at a later step pays a change of step: an answer that opens
    by restating the question ("a system that predicts which orders will arrive late"), read
    nearest framing, had its next 30 seconds of who uses it and what late means decoded as
    framing and data, requirements "0.0 minutes" (0.771 -> 0.782 of our sectioned answers'
    speaking time on the right step without spoken step names, 0.826 with them either way)."""
    n, k = scores.shape
    if n == 0:
        return []
    idx = np.arange(k)
    penalty = switch * (idx[:, None] != idx[None, :]) + back * (idx[None, :] < idx[:, None])
    best, pointers = scores[0] - penalty[0], np.zeros((n, k), dtype=int)
    for i in range(1, n):
        moves = best[:, None] - penalty
        pointers[i] = moves.argmax(axis=0)
        best = moves.max(axis=0) + scores[i]
    path = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(pointers[i][path[-1]]))
    return path[::-1]


def classify_steps(grader, texts: list[str], named: list[str | None] | None = None) -> list[str]:
    """The framework step each text (consecutive stretches of one talk, in order) is about; a text
    that opens by naming a step (`named`) leans to it by SIGNPOST_BONUS."""
    if not texts:
        return []
    scores = step_scores(grader, texts)
    for i, step in enumerate(named or []):
        if step is not None:
            scores[i, STEP_IDS.index(step)] += SIGNPOST_BONUS
    return [STEP_IDS[j] for j in decode_steps(scores)]


def _quoted_steps(pieces: list[_Piece], evidence: dict[str, list[tuple[int, int]]]) -> set[str]:
    """The steps with a quoted passage centred inside the candidate's speech, or credited with no
    passage quoted (no passage reads clearly about the component, yet the grading credits it from
    the candidate's words: the graded text holds no one else's). A framing step credited with no
    quote had read "not reached" once a passage reading more like another component stopped
    being quoted for it."""
    return {
        step
        for step, spans in evidence.items()
        if step in STEP_IDS
        and (
            not spans
            or any(p.char_start <= (a + b) // 2 < p.char_end for p in pieces for a, b in spans)
        )
    }


def _longest_monologue(
    segments: list[TimedSegment], pauses: tuple[tuple[float, float], ...] = ()
) -> tuple[float, float]:
    """(seconds, start) of the longest run of candidate speech without an interviewer turn. When no
    speakers are labelled (a recording of one's own practice, captions), a run ends at a silence of
    TURN_PAUSE or more instead: captions cut one talk into pieces of a few seconds, and a
    recogniser's segment may stretch over a silence its words show (`pauses`: the same recording
    read 96 s as WAV and 170 s as M4A, its longest stretch being 69 s)."""
    labelled = any(s.speaker or not s.is_candidate for s in segments)
    runs: list[tuple[float, float]] = []
    first = last = None
    for s in segments + [None]:
        joined = (
            s is not None
            and s.is_candidate
            and (labelled or last is None or s.start - last.end < TURN_PAUSE)
        )
        if joined:
            first = s if first is None else first
            last = s
            continue
        if first is not None:
            runs += _split_at(first.start, last.end, [] if labelled else pauses)
        first = last = s if s is not None and s.is_candidate else None
    if not runs:
        return 0.0, 0.0
    return max(runs, key=lambda r: (r[0], -r[1]))


def _split_at(start: float, end: float, pauses) -> list[tuple[float, float]]:
    """(seconds, start) of the pieces of [start, end] between its silences of TURN_PAUSE or more."""
    out, at = [], start
    for a, b in pauses:
        if b - a >= TURN_PAUSE and start <= a and b <= end:
            out.append((a - at, at))
            at = b
    return [*out, (end - at, at)]


def compute_pacing(
    grader,
    inp: AnswerInput,
    budget: PacingBudget | None = None,
    evidence: dict[str, list[tuple[int, int]]] | None = None,
) -> Pacing | None:
    """Pacing of a timed input, or None when it has no timed candidate speech. `evidence` (step id
    -> the answer's character spans quoted for that step's credited components) is the grading's
    own reading: a step quoted in the candidate's speech was reached, whatever time the decoder
    gave it (an answer whose evaluation was credited from 40 seconds of speech read "evaluation:
    not reached"). The quotes do not move time between steps: as a pull on the decoder (0.05-0.3
    per block) they placed 0.78-0.84 of the speaking time of our sectioned answers on the right
    step against 0.81 without, no clear gain."""
    segments = sorted(
        (s for s in inp.segments if s.end >= s.start), key=lambda s: (s.start, s.char_start)
    )
    candidate = [s for s in segments if s.is_candidate]
    if not candidate:
        return None
    budget = budget or load_budget()
    text = inp.text

    pieces, breaks = _pieces(text, segments, signposts(grader.kb))
    if not pieces:
        return None
    blocks = _blocks(pieces, breaks)
    labels = classify_steps(
        grader,
        [" ".join(text[pieces[i].char_start : pieces[i].char_end] for i in b) for b in blocks],
        [pieces[b[0]].signpost for b in blocks],
    )
    seconds = dict.fromkeys(STEP_IDS, 0.0)
    # a step the speaker announced and then talked about was reached, however briefly, and so was
    # one the grading quotes from the candidate's speech
    announced = {step for block, step in zip(blocks, labels) if pieces[block[0]].signpost == step}
    announced |= _quoted_steps(pieces, evidence or {})
    for block, step in zip(blocks, labels):
        for i in block:
            seconds[step] += pieces[i].end - pieces[i].start

    speaking = sum(s.end - s.start for s in candidate)
    reached = min(REACHED_SECONDS, REACHED_SHARE * speaking)
    spoken = " ".join(text[s.char_start : s.char_end] for s in candidate)
    per_minute = (lambda n: round(n / (speaking / 60), 1)) if speaking > 0 else (lambda n: 0.0)
    span = max(s.end for s in segments) - min(s.start for s in segments)
    total = max(span, inp.source.duration_seconds or 0.0)
    mono, mono_start = _longest_monologue(segments, inp.pauses)
    steps = [
        PacingStep(
            step=s,
            title=grader.kb.steps[s].title,
            minutes=round(seconds[s] / 60, 2),
            budget_minutes=budget.steps[s],
            share=round(seconds[s] / speaking, 3) if speaking else 0.0,
        )
        for s in STEP_IDS
    ]
    return Pacing(
        total_minutes=round(total / 60, 2),
        steps=steps,
        unreached_steps=[s for s in STEP_IDS if seconds[s] < reached and s not in announced],
        words_per_minute=per_minute(count_words(spoken)),
        fillers_per_minute=per_minute(count_fillers(spoken)),
        longest_monologue_seconds=round(mono, 1),
        longest_monologue_start_seconds=round(mono_start, 1),
        speaking_minutes=round(speaking / 60, 2),
        round_minutes=budget.round_minutes,
    )
