"""Grounding rules, enforced in code whatever the model says.

1. A quote counts only if it is an exact substring of the answer (surrounding quotation marks and
   spaces are trimmed; at least MIN_QUOTE_WORDS words). If the model gave quotes and none is
   found, the component keeps its deterministic result.
2. Without a verified quote the LLM may lower a score but never raise it, so it cannot make a
   component covered that the answer does not show.
3. Any adjustment is bounded: |LLM score - rules score| <= BOUND points, where the LLM score is
   its level mapped by LEVEL_SCORE. A wrong or hijacked model moves a component by 15 points at
   most, and the overall score (a weighted mean) by at most as much.
4. When the injection detector flagged the answer, no score may go up at all.
5. LLM text is made inert before it reaches a report: no links, images or HTML, bounded length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.report import ComponentResult, Evidence
from grader.scoring.calibration import Calibration
from grader.scoring.judge import status_for

BOUND = 15
LEVEL_SCORE = {0: 0, 1: 30, 2: 65, 3: 90}
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
    text = _URL.sub("[link removed]", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def bounded_score(rules_score: int, level: int, verified: bool, allow_raise: bool) -> int:
    delta = max(-BOUND, min(BOUND, LEVEL_SCORE[level] - rules_score))
    if delta > 0 and not (verified and allow_raise):
        delta = 0
    return max(0, min(100, rules_score + delta))


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
    score = bounded_score(det.score, level, bool(quotes), allow_raise)
    status = status_for(score, cal)
    new_level = level if (quotes and allow_raise) or level <= det.level else det.level
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
            feedback=inert(feedback) or det.feedback,
            judged_by="llm",
            deterministic_score=det.score,
        )
    )
