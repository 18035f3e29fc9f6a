"""Grading a cohort: many answers, one report each, and a summary an interviewer can compare.

Input is a folder of answer files (one question for all), a CSV or a JSONL file with the columns
`id`, `question` and `answer` (the text) or `path` (a file, relative to the input file). Reports go
to `OUT/reports/<id>.json` and interviewer sheets to `OUT/sheets/<id>.md`, written whole. A rerun
resumes: a row whose report was made from the same answer, question and grader (a digest of the
three, kept in `OUT/batch.json`) is kept, and a missing sheet is written from its saved report;
a row that is new or changed is graded again. A bad row is reported with its line (or file) and
reason and never stops the batch; a report it had from an earlier run is removed, so the summary
never shows a grade of text that is no longer there. `summary.csv` and `summary.md` compare the
cohort of this input: candidates ranked by overall with their step scores, each step's mean, each
component (under its step) with who missed it, and, for a small cohort, every candidate's marks.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import re
import signal
import statistics
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.answers.decode import decoded
from grader.answers.files import load_answer_file
from grader.errors import GraderError, InputError
from grader.knowledge.embedder import default_embedder, release_default_embedder
from grader.knowledge.notes import KnowledgeBase, cached_kb
from grader.output import write_atomic
from grader.pipeline import grade_input
from grader.render import interviewer_sheet, rubric_line, step_score_note
from grader.report import GradeReport
from grader.scoring.calibration import load_calibration
from grader.scoring.grading import Grader, default_grader, open_index
from grader.scoring.relevance import SHORT_ANSWER_WORDS
from grader.settings import set_overrides, settings
from grader.text import display_name, first_line, printable, quantity

TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson"}  # a cohort's rows, `mlsd batch FILE`
# a file of these names (any suffix, any case) in a folder of answers is the folder's own notes
FOLDER_NOTES = frozenset({"readme", "license", "licence", "changelog"})
ANSWER_SUFFIXES = {
    ".md",
    ".markdown",
    ".txt",
    ".ipynb",
    ".html",
    ".htm",
    ".docx",
    ".pdf",
    ".srt",
    ".vtt",
    ".json",
}
MANIFEST = "batch.json"  # OUT/batch.json: what each report was graded from
# the first of these columns a CSV or JSONL file has names its rows
ID_COLUMNS = ("id", "candidate", "name")
_MARK = {"covered": "✅", "partial": "🟡", "missing": "❌"}


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line (CSV/JSONL) or position (folder) in the input, for error messages
    id: str
    question: str
    answer: str | None = None
    path: str | None = None
    file: str | None = None  # a row of a folder: its file's name
    given: str | None = None  # the id as written, when it is not a safe file name as it stands


@dataclass(frozen=True)
class Problem:
    line: int
    id: str
    reason: str
    file: str | None = None  # the file, for a row of a folder (its position is no line)
    question: str = ""  # the question the row asks, where it says one

    @property
    def where(self) -> str:
        return self.file or f"line {self.line}"


@dataclass(frozen=True)
class Outcome:
    """What a run did: rows graded now (new, or changed since the last run), kept, and failed."""

    graded: int
    changed: int
    kept: int
    problems: list[Problem]


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl+C stopped a batch: `done` of its `total` rows to grade were graded and recorded (rows
    that failed are not counted); `waiting`: the rows it had yet to grade, and `failed` those that
    could not be graded, as problems to list; `kept`: the rows whose report from an earlier run
    was kept (not among the `total`); `exit_code`: the process's, by the signal that stopped it."""

    def __init__(
        self,
        done: int,
        total: int,
        waiting: Sequence[Problem] = (),
        failed: Sequence[Problem] = (),
        kept: int = 0,
        exit_code: int = 130,
    ):
        super().__init__(done, total)
        self.done, self.total, self.kept = done, total, kept
        self.exit_code = exit_code  # 128 + the signal's number: Ctrl+C 130, SIGTERM 143
        self.waiting, self.failed = list(waiting), list(failed)


WAITING = "not graded yet: the run was interrupted; run the same command again to grade it"


def _waiting(todo: list[Row], seen: list[str]) -> list[Problem]:
    """The rows a stopped run had yet to grade: listed as not graded, so that a summary written
    then neither looks complete nor shows an earlier grade of an answer that has changed since."""
    recorded = set(seen)
    return [
        Problem(r.line, r.id, WAITING, r.file, r.question) for r in todo if r.id not in recorded
    ]


