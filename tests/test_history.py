"""Attempt history: transactions, a real kill -9 mid-save, locked and damaged databases, delete,
clear, export, the `mlsd history` commands, and no API key ever stored."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.errors import HistoryError
from grader.llm.config import LLMConfig
from grader.practice.history import DB_NAME, History, data_dir
from grader.report import (
    AnswerStats,
    ComponentResult,
    Evidence,
    GradeReport,
    GraderInfo,
    LLMInfo,
    QuestionMatch,
    SourceInfo,
    StepResult,
)
from tests.conftest import EXAMPLES, ROOT

KEY = "sk-test-0123456789abcdefSECRET"
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)


def make_report(
    answer: str, score: int, *, llm: LLMInfo | None = None, notes: str = ""
) -> GradeReport:
    """A small valid report whose one evidence quote is the answer's first word."""
    word = answer.split()[0]
    comp = ComponentResult(
        id="cold_start",
        title="Cold start",
        step="model",
        severity="critical",
        weight=3.0,
        status="covered" if score >= 60 else "missing",
        score=score,
        level=2,
        cues_matched=1,
        cues_total=5,
        evidence=[Evidence(quote=word, start=0, end=len(word), similarity=0.7)],
        feedback="ok",
    )
    return GradeReport(
        question=QuestionMatch(
            id="video_recommendation", title="Video recommendation", matched_by="id"
        ),
        overall_score=score,
        steps=[StepResult(id="model", title="Model", score=score, components=["cold_start"])],
        components=[comp],
        missed_critical=[] if score >= 60 else ["cold_start"],
        strengths=[],
        follow_up_questions=[],
        recommended_reading=[],
        warnings=[],
        answer_stats=AnswerStats(
            characters=len(answer), words=len(answer.split()), sentences=1, units=1
        ),
        grader=GraderInfo(version="test", model="test", calibration="test", knowledge_base=notes),
        llm=llm,
    )


@pytest.fixture()
def db(tmp_path):
    return tmp_path / "data" / DB_NAME


def _raw(path) -> bytes:
    """Every byte the database keeps on disk: the file and its journal."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_save_list_get_round_trip(db):
    h = History(db)
    first = h.save(
        "Popular videos for new users.",
        make_report("Popular videos for new users.", 40),
        created_at=T0 + timedelta(days=1),
    )
    second = h.save(
        "Two-tower retrieval then a ranker.",
        make_report("Two-tower retrieval then a ranker.", 80),
        mode="mock",
        created_at=T0,
    )
    attempts = h.list()
    assert [a.id for a in attempts] == [second, first]  # oldest first, whatever the insertion order
    got = h.get(first)
    assert (
        got.answer == "Popular videos for new users."
        and got.mode == "practice"
        and got.overall_score == 40
    )
    assert got.report == make_report("Popular videos for new users.", 40)
    assert got.question_id == "video_recommendation" and got.source_kind == "text"
    with pytest.raises(HistoryError, match="no attempt with id 999"):
        h.get(999)
    with pytest.raises(ValueError):
        h.save("x y", make_report("x y", 1), mode="exam")
    assert len(h.list()) == 2


def test_the_same_answer_graded_twice_is_one_attempt(db):
    h = History(db)
    answer = "Popular videos for new users."
    first = h.save(answer, make_report(answer, 40))
    assert h.save(answer, make_report(answer, 40)) == first  # a second click on Grade
    assert len(h.list()) == 1
    assert h.save(answer, make_report(answer, 40), mode="mock") != first  # another kind of attempt
    edited = answer + " Then a ranker."
    assert h.save(edited, make_report(edited, 50)) not in (first,)
    again = h.save(answer, make_report(answer, 40))  # graded again after another: kept, in order
    assert again != first and len(h.list()) == 4


def test_data_dir_from_env_and_private_permissions(tmp_path, monkeypatch):
    monkeypatch.setenv("MLSD_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    h = History()
    assert h.path == tmp_path / "mine" / DB_NAME
    assert stat.S_IMODE(h.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(h.path.parent.stat().st_mode) == 0o700
    monkeypatch.delenv("MLSD_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "mlsd-grader"


def test_unwritable_folder_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(HistoryError, match="set MLSD_DATA_DIR"):
        History(blocker / "sub" / DB_NAME)


_SAVER = """
import sys
from grader.practice.history import History
from grader.report import GradeReport
history = History(sys.argv[1])
report = GradeReport.model_validate_json(open(sys.argv[2]).read())
i = int(sys.argv[3])
while True:
    i += 1
    answer = f"attempt {i} " + "x" * 400_000
    print(history.save(answer, report), i, flush=True)
