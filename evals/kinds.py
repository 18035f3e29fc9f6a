"""How often a typed question's kind of system is read right: `make eval` writes evals/kinds_report.md.

    python -m evals.kinds [--out DIR]

The questions (`data/kinds/questions.yaml`) were written and labelled by a helper who saw neither
the grader nor the example questions in `knowledge_base/systems/`. A kind read is right when it is
one the label lists, wrong when it is not, and unsaid when no kind leads (`kinds_asked`, given the
kinds the question's words name, returns none: the grader then falls back on the kinds of the bank
case the question is near, if any).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from grader.scoring.grading import (
    Grader,
    closed,
    default_grader,
    question_kinds,
    reads_as_other_question,
)

QUESTIONS = Path(__file__).parent / "data" / "kinds" / "questions.yaml"
SCOPE = Path(__file__).parent / "data" / "kinds" / "scope.yaml"


def kind_figures(grader: Grader, path: Path = QUESTIONS) -> dict:
    """Right, wrong and unsaid counts, for questions of one kind and for ambiguous ones."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    vectors = grader.embedder.embed([e["q"] for e in entries])
    counts = {group: {"right": 0, "wrong": 0, "unsaid": 0} for group in ("one kind", "ambiguous")}
    misread = []
    for entry, vector in zip(entries, vectors):
        read, _ = question_kinds(grader.index, vector, grader.kind_words, entry["q"])
        verdict = "unsaid" if not read else "right" if read[0] in entry["kinds"] else "wrong"
        counts["one kind" if len(entry["kinds"]) == 1 else "ambiguous"][verdict] += 1
        if verdict == "wrong":
            misread.append({"question": entry["q"], "labelled": entry["kinds"], "read": read[0]})
    for c in counts.values():
        said = c["right"] + c["wrong"]
        c["precision"] = round(c["right"] / said, 3) if said else None
        c["said"] = round(said / (said + c["unsaid"]), 3) if said + c["unsaid"] else None
    return {"questions": len(entries), "counts": counts, "misread": misread}


def scope_figures(grader: Grader, path: Path = SCOPE) -> dict:
    """Per label (ml_design, not_ml_design, borderline), how many questions the grader says read
    as no ML system design question, with the ML design questions it says so of."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    vectors = grader.embedder.embed([closed(e["question"]) for e in entries])
    counts: dict[str, dict[str, int]] = {}
    flagged_design = []
    for entry, vector in zip(entries, vectors):
        c = counts.setdefault(entry["label"], {"questions": 0, "said_not_design": 0})
        said = reads_as_other_question(grader.index, vector)
        c["questions"] += 1
        c["said_not_design"] += said
        if said and entry["label"] == "ml_design":
            flagged_design.append(entry["question"])
    return {"counts": dict(sorted(counts.items())), "ml_design_flagged": flagged_design}


def to_markdown(figures: dict) -> str:
    out = [
        "# Kinds of system read from typed questions",
        "",
        f"{figures['questions']} questions written and labelled by a helper who saw neither the "
        "grader nor `knowledge_base/systems/`. Precision: the share of kinds read that the label "
        "lists; said: the share of questions given a kind at all (the others fall back on the "
        "kinds of the bank case they are near, if any).",
        "",
        "| questions | right | wrong | unsaid | precision | said |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for group, c in figures["counts"].items():
        out.append(
            f"| {group} | {c['right']} | {c['wrong']} | {c['unsaid']} | {c['precision']} | "
            f"{c['said']} |"
        )
    if figures["misread"]:
        out += ["", "Read as another kind:", ""]
        out += [
            f"- {m['question']} (labelled {', '.join(m['labelled'])}; read as {m['read']})"
            for m in figures["misread"]
        ]
    scope = figures.get("scope")
    if scope:
        out += [
            "",
            "## Questions that ask for no ML system",
            "",
            "Questions a helper wrote and labelled (`data/kinds/scope.yaml`; looked at while the "
            "margins were chosen, so not blind): how many the report says do not read as an ML "
            "system design question.",
            "",
            "| label | questions | said not ML design |",
            "|---|---:|---:|",
        ]
        out += [
            f"| {label} | {c['questions']} | {c['said_not_design']} |"
            for label, c in scope["counts"].items()
        ]
        out += [f"- ML design question said not to be: {q}" for q in scope["ml_design_flagged"]]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent)
    ap.add_argument(
        "--questions",
        type=Path,
        default=QUESTIONS,
        help="labelled questions (default: the test set; data/kinds/choice.yaml is the set "
        "KIND_WORDS_MARGIN was chosen on)",
    )
    args = ap.parse_args(argv)
    grader = default_grader()
    figures = kind_figures(grader, args.questions)
    figures["scope"] = scope_figures(grader)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "kinds_report.json").write_text(json.dumps(figures, indent=2) + "\n")
    (args.out / "kinds_report.md").write_text(to_markdown(figures))
    c = figures["counts"]["one kind"]
    print(f"kinds of system: precision {c['precision']}, said {c['said']} (questions of one kind)")
    s = figures["scope"]["counts"]
    print(
        "said not ML design: "
        + ", ".join(f"{k} {v['said_not_design']}/{v['questions']}" for k, v in s.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
