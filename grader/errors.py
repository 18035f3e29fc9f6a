"""Errors the user can act on: each carries one clear line for the CLI, the app and the API.

Every error the library raises on purpose is a `GraderError` defined here; anything else reaching
the CLI is a bug.
"""


class GraderError(Exception):
    """Base class: the message is a single user-facing line."""


class InputError(GraderError):
    """The answer or question given by the user cannot be graded."""


class ConfigError(GraderError):
    """A setting, the config file or the LLM configuration is invalid."""


class KnowledgeBaseError(GraderError):
    """A knowledge-base note is missing or invalid. `problems` are every problem found, one line
    each (the message names the first and counts the rest), for a checker that lists them all."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class IndexNotReady(GraderError):
    """The Chroma index is missing, stale, or built with another embedding model."""


class IndexDamaged(IndexNotReady):
    """The local index files cannot be read; rebuilding them from the knowledge base fixes it."""


class HistoryError(GraderError):
    """The history database cannot be used; the message says what to do."""


class NoSuchAttempt(HistoryError):
    """No attempt has the id asked for."""


class PromptError(GraderError):
    """A prompt file is missing or malformed."""


class LLMUnavailable(GraderError):
    """The LLM cannot be used at all (down, too slow, wrong key or model): grade deterministically."""


class InvalidOutput(GraderError):
    """The LLM answered twice without valid structured output for one request."""
