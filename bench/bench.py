"""Speed figures on this machine: `make bench` writes bench/results/bench.json and prints a table.

- warm grading time for answers of about 300, 1,500 and 6,000 words, and that time divided by the
  bare cost of embedding the answer's units once (target: at most 2x);
- cold `mlsd grade` wall time from process start (target: under 3 s), with what dominates it;
- index build time (full rebuild into a scratch folder, then the no-change update).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.knowledge.embedder import default_embedder
from grader.knowledge.index import build_index
from grader.knowledge.notes import load_kb
from grader.scoring.grading import default_grader
from grader.scoring.segment import segment

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
STRONG = ROOT / "examples" / "video_recommendation_strong.md"


def _answer(words: int) -> str:
    base = STRONG.read_text().split()
    reps = words // len(base) + 1
    return " ".join((base * reps)[:words])


def _best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def warm_grading() -> list[dict]:
    grader = default_grader()
    emb = default_embedder()
    rows = []
    for words in (300, 1500, 6000):
        text = _answer(words)
        grader.grade(text, "video_recommendation")
        units = [u.clean for u in segment(text)]
        grade_s = _best(lambda text=text: grader.grade(text, "video_recommendation"))
        embed_s = _best(lambda units=units: emb.embed(units))
        rows.append(
            {
                "words": words,
                "units": len(units),
                "grade_s": round(grade_s, 3),
                "embed_only_s": round(embed_s, 3),
                "ratio": round(grade_s / embed_s, 2),
            }
        )
    return rows


def cold_cli(runs: int = 5) -> dict:
    cmd = [
        str(Path(sys.executable).with_name("mlsd")),
        "grade",
        str(STRONG),
        "-q",
        "video_recommendation",
        "-f",
        "json",
    ]
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
    return {
        "median_s": round(statistics.median(walls), 2),
        "runs": [round(w, 2) for w in walls],
        "phases_s": json.loads(
            subprocess.run(
                [sys.executable, "-c", _PHASES, str(STRONG)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        ),
    }


# What a cold `mlsd grade` spends its time on, phase by phase, in a fresh interpreter.
_PHASES = """
import json, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name):
    global t0
    now = time.perf_counter(); marks[name] = round(now - t0, 3); t0 = now
import grader.cli, grader.scoring.grading; mark("import grader")
import chromadb; mark("import chromadb")
from grader.knowledge.notes import cached_kb; kb = cached_kb(); mark("load knowledge base")
from grader.knowledge.embedder import default_embedder; emb = default_embedder(); mark("load onnx model")
from grader.scoring.grading import Grader; g = Grader.open(kb=kb, embedder=emb); mark("open chroma index")
g.index.cue_vectors(); mark("fetch cue vectors")
g.grade(open(sys.argv[1]).read(), "video_recommendation"); mark("grade (embed answer + score)")
print(json.dumps(marks))
"""


def index_build() -> dict:
    kb, emb = load_kb(), default_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        full = build_index(kb, emb, path=Path(tmp) / "ix")
        again = build_index(kb, emb, path=Path(tmp) / "ix")
    return {
        "chunks": full.total,
        "full_build_s": round(full.seconds, 2),
        "unchanged_update_s": round(again.seconds, 2),
    }


def main() -> int:
    results = {"warm": warm_grading(), "cold_cli": cold_cli(), "index": index_build()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
