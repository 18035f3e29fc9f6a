"""Whether an answer is about the question asked: a scale factor for answers to another question."""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

import numpy as np

from grader.knowledge.embedder import cosines
from grader.knowledge.index import KnowledgeIndex
from grader.knowledge.notes import KnowledgeBase
from grader.scoring import probes
from grader.scoring.calibration import Calibration
from grader.scoring.judge import content_tokens, relevance_factor
from grader.scoring.overlap import terms
from grader.scoring.rubric import Rubric

SHORT_ANSWER_WORDS = 150  # shorter answers are warned as short, and judged for topic only ...
TOPIC_MIN_WORDS = 50  # ... from this many words, and only for reading as another bank case's
# an answer whose words lead every other case's by this much (idf-weighted) is about the asked
# case: being closer to another case's prompt costs it nothing (`Relevance.factor`)
CASE_WORDS_LEAD = 8.0
# An answer long enough to have a topic, none of whose passages reads this close to the question asked
# and that says under ASKED_WORDS of the question's own words (weighed by how rare each is in the
# knowledge base's design notes), may design another system of the same product: a destination
# recommender for riders given for "which docking stations will be empty or full", in the
# question's domain words, read 1.0 on topic (`Relevance.another_system`)
ASKED_PASSAGE = 0.5
ASKED_WORDS = 0.3
# An answer to a typed question is also weighed against the other questions the knowledge base
# holds (its kinds of system's example questions, its cases' prompts, titles and aliases): one that
# reads more like one of those than like the question asked, and says few of the question's words,
# answers another question. A fraud-transfer design had scored 93 unscaled under "which subscribers
# of a streaming service will cancel": no bank case is near that question, so nothing had stood
# against it. `lead` = closeness to the question (with its `shortfall`) - closeness to the rival +
# RIVAL_WORDS x the share of the question's words said (`asked_words`); scores are kept whole from a
# lead of 0 and scaled to nothing at -RIVAL_SPAN. Chosen on the development sets' answers graded
# under every other question of their set (45 of 1,056 such pairs left unscaled, from 139; no
# answer to its own question scaled more, the nearest 0.08 of a lead above 0).
RIVAL_WORDS = 0.3
RIVAL_SPAN = 0.15
RIVAL_LIKE_ASKED = 0.6  # a question this close to the one asked asks it: no rival
# a question of fewer content words ("LinkedIn feed", "RAG support bot") reads too little like
# any answer, its own included, to be weighed against others: its answers are not judged so
RIVAL_MIN_TERMS = 6
# a scale factor is applied as it is shown ("scaled by 0.49"): at three digits, 0.996 scaled an
# answer with a warning that read "scaled by 1.00" ("cut to 100%" in the app)
FACTOR_DIGITS = 2
# Words any ML design question may use without saying what the system is for: "Design an ML
# system", "Build a model for our company". A question made only of these names no subject, so no
# answer to it is off-topic.
QUESTION_GENRE_WORDS = frozenset(
    """design designing build building create develop architect implement propose describe explain
    walk tell system systems machine learning artificial intelligence model models pipeline
    product solution service platform company question interview problem end scratch""".split()
)


def names_a_subject(question: str) -> bool:
    """Whether a question says what the system is for: a content word beyond QUESTION_GENRE_WORDS
    ("ml" and "ai" are too short to be content words)."""
    return bool(content_tokens(question) - QUESTION_GENRE_WORDS)


