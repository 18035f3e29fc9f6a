"""Attempt history: every graded attempt in one SQLite file in the user's data folder.

The folder is `MLSD_DATA_DIR`, else `$XDG_DATA_HOME/mlsd-grader`, else `~/.local/share/mlsd-grader`.
Each save is a single transaction in a WAL journal: a crash or `kill -9` in the middle of a save
loses at most that attempt, never one already saved. A database locked by another program is
waited for, retried, then reported with what to do. A damaged database is moved aside to
`history.sqlite3.corrupt-<timestamp>`, the attempts that can still be read are copied into a fresh
database, and `History.notice` says so; nothing is deleted. API keys are never stored: `save`
masks the secrets it is given, and reports carry no key.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from grader.errors import HistoryError, NoSuchAttempt
from grader.report import GradeReport
from grader.settings import HISTORY_DB, settings
from grader.text import first_line, quantity, scrub, shorten, validation_line

DB_NAME = HISTORY_DB
TITLE_CHARS = 300  # a typed question longer than this is listed cut, with "…"
EXPORT_FORMAT = "mlsd-grader-history/1"
Mode = Literal["practice", "mock"]
MAX_SALVAGE_IDS = 1_000_000  # ids asked for one by one, at most, when a damaged file is read
SKIP_IDS = 1_000  # ids left unused after a recovery that could not read the id counter
_COLUMNS = "id, created_at, question_id, question_title, answer, report_json, mode, source_kind, overall_score"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question_id TEXT,
    question_title TEXT NOT NULL,
    answer TEXT NOT NULL,
    report_json TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('practice', 'mock')),
    source_kind TEXT NOT NULL,
    overall_score INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_created ON attempts (created_at);
"""


def data_dir() -> Path:
    """The user data folder for history (MLSD_DATA_DIR, else the user data folder of the platform)."""
    return settings().data_dir.expanduser()


def default_path() -> Path:
    return data_dir() / DB_NAME


