"""Interview questions read aloud, offline: Debian's espeak-ng synthesises a WAV on this machine.
Optional: without espeak-ng installed, `available()` is false and nothing is spoken."""

from __future__ import annotations

import shutil
import subprocess

from grader.errors import GraderError

ENGINE = "espeak-ng"
WORDS_PER_MINUTE = 165  # a calm interviewer's pace
MAX_CHARS = 1200
TIMEOUT_S = 20


def available() -> bool:
    return shutil.which(ENGINE) is not None


def speak(text: str) -> bytes:
    """The text as WAV audio; the text goes to espeak-ng on stdin, never on a command line."""
    if not available():
        raise GraderError(f"reading questions aloud needs {ENGINE}: sudo apt install {ENGINE}")
    try:
        done = subprocess.run(
            [ENGINE, "--stdout", "-s", str(WORDS_PER_MINUTE), "--stdin"],
            input=" ".join(text.split())[:MAX_CHARS].encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise GraderError(
            f"{ENGINE} could not read the question aloud ({type(exc).__name__})"
        ) from None
    return done.stdout
