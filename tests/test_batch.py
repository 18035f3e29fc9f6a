"""`mlsd batch`: a cohort graded by worker processes, one report per answer identical to the
library's, bad rows reported by line without stopping the batch, and a rerun that resumes."""

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys

import pytest

from grader import batch
from grader.batch import read_rows
from grader.report import GradeReport
from grader.text import quantity
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow
STRONG, WEAK = (
    EXAMPLES / "video_recommendation_strong.md",
    EXAMPLES / "video_recommendation_weak.md",
)


def _cohort(tmp_path):
    lines = [
        {"id": "alice", "question": "video_recommendation", "path": str(STRONG)},
        {"id": "bob", "question": "video_recommendation", "answer": WEAK.read_text()},
        "not json at all",
        {"id": "dave", "question": "video_recommendation"},
        {"id": "erin", "question": "video_recommendation", "path": "missing.md"},
        {"id": "alice", "question": "video_recommendation", "path": str(WEAK)},
    ]
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def _batch(source, out, real_index_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", "batch", str(source), "-o", str(out), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "MLSD_INDEX_DIR": str(real_index_dir), "MLSD_AUTO_INDEX": "0"},
    )  # fmt: skip


def test_rows_are_read_and_bad_ones_named_by_line(tmp_path):
    rows, problems = read_rows(_cohort(tmp_path))
    assert [r.id for r in rows] == ["alice", "bob", "erin"]
    assert [(p.line, p.reason) for p in problems] == [
        (3, "not valid JSON (Expecting value at character 1 of the line)"),  # not "line 1"
        (4, "neither 'answer' nor 'path' is given"),
        (6, "id 'alice' appears twice (first on line 1)"),
    ]


def test_a_json_error_is_said_once_where_it_is(tmp_path):
    path = tmp_path / "cohort.jsonl"
    path.write_text('{"id": "ann", "question": "q", "answer": "one\ttab"}\n')
    _rows, problems = read_rows(path)
    assert [p.reason for p in problems] == [
        "not valid JSON (Invalid control character at character 46 of the line)"  # not "at at"
    ]


def test_rows_are_named_by_the_line_they_start_on_and_values_must_be_text(tmp_path):
    table = tmp_path / "cohort.csv"
    table.write_text(
        'id,question,answer,path\na,video_recommendation,"one\ntwo\nthree",\n\n'
        'b,video_recommendation,"four\nfive",x.md\nc,video_recommendation,,\n'
    )
    rows, problems = read_rows(table)
    assert [(r.line, r.id) for r in rows] == [(2, "a")]
    assert [(p.line, p.id, p.reason) for p in problems] == [
        (6, "b", "both 'answer' and 'path' are given: keep one"),
        (8, "c", "the answer is empty"),  # its answer cell blank, and its path cell too
    ]
    lines = tmp_path / "cohort.jsonl"
    records = [
        {"id": ["x"], "answer": "a"},
        {"id": 7, "answer": 12345},
        {"id": 8, "answer": "b"},
        {"id": "d", "answer": ""},
        {"id": "ghost candidate", "answer": ""},
    ]
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    rows, problems = read_rows(lines, "video_recommendation")
    assert [(r.line, r.id) for r in rows] == [(3, "8")]
    assert [(p.id, p.reason) for p in problems] == [
        ("", "'id' must be text"),
        ("7", "'answer' must be text"),  # named by its id
        ("d", "the answer is empty"),
        ("ghost candidate", "the answer is empty"),  # named as written, not as a file would be
    ]


def test_a_cohort_is_graded_in_parallel_and_resumes(tmp_path, grader, real_index_dir):
    out = tmp_path / "out"
    proc = _batch(_cohort(tmp_path), out, real_index_dir, "--workers", "2")
    assert proc.returncode == 1, proc.stderr  # graded, but not every row
    assert "line 5: erin: " in proc.stderr and "no such file" in proc.stderr
    reports = {p.stem: p for p in (out / "reports").glob("*.json")}
    assert sorted(reports) == ["alice", "bob"]
    expected = grader.grade(STRONG.read_text(), "video_recommendation")
    assert (
        json.loads(reports["alice"].read_text())["components"]
        == json.loads(expected.to_json())["components"]
    )
    rows = list(csv.DictReader(open(out / "summary.csv")))
    assert [r["id"] for r in rows[:2]] == ["alice", "bob"] and int(rows[0]["overall"]) > int(
        rows[1]["overall"]
    )
    # one row per candidate: those not graded too, with the reason, after the graded ones
    # a row not graded says the question it asks, where it says one
    assert [r["question"] for r in rows[2:]] == [
        "",
        "video_recommendation",
        "video_recommendation",
        "video_recommendation",
    ]
    assert [(r["id"], r["overall"], r["flags"].split(":")[0]) for r in rows[2:]] == [
        ("line 3", "", "not graded (line 3)"),
        ("dave", "", "not graded (line 4)"),
        ("erin", "", "not graded (line 5)"),
        ("alice", "", "not graded (line 6)"),
    ]
    summary = (out / "summary.md").read_text()
    assert "missed by" in summary and "Rows not graded" in summary
    # said before the ranking too: who is not in it
    assert summary.index("**Not graded:** 4 rows") < summary.index("| alice |")
    stamp = reports["alice"].stat().st_mtime_ns
    again = _batch(_cohort(tmp_path), out, real_index_dir, "--workers", "1")
    assert (
        again.returncode == 1 and reports["alice"].stat().st_mtime_ns == stamp
    )  # resumed, not regraded


def test_workers_over_a_missing_index_build_it_once(tmp_path):
    """The index is built before the workers start: one build, said once, not once per worker."""
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ann.md").write_text(WEAK.read_text())
    (answers / "ben.md").write_text(STRONG.read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli", "batch", str(answers), "-o", str(tmp_path / "out"),
         "-q", "video_recommendation", "-w", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "MLSD_INDEX_DIR": str(tmp_path / "index"), "MLSD_AUTO_INDEX": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("building it now") == 1, proc.stderr
    assert sorted(p.stem for p in (tmp_path / "out" / "reports").glob("*.json")) == ["ann", "ben"]


def test_a_question_no_row_uses_is_said_unused(tmp_path, real_index_dir):
    """`-q` answers the rows without a question; a table whose every row names its own leaves
    it unused, and says so rather than grading against another question than the one typed."""
    said = "--question was not used"
    for rows, unused in (
        ([["ann", "fraud_detection"]], True),
        ([["ann", "fraud_detection"], ["ben", ""]], False),
    ):
        table = tmp_path / "cohort.csv"
        with open(table, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "question", "answer"])
            writer.writerows(
                [r + ["We would score each payment with gradient boosted trees."] for r in rows]
            )
        proc = _batch(
            table, tmp_path / f"out{len(rows)}", real_index_dir, "-q", "video_recommendation"
        )
        assert proc.returncode == 0, proc.stderr
        assert (said in proc.stderr) == unused, proc.stderr