@dataclass(frozen=True)
class Attempt:
    """One saved attempt; `report` is parsed on demand (older rows may not match today's schema)."""

    id: int
    created_at: datetime
    question_id: str | None
    question_title: str
    answer: str
    report_json: str
    mode: Mode
    source_kind: str
    overall_score: int

    @property
    def report(self) -> GradeReport:
        return GradeReport.model_validate_json(self.report_json)

    @property
    def notes_digest(self) -> str:
        """The digest of the knowledge base that graded it ("" when the report does not say, or
        cannot be read): a case edited between two attempts changes it."""
        try:
            digest = json.loads(self.report_json).get("grader", {}).get("knowledge_base", "")
        except (ValueError, AttributeError):
            return ""
        return digest if isinstance(digest, str) else ""

    @property
    def source(self) -> str:
        """Where the answer came from, as a list shows it: its kind, then the file it was read
        from and the speaker graded, when the report says ("transcript: panel.vtt, Sam"); read
        from the report's JSON as stored, so a report of another format still says its kind."""
        try:
            source = json.loads(self.report_json).get("source") or {}
        except (ValueError, AttributeError):
            source = {}
        said = [str(v) for v in (source.get("name"), source.get("candidate")) if v]
        return f"{self.source_kind}: {', '.join(said)}" if said else self.source_kind

    def to_dict(self) -> dict:
        """A JSON-ready record, the report as an object."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "question_id": self.question_id,
            "question_title": self.question_title,
            "mode": self.mode,
            "source_kind": self.source_kind,
            "overall_score": self.overall_score,
            "answer": self.answer,
            "report": json.loads(self.report_json),
        }


def asked_title(report: GradeReport) -> str:
    """How history names an attempt: the bank case picked by id or title, else the question as typed
    (a free-text question is never filed under the bank case it was only near)."""
    q = report.question
    if q.matched_by in ("id", "title") or not q.asked:
        return q.title
    return shorten(q.asked, TITLE_CHARS)  # the report keeps the whole question


def _row_to_attempt(row: tuple) -> Attempt:
    id_, created, qid, title, answer, report_json, mode, kind, score = row
    return Attempt(
        id=id_,
        created_at=datetime.fromisoformat(created),
        question_id=qid,
        question_title=title,
        answer=answer,
        report_json=report_json,
        mode=mode,
        source_kind=kind,
        overall_score=score,
    )


class History:
    """The attempts database. Opens a connection per operation, so one object is safe across threads."""

    def __init__(self, path: Path | str | None = None, *, timeout_s: float = 5.0, retries: int = 2):
        self.path = Path(path) if path is not None else default_path()
        self.timeout_s = timeout_s
        self.retries = retries
        self.notice: str | None = None  # set when a damaged database was recovered on open
        self.read_only = False  # a history in a folder (or file) this process cannot write
        self._open()

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            return self._connect_read_only()
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
        conn.execute(
            "PRAGMA secure_delete = ON"
        )  # deleted answers are overwritten, not left in free pages
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """A connection that writes nothing: the journal read where SQLite can share it, else the
        file as it stands (a folder that cannot be written holds no live journal of ours)."""
        uri = self.path.resolve().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=self.timeout_s)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One connection, one transaction: committed whole on success, rolled back otherwise."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _run(self, action, write: bool = True):
        """Run `action(conn)` in a transaction, retrying while another program holds the lock."""
        if write and self.read_only:
            raise HistoryError(
                f"the history {self.path} cannot be written here (read-only): it can be listed and "
                "exported, but attempts cannot be saved or deleted; set MLSD_DATA_DIR to a "
                "writable folder"
            )
        for attempt in range(self.retries + 1):
            try:
                with self._transaction(write) as conn:
                    return action(conn)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise HistoryError(f"history database {self.path}: {exc}") from None
                if attempt == self.retries:
                    raise HistoryError(
                        f"the history database {self.path} is locked by another program: close other "
                        "mlsd-grader windows or `mlsd history` commands and try again"
                    ) from None
                time.sleep(0.1 * (attempt + 1))
            except sqlite3.IntegrityError:
                raise  # a programming error, not the file's fault
            except sqlite3.DatabaseError as exc:
                raise HistoryError(
                    f"history database {self.path} is damaged ({exc}): restart the app or run "
                    "`mlsd history list` to move it aside and recover what can be read"
                ) from None

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise HistoryError(
                f"cannot create the history folder {self.path.parent} ({exc.strerror}): "
                "set MLSD_DATA_DIR to a writable folder"
            ) from None
        new = not self.path.exists()
        folder_writable = os.access(self.path.parent, os.W_OK | os.X_OK)
        if not folder_writable or (not new and not os.access(self.path, os.W_OK)):
            if new:
                raise HistoryError(
                    f"cannot create the history in {self.path.parent} (the folder is read-only): "
                    "set MLSD_DATA_DIR to a writable folder"
                )
            self.read_only = True  # read what is there; writing is refused in one line
        if not new and not self._healthy():
            if self.read_only:
                raise HistoryError(
                    f"the history database {self.path} is damaged and cannot be repaired where it "
                    "is (read-only): copy it to a writable folder and set MLSD_DATA_DIR there to "
                    "recover what can be read"
                )
            self._recover()
            return
        if self.read_only:
            return
        self._init_schema()
        if new:
            os.chmod(self.path, 0o600)  # answers are private

    def _init_schema(self) -> None:
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise HistoryError(
                    f"the history database {self.path} is locked by another program: close other "
                    "mlsd-grader windows or `mlsd history` commands and try again"
                ) from None
            raise HistoryError(
                f"cannot open the history database {self.path} ({exc}): "
                "check the folder is writable or set MLSD_DATA_DIR"
            ) from None
        finally:
            conn.close()

    def _healthy(self) -> bool:
        try:
            conn = self._connect()
            try:
                return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True  # someone else is writing; locking is handled per operation
            # the file cannot be opened (permissions, a full or failing disk): no sign of damage,
            # and moving it aside would hide a healthy history
            raise HistoryError(
                f"cannot open the history database {self.path} ({exc}): check the folder is "
                "readable and writable, or set MLSD_DATA_DIR"
            ) from None
        except sqlite3.DatabaseError:  # not a database, malformed: damage
            return False

    def _recover(self) -> None:
        """Move a damaged database aside, copy what can be read into a fresh one, and say so."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{aside}{suffix}"))
        except OSError as exc:
            raise HistoryError(
                f"the history database {self.path} is damaged and could not be moved aside "
                f"({exc.strerror}): copy it to a writable folder and set MLSD_DATA_DIR there"
            ) from None
        rows, last_id, complete = _salvage(aside)
        self._init_schema()
        os.chmod(self.path, 0o600)

        def insert(conn):
            # OR IGNORE: a row too damaged to satisfy the schema stays only in the moved file
            copied = (
                conn.executemany(
                    f"INSERT OR IGNORE INTO attempts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                ).rowcount
                if rows
                else 0
            )
            # an id the damaged file gave out is never given again: a link to a lost attempt
            # must not open another one
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'attempts'")
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('attempts', ?)", (last_id,)
            )
            return copied

        copied = self._run(insert)
        got = f"recovered {quantity(copied, 'attempt')} into a new database"
        rest = (
            ""
            if complete and copied == len(rows)
            else "; attempts that could not be read stay only in the moved file"
        )
        self.notice = f"the history database was damaged: it was moved to {aside} and {got}{rest}"

    # -- attempts -----------------------------------------------------------------------------
    def save(
        self,
        answer: str,
        report: GradeReport,
        *,
        mode: Mode = "practice",
        secrets: Iterable[str | None] = (),
        created_at: datetime | None = None,
    ) -> int:
        """Store one attempt in a single transaction; return its id (`store`)."""
        return self.store(answer, report, mode=mode, secrets=secrets, created_at=created_at)[0]

    def store(
        self,
        answer: str,
        report: GradeReport,
        *,
        mode: Mode = "practice",
        secrets: Iterable[str | None] = (),
        created_at: datetime | None = None,
    ) -> tuple[int, bool]:
        """Store one attempt in a single transaction: (its id, whether it is new). `secrets` (API
        keys) are masked. An attempt identical to the last one saved (question, answer, report,
        mode and source: the same answer graded again) is not stored twice: its id, and False."""
        if mode not in ("practice", "mock"):
            raise ValueError(f"mode must be 'practice' or 'mock', not {mode!r}")
        masks = [s for s in secrets if s]
        when = (
            (created_at or datetime.now(timezone.utc))
            .astimezone(timezone.utc)
            .isoformat(timespec="seconds")
        )
        source_kind = report.source.kind if report.source else "text"
        row = (
            when,
            report.question.id if report.question.matched_by in ("id", "title") else None,
            asked_title(report),
            scrub(answer, masks),
            scrub(report.to_json(), masks),
            mode,
            source_kind,
            report.overall_score,
        )

        def insert(conn):
            last = conn.execute(
                "SELECT id, question_id, question_title, answer, report_json, mode, source_kind "
                "FROM attempts ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if last is not None and tuple(last[1:]) == row[1:7]:
                return int(last[0]), False  # the same answer graded again: one attempt
            cur = conn.execute(
                "INSERT INTO attempts (created_at, question_id, question_title, answer, report_json, "
                "mode, source_kind, overall_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid), True

        return self._run(insert)

    def list(self) -> list[Attempt]:
        """All attempts, oldest first."""
        return self._run(
            lambda c: [
                _row_to_attempt(r)
                for r in c.execute(f"SELECT {_COLUMNS} FROM attempts ORDER BY created_at, id")
            ],
            write=False,
        )

    def get(self, attempt_id: int) -> Attempt:
        if not 0 < attempt_id < 2**63:  # SQLite's ids; a larger number names no attempt
            raise NoSuchAttempt(
                f"no attempt with id {attempt_id} in {self.path}: see `mlsd history list`"
            )
        row = self._run(
            lambda c: c.execute(
                f"SELECT {_COLUMNS} FROM attempts WHERE id = ?", (attempt_id,)
            ).fetchone(),
            write=False,
        )
        if row is None:
            raise NoSuchAttempt(
                f"no attempt with id {attempt_id} in {self.path}: see `mlsd history list`"
            )
        return _row_to_attempt(row)

    def delete(self, attempt_id: int) -> bool:
        """Delete one attempt; False when there was none with that id."""
        if not 0 < attempt_id < 2**63:
            return False
        return (
            self._run(
                lambda c: c.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,)).rowcount
            )
            > 0
        )

    def clear(self) -> int:
        """Delete every attempt and compact the file so deleted answers do not linger on disk."""
        count = self._run(lambda c: c.execute("DELETE FROM attempts").rowcount)
        conn = self._connect()
        try:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # another reader keeps the old pages for now; they are freed on its next checkpoint
        finally:
            conn.close()
        return count

    def export(self) -> dict:
        """Every attempt as one JSON-ready document."""
        return {
            "format": EXPORT_FORMAT,
            "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "database": str(self.path),
            "attempts": [a.to_dict() for a in self.list()],
        }

    def export_json(self) -> str:
        return json.dumps(self.export(), indent=2, ensure_ascii=False) + "\n"

    def import_export(self, document: dict) -> tuple[int, int]:
        """Add the attempts of an export (`export`) that this history lacks, in one transaction,
        under new ids; an attempt already here (same time, question, answer and report) is
        skipped. Returns (added, skipped). A document of another format is refused in one line."""
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            raise HistoryError(
                f"not an export of `mlsd history export` (its format is {EXPORT_FORMAT})"
            )
        attempts = document.get("attempts")
        if not isinstance(attempts, list):
            raise HistoryError("the export holds no list of attempts: nothing was imported")
        rows = []
        for k, a in enumerate(attempts):
            try:
                if a.get("mode") not in ("practice", "mock"):
                    raise ValueError(f"mode {a.get('mode')!r} is neither practice nor mock")
                report = GradeReport.model_validate(a["report"])  # a report this version reads
                for field in ("question_title", "answer"):  # text, never None read as "None"
                    if not isinstance(a[field], str):
                        raise ValueError(f"its {field} is not text")
                    if not a[field].isascii():
                        try:  # JSON's "\ud800" reads as a lone surrogate, which no database stores
                            a[field].encode("utf-8")
                        except UnicodeEncodeError:
                            raise ValueError(
                                f"its {field} holds an unpaired surrogate escape"
                            ) from None
                created = datetime.fromisoformat(a["created_at"]).astimezone(timezone.utc)
                rows.append(
                    (
                        created.isoformat(timespec="seconds"),
                        a.get("question_id"),
                        a["question_title"],
                        a["answer"],
                        report.to_json(),
                        a["mode"],
                        str(a.get("source_kind") or "text"),
                        int(a["overall_score"]),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                why = (
                    f"no field {exc}"
                    if isinstance(exc, KeyError)
                    else validation_line(exc)
                    if isinstance(exc, ValidationError)
                    else first_line(exc)
                )
                raise HistoryError(
                    f"attempt {k + 1} of the export cannot be read ({why}); nothing was imported"
                ) from None

        def insert(conn) -> tuple[int, int]:
            added = 0
            for row in rows:
                if conn.execute(
                    "SELECT 1 FROM attempts WHERE created_at = ? AND question_title = ? AND "
                    "answer = ? AND report_json = ?",
                    (row[0], row[2], row[3], row[4]),
                ).fetchone():
                    continue
                conn.execute(
                    "INSERT INTO attempts (created_at, question_id, question_title, answer, "
                    "report_json, mode, source_kind, overall_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                added += 1
            return added, len(rows) - added

        return self._run(insert)


def _salvage(path: Path) -> tuple[list[tuple], int, bool]:
    """Read what rows a damaged database still gives: (rows by id, the highest id it may have given
    out, SKIP_IDS past the last one seen when its counter cannot be read, whether every row was
    read). The table is scanned in order; where
    the scan breaks, each id up to the highest known is asked for by itself, since a damaged page
    hides only the rows on it."""
    rows: dict[int, tuple] = {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return [], 0, False
    complete = True
    try:
        try:
            for row in conn.execute(f"SELECT {_COLUMNS} FROM attempts NOT INDEXED ORDER BY id"):
                rows[row[0]] = row
        except sqlite3.DatabaseError:
            complete = False
        last = max(rows, default=0)
        counted = True  # the id counter was read: no id it gave out is given again
        for query in (
            "SELECT seq FROM sqlite_sequence WHERE name = 'attempts'",
            "SELECT max(id) FROM attempts",
        ):
            try:
                found = conn.execute(query).fetchone()
                last = max(last, int(found[0] or 0)) if found else last
            except sqlite3.DatabaseError:
                counted = counted and "sqlite_sequence" not in query
        if not complete:
            for attempt_id in range(1, min(last, MAX_SALVAGE_IDS) + 1):
                if attempt_id in rows:
                    continue
                try:
                    row = conn.execute(
                        f"SELECT {_COLUMNS} FROM attempts WHERE id = ?", (attempt_id,)
                    ).fetchone()
                except sqlite3.DatabaseError:
                    continue
                if row is not None:
                    rows[attempt_id] = row
        # an unread counter may hide ids given out after the last one read: skip past them
        return [rows[k] for k in sorted(rows)], last + (0 if counted else SKIP_IDS), complete
    finally:
        conn.close()
