"""Fit the deterministic grader's thresholds on the calibration split; write grader/scoring/calibration.json.

Grid search. The objective rewards agreement with the human component labels (quadratic
weighted kappa), missing-component detection (F1), ranking answers by quality (Spearman) and
grading transcript-style renderings like the written originals. Settings that let a keyword salad
score SALAD_MAX or more, or let irrelevant padding raise any answer's score, are not eligible.
The held-out cases (evals/data/splits.yaml) are never looked at here.

    python -m evals.calibrate [--write]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import heapq
import itertools
import json
import sys
from dataclasses import dataclass

import numpy as np
import yaml
from scipy.stats import spearmanr

from evals.adversarial import keyword_salads
from evals.blind import load_blind, question_ids
from evals.dataset import DATA, DEV, load_answers
from evals.metrics import f1, quadratic_kappa
from evals.variants import CALIBRATION_PADDINGS, TRANSCRIPT_SEEDS, padded, transcript_style
from grader.scoring.calibration import CALIBRATION_FILE, Calibration, load_calibration
from grader.scoring.grading import CREDIT as CREDITS
from grader.scoring.grading import Grader, PreparedAnswer, owned_names, unit_owners
from grader.scoring.judge import (
    DEPTH_UNITS,
    cue_credit,
    depth_credit,
    distinct_support,
    features,
    shift,
    words_said,
)

ORD = {"missing": 0, "partial": 1, "covered": 2}
# The grid is centred on the last fits (penalty 0.4, blend 0.15, sim_low 0.15, sim_high 0.9,
# cue_match 0.3-0.35, breadth_full 6-8, cue_soft 0.1) and narrowed from the one they were chosen in,
# so that the depth settings can be searched with it in a quarter of an hour.
PENALTIES = [0.4]
BLENDS = [
    0.1,
    0.15,
    0.2,
]  # lexical_blend: these change the similarities themselves, like the penalty
GRID = {
    "sim_low": [0.1, 0.15, 0.2],
    "sim_high": [0.8, 0.85, 0.9, 0.95],
    "cue_match": [0.3, 0.35, 0.4],
    "breadth_full": [4, 6, 8],
    "cue_soft": [0.05, 0.1, 0.15],
    # (semantic, breadth, lexical, depth); depth's own settings only matter when its weight is not 0
    "weights": [
        (0.55, 0.30, 0.15, 0.0),
        (0.5, 0.5, 0.0, 0.0),
        (0.7, 0.2, 0.1, 0.0),
        (0.4, 0.4, 0.2, 0.0),
        (0.4, 0.3, 0.1, 0.2),
        (0.3, 0.3, 0.1, 0.3),
        (0.3, 0.2, 0.2, 0.3),
        (0.2, 0.2, 0.1, 0.5),
        (0.2, 0.2, 0.2, 0.4),
    ],
    "depth_min": [0.4, 0.45, 0.5, 0.55],
    "depth_full": [2, 3, 4, 6],
}
DEPTH_MIN, DEPTH_FULL = GRID["depth_min"][0], GRID["depth_full"][0]
FINALISTS = 12  # the best settings (each with its best cut-offs) that get offsets fitted
MIN_PARTIAL_BAND = 10  # "partial" must stay a real verdict, not a sliver between the other two
SALAD_MAX = 20  # the product promises < 25; keep a margin
SALAD_CASES = ["video_recommendation", "fraud_detection", "eta_prediction", "rag_assistant"]
COVERED_AT = range(40, 81, 5)
PARTIAL_AT = range(15, 51, 5)


@dataclass
class Pairs:
    """Features of every (answer, expected component) pair, padded into arrays."""

    per_cue: np.ndarray  # pairs x max cues, -inf padded
    kw_best: np.ndarray  # best per-unit similarity among units with a keyword (or -inf)
    support: (
        np.ndarray
    )  # pairs x DEPTH_UNITS: the distinct supporting units' similarities, -inf padded
    labels: np.ndarray
    weights: np.ndarray
    answer_of: np.ndarray
    quality: np.ndarray  # per answer
    comps: np.ndarray  # the component id of each pair
    # per pair, the calibration's said_margin where the answer says something about the
    # component (`judge.presence`: partial that far under the cut-off), else 0
    lift: np.ndarray | float = 0.0
    # per pair, the points its reference lead adds to a score above 0 (`judge.referenced`)
    reference: np.ndarray | float = 0.0


@functools.lru_cache(maxsize=None)
def _rubric(grader: Grader, question: str):
    return grader.resolve_question(question)


@functools.lru_cache(maxsize=None)
def _prepared(grader: Grader, text: str) -> PreparedAnswer:
    return grader.prepare(text, words=True)  # read once for every (penalty, blend): embed once


def collect(grader: Grader, answers, cal: Calibration) -> Pairs:
    """answers: (text, question, labels or None, quality, style) tuples, the question a case id or
    free text; `cal` sets what the pairs' features depend on: the lexical blend and the substance
    penalty."""
    rows, kws, support, labels, weights, owner, comps, said = [], [], [], [], [], [], [], []
    reference = []
    for a_idx, (text, question, answer_labels, *_) in enumerate(answers):
        prepared = _prepared(grader, text)
        rubric = _rubric(grader, question)
        leads = (
            grader.reference_leads(
                prepared.vectors,
                prepared.explains & ~(prepared.excluded | prepared.repeats),
                _bank(grader, DEV_IDS.get(question)),
            )
            if cal.w_reference
            else {}
        )
        matrices = [
            grader.similarities(
                prepared.vectors, prepared.words, rubric.case, comp, cal.lexical_blend
            )[1]
            for comp in rubric.components
        ]
        owners = unit_owners(
            matrices, grader.heading_prior(prepared, rubric.components), prepared.units
        )
        names = owned_names(
            grader.lexicons,
            prepared.units,
            prepared.names,
            owners,
            [c.id for c in rubric.components],
        )
        for k, (comp, sims) in enumerate(zip(rubric.components, matrices)):
            kw_units = prepared.explains & names[comp.id]
            f = features(
                sims, prepared.substance, kw_units, prepared.excluded | prepared.repeats, cal
            )
            candidates = ~prepared.excluded & (owners == k) & ~prepared.repeats
            found = distinct_support(f.per_unit, prepared.units, candidates)
            named = kw_units & (f.per_unit >= cal.sim_low)  # as `judge` reads keyword units
            said.append(
                words_said(sims, prepared.units, candidates & prepared.explains, cal, named)
            )
            support.append(np.pad(found, (0, DEPTH_UNITS - len(found)), constant_values=-np.inf))
            rows.append(f.per_cue)
            kws.append(float(f.per_unit[kw_units].max()) if kw_units.any() else -np.inf)
            labels.append(ORD[answer_labels[comp.id]] if answer_labels else 0)
            weights.append(comp.effective_weight)
            owner.append(a_idx)
            comps.append(comp.id)
            reference.append(round(100 * cal.w_reference * leads.get(comp.id, 0.0)))
    width = max(len(r) for r in rows)
    per_cue = np.full((len(rows), width), -np.inf)
    for i, r in enumerate(rows):
        per_cue[i, : len(r)] = r
    return Pairs(
        per_cue,
        np.array(kws),
        np.array(support).reshape(len(rows), DEPTH_UNITS),
        np.array(labels),
        np.array(weights),
        np.array(owner),
        np.array([a[3] for a in answers]),
        np.array(comps),
        cal.said_margin * (np.array(said) > 0),
        np.array(reference, dtype=float),
    )


DEV_IDS = question_ids(DEV)  # a development answer is read without its question's references


@functools.lru_cache(maxsize=None)
def _bank(grader: Grader, question_id: str | None):
    return grader.reference_bank({question_id} if question_id else ())


def scores(
    p: Pairs,
    sim_low,
    sim_high,
    cue_match,
    breadth_full,
    cue_soft,
    weights,
    depth_min=DEPTH_MIN,
    depth_full=DEPTH_FULL,
) -> np.ndarray:
    top = p.per_cue.max(axis=1)
    semantic = np.clip((top - sim_low) / (sim_high - sim_low), 0, 1)
    breadth = np.minimum(cue_credit(p.per_cue, cue_match, cue_soft), breadth_full) / breadth_full
    lexical = (p.kw_best >= sim_low).astype(float)
    ws, wb, wl, wd = (*weights, 0.0)[:4]
    depth = depth_credit(p.support, depth_min, depth_full) if wd else 0.0
    s = np.round(
        100 * (ws * semantic + wb * breadth + wl * lexical + wd * depth) / (ws + wb + wl + wd)
    )
    return np.where(s > 0, np.minimum(100, s + p.reference), s)  # `judge.referenced`


def overall(p: Pairs, s: np.ndarray) -> np.ndarray:
    n = len(p.quality)
    num = np.bincount(p.answer_of, weights=p.weights * s, minlength=n)
    den = np.bincount(p.answer_of, weights=p.weights, minlength=n)
    return num / den


CREDIT = np.array([CREDITS["missing"], CREDITS["partial"], CREDITS["covered"]], dtype=float)


def credited(p: Pairs, s: np.ndarray, covered_at: int, partial_at: int) -> np.ndarray:
    """The answers' overall scores as the report gives them: their components' verdicts credited
    (`grading.credited`), rounded."""
    return np.round(overall(p, CREDIT[_status(s, covered_at, partial_at, p.lift)]))


def ranking(p: Pairs, s: np.ndarray) -> float:
    """Spearman between the answers' overall scores and their quality grades. The fit ranks by
    the weighted mean of the scores, not by the credited verdicts the report gives: ranked by
    verdicts, the offsets learn to flip verdicts for the ranking's sake, and the one fit that did
    agreed less with the labels on the held-out split (0.882 -> 0.867) and on the development set."""
    return float(spearmanr(overall(p, s), p.quality).statistic)


def evaluate(
    p: Pairs, s: np.ndarray, covered_at: int, partial_at: int, rho: float | None = None
) -> dict:
    pred = _status(s, covered_at, partial_at, p.lift)
    qwk = quadratic_kappa(p.labels, pred, 3)
    f1_missing = f1(p.labels == 0, pred == 0)
    rho = ranking(p, s) if rho is None else rho
    return {
        "qwk": qwk,
        "missing_f1": f1_missing,
        "spearman": float(rho),
        "objective": float(qwk + f1_missing + 0.5 * rho),
    }


def _status(s: np.ndarray, covered_at: int, partial_at: int, lift=0.0) -> np.ndarray:
    """Verdicts (0-2) of scores `s`; `lift` (per pair, `Pairs.lift`) lowers the partial cut-off
    where the answer says something about the component, as `judge.presence` raises its score."""
    return np.where(s >= covered_at, 2, np.where(s >= partial_at - lift, 1, 0))


def _lifts(p: Pairs, times: int = 1) -> np.ndarray:
    """`p.lift` per pair, repeated `times` over (as scores of renderings are tiled)."""
    return np.tile(np.broadcast_to(p.lift, len(p.comps)), times)


def eligible(
    params: dict, s: np.ndarray, pairs: Pairs, salad_pairs: Pairs, padded_pairs: Pairs
) -> bool:
    """Whether a setting keeps every keyword salad under SALAD_MAX and scores no padded answer above its
    original (overall scores as the report rounds them). `s` are the answers' pair scores under `params`;
    padded_pairs hold each answer padded once per padding text, padding-major."""
    if overall(salad_pairs, scores(salad_pairs, **params)).max() >= SALAD_MAX:
        return False
    base = np.round(overall(pairs, s))
    padded_scores = np.round(overall(padded_pairs, scores(padded_pairs, **params)))
    return not (padded_scores > np.tile(base, len(padded_scores) // len(base))).any()


def _speech_pairs(grader: Grader, speech, cal: Calibration) -> tuple[Pairs, Pairs] | None:
    """The scripts' pairs and their transcripts' pairs, in the same order (None without speech)."""
    if not speech:
        return None
    return collect(grader, [s for s, _ in speech], cal), collect(
        grader, [t for _, t in speech], cal
    )


def _renderings(answers) -> tuple[list, list]:
    """The written answers, and their transcript-style renderings (one per seed)."""
    written = [a for a in answers if a[4] != "transcript"]
    spoken = [(transcript_style(a[0], seed), *a[1:]) for seed in TRANSCRIPT_SEEDS for a in written]
    return written, spoken


def _thresholds(params: dict) -> dict:
    """What `fit_offsets` holds fixed: the grid's values and the two cut-offs."""
    return {k: v for k, v in params.items() if k in GRID or k.endswith("_at")}


