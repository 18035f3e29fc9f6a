"""The real `mlsd` CLI in subprocesses: formats, errors as one line with exit code 2."""

import codecs
import json
import os
import re
import subprocess
import sys

import pytest

from grader.output import check_output
from tests.conftest import EXAMPLES, ROOT, free_port

pytestmark = pytest.mark.slow
STRONG = str(EXAMPLES / "video_recommendation_strong.md")


@pytest.fixture(scope="module")
def mlsd(real_index_dir):
    def run(*args, stdin: bytes | None = None, env: dict | None = None):
        full_env = {
            **os.environ,
            "MLSD_INDEX_DIR": str(real_index_dir),
            "COLUMNS": "120",
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "grader.cli", *args],
            input=stdin,
            capture_output=True,
            env=full_env,
            cwd=ROOT,
            timeout=120,
        )

    return run


def _one_line_error(proc, needle: str):
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and needle in err, err
    assert "Traceback" not in err and proc.stdout == b""


def test_grade_json(mlsd):
    proc = mlsd("grade", STRONG, "--question", "video_recommendation", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["question"]["id"] == "video_recommendation" and report["overall_score"] >= 70


def test_grade_markdown_to_file(mlsd, tmp_path):
    out = tmp_path / "report.md"
    proc = mlsd("grade", STRONG, "-q", "video_recommendation", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.startswith("# ML system design grade: ") and "## Follow-up questions" in text
    shown = mlsd("grade", STRONG, "-q", "video_recommendation", "-f", "md")  # md: markdown
    assert shown.returncode == 0 and shown.stdout.decode() == text


def test_grade_text_is_rich_and_readable(mlsd):
    proc = mlsd(
        "grade", str(EXAMPLES / "video_recommendation_weak.md"), "-q", "video_recommendation"
    )
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "Missed critical" in out and "Follow-up questions" in out


def test_the_terminal_report_fits_a_narrow_terminal_and_groups_components_by_step(mlsd):
    proc = mlsd(
        "grade",
        str(EXAMPLES / "fraud_detection_notes.md"),
        "-q",
        "fraud_detection",
        env={"COLUMNS": "80"},
    )
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0 and max(len(line) for line in lines) <= 80
    table = lines[next(i for i, x in enumerate(lines) if x.strip() == "Components") :]
    # each step's title opens its group, in the framework's order, and the quotes keep their
    # words: a narrow column folded "latency" into "laten" / "cy"
    text = "\n".join(table)
    steps = ["Clarify requirements", "Frame the problem as", "Data preparation and"]
    assert all(s in text for s in steps)
    assert [text.index(s) for s in steps] == sorted(text.index(s) for s in steps)
    cells = [x.split("│")[-2].strip() for x in table if x.count("│") >= 6]
    assert "Latency: fraud check" in " ".join(cells)
    # numbered lists wrap under their text, not under their number; strengths are shown too
    assert "Strengths" in lines
    ups = lines[lines.index("Follow-up questions") + 1 :]
    ups = ups[: ups.index("")] if "" in ups else ups
    assert len(ups) > 5 and all(re.match(r" \d\. |    \S", x) for x in ups), ups


def test_grade_from_stdin_and_utf16(mlsd):
    text = (EXAMPLES / "fraud_detection_notes.md").read_text()
    proc = mlsd(
        "grade",
        "-",
        "-q",
        "fraud_detection",
        "-f",
        "json",
        stdin=codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    for c in report["components"]:
        for e in c["evidence"]:
            assert text[e["start"] : e["end"]] == e["quote"]


@pytest.mark.parametrize(
    "data,needle",
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"%PDF-1.5 binary", "could not be read as a PDF"),
        (b"\x89PNG\r\n\x1a\nxxxx", "PNG"),
        (b"caf\x81 au lait and a two-tower model", "not valid UTF-8"),  # 0x81: no cp1252 either
        (b"caf\xe9 au lait\x07 and a two-tower model", "not valid UTF-8"),  # a control: binary
    ],
)
def test_bad_files(mlsd, tmp_path, data, needle):
    path = tmp_path / "answer.txt"
    path.write_bytes(data)
    _one_line_error(mlsd("grade", str(path), "-q", "video_recommendation"), needle)


def test_too_long_answer(mlsd, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("monitoring drift " * 60)
    _one_line_error(
        mlsd("grade", str(path), "-q", "video_recommendation", env={"MLSD_MAX_WORDS": "100"}),
        "over the limit",
    )


def test_unknown_question_and_missing_file(mlsd, tmp_path):
    _one_line_error(
        mlsd("grade", STRONG, "-q", "video_recomendation"), "did you mean video_recommendation"
    )
    _one_line_error(
        mlsd("grade", str(tmp_path / "nope.md"), "-q", "video_recommendation"), "no such file"
    )


def test_usage_errors_are_one_line_naming_the_help_to_read(mlsd):
    """A mistyped option, command or value is one line with exit code 2, as every other error
    (typer drew a box of five lines around it)."""
    _one_line_error(mlsd("grade", STRONG, "--questin", "x"), "--question")
    _one_line_error(mlsd("grdae", STRONG), "No such command")
    _one_line_error(mlsd("grade"), "Missing argument")
    err = mlsd("grade", STRONG, "-f", "yaml").stderr.decode()
    assert "'yaml' is not one of" in err and "grade --help" in err and "\u256d" not in err
    assert mlsd().returncode == 2 and "Usage" in mlsd().stdout.decode()  # the help, asked for


def test_missing_index_without_auto_build(mlsd, tmp_path):
    proc = mlsd(
        "grade",
        STRONG,
        "-q",
        "video_recommendation",
        env={"MLSD_INDEX_DIR": str(tmp_path / "none"), "MLSD_AUTO_INDEX": "0"},
    )
    _one_line_error(proc, "run `mlsd index`")


def test_output_is_not_half_written_on_error(mlsd, tmp_path):
    out = tmp_path / "report.json"
    out.write_text('{"schema_version": 1, "overall_score": 40}')  # a report written before
    empty = tmp_path / "empty.md"
    empty.write_text("")
    _one_line_error(
        mlsd("grade", str(empty), "-q", "video_recommendation", "-o", str(out)), "empty"
    )
    assert json.loads(out.read_text())["overall_score"] == 40


def test_a_file_gets_the_format_its_name_or_flag_asks_for(mlsd, tmp_path):
    """`-f text -o f.txt` had written markdown, the same bytes as `-o f.md`: text is the screen's
    layout without colour; markdown and JSON as their suffixes say."""
    written = {}
    for name, flags in (("f.txt", ["-f", "text"]), ("g.txt", []), ("f.md", []), ("f.json", [])):
        proc = mlsd(
            "grade", STRONG, "-q", "video_recommendation", "-o", str(tmp_path / name), *flags
        )
        assert proc.returncode == 0, proc.stderr
        written[name] = (tmp_path / name).read_text(encoding="utf-8")
    assert written["f.txt"] == written["g.txt"]
    assert "ML system design grade" in written["f.txt"].splitlines()[0]  # the screen's panel
    assert "\x1b" not in written["f.txt"] and max(map(len, written["f.txt"].splitlines())) <= 100
    assert written["f.md"].startswith("# ML system design grade")
    assert json.loads(written["f.json"])["overall_score"] >= 0
    # each is a file mlsd wrote: graded again, it is written over; a candidate's answer is not
    for name in written:
        assert check_output(tmp_path / name) == tmp_path / name
    answer = tmp_path / "jack.md"
    answer.write_text("Jack's answer: a two-tower retrieval stage, then a ranker.\n")
    refused = mlsd("grade", STRONG, "-q", "video_recommendation", "-o", str(answer))
    error = refused.stderr.decode()
    assert refused.returncode == 2 and "mlsd did not write" in error and error.count("\n") == 1
    assert answer.read_text().startswith("Jack's answer")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_full_stdout_is_named_as_the_file_that_was_full(real_index_dir, fmt):
    """`mlsd grade ... > file` on a full disk said only "No space left on device"."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "grader.cli", "grade", STRONG, "-q", "video_recommendation",
             "-f", fmt],
            stdout=full, stderr=subprocess.PIPE, cwd=ROOT, timeout=120,
            env={**os.environ, "MLSD_INDEX_DIR": str(real_index_dir)},
        )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "error: No space left on device: standard output"


def test_questions_and_show(mlsd):
    from grader.knowledge.notes import cached_kb

    proc = mlsd("questions", env={"COLUMNS": "60"})  # a narrow terminal still shows whole ids
    assert proc.returncode == 0
    assert all(f"│ {case} ".encode() in proc.stdout for case in cached_kb().cases)
    proc = mlsd("show", "cold_start")
    assert proc.returncode == 0 and b"Cold start" in proc.stdout
    # piped, a note is written as it is (its front matter valid YAML), not laid out for a screen
    note = (ROOT / "knowledge_base" / "concepts" / "cold_start.md").read_bytes()
    assert mlsd("show", "cold_start", env={"COLUMNS": "40"}).stdout == note
    _one_line_error(mlsd("show", "cold_strat"), "did you mean cold_start")


def test_index_command_is_idempotent(mlsd):
    proc = mlsd("index")
    assert proc.returncode == 0 and b"0 embedded" in proc.stderr + proc.stdout


def test_help_reads_docstrings_as_paragraphs(mlsd):
    # a docstring's line breaks are where the source wrapped, not where the reader's screen does
    out = mlsd("--help", env={"COLUMNS": "200"}).stdout.decode()
    assert "the top probes of this answer with what to listen for, and the rubric lines" in out


def test_version_and_llm_options_without_an_llm_are_said(mlsd):
    from grader import __version__

    version = mlsd("--version")
    assert version.returncode == 0 and version.stdout.decode().strip().endswith(__version__)
    weak = str(EXAMPLES / "video_recommendation_weak.md")
    proc = mlsd("grade", weak, "-q", "video_recommendation", "--samples", "3", "-f", "json")
    assert proc.returncode == 0 and "--samples applies only with --llm" in proc.stderr.decode()
    assert json.loads(proc.stdout)["grader"]["mode"] == "deterministic"


def test_warnings_come_first_and_reading_is_a_command(mlsd):
    # an answer to another question: the reason its scores are 0 is read before them
    proc = mlsd("grade", STRONG, "-q", "fraud_detection", env={"COLUMNS": "200"})
    lines = proc.stdout.decode().splitlines()
    first_warning = next(i for i, x in enumerate(lines) if x.startswith("warning:"))
    assert "scores were scaled" in " ".join(
        " ".join(lines[first_warning : first_warning + 3]).split()
    )
    assert first_warning < lines.index(next(x for x in lines if x.strip() == "Steps"))
    reading = lines[lines.index("Recommended reading") + 1 :]
    assert re.search(r"\(mlsd show [a-z_]+\)", reading[0])  # works from any folder


def test_text_without_words_and_a_busy_port_are_one_line(mlsd, tmp_path):
    import socket

    symbols = tmp_path / "symbols.txt"
    symbols.write_text("%$#@!*&^ 123 -> " * 40)
    _one_line_error(mlsd("grade", str(symbols), "-q", "fraud_detection"), "the answer has no words")
    markup = tmp_path / "markup.txt"  # a page's empty shell: tags and entities, nothing said
    markup.write_text('<p>&nbsp;</p><br/><div class="x"></div>\n![](https://x.io/a.png)\n')
    _one_line_error(
        mlsd("grade", str(markup), "-q", "fraud_detection"),
        "the answer has no words outside its markup",
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _one_line_error(mlsd("serve", "--port", str(port)), f"cannot listen on 127.0.0.1:{port}")


def test_a_bad_api_setting_stops_serve_before_it_says_it_serves(mlsd):
    port = free_port()
    for env, needle in (
        ({"MLSD_API_QUEUE": "0"}, "setting api_queue: "),
        ({"MLSD_API_MAX_BODY": "lots"}, "setting api_max_body: "),
    ):
        _one_line_error(mlsd("serve", "--port", str(port), env=env), needle)


def test_a_config_file_that_is_not_there_is_one_line(mlsd, tmp_path):
    missing = tmp_path / "config.toml"  # a typo in MLSD_CONFIG: its settings would be dropped
    proc = mlsd("grade", STRONG, "-q", "video_recommendation", env={"MLSD_CONFIG": str(missing)})
    _one_line_error(proc, f"config file {missing} (MLSD_CONFIG) does not exist")


def test_a_reader_that_stops_early_is_no_failure(real_index_dir):
    """`mlsd grade ... | head -2`: the terminal report and the tables (as JSON already did) end with
    exit 0 and nothing on stderr when the reader closes the pipe (rich exits 1 on its own)."""
    env = {**os.environ, "MLSD_INDEX_DIR": str(real_index_dir), "COLUMNS": "120"}
    for args in (["grade", STRONG, "-q", "video_recommendation"], ["questions"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "grader.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        assert proc.stdout.readline()  # one line, then the reader goes away
        proc.stdout.close()
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and err == b"", (args, proc.returncode, err.decode())
