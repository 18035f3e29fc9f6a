"""Follow-up questions an interviewer can ask without an LLM, ranked in one list.

Two kinds, at most one per component:
- a **gap** question for what the answer left out: the concept's first (basic) question when the
  component is missing, a deeper one when it is partial and nothing in the answer can be quoted;
- a **probe** of what the candidate did say: their own words, copied from the answer (a clause of
  the component's evidence, or of the passage where a missing component's topic is named without
  being explained, cut at word boundaries and marked with "…" where cut), then the concept's
  deeper question closest to them ("You said: "…". How much traffic does it get…?").

Each carries what a strong reply covers: the concept's level-3 descriptor and up to three
strong-answer cues the answer has not yet made, the case's own cues first. The ranking puts missing
critical components first, then every other component by weight x missing points, ties by id; a
probe is kept in the list whenever any component has something to quote. LLM follow-ups join the
same ranking in the place of their component's question. Everything here is a pure function of the
component results and the knowledge base: the same report gives the same list, byte for byte.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from grader.knowledge.notes import EDIT_ME, Case, CaseComponent, Concept, CueNote, KnowledgeBase
from grader.report import SEVERITY_LABEL, ComponentResult, Evidence, FollowUp, QuestionMatch
from grader.scoring.judge import TopicLexicon, _spans, named_within, naming_masks, topic_lexicons
from grader.scoring.overlap import terms
from grader.scoring.segment import WINDOW_WORDS, abbreviated, runs_on
from grader.text import as_read, plain_words, shorten

MAX_FOLLOW_UPS = 5
MAX_QUOTE_CHARS = 160
MIN_QUOTE_WORDS = 4
MIN_FRAGMENT_WORDS = 8  # a sentence that a word window cuts off says too little when shorter
MAX_LISTEN_CUES = 3
KEYWORD_WEIGHT = 2.0
MADE_SHARE = 0.6  # a cue whose content words are this much in the evidence counts as made
ANSWERED_SHARE = 0.5  # a question with half its words in the evidence is answered already,
ANSWERED_WORDS = 3  # and so is one with three of them
SAME_CUE = 0.5  # cues sharing this share of their words say the same thing: one is enough
ELLIPSIS = "…"
ELSEWHERE_MARGIN = 3.0  # idf-weighted shared words by which one case must lead to own a text

# lines, and blanked stretches (speaker labels, timestamps): a quote never spans them
# a line break with the next line's indent (a list item's wrapped line, "  keep the VIN ..."), or a
# run of blanks within a line
_BREAK = re.compile(r"\n[ \t]*|[ \t\r\f\v]{2,}")
_LEAD = re.compile(  # list markers, headings and emphasised labels ("- **Cold start.** *New users:*")
    r"(?:\s*(?:[-*+•>]|\d{1,3}[.)]|#{1,6})\s+)?"
    r"(?:\s*(?:\*\*|__)[^*_\n]{1,80}?(?:\*\*|__)[:.]?(?=\s)|\s*[*_][^*_\n]{1,60}?[*_][:.]?(?=\s))*\s*"
)
_SENTENCE = re.compile(r"(?<=[.!?])[*_\"')\]]*\s+(?=[A-Z0-9*_\"'(])")
_CLAUSE = re.compile(r"[,;:]\s+|\s+[-–—]\s+")
_EDGE = "*_` \t"
_TRAIL = ".,;:" + _EDGE
_WORD = re.compile(r"\S+")
_FILLER = frozenset(
    "um uh er erm hmm so like okay ok yeah right well basically and but or then also just i mean "
    "you know kind sort of the a an".split()
)  # words a quote neither starts nor ends with


@dataclass(frozen=True)
class _Span:
    start: int  # offsets into the evidence quote
    end: int
    cut_start: bool
    cut_end: bool
    label: str = ""  # the list marker and emphasised label left out in front ("*New videos:*")


@dataclass(frozen=True)
class Clause:
    """A passage of the answer that a probe can quote."""

    shown: str  # the quote as shown: "…" where cut
    about: frozenset[str]  # its words and its label's, to match a question to
    topic: float  # how much it says about the component
    order: tuple  # evidence rank and position: ties go to the best evidence, then the earliest


# -- quoting the candidate ------------------------------------------------------------------------
def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without markup, spaces or trailing punctuation at its edges."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _TRAIL:
        end -= 1
    return start, end


def _looks_cut(quote: str, excerpt: bool = False) -> tuple[bool, bool]:
    """Whether an evidence passage starts and ends mid-sentence: word windows do (and span lines),
    sentence units do not. A passage the report marks as an excerpt (`Evidence.excerpt`) is cut
    wherever it does not start a sentence (a capital) or end one (a stop): "…Gradient boosted trees
    on the order features, with class" had been quoted to the candidate as a whole sentence."""
    stripped = quote.strip()
    if not stripped:
        return False, False
    if excerpt:
        return stripped[0].isalnum() and not stripped[0].isupper(), stripped[-1].isalnum()
    lines = stripped.split("\n")
    window = (
        # a window spans lines; a sentence hard-wrapped over them reads on from line to line
        not all(runs_on(a, b, 0) for a, b in zip(lines, lines[1:]))
        or stripped[0].islower()
        or (len(_WORD.findall(stripped)) >= WINDOW_WORDS and stripped[-1].isalnum())
    )
    return window and stripped[0].isalnum(), window and stripped[-1].isalnum()


