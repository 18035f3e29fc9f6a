"""Load figures: many gradings against one index, sequentially, from threads and from processes.

`make bench` runs `python -m bench.load`: 50 gradings of example and labelled answers (case ids and
free-text questions), first one after another, then from 8 threads sharing one grader, then from 4
spawned processes that each open the grader on the same index folder. Every report's JSON must be
byte-identical to its sequential twin and every grading must complete; the figures (gradings per
second, p50 and p95 latency of one grading) go to bench/results/load.json. Exit status 1 when a
report differs or a grading is missing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
EXAMPLES = [  # (file, question): case ids, a case title and free text, so retrieval is exercised too
    ("video_recommendation_strong.md", "video_recommendation"),
    ("video_recommendation_weak.md", "Video Recommendation"),
    ("fraud_detection_notes.md", "How would you detect card fraud?"),
    ("fraud_detection_transcript.txt", "fraud_detection"),
]


@dataclass(frozen=True)
class Job:
    id: str
    text: str
    question: str


@dataclass
class Run:
    """One way of running the jobs: reports as JSON by job id, per-grading latencies, wall time."""

    mode: str
    reports: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    wall_s: float = 0.0

    def add(
        self, job_id: str, report_json: str | None, latency: float, error: str | None = None
    ) -> None:
        if error is None:
            self.reports[job_id] = report_json
            self.latencies.append(latency)
        else:
            self.errors[job_id] = error

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        return {
            "gradings": len(self.reports),
            "errors": len(self.errors),
            "wall_s": round(self.wall_s, 2),
            "gradings_per_s": round(len(self.reports) / self.wall_s, 2) if self.wall_s else 0.0,
            "p50_s": round(statistics.median(lat), 3) if lat else None,
            "p95_s": round(_percentile(lat, 95), 3) if lat else None,
        }


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, -(-len(values) * pct // 100))
    return values[int(rank) - 1]


def make_jobs(n: int = 50) -> list[Job]:
    """n gradings: the examples, then labelled answers spread evenly over the cases (repeated if n is large)."""
    from evals.dataset import load_answers

    examples = [
        Job(f"examples/{name}", (ROOT / "examples" / name).read_text(encoding="utf-8"), q)
        for name, q in EXAMPLES
    ]
    labelled = [Job(f"evals/{a.meta.id}", a.text, a.meta.case) for a in load_answers()]
    rest = max(0, n - len(examples))
    picked = examples[:n] + [labelled[(i * len(labelled)) // rest] for i in range(rest)]
    return [Job(f"{i:03d}:{job.id}", job.text, job.question) for i, job in enumerate(picked)]


def _grade(grader, job: Job) -> tuple[str, str | None, float, str | None]:
    from grader.pipeline import grade_input

    started = time.perf_counter()
    try:
        report = grade_input(grader, job.text, job.question)
    except Exception as exc:  # noqa: BLE001 - a failed grading is a finding, reported with the others
        return job.id, None, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    return job.id, report.to_json(), time.perf_counter() - started, None


def run_sequential(grader, jobs: list[Job]) -> Run:
    run = Run("sequential")
    started = time.perf_counter()
    for job in jobs:
        run.add(*_grade(grader, job))
    run.wall_s = time.perf_counter() - started
    return run


def run_threads(grader, jobs: list[Job], workers: int = 8) -> Run:
    """All jobs on one shared grader from a thread pool."""
    run = Run(f"{workers} threads")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(lambda job: _grade(grader, job), jobs):
            run.add(*result)
    run.wall_s = time.perf_counter() - started
    return run


_worker_grader = None


def _open_worker(index_path: str) -> None:
    global _worker_grader
    from grader.scoring.grading import Grader

    _worker_grader = Grader.open(path=Path(index_path), auto_index=False)


def _grade_in_worker(job: Job):
    return _grade(_worker_grader, job)


def run_processes(jobs: list[Job], index_path: Path, workers: int = 4) -> Run:
    """All jobs from spawned processes, each opening its own grader on the same index folder.
    Wall time includes starting the processes and loading the model in each."""
    run = Run(f"{workers} processes")
    started = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_open_worker, initargs=(str(index_path),)
    ) as pool:
        for result in pool.map(_grade_in_worker, jobs):
            run.add(*result)
    run.wall_s = time.perf_counter() - started
    return run


def mismatches(reference: Run, other: Run) -> list[str]:
    """Job ids whose report is missing from `other` or differs from `reference` by a byte."""
    return sorted(
        job_id for job_id, text in reference.reports.items() if other.reports.get(job_id) != text
    )


def first_difference(a, b, path: str = "") -> str | None:
    """Where two parsed reports first differ (a dotted path and both values), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {str(a)[:200]!r} != {str(b)[:200]!r}"


def differences(reference: Run, other: Run) -> dict[str, str]:
    """For each mismatching job, where its report first differs from the reference."""
    return {
        job_id: first_difference(json.loads(text), json.loads(other.reports[job_id])) or "?"
        for job_id, text in reference.reports.items()
        if job_id in other.reports and other.reports[job_id] != text
    }


def load_test(grader, index_path: Path, n: int = 50, threads: int = 8, processes: int = 4) -> dict:
    """Run the jobs three ways; return the figures, the mismatching job ids and any errors."""
    jobs = make_jobs(n)
    load_before = os.getloadavg()[0]
    runs = [
        run_sequential(grader, jobs),
        run_threads(grader, jobs, threads),
        run_processes(jobs, index_path, processes),
    ]
    reference = runs[0]
    return {
        "jobs": len(jobs),
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg_1m_before": round(load_before, 2),  # other work skews figures
            "load_avg_1m_after": round(os.getloadavg()[0], 2),
        },
        "runs": {run.mode: run.summary() for run in runs},
        "mismatches": {run.mode: mismatches(reference, run) for run in runs[1:]},
        "differences": {run.mode: differences(reference, run) for run in runs[1:]},
        "errors": {run.mode: run.errors for run in runs if run.errors},
        "complete": all(len(run.reports) == len(jobs) for run in runs),
    }


def main() -> int:
    from grader.scoring.grading import Grader
    from grader.settings import settings

    grader = Grader.open(auto_index=False)
    results = load_test(grader, settings().index_dir)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'mode':<14}{'gradings':>9}{'wall s':>9}{'per s':>8}{'p50 s':>8}{'p95 s':>8}")
    for mode, s in results["runs"].items():
        print(
            f"{mode:<14}{s['gradings']:>9}{s['wall_s']:>9}{s['gradings_per_s']:>8}{s['p50_s']:>8}{s['p95_s']:>8}"
        )
    identical = not any(results["mismatches"].values())
    print(
        f"all complete: {results['complete']}; every report identical to its sequential twin: {identical}"
    )
    m = results["machine"]
    print(
        f"{m['cpus']} CPUs, 1-minute load average {m['load_avg_1m_before']} before, {m['load_avg_1m_after']} after"
    )
    return 0 if results["complete"] and identical else 1


if __name__ == "__main__":
    sys.exit(main())