def read_rows(
    source: Path, question: str | None = None, out: Path | None = None
) -> tuple[list[Row], list[Problem]]:
    """Rows from a folder, a CSV or a JSONL file; rows that cannot be used become problems. A
    folder's subfolders and odd files are named as problems, except what a batch writing to `out`
    put there itself (its summary, manifest, reports and sheets), or an earlier batch did (the
    folder holds a manifest), so that a cohort's outputs are never graded as answers. A file in
    `out` that a batch would write over and no batch wrote is refused first (`check_out`)."""
    if out is not None:
        check_out(out)
    if source.is_dir():
        if not question:
            raise InputError("a folder of answers needs --question: the question they all answer")
        # what a batch wrote here: this one's (`-o` the answers folder), or an earlier one's
        own = _outputs(out) if out is not None else set()
        if _is_manifest(source):
            own |= _outputs(source)
        # a hidden answer file (".draft.md") is said, not graded; other hidden entries (".git",
        # ".DS_Store") are no one's answers
        entries = sorted(
            p
            for p in source.iterdir()
            if p.resolve() not in own
            and (not p.name.startswith(".") or p.suffix.lower() in ANSWER_SUFFIXES)
        )
        rows, skipped, seen = [], [], {}
        for i, p in enumerate(entries, 1):
            if p.name.startswith("."):
                skipped.append(
                    Problem(
                        i,
                        p.stem,
                        "a hidden file (its name starts with a dot): rename it to grade it",
                        p.name,
                        question or "",
                    )
                )
            elif p.is_dir():
                skipped.append(
                    Problem(i, p.name, "a folder, not an answer file", p.name + "/", question or "")
                )
            elif p.suffix.lower() in TABLE_SUFFIXES:  # a cohort's table is graded by its rows
                skipped.append(
                    Problem(
                        i,
                        p.stem,
                        f"a table of answers: grade its rows with `mlsd batch {p.name}`",
                        p.name,
                        question or "",
                    )
                )
            elif p.suffix.lower() not in ANSWER_SUFFIXES:
                kinds = ", ".join(sorted(ANSWER_SUFFIXES))
                skipped.append(
                    Problem(i, p.stem, f"not an answer file ({kinds})", p.name, question or "")
                )
            elif p.stem.lower() in FOLDER_NOTES:  # the folder's own notes, no candidate's answer
                skipped.append(
                    Problem(
                        i,
                        p.stem,
                        "the folder's notes, not an answer: rename it to grade it",
                        p.name,
                        question or "",
                    )
                )
            elif clashes := seen.get(_file_key(p.stem)):
                # the closest clash is named: a file of the very same name before one in another case
                first = next((c for c in clashes if c.stem == p.stem), clashes[0])
                why = _same_name(p.stem, first.stem)
                skipped.append(
                    Problem(
                        i,
                        p.stem,
                        f"{why} as {first.name}: one report per name, rename one",
                        p.name,
                        question or "",
                    )
                )
                clashes.append(p)
            else:
                seen[_file_key(p.stem)] = [p]
                rid = bounded_id(p.stem)
                given = p.stem if rid != p.stem else None
                rows.append(Row(i, rid, question, path=str(p), file=p.name, given=given))
        if not rows and not skipped:
            raise InputError(f"{source}: no answer files in this folder")
        return rows, skipped
    if not source.is_file():
        raise InputError(f"{source}: no such file or folder")
    suffix = source.suffix.lower()
    if suffix in (".csv", ".tsv"):
        records = _csv_records(source)
    elif suffix in (".jsonl", ".ndjson"):
        records = _jsonl_records(source)
    else:
        raise InputError(f"{source}: give a folder of answers, a .csv (or .tsv) or a .jsonl file")
    rows, problems = [], []
    seen: dict[str, Row] = {}  # by the id's file name, case folded
    for line, record in records:
        if isinstance(record, str):
            problems.append(Problem(line, "", record))
            continue
        cut = record.pop(CUT, None)
        fields = list(record)
        named_by = _id_column(record)
        if named_by != "id":  # a 'candidate' or 'name' column names the row
            record = {**record, "id": record[named_by]}
        odd = [k for k in ("id", "question", "answer", "path") if not _text(record.get(k), k)]
        if odd:  # JSON that is not text: a list, an object, a number for an answer
            named = record.get("id") if "id" not in odd else ""
            field = named_by if odd[0] == "id" else odd[0]
            problems.append(Problem(line, str(named or ""), f"'{field}' must be text"))
            continue
        given = str(record.get("id") or f"row{line}")
        rid = safe_id(given) or f"row{line}"
        first = seen.get(_file_key(rid))
        q = str(record.get("question") or question or "").strip()
        text, path = record.get("answer"), record.get("path")
        text = str(text) if text not in (None, "") else None
        # a blank answer cell (beside a blank path cell, if the file has that column too)
        answer_only = "answer" in record and not record.get("path")
        reason = (
            cut if cut
            else "no question (column 'question', or --question)" + _fields(fields) if not q
            else "the answer is empty" if not (text or path) and answer_only
            else "neither 'answer' nor 'path' is given" + _fields(fields) if not (text or path)
            else "both 'answer' and 'path' are given: keep one" if text and path
            else _clash(given, first) if first
            else None
        )  # fmt: skip
        if reason:
            problems.append(Problem(line, given, reason, question=q))  # the id as written
            continue
        resolved = str((source.parent / str(path)).resolve()) if path else None
        unnamed = not record.get("id")  # named after its line: said, as a renamed id is
        row = Row(
            line,
            rid,
            q,
            answer=text,
            path=resolved,
            given="" if unnamed else given if given != rid else None,
        )
        seen[_file_key(rid)] = row
        rows.append(row)
    return rows, problems


def _file_key(name: str) -> str:
    """A file name as the file systems that fold it read it: letters case folded (Windows, macOS)
    and accents composed (macOS writes "José" as "e" and a combining accent, Linux keeps either)."""
    return unicodedata.normalize("NFC", name).casefold()


def _same_name(name: str, first: str) -> str:
    """How two names that read as one file differ."""
    if name == first:
        return "has the same name"
    if _composed_alike(name, first):
        return "differs only in how its accents are encoded (NFC and NFD)"
    return "differs only in case"


def _composed_alike(a: str, b: str) -> bool:
    """Whether two names are one once their accents are composed (NFC)."""
    return unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)


def safe_id(given: str) -> str:
    """An id as a file name: letters of any alphabet with their marks (the vowel signs of
    Devanagari or Tamil), digits, "_", "." and "-" stay, any other run of characters becomes "_";
    "." and "_" at either end go; a long one is cut (`bounded_id`)."""
    text = unicodedata.normalize("NFC", given)
    kept = "".join(
        c if c.isalnum() or c in "._-" or unicodedata.category(c).startswith("M") else "\0"
        for c in text
    )
    return bounded_id(re.sub("\0+", "_", kept).strip("._"))


# the longest id kept whole, in UTF-8 bytes: a report's file is the id and a suffix, and file
# systems take names of 255 bytes (a 252-letter id had stopped the whole batch)
MAX_ID_BYTES = 100
_DIGEST_CHARS = 10


def bounded_id(rid: str) -> str:
    """`rid` when it is short enough to name a file (`MAX_ID_BYTES`); else its start, cut at a
    character, then "-" and a digest of the whole id, so that long ids that start alike stay
    apart."""
    if not _too_long(rid):
        return rid
    raw = rid.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()[:_DIGEST_CHARS]
    head = raw[: MAX_ID_BYTES - _DIGEST_CHARS - 1].decode("utf-8", "ignore").rstrip("._-")
    return f"{head}-{digest}"


