"""Index faults through the real CLI: missing, damaged, built with another model, killed half-way.

In-process tests drive `mlsd` with typer's CliRunner over a fast hash embedder; the kill test runs
the real CLI with the real model in subprocesses. Every index lives in a tmp folder (MLSD_INDEX_DIR).
"""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from filelock import FileLock
from typer.testing import CliRunner

import grader.knowledge.embedder as embedder_module
import grader.scoring.grading as grading_module
from grader.cli import app
from grader.knowledge.index import build_index
from grader.knowledge.notes import cached_kb
from tests.conftest import EXAMPLES, ROOT, HashEmbedder

ANSWER = str(EXAMPLES / "fraud_detection_notes.md")
GRADE = ["grade", ANSWER, "-q", "fraud_detection", "-f", "json"]


@pytest.fixture()
def mlsd(monkeypatch, tmp_path):
    """`mlsd` in-process on an index folder of its own, with the hash embedder as the default."""
    emb = HashEmbedder()
    monkeypatch.setattr(grading_module, "default_embedder", lambda: emb)
    monkeypatch.setattr(embedder_module, "default_embedder", lambda: emb)
    monkeypatch.setenv("MLSD_INDEX_DIR", str(tmp_path / "ix"))
    monkeypatch.delenv("MLSD_CHROMA_URL", raising=False)
    monkeypatch.delenv("MLSD_DEBUG", raising=False)
    monkeypatch.delenv("MLSD_LLM", raising=False)

    def run(*args, auto_index: bool = True):
        monkeypatch.setenv("MLSD_AUTO_INDEX", "1" if auto_index else "0")
        monkeypatch.setattr(grading_module, "_default", None)  # a fresh default grader per command
        return CliRunner().invoke(app, list(args))

    run.path = tmp_path / "ix"
    return run


def one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    err = result.stderr
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def report_of(result) -> str:
    assert result.exit_code == 0, (result.stderr, result.exception)
    json.loads(result.stdout)
    return result.stdout


@pytest.fixture()
def clean_report(mlsd):
    """The report from a freshly built index; the folder is then left built for the test to damage."""
    assert mlsd("index").exit_code == 0
    return report_of(mlsd(*GRADE, auto_index=False))


def _segment(path):
    return next(p for p in path.iterdir() if p.is_dir())


def _rewrite(path, data: bytes) -> None:
    path.write_bytes(data)


DAMAGE = {  # how to damage a built index -> whether Chroma can still read it
    "database cut in half": (
        lambda p: _rewrite(p / "chroma.sqlite3", _half((p / "chroma.sqlite3").read_bytes())),
        False,
    ),
    "database replaced by random bytes": (
        lambda p: _rewrite(p / "chroma.sqlite3", random.Random(1).randbytes(300_000)),
        False,
    ),
    "database pages overwritten": (
        lambda p: _rewrite(p / "chroma.sqlite3", _garble((p / "chroma.sqlite3").read_bytes())),
        False,
    ),
    "segment folder deleted": (lambda p: shutil.rmtree(_segment(p)), True),
    "segment files random bytes": (
        lambda p: [_rewrite(f, random.Random(2).randbytes(4096)) for f in _segment(p).iterdir()],
        True,
    ),
}


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garble(data: bytes) -> bytes:
    out = bytearray(data)
    out[4096 * 3 : 4096 * 8] = random.Random(3).randbytes(4096 * 5)
    return bytes(out)


def test_missing_index_without_auto_index_says_run_mlsd_index(mlsd):
    err = one_line_error(mlsd(*GRADE, auto_index=False), "no index at", "run `mlsd index`")
    assert "--rebuild" not in err


