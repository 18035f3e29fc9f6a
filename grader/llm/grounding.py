"""Grounding rules, enforced in code whatever the model says.

1. A quote counts only if it is an exact substring of the answer (surrounding quotation marks and
   spaces are trimmed; at least MIN_QUOTE_WORDS words). If the model gave quotes and none is
   found, the component keeps its deterministic result.
2. The model judges a status (levels 0-1 missing, 2 partial, 3 covered); the rules keep the score
   within it. A verdict moves the score just into the judged status's calibrated band, or leaves
   it where it is when it already lies there.
3. Lowering needs a reason (feedback), no quote: a model can always say "this is not there".
4. Raising needs a verified quote that reads as evidence for this component (its similarity to
   the component's cues is at least `Calibration.sim_low`), and moves a score by RAISE_BOUND points
   at most. So a wrong or hijacked model can make a component covered only by pointing at text of
   the answer that is about it, never from nothing, and never past the bottom of the covered band.
   When the injection detector flagged the answer, no score may go up at all.
5. LLM text is made inert before it reaches a report: no links, images or HTML, bounded length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.report import ComponentResult, Evidence
from grader.scoring.calibration import Calibration
from grader.scoring.judge import status_for
from grader.text import shorten

RAISE_BOUND = 40
LEVEL_STATUS = {0: "missing", 1: "missing", 2: "partial", 3: "covered"}
MIN_QUOTE_WORDS = 3
_TRIM = " \t\r\n\"'\u201c\u201d\u2018\u2019`"
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]{0,200}>")
_URL = re.compile(r"\b(?:https?|ftp|file|javascript|data):\S*", re.IGNORECASE)


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    end: int


def verify_quotes(answer: str, quotes: list[str], limit: int = 3) -> tuple[list[Quote], int]:
    """(quotes found verbatim in the answer, number dropped)."""
    found: list[Quote] = []
    dropped = 0
    for raw in quotes:
        q = (raw or "").strip(_TRIM)
        start = answer.find(q) if len(q.split()) >= MIN_QUOTE_WORDS else -1
        if start < 0:
            dropped += 1
            continue
        if all(not (f.start <= start < f.end) for f in found) and len(found) < limit:
            found.append(Quote(q, start, start + len(q)))
    return found, dropped


def inert(text: str, limit: int = 1200) -> str:
    """LLM text made safe to render anywhere: images and links reduced to their words, tags and
    URLs removed, whitespace collapsed, length bounded."""
    text = _IMAGE.sub(lambda m: m.group(1), text or "")
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _TAG.sub("", text)
    return shorten(_URL.sub("[link removed]", text), limit)


def status_band(status: str, cal: Calibration) -> tuple[int, int]:
    """The scores that give `status` under the calibrated cut-offs."""
    return {
        "missing": (0, cal.partial_at - 1),
        "partial": (cal.partial_at, cal.covered_at - 1),
        "covered": (cal.covered_at, 100),
    }[status]


def bounded_score(
    rules_score: int, level: int, relevant_quote: bool, allow_raise: bool, reason: bool,
    cal: Calibration,
) -> int:  # fmt: skip
    """The rules score moved just into the judged status's band, under rules 3 and 4."""
    low, high = status_band(LEVEL_STATUS[level], cal)
    target = min(max(rules_score, low), high)
    if target < rules_score:
        return target if reason else rules_score
    if target > rules_score and not (relevant_quote and allow_raise):
        return rules_score
    return min(target, rules_score + RAISE_BOUND)


def apply_verdict(
    det: ComponentResult,
    level: int,
    feedback: str,
    quotes: list[Quote],
    similarities: list[float],
    gave_quotes: bool,
    allow_raise: bool,
    cal: Calibration,
) -> ComponentResult:
    """The component after an LLM verdict, under the rules above."""
    if gave_quotes and not quotes:
        return det  # every quote was invented: the rules-based result stands
    relevant = any(s >= cal.sim_low for s in similarities)
    score = bounded_score(det.score, level, relevant, allow_raise, bool(feedback.strip()), cal)
    status = status_for(score, cal)
    new_level = level if (relevant and allow_raise) or level <= det.level else det.level
    evidence: list[Evidence] = []
    if status != "missing":
        evidence = [
            Evidence(quote=q.text, start=q.start, end=q.end, similarity=round(s, 4))
            for q, s in zip(quotes, similarities)
        ]
        taken = [(e.start, e.end) for e in evidence]
        evidence += [e for e in det.evidence if all(e.end <= a or e.start >= b for a, b in taken)]
        evidence.sort(key=lambda e: e.start)
    return det.model_copy(
        update=dict(
            score=score,
            status=status,
            level=new_level,
            evidence=evidence,
            mention=det.mention if status == "missing" else None,
            feedback=inert(feedback) or det.feedback,
            judged_by="llm",
            deterministic_score=det.score,
        )
    )
