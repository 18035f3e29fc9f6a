"""Regression gate: a fast subset of `make eval` on the held-out split.

Floors sit at or below the measured held-out figures (see evals/report.md); for missing precision
and transcript agreement the floor is the product target itself. A change that makes grading worse fails.
"""

import pytest

from evals.dataset import load_answers
from evals.run_eval import ADVERSARIAL_MAX, Eval

pytestmark = pytest.mark.slow
FLOORS = {
    "missing_precision": 0.85,
    # recall and QWK were 0.906 and 0.819 before the fit took in the development set (other
    # writers and labellers), 0.87 / 0.758 after, and 0.854 / 0.74 since the fit also reads the
    # development set's speech transcripts (fit-09afee62): recall's floor is now the product target
    "missing_recall": 0.85,
    "missing_f1": 0.87,
    "qwk": 0.73,
    "spearman": 0.93,
}


@pytest.fixture(scope="module")
def evaluation(grader):
    return Eval(grader, [a for a in load_answers() if a.split == "heldout"], fast=True)


def test_heldout_agreement_with_labels(evaluation):
    held = evaluation.labels()["heldout"]
    for key, floor in FLOORS.items():
        assert held[key] >= floor, (key, held[key])


def test_transcripts_are_graded_like_written_answers(evaluation):
    # the product target; 0.86 on the held-out split, pooled over three renderings of each answer
    assert evaluation.transcript()["status_agreement"] >= 0.85


def test_determinism_and_order_independence(evaluation):
    assert evaluation.determinism(runs=3)["identical"] == 1.0
    assert evaluation.reordering(seeds=1)["max"] <= 2


def test_adversarial_inputs_gain_nothing(evaluation):
    adv = evaluation.adversarial()
    assert adv["keyword_salad_max"] < ADVERSARIAL_MAX
    assert adv["offtopic_max"] < ADVERSARIAL_MAX
    assert adv["wrong_case_max"] < ADVERSARIAL_MAX
    assert adv["injection_runs"] >= 60
    assert not any(adv["score_raised"].values()), adv["score_raised"]
