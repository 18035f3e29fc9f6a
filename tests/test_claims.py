"""Claims: passages that name, promise or praise a part of a design without saying how are read
against the knowledge base's vague claims, and earn nothing (`judge.claimed`)."""

import numpy as np
import pytest

from grader.knowledge.chunks import build_chunks
from grader.scoring.calibration import Calibration
from grader.scoring.grading import Grader, PreparedAnswer
from grader.scoring.judge import (
    CLAIMS_READ_WHOLE,
    NAMING_WORDS,
    PLEDGE_WORDS,
    claimed,
    promising,
)
from grader.scoring.segment import segment

# an answer made of claims, written for this test: fluent, upbeat, and saying how nothing is done
MADE_OF_CLAIMS = """Our video platform is on a journey to delight every viewer with a best-in-class home feed.

We bring together all the data we have about viewers and videos into one trusted platform.

Our talented engineers build powerful features that capture what viewers love.

The recommendation model uses modern deep learning and has shown excellent results.

The model is monitored around the clock by our world-class team.

Fairness is part of everything we build.

Every release goes through careful checks by experienced people before it reaches viewers.

We keep learning from our viewers and keep improving the experience for all of them.
"""
PLAIN_CLAIM = (
    "We bring together all the data we have about viewers and videos into one trusted platform."
)


def _units(*texts: str):
    return [u for u in segment("\n\n".join(texts) + "\n") if not u.is_window]


def test_a_claim_like_passage_is_a_claim_when_it_promises_or_the_answer_is_made_of_them():
    cal = Calibration()
    texts = [
        "Our state-of-the-art monitoring keeps the model robust at all times.",  # promises
        "We bring together the data we have into one trusted platform.",  # claim-like, no promise
        "We hash user ids and drop watch history after thirteen months of storage.",  # says how
        "Fairness is part of everything we build at this company today.",  # claim-like
    ]
    units = _units(*texts, *(f"{t[:-1]} for viewers." for t in texts))  # eight passages
    assert len(units) == 2 * len(texts) >= CLAIMS_READ_WHOLE
    counted = np.ones(len(units), dtype=bool)
    figures = np.zeros(len(units))
    assert promising(units).tolist() == 2 * [True, False, False, False]
    # under half of the words claim-like: only the promises are claims
    margins = np.array(2 * [-0.1, -0.05, 0.2, 0.1])
    assert claimed(margins, units, figures, counted, cal).tolist() == 2 * [
        True,
        False,
        False,
        False,
    ]
    # half or more: every claim-like passage is one, promise or not
    margins = np.array(2 * [-0.1, -0.05, 0.2, -0.02])
    assert claimed(margins, units, figures, counted, cal).tolist() == 2 * [True, True, False, True]
    # ... but a short answer is read passage by passage
    short = claimed(margins[:4], units[:4], figures[:4], counted[:4], cal)
    assert short.tolist() == [True, False, False, False]
    # a figure, or a number in words, says how much: never a claim, however the passage reads
    figures[0] = 1.0
    assert not claimed(margins, units, figures, counted, cal)[0]
    ten = _units("We cap new accounts at ten messages a day, from a robust rule.")
    assert not claimed(np.array([-0.1]), ten, np.zeros(1), np.ones(1, dtype=bool), cal)[0]
    # ... but a figure of speech measures nothing
    stock = _units("Our robust monitoring runs 24/7 with 100% uptime for every viewer.")
    assert claimed(np.array([-0.1]), stock, np.array([2.0]), np.ones(1, dtype=bool), cal)[0]
    # no claims to read against (+inf margins): nothing is a claim
    none = claimed(np.full(len(units), np.inf), units, np.zeros(len(units)), counted, cal)
    assert not none.any()


def test_a_pledge_of_care_is_praise_but_names_nothing():
    """How much a team cares says nothing of what it does: a pledge marks a claim, yet a pledge
    word is no topic name, so "deeply" or "excellent" never makes a passage a list of names."""
    pledges = _units(
        "We take privacy extremely seriously.",
        "Data protection is paramount to us.",
        "We are deeply committed to fairness.",
        "We hash user ids before they reach the feature store.",
    )
    assert promising(pledges).tolist() == [True, True, True, False]
    assert PLEDGE_WORDS.isdisjoint(NAMING_WORDS)


def test_reading_the_question_side_as_design_reads_the_claims_again():
    """An answer whose counted passages are mostly claim-like is made of claims; once passages
    read as everyday prose are found to be about the question asked, they count too, and the
    share of claims is read again (`PreparedAnswer.about`)."""
    cal = Calibration()
    units = _units(
        *(f"Passage {w} of the answer says what it says here today." for w in "abcdefghijklmnop")
    )
    n = len(units)
    margins = np.array([-0.1] * 7 + [0.2] * 9)  # the first seven read like claims
    off = np.array([False] * 9 + [True] * 7)  # seven plain passages read as everyday prose
    claims = claimed(margins, units, np.zeros(n), ~off, cal)
    assert claims.tolist() == [True] * 7 + [False] * 9  # 7 of 9 counted: made of claims
    zeros = np.zeros(n, dtype=bool)
    prepared = PreparedAnswer(
        units, np.zeros((n, 4)), None, np.zeros(n), off | claims, off, zeros, zeros, {}, {},
        zeros, claims, margins, np.zeros(n),
    )  # fmt: skip
    about = prepared.about(np.ones(n, dtype=bool), cal)  # every passage is about the question
    assert not about.off_domain.any()
    # 7 of 16 now: no longer an answer made of claims, and none of them promises
    assert not about.claims.any() and not about.excluded.any()
    # read against nothing new, the same claims stand
    same = prepared.about(np.zeros(n, dtype=bool), cal)
    assert same.claims.tolist() == claims.tolist()
    assert same.excluded.tolist() == (off | claims).tolist()