def _pieces(quote: str, excerpt: bool = False) -> list[_Span]:
    """Sentences of an evidence passage, each without its list marker or emphasised label."""
    cut_first, cut_last = _looks_cut(quote, excerpt)
    out = []
    pos = 0
    lines = []
    for m in _BREAK.finditer(quote):
        # a sentence cut by a line break is one piece: "There is no" / "real-time feature store
        # yet" says no store
        if m.group().startswith("\n"):
            after = quote.find("\n", m.end())
            if runs_on(quote[pos : m.start()], quote[m.end() : after if after >= 0 else None], 0):
                continue
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, len(quote)))
    for ls, le in lines:
        lead = _LEAD.match(quote, ls, le)
        start = lead.end() if lead else ls
        stops = _SENTENCE.finditer(quote, start, le)
        bounds = [start, *(m.end() for m in stops if not abbreviated(quote, m.start())), le]
        for s, e in zip(bounds, bounds[1:]):
            s, e = _trimmed(quote, s, e)
            if e > s:
                cut = (cut_first and s == 0, cut_last and e == len(quote.rstrip()))
                out.append(_Span(s, e, *cut, label=quote[ls:start]))
    return out


def _shorten(text: str, span: _Span, weights: dict[str, float]) -> _Span:
    """A span of at most MAX_QUOTE_CHARS: the run of whole clauses that says most about the topic,
    else the span cut at a word boundary."""
    if span.end - span.start <= MAX_QUOTE_CHARS:
        return span
    seps = [(m.start(), m.end()) for m in _CLAUSE.finditer(text, span.start, span.end)]
    starts = [span.start] + [b for _, b in seps]  # clause i runs from starts[i] to ends[i]
    ends = [a for a, _ in seps] + [span.end]
    best = None
    for i in range(len(starts)):
        for j in range(i, len(ends)):
            s, e = _trimmed(text, starts[i], ends[j])
            if e - s > MAX_QUOTE_CHARS:
                break
            if len(_WORD.findall(text[s:e])) < MIN_QUOTE_WORDS:
                continue
            key = (-_topic_score(text[s:e], weights), -(e - s), s)
            if best is None or key < best[0]:
                best = (key, s, e, i, j)
    if best is not None:  # a run of clauses that starts or stops inside the sentence is cut
        _, s, e, i, j = best
        cut = (span.cut_start or i > 0, span.cut_end or j < len(ends) - 1)
        return _Span(s, e, *cut, label=span.label)
    return _window(text, span, weights)


def _window(text: str, span: _Span, weights: dict[str, float]) -> _Span:
    """The run of words of at most MAX_QUOTE_CHARS (an unpunctuated transcript has no clauses) that
    says most about the topic, without filler words at its edges; the earliest on ties."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, span.start, span.end)]
    best = None
    j = 0
    for i in range(len(words)):
        j = max(j, i)
        while j + 1 < len(words) and words[j + 1][1] - words[i][0] <= MAX_QUOTE_CHARS - 2:
            j += 1
        a, b = i, j
        while a < b and _plain(text[words[a][0] : words[a][1]]) in _FILLER:
            a += 1
        while b > a and _plain(text[words[b][0] : words[b][1]]) in _FILLER:
            b -= 1
        s, e = _trimmed(text, words[a][0], words[b][1])
        key = (-_topic_score(text[s:e], weights), s)
        if e > s and (best is None or key < best[0]):
            best = (key, s, e, a, b)
    if best is None:
        return span
    _, s, e, a, b = best
    return _Span(
        s, e, span.cut_start or a > 0, span.cut_end or b < len(words) - 1, label=span.label
    )


def _plain(word: str) -> str:
    return word.strip(".,;:!?\"'()[]*_").lower()


def _topic_weights(concept: Concept, cues: Sequence[str]) -> dict[str, float]:
    """Words that say what a component is about: its keywords and title (weight 2) and its cues'.
    Read once per component and case, as the knowledge base has them (not to be changed)."""
    return _weights(concept.title, tuple(concept.keywords), tuple(cues))


@functools.lru_cache(maxsize=1024)
def _weights(title: str, keywords: tuple[str, ...], cues: tuple[str, ...]) -> dict[str, float]:
    weights = {t: 1.0 for cue in cues for t in terms(cue)}
    for text in [title, *keywords]:
        for t in terms(text):
            weights[t] = KEYWORD_WEIGHT
    return weights


def _topic_score(text: str, weights: dict[str, float]) -> float:
    return math.fsum(weights.get(t, 0.0) for t in terms(text))


def clauses(evidence: Sequence[Evidence], weights: dict[str, float]) -> list[Clause]:
    """The passages of the evidence a probe may quote, as the candidate wrote them: sentences or
    runs of clauses of at most MAX_QUOTE_CHARS, each with one of the component's own keywords;
    "…" marks a cut, and without the marks each is a substring of the answer."""
    out: dict[str, Clause] = {}
    for rank, e in enumerate(sorted(evidence, key=lambda e: (-e.similarity, e.start))):
        for piece in _pieces(e.quote, e.excerpt):
            span = _shorten(e.quote, piece, weights)
            text = e.quote[span.start : span.end]
            words = terms(text)
            least = MIN_FRAGMENT_WORDS if piece.cut_start or piece.cut_end else MIN_QUOTE_WORDS
            if len(_WORD.findall(text)) < least or not any(
                weights.get(t) == KEYWORD_WEIGHT for t in words
            ):
                continue  # too short to stand alone, or not about the component
            shown = (ELLIPSIS if span.cut_start else "") + text
            shown += ELLIPSIS if span.cut_end else ""
            cut = span.cut_start or span.cut_end
            clause = Clause(
                shown, words | terms(span.label), _topic_score(text, weights), (cut, rank, e.start)
            )
            if shown not in out:  # overlapping evidence passages: the best one's reading
                out[shown] = clause
    return list(out.values())


def shown(kb: KnowledgeBase, case: Case | None, component_id: str, passage: Evidence) -> str:
    """A passage as a probe quotes it: its clause most about the component ("…" where cut), else
    the passage shortened."""
    weights = _topic_weights(kb.concepts[component_id], _cues(kb, case, component_id))
    best = min(clauses([passage], weights), key=lambda c: (-c.topic, c.order), default=None)
    return best.shown if best is not None else shorten(passage.quote, MAX_QUOTE_CHARS)


def quoted_text(quote: str) -> str:
    """The candidate's words in a quote, without the marks of a cut: a substring of the answer."""
    return quote.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)


