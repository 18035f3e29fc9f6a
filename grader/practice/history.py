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

from grader.errors import HistoryError, NoSuchAttempt
from grader.report import GradeReport
from grader.settings import settings
from grader.text import scrub

DB_NAME = "history.sqlite3"
EXPORT_FORMAT = "mlsd-grader-history/1"
Mode = Literal["practice", "mock"]
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
    return q.title if q.matched_by in ("id", "title") or not q.asked else q.asked[:300]


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
        self._open()

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
        conn.execute(
            "PRAGMA secure_delete = ON"
        )  # deleted answers are overwritten, not left in free pages
        return conn

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
        if not new and not self._healthy():
            self._recover()
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
            return False
        except sqlite3.DatabaseError:
            return False

    def _recover(self) -> None:
        """Move a damaged database aside, copy what can be read into a fresh one, and say so."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{aside}{suffix}"))
        rows, complete = _salvage(aside)
        self._init_schema()
        os.chmod(self.path, 0o600)

        def insert(
            conn,
        ):  # OR IGNORE: a row too damaged to satisfy the schema stays only in the moved file
            return (
                conn.executemany(
                    f"INSERT OR IGNORE INTO attempts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                ).rowcount
                if rows
                else 0
            )

        copied = self._run(insert)
        got = f"recovered {copied} attempt(s) into a new database"
        rest = (
            ""
            if complete and copied == len(rows)
            else f"; some could not be read: try `sqlite3 {aside} .recover`"
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
        """Store one attempt in a single transaction; return its id. `secrets` (API keys) are masked.
        An attempt identical to the last one saved (question, answer, report, mode and source: the
        same answer graded again) is not stored twice; its id is returned."""
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
                return int(last[0])  # the same answer graded again (a second click): one attempt
            cur = conn.execute(
                "INSERT INTO attempts (created_at, question_id, question_title, answer, report_json, "
                "mode, source_kind, overall_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid)

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


def _salvage(path: Path) -> tuple[list[tuple], bool]:
    """Read what rows a damaged database still gives, table order, no index. (rows, read to the end)."""
    rows: list[tuple] = []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return rows, False
    try:
        for row in conn.execute(f"SELECT {_COLUMNS} FROM attempts NOT INDEXED ORDER BY id"):
            rows.append(row)
        return rows, True
    except sqlite3.DatabaseError:
        return rows, False
    finally:
        conn.close()
