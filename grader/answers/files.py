"""Loading any answer, typed text, a transcript file or audio, into one `AnswerInput`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Callable, Sequence

from grader.answers import transcripts as tr
from grader.answers.confidence import Heard, misheard, same_words, unsure_note
from grader.answers.decode import check_length, decoded
from grader.answers.documents import docx_text, is_docx, is_pdf, office_kind, pdf_text
from grader.answers.model import AnswerInput, word_pauses
from grader.answers.notebook import markdown_cells
from grader.answers.reader import MAX_TEXT_BYTES, open_source
from grader.answers.slides import is_slide_dump, slides_text
from grader.answers.transcribe import AUDIO_FORMATS, sniff_audio, transcribe
from grader.answers.webpage import is_webpage, left_out_note, webpage_reading
from grader.errors import InputError
from grader.report import SourceInfo

# ---------------------------------------------------------------------------------------------
# loading any answer: typed text, a transcript file, or audio

TRANSCRIPT_SUFFIXES = {".srt": "srt", ".vtt": "vtt", ".json": "json"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
UNSUPPORTED_MEDIA = {
    ".aac",
    ".aif",
    ".aiff",
    ".alac",
    ".amr",
    ".ape",
    ".avi",
    ".caf",
    ".m4v",
    ".mid",
    ".midi",
    ".mkv",
    ".mov",
    ".mp4",
    ".opus",
    ".wma",
    ".wmv",
    ".3gp",
}
WEBPAGE_SUFFIXES = {".html", ".htm"}  # a Markdown file is never read as one ("```html" in it)
SUPPORTED = (
    "wav, mp3, m4a, ogg, webm or flac audio, a .txt, .md, .docx or .pdf answer, or a .srt, .vtt or "
    ".json transcript"
)

TranscribeProgress = Callable[[float, float], None]  # (seconds transcribed, total seconds)


LONE_CR = re.compile(r"\r(?!\n)")  # a line break written as an old Mac wrote it
# characters no reader sees: a zero-width space, a word joiner, a byte-order mark, a soft hyphen,
# and a zero-width joiner or non-joiner beside any ASCII character (between two emoji, joining
# them into one, it is kept). Text copied from a web page, a chat or an editor carries them, and
# read as they are they cut "recommendation" into words that no rubric knows.
INVISIBLE = re.compile(
    r"[\u00ad\u200b\u2060\ufeff]|(?<![^\x00-\x7f])[\u200c\u200d]+|[\u200c\u200d]+(?![^\x00-\x7f])"
)


def as_seen(text: str) -> str:
    """`text` as a reader sees it: a lone carriage return a line break, without the characters
    no one sees (`INVISIBLE`). A text this changes is no longer as sent: the report
    carries it as `source.text`, which its quotes index."""
    return INVISIBLE.sub("", LONE_CR.sub("\n", text))


def load_answer_file(
    path: str | Path,
    *,
    candidate: str | None = None,
    transcriber: str | None = None,
    progress: TranscribeProgress | None = None,
) -> AnswerInput:
    """Read an answer from a file (or stdin for '-'): text, a transcript or audio, by extension and content.

    `candidate` names the speaker to grade in a speaker-labelled transcript; `transcriber` picks the
    speech-to-text engine for audio (see grader.answers.transcribe.ENGINES); `progress` gets
    (seconds transcribed, total seconds) while audio is transcribed.
    """
    src = open_source(path)
    audio = _audio_format(src.head, src.suffix, src.name)
    if audio:
        return _from_audio(
            src.audio_source,
            src.name,
            audio,
            transcriber=transcriber,
            progress=progress,
            candidate=candidate,
        )
    _check_text_size(src.size, src.name)
    return _from_text_bytes(src.data, src.name, src.suffix, candidate)


def load_answer_bytes(
    data: bytes,
    name: str,
    *,
    candidate: str | None = None,
    transcriber: str | None = None,
    progress: TranscribeProgress | None = None,
) -> AnswerInput:
    """Like `load_answer_file`, for bytes already in memory (uploads, recordings); `name` gives the extension."""
    suffix = Path(name).suffix.lower()
    audio = _audio_format(data[:16], suffix, name)
    if audio:
        return _from_audio(
            data, name, audio, transcriber=transcriber, progress=progress, candidate=candidate
        )
    _check_text_size(len(data), name)
    return _from_text_bytes(data, name, suffix, candidate)


def _check_text_size(size: int, name: str) -> None:
    if size > MAX_TEXT_BYTES:
        raise InputError(
            f"{name} is {size / 2**20:,.0f} MB: too large for an answer or a transcript "
            f"(the limit is {MAX_TEXT_BYTES // 2**20} MB)"
        )


def transcribe_file(
    path: str | Path, *, transcriber: str | None = None, progress: TranscribeProgress | None = None
):
    """Transcribe an audio file (or stdin for '-') to a `grader.answers.transcribe.Transcript`."""
    src = open_source(path)
    fmt, name, source = _audio_format(src.head, src.suffix, src.name), src.name, src.audio_source
    if not fmt:
        raise InputError(f"{name} is not audio: use wav, mp3, m4a, ogg, webm or flac")
    return transcribe(source, name, engine=transcriber, progress=progress)


def _audio_format(head: bytes, suffix: str, name: str) -> str | None:
    """The audio format to read the input as, None for text; unsupported media fails clearly."""
    sniffed = sniff_audio(head)
    if sniffed:
        return suffix[1:] if suffix[1:] in AUDIO_FORMATS else sniffed
    if suffix in UNSUPPORTED_MEDIA:
        raise InputError(f"{name}: unsupported format '{suffix[1:]}': use {SUPPORTED}")
    if suffix[1:] in AUDIO_FORMATS and not _reads_as_text(head):
        return suffix[1:]
    return None  # text, whatever its name says: a transcript's JSON saved as "answer.wav"


def _reads_as_text(head: bytes) -> bool:
    """Whether a file's first bytes are printable UTF-8 text (no audio format starts so: raw MP3
    frames start with byte 0xFF, which UTF-8 never uses)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:  # possibly a character cut at the end of the head: read less
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return bool(text.strip()) and all(c.isprintable() or c in "\t\r\n" for c in text)