# -- what a strong reply covers --------------------------------------------------------------------
def _case_profile(case: Case, general: frozenset[str] = frozenset()) -> frozenset[str]:
    """A case's own words: those of its texts but the ones copied from the knowledge base's
    general notes (`general`: what `mlsd case new` fills a template with) and the template's
    placeholders ("(edit me)"). An unedited case of one's own otherwise owned the framework's
    words, and advice for every other question lost its general examples to it."""
    parts = [case.title, case.prompt, *case.aliases, *case.clarifying_questions]
    parts += [*case.requirements.functional, *case.requirements.non_functional]
    parts += [p for step in case.reference_outline for p in step.points]
    parts += [*case.follow_ups, *(cue for comp in case.components for cue in comp.cues)]
    return frozenset(t for p in parts if p not in general and EDIT_ME not in p for t in terms(p))


def general_texts(kb: KnowledgeBase) -> frozenset[str]:
    """The knowledge base's texts written for no case: the framework steps' points and cues, and
    the concepts' cues and follow-up questions."""
    steps = [t for s in kb.steps.values() for t in (*s.strong_answer_covers, *s.cues)]
    concepts = [t for c in kb.concepts.values() for t in (*c.cues, *(q.ask for q in c.follow_ups))]
    return frozenset(steps + concepts)


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of `_elsewhere`'s cache
class _Bank:
    """Each case's words and how rare each word is across the bank's cases; what each concept cue
    is written for, and which case each case cue is its own."""

    profiles: dict[str, frozenset[str]]
    idf: dict[str, float]
    cue_notes: dict[str, CueNote]  # a concept cue's text -> what it is written for
    case_cues: dict[str, str]  # a case's own cue text -> that case's id
    batch_words: TopicLexicon | None  # the serving step's `batch_words` and `live_words`
    live_words: TopicLexicon | None
    people_words: TopicLexicon | None  # the steps' `people_words`
    topics: dict[str, TopicLexicon]  # each concept's keywords
    named: dict[str, frozenset[str]]  # a text -> the concepts it names (filled as texts are read)
    about: dict[str, frozenset[str]]  # a follow-up question -> the other concepts it asks about


_BANKS: dict[str, _Bank] = {}
_BANKS_LOCK = threading.Lock()


def _bank(kb: KnowledgeBase) -> _Bank:
    with _BANKS_LOCK:
        if kb.digest not in _BANKS:
            steps = kb.steps.values()
            batch = [w for st in steps for w in st.batch_words]
            live = [w for st in steps for w in st.live_words]
            people = [w for st in steps for w in st.people_words]
            general = general_texts(kb)
            profiles = {cid: _case_profile(c, general) for cid, c in kb.cases.items()}
            # a case with no words of its own (a template not yet written) is no product
            profiles = {cid: p for cid, p in profiles.items() if p}
            counts = Counter(t for p in profiles.values() for t in p)
            idf = {t: math.log(len(profiles) / n) for t, n in counts.items()}
            if len(_BANKS) >= 8:
                _BANKS.clear()
            _BANKS[kb.digest] = _Bank(
                profiles,
                idf,
                {n.says: n for c in reversed(kb.concepts.values()) for n in c.cue_notes},
                {t: c.id for c in kb.cases.values() for comp in c.components for t in comp.cues},
                TopicLexicon.from_keywords(batch) if batch else None,
                TopicLexicon.from_keywords(live) if live else None,
                TopicLexicon.from_keywords(people) if people else None,
                topic_lexicons(kb.concepts),
                {},
                {
                    q.ask: frozenset(q.about)
                    for c in kb.concepts.values()
                    for q in c.follow_ups
                    if q.about
                },
            )
        return _BANKS[kb.digest]


def _says(lexicon: TopicLexicon | None, text: str) -> bool:
    return lexicon is not None and bool(lexicon.naming([text])[0])


def names_set_aside(kb: KnowledgeBase, case: Case | None, text: str) -> bool:
    """Whether a text (a follow-up question, advice, a line to listen for) names the topic of a
    component `case` sets aside as not applicable: "Which data do you retrain on when labels
    arrive weeks late?" is not asked where label delay is set aside because the true label is known
    within the hour. A keyword inside another topic's longer one names only that one
    (`naming_masks`), and one the case's own components share ("exploration": cold start's and
    feedback loops') names theirs (`named_within`). The case's own cues are its author's words."""
    if case is None or not case.not_applicable:
        return False
    bank = _bank(kb)
    if bank.case_cues.get(text) == case.id:
        return False  # the case's own words ("labels arrive within the hour"), written for it
    named = _named(bank, text)
    kept = [c.id for c in case.components if c.id in named]
    return any(
        not any(named_within(bank.topics[away], bank.topics[own], text) for own in kept)
        for away in named & case.not_applicable.keys()
    )


def _named(bank: _Bank, text: str) -> frozenset[str]:
    """The components whose topics a text names (`naming_masks`), and those a follow-up question
    is written to ask about (`about`), read once per text."""
    named = bank.named.get(text)
    if named is None:
        masks = naming_masks(bank.topics, [text])
        found = frozenset(c for c, m in masks.items() if m[0]) | bank.about.get(text, frozenset())
        named = bank.named.setdefault(text, found)
    return named