def fit(grader: Grader, answers, salads, dev=(), speech=()) -> tuple[dict, dict]:
    """Best parameters by objective, among those that keep every salad under SALAD_MAX and never
    score a padded answer above its original.

    The objective also rewards agreement between the statuses of each written answer and of its
    transcript-style renderings (several seeds, so that the fit follows how spoken answers are graded,
    not where one rendering's fillers happen to fall), and adds the same agreement terms on the
    development set (`dev`: answers by other writers, in other styles, to other questions, some
    outside the case bank), so that the fit follows what the world writes, not only our answers.
    `speech` pairs answers read from a script with their real speech-recognition transcripts (the
    development set's spoken answers): the agreement of their statuses is a term of its own. The
    FINALISTS best settings each get per-component offsets (`fit_offsets`); the best total with
    offsets wins."""
    written, spoken = _renderings(answers)
    padded_answers = [
        (padded(a[0], 2, pad), *a[1:]) for pad in CALIBRATION_PADDINGS for a in answers
    ]
    finalists: list[tuple[float, int, dict, dict, tuple]] = []  # a min-heap of the best settings
    tally = 0
    for penalty, blend in itertools.product(PENALTIES, BLENDS):
        cal = grader.cal.model_copy(update={"substance_penalty": penalty, "lexical_blend": blend})
        pairs, salad_pairs, padded_pairs, written_pairs, spoken_pairs = (
            collect(grader, group, cal)
            for group in (answers, salads, padded_answers, written, spoken)
        )
        dev_pairs = collect(grader, dev, cal) if dev else None
        speech_pairs = _speech_pairs(grader, speech, cal)
        labelled = [pairs] if dev_pairs is None else [pairs, dev_pairs]
        for combo in itertools.product(*GRID.values()):
            params = dict(zip(GRID, combo))
            if params["sim_high"] - params["sim_low"] < 0.2:
                continue
            if not params["weights"][3] and (
                params["depth_min"] != DEPTH_MIN or params["depth_full"] != DEPTH_FULL
            ):
                continue  # without depth, its settings change nothing
            s = scores(pairs, **params)
            if not eligible(params, s, pairs, salad_pairs, padded_pairs):
                continue
            s_written = np.tile(scores(written_pairs, **params), len(TRANSCRIPT_SEEDS))
            s_spoken = scores(spoken_pairs, **params)
            s_salad = scores(salad_pairs, **params)
            rho = ranking(pairs, s)  # does not depend on the cut-offs
            if dev_pairs is not None:
                s_dev = scores(dev_pairs, **params)
                rho_dev = ranking(dev_pairs, s_dev)
            if speech_pairs is not None:
                s_script, s_asr = (scores(p, **params) for p in speech_pairs)
            best: tuple[dict, int, int] | None = None  # this setting's best cut-offs
            for cov, part in itertools.product(COVERED_AT, PARTIAL_AT):
                if cov - part < MIN_PARTIAL_BAND:
                    continue
                if credited(salad_pairs, s_salad, cov, part).max() >= SALAD_MAX:
                    continue
                m = evaluate(pairs, s, cov, part, rho)
                if dev_pairs is not None:
                    m_dev = evaluate(dev_pairs, s_dev, cov, part, rho_dev)
                    m["objective"] += m_dev["objective"]
                    m.update({f"dev_{k}": v for k, v in m_dev.items() if k != "objective"})
                m["transcript_agreement"] = float(
                    np.mean(
                        _status(s_written, cov, part, _lifts(written_pairs, len(TRANSCRIPT_SEEDS)))
                        == _status(s_spoken, cov, part, spoken_pairs.lift)
                    )
                )
                m["objective"] += m["transcript_agreement"]
                if speech_pairs is not None:
                    m["speech_agreement"] = float(
                        np.mean(
                            _status(s_script, cov, part, speech_pairs[0].lift)
                            == _status(s_asr, cov, part, speech_pairs[1].lift)
                        )
                    )
                    m["objective"] += m["speech_agreement"]
                if best is None or m["objective"] > best[0]["objective"]:
                    best = (m, cov, part)
            tally += 1
            if best is None or (
                len(finalists) == FINALISTS and best[0]["objective"] <= finalists[0][0]
            ):
                continue
            m, cov, part = best
            candidate = (
                m["objective"],
                -tally,  # on a tie the earlier setting ranks higher, as the grid order gives
                m,
                {
                    **params,
                    "substance_penalty": penalty,
                    "lexical_blend": blend,
                    "covered_at": cov,
                    "partial_at": part,
                },
                (labelled, written_pairs, spoken_pairs, salad_pairs, speech_pairs),
            )
            if len(finalists) < FINALISTS:
                heapq.heappush(finalists, candidate)
            else:
                heapq.heapreplace(finalists, candidate)
    # Offsets move scores across the cut-offs, so the best setting before them need not be the best
    # with them: each of the FINALISTS best settings gets its own offsets and the best total wins.
    best_metrics, best_params = {"objective": -9.0, "objective_with_offsets": -9.0}, {}
    for _, _, m, params, groups in sorted(finalists, key=lambda c: (-c[0], -c[1])):
        offsets, value = fit_offsets(_thresholds(params), *groups)
        if value > best_metrics["objective_with_offsets"] + 1e-9:
            best_metrics = {**m, "objective_with_offsets": value}
            best_params = {**params, "component_offsets": offsets}
    return best_params, best_metrics