def test_a_folder_needs_one_question(tmp_path, real_index_dir):
    proc = _batch(EXAMPLES, tmp_path / "out", real_index_dir)
    assert proc.returncode == 2 and "needs --question" in proc.stderr


def test_a_rerun_grades_again_what_changed_and_summarises_only_this_input(tmp_path, real_index_dir):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ann.md").write_text(WEAK.read_text())
    (answers / "ben.md").write_text(STRONG.read_text())
    (answers / "photo.png").write_bytes(b"\x89PNG\r\n")
    # the folder's readme and a cohort's table are no one's answer: said, with what to do
    (answers / "README.md").write_text("Answers from the March cohort.\n")
    (answers / "late.csv").write_text("id,answer\ncal,We would rank videos by watch time.\n")
    out = tmp_path / "out"
    first = _batch(answers, out, real_index_dir, "-q", "video_recommendation", "-w", "1")
    assert first.returncode == 1, first.stderr  # photo.png: named, not graded
    assert "photo.png: photo: not an answer file" in first.stderr  # named by file, not "line 1"
    assert "README.md: README: the folder's notes, not an answer" in first.stderr
    assert "late.csv: late: a table of answers: grade its rows with `mlsd batch late.csv`" in (
        first.stderr
    )
    (answers / "README.md").unlink()
    (answers / "late.csv").unlink()
    assert "2 answers graded, 0 kept" in first.stderr
    report = out / "reports" / "ann.json"
    words = json.loads(report.read_text())["answer_stats"]["words"]
    stamp = (out / "reports" / "ben.json").stat().st_mtime_ns

    # one answer edited: it alone is graded again, from its new text
    (answers / "ann.md").write_text(WEAK.read_text() + "\nWe retrain weekly on the last 30 days.\n")
    edited = _batch(answers, out, real_index_dir, "-q", "video_recommendation", "-w", "1")
    assert (
        "1 answer graded (1 whose answer, question or grader changed since the last run), 1 kept"
        in edited.stderr
    )
    assert json.loads(report.read_text())["answer_stats"]["words"] > words
    assert (out / "reports" / "ben.json").stat().st_mtime_ns == stamp

    # another question into the same folder: every report is made again, for that question
    other = _batch(answers, out, real_index_dir, "-q", "fraud_detection", "-w", "1")
    assert (
        "2 answers graded (2 whose answer, question or grader changed since the last run), 0 kept"
        in (other.stderr)
    )
    rows = [r for r in csv.DictReader(open(out / "summary.csv")) if r["overall"]]
    assert {r["question"] for r in rows} == {"fraud_detection"}
    # video feed answers to a fraud question: flagged, in the summary and the CSV
    assert all("off topic" in r["flags"] for r in rows)
    summary = (out / "summary.md").read_text()
    fraud = "Real-time payment fraud detection (card-not-present checkout)"  # the case's title
    assert f"**Question:** {fraud}" in summary and "off topic" in summary
    # the flags are said in a legend under the table, only those the table shows
    legend = next(line for line in summary.splitlines() if line.startswith("Flags: "))
    assert "*off topic*: read as answering another question" in legend
    assert "*steering ignored*" not in legend

    # an answer that can no longer be graded loses its old report; a removed one leaves the summary
    (answers / "ann.md").write_text("")
    (answers / "ben.md").unlink()
    gone = _batch(answers, out, real_index_dir, "-q", "fraud_detection", "-w", "1")
    assert "ann.md: ann: " in gone.stderr and not report.exists()
    assert not (out / "sheets" / "ann.md").exists()
    rows = list(csv.DictReader(open(out / "summary.csv")))
    # not graded, and why (a file of another kind is named too: it may be a candidate's)
    assert [(r["id"], r["overall"]) for r in rows] == [("ann", ""), ("photo", "")]
    assert rows[0]["flags"].startswith("not graded (ann.md): ")
    assert (out / "reports" / "ben.json").exists()  # kept on disk, but not this input's


def test_a_cohort_answering_several_questions_says_which_each_answered(tmp_path, grader):
    from grader.batch import write_summary

    answer = (EXAMPLES / "video_recommendation_strong.md").read_text()
    reports = tmp_path / "reports"
    reports.mkdir()
    for rid, question in (("ana", "video_recommendation"), ("ben", "Design a | pipe question")):
        (reports / f"{rid}.json").write_text(grader.grade(answer, question).to_json())
    # questions are numbered in the order the input first asks them, and its rows keep that order
    write_summary(tmp_path, [], ["ana", "ben"])
    assert "- Q1: Video recommendation (home feed)" in (tmp_path / "summary.md").read_text()
    assert [r["id"] for r in csv.DictReader(open(tmp_path / "summary.csv"))] == ["ana", "ben"]
    write_summary(tmp_path, [], ["ben", "ana"])
    assert [r["id"] for r in csv.DictReader(open(tmp_path / "summary.csv"))] == ["ben", "ana"]
    summary = (tmp_path / "summary.md").read_text()
    header = next(line for line in summary.splitlines() if line.startswith("| candidate"))
    assert header.startswith("| candidate | question | rank | overall |")
    # each question named once, above the table, and ranked apart
    assert "- Q2: Video recommendation (home feed)" in summary  # a bank case by its title
    assert "- Q1: Design a / pipe question" in summary  # a pipe would break the table
    rows = [line for line in summary.splitlines() if line.startswith(("| ana |", "| ben |"))]
    assert [r.split(" | ")[:3] for r in rows] == [["| ben", "Q1", "1"], ["| ana", "Q2", "1"]]
    assert "**Question:**" not in summary
    # equal overalls share a rank: the order among them is only their ids'
    for rid, text in (("cal", answer), ("dan", WEAK.read_text())):
        (reports / f"{rid}.json").write_text(grader.grade(text, "video_recommendation").to_json())
    write_summary(tmp_path, [], ["ben", "ana", "cal", "dan"])
    ranks = {
        line.split(" | ")[0][2:]: line.split(" | ")[2]
        for line in (tmp_path / "summary.md").read_text().splitlines()
        if line.startswith(("| ana |", "| cal |", "| dan |"))
    }
    assert ranks == {"ana": "1", "cal": "1", "dan": "3"}
    # each question's components apart: one rubric's severities, not two cohorts pooled
    sections = [line for line in summary.splitlines() if line.startswith("## Components")]
    assert sections == [
        "## Components across the cohort: Design a / pipe question (✅ covered, 🟡 partial, "
        "❌ missing)",
        "## Components across the cohort: Video recommendation (home feed) (✅ covered, 🟡 "
        "partial, ❌ missing)",
    ]
    video = summary.split(sections[1])[1]
    assert "| component | ana |" in video and "| component | ben |" not in video
    # and each question's step means apart: a mean across two rubrics compares nothing
    means = [line for line in summary.splitlines() if line.startswith("## Steps")]
    assert means == [
        "## Steps (mean score): Design a / pipe question",
        "## Steps (mean score): Video recommendation (home feed)",
    ]
    for heading, rid in zip(means, ("ben", "ana")):  # one candidate each: their own step scores
        report = GradeReport.model_validate_json((reports / f"{rid}.json").read_text())
        table = summary.split(heading)[1].split("\n\n")[1].splitlines()[2:]
        assert [row.split(" | ")[1] for row in table] == [f"{s.score:.1f}" for s in report.steps]