"""


@pytest.mark.slow
def test_kill_9_mid_save_loses_no_saved_attempt(db, tmp_path):
    report_file = tmp_path / "report.json"
    report_file.write_text(make_report("attempt 1", 50).to_json())
    History(db)
    confirmed: dict[int, int] = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for cycle, wanted in enumerate((3, 6, 2)):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(db), str(report_file), str(cycle * 1000)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(wanted):  # each line is printed only after its transaction committed
            attempt_id, i = map(int, proc.stdout.readline().split())
            confirmed[attempt_id] = i
        os.kill(proc.pid, signal.SIGKILL)  # the child is already inside its next save
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        h = History(db)
        assert h.notice is None  # no damage to recover from
        rows = {a.id: a for a in h.list()}
        for attempt_id, i in confirmed.items():
            assert rows[attempt_id].answer == f"attempt {i} " + "x" * 400_000
        for a in rows.values():  # an attempt is there whole or not at all
            assert (
                len(a.answer) == len(f"attempt {a.answer.split()[1]} ") + 400_000
                and a.report.overall_score == 50
            )
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_locked_database_is_waited_for_then_reported(db):
    h = History(db, timeout_s=0.2, retries=1)
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match="locked by another program.*try again"):
            h.save("first answer", make_report("first answer", 10))
    finally:
        blocker.execute("ROLLBACK")
    # a lock released while we wait is simply waited out
    patient = History(db, timeout_s=5)
    blocker.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.3, lambda: blocker.execute("ROLLBACK")).start()
    started = time.monotonic()
    attempt_id = patient.save("second answer", make_report("second answer", 20))
    assert time.monotonic() - started >= 0.25
    blocker.close()
    assert [a.id for a in patient.list()] == [attempt_id]


def _scribble(db, *, root_of: str | None = None, page: int | None = None) -> None:
    """Overwrite one page of a checkpointed history with junk: the root page of the table or
    index `root_of`, or page number `page` (1-based), or the middle one."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        if root_of is not None:
            page = conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name = ?", (root_of,)
            ).fetchone()[0]
    page = page or db.stat().st_size // page_size // 2 + 1
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * page_size)
        fh.write(b"\xff" * page_size)