def asks_what_is_covered(
    kb: KnowledgeBase, text: str, component_id: str, covered: Collection[str]
) -> bool:
    """Whether a follow-up question for one component asks about another's topic, one the answer
    covers, and not about its own: "How do you monitor model quality when true labels arrive days
    or weeks later?" presses no monitoring plan whose answer said when its labels arrive."""
    named = _named(_bank(kb), text)
    return component_id not in named and bool(named & (set(covered) - {component_id}))


def batch_asked(kb: KnowledgeBase, question: QuestionMatch) -> bool:
    """Whether a question asks for predictions made ahead, in batch: its words (a case asked for
    by name: its prompt, not the id or title typed; else the question as typed) say so ("scored
    nightly") and say nothing of answering live requests (the serving step's `batch_words` and
    `live_words`)."""
    bank = _bank(kb)
    typed = None if question.by_name else question.asked
    text = typed or question.prompt or question.title
    return affirms(bank.batch_words, text) and not affirms(bank.live_words, text)


# a word saying that none of them is there: "there are no end users", "not user-facing",
# "nothing is computed per request"
_NONE_BEFORE = re.compile(
    r"(?:^|\s)(?:no|not|without|zero|never|nobody|nothing|none|neither|nor)(?:\s+\S+){0,2}\s*$"
)


def affirms(lexicon: TopicLexicon | None, text: str) -> bool:
    """Whether a text says one of a lexicon's keywords other than to say it is not there ("There
    are no end users", "Nothing is computed per request")."""
    if lexicon is None:
        return False
    plain = plain_words(text)
    return any(
        not _NONE_BEFORE.search(plain[max(0, s - 40) : s]) for s, _ in _spans(lexicon.pattern, text)
    )


def names_people(kb: KnowledgeBase, text: str) -> bool:
    """Whether a text names people whose data or treatment a system handles (the steps'
    `people_words`: "users", "patients", "personal data"), other than to say there are none
    (`affirms`)."""
    lexicon = _bank(kb).people_words
    if lexicon is None:
        return True  # a base that says nothing of people: every text may speak of them
    return affirms(lexicon, text)


# where the knowledge base's prose parts into sentences: a stop before a capital
_PROSE_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Fit:
    """What advice must fit beyond the kind of system asked for: a system that scores in batch
    (`batch`, `batch_asked`) is told nothing that speaks only of live requests, and one whose
    question and answer name no people (`nobody`, `QuestionMatch.people`) nothing that speaks of
    them ("A user asks to delete all their data" of a water-main failure model)."""

    batch: bool = False
    nobody: bool = False
    # the concerns the question's own words raise (`QuestionMatch.raised`): a gap in one of them is
    # asked about before the other critical gaps
    raised: frozenset[str] = frozenset()

    def refuses(self, kb: KnowledgeBase, text: str) -> bool:
        """Whether a text (a cue, a follow-up question) does not fit."""
        return (self.batch and live_only(kb, text)) or (self.nobody and names_people(kb, text))

    def fitting(self, kb: KnowledgeBase, text: str) -> str:
        """A text of advice (a concept's reason it matters, a level's descriptor) less its
        sentences that do not fit (`refuses`): a nightly job is not told that a model "that
        cannot score millions of items in under a hundred milliseconds is useless"; "" when none
        fits."""
        if not (self.batch or self.nobody):
            return text
        return " ".join(s for s in _PROSE_SENTENCE.split(text.strip()) if not self.refuses(kb, s))

    def asks_about(self, kb: KnowledgeBase, component_id: str) -> bool:
        """Whether a component is asked and advised about as a gap: not one about people's data
        (`Concept.about_people`) when no people are named."""
        concept = kb.concepts.get(component_id)
        return not (self.nobody and concept is not None and concept.about_people)


ANY_FIT = Fit()


def fit_asked(kb: KnowledgeBase, question: QuestionMatch) -> Fit:
    """What advice for this question must fit (`Fit`)."""
    batch = batch_asked(kb, question) or bool(question.batch)
    return Fit(batch, question.people is False, frozenset(r.id for r in question.raised))


def batch_answered(kb: KnowledgeBase, question: str, answer: Sequence[str]) -> bool:
    """Whether an answer (its sentences) to a question that says nothing of when it is scored
    (neither the serving step's `batch_words` nor its `live_words`) decides to score in batch: it
    says batch words and no live ones, other than to say they are not there (`affirms`: "a yearly
    batch pipeline writes the ranked list; nothing is computed per request")."""
    bank = _bank(kb)
    if affirms(bank.batch_words, question) or affirms(bank.live_words, question):
        return False
    texts = list(answer)
    return any(affirms(bank.batch_words, t) for t in texts) and not any(
        affirms(bank.live_words, t) for t in texts
    )


def live_only(kb: KnowledgeBase, text: str) -> bool:
    """Whether a text (advice, a follow-up question) speaks of answering live requests and not of
    batch ("a p99 latency budget", "features fetched at request time"): no advice for a system
    that scores in batch. A text weighing one against the other ("precomputed nightly, or at
    request time?") fits either."""
    bank = _bank(kb)
    return _says(bank.live_words, text) and not _says(bank.batch_words, text)


