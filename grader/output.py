"""Writing what the user asked for: only ever a regular file (or stdout), checked before any work,
and replaced whole, never half-written."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from grader.errors import InputError
from grader.text import display_name


def check_output(path: Path | str | None, *, inputs: tuple[str | Path, ...] = ()) -> Path | None:
    """The file to write, or None for stdout ('-' or nothing); refused with one line when it is a
    folder, a device, a FIFO or a socket, one of the `inputs`, or not writable. A symlink is
    followed: its target is written, the link stays."""
    if path is None or str(path) == "-":
        return None
    shown = display_name(path)
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"--output {shown}: cannot use it ({exc.strerror})") from None
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
    for source in inputs:
        if str(source) != "-" and _same(target, Path(source)):
            raise InputError(
                f"--output {shown} is the input file: writing there would replace the answer"
            )
    parent = target.parent
    if not parent.is_dir():
        raise InputError(f"--output {shown}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"--output {shown}: cannot write in the folder {parent}")
    return target


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write text (or bytes) so that readers see the old file or the whole new one, never a part.
    A symlink is followed (its target is replaced); anything but a regular file is refused."""
    path = Path(os.path.realpath(path))
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
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
