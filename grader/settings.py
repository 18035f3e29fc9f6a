"""Paths and limits, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAX_WORDS = 20_000
DEFAULT_MAX_CHARS = 500_000


def kb_dir() -> Path:
    """Knowledge base folder (MLSD_KB_DIR)."""
    return Path(os.environ.get("MLSD_KB_DIR") or PROJECT_ROOT / "knowledge_base")


def index_dir() -> Path:
    """Local Chroma persistence folder (MLSD_INDEX_DIR)."""
    return Path(os.environ.get("MLSD_INDEX_DIR") or PROJECT_ROOT / ".index")


def chroma_url() -> str | None:
    """URL of a Chroma server to use instead of the local folder (MLSD_CHROMA_URL)."""
    return os.environ.get("MLSD_CHROMA_URL") or None


def max_words() -> int:
    """Longest answer accepted, in words (MLSD_MAX_WORDS)."""
    try:
        return int(os.environ.get("MLSD_MAX_WORDS", DEFAULT_MAX_WORDS))
    except ValueError:
        return DEFAULT_MAX_WORDS


def max_chars() -> int:
    """Longest answer accepted, in characters (MLSD_MAX_CHARS): bounds the work on padded input."""
    try:
        return int(os.environ.get("MLSD_MAX_CHARS", DEFAULT_MAX_CHARS))
    except ValueError:
        return DEFAULT_MAX_CHARS


def model_dir() -> Path:
    """Folder of the ONNX export of the embedding model (MLSD_MODEL_DIR)."""
    return Path(os.environ.get("MLSD_MODEL_DIR") or PROJECT_ROOT / ".models" / "all-MiniLM-L6-v2-onnx")