def elsewhere(kb: KnowledgeBase, case: Case | None, text: str, near: Case | None = None) -> int:
    """How far a text belongs to another case of the bank, by the words it shares with each case
    (rare words weigh more): 0 when it fits this case at least as well as any other, 2 when one
    other case leads this one and the rest by ELSEWHERE_MARGIN ("fraud analysts", "chargebacks"
    for a video feed) or leads this one by twice that, else 1. Without a case (an open question,
    advised with text written for no product in particular), 2 when one case leads the rest by
    ELSEWHERE_MARGIN ("transactions on a card" for fake reviews), else 1; for a typed question
    graded with a nearby case (`near`), the higher of that and the reading against `near`."""
    bank = _bank(kb)
    if len(bank.profiles) < 3:
        return 1
    if case is None:
        alone = _elsewhere(bank, None, text)
        if near is not None and near.id in bank.profiles:
            return max(alone, _elsewhere(bank, near.id, text))
        return alone
    if case.id not in bank.profiles:
        return 1
    return _elsewhere(bank, case.id, text)


@functools.lru_cache(maxsize=16384)
def _elsewhere(bank: _Bank, case_id: str | None, text: str) -> int:
    words = terms(text)
    # fsum: exact, so the sum over a set does not depend on its (hash-seeded) iteration order
    fit = {cid: math.fsum(bank.idf[t] for t in words & p) for cid, p in bank.profiles.items()}
    if case_id is None:
        first, second = sorted(fit.values(), reverse=True)[:2]
        return 2 if first - second >= ELSEWHERE_MARGIN else 1
    own = fit.pop(case_id)
    first, second = sorted(fit.values(), reverse=True)[:2]
    if first - max(own, second) >= ELSEWHERE_MARGIN or first - own >= 2 * ELSEWHERE_MARGIN:
        return 2
    return 0 if own >= first else 1


def words_lead(kb: KnowledgeBase, cases: Collection[str], words: frozenset[str]) -> float:
    """By how much the best of `cases` leads every other bank case in the words it shares with a
    text (`words`, its terms; each word weighed by how rare it is across the cases): a text whose
    rarer words are a case's own ("watch time", "thumbnail", "uploads") is about that product.
    Negative when another case leads; 0 with no such case or fewer than three cases."""
    bank = _bank(kb)
    ours = [c for c in cases if c in bank.profiles]
    if not ours or len(bank.profiles) < 3:
        return 0.0
    fit = {cid: math.fsum(bank.idf[t] for t in words & p) for cid, p in bank.profiles.items()}
    best = max(fit[c] for c in ours)
    others = [v for c, v in fit.items() if c not in ours]
    return best - max(others) if others else 0.0


def foreign(kb: KnowledgeBase, case: Case | None, systems: Collection[str], text: str) -> bool:
    """Whether `text` is a concept's cue written for another kind of system than `systems` or an
    example from another product than `case` (`CueNote`), or a case's own cue and that case is not
    `case`: such a cue is not offered as advice. Other texts are not foreign."""
    bank = _bank(kb)
    asked = case.id if case is not None else None
    note = bank.cue_notes.get(text)
    if note is not None:
        return not note.fits(systems, asked)
    return bank.case_cues.get(text, asked) != asked


def advice_case(kb: KnowledgeBase, question: QuestionMatch) -> Case | None:
    """The bank case whose own examples may be offered as advice: the case asked for by id, title
    or alias. None for an open question, and for one only near a bank case (retrieval: fake reviews
    graded with fraud detection's rubric are not advised about chargebacks)."""
    return kb.cases.get(question.id) if question.by_name else None


def near_case(kb: KnowledgeBase, question: QuestionMatch) -> Case | None:
    """The bank case a question was graded with (asked for, or near a typed question): what a
    text's belonging to another case is measured against (`elsewhere`), though only a case asked
    for by name gives its own examples (`advice_case`). None for the framework's rubric."""
    return kb.cases.get(question.id) if question.id else None


def made(point: str, said: frozenset[str]) -> bool:
    """Whether a point (a cue, a descriptor) is made by text whose words are `said`: most of its
    content words (MADE_SHARE) are there."""
    words = terms(point)
    return bool(words) and len(words & said) / len(words) >= MADE_SHARE


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= SAME_CUE


def _heard(r: ComponentResult) -> list[Evidence]:
    """What the candidate said about a component: its evidence, or for a missing component the
    passage that names its topic without explaining it."""
    if r.status == "missing":
        return [r.mention] if r.mention is not None else []
    return r.evidence


def _said(r: ComponentResult) -> frozenset[str]:
    return frozenset(t for e in _heard(r) for t in terms(e.quote))


def listen_for(
    kb: KnowledgeBase,
    r: ComponentResult,
    case: Case | None,
    systems: Collection[str] | None = None,
    near: Case | None = None,
    fit: Fit = ANY_FIT,
) -> list[str]:
    """What a strong reply covers: the level-3 descriptor, then up to three cues the answer has not
    made yet (most of their words absent from the evidence), the case's own first, then the
    concept's written for the asked kind of system (`systems`, by default the case's; of unknown
    kind, those written for any system) and no other product (`foreign`; examples sharing
    more words with other cases, `elsewhere`, last for a case asked by name, and left out for a
    typed question, read against `near`, the case it was graded with), each saying something
    new; none that does not `fit` the question (live requests to a system that scores in batch,
    users to one that names nobody); none naming a topic the case sets aside (`names_set_aside`)."""
    concept = kb.concepts[r.id]
    comp = _case_component(case, r.id)
    said = _said(r)
    kinds = _systems(case, systems)
    ranked = sorted(
        (away, k, cue)
        for k, cue in enumerate(concept.cues)
        if not foreign(kb, case, kinds, cue)
        # a typed question is told only what is written for no product in particular
        and ((away := elsewhere(kb, case, cue, near)) < 2 or case is not None)
    )  # this case's examples, then general ones, then other cases', each in the note's order
    chosen: list[str] = []
    seen: list[frozenset[str]] = []
    for cue in [*(comp.cues if comp else []), *(cue for *_, cue in ranked)]:
        words = terms(cue)
        if not words or made(cue, said) or fit.refuses(kb, cue):
            continue  # made already, or advice that does not fit (live requests to a batch system)
        if names_set_aside(kb, case, cue):
            continue  # speaks of a topic the case sets aside
        if any(_same(words, s) for s in seen):
            continue
        chosen.append(cue)
        seen.append(words)
        if len(chosen) == MAX_LISTEN_CUES:
            break
    top = fit.fitting(kb, concept.levels.l3)  # the rubric's own prose, where it fits too
    return [top, *chosen] if top else chosen