def refit_offsets(
    grader: Grader, answers, salads, dev, fitted: Calibration, speech=()
) -> tuple[dict, dict]:
    """The fitted calibration's thresholds and weights with its offsets refitted (from where they
    are: coordinate ascent from the shipped offsets, never below them)."""
    params = {
        **{k: getattr(fitted, k) for k in GRID if k != "weights"},
        "weights": (fitted.w_semantic, fitted.w_breadth, fitted.w_lexical, fitted.w_depth),
        "substance_penalty": fitted.substance_penalty,
        "lexical_blend": fitted.lexical_blend,
        "covered_at": fitted.covered_at,
        "partial_at": fitted.partial_at,
    }
    cal = grader.cal.model_copy(
        update={k: params[k] for k in ("substance_penalty", "lexical_blend")}
    )
    written, spoken = _renderings(answers)
    params["component_offsets"], value = fit_offsets(
        _thresholds(params),
        [collect(grader, group, cal) for group in (answers, dev) if group],
        *(collect(grader, group, cal) for group in (written, spoken, salads)),
        _speech_pairs(grader, speech, cal),
        start=fitted.component_offsets,
    )
    return params, {"objective_with_offsets": value}


OFFSETS = range(-25, 26, 5)  # |offset| <= 25 keeps every shifted score in order
OFFSET_ROUNDS = 2


