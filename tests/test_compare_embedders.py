"""The embedding comparison measures separation the way the grader reads answers."""

import pytest

from evals.compare_embedders import TimedEmbedder, labelled, separation
from grader.scoring.grading import Grader

pytestmark = pytest.mark.slow


def test_separation_is_an_auc_per_feature_and_counts_the_embedders_work(grader):
    answers = labelled()["development"][:4]
    timed = TimedEmbedder(grader.embedder)
    auc = separation(Grader(grader.kb, timed, grader.index, grader.cal), answers)
    assert set(auc) == {"top", "top3", "breadth"}
    assert all(0.5 < v <= 1.0 for v in auc.values())  # similarity tells present from missing
    assert timed.texts > 0 and timed.seconds > 0