def _case_component(case: Case | None, component_id: str) -> CaseComponent | None:
    if case is None:
        return None
    return next((c for c in case.components if c.id == component_id), None)


def _cues(kb: KnowledgeBase, case: Case | None, component_id: str) -> list[str]:
    comp = _case_component(case, component_id)
    return [*(comp.cues if comp else []), *kb.concepts[component_id].cues]


# -- the questions ---------------------------------------------------------------------------------
def _why(r: ComponentResult, where: str | None, probe: bool) -> str:
    """Why a follow-up is asked. A missing component named without being explained says so: a
    probe quoting where it is named under "... is missing" read as a contradiction ("You said:
    'Logistic regression for interpretability' ... Explainability is missing")."""
    named = ", named but not explained," if r.status == "missing" and r.level == 1 else ""
    why = f"{r.title} is {r.status} ({r.score}/100){named} and {SEVERITY_LABEL[r.severity]}" + (
        f" for {where}" if where else ""
    )
    return why + ("; presses on what the candidate said" if probe else "")


def where_asked(question: QuestionMatch) -> str:
    """How a follow-up's reason names the question: the bank case's title when the case was asked
    for (by id, title or alias), else "this question": a question graded with the rubric of the
    bank case nearest to it is not that case ("critical for Delivery ETA prediction" does not
    belong under a grocery demand forecast)."""
    return question.title if question.by_name else "this question"


def systems_asked(kb: KnowledgeBase, question: QuestionMatch) -> frozenset[str]:
    """The kinds of system a question asks for: as the grader read them (`question.systems`: from
    a typed question's own words when they say, else its case's), or, in a report saved before
    they were kept, its case's (the case asked for, or the bank case it is near). Empty, unknown,
    for a question far from every case whose words do not say its kind: a returns-sorting
    question's least far cases (search ranking, delivery times) say nothing of it. Text written
    for any system is then all that fits."""
    if question.systems is not None:
        return frozenset(question.systems)
    return kb.systems_of([question.id]) if question.id else frozenset()


def _systems(case: Case | None, systems: Collection[str] | None) -> Collection[str]:
    return systems if systems is not None else (case.systems if case is not None else ())


def _questions(
    kb: KnowledgeBase,
    component_id: str,
    systems: Collection[str],
    fit: Fit = ANY_FIT,
    case: Case | None = None,
) -> list[str]:
    """The concept's follow-up questions written for a system of these kinds ("your classifier"
    is not asked of a video feed; unknown kinds: those written for any system); all of them if
    none is; none that does not `fit` the question (`Fit.refuses`: live requests to a system that
    scores in batch, users to one that names nobody), and none naming a topic `case` sets aside
    (`names_set_aside`), unless all do."""
    concept = kb.concepts[component_id]
    asked = concept.questions(systems) or concept.questions()
    return [
        q for q in asked if not fit.refuses(kb, q) and not names_set_aside(kb, case, q)
    ] or asked


def basic_questions(
    kb: KnowledgeBase,
    component_id: str,
    systems: Collection[str],
    fit: Fit = ANY_FIT,
    case: Case | None = None,
) -> set[str]:
    """The first question written for each kind of system asked ("What do you predict for a new
    store, place, item or user?" for a regression, "How do you score a brand-new account?" for a
    classifier) and for a system of any kind: what a candidate who said nothing is asked. A probe
    quoting what they said asks none of them, whichever kind it was written for (a ticket router
    read as both kinds is not asked what it predicts for a newcomer after saying what it does for
    new teams)."""
    return {
        ups[0]
        for kind in [*sorted(systems), None]
        if (ups := _questions(kb, component_id, [kind] if kind else (), fit, case))
    }


def gap_follow_up(
    kb: KnowledgeBase,
    r: ComponentResult,
    case: Case | None = None,
    where: str | None = None,
    systems: Collection[str] | None = None,
    near: Case | None = None,
    fit: Fit = ANY_FIT,
    answer: str = "",
) -> FollowUp | None:
    """The concept's question for a gap, among those written for the asked kind of system
    (`systems`, by default the case's): its first (basic) one when the answer says nothing of its
    own about the component (`unsaid`: missing, or credited only from passages about others), its
    second (deeper) one otherwise; one whose words belong to another bank case (`elsewhere`: "a
    brand-new account or sender" is spam filtering's, not ticket routing's) gives way to the next,
    and so does one the `answer` settles wherever it says so (`settled_by`: "decision <100ms at
    checkout" says the latency budget asked for) or whose premise it never states (`presumes`:
    "How long would you run the test?" of an answer that proposes no test). None when the answer
    settles every one."""
    concept = kb.concepts[r.id]
    ups = _questions(kb, r.id, _systems(case, systems), fit, case)
    fits = [k for k, q in enumerate(ups) if elsewhere(kb, case, q, near) < 2]
    fits = fits or list(range(len(ups)))
    first = 0 if r.unsaid else 1
    order = [k for k in fits if k >= first] + [k for k in fits if k < first]
    said = _figures_apart(answer)
    open_ = [
        k
        for k in order
        if not _settles(concept.settled_by(ups[k]), said)
        and _premised(concept.presumes(ups[k]), said)
    ]
    if not open_:
        return None
    question = ups[open_[0]]
    return FollowUp(
        question=question,
        component_id=r.id,
        why=_why(r, where, probe=False),
        kind="gap",
        listen_for=listen_for(kb, r, case, systems, near, fit),
    )


