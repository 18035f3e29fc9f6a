"""Real speech-recognition transcripts for the spoken answers of the blind and development sets.

    python -m evals.blind_asr [--set blind|dev] [ID ...]

Each `spoken` answer is read aloud with espeak-ng and transcribed by the project's own path
(`grader.answers.files.load_answer_file` on the WAV, faster-whisper tiny.en), and the transcript is
written to `data/<set>/transcripts/<id>.txt`. The files are committed, so `make eval` does not need
espeak-ng; rerun this after editing a spoken answer.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from evals.blind import SETS, load_blind
from grader.answers.files import load_answer_file

WORDS_PER_MINUTE = 165


def speak_and_transcribe(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "answer.wav"
        subprocess.run(
            ["espeak-ng", "-s", str(WORDS_PER_MINUTE), "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        return load_answer_file(wav).text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="blind", help="which answer set")
    ap.add_argument("ids", nargs="*", help="only these answers (default: every spoken one)")
    args = ap.parse_args(argv)
    root, ids = SETS[args.set], args.ids
    out = root / "transcripts"
    out.mkdir(exist_ok=True)
    for a in load_blind(root):
        if a.style != "spoken" or (ids and a.id not in ids):
            continue
        text = speak_and_transcribe(a.text)
        (out / f"{a.id}.txt").write_text(text.strip() + "\n", encoding="utf-8")
        print(
            f"{a.id}: {len(a.text.split())} words spoken, {len(text.split())} transcribed",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
