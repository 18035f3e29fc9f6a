"""Configuration in one place: command-line flags > `MLSD_*` variables > the config file > defaults.

`settings()` returns a frozen `Settings`; it reads the environment on each call (cheap), so a
changed variable takes effect without a restart. The config file (`MLSD_CONFIG`, else the user
config folder's `mlsd-grader/config.toml`) holds a `[grader]` table for these settings and an
`[llm]` table read by `grader.llm.config`. Flags reach here through `override()`, never through the
process environment. Importing this module changes nothing outside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Literal, get_args

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from grader.errors import ConfigError
from grader.text import validation_line

APP_NAME = "mlsd-grader"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
HISTORY_DB = "history.sqlite3"  # the attempts database, in `Settings.data_dir`
# A checkout keeps the design card's top-level folders and its index and models beside them; an
# installed wheel carries the content inside the package (`grader/_bundled/`) and keeps what it
# builds in the user cache folder.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (
    PROJECT_ROOT / "knowledge_base"
).is_dir()
BUNDLED = Path(__file__).resolve().parent / "_bundled"
CONTENT_ROOT = PROJECT_ROOT if IN_CHECKOUT else BUNDLED
WORK_ROOT = PROJECT_ROOT if IN_CHECKOUT else platformdirs.user_cache_path(APP_NAME)
_overrides: dict[str, Any] = {}


def config_path() -> Path:
    """The config file: MLSD_CONFIG, else the user config folder's mlsd-grader/config.toml (which
    need not exist; a file MLSD_CONFIG names must, or its settings would be silently left out)."""
    explicit = os.environ.get("MLSD_CONFIG")
    if not explicit:
        return platformdirs.user_config_path(APP_NAME) / "config.toml"
    if not os.path.exists(explicit):
        raise ConfigError(f"config file {explicit} (MLSD_CONFIG) does not exist")
    return Path(explicit)


@lru_cache(maxsize=8)
def _read_config(path: Path, mtime_ns: int) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def config_table(name: str) -> dict:
    """One table of the config file ({} when there is no file or no such table)."""
    path = config_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return {}
    table = _read_config(path, mtime).get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [{name}] must be a table")
    return table


ENV_PREFIX = "MLSD_"


class Settings(BaseModel):
    """Every path and limit the library reads from its surroundings. `settings()` builds it from
    the flags, else `MLSD_<FIELD>` (any case), else the config file's `[grader]` table, else the
    defaults; unknown names are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    kb_dir: Path = Field(CONTENT_ROOT / "knowledge_base", description="Knowledge base folder.")
    prompts_dir: Path = Field(
        CONTENT_ROOT / "prompts", description="Prompt files of the LLM layer."
    )
    index_dir: Path = Field(WORK_ROOT / ".index", description="Local Chroma persistence folder.")
    cache_dir: Path = Field(
        WORK_ROOT / ".cache", description="Derived files, safe to delete: the notes parsed."
    )
    chroma_url: str | None = Field(
        None, description="A Chroma server to use instead of the local folder."
    )
    auto_index: bool = Field(True, description="Build a missing or stale local index on first use.")
    model_dir: Path = Field(
        WORK_ROOT / ".models" / "all-MiniLM-L6-v2-onnx", description="ONNX embedding model."
    )
    embedding_precision: Literal["int8", "fp32"] = Field(
        "int8", description="Embedding model precision: int8 (twice as fast) or fp32."
    )
    embedding_threads: int = Field(
        2, ge=1, le=64, description="Cores the embedder uses (int8: texts embedded side by side)."
    )
    whisper_dir: Path = Field(
        WORK_ROOT / ".models" / "whisper-base-ct2", description="Assembled Whisper base."
    )
    data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path(APP_NAME), description="History."
    )
    user_kb: Path = Field(
        # the data folder's, whichever folder that is: MLSD_DATA_DIR set to keep a user's files in
        # one place had left their notes in the platform's data folder
        default_factory=lambda fields: (
            (fields.get("data_dir") or platformdirs.user_data_path(APP_NAME)) / "knowledge"
        ),
        description="The user's own cases and concepts (cases/, concepts/): added to the bundled "
        "knowledge base, overriding notes with the same id.",
    )
    max_words: int = Field(20_000, gt=0, description="Longest answer accepted, in words.")
    max_chars: int = Field(500_000, gt=0, description="Longest answer accepted, in characters.")
    read_timeout: float = Field(
        30.0, gt=0, description="Longest wait for a pipe or FIFO to deliver data."
    )
    max_audio_minutes: float = Field(
        90.0, gt=0, description="Longest recording accepted, in minutes."
    )
    transcriber: str = Field("tiny.en", description="Speech-to-text engine for audio.")
    openai_transcribe_model: str = "whisper-1"
    pacing_budget: Path | None = Field(None, description="YAML or TOML file of minutes per step.")
    debug: bool = Field(False, description="Show tracebacks instead of one-line errors.")
    api_token: str | None = Field(None, description="Bearer token the HTTP API requires, if set.")
    api_max_body: int = Field(25 * 2**20, gt=0, description="Largest HTTP request body, in bytes.")
    api_queue: int = Field(16, gt=0, description="HTTP requests waiting or grading; more get 429.")
    api_cors_origins: str = Field(
        "",
        description="Web origins allowed to call the HTTP API from a browser (CORS), "
        "comma-separated, such as https://learn.example.com; none by default.",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _a_path(cls, value: Any, info: ValidationInfo) -> Any:
        """A path set empty is refused: it would be the current folder (every path field)."""
        kinds = get_args(cls.model_fields[info.field_name].annotation) or (
            cls.model_fields[info.field_name].annotation,
        )
        if Path in kinds and isinstance(value, str) and not value.strip():
            raise ValueError("is empty, which would be the current folder: give a path or unset it")
        return value

    @field_validator("api_cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        """Each a web origin (scheme://host[:port], as a browser sends it) or "*": a typo had been
        taken, and no page could call the API, with nothing said."""
        for origin in origins_in(value):
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"'{origin[:80]}' is no web origin: give scheme://host[:port], such as "
                    "https://learn.example.com, with no path"
                )
        return value

    @property
    def cors_origins(self) -> list[str]:
        """The web origins `api_cors_origins` lists (none by default)."""
        return origins_in(self.api_cors_origins)


def origins_in(value: str) -> list[str]:
    """The comma-separated origins of an `api_cors_origins` value."""
    return [o.strip() for o in value.split(",") if o.strip()]


_ORIGIN = re.compile(r"https?://[^\s/?#]+")  # a web origin: scheme, host, maybe a port

USER_NOTE_FOLDERS = ("cases", "concepts")  # where `user_kb` holds the user's own notes


def index_folder(s: Settings | None = None) -> Path:
    """The local index's folder. `index_dir` when it was set (a flag, `MLSD_INDEX_DIR`, the config
    file); by default, `.index` for the bundled notes alone, and for the bundled notes with the
    user's own (`user_kb` holds some) a folder of `cache_dir` named after that knowledge folder:
    a user's cases never rebuild the index the install ships, and two knowledge folders used in
    turn (`MLSD_USER_KB`) never rebuild each other's index."""
    s = s or settings()
    if "index_dir" in s.model_fields_set or not _has_user_notes(s.user_kb):
        return s.index_dir
    where = os.path.realpath(s.user_kb.expanduser())
    return s.cache_dir / "indexes" / f"user-{hashlib.sha256(where.encode()).hexdigest()[:12]}"


def _has_user_notes(folder: Path) -> bool:
    try:
        return any(next((folder / f).glob("*.md"), None) for f in USER_NOTE_FOLDERS)
    except OSError:
        return False


def _from_environment(environ: dict[str, str]) -> dict[str, str]:
    """The settings given as `MLSD_*` variables, matched without regard to case; where two
    spellings of one are set, the upper-case one (`MLSD_MAX_WORDS`) wins. A variable set empty
    (`MLSD_DATA_DIR=`) is read as unset, as the XDG folder variables are: an empty folder would be
    the current one."""
    fields = {name.lower() for name in Settings.model_fields}
    found = {}
    for key, value in sorted(environ.items(), key=lambda item: (item[0] == item[0].upper(), item)):
        name = key.lower().removeprefix(ENV_PREFIX.lower())
        if key.upper().startswith(ENV_PREFIX) and name in fields and value.strip():
            found[name] = value
    return found


def settings() -> Settings:
    """The current settings (flags given to `override` win over the environment and the file).
    Read again whenever a flag, an environment variable (defaults follow `XDG_*` folders) or the
    config file (its path or its modification time) has changed since the last call."""
    path = config_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = None
    env = tuple(sorted(os.environ.items()))
    try:
        return _settings(env, path, mtime, repr(sorted(_overrides.items())))
    except ValidationError as exc:
        raise ConfigError(f"setting {validation_line(exc)}") from None


@lru_cache(maxsize=16)
def _settings(env: tuple, path: Path, mtime: int | None, flags: str) -> Settings:
    """Settings for one state of the flags, the environment and the config file (the key)."""
    return Settings(**{**config_table("grader"), **_from_environment(dict(env)), **_overrides})


def set_overrides(**values: Any) -> None:
    """Values from command-line flags for the rest of the process (None leaves a value alone)."""
    _overrides.update({k: v for k, v in values.items() if v is not None})


@contextmanager
def override(**values: Any) -> Iterator[None]:
    """Set values from command-line flags for the duration of a block (None leaves a value alone)."""
    given = {k: v for k, v in values.items() if v is not None}
    saved = dict(_overrides)
    _overrides.update(given)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def env(name: str) -> str | None:
    """A variable set by another tool (OPENAI_API_KEY, TMPDIR): the one place the library reads them."""
    return os.environ.get(name) or None