_GLUED_UNIT = re.compile(r"(?<=\d)(?=[A-Za-z])")  # "100ms", "24h": a figure and its unit


@functools.lru_cache(maxsize=4)
def _figures_apart(answer: str) -> str:
    """The answer with each figure's glued unit read apart (`_GLUED_UNIT`), as `_settles` reads
    it: made once per answer, not once for each component's gap or probe question."""
    return _GLUED_UNIT.sub(" ", answer)


def _settles(words: Sequence[str], said: str) -> bool:
    """Whether the answer, `said` with each figure's glued unit read apart (`_GLUED_UNIT`: "<100ms"
    says "ms"), says one of these words or phrases anywhere, as a topic's keywords are found."""
    return bool(words) and bool(said) and _says(_words_lexicon(tuple(words)), said)


def _premised(words: Sequence[str], said: str) -> bool:
    """Whether a question presuming one of these words (`presumes`; none: nothing) may be asked
    of an answer that says `said`: "Which metrics would you refuse to let degrade while optimising
    the main one?" had been asked of a goal stated with no metric. An answer not given (no text)
    is not judged."""
    return not words or not said or _says(_words_lexicon(tuple(words)), said)


def _names_any(words: Sequence[str], passages: Sequence[Evidence]) -> bool:
    """Whether any of the passages says one of these words or phrases, as a topic's keywords are
    found (`TopicLexicon`: whole words, a plural for its singular)."""
    return bool(words) and any(_says(_words_lexicon(tuple(words)), p.quote) for p in passages)


@functools.lru_cache(maxsize=256)
def _words_lexicon(words: tuple[str, ...]) -> TopicLexicon:
    return TopicLexicon.from_keywords(list(words), singulars=True)


def _answered(question: str, said: frozenset[str]) -> bool:
    words = terms(question)
    shared = len(words & said)
    return bool(words) and (shared >= ANSWERED_WORDS or shared / len(words) >= ANSWERED_SHARE)


def probe_follow_up(
    kb: KnowledgeBase,
    r: ComponentResult,
    case: Case | None = None,
    where: str | None = None,
    *,
    avoid: Iterable[str] = (),
    systems: Collection[str] | None = None,
    near: Case | None = None,
    fit: Fit = ANY_FIT,
    covered: Collection[str] = (),
    answer: str = "",
) -> FollowUp | None:
    """A probe of what the candidate said about a component (its evidence, or for a missing one
    where they named its topic without explaining it, `mention`): their words, then the concept's
    deeper question (any but the first, basic one of those written for the asked kind of system)
    that fits them best: not answered by what they said already (nor settled by what the `answer`
    says anywhere, `settled_by`: "PSI on the top features daily" in a monitoring paragraph says
    which drift statistic), nor asking about another
    component the answer covers (`covered`, `asks_what_is_covered`), written for this case rather
    than another of the bank (`elsewhere`), sharing most words with the quote; quotes in `avoid`
    (taken by other components) only when nothing else will do; then the clause most on topic,
    the best evidence and the note's order break ties. None when nothing they said is on topic."""
    concept = kb.concepts[r.id]
    kinds = _systems(case, systems)
    ups = _questions(kb, r.id, kinds, fit, case)
    said_where = _heard(r)
    if not said_where or len(ups) < 2:
        return None
    found = clauses(said_where, _topic_weights(concept, _cues(kb, case, r.id)))
    if not found:
        return None
    said = _said(r)
    whole = _figures_apart(answer)
    avoid = set(avoid)
    first = basic_questions(kb, r.id, kinds, fit, case)
    deeper = [
        (
            k,
            q,
            terms(q),
            _answered(q, said)
            or _names_any(concept.answered_by(q), said_where)
            or _settles(concept.settled_by(q), whole)
            or asks_what_is_covered(kb, q, r.id, covered),
            elsewhere(kb, case, q, near),
        )
        for k, q in enumerate(ups)
        if k > 0 and _premised(concept.presumes(q), whole)
    ]
    if not deeper:
        return None
    deeper = [d for d in deeper if d[1] not in first] or deeper
    _, clause, question = min(
        (
            (
                clause.shown in avoid,
                answered,
                fit,
                -len(words & clause.about),
                -clause.topic,
                clause.order,
                k,
                n,  # clauses of one passage share its order: their reading order breaks the tie
            ),
            clause,
            q,
        )
        for n, clause in enumerate(found)
        for k, q, words, answered, fit in deeper
    )
    return FollowUp(
        # said as the rendered answer reads ("Guardrails | ...", not "| Guardrails | ... |")
        question=f'You said: "{as_read(clause.shown)}". {question}',
        component_id=r.id,
        why=_why(r, where, probe=True),
        kind="probe",
        quote=clause.shown,
        listen_for=listen_for(kb, r, case, systems, near, fit),
    )