def test_missing_index_is_built_on_first_use_with_a_note(mlsd):
    result = mlsd(*GRADE)
    assert result.exit_code == 0, result.stderr
    assert "note: no index at" in result.stderr and "building it now" in result.stderr
    assert json.loads(result.stdout)["question"]["id"] == "fraud_detection"
    assert mlsd("index").stdout.count(" 0 embedded") == 1  # the auto-built index is complete


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_says_what_to_do_and_rebuild_restores_it(mlsd, clean_report, damage):
    harm, readable = DAMAGE[damage]
    harm(mlsd.path)
    if readable:  # Chroma rebuilds its vector segment from the write log in its database
        assert report_of(mlsd(*GRADE, auto_index=False)) == clean_report
    else:
        one_line_error(
            mlsd(*GRADE, auto_index=False),
            f"the index at {mlsd.path} is damaged",
            "`mlsd index --rebuild`",
        )
        one_line_error(mlsd("index"), "is damaged", "`mlsd index --rebuild`")
    rebuilt = mlsd("index", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert report_of(mlsd(*GRADE, auto_index=False)) == clean_report


def test_damaged_index_is_rebuilt_automatically_with_a_note(mlsd, clean_report):
    DAMAGE["database replaced by random bytes"][0](mlsd.path)
    result = mlsd(*GRADE)
    assert "is damaged" in result.stderr and "rebuilding it now" in result.stderr
    assert report_of(result) == clean_report


def test_rebuild_removes_only_chromas_files(mlsd):
    mlsd.path.mkdir()
    (mlsd.path / "notes.txt").write_text("mine")
    (mlsd.path / "drafts").mkdir()
    assert mlsd("index").exit_code == 0
    _rewrite(mlsd.path / "chroma.sqlite3", b"garbage" * 1000)
    assert mlsd("index", "--rebuild").exit_code == 0
    assert (mlsd.path / "notes.txt").read_text() == "mine" and (mlsd.path / "drafts").is_dir()
    report_of(mlsd(*GRADE, auto_index=False))


def test_index_location_that_is_a_file(mlsd):
    mlsd.path.write_text("not a folder")
    one_line_error(mlsd(*GRADE), "is a file, not a folder")
    one_line_error(mlsd("index", "--rebuild"), "is a file, not a folder")
    assert mlsd.path.read_text() == "not a folder"


def test_other_embedding_model_points_at_rebuild_even_with_auto_index(mlsd, clean_report):
    other = HashEmbedder()
    other.name = "another/model"
    build_index(cached_kb(), other, path=mlsd.path, rebuild=True)
    one_line_error(mlsd(*GRADE), "built with another/model", "`mlsd index --rebuild`")
    one_line_error(mlsd("index"), "built with another/model", "`mlsd index --rebuild`")
    assert mlsd("index", "--rebuild").exit_code == 0
    assert report_of(mlsd(*GRADE, auto_index=False)) == clean_report


def _embedded_rows(path) -> int:
    """Rows Chroma has written so far, read from outside the building process."""
    try:
        with sqlite3.connect(
            f"file:{path / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=0.1
        ) as db:
            return db.execute("select count(*) from embeddings").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_killed_index_build_recovers_on_next_grade(grader, tmp_path, monkeypatch):
    """kill -9 a real `mlsd index --rebuild` once it has written embeddings; the next `mlsd grade`
    is not blocked by the lock, completes the index and gives the clean build's report."""
    ix = tmp_path / "ix"
    env = {**os.environ, "MLSD_INDEX_DIR": str(ix), "MLSD_AUTO_INDEX": "1"}
    env.pop("MLSD_CHROMA_URL", None)
    cli = [sys.executable, "-m", "grader.cli"]
    build = subprocess.Popen(
        [*cli, "index", "--rebuild"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while _embedded_rows(ix) == 0 and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert build.poll() is None, "the build finished before it could be killed"
        assert _embedded_rows(ix) > 0
        build.send_signal(signal.SIGKILL)
    finally:
        build.kill()
        build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL
    lock = FileLock(str(ix) + ".lock", timeout=0)
    lock.acquire()  # the lock file is left behind, but its OS lock died with the process
    lock.release()

    recovered = subprocess.run(
        [*cli, *GRADE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert recovered.returncode == 0, recovered.stderr
    assert "out of date" in recovered.stderr and "building it now" in recovered.stderr

    monkeypatch.setattr(
        grading_module, "_default", grader
    )  # the clean session index, same CLI path
    monkeypatch.delenv("MLSD_LLM", raising=False)
    clean = CliRunner().invoke(app, GRADE)
    assert clean.exit_code == 0, clean.stderr
    assert recovered.stdout == clean.stdout
    assert build_index(grader.kb, grader.embedder, path=ix).embedded == 0


def test_a_build_that_holds_the_lock_too_long_gives_one_line(mlsd, monkeypatch):
    import grader.knowledge.index as index_module

    monkeypatch.setattr(index_module, "LOCK_TIMEOUT_S", 0.2)
    with FileLock(str(mlsd.path) + ".lock"):  # another builder, alive and busy
        one_line_error(
            mlsd("index"), "another process has been building the index", "stop it, or wait"
        )
