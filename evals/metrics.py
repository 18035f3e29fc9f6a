"""Agreement metrics, vectorised (the calibration grid calls them hundreds of thousands of times)."""

from __future__ import annotations

import numpy as np


def quadratic_kappa(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    """Cohen's kappa with quadratic weights (same value as sklearn's weights="quadratic")."""
    observed = np.zeros((n_classes, n_classes))
    np.add.at(observed, (y_true, y_pred), 1)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    idx = np.arange(n_classes)
    weights = (idx[:, None] - idx[None, :]) ** 2 / (n_classes - 1) ** 2
    denom = (weights * expected).sum()
    return float(1.0 - (weights * observed).sum() / denom) if denom else 1.0


def precision_recall_f1(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(truth & pred))
    precision = tp / max(float(np.sum(pred)), 1.0)
    recall = tp / max(float(np.sum(truth)), 1.0)
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f


def f1(truth: np.ndarray, pred: np.ndarray) -> float:
    return precision_recall_f1(truth, pred)[2]