def _from_audio(
    source: Path | bytes,
    name: str,
    fmt: str,
    *,
    transcriber: str | None,
    progress: TranscribeProgress | None,
    candidate: str | None = None,
) -> AnswerInput:
    """A recording, transcribed. Its speakers are not told apart, so a candidate's name (given
    for transcripts) finds no one: all of it is graded, and a note says so."""
    transcript = transcribe(source, name, engine=transcriber, progress=progress)
    cues = [tr.Cue(s.text, s.start, s.end) for s in transcript.segments]
    answer = tr.from_cues(
        cues,
        fmt=fmt,
        name=name,
        source_name=Path(name).name,
        kind="audio",
        duration=transcript.duration,
        model=transcript.model,
    )
    notes = [note for note in (transcript.cut_short, transcript.unsure) if note]
    answer = dataclasses.replace(
        answer,
        misheard=misheard(transcript.heard),
        pauses=word_pauses(transcript.word_times),
    )
    if candidate:
        notes.append(
            f"a recording's speakers are not told apart: '{candidate}' was not looked for, and "
            "all of it was graded"
        )
    return dataclasses.replace(answer, notes=(*answer.notes, *notes)) if notes else answer


def _from_text_bytes(data: bytes, name: str, suffix: str, candidate: str | None) -> AnswerInput:
    """A text file's bytes, decoded and read as a reader sees them (`as_seen`, as `read_text`
    reads pasted text). Its text is as sent (`as_sent`: no copy in the report) when the file
    is UTF-8 and read as it is: a Markdown or plain-text answer's offsets index the file itself."""
    if (document := _from_document(data, name)) is not None:
        return document
    text, note = decoded(data, name)
    answer = _from_text(as_seen(text), name, suffix, candidate)
    # a ".pdf" or ".wav" holding text (a download cut short, a file renamed) is read as the text it
    # holds, said, so that a 3-word "answer" scored 0 is not taken for the document's or the
    # recording's grade
    kind = _MEDIA_KINDS.get(suffix.lower())
    mislabelled = f"{name} holds no {kind}: it was read as plain text" if kind else None
    notes = [n for n in (note, mislabelled) if n]
    if notes:
        answer = dataclasses.replace(answer, notes=(*notes, *answer.notes))
    # (a transcript's JSON may escape a lone surrogate, which no UTF-8 file holds: not as sent)
    if answer.text.encode("utf-8", "surrogatepass") == data:
        answer = dataclasses.replace(answer, as_sent=True)
    return answer


# names a text file may carry by mistake, and what such a name promises
_MEDIA_KINDS = {".pdf": "PDF document", ".docx": "Word document"} | {
    f".{fmt}": "audio recording" for fmt in AUDIO_FORMATS
}


