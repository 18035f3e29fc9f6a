"""Interviewer-scale figures: `mlsd batch` throughput with 1 and 2 workers on 100 answers, and the
HTTP API's latency at 1, 4 and 16 concurrent clients against the library's own grading time.

    python -m bench.cohort [--answers 100]

Writes bench/results/cohort.json. Targets (issue: interviewers and platforms): batch with 2 workers
at least 1.7x one worker; API overhead over the library's own grading time at most 10% at p50.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def _answers(n: int) -> list[tuple[str, str]]:
    """n (text, case id) pairs from the labelled answers, cycled."""
    from evals.dataset import load_answers

    pool = [(a.text, a.meta.case) for a in load_answers()]
    return [pool[i % len(pool)] for i in range(n)]


def batch_throughput(n: int) -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "cohort.jsonl"
        rows.write_text(
            "\n".join(
                json.dumps({"id": f"a{i}", "question": q, "answer": t})
                for i, (t, q) in enumerate(_answers(n))
            )  # fmt: skip
            + "\n"
        )
        for workers in (1, 2):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "grader.cli", "batch", str(rows), "-o", f"{tmp}/out{workers}",
                 "--workers", str(workers)],
                check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            out[f"workers_{workers}"] = {
                "seconds": round(seconds, 1),
                "answers_per_s": round(n / seconds, 2),
            }
    out["speedup_2_over_1"] = round(out["workers_1"]["seconds"] / out["workers_2"]["seconds"], 2)
    return out


def api_latency(clients_list=(1, 4, 16), requests: int = 32) -> dict:
    from grader.pipeline import grade_input
    from grader.scoring.grading import default_grader

    text, question = _answers(1)[0]
    grader = default_grader()
    grade_input(grader, text, question)
    library = []
    for _ in range(5):
        started = time.perf_counter()
        grade_input(grader, text, question)
        library.append(time.perf_counter() - started)
    lib_p50 = statistics.median(library)
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "serve", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        body = json.dumps({"question": question, "answer": text}).encode()

        def one(_i: int) -> float:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/grade", body,
                                         {"Content-Type": "application/json"})  # fmt: skip
            started = time.perf_counter()
            with urllib.request.urlopen(req, timeout=600) as r:
                r.read()
            return time.perf_counter() - started

        one(0)  # warm the worker
        out = {"library_p50_s": round(lib_p50, 3)}
        for clients in clients_list:
            with ThreadPoolExecutor(clients) as pool:
                times = sorted(pool.map(one, range(requests)))
            out[f"clients_{clients}"] = {
                "p50_s": round(statistics.median(times), 3),
                "p95_s": round(times[int(0.95 * (len(times) - 1))], 3),
            }
        out["overhead_p50_1_client"] = round(out["clients_1"]["p50_s"] / lib_p50 - 1, 3)
        return out
    finally:
        server.terminate()
        server.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100)
    args = parser.parse_args()
    results = {"batch": batch_throughput(args.answers), "api": api_latency()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cohort.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