def test_a_window_inside_a_claimed_sentence_is_a_claim():
    cal = Calibration()
    long = (
        "Our robust and scalable platform brings together every signal we have about viewers and "
        "videos and turns it into meaningful insight that delights each viewer every single time"
    )
    units = segment(long + ".\n")
    windows = np.array([u.is_window for u in units])
    assert windows.any()
    margins = np.where(windows, 0.3, -0.1)  # the windows alone read nearer a cue
    claims = claimed(margins, units, np.zeros(len(units)), ~windows, cal)
    assert claims.all()


@pytest.mark.slow
def test_a_promise_in_a_concrete_answer_earns_nothing_and_is_listed(grader, strong_answer):
    claim = "Our state-of-the-art privacy framework keeps every viewer's data robustly protected."
    base = grader.grade(strong_answer, "video_recommendation")
    report = grader.grade(strong_answer + "\n\n" + claim + "\n", "video_recommendation")
    assert [p.quote for p in report.ignored if p.reason == "claims"] == [claim]
    assert any("claims without specifics" in w for w in report.warnings)
    raised = {c.id for c in report.components if c.score > base.component(c.id).score}
    assert not raised, raised


@pytest.mark.slow
def test_notes_that_say_how_are_not_claims(grader, strong_answer):
    """Figures say how much; and a mechanism whose topic is a promise ("safe", "performance")
    makes no claim in an answer that says how things are done, though it may read near one."""
    notes = [
        "Retrain monthly on the last 90 days of watch events.",
        "Alert when the PSI of any top feature exceeds 0.2 for two days in a row.",
        "New videos get a slot in a 5% exploration bucket until they have 200 impressions.",
        "Hash user ids and drop watch history older than 13 months.",
        "Secure the feature store: user histories are encrypted at rest and only the serving "
        "role can read them.",
        "We keep user data safe by encrypting it at rest and in transit and by deleting raw logs "
        "on a schedule.",
        "Track model performance per slice: new users, small creators, each locale.",
        "After launch we should monitor how accurate the predictions are and retrain the model "
        "every month so that it keeps up with how viewing changes over the year.",
    ]
    answer = strong_answer + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    report = grader.grade(answer, "video_recommendation")
    assert not [p.quote for p in report.ignored if p.reason == "claims"]
    # the last four read nearer the vague claims than any cue: only their words spare them
    units = [u for u in segment(answer) if not u.is_window and u.text in notes]
    margins = grader.claim_margins(grader.unit_vectors(units))
    assert (margins[-4:] < grader.cal.claim_margin).sum() >= 3


@pytest.mark.slow
def test_an_answer_made_of_claims_is_read_as_one(grader, strong_answer):
    """A plain passage that reads like a claim counts for nothing among claims, and still counts
    in an answer that says how things are done."""
    fluff = grader.grade(MADE_OF_CLAIMS, "video_recommendation")
    claims = [p.quote for p in fluff.ignored if p.reason == "claims"]
    assert PLAIN_CLAIM in claims and len(claims) >= 4
    concrete = grader.grade(strong_answer + "\n\n" + PLAIN_CLAIM + "\n", "video_recommendation")
    assert PLAIN_CLAIM not in [p.quote for p in concrete.ignored]
    # read without the claims, the same answer earns more
    blind_to_claims = Grader(
        grader.kb, grader.embedder, grader.index, grader.cal.model_copy(update={"claim_margin": -9})
    )
    unread = blind_to_claims.grade(MADE_OF_CLAIMS, "video_recommendation")
    assert not [p for p in unread.ignored if p.reason == "claims"]
    assert fluff.overall_score < unread.overall_score


def test_the_claims_note_is_a_contrast_of_its_own(kb, grader):
    """The vague claims are indexed as `claim` documents, apart from the everyday sentences that
    off-domain text is read against."""
    claims = [b for b in kb.background.values() if b.reads_as == "claims"]
    everyday = [b for b in kb.background.values() if b.reads_as == "everyday"]
    assert claims and everyday
    kinds = {c.doc_id: c.kind for c in build_chunks(kb)}
    assert {kinds[f"background:{b.id}:0"] for b in claims} == {"claim"}
    assert {kinds[f"background:{b.id}:0"] for b in everyday} == {"background"}
    assert len(grader.index.claim_vectors()) == sum(len(b.sentences) for b in claims)
    assert len(grader.index.background_vectors()) == sum(len(b.sentences) for b in everyday)
