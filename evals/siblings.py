"""Answers to another system of the asked product: `make eval` writes evals/siblings_report.md.

    python -m evals.siblings [--out DIR]

The pairs (`data/siblings/pairs.yaml`, written by a helper who saw neither the grader nor the
knowledge base) hold, per question, an answer to it and an answer to a sibling system of the same
product in the same words (a destination recommender for riders, given for "which docking
stations will be empty or full"). An answer is caught when the grader scales it as off topic or
says it may design another system (`Relevance.another_system`). The thresholds were chosen on the
first seven pairs and on the development sets' answers, none of which may be told so; the last
seven pairs and the blind set were read after the choice.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from evals.blind import SETS, load_blind
from grader.scoring.grading import Grader, default_grader

PAIRS = Path(__file__).parent / "data" / "siblings" / "pairs.yaml"
CHOSEN_ON = 7  # the first pairs, read while ASKED_PASSAGE and ASKED_WORDS were chosen
ANOTHER = "may design another system"
SCALED = "scores were scaled"


def verdict(grader: Grader, answer: str, question: str) -> str:
    """'scaled' (read as off topic), 'another system' (said to be), or 'as asked'."""
    warnings = " ".join(grader.grade(answer, question).warnings)
    return (
        "scaled" if SCALED in warnings else "another system" if ANOTHER in warnings else "as asked"
    )


def pair_figures(grader: Grader, path: Path = PAIRS) -> dict:
    rows = []
    for k, p in enumerate(yaml.safe_load(path.read_text())):
        rows.append(
            {
                "id": p["id"],
                "chosen_on": k < CHOSEN_ON,
                "on_task": verdict(grader, p["on_task_answer"], p["question"]),
                "off_task": verdict(grader, p["off_task_answer"], p["question"]),
            }
        )
    halves = {}
    for name, chosen in (("chosen on", True), ("read after", False)):
        part = [r for r in rows if r["chosen_on"] == chosen]
        halves[name] = {
            "pairs": len(part),
            "sibling caught": sum(r["off_task"] != "as asked" for r in part),
            "sibling said another system": sum(r["off_task"] == "another system" for r in part),
            "answer told so": sum(r["on_task"] != "as asked" for r in part),
        }
    return {"rows": rows, "halves": halves}


def on_topic_figures(grader: Grader) -> dict:
    """Answers written for their question (the development and blind sets): how many are said to
    design another system."""
    out = {}
    for name, root in SETS.items():
        answers = load_blind(root)
        told = [
            a.id for a in answers if verdict(grader, a.graded_text, a.question) == "another system"
        ]
        out[name] = {"answers": len(answers), "told another system": len(told), "ids": told}
    return out


def to_markdown(figures: dict) -> str:
    out = [
        "# Answers to another system of the asked product",
        "",
        "Pairs written by a helper who saw neither the grader nor the knowledge base: per question, "
        "an answer to it and an answer to a sibling system of the same product. Caught: scaled as "
        "off topic, or said to design another system. The thresholds were chosen on the first "
        "seven pairs and the development sets; the rest were read after.",
        "",
        "| pairs | count | sibling caught | of them, said another system | answer to the question told so |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, h in figures["pairs"]["halves"].items():
        out.append(
            f"| {name} | {h['pairs']} | {h['sibling caught']} | "
            f"{h['sibling said another system']} | {h['answer told so']} |"
        )
    out += [
        "",
        "Answers written for their question, said to design another system:",
        "",
        "| set | answers | told so |",
        "|---|---:|---:|",
    ]
    out += [
        f"| {name} | {c['answers']} | {c['told another system']} |"
        for name, c in figures["on_topic"].items()
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = ap.parse_args(argv)
    grader = default_grader()
    figures = {"pairs": pair_figures(grader), "on_topic": on_topic_figures(grader)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "siblings_report.json").write_text(json.dumps(figures, indent=2) + "\n")
    (args.out / "siblings_report.md").write_text(to_markdown(figures))
    for name, h in figures["pairs"]["halves"].items():
        print(
            f"siblings ({name}): {h['sibling caught']}/{h['pairs']} caught, "
            f"{h['answer told so']} answers to the question told so"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
