"""Every input is read exactly once, through one bounded reader: files, pipes, FIFOs and stdin.

A regular file is opened once; its head decides whether it is audio (then the decoder streams the
file itself) or text (then the rest is read from the same descriptor). Anything else (a pipe,
`<(cat answer.md)`, a FIFO, standard input) is read once into memory: opening waits at most the
read timeout for a writer, and the read gives up after the same time without data.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from grader.errors import InputError
from grader.settings import settings
from grader.text import display_name

HEAD_BYTES = 16
MAX_TEXT_BYTES = 16 * 2**20  # text or transcripts; the answer's own limits apply after decoding
MAX_STREAM_BYTES = (
    512 * 2**20
)  # audio can come through a pipe too; its length limit applies after decoding
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Source:
    """What was read: `data` (all of it), or for a regular file only its `head` and its `path`."""

    name: str
    suffix: str
    head: bytes
    data: bytes | None = None
    path: Path | None = None  # a regular file too large to hold: audio, streamed by the decoder
    size: int = 0

    @property
    def audio_source(self) -> bytes | Path:
        return self.data if self.data is not None else self.path


def open_source(path: str | Path, *, limit: int = MAX_STREAM_BYTES) -> Source:
    """Open `path` ('-' for standard input) and read what grading needs, once, within bounds."""
    if str(path) == "-":
        data = read_stdin(limit)
        return Source("standard input", "", data[:HEAD_BYTES], data=data, size=len(data))
    name = display_name(path)
    path = Path(path)
    suffix = path.suffix.lower()
    fd = _open(path, name)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{name}: is a folder, not a file")
        if stat.S_ISREG(info.st_mode):
            if info.st_size > limit:
                raise InputError(f"{name} is {info.st_size / 2**20:,.0f} MB: too large to grade")
            if (
                info.st_size > MAX_TEXT_BYTES
            ):  # only audio is this large: the decoder streams the file
                return Source(name, suffix, os.read(fd, HEAD_BYTES), path=path, size=info.st_size)
            data = _read_all(fd)
            return Source(name, suffix, data[:HEAD_BYTES], data=data, size=len(data))
        data = read_fd(fd, name, limit)
        return Source(name, suffix, data[:HEAD_BYTES], data=data, size=len(data))
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, _CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def _open(path: Path, name: str) -> int:
    """Open for reading; a FIFO with no writer is waited for at most the read timeout."""
    timeout = settings().read_timeout
    result: dict = {}

    def target():
        try:
            result["fd"] = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            result["error"] = exc

    opener = threading.Thread(target=target, daemon=True)  # a FIFO open blocks until a writer comes
    opener.start()
    opener.join(timeout)
    if opener.is_alive():
        raise InputError(
            f"{name}: nothing was written to it within {timeout:g} s (MLSD_READ_TIMEOUT)"
        )
    exc = result.get("error")
    if exc is None:
        return result["fd"]
    if exc.errno == errno.ENOENT:
        raise InputError(f"{name}: no such file")
    if exc.errno == errno.EISDIR:
        raise InputError(f"{name}: is a folder, not a file")
    raise InputError(f"{name}: cannot read ({exc.strerror})")


def read_fd(fd: int, name: str, limit: int) -> bytes:
    """Read a pipe, FIFO or terminal to its end: at most `limit` bytes, and never more than the read
    timeout without data."""
    timeout = settings().read_timeout
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                raise InputError(f"{name}: no data for {timeout:g} s (MLSD_READ_TIMEOUT)")
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise InputError(
                    f"{name} is over {limit / 2**20:,.0f} MB: too large for an answer, a transcript "
                    "or a recording; pass a smaller file"
                )
            chunks.append(chunk)
    except OSError as exc:
        if exc.errno == errno.EBADF:
            raise InputError(f"{name} is closed: pass a file or pipe an answer in") from None
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    except ValueError:  # select on a closed descriptor
        raise InputError(f"{name} is closed: pass a file or pipe an answer in") from None


def read_stdin(limit: int = MAX_STREAM_BYTES, stream=None) -> bytes:
    """All of standard input (or `stream`, for tests), bounded like any other input."""
    if stream is None:
        try:
            fd = sys.stdin.fileno() if sys.stdin is not None else -1
        except (OSError, ValueError):
            fd = -1
        if fd < 0:
            raise InputError("standard input is closed: pass a file or pipe an answer in")
        return read_fd(fd, "standard input", limit)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"standard input is over {limit / 2**20:,.0f} MB: too large for an answer, a transcript "
            "or a recording; pass a file instead"
        )
    return data