def test_a_changed_calibration_setting_regrades_a_resumed_cohort(monkeypatch):
    # a setting added beside a fit (the fit's id unchanged) grades differently: reports made
    # before it must not be kept when a cohort resumes
    before = batch.grader_fingerprint()
    cal = batch.load_calibration()
    changed = cal.model_copy(update={"step_depth_words": cal.step_depth_words + 1})
    monkeypatch.setattr(batch, "load_calibration", lambda: changed)
    assert changed.id == cal.id and batch.grader_fingerprint() != before


def test_the_summary_ranks_candidates_and_lists_components_under_their_steps(tmp_path, grader):
    from grader.batch import write_summary

    reports = tmp_path / "reports"
    reports.mkdir()
    graded = {
        "amy": grader.grade(WEAK.read_text(), "video_recommendation"),
        "zed": grader.grade(STRONG.read_text(), "video_recommendation"),
    }
    for rid, report in graded.items():
        (reports / f"{rid}.json").write_text(report.to_json())
    write_summary(tmp_path, [])
    lines = (tmp_path / "summary.md").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| candidate"))
    steps = [s.id for s in graded["zed"].steps]
    assert lines[header] == "| candidate | overall | " + " | ".join(steps) + " | flags |"
    # ranked by overall, not by id: the strong answer first
    assert lines[header + 2].startswith(f"| zed | {graded['zed'].overall_score} | ")
    assert lines[header + 3].startswith(f"| amy | {graded['amy'].overall_score} | ")
    # each component by its title, under its step's title, with who missed it
    table = lines[
        lines.index("## Components across the cohort (✅ covered, 🟡 partial, ❌ missing)") :
    ]
    step_rows = {s.title: table.index(f"| **{s.title}** | | | | | |") for s in graded["zed"].steps}
    for weak, strong in zip(graded["amy"].components, graded["zed"].components):
        step_title = next(s.title for s in graded["zed"].steps if s.id == strong.step)
        row = next(i for i, line in enumerate(table) if line.startswith(f"| {strong.title}"))
        assert step_rows[step_title] < row  # under its own step
        assert all(
            not step_rows[t] < row or step_rows[t] <= step_rows[step_title] for t in step_rows
        )
        missed = [rid for rid, c in (("zed", strong), ("amy", weak)) if c.status == "missing"]
        expected = "everyone" if len(missed) == 2 else ", ".join(missed)
        assert table[row].endswith(f" | {expected} |")
    assert "## Marks per candidate" in lines and "| component | zed | amy |" in lines


def test_a_cohort_written_into_its_own_folder_is_not_graded_as_answers(tmp_path, real_index_dir):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ann.md").write_text(WEAK.read_text())
    (answers / "notes").mkdir()  # a subfolder is named, not silently passed over
    (answers / ".draft.md").write_text(WEAK.read_text())  # and so is a hidden answer file
    (answers / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # no one's answer: unsaid
    for _ in range(2):
        proc = _batch(answers, answers, real_index_dir, "-q", "video_recommendation", "-w", "1")
        assert proc.returncode == 1, proc.stderr  # the subfolder
    assert sorted(p.stem for p in (answers / "reports").glob("*.json")) == ["ann"]
    assert "notes/: notes: a folder, not an answer file" in proc.stderr
    assert ".draft.md: .draft: a hidden file (its name starts with a dot)" in proc.stderr
    assert ".DS_Store" not in proc.stderr
    lines = proc.stderr.splitlines()  # its own files were not read as answers
    assert not [x for x in lines if x.startswith(("summary.", "batch.json", "reports", "sheets"))]


def test_answers_that_are_byte_for_byte_the_same_are_flagged(tmp_path, real_index_dir):
    answers = tmp_path / "answers"
    answers.mkdir()
    for name in ("ann.md", "bo.txt"):
        (answers / name).write_text(WEAK.read_text())
    (answers / "cy.md").write_text(WEAK.read_text() + "\nWe would also retrain weekly.\n")
    out = tmp_path / "out"
    proc = _batch(answers, out, real_index_dir, "-q", "video_recommendation", "-w", "1")
    assert proc.returncode == 0, proc.stderr
    with open(out / "summary.csv", newline="") as fh:
        flagged = {row["id"]: row["flags"] for row in csv.DictReader(fh)}
    assert "same answer as bo" in flagged["ann"] and "same answer as ann" in flagged["bo"]
    assert "same answer" not in flagged["cy"]
    assert "same answer as bo" in (out / "summary.md").read_text()


def test_a_batch_that_grades_nothing_fails_with_one_line(tmp_path, real_index_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _batch(empty, tmp_path / "out", real_index_dir, "-q", "video_recommendation")
    assert proc.returncode == 2 and "no answer files in this folder" in proc.stderr
    (empty / "photo.png").write_bytes(b"\x89PNG\r\n")
    proc = _batch(empty, tmp_path / "out", real_index_dir, "-q", "video_recommendation")
    assert proc.returncode == 2 and "error: no answer was graded" in proc.stderr
    table = tmp_path / "cohort.csv"
    table.write_text("name,text\nann,We retrain weekly.\n")
    proc = _batch(table, tmp_path / "out", real_index_dir, "-q", "video_recommendation")
    assert proc.returncode == 2 and "'answer' (the text) or 'path' column" in proc.stderr
    assert "name, text" in proc.stderr and "Traceback" not in proc.stderr
    assert "meant as 'answer'" not in proc.stderr  # "text" is no slip for it
    table.write_text("id,answr\nann,We retrain weekly.\n")
    with pytest.raises(
        batch.InputError, match="its columns are answr, id \\(is 'answr' meant as 'answer'\\?\\)"
    ):
        read_rows(table)
    table.write_text("id,question,answer\n")  # the header alone: nothing "above" to see
    proc = _batch(table, tmp_path / "out", real_index_dir)
    assert (
        proc.returncode == 2
        and proc.stderr.strip() == f"error: no answer was graded: {table} holds no rows"
    )


def test_an_earlier_batchs_outputs_are_not_answers_and_a_mistyped_id_stops_the_run(
    tmp_path, real_index_dir
):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ann.md").write_text(WEAK.read_text())
    first = _batch(answers, answers, real_index_dir, "-q", "video_recommendation", "-w", "1")
    assert first.returncode == 0, first.stderr
    # graded again into another folder: the first run's summary, manifest and CSV are not answers
    again = _batch(answers, tmp_path / "elsewhere", real_index_dir, "-q", "video_recommendation")
    assert again.returncode == 0 and "0 not graded" in again.stderr, again.stderr
    assert sorted(p.stem for p in (tmp_path / "elsewhere" / "reports").glob("*.json")) == ["ann"]
    typo = _batch(answers, tmp_path / "typo", real_index_dir, "-q", "video_recomendation")
    assert typo.returncode == 2 and "did you mean video_recommendation" in typo.stderr
    assert not (tmp_path / "typo").exists()  # nothing graded, nothing written


def test_a_cohort_is_never_written_among_the_graders_own_files(tmp_path, monkeypatch):
    """`mlsd batch -o` refuses the knowledge folder, the drafts, the index and the history's own
    folder (its summary and sheets would be read back as notes, or sit beside the database)."""
    from typer.testing import CliRunner

    from grader.cli import app

    data, kb = tmp_path / "data", tmp_path / "kb"
    monkeypatch.setenv("MLSD_DATA_DIR", str(data))
    monkeypatch.setenv("MLSD_USER_KB", str(kb))
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "a.md").write_text(WEAK.read_text())
    for out in (kb / "cases", data / "drafts", data):
        refused = CliRunner().invoke(
            app, ["batch", str(answers), "-q", "fraud_detection", "-o", str(out)]
        )
        assert refused.exit_code == 2 and "give another folder" in refused.stderr, refused.stderr
        assert not (out / "summary.md").exists()


def test_ids_that_would_share_a_report_file_are_refused_and_renamed_ids_are_said(tmp_path):
    table = tmp_path / "cohort.csv"
    with open(table, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "question", "answer"])
        for rid in ("a b", "a_b", "Alice", "alice", "mia,comma", "a b", ""):
            writer.writerow([rid, "video_recommendation", f"An answer from {rid}."])
    rows, problems = read_rows(table)
    assert [(r.id, r.given) for r in rows] == [
        ("a_b", "a b"),
        ("Alice", None),
        ("mia_comma", "mia,comma"),
        ("row8", ""),  # no id: named after its line, and said
    ]
    assert [(p.line, p.id, p.reason) for p in problems] == [
        (3, "a_b", "id 'a_b' and 'a b' (line 2) name the same report file ('a_b'): give them "
         "distinct ids"),
        (5, "alice", "id 'alice' and 'Alice' (line 4) name the same report file ('Alice'): give "
         "them distinct ids"),  # one file where names ignore case (Windows, macOS)
        (7, "a b", "id 'a b' appears twice (first on line 2)"),
    ]  # fmt: skip
    assert batch.renamed(rows) == [
        "line 2: id 'a b' is written as 'a_b' (letters, digits, '.', '_', '-')",
        "line 6: id 'mia,comma' is written as 'mia_comma' (letters, digits, '.', '_', '-')",
        "line 8: no id, so the row is named 'row8'",
    ]
    folder = tmp_path / "answers"
    folder.mkdir()
    for name in ("alice.md", "Alice.txt", "alice.txt", "bob.md", "bob.txt"):
        (folder / name).write_text("An answer.")
    rows, problems = read_rows(folder, "video_recommendation")
    assert [r.file for r in rows] == ["Alice.txt", "bob.md"]
    assert [(p.file, p.reason) for p in problems] == [
        ("alice.md", "differs only in case as Alice.txt: one report per name, rename one"),
        # the closest clash is named: the file of the very same name, not the first in another case
        ("alice.txt", "has the same name as alice.md: one report per name, rename one"),
        ("bob.txt", "has the same name as bob.md: one report per name, rename one"),
    ]


