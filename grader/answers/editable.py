"""An answer as text to revise in a text box and read back as the same answer (`read_text`).

A timed transcript (SRT, WebVTT, Whisper JSON, a recording's transcript) is shown as one line per
cue, without its timings: revised as that text, it was graded as written text, and its pacing was
gone. `editable` writes such an answer back out as SRT or WebVTT cues, which `read_text` reads with
the same words, speakers and timings, so that the words can be revised and the timings kept.
"""

from __future__ import annotations

import io

import pysrt
import webvtt

from grader.answers.files import read_text
from grader.answers.model import AnswerInput
from grader.answers.transcripts import ONE_SPEAKER
from grader.errors import GraderError


def editable(inp: AnswerInput) -> str:
    """Text that `read_text` reads back as `inp` (its text, what is graded, its timings): its text
    itself when that is so, else its cues as SRT (for a SubRip source) or WebVTT (speakers as
    voices), whichever reads back the same; its text when neither does (its timings then cannot
    be kept in a text box)."""
    if _same(inp.text, inp):
        return inp.text
    cues = _cues(inp)
    if cues is None:
        return inp.text
    writers = (_srt, _vtt) if inp.source.format == "srt" else (_vtt, _srt)
    for write in writers:
        try:
            text = write(cues)
        except ValueError:  # words the format cannot hold: "-->" in a cue, for WebVTT
            continue
        if write is _vtt and inp.source.kind == "audio":  # one's own recording: one speaker
            text = text.replace("WEBVTT\n", f"WEBVTT\n\n{ONE_SPEAKER}\n", 1)
        if _same(text, inp):
            return text
    return inp.text


def timed(text: str) -> bool:
    """Whether `read_text` reads timings from this text (a transcript it can time)."""
    try:
        return bool(read_text(text).segments)
    except GraderError:
        return False


def _same(text: str, inp: AnswerInput) -> bool:
    try:
        back = read_text(text)
    except GraderError:
        return False
    return (
        back.text == inp.text
        and back.graded_text == inp.graded_text
        and len(back.segments) == len(inp.segments)
        and all(
            (a.char_start, a.char_end, a.speaker, a.is_candidate)
            == (b.char_start, b.char_end, b.speaker, b.is_candidate)
            and abs(a.start - b.start) < 0.002
            and abs(a.end - b.end) < 0.002
            for a, b in zip(back.segments, inp.segments)
        )
    )


def _cues(inp: AnswerInput) -> list[tuple[float, float, str | None, str]] | None:
    """(start, end, voice, words) for each line of the text, when each line is one timed segment;
    the voice is the segment's speaker when the line opens with its label ("Alice: ...")."""
    if not inp.segments:
        return None
    out, pos, segments = [], 0, list(inp.segments)
    for line in inp.text.split("\n"):
        end = pos + len(line)
        mine = [s for s in segments if pos <= s.char_start and s.char_end <= end]
        if line.strip():
            if len(mine) != 1:
                return None
            seg = mine[0]
            label = f"{seg.speaker}: "
            voiced = seg.speaker is not None and line.startswith(label)
            out.append(
                (
                    seg.start,
                    seg.end,
                    seg.speaker if voiced else None,
                    line.removeprefix(label) if voiced else line,
                )
            )
        elif mine:
            return None
        pos = end + 1
    return out


def _srt(cues) -> str:
    """SubRip cues; a voice is written as the line's label, as SRT has no voices."""
    items = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                n,
                start=pysrt.SubRipTime.from_ordinal(round(s * 1000)),
                end=pysrt.SubRipTime.from_ordinal(round(e * 1000)),
                text=f"{v}: {words}" if v else words,
            )
            for n, (s, e, v, words) in enumerate(cues, 1)
        ]
    )
    out = io.StringIO()
    items.write_into(out)
    return out.getvalue()


def _vtt(cues) -> str:
    """WebVTT cues, speakers as voices ("<v Alice>...")."""
    return webvtt.WebVTT(
        captions=[
            webvtt.Caption(_stamp(s), _stamp(e), f"<v {v}>{words}" if v else words)
            for s, e, v, words in cues
        ]
    ).content


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
