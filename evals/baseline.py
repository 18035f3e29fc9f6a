"""The cheapest peer: a keyword regex per component. A component counts as named when one of its
words appears (two distinct words: covered, one: partial); overall = share of components named.

Written from the component definitions in `data/blind/LABELLING.md`, not from the knowledge base's
cues, and never tuned on any labelled answer: it is the floor the grader has to beat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORDS = {
    "business_objective": "business goal|business metric|revenue|retention|engagement|success metric|kpi|north star",
    "scale_latency": "latency|qps|requests per second|p99|milliseconds|\\d+ ?ms|million users|throughput",
    "ml_objective": "classification|regression|ranking problem|learning to rank|predict the probability|ml objective|task type",
    "io_spec": "input|output|returns a|takes a",
    "data_sources": "logs|data source|pipeline|kafka|warehouse|event stream|collected",
    "labels": "label|ground truth|annotat|positive|negative",
    "feature_engineering": "feature|embedding|one-hot|bucket|feature store",
    "class_imbalance": "imbalance|rare|downsampl|upsampl|oversampl|class weight|skewed",
    "privacy": "privacy|gdpr|pii|consent|anonymi|personal data",
    "label_delay": "delay|delayed label|late label|chargeback|arrive late",
    "baseline": "baseline|heuristic|simple model|logistic regression|popularity",
    "model_choice": "model|gbdt|xgboost|neural network|transformer|two-tower|tree",
    "loss_function": "loss|cross-entropy|log loss|objective function|hinge|softmax",
    "training": "train|validation split|hyperparameter|fine-tun|epoch",
    "cold_start": "cold start|cold-start|new user|new item|no history",
    "explainability": "explain|interpretab|shap|reason code",
    "offline_metrics": "auc|precision|recall|ndcg|f1|mae|rmse|offline metric",
    "online_evaluation": "a/b|ab test|a b test|experiment|online metric|guardrail|interleav",
    "bias_fairness": "bias|fairness|fair|demographic|protected",
    "serving_architecture": "serving|serve|api|online inference|batch prediction|candidate generation|retrieval",
    "scaling": "shard|cache|replica|autoscal|horizontal|gpu|ann index|faiss",
    "deployment_release": "canary|shadow|rollout|roll out|rollback|ramp",
    "training_serving_skew": "skew|training-serving|train/serve|same feature code|point-in-time",
    "abuse_security": "abuse|adversar|attack|spam|fraudster|gaming|manipulat|security",
    "cost_efficiency": "cost|budget|cheap|expensive|distill|quantiz",
    "monitoring_metrics": "monitor|alert|dashboard",
    "drift": "drift|distribution shift|data shift",
    "retraining": "retrain|refresh the model|continual|incremental training",
    "feedback_loops": "feedback loop|exploration|selection bias|position bias|propensit",
}
PATTERNS = {c: re.compile(rf"\b(?:{w})", re.IGNORECASE) for c, w in WORDS.items()}


@dataclass(frozen=True)
class BaselineResult:
    statuses: dict[str, str]
    overall: int
    evidence: dict[str, list[tuple[int, int]]]  # the line of each component's first match


def grade_keywords(text: str) -> BaselineResult:
    """Statuses by how many distinct words of a component appear; evidence is the matching line."""
    statuses, evidence = {}, {}
    for cid, pattern in PATTERNS.items():
        hits = list(pattern.finditer(text))
        distinct = {h.group(0).lower() for h in hits}
        statuses[cid] = "covered" if len(distinct) >= 2 else "partial" if distinct else "missing"
        if hits:
            start = text.rfind("\n", 0, hits[0].start()) + 1
            end = text.find("\n", hits[0].end())
            evidence[cid] = [(start, len(text) if end < 0 else end)]
    named = sum(s != "missing" for s in statuses.values())
    return BaselineResult(statuses, round(100 * named / len(PATTERNS)), evidence)