def test_names_that_differ_only_in_how_accents_are_encoded_are_one_report(tmp_path):
    """ "José" written composed (NFC) and decomposed (NFD, as macOS writes names) were two reports
    of one look side by side: copied to a Mac, one candidate's report replaced the other's."""
    import unicodedata

    nfc, nfd = (unicodedata.normalize(form, "José") for form in ("NFC", "NFD"))
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / f"{nfc}.md").write_text("An answer.")
    (folder / f"{nfd}.txt").write_text("Another answer.")
    rows, problems = read_rows(folder, "video_recommendation")
    assert len(rows) == 1 and len(problems) == 1
    assert "differs only in how its accents are encoded (NFC and NFD)" in problems[0].reason
    table = tmp_path / "cohort.csv"
    table.write_text(f"id,answer\n{nfc},An answer.\n{nfd},Another answer.\n", encoding="utf-8")
    rows, problems = read_rows(table, "video_recommendation")
    assert len(rows) == 1 and "its accents encoded otherwise (NFC and NFD)" in problems[0].reason


def test_an_id_too_long_for_a_file_name_is_cut_apart_from_its_likes(tmp_path, real_index_dir):
    """A 252-letter id had stopped the whole batch ("File name too long"), the rows after it never
    graded and no summary written: a long id is cut at a character, with a digest of the whole,
    so that ids alike in their first hundred bytes still name files of their own."""
    long, alike, greek = "a" * 252, "a" * 251 + "b", "λ" * 120  # 2 bytes a letter
    ids = [batch.safe_id(i) for i in (long, alike, greek, "alice")]
    assert ids[3] == "alice" and len(set(ids)) == 4
    assert all(len(i.encode()) <= batch.MAX_ID_BYTES for i in ids)
    assert ids[0].startswith("a" * 80) and ids[2].startswith("λ" * 40)
    answer = (EXAMPLES / "video_recommendation_weak.md").read_text(encoding="utf-8")
    table = tmp_path / "cohort.csv"
    with open(table, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "question", "answer"])
        for rid in ("alice", long, "carol"):
            writer.writerow([rid, "video_recommendation", answer + rid[:3]])
    rows, _ = read_rows(table)
    assert batch.renamed(rows) == [
        f"line {rows[1].line}: id '{long}' is written as '{ids[0]}' (a name this long is cut)"
    ]
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / ("b" * 248 + ".md")).write_text(answer)
    (row,), _ = read_rows(folder, "video_recommendation")
    assert row.id == batch.bounded_id("b" * 248) and len(row.id.encode()) <= batch.MAX_ID_BYTES
    out = tmp_path / "out"
    run = _batch(table, out, real_index_dir)
    assert run.returncode == 0, run.stderr
    assert sorted(p.stem for p in (out / "reports").glob("*.json")) == sorted(
        [ids[0], "alice", "carol"]
    )
    assert (out / "summary.csv").is_file()


def test_rows_named_by_a_candidate_or_name_column_keep_their_names_in_any_alphabet(tmp_path):
    """A 'Name' column had been passed over (every candidate called row2, row8, ...), and 'Renée'
    was written 'Ren_e'."""
    table = tmp_path / "cohort.csv"
    table.write_text(
        "Name,question,answer\nRenée,q,An answer.\nJosé Ruiz,q,Another.\n", encoding="utf-8"
    )
    rows, problems = read_rows(table)
    assert [(r.id, r.given) for r in rows] == [("Renée", None), ("José_Ruiz", "José Ruiz")]
    assert [batch.safe_id(n) for n in ("अनिल", "अनील", "ப்ரியா")] == ["अनिल", "अनील", "ப்ரியா"]
    assert not problems
    lines = tmp_path / "cohort.jsonl"
    lines.write_text(json.dumps({"candidate": "Zoë", "question": "q", "answer": "An answer."}))
    assert [r.id for r in read_rows(lines)[0]] == ["Zoë"]
    lines.write_text(json.dumps({"candidate": "Zoë", "question": "q", "text": "An answer."}))
    (problem,) = read_rows(lines)[1]  # the answer under another name: the row says what it has
    assert problem.reason == (
        "neither 'answer' nor 'path' is given (its fields: candidate, question, text)"
    )
    lines.write_text(json.dumps({"candidate": "Zoë", "quesiton": "q", "answer": "An answer."}))
    (problem,) = read_rows(lines)[1]  # a misspelt question: said as it is held, not only missed
    assert problem.reason == (
        "no question (column 'question', or --question) (its fields: candidate, quesiton, answer)"
    )