def test_unreadable_file_is_moved_aside_and_a_new_one_started(db):
    db.parent.mkdir(parents=True)
    garbage = b"this is not a database\x00" * 500
    db.write_bytes(garbage)
    h = History(db)
    aside = list(db.parent.glob(f"{DB_NAME}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage  # kept, never deleted
    assert str(aside[0]) in h.notice and "damaged" in h.notice
    assert "stay only in the moved file" in h.notice
    h.save("after recovery", make_report("after recovery", 30))
    assert [a.answer for a in History(db).list()] == ["after recovery"]


def test_damaged_index_recovers_every_attempt(db):
    h = History(db)
    answers = [f"answer number {i} about cold start" for i in range(5)]
    for i, text in enumerate(answers):
        h.save(text, make_report(text, 10 * i), created_at=T0 + timedelta(hours=i))
    _scribble(db, root_of="attempts_created")  # the index's page: the table itself is intact
    recovered = History(db)
    assert "recovered 5 attempts" in recovered.notice and "moved file" not in recovered.notice
    assert [a.answer for a in recovered.list()] == answers
    assert [a.report.overall_score for a in recovered.list()] == [0, 10, 20, 30, 40]


def test_a_damaged_page_loses_only_its_own_attempts_and_their_ids_are_not_given_again(db):
    h = History(db)
    answers = [f"answer {i} " + "about drift and retraining " * 150 for i in range(8)]
    for i, text in enumerate(answers):
        h.save(text, make_report(text, 10 * i), created_at=T0 + timedelta(hours=i))
    _scribble(db)  # a page in the middle of the table's rows
    recovered = History(db)
    kept = [a.answer for a in recovered.list()]
    assert 5 <= len(kept) < 8 and all(k in answers for k in kept)  # not stopped at the damage
    assert "stay only in the moved file" in recovered.notice
    assert recovered.save("a new attempt", make_report("a new attempt", 5)) == 9  # not a lost id


def test_a_read_only_history_is_read_never_moved_aside(db, monkeypatch):
    h = History(db)
    h.save("kept answer", make_report("kept answer", 40))
    real_access = os.access
    # a read-only folder, as a mount or a backup copy is (file modes do not bind root)
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode & os.W_OK else real_access(p, mode)
    )
    ro = History(db)
    assert ro.read_only and ro.notice is None
    assert [a.answer for a in ro.list()] == ["kept answer"]
    assert ro.export()["attempts"][0]["answer"] == "kept answer"
    with pytest.raises(HistoryError, match="read-only"):
        ro.save("another", make_report("another", 10))
    with pytest.raises(HistoryError, match="read-only"):
        ro.delete(1)
    assert not list(db.parent.glob("*.corrupt-*"))  # a healthy history is never moved aside
    with pytest.raises(HistoryError, match="read-only"):
        History(db.parent / "elsewhere" / DB_NAME)
    monkeypatch.undo()
    assert [a.answer for a in History(db).list()] == ["kept answer"]


def test_delete_clear_and_export(db):
    h = History(db)
    ids = [
        h.save(
            f"private answer {i} about drift",
            make_report(f"private answer {i}", 50 + i),
            created_at=T0 + timedelta(minutes=i),
        )
        for i in range(3)
    ]
    assert h.delete(ids[1]) is True and h.delete(ids[1]) is False
    exported = json.loads(h.export_json())
    assert exported["format"] == "mlsd-grader-history/1"
    assert [a["id"] for a in exported["attempts"]] == [ids[0], ids[2]]
    assert exported["attempts"][1]["report"]["overall_score"] == 52
    assert GradeReport.model_validate(exported["attempts"][0]["report"]) == h.get(ids[0]).report
    assert h.clear() == 2 and h.list() == []
    assert b"private answer" not in _raw(db)  # deleted, not merely unlinked from the table


def test_no_api_key_is_stored(db):
    assert not any("key" in name for name in LLMInfo.model_fields)
    config = LLMConfig(provider="openai", api_key=KEY)
    assert (
        KEY not in repr(config) and KEY not in str(config) and KEY not in config.model_dump_json()
    )
    answer = f"My design. (I pasted my key by mistake: {KEY}) Cold start uses popular items."
    report = make_report(answer, 60, llm=LLMInfo(provider="openai", model="gpt-4o-mini", calls=3))
    h = History(db)
    attempt_id = h.save(answer, report, secrets=[config.api_key.get_secret_value(), None, "short"])
    stored = h.get(attempt_id)
    assert KEY not in stored.answer and len(stored.answer) == len(
        answer
    )  # masked in place: offsets still hold
    assert KEY.encode() not in _raw(db) and KEY not in h.export_json()
    assert stored.report.llm.model == "gpt-4o-mini"


@pytest.fixture()
def cli(db, monkeypatch):
    monkeypatch.setenv("MLSD_DATA_DIR", str(db.parent))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["history", *args])