def _fields(fields: list[str]) -> str:
    """A row's fields, said when it has others than the ones read: a JSONL row with "text" for its
    answer, or "quesiton" for its question, is told what it holds."""
    read = {"question", "answer", "path", *ID_COLUMNS}
    return f" (its fields: {', '.join(map(str, fields))})" if set(fields) - read else ""


def _id_column(record: dict) -> str:
    """The column that names a record's row: the first of `ID_COLUMNS` it has ('id' when none). A
    'Name' column had been passed over, and every candidate called row2, row8, ..."""
    return next((k for k in ID_COLUMNS if k in record), "id")


def _clash(given: str, first: Row) -> str:
    """Why a row's id cannot be used: an earlier row has it, or it names the same report file (its
    safe form, letters case folded as Windows and macOS do, is the earlier row's)."""
    if given == (first.given or first.id):
        return f"id '{given}' appears twice (first on line {first.line})"
    if _composed_alike(given, first.given or first.id):
        return (
            f"id '{given}' appears twice (first on line {first.line}), its accents encoded "
            "otherwise (NFC and NFD)"
        )
    return (
        f"id '{given}' and '{first.given or first.id}' (line {first.line}) name the same "
        f"report file ('{first.id}'): give them distinct ids"
    )


def renamed(rows: list[Row]) -> list[str]:
    """One line per row whose id was changed into a safe file name."""
    return [
        f"line {r.line}: no id, so the row is named '{r.id}'"
        if r.given == ""
        else f"{r.file}: its report is named '{r.id}' (a name this long is cut)"
        if r.file
        else f"line {r.line}: id '{r.given}' is written as '{r.id}' ({_why_renamed(r.given)})"
        for r in rows
        if r.given is not None
    ]


def _too_long(name: str) -> bool:
    return len(name.encode("utf-8")) > MAX_ID_BYTES


def _why_renamed(given: str) -> str:
    return "a name this long is cut" if _too_long(given) else "letters, digits, '.', '_', '-'"


def _text(value: object, key: str) -> bool:
    """Whether a record's value can be read as text: a string or nothing (an id may be a number)."""
    if key == "id" and isinstance(value, int) and not isinstance(value, bool):
        return True
    return value is None or isinstance(value, str)


LOCK = ".batch.lock"  # held while a batch writes to its folder (`writing_to`)
OUTPUTS = (MANIFEST, "summary.md", "summary.csv", "reports", "sheets", LOCK)  # what a batch writes


@contextlib.contextmanager
def writing_to(out: Path) -> Iterator[None]:
    """Hold OUT's batch lock while a batch grades into it and writes its summary. A second batch
    into the same folder is refused in one line instead of grading every answer again beside the
    first, both rewriting the manifest and the summary. An OS file lock: a batch that is killed
    lets it go with its process."""
    from filelock import FileLock, Timeout

    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(
            f"another batch is writing to {display_name(out)}: wait for it to finish, or give "
            "another --out"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _outputs(out: Path) -> set[Path]:
    """The paths a batch writing to `out` owns there (and `out` itself)."""
    out = out.resolve()
    return {out, *(out / name for name in OUTPUTS)}


class _Lines:
    """A file's lines as the csv module reads them, remembering where the current record began (a
    quoted answer runs over many lines; `csv.reader.line_num` is where it ended)."""

    def __init__(self, fh) -> None:
        self._fh, self.read, self.start = fh, 0, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._fh)
        self.read += 1
        if not self.start and line.strip():
            self.start = self.read
        return line


CUT = "\0cut"  # a CSV row's key for why its cells cannot be read as written (`_csv_records`)

# an answer cell may be as long as any answer `mlsd grade` takes (the csv module stops at 128 KiB)
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


def _text_of(source: Path) -> io.StringIO:
    """A CSV or JSONL file's text, read as answers are (UTF-8, UTF-16, else Windows-1252)."""
    text, _note = decoded(source.read_bytes(), source.name)
    return io.StringIO(text.removeprefix("\ufeff"), newline="")


DELIMITERS = (",", ";", "\t", "|")  # Excel writes ";" where "," is the decimal mark; .tsv tabs


def _delimiter(text: str, suffix: str = ".csv") -> str:
    """The delimiter whose split of the header line names an 'answer' or 'path' column: a
    spreadsheet saved in a locale writing decimal commas separates its cells with ";". Else a
    .tsv's tab, a .csv's comma (the error then lists the columns as they read)."""
    header = text.lstrip().split("\n", 1)[0]
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        if {c.strip().lower() for c in cells} & {"answer", "path"}:
            return delimiter
    return "\t" if suffix == ".tsv" else ","