def test_one_question_typed_with_another_full_stop_or_capitals_is_one_cohort(tmp_path, grader):
    """Rows asking "Design a feed ranker." and "design a feed ranker" had been summarised as two
    questions of one candidate each; summary.csv names each row's rubric."""
    answer = WEAK.read_text()
    reports = tmp_path / "reports"
    reports.mkdir()
    asked = {
        "ana": "Design a feed ranker.",
        "ben": "design a feed ranker",
        "cy": "Design a feed ranker?",
    }
    for rid, question in asked.items():
        (reports / f"{rid}.json").write_text(grader.grade(answer, question).to_json())
    batch.write_summary(tmp_path, [])
    summary = (tmp_path / "summary.md").read_text()
    assert "**Question:** Design a feed ranker." in summary
    assert sum(line.startswith("## Components") for line in summary.splitlines()) == 1
    rows = list(csv.DictReader(open(tmp_path / "summary.csv")))
    assert {r["rubric"] for r in rows} == {batch.rubric_line(grader.grade(answer, asked["ana"]))}


def test_a_batch_stopped_by_ctrl_c_keeps_what_it_graded_and_says_so(tmp_path, monkeypatch, grader):
    rows, _ = read_rows(_cohort(tmp_path))
    graded_report = grader.grade(WEAK.read_text(), "video_recommendation")
    report = graded_report.to_json()
    graded = []

    def grade(row):
        if len(graded) == 2:
            raise KeyboardInterrupt
        graded.append(row.id)
        return graded_report

    monkeypatch.setattr(batch, "_init_worker", lambda *a, **k: None)
    monkeypatch.setattr(batch, "_graded", grade)
    with pytest.raises(batch.BatchInterrupted) as stop:
        batch.run_batch(rows, tmp_path / "out")
    assert (stop.value.done, stop.value.total) == (2, 3)
    # the row it had yet to grade is listed as such: a summary written now does not look complete
    assert [(p.id, p.reason) for p in stop.value.waiting] == [("erin", batch.WAITING)]
    batch.write_summary(tmp_path / "out", stop.value.waiting, {"alice", "bob"})
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "**Not graded:** 1 row" in summary and "| erin | not graded yet: the run was" in summary
    manifest = json.loads((tmp_path / "out" / batch.MANIFEST).read_text())["inputs"]
    assert sorted(manifest) == ["alice", "bob"]
    # a report the manifest does not name (a run stopped between writing it and recording it) is
    # graded again, but it was not changed since the last run
    (tmp_path / "out" / "reports" / "erin.json").write_text(report)
    graded.clear()
    outcome = batch.run_batch(rows, tmp_path / "out")
    assert (outcome.graded, outcome.changed, outcome.kept) == (1, 0, 2)


def test_a_ctrl_c_while_a_row_is_written_waits_until_it_is_recorded(tmp_path, monkeypatch, grader):
    """Ctrl+C pressed while a graded row's report and sheet were written had left the report on
    disk, unrecorded, and the summary called it "not graded yet": the row is finished first."""
    rows, _ = read_rows(_cohort(tmp_path))
    report = grader.grade(WEAK.read_text(), "video_recommendation")
    sheet = batch.write_sheet

    def write_sheet(out, row, graded, kb):
        path = sheet(out, row, graded, kb)
        os.kill(os.getpid(), signal.SIGINT)  # pressed as the first row's sheet is written
        return path

    monkeypatch.setattr(batch, "_init_worker", lambda *a, **k: None)
    monkeypatch.setattr(batch, "_graded", lambda row: report)
    monkeypatch.setattr(batch, "write_sheet", write_sheet)
    with pytest.raises(batch.BatchInterrupted) as stop:
        batch.run_batch(rows, tmp_path / "out")
    assert (stop.value.done, stop.value.total) == (1, 3)
    written = sorted(p.stem for p in (tmp_path / "out" / "reports").glob("*.json"))
    manifest = json.loads((tmp_path / "out" / batch.MANIFEST).read_text())["inputs"]
    assert written == sorted(manifest) == ["alice"]
    assert (tmp_path / "out" / "sheets" / "alice.md").is_file()
    assert [p.id for p in stop.value.waiting] == ["bob", "erin"]


def test_a_stopped_rerun_counts_the_reports_it_kept_apart_from_those_it_graded(
    tmp_path, monkeypatch, grader
):
    """Stopped again, a rerun had said "0 of 1 answers graded and kept" while three reports
    were kept: the ones kept from the run before are counted on their own."""
    rows, _ = read_rows(_cohort(tmp_path))
    report = grader.grade(WEAK.read_text(), "video_recommendation")

    def grade(row):
        if row.id == "erin":
            raise KeyboardInterrupt
        return report

    monkeypatch.setattr(batch, "_init_worker", lambda *a, **k: None)
    monkeypatch.setattr(batch, "_graded", grade)
    with pytest.raises(batch.BatchInterrupted) as first:
        batch.run_batch(rows, tmp_path / "out")
    assert (first.value.done, first.value.total, first.value.kept) == (2, 3, 0)
    with pytest.raises(batch.BatchInterrupted) as again:
        batch.run_batch(rows, tmp_path / "out")
    assert (again.value.done, again.value.total, again.value.kept) == (0, 1, 2)


def test_a_stopped_batch_lists_the_rows_that_failed_in_it(tmp_path, monkeypatch, grader):
    """A summary written after Ctrl+C had dropped a row that failed during the run: it was in
    neither the graded rows nor those still to grade."""
    rows, _ = read_rows(_cohort(tmp_path))
    report = grader.grade(WEAK.read_text(), "video_recommendation")

    def grade(row):
        if row.id == "erin":
            raise KeyboardInterrupt
        return "the answer is in French" if row.id == "bob" else report

    monkeypatch.setattr(batch, "_init_worker", lambda *a, **k: None)
    monkeypatch.setattr(batch, "_graded", grade)
    with pytest.raises(batch.BatchInterrupted) as stop:
        batch.run_batch(rows, tmp_path / "out")
    assert [(p.id, p.reason) for p in stop.value.failed] == [("bob", "the answer is in French")]
    assert [p.id for p in stop.value.waiting] == ["erin"]


