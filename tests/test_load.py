"""Load: gradings from threads and from spawned processes equal their sequential twins byte for byte."""

import pytest

from bench.load import load_test, make_jobs


def test_jobs_mix_examples_and_labelled_answers_with_free_text_questions():
    jobs = make_jobs(12)
    assert len(jobs) == len({j.id for j in jobs}) == 12
    assert sum(j.id.split(":")[1].startswith("examples/") for j in jobs) == 4
    assert any(" " in j.question for j in jobs) and any("_" in j.question for j in jobs)


@pytest.mark.slow
def test_gradings_from_threads_and_processes_match_sequential(grader, real_index_dir):
    results = load_test(grader, real_index_dir, n=12, threads=4, processes=2)
    assert results["errors"] == {} and results["complete"]
    assert results["mismatches"] == {"4 threads": [], "2 processes": []}, results["differences"]
    assert all(run["gradings"] == 12 for run in results["runs"].values())