def with_offsets(comps: np.ndarray, s: np.ndarray, offsets: dict[str, int]) -> np.ndarray:
    """Scores `s` of pairs of components `comps`, each shifted by its component's offset."""
    return shift(s, np.array([offsets.get(c, 0) for c in comps]))


def fit_offsets(
    params: dict,
    groups: list[Pairs],
    written: Pairs,
    spoken: Pairs,
    salads: Pairs,
    speech: tuple[Pairs, Pairs] | None = None,
    start: dict[str, int] | None = None,
) -> tuple[dict[str, int], float]:
    """Each component's score offset, by coordinate ascent on the fit's objective (agreement and
    ranking on every labelled group, written-vs-spoken agreement) with the thresholds held: how
    real answers word a component, learned from their labels. A setting that lets a salad reach
    SALAD_MAX is not taken."""
    grid = {k: v for k, v in params.items() if k in GRID}
    cov, part = params["covered_at"], params["partial_at"]
    base = [scores(p, **grid) for p in groups]
    s_written = np.tile(scores(written, **grid), len(TRANSCRIPT_SEEDS))
    s_spoken, s_salad = scores(spoken, **grid), scores(salads, **grid)
    written_tiled = np.tile(written.comps, len(TRANSCRIPT_SEEDS))
    written_lift = _lifts(written, len(TRANSCRIPT_SEEDS))
    s_speech = [scores(p, **grid) for p in speech] if speech else []

    def total(off: dict[str, int]) -> float:
        salad = with_offsets(salads.comps, s_salad, off)
        if max(overall(salads, salad).max(), credited(salads, salad, cov, part).max()) >= SALAD_MAX:
            return -np.inf
        value = sum(
            evaluate(p, with_offsets(p.comps, s, off), cov, part)["objective"]
            for p, s in zip(groups, base)
        )
        spoken_status = _status(with_offsets(spoken.comps, s_spoken, off), cov, part, spoken.lift)
        written_status = _status(
            with_offsets(written_tiled, s_written, off), cov, part, written_lift
        )
        value += float(np.mean(written_status == spoken_status))
        if speech:
            script, asr = (
                _status(with_offsets(p.comps, s, off), cov, part, p.lift)
                for p, s in zip(speech, s_speech)
            )
            value += float(np.mean(script == asr))
        return value

    start = start or {}  # a refit starts from the shipped offsets, so it never ends below them
    offsets = {c: start.get(c, 0) for c in sorted({c for p in groups for c in p.comps})}
    best = total(offsets)
    for _ in range(OFFSET_ROUNDS):
        for c in offsets:
            keep = offsets[c]
            for o in OFFSETS:
                offsets[c] = o
                value = total(offsets)
                if value > best + 1e-9:
                    best, keep = value, o
            offsets[c] = keep
    return {c: o for c, o in offsets.items() if o}, best