@pytest.mark.parametrize("stop", ["ctrl-c", "kill"])
def test_ctrl_c_or_sigterm_stops_worker_processes_without_tracebacks_and_a_rerun_resumes(
    tmp_path, real_index_dir, stop
):
    import signal
    import time

    answers = tmp_path / "answers"
    answers.mkdir()
    for i in range(16):
        (answers / f"c{i:02}.md").write_text(f"Candidate {i}.\n\n" + STRONG.read_text())
    out = tmp_path / "out"
    # Ctrl+C reaches the batch as it does from a terminal, whatever this process ignores: a
    # process started with SIGINT ignored keeps ignoring it (a shell's background job), and twice
    # in the whole suite the batch graded all 16 rows through both presses
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "batch", str(answers), "-o", str(out),
         "-q", "video_recommendation", "-w", "2"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
        env={**os.environ, "MLSD_INDEX_DIR": str(real_index_dir), "MLSD_AUTO_INDEX": "0"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not list((out / "reports").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    if stop == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl+C: to the workers as well
        time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)  # pressed again while the rows in flight finish
    else:
        proc.send_signal(signal.SIGTERM)  # `kill PID`, as a service manager stops a process
    try:
        proc.wait(timeout=300)
    finally:  # worker processes left behind by a main one that died would hold stderr open
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert proc.returncode == (130 if stop == "ctrl-c" else 143), err  # 128 + the signal
    assert "Traceback" not in err and "error: interrupted: " in err
    assert "run the same command again" in err
    written = sorted(p.stem for p in (out / "reports").glob("*.json"))
    manifest = json.loads((out / batch.MANIFEST).read_text())["inputs"]
    assert 1 <= len(written) < 16 and sorted(manifest) == written  # each report recorded
    summary = list(csv.DictReader(open(out / "summary.csv")))
    assert sorted(r["id"] for r in summary if r["overall"]) == written  # graded so far, for a look
    waiting = [r for r in summary if not r["overall"]]  # and what is not, said so
    assert len(waiting) == 16 - len(written)
    assert all("not graded yet: the run was interrupted" in r["flags"] for r in waiting)
    again = _batch(answers, out, real_index_dir, "-q", "video_recommendation", "-w", "2")
    assert again.returncode == 0, again.stderr
    assert f"{quantity(16 - len(written), 'answer')} graded, {len(written)} kept" in again.stderr


def test_who_missed_a_component_is_named_or_the_few_who_did_not():
    cohort = [f"c{i}" for i in range(10)]
    assert batch._who(["c1", "c2"], cohort) == "c1, c2"
    assert batch._who(cohort[:8], cohort) == "everyone but c8, c9"
    assert batch._who(cohort, cohort) == "everyone"
    many = [f"c{i}" for i in range(20)]
    assert batch._who(many[:10], many) == "10 candidates (summary.csv names them)"


def test_the_summary_flags_renamed_ids_and_text_read_as_windows_1252(tmp_path, grader):
    from grader.batch import flags, write_summary

    reports = tmp_path / "reports"
    reports.mkdir()
    report = grader.grade(WEAK.read_text(), "video_recommendation")
    (reports / "a_b.json").write_text(report.to_json())
    write_summary(tmp_path, [], None, {"a_b": "a b"})
    (row,) = csv.DictReader(open(tmp_path / "summary.csv"))
    assert row["id"] == "a_b" and "id given as 'a b'" in row["flags"]
    read = report.model_copy(
        update={"warnings": ["not UTF-8: x.txt (byte 0x96 at offset 3) was read as Windows-1252"]}
    )
    assert flags(read) == "read as Windows-1252"
    todo = grader.grade(
        WEAK.read_text() + "\nTODO: add the monitoring section.\n", "video_recommendation"
    )
    assert "to-do notes ignored" in flags(todo)


def test_a_flag_every_candidate_has_is_said_once_above_the_ranking(tmp_path, grader):
    """Graded with the framework's rubric, every row would say "framework rubric": said once above
    the table, it leaves each row's flags to tell candidates apart."""
    from grader.batch import write_summary

    question = "Design a system that ranks job applicants for recruiters"
    reports = tmp_path / "reports"
    reports.mkdir()
    for rid, path in (("ana", STRONG), ("ben", WEAK)):
        (reports / f"{rid}.json").write_text(grader.grade(path.read_text(), question).to_json())
    short = grader.grade("We rank applicants with a gradient-boosted model on skills.", question)
    write_summary(tmp_path, [])
    summary = (tmp_path / "summary.md").read_text()
    common = next(line for line in summary.splitlines() if line.startswith("Every answer: "))
    assert "framework rubric" in common
    rows = [line for line in summary.splitlines() if line.startswith(("| ana |", "| ben |"))]
    assert len(rows) == 2 and not [r for r in rows if "framework rubric" in r]
    # a flag only some have stays on their rows
    (reports / "cy.json").write_text(short.to_json())
    write_summary(tmp_path, [])
    summary = (tmp_path / "summary.md").read_text()
    common = next(line for line in summary.splitlines() if line.startswith("Every answer: "))
    assert "framework rubric" in common and "short" not in common
    cy = next(line for line in summary.splitlines() if line.startswith("| cy |"))
    assert "short" in cy and "framework rubric" not in cy


def test_the_csv_gives_each_components_status_and_score_columns_of_their_own(tmp_path, grader):
    """A spreadsheet sorts a number: each component's score is a column of its own beside its
    status, as the report has them."""
    from grader.batch import write_summary

    reports = tmp_path / "reports"
    reports.mkdir()
    graded = {rid: grader.grade(p.read_text(), "video_recommendation") for rid, p in
              (("ana", STRONG), ("ben", WEAK))}  # fmt: skip
    for rid, r in graded.items():
        (reports / f"{rid}.json").write_text(r.to_json())
    write_summary(tmp_path, [])
    rows = {row["id"]: row for row in csv.DictReader(open(tmp_path / "summary.csv"))}
    for rid, r in graded.items():
        for c in r.components:
            assert rows[rid][c.id] == c.status and int(rows[rid][f"{c.id}_score"]) == c.score
    by_cold_start = sorted(rows, key=lambda rid: -int(rows[rid]["cold_start_score"]))
    assert by_cold_start[0] == max(
        graded, key=lambda rid: graded[rid].component("cold_start").score
    )


def test_no_summary_cell_starts_as_a_spreadsheet_formula(tmp_path, grader):
    """Candidates fill in the forms a cohort comes from: a question typed "=1+1 ..." or an id
    "@cmd" must read as text when summary.csv is opened in a spreadsheet, not run."""
    from grader.batch import Problem, write_summary

    (tmp_path / "reports").mkdir()
    r = grader.grade(WEAK.read_text(), "=HYPERLINK(1) How would you recommend videos?")
    (tmp_path / "reports" / "ann.json").write_text(r.to_json())
    problems = [Problem(3, "@cmd", "the answer is empty", question="+SUM(A1) design a feed")]
    write_summary(tmp_path, problems)
    rows = {row["id"]: row for row in csv.DictReader(open(tmp_path / "summary.csv"))}
    assert rows["ann"]["question"] == "'=HYPERLINK(1) How would you recommend videos?"
    assert rows["'@cmd"]["question"] == "'+SUM(A1) design a feed"
    assert int(rows["ann"]["overall"]) == r.overall_score  # numbers stay numbers
    cells = [c for row in rows.values() for c in row.values()]
    assert not [c for c in cells if c and c[0] in "=+-@"]


def test_no_terminal_escape_of_an_answer_or_an_id_reaches_a_summary_or_a_markdown_report(
    tmp_path, grader
):
    """An answer or a candidate id holding ESC sequences (a colour, a window title, a hidden
    hyperlink, a clear screen) passed them to `-f markdown`, `history show -f markdown` and the
    batch summaries: `cat` of them retitled and cleared the terminal."""
    from grader.batch import Problem, write_summary
    from grader.render import to_markdown

    escapes = "\x1b[31m\x1b]0;PWNED\x07\x1b[2J\x1b]8;;http://evil.example/\x07"
    answer = WEAK.read_text().replace("Clarifying", f"Clarifying{escapes}", 1)
    report = grader.grade(
        answer + f"\n\nWe log clicks{escapes} for retraining.\n", "video_recommendation"
    )
    assert "\x1b" not in to_markdown(report) and "\x07" not in to_markdown(report)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "ann.json").write_text(report.to_json())
    write_summary(tmp_path, [Problem(3, f"bo{escapes}b", "the answer is empty", question="q")])
    for name in ("summary.md", "summary.csv"):
        written = (tmp_path / name).read_text(encoding="utf-8")
        assert "\x1b" not in written and "\x07" not in written, name