class Relevance:
    """Judges an answer's topic against the question asked, over the bank's case vectors."""

    def __init__(
        self,
        kb: KnowledgeBase,
        index: KnowledgeIndex,
        cal: Calibration,
        paragraphs: Sequence[str] = (),
    ):
        self.kb = kb
        self.index = index
        self.cal = cal
        self.paragraphs = paragraphs  # the design notes' paragraphs: how rare each word is

    @functools.cached_property
    def _rarity(self) -> tuple[Counter, int]:
        """In how many of the design notes' paragraphs each (stemmed) word stands, and how many
        paragraphs there are."""
        return Counter(t for p in self.paragraphs for t in terms(p)), len(self.paragraphs)

    def asked_words(self, question: str, said: Iterable[str]) -> float:
        """The share of a question's own words that the answer says (`said`: the texts counted),
        each weighed by how rare it is in the design notes (idf): "empty", "full" and
        "rebalancing" say what a dock question asks more than "design" and "system" do."""
        asked = terms(question)
        if not asked:
            return 1.0
        df, n = self._rarity
        # summed in the words' order, not a set's (which moves with the hash seed): the same
        # share, to the last bit, in every process
        weight = {t: math.log((n + 1) / (df[t] + 1)) for t in sorted(asked)}
        total = sum(weight.values())
        heard = frozenset(t for text in said for t in terms(text))
        return sum(w for t, w in weight.items() if t in heard) / total if total else 1.0

    def another_system(
        self, rubric: Rubric, unit_vecs: np.ndarray, counted: Sequence[str], warnings: list[str]
    ) -> bool:
        """Whether an answer on the asked question's topic may design another system of its
        product: no passage reads ASKED_PASSAGE close to the question (a typed question's own
        vector; a bank case's prompt, title or aliases) and it says under ASKED_WORDS of the
        question's words (`asked_words`). Said in a warning; no score is scaled, as the product
        is the one asked. A question that names no subject is not judged."""
        if rubric.question_vector is not None:
            question = rubric.question.asked or rubric.question.title
            side = rubric.question_vector[None, :]
        elif rubric.case is not None:
            question, side = rubric.case.prompt, self.index.case_vectors().get(rubric.case.id)
        else:
            return False
        if side is None or not len(side) or not len(unit_vecs) or not names_a_subject(question):
            return False
        closest = float(cosines(side, unit_vecs).max())
        if closest >= ASKED_PASSAGE:
            return False
        share = self.asked_words(question, counted)
        if share >= ASKED_WORDS:
            return False
        warnings.append(  # in an interviewer's words first, the figures after
            "the answer may design another system than the one asked: no passage of it restates "
            "what the question asks for, and it uses few of the question's words; check that it "
            "answers this question before comparing its score (closest passage "
            f"{closest:.2f} of 1; {share:.0%} of the question's words, rarer ones weighing more)"
        )
        return True

    def reach(self, vector: np.ndarray) -> float:
        """How much a text (its vector) reads like the bank's questions at all: the mean over the
        cases of its similarity to the closest of each case's prompt, title and aliases."""
        cases = self.index.case_vectors()
        if not cases:
            return 0.0
        return float(np.mean([cosines(vecs, vector).max() for vecs in cases.values()]))

    @functools.cached_property
    def typical_reach(self) -> float:
        """The `reach` of a question as people write them: the median over the example questions
        of every kind of system (`knowledge_base/systems/`); 0 when the base has none."""
        asked = [v for vecs in self.index.system_vectors().values() for v in vecs]
        return float(np.median([self.reach(v) for v in asked])) if asked else 0.0

    def shortfall(self, vector: np.ndarray) -> float:
        """How far short of a typical question's `reach` a question falls. A terse question
        ("Design a mortgage underwriting model.", 0.11 against 0.22) reads less like every answer,
        its own included: a loan-approval design read 0.33 to it and 0.60 to the question in full,
        and was scaled as off topic. Its similarity to an answer is read with this much added."""
        return max(0.0, self.typical_reach - self.reach(vector))

    def factor(
        self,
        rubric: Rubric,
        unit_vecs: np.ndarray,
        words: int,
        warnings: list[str],
        counted: Collection[str] = (),
        blocks: Sequence[str] | None = None,
    ) -> float:
        """Scale factor for an answer that addresses another question than the one asked: a bank
        case, or a question typed as free text (near a bank case or graded with the framework's
        rubric), judged against the question itself. Only answers long enough to have a topic are
        judged; short ones cover little anyway. An answer whose rarer words (the terms of
        `counted`, the texts of the units that count) are the asked case's own, or those of the
        cases near a typed question, by CASE_WORDS_LEAD over every other case is about that
        product: its centroid reading closer to another case costs nothing (a two-stage video feed with
        nearest-neighbour search, recall@k and nDCG read closer to search ranking's prompt than to
        its own and was scaled to 12/100), and its closeness to the case's prompt gains
        `question_offset`, as a typed question's does (asked for by id, 9 of the development sets'
        34 answers to bank cases had been scaled, 0.21-0.92, three of them rated 5 of 5, and a
        terse spoken answer to an interviewer's own case by 0.77: now 4, none of those), though a
        centroid far from the question still does (a rate limiter shares many words with fraud
        detection and is no ML design). A short answer
        (TOPIC_MIN_WORDS to SHORT_ANSWER_WORDS words) is scaled only when it reads as another bank
        case's (a 100-word video recommender given for ticket escalation scored 37); too few of
        its passages are about the question to call it generic (a 149-word answer on the model
        alone read so). `blocks` names each unit's paragraph, list or table
        (`Unit.block`): no block weighs in the answer's topic as more than BLOCK_UNITS units
        (`topic_vector`)."""
        if (
            (rubric.case is None and rubric.question_vector is None)
            or words < TOPIC_MIN_WORDS
            or not len(unit_vecs)
        ):  # no units: nothing to judge
            return 1.0
        short = words < SHORT_ANSWER_WORDS
        centroid = topic_vector(unit_vecs, blocks)
        return self._factor(rubric, centroid, warnings, counted, product_only=short)

    def _factor(
        self,
        rubric: Rubric,
        centroid: np.ndarray,
        warnings: list[str],
        counted: Collection[str],
        product_only: bool = False,
    ) -> float:
        """`factor`'s judgement; with `product_only`, an answer that reads as generic (close to
        no bank case) is not scaled."""
        said = frozenset(t for text in counted for t in terms(text))
        product = rubric.case is not None and (
            probes.words_lead(self.kb, {rubric.case.id, *rubric.question.informed_by}, said)
            >= CASE_WORDS_LEAD
        )
        sims = {
            cid: float(cosines(vecs, centroid).max())
            for cid, vecs in self.index.case_vectors().items()
        }
        if rubric.question_vector is not None:  # free text: judged against the question asked
            if not names_a_subject(rubric.question.asked or rubric.question.title):
                warnings.append(
                    "the question does not say what the system is for, so the answer was not "
                    "checked for being on topic"
                )
                return 1.0
            return self._against_question(
                rubric, centroid, sims, warnings, counted, product, product_only
            )
        # an answer in the asked product's own words is judged against its prompt as a typed
        # question's answer is against the question: a prompt reads less like any answer than
        # answers read like each other (`question_offset`)
        asked = sims.get(rubric.case.id, 0.0) + (self.cal.question_offset if product else 0.0)
        other, other_sim = max(
            ((c, v) for c, v in sims.items() if c != rubric.case.id), key=lambda x: (x[1], x[0])
        )
        if product_only and not self._other_case(other_sim, asked, product):
            return 1.0
        # the asked product's words: reading closer to another case is no evidence against it
        against = 0.0 if product else other_sim
        factor = round(relevance_factor(asked, against, self.cal), FACTOR_DIGITS)
        if factor < 1.0:
            closest = (
                "; "
                + (
                    self._generic(other_sim)
                    or f"it is closer to '{self.kb.cases[other].title}' ({other_sim:.2f})"
                )
                if other_sim > asked and not product
                else ""
            )
            warnings.append(
                f"the answer does not read as an answer to '{rubric.case.title}' "
                f"(similarity {asked:.2f}{closest}); scores were scaled by {factor:.2f}"
            )
        return factor

    def _against_question(
        self,
        rubric: Rubric,
        centroid: np.ndarray,
        sims: dict[str, float],
        warnings: list[str],
        counted: Collection[str] = (),
        product: bool = False,
        product_only: bool = False,
    ) -> float:
        """A free-text answer is off-topic when it is closer to a bank case far from the question
        than both to the question itself and to the cases near it, or when it reads as the answer
        to another question (`_rival_factor`). A question graded with the framework's rubric has
        no case near it (those that informed it are all far), so it is judged against the question
        alone: a fraud design does not answer a maintenance question because fraud detection was
        the least far case. A terse question's similarity is read with its `shortfall` added."""
        near = (set(rubric.question.informed_by) | {rubric.case.id}) if rubric.case else set()
        other, other_sim = max(
            ((c, v) for c, v in sims.items() if c not in near), key=lambda x: (x[1], x[0])
        )
        closeness = float(cosines(rubric.question_vector, centroid)) + self.shortfall(
            rubric.question_vector
        )
        to_question = closeness + self.cal.question_offset
        to_near = max((sims[c] for c in near), default=0.0)
        if product_only and not self._other_case(other_sim, max(to_question, to_near), product):
            return 1.0
        against = 0.0 if product else other_sim
        factor = round(
            max(
                relevance_factor(to_question, against, self.cal),
                relevance_factor(to_near, against, self.cal),
            ),
            FACTOR_DIGITS,
        )
        why = (
            f"similarity {max(to_question, to_near):.2f}"
            if product
            else self._generic(other_sim)
            or f"it is closer to '{self.kb.cases[other].title}', {other_sim:.2f}"
        )
        if not product_only:
            rival = self._rival_factor(rubric, centroid, near, closeness, counted)
            if rival is not None and rival[0] < factor:
                factor, why = rival
        if factor < 1.0:
            warnings.append(
                f"the answer does not read as an answer to the question asked ({why}); scores "
                f"were scaled by {factor:.2f}"
            )
        return factor

    def _rival_factor(
        self,
        rubric: Rubric,
        centroid: np.ndarray,
        near: Collection[str],
        closeness: float,
        counted: Collection[str],
    ) -> tuple[float, str] | None:
        """How much an answer is about the typed question rather than another question the
        knowledge base holds (see RIVAL_WORDS), and why; None for a question of under
        RIVAL_MIN_TERMS words or with no rival. Rivals are the kinds of system's example questions
        and the bank cases' prompts, titles and aliases, except those of the cases near the
        question (`near`) and those within RIVAL_LIKE_ASKED of it. `closeness`: the answer's
        similarity to the question, its `shortfall` added."""
        question = rubric.question.asked or rubric.question.title
        if len(terms(question)) < RIVAL_MIN_TERMS:
            return None
        rivals = self._rivals(near)
        if not rivals:
            return None
        vectors = np.vstack([v for v, _ in rivals])
        unlike = cosines(vectors, rubric.question_vector[None, :])[:, 0] < RIVAL_LIKE_ASKED
        if not unlike.any():
            return None
        sims = np.where(unlike, cosines(vectors, centroid[None, :])[:, 0], -np.inf)
        best = int(np.argmax(sims))
        words = self.asked_words(question, counted)
        lead = closeness - float(sims[best]) + RIVAL_WORDS * words
        factor = round(float(np.clip(1.0 + lead / RIVAL_SPAN, 0.0, 1.0)), FACTOR_DIGITS)
        # in an interviewer's words first, the figures after: the rival may be one of the notes'
        # example questions, which no list shows, so it is given as an example of its kind
        why = (
            f"it reads more like an answer to another question, such as '{rivals[best][1]}', and "
            f"uses few of the asked question's own words: similarity {closeness:.2f} to the "
            f"question asked, {sims[best]:.2f} to that one; {words:.0%} of the question's words, "
            "rarer ones weighing more"
        )
        return factor, why

    def _rivals(self, near: Collection[str]) -> list[tuple[np.ndarray, str]]:
        """The questions an answer may be answering instead of the one asked, with their text: the
        kinds of system's example questions, and the bank cases' prompts, titles and aliases
        (named by the case's title), but for the cases in `near`."""
        out = []
        for kind, vectors in self.index.system_vectors().items():
            if kind in self.kb.system_kinds:  # rows in the order of the kind's questions
                out += list(zip(vectors, self.kb.system_kinds[kind].questions))
        for case, vectors in self.index.case_vectors().items():
            if case not in near and case in self.kb.cases:
                out += [(v, self.kb.cases[case].title) for v in vectors]
        return out

    def _other_case(self, other_sim: float, asked: float, product: bool) -> bool:
        """Whether an answer reads as another bank case's (closer to it, `other_sim`, than to what
        was asked, and close, not generic), without the asked product's own words."""
        return not product and other_sim > asked and self._generic(other_sim) is None

    def _generic(self, other_sim: float) -> str | None:
        """Why an answer near no case at all (the closest, `other_sim`, under relevance_high) reads
        off topic: it is generic (name-drops and praise), not about another product. None when a
        case is close."""
        if other_sim >= self.cal.relevance_high:
            return None
        return f"it reads as generic, close to no case in the bank, {other_sim:.2f} at most"


# a paragraph, list or table weighs in an answer's topic as this many units at most
BLOCK_UNITS = 16


def topic_vector(unit_vecs: np.ndarray, blocks: Sequence[str] | None = None) -> np.ndarray:
    """What an answer is about, as one unit vector: the mean of its units' vectors, each block
    (paragraph, list or table) weighing as many units as it holds up to BLOCK_UNITS; the plain
    mean when blocks are not given. A strong fraud design with a 245-row feature catalogue
    appended read as a list of features, not as fraud detection, and was scaled to 0/100 (now
    87). Each block once, whatever its length, let one-line paragraphs outweigh the design's
    (a transfer-fraud paraphrase was scaled by 0.85)."""
    if blocks is None:
        mean = unit_vecs.mean(axis=0)
    else:
        groups: dict[str, list[int]] = {}
        for i, b in enumerate(blocks):
            groups.setdefault(b, []).append(i)
        mean = np.sum(
            [
                unit_vecs[rows].mean(axis=0) * min(len(rows), BLOCK_UNITS)
                for rows in groups.values()
            ],
            axis=0,
        )
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