def question_hits(grader: Grader, questions: list[dict]) -> list[tuple[str | None, str, float]]:
    """(expected case, best case, similarity) for each free-text question."""
    out = []
    for q in questions:
        hit = grader.index.query(grader.embedder.embed([q["text"]])[0], ["case"], k=12)[0]
        out.append((q["case"], hit.id, hit.similarity))
    return out


def case_match_accuracy(hits, threshold: float) -> float:
    ok = [
        (sim >= threshold and best == want) or (sim < threshold and want is None)
        for want, best, sim in hits
    ]
    return sum(ok) / len(ok)


def fit_case_match(grader: Grader, questions: list[dict]) -> tuple[float, float]:
    """The similarity cut-off between 'this is case X' and 'no case matches', by accuracy."""
    hits = question_hits(grader, questions)
    grid = [round(0.3 + 0.025 * i, 3) for i in range(13)]
    best = max(grid, key=lambda t: (case_match_accuracy(hits, t), -abs(t - 0.45)))
    return best, case_match_accuracy(hits, best)


def to_calibration(
    params: dict, n_answers: int, n_dev: int, n_labels: int, base: Calibration
) -> Calibration:
    ws, wb, wl, wd = params.pop("weights")
    values = {**params, "w_semantic": ws, "w_breadth": wb, "w_lexical": wl, "w_depth": wd}
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:8]
    return base.model_copy(
        update={
            **values,
            "id": f"fit-{digest}",
            "fitted_on": f"evals calibration split ({n_answers} answers) and development set "
            f"({n_dev} answers): {n_labels} component labels",
        }
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"write {CALIBRATION_FILE.name}")
    ap.add_argument(
        "--offsets-only",
        action="store_true",
        help="keep the fitted thresholds and weights, refit only the component offsets",
    )
    args = ap.parse_args(argv)
    # the reference weight is chosen by hand (evals/README.md), not in the grid: a refit keeps it
    kept = Calibration(w_reference=load_calibration().w_reference)
    grader = Grader.open(calibration=kept)
    answers = [
        (a.text, a.meta.case, a.meta.labels, a.meta.quality, a.meta.style)
        for a in load_answers()
        if a.split == "calibration"
    ]
    salads = [
        (text, case, None, 0, "salad") for text in keyword_salads(grader.kb) for case in SALAD_CASES
    ]
    developed = load_blind(DEV)
    # spoken answers are graded from their speech-recognition transcripts, as users submit them
    dev = [(a.graded_text, a.question, a.labels, a.quality, a.style) for a in developed]
    speech = [
        (
            (a.text, a.question, a.labels, a.quality, a.style),
            (a.asr, a.question, a.labels, a.quality, a.style),
        )
        for a in developed
        if a.asr
    ]
    if args.offsets_only:
        params, metrics = refit_offsets(grader, answers, salads, dev, load_calibration(), speech)
    else:
        params, metrics = fit(grader, answers, salads, dev, speech)
    if not params:
        print(
            "no setting in the grid keeps salads under SALAD_MAX and padding from raising a score",
            file=sys.stderr,
        )
        return 1
    questions = [
        q
        for q in yaml.safe_load((DATA / "questions.yaml").read_text())
        if q["split"] == "calibration"
    ] + yaml.safe_load((DEV / "questions.yaml").read_text())
    params["case_match_min"], metrics["case_match_accuracy"] = fit_case_match(grader, questions)
    n_labels = sum(len(grader.resolve_question(a[1]).components) for a in answers + dev)
    cal = to_calibration(dict(params), len(answers), len(dev), n_labels, kept)
    print(json.dumps({"params": params, "metrics": metrics}, indent=2, default=str))
    if args.write:
        CALIBRATION_FILE.write_text(cal.model_dump_json(indent=2) + "\n")
        print(f"wrote {CALIBRATION_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