def _candidates_words(heard: Sequence[Heard], answer: AnswerInput) -> list[Heard]:
    """The recognised words the candidate said: those timed inside the candidate's segments when
    the transcript tells speakers apart (the interviewer's words say nothing of how well the
    candidate was heard), else all of them."""
    if all(s.is_candidate for s in answer.segments):
        return list(heard)
    spans = [(s.start, s.end) for s in answer.segments if s.is_candidate]
    return [h for h in heard if any(a <= h.start <= b for a, b in spans)]


def _from_document(data: bytes, name: str) -> AnswerInput | None:
    """A Word document or a PDF, read as its text (`documents`), by its content whatever its
    extension; None for any other bytes."""
    if is_pdf(data):
        text, fmt = pdf_text(data, name), "pdf"
    elif is_docx(data):
        text, fmt = docx_text(data, name), "docx"
    elif Path(name).suffix.lower() == ".docx" and data.startswith(b"PK"):
        raise InputError(f"{name} could not be read as a Word document (not a whole .docx package)")
    elif kind := office_kind(data):
        raise InputError(
            f"{name} is {kind}, which is not read: export its text (as .txt or .md), or save it "
            "as .pdf or .docx"
        )
    elif data.lstrip()[:5] == b"{\\rtf":  # its control words would be graded as the answer's words
        raise InputError(
            f"{name} is a Rich Text (RTF) document, which is not read: save it as .docx, .pdf, "
            ".txt or .md"
        )
    else:
        return None
    check_length(text)
    return AnswerInput.from_text(
        as_seen(text), name=None if name == "standard input" else Path(name).name, fmt=fmt
    )


def read_text(text: str, candidate: str | None = None) -> AnswerInput:
    """Text given as it is (pasted in the app, an API request's or a batch row's answer): a
    transcript when its content says so beyond doubt (SRT, WebVTT, or transcript JSON), read as
    that file would be, else written text. Pasted, a meeting transcript's timings and interviewer
    turns had been graded as the candidate's words (a WebVTT export scored 0). Speaker labels alone
    do not make a transcript here: a written answer headed "Interviewer: <the question>", or with
    "Pros:" and "Cons:" lines, is an answer; an interview whose interviewer and another speaker
    take turns (`tr.is_interview`) is read as its file would be (the interviewer's questions had
    been quoted as the candidate's words in a batch row).
    Text laid out for another medium is read as the text it shows (`_from_layout`: a web page's
    HTML source, a slide deck's export), a notebook's JSON as its Markdown cells. Naming
    the `candidate` says it is a transcript: its speaker labels are read, and that speaker graded
    (an interviewer's meeting transcript sent to the API). It is read as a reader sees it
    (`as_seen`: a lone carriage return, an old Mac's line break, as one; without the characters
    no one sees); the report then carries the text as read, which its quotes index."""
    read = _read_text(as_seen(text), candidate)
    return dataclasses.replace(read, as_sent=True) if read.text == text else read


def _read_text(text: str, candidate: str | None) -> AnswerInput:
    if candidate:
        return _from_text(text, "the answer", "", candidate, shown=None)
    fmt = tr.sniff_format(text)
    if fmt == "json" and (notes := markdown_cells(text, "the answer")) is not None:
        return AnswerInput.from_text(notes, fmt="md")  # a notebook pasted as it is saved
    if fmt in ("srt", "vtt", "json"):
        try:
            return _from_text(text, "the answer", f".{fmt}", None, shown=None)
        except InputError:
            if fmt != "json":  # JSON that is no transcript is text, as a file's content would be
                raise
    check_length(text)  # before reading it as a page: a long text waits for nothing
    cues = tr.parse_timed_lines(text)
    if cues and tr.stamps_stand_alone(text):
        return _from_timed_lines(cues, "the answer", "", None, None)
    if tr.is_interview(text) and (inp := tr.from_speaker_text(text, name="the answer")):
        return inp
    if cues and tr.from_speaker_text(text) is None:
        return _from_timed_lines(cues, "the answer", "", None, None)
    return _from_layout(text, None, "") or AnswerInput.from_text(text)


def _from_timed_lines(
    cues: list[tr.Cue], name: str, suffix: str, candidate: str | None, shown: str | None
) -> AnswerInput:
    """A transcript from the cues of its timed lines (`tr.parse_timed_lines`): a SubViewer file
    (.sbv), or text with a time at the start of each line or over it."""
    if not cues:  # a .sbv file that is not laid out as one
        raise InputError(
            f"{name} is not a SubViewer (.sbv) file: expected a 'H:MM:SS.mmm,H:MM:SS.mmm' line "
            "over each caption's words"
        )
    fmt = "sbv" if suffix == ".sbv" else "timed-text"
    return tr.from_cues(cues, fmt=fmt, name=name, source_name=shown, candidate=candidate)