def _unclosed_quote(source: Path, text: str, delimiter: str = ",") -> None:
    """Refuse a CSV whose quotes do not pair up: a quoted cell that never closes, or one that
    closes with more text after it before the next delimiter (a quote left open in one row and
    closed by the next quote, rows later). Either way the rows in between would be read as one
    cell's text, and those candidates silently dropped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    done = 0
    try:
        for _ in reader:
            done = reader.line_num
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError(
                f"{source}: a quoted cell opened after line {done} is never closed, so every row "
                "after it would be read as its text: close the quote"
            ) from None
        raise InputError(
            f"{source}: a quoted cell opened after line {done} closes on line {reader.line_num} "
            "with more text after it, so the rows in between would be read as its text: close "
            'the quote where the cell ends (a quote inside a quoted cell is written twice: "")'
        ) from None


def _csv_records(source: Path) -> Iterator[tuple[int, dict | str]]:
    with _text_of(source) as fh:
        delimiter = _delimiter(fh.getvalue()[:65536], source.suffix.lower())
        _unclosed_quote(source, fh.getvalue(), delimiter)
        lines = _Lines(fh)
        reader = csv.DictReader(lines, delimiter=delimiter)
        columns = {k.strip().lower() for k in reader.fieldnames or () if k}
        if not columns & {"answer", "path"}:
            near = difflib.get_close_matches("answer", sorted(columns), n=1, cutoff=0.6)
            raise InputError(
                f"{source}: the CSV needs an 'answer' (the text) or 'path' column; its columns are "
                + (", ".join(sorted(columns)) or "none")
                + (f" (is '{near[0]}' meant as 'answer'?)" if near else "")
            )
        while True:
            lines.start = 0
            record = next(reader, None)
            if record is None:
                return
            # a spreadsheet's blank row (",,,," when exported) is no row, as an empty line is not;
            # cells past the header (a list under None) count as much as named ones
            cells = [c for v in record.values() for c in (v if isinstance(v, list) else [v])]
            if not any(isinstance(c, str) and c.strip() for c in cells):
                continue
            row = {k.strip().lower(): v for k, v in record.items() if k}
            if any(c.strip() for c in record.get(None) or ()):
                # an unquoted answer holding the delimiter: its text would be cut there
                named = len(reader.fieldnames or ())
                row[CUT] = (
                    f"has {named + len(record[None])} cells where the header names {named}: a "
                    f"cell holding '{delimiter}' must be quoted, or its text is cut there"
                )
            yield lines.start, row


def _jsonl_records(source: Path) -> Iterator[tuple[int, dict | str]]:
    with _text_of(source) as fh:
        for line, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:  # where in this line, not in a line of its own
                yield (
                    line,
                    f"not valid JSON ({exc.msg.removesuffix(' at')} at character {exc.pos + 1} of the line)",
                )
                continue
            except ValueError as exc:
                yield line, f"not valid JSON ({first_line(exc, 80)})"
                continue
            except RecursionError:
                yield line, "not valid JSON (nested too deeply)"
                continue
            try:  # "\ud800" is valid JSON, but no text: it cannot be graded or written
                json.dumps(record, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                yield line, "holds an unpaired surrogate escape (such as \\ud800): not text"
                continue
            yield line, record if isinstance(record, dict) else "not a JSON object"


# ------------------------------------------------------------------------------------------------
# grading, in worker processes

_GRADER: Grader | None = None


def _init_worker(threads: int | None = None, pooled: bool = False) -> None:
    """Open the grader once per worker; with several workers each embeds with its share of the
    cores (`threads`), so that they do not fight over them. A pooled worker ignores Ctrl+C: the
    main process stops the batch, so that a worker never grades on after it, unrecorded."""
    global _GRADER
    if pooled:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        exit_with_parent(os.getppid())
    set_overrides(embedding_threads=threads)
    _GRADER = default_grader()


PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(parent: int) -> None:
    """End this process once `parent` (the batch that started it) is gone: killed outright or for
    memory, it cannot stop its workers, which went on grading, unrecorded, with 210 MB each."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="mlsd-parent-watch", daemon=True).start()


def _index_ready() -> None:
    """Open the index here, once, before several workers do, building or updating it first when
    that is allowed: each worker would otherwise find it missing and say so. The model this loads
    is let go again (each worker loads its own)."""
    try:
        open_index(cached_kb(), default_embedder(), auto_index=settings().auto_index)
    finally:
        release_default_embedder()


_HELD = threading.Event()  # set while `_sigint_held` holds Ctrl+C (and so SIGTERM) off
_PENDING = threading.Event()  # a SIGTERM came while held: a service manager sends it only once


