"""Answer text from bytes: decode text, refuse binaries, bound the length.

Reading files and standard input is `grader.answers.files.load_answer_file`."""

from __future__ import annotations

import codecs
import re

from grader.errors import InputError
from grader.settings import settings

_SIGNATURES = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG image",
    b"GIF8": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"PK\x03\x04": "ZIP or Office document",
    b"\x7fELF": "executable",
    b"RIFF": "RIFF media (audio or video)",
    b"ID3": "MP3 audio",
    b"OggS": "Ogg media",
    b"fLaC": "FLAC audio",
    b"\x1a\x45\xdf\xa3": "WebM/Matroska media",
}
# documents by their names' endings: a file so named whose bytes are none of the kinds read
_DOCUMENT_NAMES = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "doc": "a Word document",
    "odt": "an OpenDocument text",
    "rtf": "a rich-text document",
    "pptx": "a slide deck",
}
_BOMS = [  # UTF-32's before UTF-16's, whose little-endian mark begins UTF-32's
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode_answer(data: bytes, name: str = "the input") -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 (with BOM, or without for mostly-Latin text),
    else Windows-1252; refuse binary data clearly."""
    return decoded(data, name)[0]


def decoded(data: bytes, name: str = "the input") -> tuple[str, str | None]:
    """`decode_answer`, and a note when the text was not UTF-8 or UTF-16 but read as Windows-1252
    (the code page Windows editors save in: "–" is byte 0x96), for the report's warnings."""
    try:
        return _decode(data, name), None
    except _NotUtf8 as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = None
        if text is None or _CONTROL.search(text):
            raise InputError(
                f"{name} is not valid UTF-8 (byte 0x{data[exc.at]:02x} at offset {exc.at}): save "
                "it as UTF-8 or UTF-16"
            ) from None
        return text, (
            f"not UTF-8: {name} (byte 0x{data[exc.at]:02x} at offset {exc.at}) was read as "
            "Windows-1252; save it as UTF-8 if a character looks wrong"
        )


class _NotUtf8(Exception):
    def __init__(self, at: int):
        super().__init__(at)
        self.at = at


# control characters no text file holds (tab, line feed, form feed and carriage return aside)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise InputError(
                    f"{name} starts with a {encoding} byte-order mark but is not valid {encoding}"
                ) from None
    for magic, kind in _SIGNATURES.items():
        if data.startswith(magic):
            raise InputError(
                f"{name} looks like a binary file ({kind}), not text: export the answer as .txt or .md"
            )
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data[:8192]:
        kind = _DOCUMENT_NAMES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
        if kind:  # a damaged document: "NUL bytes" says nothing to whoever exported it
            raise InputError(
                f"{name} is named as {kind} but cannot be read as one (damaged, or another kind "
                "of file): export the answer again, or as .txt or .md"
            )
        raise InputError(f"{name} contains NUL bytes: it looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _NotUtf8(exc.start) from None


def check_length(text: str) -> str:
    """Refuse text longer than MLSD_MAX_CHARS characters (a bound on the work any input can cause)."""
    if len(text) > settings().max_chars:
        raise InputError(
            f"the answer has {len(text):,} characters, over the limit of {settings().max_chars:,} (the MLSD_MAX_CHARS setting)"
        )
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Text saved as UTF-16 without a byte-order mark: mostly-Latin text has a zero in every
    other byte (odd bytes for little-endian, even for big-endian); binary data does not."""
    head = data[:8192]
    half = len(head) // 2
    if half < 2 or len(data) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    encoding = (
        "utf-16-le"
        if odd >= 0.9 * half and even <= 0.1 * half
        else "utf-16-be"
        if even >= 0.9 * half and odd <= 0.1 * half
        else None
    )
    try:
        return data.decode(encoding) if encoding else None
    except UnicodeDecodeError:
        return None
