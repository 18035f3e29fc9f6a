"""Word overlap between answer units and cues: the sparse half of the grader's similarity."""

import copy

import numpy as np
import pytest

from grader.scoring.calibration import Calibration
from grader.scoring.overlap import CueOverlap, overlap, terms

CUES = [
    "Retrain the model daily on a sliding window of fresh labels.",
    "Monitor feature drift with the population stability index.",
    "Track daily model quality on fresh labels.",
]


def test_terms_are_stemmed_content_words():
    assert terms("Retrained DAILY, the models!") == terms("retrain daily model")
    assert terms("the and of is") == frozenset()


def test_overlap_is_the_weighted_share_of_the_cue_words_said():
    ov = CueOverlap(CUES)
    cues = ov.cue_weights(CUES)
    units = ov.unit_matrix([terms(CUES[0]), terms("we went to Lisbon"), terms("retrain daily")])
    m = overlap(units, cues)
    assert m.shape == (3, 3)
    assert m[0, 0] == pytest.approx(1.0)  # every word of the cue
    assert m[1].tolist() == [0.0, 0.0, 0.0]  # no word of any cue
    assert 0.0 < m[2, 0] < 1.0


def test_rare_cue_words_weigh_more_than_common_ones():
    ov = CueOverlap(CUES)
    cues = ov.cue_weights([CUES[0]])
    common, rare = overlap(ov.unit_matrix([terms("daily labels"), terms("sliding window")]), cues)
    # "daily" and "labels" appear in two cues, "sliding" and "window" in one
    assert rare[0] > common[0]


def test_punctuation_case_and_word_order_do_not_matter():
    ov = CueOverlap(CUES)
    cues = ov.cue_weights(CUES)
    written = ov.unit_matrix([terms("Monitor drift: population stability index, weekly.")])
    spoken = ov.unit_matrix(
        [terms("um weekly we'd monitor the uh population stability index for drift")]
    )
    assert np.allclose(overlap(written, cues), overlap(spoken, cues))


def test_words_no_cue_uses_are_ignored():
    ov = CueOverlap(CUES)
    cues = ov.cue_weights(["Retrain daily with zebras."])  # "zebra" is in no cue of the collection
    assert overlap(ov.unit_matrix([terms("retrain daily")]), cues)[0, 0] == pytest.approx(1.0)


def test_ones_own_cues_change_no_other_cues_weights():
    """Words of one's own notes (`extra`) are weighed, as words no bundled cue uses, and leave the
    bundled cues' weights, and so their overlap with any unit, as they were."""
    own = ["Shade each bid by the predicted win price; retrain daily on fresh auctions."]
    alone, beside = CueOverlap(CUES), CueOverlap(CUES, extra=own)
    units = [terms("retrain daily on fresh labels"), terms("bid shading, win price")]
    assert np.array_equal(
        overlap(alone.unit_matrix(units), alone.cue_weights(CUES)),
        overlap(beside.unit_matrix(units), beside.cue_weights(CUES)),
    )
    mine = overlap(beside.unit_matrix(units), beside.cue_weights(own))
    assert mine[1, 0] > mine[0, 0] > 0.0  # the own cue's rarer words ("bid", "win") weigh more
    assert overlap(alone.unit_matrix(units), alone.cue_weights(own))[1, 0] == 0.0  # unknown alone


def test_the_grader_blends_cosine_with_overlap(fast_grader):
    case = fast_grader.kb.cases["video_recommendation"]
    comp = next(c for c in fast_grader.kb.case_components(case) if c.id == "cold_start")
    prepared = fast_grader.prepare(
        "New videos have no views yet, so we use content embeddings to rank them at first.",
        words=True,
    )
    texts, cosine = fast_grader.similarities(
        prepared.vectors, prepared.words, case, comp, blend=0.0
    )
    _, blended = fast_grader.similarities(prepared.vectors, prepared.words, case, comp, blend=0.25)
    words = overlap(prepared.words, fast_grader.overlap.cue_weights(texts))
    assert words.max() > 0
    assert np.allclose(blended, 0.75 * cosine + 0.25 * words)
    unblended, blended_grader = copy.copy(fast_grader), copy.copy(fast_grader)
    unblended.cal, blended_grader.cal = Calibration(), Calibration(lexical_blend=0.2)
    assert (
        unblended.prepare("New videos have no views yet.").words is None
    )  # pure cosine skips the words
    assert blended_grader.prepare("New videos have no views yet.").words is not None


def test_terms_is_thread_safe():
    # the grader is shared between threads; a stemmer object keeps per-word state
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        f"retrained models monitoring drifting distributions {i} calibrated predictions"
        for i in range(3000)
    ]
    expected = [terms(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(terms, texts)) == expected


def test_the_c_stemmer_is_used_and_gives_the_snowball_stems():
    import re
    from pathlib import Path

    import snowballstemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    kb = Path(__file__).resolve().parent.parent / "knowledge_base"
    text = " ".join(p.read_text(encoding="utf-8") for p in kb.rglob("*.md")).lower()
    words = sorted(set(re.findall(r"[a-z0-9]+", text)))
    fast = snowballstemmer.stemmer("english")
    assert type(fast).__module__ == "Stemmer"  # PyStemmer: a cold grade stems thousands of words
    assert fast.stemWords(words) == EnglishStemmer().stemWords(words)
