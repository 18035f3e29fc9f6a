"""Score arithmetic: keyword matching, the soft cue count, and the calibration fit scoring exactly like the grader."""

import numpy as np
import pytest

from evals.calibrate import Pairs, eligible, scores
from grader.scoring.calibration import Calibration
from grader.scoring.judge import Features, TopicLexicon, cue_credit, score_features


def test_keywords_match_however_punctuation_and_number_fall():
    lexicon = TopicLexicon.from_keywords(
        ["a/b test", "model input", "ann", "training-serving skew"]
    )
    for said in [
        "we run an A/B test",
        "then we a b test it",
        "A/B-tests on 5% of users",
        "the model inputs are",
        "an ANN index",
        "training serving skew",
        "Training/serving skew.",
    ]:
        assert lexicon.found(said), said
    for said in ["an annual review", "the channel", "a b c", "model-based input", "tests"]:
        assert not lexicon.found(said), said


def test_a_cue_near_the_cut_off_counts_in_part():
    sims = np.array([0.30, 0.35, 0.40, 0.45, 0.50, -np.inf])
    assert cue_credit(sims, 0.40, 0.0) == 3  # hard count: at or above the cut-off
    assert cue_credit(sims, 0.40, 0.05) == pytest.approx(0 + 0 + 0.5 + 1 + 1)
    nudged = sims + np.array([0, 0, 0.01, 0, 0, 0])
    assert cue_credit(nudged, 0.40, 0.05) - cue_credit(sims, 0.40, 0.05) == pytest.approx(0.1)
    assert cue_credit(nudged, 0.40, 0.0) == cue_credit(sims, 0.40, 0.0)


@pytest.mark.parametrize("soft", [0.0, 0.05, 0.1])
def test_the_calibration_fit_scores_like_the_grader(soft):
    rng = np.random.default_rng(7)
    cal = Calibration(
        sim_low=0.25,
        sim_high=0.75,
        cue_match=0.4,
        breadth_full=8,
        cue_soft=soft,
        w_semantic=0.4,
        w_breadth=0.4,
        w_lexical=0.2,
    )
    n_cues, rows, kw_best, expected = 12, [], [], []
    for _ in range(200):
        per_cue = rng.uniform(0.0, 0.8, n_cues)
        per_unit = rng.uniform(0.0, 0.8, 5)
        keyword_units = rng.random(5) < 0.3
        expected.append(score_features(Features(per_cue, per_unit, keyword_units), cal)[0])
        rows.append(per_cue)
        kw_best.append(per_unit[keyword_units].max() if keyword_units.any() else -np.inf)
    pairs = Pairs(
        np.array(rows),
        np.array(kw_best),
        np.zeros(200),
        np.ones(200),
        np.arange(200),
        np.zeros(200),
    )
    got = scores(
        pairs,
        sim_low=0.25,
        sim_high=0.75,
        cue_match=0.4,
        breadth_full=8,
        cue_soft=soft,
        weights=(0.4, 0.4, 0.2),
    )
    assert got.tolist() == expected


def _pairs(per_cue: list[list[float]], answer_of: list[int]) -> Pairs:
    n = len(per_cue)
    return Pairs(
        np.array(per_cue),
        np.full(n, -np.inf),
        np.zeros(n),
        np.ones(n),
        np.array(answer_of),
        np.zeros(max(answer_of) + 1),
    )


def test_the_fit_refuses_settings_that_salads_beat_or_padding_raises():
    params = {
        "sim_low": 0.25,
        "sim_high": 0.75,
        "cue_match": 0.4,
        "breadth_full": 4,
        "cue_soft": 0.1,
        "weights": (0.4, 0.4, 0.2),
    }
    answers = _pairs([[0.6, 0.5, 0.1], [0.2, 0.1, 0.0]], [0, 1])  # one component each, two answers
    s = scores(answers, **params)
    salads = _pairs([[0.1, 0.1, 0.1]], [0])
    same = _pairs(
        [[0.6, 0.5, 0.1], [0.2, 0.1, 0.0]] * 2, [0, 1, 2, 3]
    )  # two paddings that add nothing
    assert eligible(params, s, answers, salads, same)
    lifted = _pairs(
        [[0.6, 0.5, 0.1], [0.2, 0.1, 0.0], [0.6, 0.5, 0.1], [0.2, 0.1, 0.35]], [0, 1, 2, 3]
    )
    assert not eligible(
        params, s, answers, salads, lifted
    )  # the second padding lifts the second answer
    lowered = _pairs(
        [[0.6, 0.5, 0.1], [0.2, 0.1, 0.0], [0.5, 0.5, 0.1], [0.2, 0.1, 0.0]], [0, 1, 2, 3]
    )
    assert eligible(params, s, answers, salads, lowered)  # padding may cost points, never add them
    assert not eligible(
        params, s, answers, _pairs([[0.7, 0.7, 0.7]], [0]), same
    )  # a salad scoring 20+
