"""Judge each rubric component from cue similarity and lexical evidence (no LLM).

For a component with cue vectors C and answer units U, the similarity of unit u to cue j is
cos(u, c_j) minus a penalty when u says little beyond the rubric's own terms and words that only
name, promise or praise (`NAMING_WORDS`). Units that are
lists of buzzwords (several components named, almost no other words) are ignored. From the adjusted
similarities: `semantic` is the best match scaled between sim_low and sim_high, `breadth` the
share of distinct cues matched (up to breadth_full; a cue within cue_soft of the cut-off counts in
part, so a small change of similarity moves the score a little, not by a whole cue), `lexical`
whether a topic keyword occurs in a relevant unit, `depth` how many distinct stretches of the
answer that read most like this component are close to its cues. The score is their weighted sum,
moved by the component's fitted offset (`shift`); statuses come from calibrated cut-offs.
Max-based aggregation, and depth counting each stretch once and never a repeat, mean that
padding or repeated text adds nothing unless it says something closer to a cue than the answer
already did.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from grader.scoring.calibration import Calibration
from grader.scoring.segment import WINDOW_WORDS, Unit, without_markup
from grader.text import STOPWORDS, content_tokens, plain_words

_PLURAL = re.compile(r"[^su]s$")  # a phrase's last word in the plural ("claims"; not "bias")


@dataclass(frozen=True)
class TopicLexicon:
    """A component's keywords as one regex over plain words; a keyword also matches its plural.
    `leads` are the words a match starts with: a longer keyword's first word, a one-word keyword
    with its plural endings. A text with none of them cannot match, and is not searched."""

    pattern: re.Pattern
    leads: frozenset[str]
    words: tuple[str, ...]  # the keywords, in plain words: which other lexicons' they can nest in

    @classmethod
    def from_keywords(cls, keywords: list[str], singulars: bool = False) -> "TopicLexicon":
        """With `singulars`, a phrase written in the plural matches its singular too ("job
        seekers": "a job seeker")."""
        words = sorted({plain_words(k) for k in keywords} - {""}, key=len, reverse=True)
        singular = (
            {w[:-1] for w in words if " " in w and _PLURAL.search(w)} - set(words)
            if singulars
            else set()
        )
        alts = "|".join(re.escape(w) for w in sorted([*words, *singular], key=len, reverse=True))
        leads = {w.split()[0] for w in words if " " in w}
        leads |= {w + end for w in words if " " not in w for end in ("", "s", "es")}
        pattern = re.compile(rf"(?<![a-z0-9])(?:{alts})(?:e?s)?(?![a-z0-9])")
        return cls(pattern, frozenset(leads), tuple(words))

    def naming(self, texts: Sequence[str]) -> np.ndarray:
        """Mask of the texts that name one of the keywords."""
        return naming_masks({"": self}, texts)[""]


def topic_lexicons(concepts: Mapping[str, object]) -> dict[str, TopicLexicon]:
    """Each concept's keywords (its `keywords`) as its topic's lexicon, by concept id."""
    return {cid: TopicLexicon.from_keywords(c.keywords) for cid, c in concepts.items()}


def naming_masks(
    lexicons: Mapping[str, TopicLexicon], texts: Sequence[str]
) -> dict[str, np.ndarray]:
    """Per lexicon, the mask of the texts that name one of its keywords. A text is searched only
    for the lexicons one of whose lead words it says, found through an index of the texts' words
    built once, rather than each text tested against each lexicon.
    A phrase names one topic: a keyword found only inside a longer keyword of another lexicon
    ("bias" inside "position bias", "label" inside "label delay", "regression" inside "logistic
    regression baseline") does not name its own; a phrase that is a keyword of both names both.
    Otherwise a terse choice ("gradient boosted trees, with a logistic regression baseline") names
    three topics and reads as a list of buzzwords."""
    plain = [plain_words(text) for text in texts]
    leads = frozenset().union(*(lexicon.leads for lexicon in lexicons.values()))
    at: dict[str, list[tuple[int, int]]] = {}  # a lead: (text, where it starts in its plain words)
    for i, words in enumerate(plain):
        start = 0
        for word in words.split(" "):
            if word in leads:
                at.setdefault(word, []).append((i, start))
            start += len(word) + 1
    masks = {}
    for key, lexicon in lexicons.items():
        mask = np.zeros(len(texts), dtype=bool)
        # a keyword starts at a word, and that word is one of the lexicon's leads: each is tried
        # where it stands (`match` reads the lookbehind's character before it), not searched for
        for lead in lexicon.leads & at.keys():
            for i, start in at[lead]:
                if not mask[i] and lexicon.pattern.match(plain[i], start):
                    mask[i] = True
        masks[key] = mask
    if len(lexicons) < 2:  # no other lexicon's keyword to nest in
        return masks
    found = {k: masks[k].copy() for k in masks}  # as searched, before nested keywords are dropped
    for key, outer in _nesting(tuple(lexicons.items())).items():
        for i in np.flatnonzero(found[key] & np.any([found[o] for o in outer], axis=0)):
            longer = [
                s for o in outer if found[o][i] for s in _spans(lexicons[o].pattern, texts[i])
            ]
            if all(
                any(_inside(s, o) for o in longer) for s in _spans(lexicons[key].pattern, texts[i])
            ):
                masks[key][i] = False
    return masks


@functools.lru_cache(maxsize=32)  # the knowledge base's few sets of lexicons, at most
def _nesting(lexicons: tuple[tuple[str, TopicLexicon], ...]) -> dict[str, list[str]]:
    """Per lexicon, the others one of whose keywords (plural endings included) holds a shorter
    match of it: only a text that both name can hold a nested keyword. Each keyword is tried at
    its words where a match of another lexicon can start (that lexicon's `leads`)."""
    starting: dict[str, list[tuple[str, TopicLexicon]]] = {}  # lead word -> lexicons
    for key, lexicon in lexicons:
        for lead in lexicon.leads:
            starting.setdefault(lead, []).append((key, lexicon))
    nesting: dict[str, set[str]] = {}
    for other, outer in lexicons:
        for phrase in outer.words:
            for said in (phrase, phrase + "s", phrase + "es"):
                offset = 0
                for word in said.split():
                    for key, lexicon in starting.get(word, ()):
                        if key != other and other not in nesting.get(key, ()):
                            m = lexicon.pattern.match(said, offset)
                            if m and m.end() - m.start() < len(said):
                                nesting.setdefault(key, set()).add(other)
                    offset += len(word) + 1
    return {key: sorted(outer) for key, outer in nesting.items()}


def _inside(span: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether `span` lies within `other` and is shorter (the same phrase in two lexicons names
    both)."""
    return other[0] <= span[0] and span[1] <= other[1] and other[1] - other[0] > span[1] - span[0]


def named_within(mine: TopicLexicon, theirs: TopicLexicon, text: str) -> bool:
    """Whether the text names `mine`'s topic, and only by words that name `theirs` too: each of
    its keywords found lies within one of `theirs`' (the same word, or inside a longer phrase)."""
    found = _spans(mine.pattern, text)
    other = _spans(theirs.pattern, text)
    return bool(found) and all(any(o[0] <= s[0] and s[1] <= o[1] for o in other) for s in found)


@functools.lru_cache(maxsize=16384)
def _spans(pattern: re.Pattern, text: str) -> tuple[tuple[int, int], ...]:
    """Where `pattern` finds its keywords in the text's plain words (cached: an answer graded
    again, as the evals and the calibration do, is not searched again)."""
    return tuple(m.span() for m in pattern.finditer(plain_words(text)))


@dataclass(frozen=True)
class ComponentJudgement:
    score: int
    status: str
    level: int
    cues_matched: int
    evidence: list[tuple[int, float]]  # (unit index, adjusted similarity), best first
    unmatched_cues: list[int]
    mention: tuple[int, float] | None = None  # where a missing component's topic is only named
    said_words: int = 0  # words of the distinct passages about it (`said_words`)


@dataclass(frozen=True)
class RubricTerms:
    """The rubric's own terms as a unit says them: a one-word keyword or a word of a component's
    title wherever it stands, a longer keyword's words only where the unit says all of them.
    "cold start" names cold start; the "new" of "new users" or the "per" of "queries per second"
    alone name nothing ("a new team starts on rules", "binary classification per pair")."""

    single: frozenset[str]
    phrases: dict[str, tuple[frozenset[str], ...]]  # by each of their words

    @classmethod
    def of(cls, keyword_lists: list[list[str]], titles: list[str]) -> "RubricTerms":
        single = {t for title in titles for t in content_tokens(title)}
        phrases: dict[str, set[frozenset[str]]] = {}
        for words in keyword_lists:
            for keyword in words:
                tokens = frozenset(content_tokens(keyword))
                if len(tokens) == 1:
                    single |= tokens
                for t in tokens if len(tokens) > 1 else ():
                    phrases.setdefault(t, set()).add(tokens)
        return cls(
            frozenset(single),
            {t: tuple(sorted(ps, key=sorted)) for t, ps in sorted(phrases.items())},
        )

    def __call__(self, tokens: set[str]) -> set[str]:
        """The words of `tokens` (a unit's content words) that name a topic."""
        named = tokens & self.single
        for t in tokens:
            for phrase in self.phrases.get(t, ()):
                if phrase <= tokens:
                    named |= phrase
        return named


def rubric_vocabulary(keyword_lists: list[list[str]]) -> frozenset[str]:
    """Content words of every component's keywords and title: the rubric's own terms."""
    return frozenset(t for words in keyword_lists for k in words for t in content_tokens(k))


QUOTE_WORDS = 3 * WINDOW_WORDS  # a longer sentence is quoted by its closest word window
ENUMERATION_ITEMS = 12  # a list this long ("a, b, c, ..." or one item a line) is an enumeration,
ENUMERATION_BARE = 0.8  # when this share of its items are bare terms (one or two words)
_MAGNITUDE = r"(?:hundred|thousand|million|billion|trillion|dozen)"
_CARDINAL = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
)
# A figure that says how much: a number with what it counts ("50 ms", "30 days", "1%", "10k QPS",
# "p99", "~200 tickets"), a ratio or range ("80/20", "days 1-21", "9:1"), a decimal ("PSI > 0.2"),
# a cadence, in one word or in several ("retrain quarterly", "every month", "once a week": how
# often, as "regularly" does not say), or a figure in words ("a few thousand", "fifty
# milliseconds"). A unit that states one says how much, which a list of topic names does not; a
# list's marker ("1.", "2)") is none.
# Possessive, and a number is read from its start only: linear on a run of 100,000 digits (a
# backtracking form took 36 s on 20,000).
QUANTITY = re.compile(
    r"\bp\d{2,3}\b|(?<![\w.,-])\d++(?:[.,]\d++)*+(?:\s?(?:%|x\b|k\b|m\b|ms\b|qps\b|rps\b|tps\b|gb\b"
    r"|tb\b)|\s?[/:\u2013-]\s?\d|\s(?!(?:and|or|of|to|the|a|an|in|on|at|for|by|is|are|was|be)\b)"
    r"[a-z]{2,})|(?<![\w.,-])\d*\.\d|\b(?:hourly|daily|nightly|weekly|biweekly|fortnightly|monthly"
    r"|quarterly|yearly|annually)\b|\b(?:every|each|once\s+(?:a|an|per|every)|twice\s+(?:a|an|per))"
    r"\s+(?:other\s+)?(?:minute|hour|day|night|week|weekend|month|quarter|year|morning|evening"
    r"|season)\b"
    # a figure in words, as said aloud: a count of an order of magnitude ("a few thousand changes a
    # week", "two hundred million members"; "millions of users" is no estimate), or a number of a
    # unit of time or a share ("fifty milliseconds", "twenty-four hours", "ten percent")
    rf"|\b(?:a\s+(?:few\s+|couple(?:\s+of)?\s+)?|several\s+|{_CARDINAL}\s+){_MAGNITUDE}"
    rf"(?:\s+{_MAGNITUDE})*+\b"
    rf"|\b{_CARDINAL}(?:[\s-]{_CARDINAL})?\s+(?:milli)?(?:seconds?|minutes?|hours?|days?|weeks?"
    r"|months?|quarters?|years?|percent)\b",
    re.IGNORECASE,
)
# every `QUANTITY` holds a digit, is a cadence or a figure in words, and a cadence ends in "ly" or
# opens on the word "every", "each", "once" or "twice" ("reach" and "everyone" are not searched):
# a text with none cannot state one, and is not searched (half the units of a 1,500-word answer)
_MAY_QUANTIFY = re.compile(
    rf"\d|ly|\b(?:every|each|once|twice)\b|hundred|thousand|illion|dozen|\b{_CARDINAL}\b",
    re.IGNORECASE,
)
_PIECE = re.compile(r"[|:;,\n]|[.!?](?:\s|$)")  # cells, a label and its value, items, sentences
_WORD = re.compile(r"[^\W\d_]{2,}")


def quantities(units: Sequence[Unit]) -> np.ndarray:
    """Per unit: how many `QUANTITY` figures it states of something: a figure with its unit ("24
    hours", "10k") or in a piece of the unit (a cell, a clause between commas or after a label)
    that holds a word beside it ("Train/test split 80/20", "PSI > 0.2"). A bare figure alone in its
    piece ("| cold start | 100% |", "Drift: 10/10") is a mark given to a topic, not a design."""
    out = np.zeros(len(units), dtype=np.float32)
    for i, u in enumerate(units):
        if states_quantity(u.clean):
            out[i] = sum(map(_figures, _PIECE.split(u.clean if "|" not in u.text else u.text)))
    return out


def states_quantity(text: str) -> bool:
    """Whether the text holds a `QUANTITY`."""
    return _MAY_QUANTIFY.search(text) is not None and QUANTITY.search(text) is not None


@functools.lru_cache(maxsize=16384)
def _figures(piece: str) -> int:
    """The figures a piece states of something (cached: a sentence's pieces recur in the word
    windows cut from it)."""
    found = QUANTITY.findall(piece)
    if found and (_WORD.search(QUANTITY.sub(" ", piece)) or any(_WORD.search(q) for q in found)):
        return len(found)
    return 0


# items part at a comma, a semicolon, a line break or a stop before a space ("Kafka. Flink.
# Spark."): a run of one-term sentences is a list too ("0.5" and "e.g." inside an item stay whole)
_ITEM_SEPARATOR = re.compile(r"[,;\n]|[.!?](?=\s|$)")
_ITEM_WORD = re.compile(r"\w\S*")  # a bullet's marker is not a word


def enumeration(text: str) -> bool:
    """A list of ENUMERATION_ITEMS or more items (separated by commas, semicolons, line breaks as
    in a bullet list, or stops as in a run of one-term sentences), mostly bare terms: a line of
    shuffled words, a column of one-word bullets, a paragraph of "Kafka. Flink. Spark.", or a word
    window cut from any of them, says nothing about how any of them is done."""
    items = [len(_ITEM_WORD.findall(item)) for item in _ITEM_SEPARATOR.split(text)]
    items = [n for n in items if n]
    return len(items) >= ENUMERATION_ITEMS and sum(n <= 2 for n in items) >= (
        ENUMERATION_BARE * len(items)
    )


KEYWORD_LIST_ITEMS = 5  # a comma list this long, of bare terms, most of them rubric keywords,
KEYWORD_LIST_SHARE = 0.5  # ... this share at least, is a list of buzzwords whatever its topics
_COMMA = re.compile(r"\s*,\s*")


def keyword_list(u: Unit, lexicons: Mapping[str, TopicLexicon]) -> bool:
    """A comma list of KEYWORD_LIST_ITEMS or more items, nearly all bare terms (one or two words,
    ENUMERATION_BARE of them), at least KEYWORD_LIST_SHARE of which name a rubric keyword:
    "Kubernetes, autoscaling, GPUs, serverless, caching, sharding, load balancers, CDN" names one
    topic's terms and says nothing of any, though it lists fewer topics than a buzzword list of
    topics and fewer items than an `enumeration`. A list of concrete things ("age, country, device,
    time of day, recent clicks") names no keyword and is not one."""
    items = [t for t in _COMMA.split(u.clean) if t.strip()]
    if len(items) < KEYWORD_LIST_ITEMS:
        return False
    if sum(len(_ITEM_WORD.findall(t)) <= 2 for t in items) < ENUMERATION_BARE * len(items):
        return False
    found = naming_masks(lexicons, items)
    named = sum(any(m[k] for m in found.values()) for k in range(len(items)))
    return named >= KEYWORD_LIST_SHARE * len(items)


# a sentence of this many items naming a topic each is a list of them whatever words
# lead into it ("We will use MLOps best practices: CI/CD, model registry, A/B testing, canary
# deployment, shadow mode, monitoring, drift detection, ..."); counted as topics rather than
# items, at 6 the development sets' polished answers lost Spearman 0.919 -> 0.897; as items, at 8,
# no choice figure moved
MANY_TOPICS = 8
MANY_SHARE = 0.5  # ... when they are this share of its items at least
MANY_WORDS = 60  # ... in a sentence this long at most
WINDOW_IN_LIST = 0.5  # a word window this much inside lists is a piece of them


def listy_units(
    units: list[Unit],
    unit_tokens: list[set[str]],
    named: list[np.ndarray],
    vocabulary: frozenset[str],
    cal: Calibration,
    lexicons: Mapping[str, TopicLexicon] | None = None,
) -> np.ndarray:
    """Mask of units that are buzzword lists: several topics named (`named`: per topic, the units
    naming it) and almost nothing else said, a long enumeration of bare terms, whatever the
    terms, or a shorter one of rubric keywords (`keyword_list`, with `lexicons`), or a sentence
    listing MANY_TOPICS topics as items of their own whatever leads into them: naming is not
    explaining. Every unit is judged with the list it was cut from too: a
    word window holds only a few items of a long column of one-word bullets, a line of a record
    pasted as code (`"camera_id": "cam_top_2",`) one, and neither is less a piece of that list for
    it; the report lists the whole list as buzzwords, so no piece of it is quoted as evidence."""
    mask = np.zeros(len(units), dtype=bool)
    listed: dict[str, bool] = {}
    for i, (u, tokens) in enumerate(zip(units, unit_tokens)):
        if u.block not in listed:
            listed[u.block] = enumeration(u.block)
        if (
            listed[u.block]
            or enumeration(u.text)
            or (lexicons is not None and keyword_list(u, lexicons))
        ):
            mask[i] = True
            continue
        own = unheaded(u)
        if own != u.clean:  # what the line says, not the label saying what it is about
            tokens = content_tokens(own)
        if len(tokens & vocabulary) < cal.listy_density * max(len(tokens), 1):
            # says more than rubric terms: the cheap test first; but a sentence listing many
            # topics, each an item of its own, lists them whatever words lead into the list
            if lexicons is not None and MANY_TOPICS <= len(tokens) and u.words <= MANY_WORDS:
                # a sentence, most of its items a topic each: a run of unpunctuated speech, one
                # long "sentence", names many topics among far more items and words, and a design
                # sentence several in a few items ("batch features (computed daily in Spark)")
                items = [t for t in _ITEM_BREAK.split(u.clean) if t.strip()]
                if len(items) >= MANY_TOPICS:  # fewer items name fewer topics: no lexicon read
                    found = naming_masks(lexicons, items)
                    topical = sum(any(m[k] for m in found.values()) for k in range(len(items)))
                    mask[i] = topical >= MANY_TOPICS and topical >= MANY_SHARE * len(items)
            continue
        if states_quantity(u.clean):
            continue  # a quantity is a decision, not a name ("Retrain weekly on 30 days of data")
        topics = (m for m in named if m[i])
        mask[i] = sum(1 for _ in itertools.islice(topics, cal.listy_components)) >= (
            cal.listy_components
        )
        if mask[i] and lexicons is not None:
            mask[i] = listed_topics(u, lexicons) >= cal.listy_components
    return mask | _cut_from_lists(units, mask)


def _cut_from_lists(units: list[Unit], lists: np.ndarray) -> np.ndarray:
    """The word windows that lie mostly (WINDOW_IN_LIST of their characters) inside sentences,
    bullets or rows read as lists: cut from a list, they are pieces of it, whatever items they
    happen to hold ("registry, A/B testing, canary deployment, shadow mode, monitoring, ...")."""
    windows = np.array([u.is_window for u in units], dtype=bool)
    whole = np.flatnonzero(lists & ~windows)
    out = np.zeros(len(units), dtype=bool)
    if not len(whole):
        return out
    starts = np.array([units[j].start for j in whole])
    ends = np.array([units[j].end for j in whole])
    for i in np.flatnonzero(windows & ~lists):
        u = units[i]
        inside = np.clip(np.minimum(ends, u.end) - np.maximum(starts, u.start), 0, None).sum()
        out[i] = inside >= WINDOW_IN_LIST * (u.end - u.start)
    return out


# where a list's items part: a comma, semicolon, colon, plus, slash or ampersand, "and", "or"
_ITEM_BREAK = re.compile(r"\s*[,;:+/&]\s*|\s+(?:and|or)\s+", re.IGNORECASE)
# words that relate one term to another ("PSI on features", "logistic regression on the features
# above", "XGBoost with class weights"): an item saying one acts on another is one choice
_RELATES = re.compile(
    r"\b(?:on|over|with|via|using|per|by|from|into|against|within|across|after|before|at|is|are)\b",
    re.IGNORECASE,
)
RELATED_TOPICS = 2  # an item relating more topics than this is still a list of them
# a line's label: a short lead before a colon ("Candidate generation (recall): ..."), group 1
LINE_LABEL = re.compile(r"^\W{0,4}([A-Za-z][\w /&()+-]{1,40}?)\W{0,2}\s*:\s+(?=\S)")
LABEL_WORDS = 4  # a lead this short before a colon is a line's label
THING_WORDS = (
    4  # a part of an item this short naming two topics names one thing: "a LightGBM ranker"
)


def unheaded(u: Unit) -> str:
    """A unit's words without what heads them: its section heading read in front of a short note
    ("Monitoring: PSI on features"), or the line's own label ("Candidate generation: a two-tower
    model", "Risks: drift, fairness and privacy"), which says what the line is about."""
    own = u.clean
    if u.heading and own.startswith(u.heading + ": "):
        return own[len(u.heading) + 2 :]
    lead = LINE_LABEL.match(own)
    return own[lead.end() :] if lead and len(lead.group(1).split()) <= LABEL_WORDS else own


def listed_topics(u: Unit, lexicons: Mapping[str, TopicLexicon]) -> int:
    """How many topics a unit lists: its items (between commas, "and", a label's colon...) each
    name theirs, but an item that relates its terms ("PSI on features") makes one choice, not a
    list. A short note's section heading, read in front of it ("Monitoring: PSI on features +
    score"), or the line's own label, says where the note is, not what it lists (`unheaded`)."""
    items = [t for t in _ITEM_BREAK.split(unheaded(u)) if t.strip()]
    found = naming_masks(lexicons, items)
    count = 0
    for k, item in enumerate(items):
        topics = sum(bool(m[k]) for m in found.values())
        related = _RELATES.search(item) and (
            topics <= RELATED_TOPICS or _related_things(item, lexicons) <= RELATED_TOPICS
        )
        count += min(topics, 1) if related else topics
    return count


def _related_things(item: str, lexicons: Mapping[str, TopicLexicon]) -> int:
    """How many things an item relating its terms names: its parts between the relating words
    that name a topic, a short part naming two ("a LightGBM ranker": a model, and what it does)
    being one thing ("a LightGBM ranker with a LambdaRank loss" names two); a longer part, or
    one naming more, is as many things as the topics it names."""
    parts = [p for p in _RELATES.split(item) if p.strip()]
    found = naming_masks(lexicons, parts)
    things = 0
    for j, part in enumerate(parts):
        topics = sum(bool(m[j]) for m in found.values())
        short = len(_ITEM_WORD.findall(part)) <= THING_WORDS and topics <= 2
        things += min(topics, 1) if short else topics
    return things


@dataclass(frozen=True)
class Features:
    """What the score is computed from, for one component of one answer."""

    per_cue: np.ndarray  # best adjusted similarity of each cue over all units
    per_unit: np.ndarray  # best adjusted similarity of each unit over all cues
    keyword_units: np.ndarray  # mask: units that contain one of the topic's keywords
    support: np.ndarray | None = None  # distinct units about the component, best first (depth)


# Words that name, promise or rank a topic without saying how it is done: "we will handle cold
# start, privacy and drift", "privacy is important", "| drift | yes |". With the rubric's own terms
# they are all such a unit says.
NAMING_WORDS = frozenset(
    """handle handles handled handling address addresses addressed addressing cover covers covered
    covering consider considers considered considering consideration considerations think thinking
    thought need needs needed plan plans planned planning look looking looked mention mentions
    mentioned discuss discussed discussing deal deals dealt dealing tackle tackles tackled tackling
    manage manages managed managing include includes included including care watch watching keep
    kept mind worry worried important crucial critical key essential necessary relevant aspect
    aspects issue issues concern concerns topic topics item items point points area areas part parts
    yes yep todo tbd later etc various several other others different proper properly appropriate
    appropriately ensure ensures ensuring account accounts accounted remember forget careful
    definitely obviously course talk talked place eye eyes attention pay paying worth deserve
    deserves deserving focus focusing focused big deal radar mindful aware awareness throughout
    matter matters mattered significant priority priorities top besides additionally moreover
    furthermore bear note noted noting flag flagged revisit must might may something anything
    everything""".split()  # "drift is a concern we must keep in mind" says nothing of drift
)
PROMISE_WORDS = frozenset(
    # promises that a thing will be good, big, fast, frequent or done well without saying how,
    # how much or how often: "class imbalance will be handled using advanced techniques", "the
    # model will be retrained regularly to ensure optimal performance". Stock praise,
    # unquantified qualities and frequencies, and verbs of improvement. Words more often a
    # specific in real answers stay out: "high"/"low" ("block at high confidence", "a lower
    # weight"), "unbiased" evaluation, the "latest" window, "standard" deviation, how "often",
    # "fully" connected, "end-to-end", "optimise expected loss".
    """advanced sophisticated modern cutting-edge state-of-the-art world-class industry-standard
    practice practices optimal performance performant powerful robust robustly seamless
    seamlessly efficient efficiently effective effectively accurate accurately reliable reliably
    quality significantly greatly substantially maximize maximise minimize minimise improve
    improves improved improving improvement enhance enhanced leverage leverages leveraging utilize
    utilise utilized utilizes regularly periodically frequently continuously continually
    constantly occasionally routinely timely scalable scalability production-ready complete
    comprehensive holistic fair responsible responsibly compliance compliant secure securely safe
    safely""".split()
)
# verbs of a goal, and the words that wrap one: what a step is for, not how it gets there. "We
# will detect drift by monitoring for drift", "we will prevent feedback loops by breaking the
# loop" and "we will protect privacy by following best practices" name their topics twice and
# explain neither; "detect drift with a daily PSI check" explains by its other words
GOAL_WORDS = frozenset(
    """detect detects detected detecting prevent prevents prevented preventing avoid avoids
    avoided avoiding protect protects protected protecting mitigate mitigates mitigated
    mitigating stop stops stopped stopping solve solves solved solving comply complies complied
    complying follow follows followed following break breaks breaking strategy strategies
    approach approaches designed making best carefully""".split()
)
NAMING_WORDS = NAMING_WORDS | PROMISE_WORDS | GOAL_WORDS


# the promises that also name a topic, and say it in a design that does ("keep user data safe by
# encrypting it at rest", "track model performance per slice"): no sign of a claim by themselves
TOPIC_PROMISES = frozenset(
    "performance quality fair compliance compliant secure securely safe safely".split()
)
# pledges and intensifiers: how much a team cares, not what it does ("we take privacy extremely
# seriously", "data protection is paramount"); signs of a claim only, never a name for nothing
# (not in NAMING_WORDS). In the choice answers' claim-like passages they mark one word window
# ("shown to work extremely well for recommendation"); "dedicated" (a team assigned) stays out
PLEDGE_WORDS = frozenset(
    """extremely seriously committed commitment deeply truly exceptional exceptionally
    paramount utmost tirelessly unparalleled unmatched innovative next-generation empower empowers
    empowering excellence excellent outstanding best-in-class""".split()
)
PRAISE_WORDS = (PROMISE_WORDS - TOPIC_PROMISES) | PLEDGE_WORDS


def promising(units: Sequence[Unit]) -> np.ndarray:
    """Per unit: whether it says a word of promise or praise (`PRAISE_WORDS`: "robust",
    "scalable", "regularly", "state-of-the-art", "extremely seriously"; not "secure" or
    "performance", which name topics as often)."""
    return np.array([bool(content_tokens(u.text) & PRAISE_WORDS) for u in units], dtype=bool)


def claim_signs(units: Sequence[Unit], figures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, what `claimed` reads from its words alone: whether it states a figure
    (`figures`, less its stock ones) or a number in words, and whether it makes a promise
    (`promising`)."""
    return (figures - stock_figures(units) > 0) | numbered(units), promising(units)


def claimed(
    margins: np.ndarray,
    units: Sequence[Unit],
    figures: np.ndarray,
    counted: np.ndarray,
    cal: Calibration,
    signs: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Per unit: whether it is a claim, which earns nothing. A unit is claim-like when it states
    no figure (`quantities`) and its best cue similarity is less than `claim_margin` above its best
    similarity to the knowledge base's vague claims (`margins`: the first less the second): "our
    platform delivers robust monitoring of model performance" reads like "monitor model
    performance and data drift" more than like any design that says how. It is a claim when it
    makes a promise (`promising`), or when the `counted` sentences, bullets and rows that are
    claim-like hold `claim_share` of their words: an answer made of claims is read as one, and
    "Historical outcomes provided the labels" there claims as much as its neighbours (an answer of
    fewer than CLAIMS_READ_WHOLE passages is read passage by passage). A note with a figure or a
    number in words ("retrain monthly", "every month", "hold out 10% of buildings", "cap them at
    ten messages")
    is never a claim, though a stock figure ("24/7", "100%") spares none. A word window inside a
    claimed sentence is one; a window may also read as a claim on its own, its sentence not.
    `signs`: the units' `claim_signs`, when already read."""
    stated, promises = claim_signs(units, figures) if signs is None else signs
    like = (margins < cal.claim_margin) & ~stated
    words = np.array([u.words for u in units], dtype=float)
    total = float(words[counted].sum())
    made_of_claims = (
        int(counted.sum()) >= CLAIMS_READ_WHOLE
        and float(words[counted & like].sum()) >= cal.claim_share * total
    )
    claims = like if made_of_claims else like & promises
    # a word window inside a claimed sentence claims what it does
    spans = [(u.start, u.end) for u, c in zip(units, claims) if c and not u.is_window]
    for i, u in enumerate(units):
        if u.is_window and any(s <= u.start and u.end <= e for s, e in spans):
            claims[i] = True
    return claims


# the words by which a passage speaks of its author's own design: "we", "I'd", "our", "let's"
# ("i.e." is no "I"; "US" no "us"), or a sentence opening on a part of it: "The model is
# retrained every month", "This score ...", where a general statement says "Models" or "A model"
_COMMITTING = re.compile(r"\b(?:[Ww]e|[Oo]urs?|us|[Mm]y|[Ll]et's|I(?!\.\w))\b")
_DEFINITE = re.compile(r"^\W*(?:[Tt]he|[Tt]his|[Tt]hese|[Tt]hat|[Tt]hose|[Ii]ts|[Tt]heir)\s")


# the shapes of a general statement about a term: a gloss ("Data drift: a change in ..."), a
# definition ("Skew is a mismatch ...", "A feedback loop occurs when ...", "so drift is basically
# when ...") and a reason it matters ("Fairness is a real concern ...", "Cost matters ...")
_LEAD = r"^\W*(?:(?:so|and|and then|well|ok|okay)\W+)?(?:(?:a|an)\s+)?"
_TERM = r"[A-Za-z][\w\-/()' ]{0,60}?"
_DEFINING = re.compile(
    _LEAD
    + _TERM
    + r"(?:\W*\s*(?::|\u2014|\u2013|\s-)\s*"
    + r"(?:(?:a|an)\s+(?!(?-i:[A-Z0-9]|\w*[A-Z]))"  # "a change ...", not "an LSTM" (a choice)
    + r"|the\s+(?:[a-z-]+\s+){1,3}?(?:of|between|that|which|in which|where|when|by which)\s"
    + r"|(?-i:[a-z-]+s)\s+(?:that|which|who|whose|where|when)\s)"  # "outcomes that ..."
    + r"|,?\s+(?:is|are|'s)\s+(?:basically\s+|just\s+|essentially\s+|simply\s+|really\s+)?"
    + r"(?:a|an|the|when|where|what|how|about|one of|any|something)\s"
    + r"|\s+(?:means|refers to|describes|occurs when|happens when|arises when|matters|matter)\b"
    + r"|\s+(?:is|are)\s+(?:important|essential|critical|crucial|vital|key|necessary|dangerous"
    + r"|a (?:real |known |common |major |big |serious |constant )?(?:concern|danger|risk|problem"
    + r"|issue|challenge|threat)))",
    re.IGNORECASE,
)


def defining(units: Sequence[Unit]) -> np.ndarray:
    """Per unit: whether it has the shape of a general statement about a term (`_DEFINING`): a
    gloss, a definition or a reason the term matters."""
    return np.array([bool(_DEFINING.match(without_markup(u.text))) for u in units], dtype=bool)


def committed(units: Sequence[Unit]) -> np.ndarray:
    """Per unit: whether it speaks of its author's own design ("we compare ...", "I'd log ...",
    "our labels ...", "The output is a probability ..."), as a definition or a textbook's reason
    never does. A word window is read by its words alone (it opens mid-sentence)."""
    return np.array(
        [
            bool(
                _COMMITTING.search(u.text)
                or (not u.is_window and _DEFINITE.match(without_markup(u.text)))
            )
            for u in units
        ],
        dtype=bool,
    )


def defined(
    margins: np.ndarray,
    units: Sequence[Unit],
    stated: np.ndarray,
    cal: Calibration,
) -> np.ndarray:
    """Per unit: whether it says what a topic is or why it matters in general instead of what the
    design does, which earns nothing: it has the shape of one (`defining`), states no figure
    (`stated`, `claim_signs`), speaks of no design of its author's (`committed`), and its best
    cue similarity is less than
    `definition_margin` above its best similarity to the knowledge base's general statements
    (`margins`: the first less the second). "Data drift: a change over time in the distribution
    of the inputs a model receives" and "Feedback loops are a known danger in recommendation"
    read like a glossary and a textbook, not like "we compare each feature's weekly distribution
    with training". A word window is one inside a defining sentence, or when it reads as one,
    reaches into one and into nothing that decides (a window joining a definition to a decision
    decides)."""
    like = (margins < cal.definition_margin) & ~stated & ~committed(units)
    windows = np.array([u.is_window for u in units], dtype=bool)
    found = like & ~windows
    sentences = np.flatnonzero(found)  # the shape is read only where the rest holds
    found[sentences] = defining([units[i] for i in sentences])
    if not found.any():  # a window is one only where a sentence it reaches into is
        return found
    whole = [(u.start, u.end, d, k) for u, d, k, w in zip(units, found, like, windows) if not w]
    for i, u in enumerate(units):
        if u.is_window:
            overlapped = [(d, k) for s, e, d, k in whole if s < u.end and u.start < e]
            inside = any(d and s <= u.start and u.end <= e for s, e, d, _ in whole)
            found[i] = inside or (
                bool(like[i]) and any(d for d, _ in overlapped) and all(k for _, k in overlapped)
            )
    return found


# a number said in words ("ten messages", "every two weeks"): how many is said, in no digit
# ("millions of viewers", "dozens of signals" say no number)
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
    thousand million billion dozen""".split()
)
# figures of speech: "available 24/7", "100% compliance" praise, and measure nothing
_STOCK_FIGURE = re.compile(r"(?<![\w.])(?:24\s?/\s?7|24\s?x\s?7|1[01]0\s?(?:%|percent\b))", re.I)


def stock_figures(units: Sequence[Unit]) -> np.ndarray:
    """Per unit: how many stock figures it says ("24/7", "100%")."""
    return np.array([len(_STOCK_FIGURE.findall(u.text)) for u in units], dtype=np.float32)


CLAIMS_READ_WHOLE = 8  # an answer of fewer counted passages is read passage by passage


def numbered(units: Sequence[Unit]) -> np.ndarray:
    """Per unit: whether it says a number in words ("cap them at ten messages")."""
    return np.array(
        [not _NUMBER_WORDS.isdisjoint(plain_words(u.text).split()) for u in units], dtype=bool
    )


def _said(token: str) -> bool:
    """A content token that says something: not a contraction of function words ("we'll", "don't";
    a possessive such as "user's" keeps its word)."""
    head = token.split("'")[0]
    return head == token or not (head in STOPWORDS or token.endswith("n't"))


DOMAIN_MIN_DF = 2  # a word used in this many paragraphs of the knowledge base is design language


def domain_vocabulary(paragraphs: list[str], min_df: int = DOMAIN_MIN_DF) -> frozenset[str]:
    """Content words used in at least `min_df` of the paragraphs (the knowledge base's notes and
    cues): the language in which designs are explained, as against everyday words."""
    counts = Counter(t for p in paragraphs for t in content_tokens(p))
    return frozenset(t for t, n in counts.items() if n >= min_df)


def explaining(
    units: list[Unit],
    vocabulary: frozenset[str] | RubricTerms,
    domain: frozenset[str] | None = None,
    figures: np.ndarray | None = None,
) -> np.ndarray:
    """Per unit: whether it says something beyond naming topics, in its own words (a table row's
    cells, not its header): a content word that is neither a rubric term (in `vocabulary`, or as
    `RubricTerms` reads the unit) nor one of NAMING_WORDS and is design language (in `domain`; any such word when it is None), or a figure (`figures`, by
    default `quantities`: "Train/test split 80/20" names only rubric terms, and says how much).
    Only such a unit can make a topic's keyword count: naming is not explaining, and the idiom
    around a list of topics ("let's not overlook feedback loops", "all must-haves", "on my radar")
    is everyday language, not a mechanism. Nor does a unit that asks (`asking`)."""
    out = []
    for u in units:
        tokens = content_tokens(u.text)
        named = vocabulary(tokens) if isinstance(vocabulary, RubricTerms) else vocabulary
        said = {t for t in tokens - named - NAMING_WORDS if _said(t)}
        out.append(bool(said if domain is None else said & domain))
    figures = quantities(units) if figures is None else figures
    return (np.array(out, dtype=bool) | (figures > 0)) & ~asking(units)


# a question: a question mark closing the unit, which opens (past a list marker, a label or a
# word such as "so") with a word that asks; "..., or interleaving first?" and "a GBDT ranker
# (isotonic?)" are designs with a doubt at their end
_ASKS = re.compile(r"[?\uff1f][\s*_\"'\u201d]*$")
# a statement with a tag asking for assent ("..., right?", "..., okay?"), as speech ends many
_TAG = re.compile(
    r"[,;\s-](?:right|okay|ok|yeah|yes|no|correct|agreed|you\s+know|make\s+sense|makes\s+sense"
    r"|does\s+that\s+make\s+sense|is\s+that\s+(?:ok|okay|fine|right)|isn'?t\s+it|don'?t\s+we"
    r"|won'?t\s+it|yeah\s+right)[\s.]*[?\uff1f][\s*_\"'\u201d]*$",
    re.IGNORECASE,
)
QUESTION_WORDS = 25  # a longer "question" is a statement said with a rising voice
_ASKING_START = re.compile(
    r"^[\W\d]*(?:[^\W\d][\w /&'-]{0,40}:\s*)?(?:(?:so|and|but|also|then|ok|okay|now|next|and\s+then)"
    r"\W+)?(?:how|what|why|when|where|which|who|whom|whose|is|are|was|were|do|does|did|can|could"
    r"|should|would|will|shall|has|have|had|may|might|must|isn't|aren't|don't|doesn't|any)\b",
    re.IGNORECASE,
)


def asking(units: list[Unit]) -> np.ndarray:
    """Per unit: whether it asks rather than says: a sentence of at most QUESTION_WORDS words that
    opens with a word that asks and ends in a question mark, not in a tag asking for assent ("...
    every week, right?"), or a word window mostly made of such sentences. A question names its
    topics without saying how any is done ("Is there an A/B testing platform, and how long do
    tests run?", among the questions a candidate lists as asked of the interviewer, had online
    testing covered 66), so it does not explain; a rhetorical question's own answer, in the
    sentence after it, still does."""
    asked = {
        (u.start, u.end)
        for u in units
        if not u.is_window
        and u.words <= QUESTION_WORDS
        and _ASKS.search(u.text)
        and _ASKING_START.match(u.text)
        and not _TAG.search(u.text)
    }
    out = np.zeros(len(units), dtype=bool)
    for i, u in enumerate(units):
        if not u.is_window:
            out[i] = (u.start, u.end) in asked
        elif asked:
            out[i] = 2 * sum(n for s, e, n in u.parts if (s, e) in asked) > u.words
    return out


def substance(
    unit_tokens: list[set[str]], vocabulary: frozenset[str], figures: np.ndarray | None = None
) -> np.ndarray:
    """Per unit: how many content words it says beyond the rubric's own terms and NAMING_WORDS
    (words that name, promise or praise say nothing about how a thing is done: "we will monitor
    for data drift using industry-standard tools" says as little as "data drift"), plus its
    `figures` when given (`quantities`: "80/20" says how much, in no word)."""
    said = np.array(
        [len(toks - vocabulary - NAMING_WORDS) for toks in unit_tokens], dtype=np.float32
    )
    return said if figures is None else said + figures


def features(
    sims: np.ndarray,
    substance: np.ndarray,
    keyword_units: np.ndarray,
    excluded: np.ndarray,
    cal: Calibration,
) -> Features:
    """Adjust the unit-by-cue similarities for substance and buzzword lists, then reduce them."""
    n_units, n_cues = sims.shape
    if n_units == 0 or n_cues == 0:
        return Features(np.full(n_cues, -1.0), np.full(n_units, -1.0), keyword_units)
    penalty = cal.substance_penalty * (1.0 - np.minimum(1.0, substance / cal.substance_words))
    adjusted = sims - penalty[:, None]
    adjusted[excluded] = -1.0
    return Features(adjusted.max(axis=0), adjusted.max(axis=1), keyword_units)


def cue_credit(per_cue: np.ndarray, cue_match: float, cue_soft: float) -> np.ndarray:
    """How many cues are matched (along the last axis): 1 per cue at or above cue_match + cue_soft,
    0 below cue_match - cue_soft, a linear ramp in between (a hard count when cue_soft is 0)."""
    if cue_soft <= 0:
        return (per_cue >= cue_match).sum(axis=-1).astype(float)
    return np.clip((per_cue - cue_match + cue_soft) / (2 * cue_soft), 0.0, 1.0).sum(axis=-1)


CLOSE_CUES = 4  # how many of a component's cues a unit's closeness to it averages


def closeness(sims: np.ndarray, k: int = CLOSE_CUES) -> np.ndarray:
    """Per unit (row), the mean of its k best similarities to a component's cues (columns): how
    near the component it reads as a whole. A component's maximum rewards one chance phrase near
    one of its many cues, and a component with more cues has more such chances; on the development
    set's 969 units inside exactly one component's labelled spans, the component a unit reads most
    like by this measure is the labelled one for 0.569 of them, 0.503 by the maximum."""
    n_units, n_cues = sims.shape
    if not n_cues:
        return np.full(n_units, -1.0)
    k = min(max(k, 1), n_cues)
    return np.sort(sims, axis=1)[:, n_cues - k :].mean(axis=1)


DEPTH_UNITS = 12  # the most distinct supporting units anyone needs to count


def _overlap(a: Unit, b: Unit) -> bool:
    """Whether two units share any of the answer's characters (a window inside a sentence)."""
    return a.start < b.end and b.start < a.end


def distinct_support(per_unit: np.ndarray, units: list[Unit], candidates: np.ndarray) -> np.ndarray:
    """Similarities of the distinct units that support a component, best first: a unit is skipped
    when it overlaps one already counted (a window inside a counted sentence), so each stretch of
    the answer counts once. `candidates` masks the units that may count (owned by the component,
    not excluded, not repeating an earlier part of the answer)."""
    taken = _distinct(per_unit, units, np.flatnonzero(candidates), DEPTH_UNITS)
    return np.array([per_unit[i] for i in taken], dtype=float)


def _distinct(score: np.ndarray, units: list[Unit], indices, limit: int | None = None) -> list[int]:
    """Of the units at `indices`, best `score` first (ties by position), those that share no
    character with one already taken: each stretch of the answer once; at most `limit`."""
    taken: list[int] = []
    for i in sorted(indices, key=lambda i: (-score[i], i)):
        if any(_overlap(units[i], units[j]) for j in taken):
            continue
        taken.append(int(i))
        if len(taken) == limit:
            break
    return taken


def said_units(
    sims: np.ndarray,
    units: list[Unit],
    about: np.ndarray,
    cal: Calibration,
    named: np.ndarray | None = None,
) -> list[int]:
    """The passages that say something about a component: its distinct sentences, bullets and rows
    among `about` (owned by it, counted, not repeats, saying more than topic names) whose closest
    cue similarity (a row of `sims`) is at least evidence_min or, with `named`, that name its
    topic however close their words come to its cues ("The business goal is larger baskets and
    fewer 'I forgot the milk' second orders", 0.27 from the nearest cue, had said nothing about
    the business objective); each stretch of the answer once. A sentence longer than QUOTE_WORDS
    (unpunctuated speech, where it may be the whole answer) is read by its word windows, each
    owned by the component it reads like, as quotes are. The similarity is read before the
    penalty for saying little beyond rubric terms: a list of the metrics to report is short on
    other words, yet says what evaluation is; "explains" already keeps out a line that only
    names topics."""
    closest = sims.max(axis=1) if sims.size else np.full(len(units), -1.0)
    if named is not None:
        closest = np.where(named, np.maximum(closest, cal.evidence_min), closest)
    long = [(u.start, u.end) for u in units if not u.is_window and u.words > QUOTE_WORDS]

    def readable(u: Unit) -> bool:
        inside = any(s <= u.start and u.end <= e for s, e in long)
        return inside if u.is_window else u.words <= QUOTE_WORDS

    eligible = [
        i for i in np.flatnonzero(about) if closest[i] >= cal.evidence_min and readable(units[i])
    ]
    return _distinct(closest, units, eligible)


def words_said(
    sims: np.ndarray,
    units: list[Unit],
    about: np.ndarray,
    cal: Calibration,
    named: np.ndarray | None = None,
) -> int:
    """How much the answer says about a component (`said_words` in the report): the words of
    its `said_units`."""
    return sum(units[i].words for i in said_units(sims, units, about, cal, named))


def depth_credit(support: np.ndarray, depth_min: float, depth_full: int) -> np.ndarray:
    """Share of depth_full distinct supporting units at or above depth_min (last axis)."""
    return np.minimum((support >= depth_min).sum(axis=-1), depth_full) / depth_full


def score_features(f: Features, cal: Calibration) -> tuple[int, int, bool]:
    """(score, cues matched, keyword seen in a relevant unit) from the features."""
    top = float(f.per_cue.max()) if f.per_cue.size else -1.0
    semantic = float(np.clip((top - cal.sim_low) / (cal.sim_high - cal.sim_low), 0.0, 1.0))
    matched = int((f.per_cue >= cal.cue_match).sum())
    breadth = (
        min(float(cue_credit(f.per_cue, cal.cue_match, cal.cue_soft)), cal.breadth_full)
        / cal.breadth_full
    )
    keyword_seen = bool((f.keyword_units & (f.per_unit >= cal.sim_low)).any())
    depth = (
        float(depth_credit(f.support, cal.depth_min, cal.depth_full))
        if f.support is not None and cal.w_depth
        else 0.0
    )
    total_w = cal.w_semantic + cal.w_breadth + cal.w_lexical + cal.w_depth
    raw = (
        cal.w_semantic * semantic
        + cal.w_breadth * breadth
        + cal.w_lexical * keyword_seen
        + cal.w_depth * depth
    ) / total_w
    return int(round(100 * raw)), matched, keyword_seen


def referenced(score: int, reference_lead: float, cal: Calibration) -> int:
    """A score raised by `w_reference` x 100 points per unit of `reference_lead` (the answer
    reads like what readers marked for the component in other answers), up to 100; a score of 0
    (nothing near the component's cues) stays 0."""
    if score <= 0 or reference_lead <= 0 or not cal.w_reference:
        return score
    return min(100, score + int(round(100 * cal.w_reference * reference_lead)))


def presence(score: int, said: int, cal: Calibration) -> int:
    """A final score raised to partial_at when the answer says something about the component
    (`said`, its `said_words`, above 0) and the score is within `said_margin` of the cut-off."""
    if said and cal.partial_at - cal.said_margin <= score < cal.partial_at:
        return cal.partial_at
    return score


def shift(score, offset):
    """A component's fitted offset applied to a score (scalars or arrays): the prior of how real
    answers word that component. The shift is `offset` points at a score of 50 and fades to none
    at 0 and at 100 (offset x 4p(1 - p), p = score / 100), so scores keep their order (|offset| <=
    25), a faint similarity stays faint, and nothing said stays nothing."""
    s = np.asarray(score, dtype=float)
    p = s / 100.0
    return np.round(s + np.asarray(offset, dtype=float) * 4.0 * p * (1.0 - p))


def status_for(score: int, cal: Calibration) -> str:
    return (
        "covered"
        if score >= cal.covered_at
        else "partial"
        if score >= cal.partial_at
        else "missing"
    )


# a passage naming a component's topic, owned by another, is quoted for it only when it reads
# within this much as close to it as to its owner: about both (closeness, `grading.leads`)
QUOTE_TIE = 0.02


def quote_order(
    per_unit: np.ndarray,
    units: list[Unit],
    named: np.ndarray,
    own: np.ndarray | None,
    cal: Calibration,
    rank: np.ndarray | None = None,
    said: Sequence[int] = (),
    lead: np.ndarray | None = None,
) -> list[int]:
    """The units a present component may quote, best first. Candidates are the units that name its
    topic (`named`: its keyword, in a unit near it that explains) and those at least evidence_min
    close (`per_unit`). Those that read most like this component of all (`own`) are quoted: a
    feature list is evidence for features, not for the baseline it happens to resemble. Among
    them, a unit that names the topic comes first (it is where a reader points), whole sentences
    before word windows, then the highest `rank` (`judge` ranks by the units' `closeness` to the
    component, read from the similarities before the penalty for saying little beyond rubric
    terms, which decides only who is a candidate, plus their `grading.leads` over every other
    component: the passage most about it; `per_unit` when None).
    A quote is a passage about the component: when no candidate is its own, only units naming its
    topic that read within QUOTE_TIE as much like it as like the component owning them (its
    `lead`, `grading.leads`; any unit naming it when None) are quoted, and with none of those the
    passages counted in its `said` words (its own, explaining, near it before the penalty for
    rubric terms: "About 6% of orders miss, so we weight the positive class" credited class
    imbalance and was not shown; of 9 such quotes on the development sets 5 fell inside a
    labelled span), else nothing is: a close sentence another component owns, or the closest
    unit of all, is not evidence a reader would accept (0.32 and 0.5 of such first quotes fell
    inside the component's labelled spans on the development set, against 0.76 of owned ones),
    nor is one that names its topic but reads clearly more like another ("We retrain daily in a
    batch pipeline with Airflow" quoted for data sources; without those, evidence precision rose
    0.725 -> 0.756 and 0.678 -> 0.714 on the two development sets, 0.771 and 0.710 with no unit
    naming it quoted at all, 0.749 and 0.704 within 0.05). On those spans, 0.515 of quotes
    overlapped one when the closest unit came first, 0.626 with named units first whoever owned
    them, 0.685 with owned units first, 0.712 then; later 0.697 ranked by closeness alone, 0.706
    with the lead."""
    rank = per_unit if rank is None else rank
    mine = own if own is not None else np.ones(len(units), dtype=bool)
    found = np.union1d(np.flatnonzero(named), np.flatnonzero(per_unit >= cal.evidence_min))
    if mine[found].any():
        found = found[mine[found]]
    else:
        tied = named[found] if lead is None else named[found] & (lead[found] >= -QUOTE_TIE)
        found = found[tied]
    if not len(found):
        found = np.asarray(said, dtype=int)
    order = sorted(map(int, found), key=lambda i: (not named[i], units[i].is_window, -rank[i], i))
    return list(dict.fromkeys(_pointed(i, rank, units, named) for i in order))


def _pointed(i: int, rank: np.ndarray, units: list[Unit], named: np.ndarray) -> int:
    """The unit a quote points at: a sentence itself, unless it runs past QUOTE_WORDS words
    (unpunctuated speech), which would quote a page of the answer, or all of it; then its word
    window closest to the component (highest `rank`). A word window across the lines of a list
    points at the line (a bullet, a note) inside it that names the component's topic, the closest
    of them: a reader points at "- privacy: GDPR, no health data", not at the end of the line
    above and that one. Without such a line the window stays (shown without the pieces of lines
    its cut left: `grading.quote_span`): the closest line alone was another bullet than the
    one a reader marked more often than the window missed it (development evidence 0.702 -> 0.692,
    against 0.697 this way)."""
    u = units[i]
    if u.is_window and "\n" in u.text.strip():
        held = {(s, e): n for s, e, n in u.parts}  # a line's unit: how many of its words are held
        lines = [
            j
            for j, w in enumerate(units)
            if not w.is_window
            and named[j]
            and "\n" not in w.text
            and 2 * held.get((w.start, w.end), 0) >= w.words
        ]
        if lines:
            return max(lines, key=lambda j: (rank[j], -j))
    if u.is_window or u.words <= QUOTE_WORDS:
        return i
    inside = [
        j for j, w in enumerate(units) if w.is_window and u.start <= w.start and w.end <= u.end
    ]
    return max(inside, key=lambda j: (rank[j], -j)) if inside else i


def judge(
    sims: np.ndarray,
    units: list[Unit],
    unit_substance: np.ndarray,
    named: np.ndarray,
    excluded: np.ndarray,
    cal: Calibration,
    relevance: float = 1.0,
    own: np.ndarray | None = None,
    repeats: np.ndarray | None = None,
    offset: int = 0,
    explains: np.ndarray | None = None,
    unquotable: np.ndarray | None = None,
    name_lists: np.ndarray | None = None,
    closest: np.ndarray | None = None,
    lead: np.ndarray | None = None,
    reference_lead: float = 0.0,
    labelled: np.ndarray | None = None,
    chosen: np.ndarray | None = None,
    figures: np.ndarray | None = None,
) -> ComponentJudgement:
    """Score one component from its unit-by-cue similarity matrix; `named` marks the units that
    name its topic (`naming_masks`). `relevance` (0-1) scales the score down when the answer as a
    whole addresses another question. `own` marks the units that
    read most like this component of all: only they are quoted as its evidence (a feature list is
    evidence for features, not for the baseline it happens to resemble), or, when no candidate is
    its own, the units naming its topic (`quote_order`); they
    alone give depth, each distinct stretch of the answer once (`repeats` marks units that say
    again what an earlier part said: they count for nothing at all). `offset` is the
    component's fitted score offset. `explains` marks the units that say more than topic names
    (`explaining`): only they make a keyword count, and only their words are said about the
    component (`said_words`: above none, the score gains up to `said_margin` under partial_at,
    is partial: `presence`).
    Nothing `unquotable` (by default `unquotable_units(excluded)`: the same for every component,
    so a caller judging many passes it once) is quoted or given as the place a missing component
    is named (level 1 needs such a place). A unit of `name_lists` (topics listed, nothing said of
    them) is a place where each topic it names is named, whoever owns it. Quotes rank by the
    units' `closest` (their closeness to the component, computed here when None) plus their
    `lead` over every other component (`grading.leads`; none when None). `reference_lead` is how
    much closer the answer's passage most about the component comes to its reference passages
    than to any other component's (`Grader.reference_leads`): a score above 0 gains
    `w_reference` of it (`referenced`). `labelled` marks the units opening with a short label
    that names the component ("Loss: pinball loss on the quantiles", `grading.label_names`): one
    that counts and explains makes the component at least partial, the writer having said which
    topic the line is for. So does one of `chosen`, a line whose label may be the component's and
    that names one of its techniques ("Model: LSTM"), quoted when no passage of its own is. So
    does a unit of its `own` that names its topic and states a figure (`figures`, from
    `quantities`: "retrain weekly", "train/test split 80/20"): a decision said, not a name."""
    # a unit that says again what an earlier one said counts for nothing: not for depth, nor for
    # the closest cue (a window cut at other words from sentences said before reads as a new
    # mix of them, and a paragraph pasted twice would gain from it)
    unheard = excluded if repeats is None else excluded.astype(bool) | repeats
    f = features(sims, unit_substance, np.zeros(len(units), dtype=bool), unheard, cal)
    # only units near the topic can make a keyword count; read only those
    near = f.per_unit >= cal.sim_low
    if explains is not None:
        near &= explains
    keyword_units = near & named
    candidates = ~excluded.astype(bool)
    if own is not None:
        candidates &= own
    if repeats is not None:
        candidates &= ~repeats
    f = dataclasses.replace(
        f, keyword_units=keyword_units, support=distinct_support(f.per_unit, units, candidates)
    )
    spoken = said_units(
        sims, units, candidates if explains is None else candidates & explains, cal, keyword_units
    )
    said = sum(units[i].words for i in spoken)
    score, matched, _ = score_features(f, cal)
    score = referenced(score, reference_lead, cal)
    # the lift before the scaling for relevance: an answer to another question is not lifted back
    lifted = presence(int(shift(score, offset)), said, cal)
    # the writer saying which component a line is for: a labelled line that explains, or one whose
    # label may be the component's and that names one of its techniques
    heard = ~unheard.astype(bool)
    choice = chosen & heard if chosen is not None else np.zeros(len(units), dtype=bool)
    if figures is not None and own is not None:
        choice |= named.astype(bool) & (figures > 0) & own & heard
    told = choice.copy()
    if labelled is not None:
        told |= labelled & heard & (explains if explains is not None else True)
    if told.any():
        lifted = max(lifted, cal.partial_at)
    score = int(round(lifted * relevance))
    status = status_for(score, cal)
    level = {"covered": 3, "partial": 2}.get(status, 0)
    mine = own if own is not None else np.ones(len(units), dtype=bool)
    # a passage set aside (a buzzword list, everyday prose) is never quoted, nor any word window
    # reaching into it: the report lists it as not counted
    if unquotable is None:
        unquotable = unquotable_units(excluded, units)
    mention = None
    if status == "missing":  # named, not explained: where the answer names it, in a unit its own
        listed = named & name_lists if name_lists is not None else False
        mention = _mention(f.per_unit, units, named & mine | listed, unquotable)
        level = 1 if mention else 0
    # a present component quotes its first candidate whatever its similarity; a second or third
    # quote must be as close as evidence_more and not overlap one already taken
    order = []
    if status != "missing":
        near = closeness(sims) if closest is None else closest
        rank = np.where(unquotable, -1.0, near if lead is None else near + lead)
        order = [
            i
            for i in quote_order(f.per_unit, units, keyword_units, own, cal, rank, spoken, lead)
            if not unquotable[i]
        ]
        if not order:  # no passage of its own: the line naming the technique chosen for it
            order = [int(i) for i in np.flatnonzero(choice & ~unquotable)]
    evidence: list[tuple[int, float]] = []
    for i in order:
        if any(_overlap(units[i], units[j]) for j, _ in evidence):
            continue
        if evidence and f.per_unit[i] < cal.evidence_more:
            continue
        evidence.append((int(i), round(float(f.per_unit[i]), 4)))
        if len(evidence) == 3:
            break
    unmatched = [j for j in range(len(f.per_cue)) if f.per_cue[j] < cal.cue_match]
    return ComponentJudgement(score, status, level, matched, evidence, unmatched, mention, said)


def unquotable_units(excluded: np.ndarray, units: list[Unit]) -> np.ndarray:
    """`excluded` widened to every unit that shares characters with an excluded sentence, bullet or
    row (a word window across a set-aside list and the lines around it). An excluded word window
    widens nothing: the sentence it was cut from, and the windows beside it, say more than it."""
    excluded = excluded.astype(bool)
    whole = excluded & np.array([not u.is_window for u in units], dtype=bool)
    if not whole.any():
        return excluded
    starts = np.array([u.start for u in units])
    ends = np.array([u.end for u in units])
    hit = (starts[:, None] < ends[whole][None, :]) & (starts[whole][None, :] < ends[:, None])
    return excluded | hit.any(axis=1)


def _mention(
    per_unit: np.ndarray, units: list[Unit], named: np.ndarray, excluded: np.ndarray
) -> tuple[int, float] | None:
    """Where the answer names a component's topic without explaining it: of the counted units that
    name it and read most like this component of all (`named` is masked by ownership: "position
    bias" in a feedback-loop sentence is not a mention of fairness), the one closest to its cues,
    a sentence before a word window. Never credit; shown so the candidate sees what did not count,
    and probed. None when there is none."""
    found = np.flatnonzero(named & ~excluded.astype(bool))
    if not len(found):
        return None
    i = min(found, key=lambda i: (units[i].is_window, -per_unit[i], i))
    return int(i), round(float(per_unit[i]), 4)


def relevance_factor(asked: float, best_other: float, cal: Calibration) -> float:
    """How much the answer is about the asked case (1 = fully), from the similarity of the answer's
    centroid to the asked case and to the closest other case."""
    effective = asked - max(0.0, best_other - asked)
    span = cal.relevance_high - cal.relevance_low
    return float(np.clip((effective - cal.relevance_low) / span, 0.0, 1.0))