def _from_layout(text: str, shown: str | None, suffix: str) -> AnswerInput | None:
    """Text laid out for another medium, read as the text it shows: a web page's HTML source
    (`webpage_text`), a slide deck's export (`slides_text`); None for any other text."""
    if suffix in WEBPAGE_SUFFIXES or (suffix not in MARKDOWN_SUFFIXES and is_webpage(text)):
        read, left_out = webpage_reading(text)
        inp = AnswerInput.from_text(read, name=shown, fmt="html")
        return dataclasses.replace(inp, notes=(left_out_note(left_out),)) if left_out else inp
    if is_slide_dump(text):
        return AnswerInput.from_text(slides_text(text), name=shown, fmt="slides")
    return None


def _from_text(
    text: str, name: str, suffix: str, candidate: str | None, shown: str | None = ""
) -> AnswerInput:
    if shown == "":
        shown = None if name == "standard input" else Path(name).name
    if suffix in (".ipynb", ".json") and (notes := markdown_cells(text, name)) is not None:
        check_length(notes)
        return AnswerInput.from_text(notes, name=shown, fmt="md")
    if suffix == ".ipynb":
        raise InputError(f"{name} is not a Jupyter notebook (nbformat JSON): save it as .md")
    declared = TRANSCRIPT_SUFFIXES.get(suffix)
    if not text.strip() and name != "standard input":  # a file, named as a transcript's is
        raise InputError(f"{name} is empty")
    # the content says what it is, whatever the name: SubRip saved as .vtt is read as SubRip
    sniffed = tr.sniff_format(text)
    fmt = sniffed if sniffed in ("srt", "vtt") else declared or sniffed
    if fmt == "srt":
        return tr.from_cues(
            tr.parse_srt(text, name), fmt="srt", name=name, source_name=shown, candidate=candidate
        )
    if fmt == "vtt":
        return tr.from_cues(
            tr.parse_vtt(text, name),
            fmt="vtt",
            name=name,
            source_name=shown,
            candidate=candidate,
            one_speaker=tr.says_one_speaker(text),  # a practice recording: no interviewer
        )
    if fmt == "json":
        try:
            doc = tr.parse_json(text, name)
        except InputError:
            if declared:
                raise
        else:
            if doc.cues:
                answer = tr.from_cues(
                    doc.cues,
                    fmt=doc.format,
                    name=name,
                    source_name=shown,
                    candidate=candidate,
                    duration=doc.duration,
                    model=doc.model,
                )
                said = " ".join(c.text for c in doc.cues)
                words = _candidates_words(doc.heard, answer)
                answer = dataclasses.replace(
                    answer, misheard=misheard(words), pauses=word_pauses(doc.word_times)
                )
                notes = [unsure_note(words, doc.model)]
                # one of the two was edited, and which cannot be told (words, not punctuation:
                # OpenAI's word timings carry none)
                if doc.text is not None and not same_words(doc.text, said):
                    notes.append(
                        "the transcript's 'text' differs from its segments' text: the segments "
                        "were graded (to correct a word, edit it in 'segments')"
                    )
                if notes := [note for note in notes if note]:
                    answer = dataclasses.replace(answer, notes=(*answer.notes, *notes))
                return answer
            info = SourceInfo(
                kind="transcript",
                format=doc.format,
                name=shown,
                duration_seconds=doc.duration,
                transcription_model=doc.model,
            )
            return AnswerInput(doc.text or "", doc.text or "", info)
    # plain, speaker-labelled text and a page's source keep their length: refuse before parsing
    check_length(text)
    if (laid_out := _from_layout(text, shown, suffix)) is not None:
        return laid_out
    cues = tr.parse_timed_lines(text)
    if suffix == ".sbv" or (cues and tr.stamps_stand_alone(text)):
        return _from_timed_lines(cues, name, suffix, candidate, shown)
    inp = tr.from_speaker_text(text, name=name, source_name=shown, candidate=candidate)
    if inp is not None:
        return inp
    if cues:
        return _from_timed_lines(cues, name, suffix, candidate, shown)
    answer = AnswerInput.from_text(
        text, name=shown, fmt="md" if suffix in MARKDOWN_SUFFIXES else "txt"
    )
    if candidate:  # a written answer: the name is whose it is (a sheet is headed with it)
        return dataclasses.replace(answer, notes=(tr.no_speakers(name, candidate),))
    return answer
