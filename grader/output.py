"""Writing what the user asked for: only ever a regular file (or stdout), checked before any work,
and replaced whole, never half-written."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

from grader.errors import InputError
from grader.settings import HISTORY_DB, index_folder, settings
from grader.text import display_name

_SQLITE = b"SQLite format 3\x00"  # the first bytes of every SQLite database file
# names of the standard streams: a file put in place of the one stdout appends to would replace
# it, and a pipe has no folder to write beside
_STDOUT = {"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"}
_STDERR = {"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"}


def check_output(path: Path | str | None, *, inputs: tuple[str | Path, ...] = ()) -> Path | None:
    """The file to write, or None for stdout ('-', /dev/stdout or nothing; os.devnull is returned
    as it is and written to nowhere); refused with one line when it is /dev/stderr, a folder (or
    typed as one, ending with '/', where there is none), any
    other device, a FIFO or a socket, one of the `inputs`, a file the grader keeps
    (`_kept`: the history database, drafts, notes, the index), an existing file mlsd did not
    write (`_replaceable`), or not writable. A symlink is followed: its target is written, the
    link stays."""
    if path is None or str(path) == "-" or str(path) in _STDOUT:
        return None  # stdout as it is, appended to or piped: never a file put in its place
    if str(path) in _STDERR:
        raise InputError(
            f"--output {path}: a report goes to a file or to stdout; leave -o out and redirect"
        )
    if os.path.realpath(path) == os.devnull:
        return Path(os.devnull)  # written to nowhere, as asked
    shown = display_name(path)
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"--output {shown}: cannot use it ({exc.strerror})") from None
    if info is None and str(path).endswith(("/", os.sep)):  # a folder meant: no file so named
        raise InputError(
            f"--output {shown} names a folder, and there is none: give a file name in an "
            "existing folder"
        )
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"--output {shown} is a folder: give a file name inside it")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"--output {shown} is not a regular file (a device, FIFO or socket): "
                "give a file path, or leave -o out for stdout"
            )
        if not os.access(target, os.W_OK):
            raise InputError(f"--output {shown} is not writable")
    kept = _kept(target)
    if kept:
        raise InputError(f"--output {shown}: {kept}; write it elsewhere")
    for source in inputs:
        if str(source) != "-" and _same(target, Path(source)):
            raise InputError(
                f"--output {shown} is the input file: writing there would replace the answer"
            )
    if info is not None and not _replaceable(target, info.st_size):
        raise InputError(
            f"--output {shown} already holds a file mlsd did not write (not a report, sheet, "
            "transcript or export): writing there would replace it; give another name, or move "
            "it first"
        )
    parent = target.parent
    if not parent.is_dir():
        raise InputError(f"--output {shown}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"--output {shown}: cannot write in the folder {parent}")
    return target


def check_output_folder(path: Path) -> Path:
    """A folder to write many files into (`mlsd batch -o`), refused in one line when it is, or is
    inside, one the grader keeps (`_kept`: drafts, notes, the index) or the history's folder
    itself, where a summary and sheets would sit beside the database."""
    shown = display_name(path)
    target = Path(os.path.realpath(path))
    existing = next(p for p in (target, *target.parents) if p.exists())
    if not existing.is_dir():
        raise InputError(f"--out {shown}: {existing} is not a folder; give a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"--out {shown}: cannot write in {existing}; give another folder")
    s = settings()
    data = Path(os.path.realpath(s.data_dir.expanduser()))
    why = _kept(target / "summary.md") or (
        "the app keeps your history and drafts there" if target == data else None
    )
    if why:
        raise InputError(f"--out {shown}: {why}; give another folder")
    return path


def _kept(target: Path) -> str | None:
    """Why `target` is the user's or the grader's own, if it is: a report or an export
    written over the history database (or its journal) leaves an empty history, and one written
    among the knowledge notes, the index or the drafts is read back as one of them."""
    s = settings()
    folders = [
        (s.data_dir / "drafts", "the app keeps your drafts there"),
        (s.user_kb, "every file in your knowledge folder is read as a case or concept"),
        (s.kb_dir, "every file in the knowledge base is read as a note"),
        (s.index_dir, "the index folder holds the grader's index"),
        (index_folder(s), "the index folder holds the grader's index"),
    ]
    for folder, what in folders:
        if _inside(target, folder):
            return what
    history = Path(os.path.realpath(s.data_dir.expanduser() / HISTORY_DB))
    if target == history or str(target).startswith(f"{history}-"):
        return "it is your history database (or its journal), which it would replace"
    name = target.name
    for suffix in ("-wal", "-shm", "-journal"):
        if name.endswith(suffix) and _database(target.with_name(name[: -len(suffix)])):
            return "it is a database's journal (your history's?), which it would replace"
    return "it is a database (your history?), which it would replace" if _database(target) else None


# the openings of what mlsd writes to a file: a report as Markdown or as the screen's text, and an
# interviewer sheet; JSON ones are read (`_ours_json`)
_OUR_OPENINGS = ("# ML system design grade", "# Interviewer sheet")
_OUR_TEXT_TITLE = "ML system design grade"
_OUR_FORMATS = "mlsd-grader-"  # the `format` of a JSON document mlsd writes (a history export)
_OURS_MAX_BYTES = 64 * 2**20  # no report, sheet, transcript or export of ours is this large


def _replaceable(target: Path, size: int) -> bool:
    """Whether an existing file may be written over: an empty one, or one mlsd wrote (a report,
    a sheet, a transcript or a history export). Anything else, a candidate's answer one tab away
    from the report's name above all, is the user's own and is kept."""
    if size == 0:
        return True
    if size > _OURS_MAX_BYTES:
        return False
    try:
        text = target.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    head = text.lstrip()
    if not head:
        return True
    if head.startswith(("{", "[")):
        return _ours_json(head)
    first = head.split("\n", 1)[0]
    return head.startswith(_OUR_OPENINGS) or _OUR_TEXT_TITLE in first


def _ours_json(text: str) -> bool:
    """Whether JSON text is a report (`schema_version`), a transcript of `mlsd transcribe`
    (segments and the model that heard them) or an export of `mlsd history export` (its format
    named `mlsd-grader-history/N`)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    return (
        "schema_version" in doc
        or str(doc.get("format", "")).startswith(_OUR_FORMATS)
        or {"segments", "model", "text"} <= doc.keys()
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.is_relative_to(Path(os.path.realpath(folder.expanduser())))
    except OSError:
        return False


def _database(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE)) == _SQLITE
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write text (or bytes) so that readers see the old file or the whole new one, never a part.
    A symlink is followed (its target is replaced); os.devnull takes nothing; anything else but a
    regular file is refused."""
    path = Path(os.path.realpath(path))
    if str(path) == os.devnull:
        return
    if path.exists() and not path.is_file():
        raise InputError(f"{path} is not a regular file: refusing to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with (
            os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")
        ) as fh:
            fh.write(text)
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a full disk names no file: say which one was not written
        raise
