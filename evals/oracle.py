"""How much of the gap to the labels could a perfect LLM judge close under the grounding rules?

    python -m evals.oracle

An oracle model answers every component of every blind answer that has labelled evidence spans
with the labelled status (covered 3, partial 2, missing 0) and quotes the labelled spans. It runs
through the real LLM layer (`grader.llm.assist`: quote verification, the bound, the no-raise rule
for flagged answers). Reported: agreement with the labels for the rules alone, rules + oracle, and
the oracle alone (its levels turned into statuses the way the grounding rules turn them).
Writes `evals/oracle_report.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from evals.blind import agreement, load_blind
from grader.llm.assist import assist
from grader.llm.config import LLMConfig
from grader.llm.grounding import LEVEL_STATUS
from grader.scoring.grading import Grader, default_grader
from tests.llm_fakes import PolicyChatModel, kind, requested_ids, sensible_policy, tool_call

LEVEL = {"covered": 3, "partial": 2, "missing": 0}


def oracle_policy(labels: dict[str, str], spans: dict[str, list[str]]):
    fallback = sensible_policy()

    def policy(messages, n):
        if kind(messages) != "judge":
            return fallback(messages, n)
        verdicts = {
            cid: {
                "feedback": f"Labelled {labels[cid]}.",
                "quotes": [s[:300] for s in spans.get(cid, [])[:3]],
                "level": LEVEL[labels[cid]],
            }
            for cid in requested_ids(messages)
        }
        return tool_call("JudgeVerdicts", {"verdicts": verdicts})

    return policy


def run(grader: Grader | None = None) -> dict:
    grader = grader or default_grader()
    config = LLMConfig(provider="openai-compatible", base_url="http://127.0.0.1:9/v1", model="oracle",
                       max_retries=0, concurrency=1, batch_size=10)  # fmt: skip
    truth, rules, both, alone = [], [], [], []
    moved = {
        "false_covered_fixed": 0,
        "false_covered": 0,
        "false_missing_fixed": 0,
        "false_missing": 0,
    }
    answers = [a for a in load_blind() if a.spans and not a.asr]
    for a in answers:
        det = grader.grade(a.text, a.question)
        model = PolicyChatModel(policy=oracle_policy(a.labels, a.spans))
        judged = assist(grader, a.text, det, config, chat_model=model)
        for c in det.components:
            label = a.labels[c.id]
            after = judged.component(c.id).status
            truth.append(label)
            rules.append(c.status)
            both.append(after)
            alone.append(LEVEL_STATUS[LEVEL[label]])
            if c.status != "missing" and label == "missing":
                moved["false_covered"] += 1
                moved["false_covered_fixed"] += after == "missing"
            if c.status == "missing" and label != "missing":
                moved["false_missing"] += 1
                moved["false_missing_fixed"] += after != "missing"
    return {
        "answers": len(answers),
        "rules only": agreement(truth, rules),
        "rules + oracle": agreement(truth, both),
        "oracle alone": agreement(truth, alone),
        **moved,
    }


def main() -> int:
    result = run()
    out = Path(__file__).parent / "oracle_report.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