def test_history_commands(cli, db, tmp_path):
    assert "no attempts saved" in cli("list").stderr
    h = History(db)
    first = h.save("fraud answer text", make_report("fraud answer text", 41), created_at=T0)
    from_file = make_report("video answer text", 77).model_copy(
        update={
            "source": SourceInfo(kind="transcript", format="vtt", name="p.vtt", candidate="Sam")
        }
    )
    second = h.save("video answer text", from_file, created_at=T0 + timedelta(hours=1))
    listed = cli("list")
    assert listed.exit_code == 0 and "41" in listed.stdout and "77" in listed.stdout
    # whose answer each row is: the file it was read from and the speaker graded
    assert h.get(second).source == "transcript: p.vtt, Sam" and h.get(first).source == "text"
    assert "p.vtt, Sam" in listed.stdout
    out = tmp_path / "export.json"
    exported = cli("export", "-o", str(out))
    assert exported.exit_code == 0 and "wrote 2 attempts" in exported.stderr
    assert [a["answer"] for a in json.loads(out.read_text())["attempts"]] == [
        "fraud answer text",
        "video answer text",
    ]
    assert json.loads(cli("export").stdout)["attempts"][0]["id"] == first
    assert cli("export", "-o", str(out)).exit_code == 0  # an export mlsd wrote is written over
    missing = cli("delete", "999", "--yes")
    assert missing.exit_code == 2 and missing.stderr.startswith("error: no attempt with id 999")
    unconfirmed = cli("delete", str(first))  # deleting is for good: it asks first, as clear does
    assert unconfirmed.exit_code == 2 and f"delete {first} --yes" in unconfirmed.stderr
    assert "41/100" in unconfirmed.stderr and len(h.list()) == 2
    shown = cli("show", str(second), "-f", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["overall_score"] == 77
    assert cli("delete", str(first), "--yes").exit_code == 0 and [a.id for a in h.list()] == [
        second
    ]
    # an export is read back: what is missing is added under new ids, repeats are skipped
    restored = History(tmp_path / "restored" / DB_NAME)
    assert restored.import_export(json.loads(out.read_text())) == (2, 0)
    assert restored.import_export(json.loads(out.read_text())) == (0, 2)
    assert [(a.answer, a.overall_score) for a in restored.list()] == [
        ("fraud answer text", 41),
        ("video answer text", 77),
    ]
    imported = cli("import", str(out))
    assert imported.exit_code == 0 and "imported 1 attempt into" in imported.stderr
    assert "1 already there" in imported.stderr and len(h.list()) == 2
    not_export = tmp_path / "notes.json"
    not_export.write_text('{"attempts": []}')
    assert cli("import", str(not_export)).exit_code == 2
    missing = cli("import", str(tmp_path / "nope.json"))  # not "cannot be read as JSON"
    assert (
        missing.exit_code == 2
        and missing.stderr == f"error: {tmp_path / 'nope.json'}: no such file\n"
    )
    # an export's attempt must be one this version can show: refused whole, in one line
    doc = json.loads(out.read_text())
    broken_ones = (
        {"report": "not a report"},
        {"mode": "exam"},
        {"report": {"x": 1}},
        {"answer": None},  # it was kept as the text "None"
        {"answer": "an answer \ud800"},  # JSON's lone surrogate escape: the database refused it
    )
    for broken in broken_ones:
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**doc, "attempts": [{**doc["attempts"][0], **broken}]}))
        refused = cli("import", str(bad))
        assert refused.exit_code == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert "nothing was imported" in refused.stderr
    empty = tmp_path / "null.json"
    empty.write_text(json.dumps({**doc, "attempts": None}))
    assert cli("import", str(empty)).exit_code == 2 and len(h.list()) == 2
    huge = cli("show", str(10**25))
    assert huge.exit_code == 2 and "no attempt with id" in huge.stderr
    refused = cli("clear")
    assert refused.exit_code == 2 and "--yes" in refused.stderr and len(h.list()) == 2
    cleared = cli("clear", "--yes")
    assert cleared.exit_code == 0 and "deleted 2 attempts" in cleared.stderr and h.list() == []