def test_the_summary_and_the_sheet_say_the_rubric_once_with_its_stakes(tmp_path, grader, kb):
    """Each question's components open with the rubric they were graded with, what it weighs as
    critical included; the interviewer sheet's rubric line does not repeat the question."""
    from grader.batch import write_summary
    from grader.render import interviewer_sheet

    question = "Design a system that ranks job applicants for recruiters"
    report = grader.grade(STRONG.read_text(), question)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ana.json").write_text(report.to_json())
    write_summary(tmp_path, [])
    summary = (tmp_path / "summary.md").read_text()
    rubric = next(line for line in summary.splitlines() if line.startswith("Rubric: "))
    assert "general framework rubric" in rubric
    assert (
        "weighed as critical because the question says 'job applicants': Bias and fairness"
        in rubric
    )
    sheet = interviewer_sheet(report, kb)
    line = next(line for line in sheet.splitlines() if line.startswith("- **Rubric:**"))
    assert question not in line and "weighed as critical" in line
    by_name = interviewer_sheet(grader.grade(STRONG.read_text(), "video_recommendation"), kb)
    assert "- **Rubric:** bank case Video recommendation (home feed)" in by_name


def test_cohort_files_are_read_as_answers_are_and_a_bad_row_fails_alone(tmp_path):
    """A CSV in Windows-1252 is read as an answer file is; an answer cell may be longer than the
    csv module's 128 KiB; a JSONL row whose text is an unpaired surrogate escape is named by its
    line. Each of these stopped the whole batch with an "unexpected" error."""
    table = tmp_path / "cohort.csv"
    long = "We rank candidates with a two-tower model. " * 4000  # 172,000 characters
    table.write_bytes(
        b"id,question,answer\n"
        + "caf\u00e9,video_recommendation,R\u00e9sum\u00e9 of the design.\n".encode("cp1252")
        + f'long,video_recommendation,"{long}"\n'.encode("cp1252")
    )
    rows, problems = read_rows(table)
    assert [r.answer for r in rows] == ["R\u00e9sum\u00e9 of the design.", long]
    assert not problems
    lines = tmp_path / "cohort.jsonl"
    lines.write_text('{"id": "a", "answer": "fine"}\n{"id": "b", "answer": "\\ud800 bad"}\n')
    rows, problems = read_rows(lines, "video_recommendation")
    assert [r.id for r in rows] == ["a"]
    assert [(p.line, p.reason) for p in problems] == [
        (2, "holds an unpaired surrogate escape (such as \\ud800): not text")
    ]


def test_a_spreadsheet_export_separated_by_semicolons_tabs_or_pipes_is_read(tmp_path):
    """Excel in a locale writing decimal commas saves ";"-separated CSV (and UTF-16 for Unicode
    text): it was refused for lacking an 'answer' column, its one column being the whole header."""
    answer = "We rank with a GBDT; latency 0,2 s"
    for name, sep, encoding in (
        ("semi.csv", ";", "utf-8"),
        ("excel.csv", ";", "utf-16"),
        ("tabs.tsv", "\t", "utf-8"),
        ("pipes.csv", "|", "utf-8"),
    ):
        table = tmp_path / name
        header = sep.join(["Candidate", "Question", "Answer"])
        row = sep.join(["Ren\u00e9e", "video_recommendation", f'"{answer}"'])
        table.write_text(f"{header}\n{row}\n", encoding=encoding)
        rows, problems = read_rows(table)
        assert [(r.id, r.question, r.answer) for r in rows] == [
            ("Ren\u00e9e", "video_recommendation", answer)
        ], name
        assert not problems


def test_a_spreadsheets_blank_rows_are_no_rows(tmp_path):
    """A blank row saved by a spreadsheet is a line of separators (",,,"): it was a row with no
    question and no answer, listed as not graded, and the batch exited 1."""
    table = tmp_path / "cohort.csv"
    table.write_bytes(
        "\ufeffCandidate,Question,Answer,Notes,\r\n"
        'Ana,video_recommendation,"We rank with\r\na two-tower model.",,\r\n'
        ",,,,\r\n"
        " , ,,\t,\r\n"
        "Bo,video_recommendation,We start with popularity.,,\r\n"
        "Cy,video_recommendation,,,\r\n".encode()
    )
    rows, problems = read_rows(table)
    assert [r.id for r in rows] == ["Ana", "Bo"]
    assert [(p.id, p.reason) for p in problems] == [("Cy", "the answer is empty")]
    # a row whose named cells are blank but which holds text past the header is no blank row
    with table.open("a", encoding="utf-8") as fh:
        fh.write(",,,,,an answer typed one column too far\r\n")
    _, problems = read_rows(table)
    assert len(problems) == 2 and problems[1].reason.startswith("has 6 cells where the header")


def test_a_quote_never_closed_is_refused_rather_than_swallowing_the_rows_after_it(tmp_path):
    table = tmp_path / "cohort.csv"
    table.write_text(
        'id,question,answer\nu1,video_recommendation,"one\nu2,video_recommendation,two\n'
    )
    with pytest.raises(batch.InputError, match="opened after line 1 is never closed"):
        read_rows(table)