@contextlib.contextmanager
def _sigint_held(handler) -> Iterator[None]:
    """Ctrl+C taken by `handler` in this process for a moment (the main thread only can), and a
    SIGTERM meanwhile kept for after (`_stop_pending`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, handler)
    _PENDING.clear()
    _HELD.set()
    try:
        yield
    finally:
        _HELD.clear()
        signal.signal(signal.SIGINT, before)


def _sigint_ignored() -> contextlib.AbstractContextManager[None]:
    """Ignore Ctrl+C in this process for a moment: a worker process started meanwhile inherits
    it, and a Ctrl+C while it starts prints no traceback."""
    return _sigint_held(signal.SIG_IGN)


@contextlib.contextmanager
def stop_deferred() -> Iterator[None]:
    """Hold a Ctrl+C (or SIGTERM) off until the block ends, then act on it: what is being written
    (a row's report, its sheet and its line in the manifest; the summary) is finished first, so
    that the files on disk and what the summary says of them agree (a report written and not
    recorded had been summarised as "not graded yet")."""
    asked: list[int] = []
    with _sigint_held(lambda signum, _frame: asked.append(signum)):
        yield
    if _stop_pending():
        raise Terminated
    if asked:
        raise KeyboardInterrupt


class Terminated(KeyboardInterrupt):
    """A stop asked for by SIGTERM, handled as Ctrl+C is; the process exits 143, not 130."""

    exit_code = 143  # 128 + SIGTERM's number


def _as_ctrl_c(_signum, _frame) -> None:
    if not _HELD.is_set():
        raise Terminated
    _PENDING.set()  # taken up once the hold ends (`_stop_pending`)


def _stop_pending() -> bool:
    """Whether a SIGTERM came while Ctrl+C was held off (then forgotten: it is acted on now)."""
    pending = _PENDING.is_set()
    _PENDING.clear()
    return pending


@contextlib.contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """Handle SIGTERM (`kill`, a service manager stopping the batch) in this process as Ctrl+C: a
    KeyboardInterrupt in the main thread, nothing while Ctrl+C is ignored. Worker processes keep
    the default (the pool stops them with it when one dies)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _as_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _grade_row(row: Row, out: str) -> tuple[str, str | None]:
    """Grade one row into its report file; (id, None) or (id, the one-line reason it failed)."""
    return _write_row(row, out, _graded(row))


def _graded(row: Row) -> GradeReport | str:
    """One row's report, or the one-line reason it could not be graded."""
    try:
        grader = _GRADER or default_grader()
        answer = load_answer_file(row.path) if row.path else (row.answer or "")
        return grade_input(grader, answer, row.question)
    except GraderError as exc:
        return str(exc)


def _write_row(row: Row, out: str, graded: GradeReport | str) -> tuple[str, str | None]:
    """Write a graded row's report and sheet; (id, None) or (id, the reason it failed)."""
    if isinstance(graded, str):
        return row.id, graded
    try:
        write_atomic(Path(out) / "reports" / f"{row.id}.json", graded.to_json())
        write_sheet(Path(out), row, graded, _GRADER.kb if _GRADER else cached_kb())
        return row.id, None
    except GraderError as exc:
        return row.id, str(exc)


def write_sheet(out: Path, row: Row, report: GradeReport, kb: KnowledgeBase) -> Path:
    """The interviewer sheet of one graded row, `OUT/sheets/<id>.md`, beside its report."""
    path = out / "sheets" / f"{row.id}.md"
    file = display_name(Path(row.path).name) if row.path else None
    write_atomic(path, interviewer_sheet(report, kb, candidate=row.id, file=file))
    return path


def _missing_sheets(rows: list[Row], out: Path, done: set[str]) -> None:
    """Sheets for rows graded by an earlier run (or one that stopped between the two files),
    written from their saved reports without grading again."""
    todo = [r for r in rows if r.id in done and not (out / "sheets" / f"{r.id}.md").is_file()]
    if not todo:
        return
    kb = cached_kb()
    for row in todo:
        try:
            report = GradeReport.model_validate_json(
                (out / "reports" / f"{row.id}.json").read_text(encoding="utf-8")
            )
            write_sheet(out, row, report, kb)
        except (OSError, ValueError):
            continue  # a report that went missing or bad since: the next run grades it again


def done_ids(out: Path) -> set[str]:
    """Ids whose report is already written and readable."""
    done = set()
    for path in (out / "reports").glob("*.json"):
        try:
            GradeReport.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        done.add(path.stem)
    return done


def grader_fingerprint() -> str:
    """What decides a grade besides the answer and the question: the grader's version, its
    calibration (every setting, not only the fit's id: a setting added beside a fit changes
    grades too), the knowledge base (user notes included) and the embedding model's precision."""
    kb = cached_kb()
    cal = load_calibration()
    settings_digest = hashlib.sha256(cal.model_dump_json().encode()).hexdigest()[:12]
    return f"{__version__}|{cal.id}:{settings_digest}|{kb.digest}|{settings().embedding_precision}"


def input_key(row: Row, fingerprint: str) -> str:
    """A digest of what a row's report is made from: its answer (the file's bytes, or the text),
    its question and the grader. A file that cannot be read has none (it is graded, and fails)."""
    h = hashlib.sha256(f"{fingerprint}\0{row.question}\0".encode())
    if row.path:
        try:
            h.update(b"file\0" + Path(row.path).read_bytes())
        except OSError:
            return ""
    else:
        h.update(b"text\0" + (row.answer or "").encode())
    return h.hexdigest()


def _read_manifest(folder: Path) -> dict[str, str] | None:
    """The inputs `folder`'s manifest records; None when it has none, or a file that only has its
    name (a candidate's answer saved as batch.json)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        isinstance(data, dict) and set(data) == {"inputs"} and isinstance(data["inputs"], dict)
    ):
        return None
    return {str(k): str(v) for k, v in data["inputs"].items()}


def _is_manifest(folder: Path) -> bool:
    """Whether `folder` holds a batch's manifest."""
    return _read_manifest(folder) is not None


def check_out(out: Path) -> None:
    """Refuse, before anything is graded or written, an output folder holding a file named as a
    batch's summary or manifest that no batch wrote (the folder has no manifest): a candidate's
    answer named summary.md, in the answers folder given as -o, would be replaced."""
    if not out.is_dir() or _is_manifest(out):
        return
    for name in ("summary.md", "summary.csv", MANIFEST):
        if (out / name).exists():
            raise InputError(
                f"{display_name(out / name)} would be replaced by the batch's own {name}, and no "
                "batch wrote it: give -o another folder, or rename the file"
            )


def _manifest(out: Path) -> dict[str, str]:
    # none yet, or unreadable: every report is checked by grading again
    return _read_manifest(out) or {}


def _forget(out: Path, rid: str) -> None:
    """Remove an earlier run's report and sheet of a row that now fails: they grade text that is
    no longer there."""
    for path in (out / "reports" / f"{rid}.json", out / "sheets" / f"{rid}.md"):
        path.unlink(missing_ok=True)


def run_batch(
    rows: list[Row],
    out: Path,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Grade every row that has no report made from its current answer, question and grader;
    keep the others. OUT/batch.json records each report's input digest once it is written."""
    (out / "reports").mkdir(parents=True, exist_ok=True)
    if not _is_manifest(out):  # first: any folder a batch writes in holds its manifest
        write_atomic(out / MANIFEST, json.dumps({"inputs": {}}, indent=1))
    fingerprint = grader_fingerprint()
    keys = {r.id: input_key(r, fingerprint) for r in rows}
    recorded = _manifest(out)
    have = done_ids(out)
    skip = {rid for rid in have if keys.get(rid) and recorded.get(rid) == keys[rid]}
    _missing_sheets(rows, out, skip)
    todo = [r for r in rows if r.id not in skip]
    # changed: graded before from other text, question or grader (a report the manifest does not
    # name, left by a run stopped between the two, is graded again but was not changed)
    changed = sum(r.id in have and r.id in recorded for r in todo)
    problems: list[Problem] = []
    by_id = {r.id: r for r in todo}
    tick = progress or (lambda _done, _total: None)

    def record(n: int, rid: str, reason: str | None) -> None:
        if reason:
            row = by_id[rid]
            problems.append(Problem(row.line, rid, reason, row.file, row.question))
            _forget(out, rid)
            recorded.pop(rid, None)
        else:
            recorded[rid] = keys[rid]
        write_atomic(out / MANIFEST, json.dumps({"inputs": recorded}, indent=1, sort_keys=True))
        tick(n, len(todo))

    tick(0, len(todo))
    seen: list[str] = []  # rows recorded by this run, in order

    def interrupted(stop: KeyboardInterrupt) -> BatchInterrupted:
        """What a stop leaves: the rows recorded, those still to grade, and what stopped it."""
        waiting = _waiting(todo, seen)
        return BatchInterrupted(
            len(seen) - len(problems), len(todo), waiting, problems, len(skip),
            getattr(stop, "exit_code", 130),
        )  # fmt: skip

    if workers <= 1 or len(todo) <= 1:
        _init_worker()
        try:
            for r in todo:
                graded = _graded(r)  # a Ctrl+C here stops before the row is written
                with stop_deferred():  # ... and here once its files are written and recorded
                    record(len(seen) + 1, *_write_row(r, str(out), graded))
                    seen.append(r.id)
        except KeyboardInterrupt as stop:
            raise interrupted(stop) from None
    else:
        _index_ready()
        context = multiprocessing.get_context("spawn")  # model runtimes are not fork-safe
        share = max(1, (os.cpu_count() or 1) // workers)
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(share, True)
        )
        with _sigint_ignored():  # the workers start ignoring it (and say nothing when it comes)
            futures = [pool.submit(_grade_row, r, str(out)) for r in todo]
        try:
            if _stop_pending():  # a SIGTERM while the rows were handed out: stop as it asked
                raise Terminated
            for future in as_completed(futures):
                rid, reason = future.result()
                record(len(seen) + 1, rid, reason)
                seen.append(rid)
        except KeyboardInterrupt as stop:
            # no row starts after Ctrl+C; those being graded finish and are recorded, so that a
            # rerun keeps every report this run wrote (a second Ctrl+C meanwhile is ignored: it
            # cut the recording short and lost the count)
            with _sigint_ignored():
                pool.shutdown(wait=True, cancel_futures=True)
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is None:
                    rid, reason = future.result()
                    if rid not in seen:
                        record(len(seen) + 1, rid, reason)
                        seen.append(rid)
            raise interrupted(stop) from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    failed = len(problems)
    return Outcome(
        graded=len(todo) - failed,
        changed=changed,
        kept=len(skip),
        problems=sorted(problems, key=lambda p: p.line),
    )


# ------------------------------------------------------------------------------------------------
# the cohort summary


def load_reports(out: Path, ids: Sequence[str] | None = None) -> dict[str, GradeReport]:
    """The saved reports, by id: of `ids` only, in their order, when given (the rows of this
    input, in the input's order), else all of them in their file names' order."""
    wanted = None if ids is None else frozenset(ids)
    found = {
        p.stem: GradeReport.model_validate_json(p.read_text(encoding="utf-8"))
        for p in sorted((out / "reports").glob("*.json"))
        if wanted is None or p.stem in wanted
    }
    return found if ids is None else {i: found[i] for i in dict.fromkeys(ids) if i in found}


def write_summary(
    out: Path,
    problems: list[Problem],
    ids: Sequence[str] | None = None,
    given: dict[str, str] | None = None,
) -> dict[str, GradeReport]:
    """summary.csv (one row per candidate) and summary.md (the cohort at a glance), of the rows
    `ids` (this input's, in its order; a report left from a row no longer in it is not
    summarised); `given`: the ids as written of the rows renamed into safe file names, said in
    their flags."""
    reports = load_reports(out, ids)
    components = list(dict.fromkeys(c.id for r in reports.values() for c in r.components))
    steps = list(dict.fromkeys(s.id for r in reports.values() for s in r.steps))
    copies = same_answers(out, reports)
    given = given or {}

    def flagged(r: GradeReport, rid: str) -> list[str]:
        same = f"same answer as {', '.join(copies[rid])}" if copies.get(rid) else ""
        named = f"id given as '{given[rid]}'" if rid in given else ""
        return [*flag_list(r), *(x for x in (same, named) if x)]

    fh = io.StringIO(newline="")  # written whole: a reader never meets half a summary
    writer = _SpreadsheetSafe(csv.writer(fh))
    # each component's status and score in columns of their own: a spreadsheet sorts and
    # filters a number, not "covered 71"
    marks = [column for cid in components for column in (cid, f"{cid}_score")]
    writer.writerow(["id", "question", "rubric", "overall", *steps, *marks, "flags"])
    for rid, r in reports.items():
        writer.writerow([
            rid, r.question.asked or r.question.title, rubric_line(r), r.overall_score,
            *(next((s.score for s in r.steps if s.id == sid), "") for sid in steps),
            *(cell for cid in components for cell in _cells(r, cid)), ", ".join(flagged(r, rid)),
        ])  # fmt: skip
    for p in sorted(problems, key=lambda p: (p.file or "", p.line)):  # one row per candidate
        blank = [""] * (2 + len(steps) + len(marks))
        said = f"not graded ({p.where}): {p.reason}"
        writer.writerow([p.id or p.where, p.question, *blank, said])
    write_atomic(out / "summary.csv", fh.getvalue().encode("utf-8"))
    # no terminal escape of an id or a question reaches the summary
    summary = _summary_markdown(reports, components, steps, problems, flagged)
    write_atomic(out / "summary.md", printable(summary))
    return reports


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula


class _SpreadsheetSafe:
    """A csv writer whose text cells never start as a formula: a question typed "=1+1 ..." or an
    id "@cmd" (candidates fill in the forms a cohort comes from) is written with a leading "'",
    which a spreadsheet shows as text, rather than run when the summary is opened."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, cells: list) -> None:
        cells = [printable(c) if isinstance(c, str) else c for c in cells]  # no terminal escape
        self._writer.writerow(
            [f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c for c in cells]
        )


def same_answers(out: Path, reports: dict[str, GradeReport]) -> dict[str, list[str]]:
    """For each candidate whose answer is byte for byte another's (the same text, or files with the
    same bytes, for the same question), the others' ids: copies an interviewer wants to see."""
    recorded = _manifest(out)
    by_key: dict[str, list[str]] = {}
    for rid in reports:
        if recorded.get(rid):
            by_key.setdefault(recorded[rid], []).append(rid)
    return {
        rid: [o for o in group if o != rid]
        for group in by_key.values()
        if len(group) > 1
        for rid in group
    }


def _cells(r: GradeReport, cid: str) -> tuple[str, int | str]:
    """A component's status and score, blank where its rubric has no such component."""
    c = _find(r, cid)
    return (c.status, c.score) if c else ("", "")


def flags(r: GradeReport) -> str:
    """`flag_list`, as one line."""
    return ", ".join(flag_list(r))


def flag_list(r: GradeReport) -> list[str]:
    """What to check before trusting a grade: the answer read as off topic, short, partly
    unrelated prose, buzzword lists or claims (not counted), a transcript, steering, to-do notes or
    hidden text (not counted), or graded with the framework's rubric (no bank case close to the question)."""
    said = " ".join(r.warnings)
    return [name for name, mark, _ in FLAGS if mark in said]


def score_checks(r: GradeReport) -> list[str]:
    """The flags that question the score itself (`flag_list` less `ABOUT_THE_READING`): what an
    interviewer should check before comparing it with another candidate's."""
    return [name for name in flag_list(r) if name not in ABOUT_THE_READING]


def checks_score(warning: str) -> bool:
    """Whether a report's warning raises one of `score_checks`' flags."""
    return any(mark in warning for name, mark, _ in FLAGS if name not in ABOUT_THE_READING)


# flags that say how the answer was read, not that its score needs checking: every typed question
# far from the bank is graded with the framework rubric, and a transcript is graded as well as text
ABOUT_THE_READING = frozenset({"framework rubric", "transcript", "read as Windows-1252"})

# (flag, the words of the report's warning that raise it, what it means in a summary's legend)
FLAGS = [
    ("off topic", "scores were scaled", "read as answering another question: scores scaled down"),
    ("another system?", "may design another system", "no passage restates what the question asks for, and few of its words are used: check that it answers this question"),
    ("short", "the answer is short", f"under {SHORT_ANSWER_WORDS} words"),
    ("unrelated text", "read as unrelated to ML system design", "prose about other things, not counted"),
    ("buzzword lists", "read as lists of buzzwords", "lists naming topics, not counted"),
    ("claims", "read as claims without specifics", "promises with no specifics, not counted"),
    ("definitions", "read as saying what a topic is or why it matters", "what a topic is, not what the design does, not counted"),
    ("framework rubric", "general framework rubric", "no bank case near the question: graded with the framework's rubric"),
    ("transcript", "read as a transcript", "graded from a transcript: only the candidate's turns"),
    ("steering ignored", "possible attempt to steer", "lines addressed to the grader, not counted"),
    ("to-do notes ignored", "marked as still to do", "notes of what is still to do, not counted"),
    ("hidden text ignored", "a reader of the answer does not see", "text a reader does not see, not counted"),
    ("copied advice ignored", "copied word for word from the grader's own advice", "sentences copied from the grader's advice, not counted"),
    ("read as Windows-1252", "read as Windows-1252", "the file's bytes were read as Windows-1252"),
]  # fmt: skip


MARKS_UP_TO = 12  # a cohort this size also gets a components x candidates table of marks
NAMED_UP_TO = 6  # the candidates who missed a component are named up to this many


def _summary_markdown(reports, components, steps, problems, flagged=None) -> str:
    """The cohort at a glance: candidates by overall with their step scores and flags (`flagged`,
    by default each report's own; one every candidate has is said once, above the table), ranked
    within each question when they answered several (named Q1, Q2, ... in a list above); then,
    for each question asked, each component, in the rubric's order under its step, with how many
    covered, partial or missed it and who missed it, and (small cohorts) every candidate's mark
    per component."""
    flagged = flagged or (lambda r, _rid: flag_list(r))
    out = [f"# Cohort summary: {quantity(len(reports), 'answer')}", ""]
    if problems:  # said first: an interviewer reading the ranking must know who is not in it
        out += [
            f"**Not graded:** {quantity(len(problems), 'row')}, listed at the end with the reason.",
            "",
        ]
    if not reports:
        return "\n".join(out + ["No answer was graded.", ""])
    shown = _questions(reports)
    asked = list(dict.fromkeys(shown.values()))  # in the order the input first asks them
    if len(asked) == 1:
        out += [f"**Question:** {asked[0]}", ""]
    legend = ", ".join(f"{mark} {status}" for status, mark in _MARK.items())
    out += [
        f"Scores are out of 100. {step_score_note(next(iter(reports.values())))} Flags say what "
        "to check before trusting a grade. `summary.csv` holds every component's status and "
        "score per candidate.",
        "",
    ]
    # a cohort answering several questions: ranked within each question, named Q1, Q2, ...
    mixed = len(asked) > 1
    label = {q: f"Q{k}" for k, q in enumerate(asked, 1)}
    if mixed:
        out += ["**Questions:**", ""] + [f"- {label[q]}: {_cell_text(q)}" for q in asked] + [""]
    ranked = sorted(
        reports.items(), key=lambda kv: (asked.index(shown[kv[0]]), -kv[1].overall_score, kv[0])
    )
    # a flag every candidate has is said once, above the table: it tells no one apart
    said = {rid: flagged(r, rid) for rid, r in ranked}
    common = [
        f for f in said[ranked[0][0]] if len(ranked) > 1 and all(f in v for v in said.values())
    ]
    if common:
        out += [f"Every answer: {_cell_text(', '.join(common))}.", ""]
    out += ["| candidate | " + ("question | rank | " if mixed else "") + "overall | "
            + " | ".join(steps) + " | flags |",
            "|---|" + ("---|---:|" if mixed else "") + "---:|" + "---:|" * len(steps) + "---|"]  # fmt: skip
    for rid, r in ranked:
        # equal overalls share a rank (1, 1, 3): the order among them is only their ids'
        rank = 1 + sum(
            shown[o] == shown[rid] and other.overall_score > r.overall_score for o, other in ranked
        )
        question = f"{label[shown[rid]]} | {rank} | " if mixed else ""
        scores = [str(s.score) if (s := _find_step(r, sid)) else "" for sid in steps]
        own = ", ".join(f for f in said[rid] if f not in common)
        out.append(
            f"| {rid} | {question}{r.overall_score} | "
            + " | ".join(scores)
            + f" | {_cell_text(own)} |"
        )
    seen = {f for v in said.values() for f in v}
    if seen:  # what each flag in the table means, in the table's order of flags
        meant = "; ".join(f"*{name}*: {meaning}" for name, _, meaning in FLAGS if name in seen)
        out += ["", f"Flags: {meant}."]
    # a cohort answering several questions: one rubric each, its steps, then its components
    groups = {q: [(rid, r) for rid, r in ranked if shown[rid] == q] for q in asked}
    for question, group in groups.items():
        out += _steps_markdown([r for _, r in group], steps, question if mixed else None)
    for question, group in groups.items():
        out += _components_markdown(group, components, legend, question if mixed else None)
    if problems:
        out += ["", "## Rows not graded", "", "| where | id | reason |", "|---|---|---|"]
        ordered = sorted(problems, key=lambda p: (p.file or "", p.line))
        out += [f"| {p.where} | {p.id} | {_cell_text(p.reason)} |" for p in ordered]
    return "\n".join(out) + "\n"


def _steps_markdown(reports: list[GradeReport], steps: list[str], question=None) -> list[str]:
    """Each step's mean, lowest and highest score over these candidates, who answered one question
    (`question` titles the section when the cohort answered several: a mean across rubrics that
    weigh a step's components differently compares nothing)."""
    about = f": {_cell_text(question)}" if question else ""
    out = ["", f"## Steps (mean score){about}", "", "| step | mean | lowest | highest |",
           "|---|---:|---:|---:|"]  # fmt: skip
    for sid in steps:
        scores = [s.score for r in reports if (s := _find_step(r, sid))]
        if not scores:
            continue
        title = next(s.title for r in reports if (s := _find_step(r, sid)))
        out.append(
            f"| {_cell_text(title)} | {statistics.mean(scores):.1f} | {min(scores)} | {max(scores)} |"
        )
    return out


def _components_markdown(ranked, components, legend, question=None) -> list[str]:
    """Each component of these candidates' rubric (`ranked`: (id, report), best first), in the
    rubric's order under its step, with how many covered, partial or missed it and who missed it;
    then, for a small cohort, every candidate's mark per component. `question` titles the section
    when the cohort answered several."""
    reports = dict(ranked)
    components = [cid for cid in components if any(_find(r, cid) for r in reports.values())]
    about = f": {_cell_text(question)}" if question else ""
    # the rubric as the question line says it: which case or framework, the kind of system read
    # and what the question weighs as critical (the same for every report of one question)
    rubric = rubric_line(ranked[0][1]) if ranked else ""
    out = ["", f"## Components across the cohort{about} ({legend})", "",
           f"Rubric: {_cell_text(rubric)}", "",
           "| component | ✅ | 🟡 | ❌ | mean (sd) | missed by |",
           "|---|---:|---:|---:|---:|---|"]  # fmt: skip
    groups = _by_step(reports, components)
    # each component's result per candidate, in ranked order
    results = {cid: {rid: c for rid, r in ranked if (c := _find(r, cid))} for cid in components}
    for step, cids in groups:
        out.append(f"| **{_cell_text(step)}** | | | | | |")
        for cid in cids:
            found = results[cid]
            scores = [c.score for c in found.values()]
            sd = statistics.pstdev(scores) if len(scores) > 1 else 0.0
            count = {s: sum(c.status == s for c in found.values()) for s in _MARK}
            missed = [rid for rid, c in found.items() if c.status == "missing"]
            out.append(
                f"| {_component_name(found)} | {count['covered']} | {count['partial']} | "
                f"{count['missing']} | {statistics.mean(scores):.0f} ({sd:.0f}) | "
                f"{_who(missed, list(found))} |"
            )
    if len(reports) <= MARKS_UP_TO:
        names = [rid for rid, _ in ranked]
        out += ["", "## Marks per candidate" + about, "",
                "| component | " + " | ".join(names) + " |",
                "|---|" + "---|" * len(names)]  # fmt: skip
        for step, cids in groups:
            out.append(f"| **{_cell_text(step)}** |" + " |" * len(names))
            for cid in cids:
                found = results[cid]
                marks = [_MARK[found[rid].status] if rid in found else "" for rid in names]
                out.append(f"| {_component_name(found)} | " + " | ".join(marks) + " |")
    return out


def _who(missed: list[str], everyone: list[str]) -> str:
    """Who missed a component: named up to NAMED_UP_TO, else those who did not miss it."""
    if len(missed) == len(everyone) > 1:
        return "everyone"
    if len(missed) <= NAMED_UP_TO:
        return ", ".join(missed)
    kept = [rid for rid in everyone if rid not in missed]
    if len(kept) <= NAMED_UP_TO:
        return f"everyone but {', '.join(kept)}"
    return f"{len(missed)} candidates (summary.csv names them)"


def _by_step(reports, components) -> list[tuple[str, list[str]]]:
    """The components grouped under their step's title, steps in the framework's order (a
    component keeps its place within its step)."""
    titles = {s.id: s.title for r in reports.values() for s in r.steps}
    order = {sid: i for i, sid in enumerate(titles)}
    step_of = {c.id: c.step for r in reports.values() for c in r.components}
    grouped = sorted(components, key=lambda cid: order.get(step_of[cid], len(order)))
    return [
        (titles.get(step, step), list(cids))
        for step, cids in itertools.groupby(grouped, key=step_of.__getitem__)
    ]


def _component_name(found: dict) -> str:
    c = next(iter(found.values()))
    return _cell_text(c.title) + (" (critical)" if c.severity == "critical" else "")


def _cell_text(text: str) -> str:
    """Text for a Markdown table cell: one line, and a pipe would end the cell."""
    return " ".join(text.split()).replace("|", "/")


def _find_step(r: GradeReport, sid: str):
    return next((s for s in r.steps if s.id == sid), None)


def _asked(r: GradeReport) -> str:
    """The question as people read it: a bank case's title, or the question text as typed."""
    return " ".join(r.question.shown.split())


def _questions(reports: dict[str, GradeReport]) -> dict[str, str]:
    """Each report's question as the summary groups it: the same words with another final stop or
    capitals are one question ("Design X." and "design x"), shown as the first report (in the
    input's order) asked it; a cohort had been split into one-candidate sections by a full stop."""
    first: dict[str, str] = {}
    out = {}
    for rid in reports:
        asked = _asked(reports[rid])
        key = _END_MARKS.sub("", asked).casefold()
        out[rid] = first.setdefault(key, asked)
    return out


_END_MARKS = re.compile(r"[\s.?!]+$")


def _find(r: GradeReport, cid: str):
    return next((c for c in r.components if c.id == cid), None)