def test_deleting_at_a_terminal_asks_and_json_is_a_flag(cli, db, monkeypatch):
    """`history delete` without --yes had exited 2 at a terminal too, telling the user to type the
    command again: at a terminal it asks (no deletes nothing), in a script it still refuses. And
    `--json` had been refused with "did you mean --question"; it is `-f json`."""
    h = History(db)
    first = h.save("fraud answer text", make_report("fraud answer text", 41), created_at=T0)
    monkeypatch.setattr("grader.cli._at_terminal", lambda: True)
    runner = CliRunner()
    kept = runner.invoke(app, ["history", "delete", str(first)], input="n\n")
    assert kept.exit_code == 1 and "nothing deleted" in kept.stderr and len(h.list()) == 1
    assert "41/100" in kept.stderr  # the question names what would go
    cleared = runner.invoke(app, ["history", "clear"], input="\n")  # the default is no
    assert cleared.exit_code == 1 and len(h.list()) == 1
    ended = runner.invoke(app, ["history", "clear"], input="")  # Ctrl+D at the prompt: a no
    assert ended.exit_code == 1 and "nothing deleted" in ended.stderr and len(h.list()) == 1
    assert "unexpected" not in ended.stderr
    shown = runner.invoke(app, ["history", "show", str(first), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["overall_score"] == 41
    both = runner.invoke(app, ["history", "show", str(first), "--json", "-f", "markdown"])
    assert both.exit_code == 2 and both.stderr.count("\n") == 1 and "two formats" in both.stderr
    gone = runner.invoke(app, ["history", "delete", str(first)], input="y\n")
    assert gone.exit_code == 0 and h.list() == []


def test_history_list_says_when_a_questions_attempts_were_graded_with_other_notes(cli, db):
    """An interviewer saw one answer at 41 and then 43 with no hint that their case had been
    edited in between: each attempt shows the digest of the notes that graded it, and the list
    says when one question's attempts differ in it."""
    h = History(db)
    h.save("answer text", make_report("answer text", 41, notes="45f3e25d73e6"), created_at=T0)
    listed = cli("list")
    assert "45f3e25d" in listed.stdout and "different notes" not in listed.stderr
    assert "rubric" in listed.stdout and "notes" not in listed.stdout  # no "notes" over a digest
    later = T0 + timedelta(hours=1)
    h.save("answer text", make_report("answer text", 43, notes="6073601215bb"), created_at=later)
    listed = cli("list")
    assert "60736012" in listed.stdout and "graded with different notes" in listed.stderr


def test_history_list_shows_a_long_question_on_one_line(cli, db):
    """A 600-character question typed as text had wrapped over about 25 terminal lines a row:
    it is cut, marked so, and `history show` has it whole (on a terminal 80 columns wide)."""
    long = "A regional hospital network compounds intravenous doses every evening. " * 8
    report = make_report("answer text", 41)
    report = report.model_copy(
        update={"question": report.question.model_copy(update={"title": long, "id": None})}
    )
    History(db).save("answer text", report, created_at=T0)
    listed = cli("list").stdout
    assert "…" in listed and "A regional" in listed
    assert len(listed.splitlines()) < 10  # borders, header and the row's few lines


def test_history_command_reports_a_damaged_file(cli, db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"garbage" * 100)
    result = cli("list")
    assert result.exit_code == 0 and "note: the history database was damaged" in result.stderr


@pytest.mark.slow
def test_mlsd_grade_save_stores_the_attempt(db, monkeypatch, grader):
    import grader.scoring.grading as grading_module

    monkeypatch.setenv("MLSD_DATA_DIR", str(db.parent))
    monkeypatch.setattr(grading_module, "_default", grader)
    answer = EXAMPLES / "video_recommendation_weak.md"
    args = ["grade", str(answer), "-q", "video_recommendation", "-f", "json"]
    saved = CliRunner().invoke(app, [*args, "--save"])
    assert saved.exit_code == 0 and "saved as attempt #" in saved.stderr, saved.stderr
    (attempt,) = History(db).list()
    assert attempt.answer == answer.read_text() and attempt.report_json == saved.stdout
    again = CliRunner().invoke(app, [*args, "--save"])  # the same answer graded again: kept once
    assert again.exit_code == 0 and f"already saved as attempt #{attempt.id}" in again.stderr
    assert len(History(db).list()) == 1
    assert CliRunner().invoke(app, args).exit_code == 0  # without --save nothing is stored
    assert len(History(db).list()) == 1


def test_a_history_that_cannot_take_the_attempt_costs_the_history_not_the_report(
    db, monkeypatch, grader, tmp_path
):
    import grader.scoring.grading as grading_module

    monkeypatch.setenv("MLSD_DATA_DIR", str(db.parent))
    monkeypatch.setattr(grading_module, "_default", grader)
    History(db).save("an earlier attempt", make_report("an earlier attempt", 40))
    answer = EXAMPLES / "video_recommendation_weak.md"
    args = ["grade", str(answer), "-q", "video_recommendation"]
    # -o never names the history database, its journal or the drafts: refused before any work
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(db.read_bytes())  # any database, not only the history in use
    for target in (db, f"{db}-wal", db.parent / "drafts" / "x.md", backup):
        refused = CliRunner().invoke(app, [*args, "--save", "-o", str(target)])
        assert refused.exit_code == 2 and "write it elsewhere" in refused.stderr
    assert [a.answer for a in History(db).list()] == ["an earlier attempt"]

    def locked(*_a, **_k):
        raise HistoryError("the history database is locked by another program")

    monkeypatch.setattr(History, "store", locked)  # `save` and the CLI write through it
    out = tmp_path / "report.json"
    failed = CliRunner().invoke(app, [*args, "--save", "-o", str(out)])
    assert failed.exit_code == 2 and "this attempt is not in your history" in failed.stderr
    assert json.loads(out.read_text())["overall_score"] >= 0  # the report was written first
    printed = CliRunner().invoke(app, [*args, "--save", "-f", "json"])
    assert printed.exit_code == 2 and json.loads(printed.stdout)["question"]["id"]


def test_a_typed_question_is_listed_as_typed_and_a_long_one_says_it_was_cut(db):
    from grader.practice.history import TITLE_CHARS, asked_title

    typed = "Design a system that predicts which sewer pipes will fail next year. " * 8
    report = make_report("sewer answer text", 30)
    report = report.model_copy(
        update={
            "question": QuestionMatch(
                id=None, title=typed, matched_by="framework", asked=typed.strip()
            )
        }
    )
    listed = asked_title(report)
    assert len(listed) <= TITLE_CHARS and listed.endswith("…") and typed.startswith(listed[:-1])
    History(db).save("sewer answer text", report)
    (saved,) = History(db).list()
    assert saved.question_title == listed and saved.report.question.asked == typed.strip()
    short = report.model_copy(
        update={"question": report.question.model_copy(update={"asked": "Sewer pipes?"})}
    )
    assert asked_title(short) == "Sewer pipes?"


def test_an_unreadable_id_counter_never_lets_a_lost_id_be_given_again(db):
    h = History(db)
    ids = [h.save(f"answer {i}", make_report(f"answer {i}", 10 + i)) for i in range(6)]
    h.delete(ids[-1])  # the counter alone remembers that this id was given out
    _scribble(db, root_of="sqlite_sequence")
    recovered = History(db)
    assert [a.answer for a in recovered.list()] == [f"answer {i}" for i in range(5)]
    assert "stay only in the moved file" not in recovered.notice  # every row was read
    assert recovered.save("after", make_report("after", 50)) > ids[-1]