def test_a_quote_closed_rows_later_is_refused_rather_than_swallowing_the_rows_between(tmp_path):
    """A quote left open in one row is closed by the next row's quote: the rows between would be
    read as one cell's text, and their candidates dropped without a word."""
    table = tmp_path / "cohort.csv"
    table.write_text(
        "id,question,answer\n"
        "u1,video_recommendation,We rank with a two-tower model.\n"
        'u2,video_recommendation,"we use gradient boosted trees\n'
        "u3,video_recommendation,popularity first\n"
        'u4,video_recommendation,"Labels are watch time; features are counts"\n'
    )
    with pytest.raises(batch.InputError, match="opened after line 2 closes on line 5"):
        read_rows(table)


def test_an_unquoted_answer_holding_commas_is_named_not_cut_at_its_first_comma(tmp_path):
    table = tmp_path / "cohort.csv"
    table.write_text(
        "id,question,answer\n"
        "u1,video_recommendation,We rank with a two-tower model, then re-rank, then filter.\n"
        "u2,video_recommendation,We start with popularity.\n"
    )
    rows, problems = read_rows(table)
    assert [r.id for r in rows] == ["u2"]
    assert [(p.line, p.id) for p in problems] == [(2, "u1")]
    assert problems[0].reason.startswith("has 5 cells where the header names 3")


def test_a_candidates_summary_file_is_never_replaced_by_the_cohort_summary(tmp_path):
    """Answers in a folder written into that same folder: a candidate's file named summary.md
    would be replaced by the cohort summary, so the run is refused before any grading."""
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "summary.md").write_text("a candidate's answer, named summary\n")
    (answers / "ann.md").write_text(WEAK.read_text())
    with pytest.raises(batch.InputError, match="summary.md would be replaced by the batch's own"):
        read_rows(answers, "video_recommendation", answers)
    assert (answers / "summary.md").read_text() == "a candidate's answer, named summary\n"
    # an answer saved as batch.json is no manifest: it does not make the others a batch's outputs
    (answers / "batch.json").write_text('{"answer": "We retrain weekly."}\n')
    rows, skipped = read_rows(answers, "video_recommendation", tmp_path / "elsewhere")
    assert [r.id for r in rows] == ["ann", "batch", "summary"] and not skipped  # all answers
    (answers / "summary.md").unlink()
    with pytest.raises(batch.InputError, match="batch.json would be replaced by the batch's own"):
        read_rows(answers, "video_recommendation", answers)
    assert (answers / "batch.json").read_text() == '{"answer": "We retrain weekly."}\n'


def test_a_flag_holding_a_pipe_keeps_the_summary_table_whole(tmp_path, grader):
    from grader.batch import write_summary

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "pipe_name.json").write_text(
        grader.grade(WEAK.read_text(), "video_recommendation").to_json()
    )
    write_summary(tmp_path, [], None, {"pipe_name": "pipe|name"})
    lines = (tmp_path / "summary.md").read_text().splitlines()
    header = next(x for x in lines if x.startswith("| candidate"))
    row = next(x for x in lines if x.startswith("| pipe_name"))
    assert row.count("|") == header.count("|") and "id given as 'pipe/name'" in row


def test_a_sigterm_while_ctrl_c_is_held_off_is_kept_for_after(monkeypatch):
    """A service manager sends SIGTERM once: one that comes while the rows are handed to the
    workers (Ctrl+C held off) must stop the batch right after, not be dropped."""
    import os
    import signal

    with batch.sigterm_as_ctrl_c():
        with batch._sigint_ignored():
            os.kill(os.getpid(), signal.SIGTERM)  # nothing raised while held
        assert batch._stop_pending() and not batch._stop_pending()  # taken up once
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)  # not held: Ctrl+C's KeyboardInterrupt
        # deferred, not ignored: each stops the batch once what is being written is written
        for sent, stopped in (
            (signal.SIGTERM, batch.Terminated),
            (signal.SIGINT, KeyboardInterrupt),
        ):
            written = []
            with pytest.raises(stopped):
                with batch.stop_deferred():
                    os.kill(os.getpid(), sent)
                    written.append("report")
            assert written == ["report"] and not batch._stop_pending()


@pytest.mark.slow
def test_a_full_disk_stops_a_batch_naming_the_file_and_what_was_kept(tmp_path, monkeypatch, grader):
    """ "No space left on device" was all a batch said: the failed write names its file, says how
    many reports are kept, and that the same command goes on from them."""
    import errno

    from typer.testing import CliRunner

    import grader.scoring.grading as grading_module
    from grader.cli import app

    monkeypatch.setattr(grading_module, "_default", grader)
    real = os.replace
    reports = []

    def filling(src, dst):  # the first report fits; the second does not
        if os.path.basename(os.path.dirname(dst)) == "reports":
            if reports:
                raise OSError(errno.ENOSPC, "No space left on device")
            reports.append(dst)
        real(src, dst)

    monkeypatch.setattr(os, "replace", filling)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["batch", str(_cohort(tmp_path)), "-o", str(out), "--workers", "1"]
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "No space left on device: " in result.stderr and "1 report kept" in result.stderr
    assert str(out / "reports" / "bob.json") in result.stderr
    assert "run the same command again" in result.stderr
    assert len(list((out / "reports").glob("*.json"))) == 1


def test_a_worker_ends_when_the_batch_that_started_it_is_killed(tmp_path):
    """A batch killed outright (SIGKILL, the out-of-memory killer) cannot stop its workers: they
    went on, orphaned, holding 210 MB each. A worker watches for its parent and ends with it."""
    import signal
    import time

    worker = (
        "import os, time\n"
        "from grader.batch import exit_with_parent\n"
        "exit_with_parent(os.getppid())\n"
        "print(os.getpid(), flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = (
        "import subprocess, sys, time\n"
        f"w = subprocess.Popen([sys.executable, '-c', {worker!r}], stdout=subprocess.PIPE, text=True)\n"
        "print(w.stdout.readline().strip(), flush=True)\n"
        "time.sleep(120)\n"
    )
    started = subprocess.Popen(
        [sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        pid = int(started.stdout.readline())
        os.kill(started.pid, signal.SIGKILL)
        started.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)  # still there (or a zombie not yet reaped by init)
            except ProcessLookupError:
                break
            if _zombie(pid):
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the worker outlived the batch that started it")
    finally:
        started.kill()


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_second_batch_into_a_folder_being_written_is_refused(tmp_path, real_index_dir):
    """Two batches into one folder would both grade every answer and rewrite one summary."""
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "ann.md").write_text(WEAK.read_text())
    out = tmp_path / "out"
    with batch.writing_to(out):  # a first batch, still writing
        proc = _batch(folder, out, real_index_dir, "-q", "video_recommendation")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        f"error: another batch is writing to {out}: wait for it to finish, or give another --out"
    )
    assert not (out / "reports").exists()
    proc = _batch(folder, out, real_index_dir, "-q", "video_recommendation")  # once it ended
    assert proc.returncode == 0 and (out / "reports" / "ann.json").is_file()
    assert (out / batch.LOCK).is_file()  # left behind, never read as an answer
    proc = _batch(out, tmp_path / "again", real_index_dir, "-q", "video_recommendation")
    assert proc.returncode == 2 and "no answer files in this folder" in proc.stderr
