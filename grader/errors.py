"""Errors the user can act on: each carries one clear line for the CLI and the app."""


class GraderError(Exception):
    """Base class: the message is a single user-facing line."""


class InputError(GraderError):
    """The answer or question given by the user cannot be graded."""


class KnowledgeBaseError(GraderError):
    """A knowledge-base note is missing or invalid."""


class IndexError_(GraderError):
    """The Chroma index is missing, stale, or built with another embedding model."""


class IndexDamaged(IndexError_):
    """The local index files cannot be read; rebuilding them from the knowledge base fixes it."""