def rank_key(
    r: ComponentResult, raised: Collection[str] = (), leads: Collection[str] = ()
) -> tuple:
    """Missing critical components first, with the first gap of each step the answer leaves out
    altogether (`leads`, missing or not: an evaluation credited from passages that read more like
    other components had gone unasked in an answer that says nothing about evaluation); among them
    the leads (an answer with no evaluation, serving or monitoring at all had all its questions
    asked about the fairness, explainability and privacy that "hospital" raises), then those the
    question's words raise (`raised`) before the others (a hiring question raising fairness,
    missed at 15, had gone unasked behind four other critical gaps), then the costliest (weight x
    missing points), then id."""
    return (
        0 if r.severity == "critical" and (r.status == "missing" or r.id in leads) else 1,
        0 if r.id in leads else 1,
        0 if r.id in raised and r.status != "covered" else 1,
        -(r.weight * (100 - r.score)),
        r.id,
    )


def step_leads(
    results: Iterable[ComponentResult],
    raised: Collection[str] = (),
    anywhere: Collection[str] = (),
) -> frozenset[str]:
    """The first gap (`rank_key`) of each step the answer says nothing of its own about (every
    component `unsaid`: missing, or credited only from passages that read more like others; a
    cross-cutting one, `anywhere`, said in another section is no sign the step was: a fairness
    audit had kept an evaluation section's deletion from reading as one), in an answer that
    covers most steps at least in part: such a hole is asked about before any concern the
    question raises. In an answer missing most steps, holes are everywhere, and the concerns its
    question raises come first (a hiring answer's fairness)."""
    steps: dict[str, list[ComponentResult]] = {}
    for r in results:
        steps.setdefault(r.step, []).append(r)
    own = {
        step: [r for r in rs if r.id not in anywhere] or rs  # a step of cross-cutting ones only
        for step, rs in steps.items()
    }
    empty = [rs for rs in own.values() if all(r.unsaid for r in rs)]
    if 2 * len(empty) >= len(steps):
        return frozenset()
    return frozenset(min(rs, key=lambda r: rank_key(r, raised)).id for rs in empty)


def cross_cutting(kb: KnowledgeBase) -> frozenset[str]:
    """The concepts an answer may speak of in any section (`Concept.cross_cutting`)."""
    return frozenset(c.id for c in kb.concepts.values() if c.cross_cutting)


def ranking(
    results: Sequence[ComponentResult],
    raised: Collection[str] = (),
    anywhere: Collection[str] = (),
):
    """The sort key that puts these results' gaps in the follow-ups' order (`rank_key`;
    `anywhere`: the cross-cutting concepts, `step_leads`)."""
    leads = step_leads(results, raised, anywhere)
    return lambda r: rank_key(r, raised, leads)


def follow_ups(
    kb: KnowledgeBase,
    components: Sequence[ComponentResult],
    case: Case | None,
    *,
    extra: Iterable[FollowUp] = (),
    first: Sequence[FollowUp] = (),
    limit: int = MAX_FOLLOW_UPS,
    systems: Collection[str] | None = None,
    where: str | None = None,
    near: Case | None = None,
    fit: Fit = ANY_FIT,
    probing: bool = True,
    answer: str = "",
) -> list[FollowUp]:
    """The ranked follow-ups for these component results, at most `limit`, one per component: a
    probe where the candidate said something on topic to quote (unless not `probing`: an answer
    to another question is asked about this one and never quoted, by the LLM's questions either),
    else a gap question for a component not yet covered; a passage already quoted by a
    higher-ranked probe is not quoted
    again (a list of topics is where each of them was named). `extra` (the LLM's tailored
    questions) take the place of their
    component's question and inherit what to listen for. At least one probe is kept when any
    component has one. Components past the limit are read only until a probe is found. `near` is
    the case a typed question was graded with (`near_case`), against which text from another
    product is told apart (`elsewhere`). `fit`: what questions must fit (`fit_asked`: none about
    live requests to a system that scores in batch, none about people, nor privacy at all, where
    none are named). `answer`: the text that settles gap and probe questions (`settled_by`). `first`
    (challenges of choices
    the answer made, `challenges.find_challenges`) lead the list, and their components ask
    nothing else."""
    where = where or (case.title if case is not None else "this question")
    challenged = {f.component_id for f in first}
    ranked = sorted(
        (
            r
            for r in components
            if r.id in kb.concepts and r.id not in challenged and fit.asks_about(kb, r.id)
        ),
        key=ranking(components, fit.raised, cross_cutting(kb)),
    )
    tailored = {f.component_id: f for f in extra}
    items: list[FollowUp] = list(first)
    quoted: list[str] = [f.quote for f in first if f.quote]
    covered = {r.id for r in components if r.status == "covered"}
    for r in ranked:  # in rank order, so a quote shared by two components goes to the higher one
        f = (
            probe_follow_up(
                kb,
                r,
                case,
                where,
                avoid=quoted,
                systems=systems,
                near=near,
                fit=fit,
                covered=covered,
                answer=answer,
            )
            if probing
            else None
        )
        if f is not None and f.quote in quoted:
            f = None  # a passage is pressed on once: another component asks its own question
        if f is None and r.status != "covered":
            f = gap_follow_up(kb, r, case, where, systems, near, fit, answer)
        if r.id in tailored and (probing or not tailored[r.id].quote):
            heard = f.listen_for if f is not None else listen_for(kb, r, case, systems, near, fit)
            f = tailored[r.id]
            f = f if f.listen_for else f.model_copy(update={"listen_for": heard})
        if f is not None:
            items.append(f)
            quoted += [f.quote] if f.quote else []
        if len(items) >= limit and any(f.kind == "probe" for f in items):
            break  # what follows changes nothing kept
    top = items[:limit]
    if top and not any(f.kind == "probe" for f in top):
        probe = next((f for f in items if f.kind == "probe"), None)
        if probe is not None:
            top[-1] = probe
    return top
