"""Word overlap between answer units and rubric cues, the sparse half of a hybrid similarity.

The overlap of a unit with a cue is the idf-weighted share of the cue's content words (stemmed)
that the unit contains: 1 when the unit says every word of the cue, 0 when it shares none. Blended
with embedding cosine (`Calibration.lexical_blend`), it credits the domain terms that a small
sentence-embedding model reads loosely ("distill", "log loss", "moderator labels") and, since it
ignores word order and punctuation, it reads spoken and written renderings of a sentence alike.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from grader.text import terms


class CueOverlap:
    """Idf weights learnt from a collection of cue texts, and unit-by-cue overlap matrices. The
    words of `extra` texts (one's own notes) are weighed too, as words none of `documents` uses,
    and weigh nothing else: adding them changes no other cue's weights."""

    def __init__(self, documents: Iterable[str], extra: Iterable[str] = ()):
        docs = [terms(d) for d in documents]
        counts = Counter(t for doc in docs for t in doc)
        vocab = sorted({*counts, *(t for text in extra for t in terms(text))})
        self._vocab = {t: i for i, t in enumerate(vocab)}
        self._idf = np.array(
            [math.log(len(docs) / (1 + counts[t])) + 1.0 for t in vocab], dtype=np.float32
        )

    def _columns(self, words: Iterable[str]) -> list[int]:
        """Vocabulary columns of the words that some cue uses, in order."""
        return sorted(self._vocab[t] for t in words if t in self._vocab)

    def cue_weights(self, cue_texts: Sequence[str]) -> "Columns":
        """Cues x vocabulary: each row the idf weights of the cue's words, summing to 1."""
        found = [self._columns(terms(text)) for text in cue_texts]
        table = _table(found)
        for j, idx in enumerate(found):
            total = float(self._idf[idx].sum()) if idx else 1.0
            table.values[j, np.searchsorted(table.columns, idx)] = self._idf[idx] / np.float32(
                total
            )
        return table

    def unit_matrix(self, unit_terms: Sequence[frozenset[str]]) -> "Columns":
        """Units x vocabulary: 1 where the unit contains the word (words no cue uses are left out)."""
        found = [self._columns(words) for words in unit_terms]
        table = _table(found)
        for i, idx in enumerate(found):
            table.values[i, np.searchsorted(table.columns, idx)] = 1.0
        return table


@dataclass(frozen=True)
class Columns:
    """A rows x vocabulary matrix stored as the columns some row uses (sorted) and their values."""

    columns: np.ndarray
    values: np.ndarray


def _table(found: list[list[int]]) -> Columns:
    columns = np.array(sorted({k for idx in found for k in idx}), dtype=np.intp)
    return Columns(columns, np.zeros((len(found), len(columns)), dtype=np.float32))


def overlap(units: Columns, cue_weights: Columns) -> np.ndarray:
    """Units x cues: the weighted share of each cue's words found in each unit (0-1)."""
    _, u, c = np.intersect1d(
        units.columns, cue_weights.columns, assume_unique=True, return_indices=True
    )
    # summed in float64: the same numbers whatever BLAS's threads (see `embedder.cosines`)
    shares = units.values[:, u].astype(np.float64) @ cue_weights.values[:, c].T.astype(np.float64)
    return shares.astype(np.float32)
