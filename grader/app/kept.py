"""Recordings and uploaded files kept in the session.

Streamlit's recorder and upload box forget their file when their page is left (a widget that is
not drawn loses its value, and a file widget cannot be given one back), so a recording made before
a look at History was gone on return. The bytes are kept here, per answer source, until a new file
replaces them, the user removes or discards them, or the tab closes (they are never written to disk,
so a reload does lose them; the draft keeps their names, and the page says what was let go).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import streamlit as st

KEPT = "kept_files"  # answer source ("record", "upload") -> KeptFile
READ = "read_files"  # (digest, name, candidate, transcriber) -> the AnswerInput read from a file
READ_KEPT = 2  # the last files read (an upload and a recording) are kept read


@dataclass(frozen=True)
class KeptFile:
    """A file the user gave, read as the upload widgets' files are (`getvalue`, `name`, `size`)."""

    name: str
    data: bytes
    file_id: str | None = None
    seconds: float | None = None  # a recording's length, when it could be read

    def getvalue(self) -> bytes:
        return self.data

    @functools.cached_property
    def digest(self) -> str:
        """Its bytes' digest, computed once: whether the file on screen is the one graded."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def keep(source: str, file) -> KeptFile:
    """Keep the file a widget holds now (once per file: the widget's id for it says which)."""
    kept = st.session_state.setdefault(KEPT, {})
    file_id = getattr(file, "file_id", None)
    old = kept.get(source)
    if old is None or old.file_id != file_id or file_id is None:
        data = file.getvalue()
        seconds = _seconds(data, file.name) if source == "record" else None
        kept[source] = KeptFile(file.name or "recording.wav", data, file_id, seconds)
    return kept[source]


def kept(source: str) -> KeptFile | None:
    return st.session_state.get(KEPT, {}).get(source)


def drop(source: str) -> None:
    st.session_state.get(KEPT, {}).pop(source, None)


def removed(source: str, key: str) -> None:
    """After the user changed the widget `key`: a file removed there (the widget now empty) is not
    kept either."""
    if st.session_state.get(key) is None:
        drop(source)


def _seconds(data: bytes, name: str) -> float | None:
    """A recording's length in seconds, or None when it cannot be read (said when graded)."""
    from grader.answers.transcribe import audio_duration, wav_header_seconds

    try:
        return wav_header_seconds(data) or audio_duration(data, name)
    except Exception:  # noqa: BLE001 - a length is a courtesy; grading says what is wrong
        return None


def size_text(size: int) -> str:
    """A file's size as the upload box writes it (4.4 KB, 12.0 MB); an empty file as such (the
    box's "0.1 KB" had read as a file with something in it)."""
    if size == 0:
        return "empty"
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(size / 1e3, 0.1):.1f} KB"


def length(file: KeptFile) -> str:
    """'12 s', '3 min 05 s', or the size when the length is unknown."""
    if file.seconds is None:
        return size_text(file.size)
    s = max(int(file.seconds), 1)  # whole seconds, as a player counts them
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"


def read_once(file, candidate: str | None, transcriber: str, read) -> object:
    """`read(file)` (a file read, a recording transcribed), done once per session for the same
    bytes, name, candidate and transcriber: grading a recording again (another question, after a
    look at History) had transcribed it again, 11-22 s for three to six minutes of speech. The last
    READ_KEPT readings are kept, in the session only, as the files are."""
    digest = getattr(file, "digest", None) or hashlib.sha256(file.getvalue()).hexdigest()
    key = (digest, file.name, candidate, transcriber)
    done = st.session_state.setdefault(READ, {})
    if key not in done:
        while len(done) >= READ_KEPT:
            done.pop(next(iter(done)))
        done[key] = read(file)
    return done[key]
