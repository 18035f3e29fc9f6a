"""LLM-mode evaluation, run when an LLM is configured (flags or MLSD_LLM* variables):

    python -m evals.llm_eval --llm openai-compatible --base-url http://127.0.0.1:8080/v1 --model m
    make eval-llm

For held-out labelled answers it grades each k times and reports: run-to-run spread of the
overall score; whether the grounding bound held; agreement with the human labels next to the
rules-only grader; quotes dropped and fallbacks; tokens, time and cost; and ragas faithfulness
of the LLM's component feedback to what it was given (the retrieved note and cues, and the
answer), judged by the same model. Writes evals/llm_report.md and evals/llm_report.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import warnings
from pathlib import Path

import numpy as np

from evals.dataset import load_answers
from evals.metrics import precision_recall_f1
from grader.llm.assist import assist, component_context
from grader.llm.client import build_chat_model
from grader.llm.config import load_config
from grader.llm.grounding import RAISE_BOUND
from grader.scoring.grading import default_grader


def faithfulness(config, items: list[tuple[str, str, list[str]]]) -> dict:
    """ragas Faithfulness of feedback to its contexts; items: (question, feedback, contexts)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ragas import SingleTurnSample
        from ragas.llms import LangchainLLMWrapper
        from ragas.metrics import Faithfulness

        metric = Faithfulness(llm=LangchainLLMWrapper(build_chat_model(config)))

    async def run():
        scores = []
        for question, feedback, contexts in items:
            try:
                scores.append(
                    await metric.single_turn_ascore(
                        SingleTurnSample(
                            user_input=question, response=feedback, retrieved_contexts=contexts
                        )
                    )
                )
            except Exception as exc:  # noqa: BLE001 - a judge that cannot answer is reported, not fatal
                scores.append(float("nan"))
                print(f"faithfulness: {type(exc).__name__}: {str(exc)[:120]}")
        return scores

    scores = asyncio.run(run())
    valid = [s for s in scores if s == s]
    return {
        "n": len(scores),
        "scored": len(valid),
        "mean": round(statistics.mean(valid), 3) if valid else None,
    }


def evaluate(config, n_answers: int, samples: int, n_faithfulness: int) -> dict:
    grader = default_grader()
    answers = [a for a in load_answers() if a.split == "heldout"][:n_answers]
    rows, truth, det_pred, llm_pred, faith_items = [], [], [], [], []
    for a in answers:
        det = grader.grade(a.text, a.meta.case)
        rep = assist(grader, a.text, det, config, samples=samples)
        before = {c.id: c for c in det.components}
        rows.append(
            {
                "id": a.meta.id,
                "quality": a.meta.quality,
                "rules_overall": det.overall_score,
                "llm_overall": rep.overall_score,
                "samples": rep.llm.overall_samples,
                "spread": rep.llm.overall_spread,
                "fell_back": rep.llm.fell_back,
                "judged": sum(c.judged_by == "llm" for c in rep.components),
                "within_bound": all(
                    c.score - before[c.id].score <= RAISE_BOUND for c in rep.components
                ),
                "dropped_quote_warnings": sum("not in the answer" in w for w in rep.warnings),
                "calls": rep.llm.calls,
                "tokens": rep.llm.prompt_tokens + rep.llm.completion_tokens,
                "seconds": rep.llm.latency_seconds,
                "cost_usd": rep.llm.estimated_cost_usd,
            }
        )
        for c in rep.components:
            if c.id in a.meta.labels:
                truth.append(a.meta.labels[c.id] == "missing")
                det_pred.append(before[c.id].status == "missing")
                llm_pred.append(c.status == "missing")
            if c.judged_by == "llm" and len(faith_items) < n_faithfulness:
                ctx = component_context(grader, grader.kb.cases[a.meta.case], c)
                faith_items.append(
                    (
                        f"How well does the answer cover {c.title}?",
                        c.feedback,
                        [ctx["notes"], "\n".join(ctx["cues"]), a.text],
                    )
                )
        print(
            f"{a.meta.id}: rules {det.overall_score}, llm {rep.overall_score} samples {rep.llm.overall_samples}"
        )
    spreads = [r["spread"] for r in rows if not r["fell_back"]]
    return {
        "model": f"{config.provider}:{config.model_name}",
        "answers": len(rows),
        "samples": samples,
        "spread": {
            "mean": round(statistics.mean(spreads), 2) if spreads else None,
            "max": max(spreads, default=None),
            "relative_mean": round(
                statistics.mean(
                    r["spread"] / max(r["llm_overall"], 1) for r in rows if not r["fell_back"]
                ),
                3,
            )
            if spreads
            else None,
        },
        "bound_held": all(r["within_bound"] for r in rows),
        "fell_back": sum(r["fell_back"] for r in rows),
        "missing_detection": {"rules": _prf(truth, det_pred), "llm": _prf(truth, llm_pred)},
        "faithfulness": faithfulness(config, faith_items)
        if faith_items
        else {"n": 0, "scored": 0, "mean": None},
        "rows": rows,
    }


def _prf(truth: list[bool], pred: list[bool]) -> dict:
    p, r, f = precision_recall_f1(np.array(truth, dtype=bool), np.array(pred, dtype=bool))
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def to_markdown(r: dict) -> str:
    lines = [
        "# LLM-mode evaluation",
        "",
        f"Model: `{r['model']}`; {r['answers']} held-out answers x {r['samples']} samples.",
        "",
        f"- run-to-run spread of the overall score: mean {r['spread']['mean']}, max {r['spread']['max']} "
        f"(relative {r['spread']['relative_mean']})",
        f"- grounding bound (raise <= {RAISE_BOUND} per component, with a relevant quote) held on every answer: {r['bound_held']}",
        f"- answers that fell back to the rules-only report: {r['fell_back']}",
        f"- missing-component detection, rules only: {r['missing_detection']['rules']}",
        f"- missing-component detection, with the LLM: {r['missing_detection']['llm']}",
        f"- ragas faithfulness of component feedback to the notes, cues and answer it was given: "
        f"{r['faithfulness']}",
        "",
        "| answer | quality | rules | LLM | samples | spread | judged | calls | tokens | s |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {x['id']} | {x['quality']} | {x['rules_overall']} | {x['llm_overall']} | {x['samples']} | {x['spread']} | "
        f"{x['judged']} | {x['calls']} | {x['tokens']} | {x['seconds']} |"
        for x in r["rows"]
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Evaluate the LLM layer (needs a configured LLM)")
    ap.add_argument("--llm")
    ap.add_argument("--model")
    ap.add_argument("--base-url")
    ap.add_argument("--answers", type=int, default=6)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument(
        "--faithfulness", type=int, default=12, help="component feedbacks to score with ragas"
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = ap.parse_args(argv)
    config = load_config(provider=args.llm, model=args.model, base_url=args.base_url)
    if not config.enabled:
        print("no LLM configured (--llm or MLSD_LLM): nothing to evaluate")
        return 2
    result = evaluate(config, args.answers, args.samples, args.faithfulness)
    (args.out / "llm_report.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "llm_report.md").write_text(to_markdown(result))
    print(to_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
