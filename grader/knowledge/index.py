"""The Chroma index of the knowledge base: build it idempotently, open it safely, query it.

Only `build_index` writes. It runs under a file lock (local store) and records the embedding
model, its dimension and the knowledge-base digest in the collection metadata last, so a reader
that sees the current digest sees a complete index. Readers never create or migrate anything.

Faults: a build killed half-way leaves an index without the current digest, which reads as out
of date, and the next build embeds only what is missing. The lock is an OS file lock, released
when its process dies. A local store that fails SQLite's quick check or that Chroma cannot read
raises `IndexDamaged`; a rebuild removes Chroma's files (its database and segment folders,
nothing else) and starts afresh.

Chroma is the store of record. Every build of a local index also leaves a snapshot of it beside
Chroma's files (`mlsd-vectors.npy` and `mlsd-rows.json`, written last, keyed by the knowledge-base
digest and the model), so that a grading process reads the index without importing Chroma at all.
Retrieval is exact either way: the index holds every document's vector in memory (about a thousand
rows) and ranks them with numpy, so a local index, its snapshot and a Chroma server give the same
hits.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from filelock import FileLock

from grader.errors import GraderError, IndexDamaged, IndexNotReady
from grader.knowledge.chunks import Chunk, build_chunks
from grader.knowledge.embedder import Embedder, cosines
from grader.knowledge.notes import KnowledgeBase
from grader.output import write_atomic
from grader.settings import index_folder, settings

COLLECTION = "mlsd_kb"
INDEX_SCHEMA = 1
REBUILD_HINT = "run `mlsd index --rebuild`"
_STORE_FILE = re.compile(r"chroma\.sqlite3(?:-wal|-shm|-journal)?")
SNAPSHOT_VECTORS = "mlsd-vectors.npy"
SNAPSHOT_ROWS = "mlsd-rows.json"
SNAPSHOT_FORMAT = 1
_SEGMENT_DIR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Hit:
    """A retrieved document with its cosine similarity to the query."""

    doc_id: str
    kind: str
    id: str
    case: str
    similarity: float


@dataclass
class IndexStats:
    total: int
    embedded: int
    deleted: int
    seconds: float = 0.0
    location: str = ""


def _client(url: str | None, path: Path):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    return chromadb.PersistentClient(path=str(path), settings=settings)


LOCK_TIMEOUT_S = 600


@contextmanager
def _lock(url: str | None, path: Path, *, reading: bool = False):
    """Hold the build lock (an OS file lock: a killed builder releases it with its process). A reader
    of an index in a read-only place skips it: nobody can be building there."""
    from filelock import Timeout

    target = (
        Path(str(path) + ".lock")
        if not url
        else Path(tempfile.gettempdir()) / "mlsd-chroma-http.lock"
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(target), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except Timeout:
        raise IndexNotReady(
            f"another process has been building the index at {location(url, path)} for "
            f"{LOCK_TIMEOUT_S // 60} minutes (lock {target}): stop it, or wait and try again"
        ) from None
    except OSError as exc:
        if not reading:
            raise GraderError(
                f"cannot write the index at {location(url, path)} ({exc.strerror})"
            ) from None
        yield
        return
    try:
        yield
    finally:
        lock.release()


def location(url: str | None = None, path: Path | None = None) -> str:
    url = url if url is not None else settings().chroma_url
    return url or str(path or index_folder())


@contextmanager
def _chroma_errors(url: str | None, where: str):
    """Turn Chroma's failures into one actionable line: a local store that cannot be read is damaged."""
    try:
        yield
    except GraderError:
        raise
    except Exception as exc:  # noqa: BLE001 - chroma and sqlite raise many types here
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        if url:
            raise IndexNotReady(f"the Chroma server at {where} failed ({detail})") from None
        raise IndexDamaged(f"the index at {where} is damaged ({detail}): {REBUILD_HINT}") from None


def _forget_client(path: Path) -> None:
    """Stop chromadb's cached in-process client for this folder, so that files removed under it are
    never written through stale handles (chromadb shares one client per folder per process)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # noqa: BLE001 - a damaged store may fail to close; it is being removed
            pass


def _chroma_entries(path: Path) -> list[Path]:
    """Chroma's own files in a local index folder: its database (with its journals) and its
    segment folders."""
    return [
        entry
        for entry in path.iterdir()
        if (entry.is_dir() and _SEGMENT_DIR.fullmatch(entry.name))
        or (entry.is_file() and _STORE_FILE.fullmatch(entry.name))
    ]


def remove_local_index(path: Path) -> None:
    """Remove Chroma's files from a local index folder (its database and segment folders) and the
    snapshot beside them; any other file in the folder is left alone, so a mistaken MLSD_INDEX_DIR never loses user files."""
    _forget_client(path)
    if not path.is_dir():
        return
    try:
        snapshot = [path / name for name in (SNAPSHOT_ROWS, SNAPSHOT_VECTORS)]
        for entry in _chroma_entries(path) + [f for f in snapshot if f.is_file()]:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    except OSError as exc:
        raise IndexNotReady(
            f"cannot remove the index at {path} ({exc.strerror}): delete the folder by hand"
        ) from None


def _check_database(path: Path) -> None:
    """SQLite's structural check of the local database (tens of milliseconds), so that damage is
    reported up front rather than only when a query happens to touch a damaged page."""
    uri = (path / "chroma.sqlite3").resolve().as_uri() + "?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.Error as exc:
        verdict = str(exc)
    if verdict != "ok":
        detail = " ".join(str(verdict).split())[:200]
        raise IndexDamaged(f"the index at {path} is damaged ({detail}): {REBUILD_HINT}")


def _writable_view(path: Path) -> Path:
    """The index folder itself, or, when it (or its database) is read-only, a private copy of it:
    Chroma writes on open, and a read-only index is graded as it is, never "repaired"."""
    if os.access(path, os.W_OK) and os.access(path / "chroma.sqlite3", os.W_OK):
        return path
    copy = Path(tempfile.mkdtemp(prefix="mlsd-index-")) / "index"
    atexit.register(shutil.rmtree, copy.parent, True)
    shutil.copytree(path, copy, ignore=shutil.ignore_patterns("*.lock"))
    for item in [copy, *copy.rglob("*")]:
        item.chmod(item.stat().st_mode | 0o200)
    return copy


def _check_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise GraderError(
            f"the index location {path} is a file, not a folder: set MLSD_INDEX_DIR to a folder"
        )


def _seed(path: Path, embedder: Embedder) -> None:
    """Start the index of the bundled notes with the user's own (`settings.index_folder`) from a
    copy of the install's index (`index_dir`), when that one was built by the same model: the
    update then embeds only the user's notes (a second or two) rather than the whole knowledge
    base. Anything that goes wrong leaves an empty folder, and the build embeds everything."""
    source = settings().index_dir
    try:
        built_by = json.loads((source / SNAPSHOT_ROWS).read_text()).get("embedding_model")
        if built_by != embedder.name or not (source / "chroma.sqlite3").is_file():
            return
        with _lock(None, source, reading=True):  # not while it is being built
            path.mkdir(parents=True, exist_ok=True)
            for entry in _chroma_entries(source):
                copy = shutil.copytree if entry.is_dir() else shutil.copy2
                copy(entry, path / entry.name)
        _check_database(path)
    except (OSError, ValueError, AttributeError, GraderError):
        remove_local_index(path)


def build_index(
    kb: KnowledgeBase,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    url: str | None = None,
    path: Path | None = None,
) -> IndexStats:
    """Create or update the collection; only new or changed chunks are embedded."""
    import time

    url = url if url is not None else settings().chroma_url
    default = index_folder()  # the folder the settings choose
    path = Path(path) if path else default
    where = location(url, path)
    started = time.perf_counter()
    if not url:
        _check_folder(path)
    with _lock(url, path):
        if rebuild and not url:
            remove_local_index(path)  # works on a damaged store, which chromadb cannot open
        elif not url and (path / "chroma.sqlite3").is_file():
            _check_database(path)
        elif not url and path == default != settings().index_dir:  # one for own notes
            _seed(path, embedder)
        if not url:
            _remove_snapshot(path)  # written again last: a build killed half-way leaves none
        with _chroma_errors(url, where):
            client = _client(url, path)
            if rebuild and url:
                try:
                    client.delete_collection(COLLECTION)
                except Exception:  # noqa: BLE001 - absent collection: nothing to delete
                    pass
            col = client.get_or_create_collection(
                COLLECTION,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
                metadata={"embedding_model": embedder.name, "embedding_dim": embedder.dimension},
            )
            meta = col.metadata or {}
            existing = col.get(include=["metadatas"])
        if (
            meta.get("embedding_model") != embedder.name
            or meta.get("embedding_dim") != embedder.dimension
        ):
            raise IndexNotReady(
                f"the index at {where} was built with {meta.get('embedding_model')} "
                f"({meta.get('embedding_dim')} dims), not {embedder.name} ({embedder.dimension} dims): {REBUILD_HINT}"
            )
        chunks = build_chunks(kb)
        wanted = {c.doc_id: (c, c.metadata(embedder.name)) for c in chunks}
        # a document is embedded again when its text or any of its metadata changed (a note read
        # as claims instead of everyday prose keeps its sentences and changes their kind)
        have = {i: dict(m or {}) for i, m in zip(existing["ids"], existing["metadatas"])}
        stale = sorted(set(have) - set(wanted))
        if stale:
            with _chroma_errors(url, where):
                col.delete(ids=stale)
        todo: list[tuple[Chunk, dict]] = [v for k, v in wanted.items() if have.get(k) != v[1]]
        with closing(_EmbeddedAhead(embedder, [c.text for c, _ in todo])) as vectors:
            for start in range(0, len(todo), UPSERT_BATCH):
                batch = todo[start : start + UPSERT_BATCH]
                embeddings = np.stack([vectors(c.text) for c, _ in batch])
                with _chroma_errors(url, where):
                    col.upsert(
                        ids=[c.doc_id for c, _ in batch],
                        embeddings=embeddings,
                        documents=[c.text for c, _ in batch],
                        metadatas=[m for _, m in batch],
                    )
        metadata = {
            "embedding_model": embedder.name,
            "embedding_dim": embedder.dimension,
            "kb_digest": kb.digest,
            "schema": INDEX_SCHEMA,
        }
        with _chroma_errors(url, where):
            col.modify(metadata=metadata)
            if not url:
                _write_snapshot(path, metadata, col.get(include=_ALL))
    return IndexStats(
        total=len(chunks),
        embedded=len(todo),
        deleted=len(stale),
        seconds=time.perf_counter() - started,
        location=where,
    )


_ALL = ["embeddings", "metadatas", "documents"]
UPSERT_BATCH = 128


class _EmbeddedAhead:
    """The texts' vectors, each distinct text embedded once (8% of the knowledge base's chunks
    repeat another's text), in order, on a thread of its own, so that the embedding goes on
    while Chroma stores the batch before; only in part, as Chroma's writes hold the GIL (a full
    build on a 2-core machine: medians 14.5 -> 12.5 s against embedding each batch before its
    write, 15.7 -> 13.8 s against embedding every text first). Asking for a text waits until its
    batch is embedded, and raises what embedding it raised; `close` drops the batches not yet
    begun (an interrupted build does not embed on)."""

    def __init__(self, embedder: Embedder, texts: list[str]):
        distinct = list(dict.fromkeys(texts))
        self._pieces = [
            distinct[s : s + UPSERT_BATCH] for s in range(0, len(distinct), UPSERT_BATCH)
        ]
        pool = ThreadPoolExecutor(1, thread_name_prefix="mlsd-index-embed")
        self._futures = [pool.submit(embedder.embed, piece) for piece in self._pieces]
        pool.shutdown(wait=False)  # its thread ends with the last batch
        self._found: dict[str, np.ndarray] = {}
        self._done = 0

    def __call__(self, text: str) -> np.ndarray:
        while text not in self._found:
            got = self._futures[self._done].result()
            self._found.update(zip(self._pieces[self._done], got))
            self._done += 1
        return self._found[text]

    def close(self) -> None:
        for future in self._futures[self._done :]:
            future.cancel()


def _remove_snapshot(path: Path) -> None:
    for name in (SNAPSHOT_ROWS, SNAPSHOT_VECTORS):
        (path / name).unlink(missing_ok=True)


def _write_snapshot(path: Path, metadata: dict, got: dict) -> None:
    """Write the snapshot of a local index: vectors first, then the rows file (with the vectors'
    checksum) by an atomic rename, so a reader sees a complete snapshot or none."""
    buffer = io.BytesIO()
    vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
    np.save(buffer, vectors, allow_pickle=False)
    write_atomic(path / SNAPSHOT_VECTORS, buffer.getvalue())
    rows = [
        [doc_id, m["kind"], m["id"], m["case"], doc]
        for doc_id, m, doc in zip(got["ids"], got["metadatas"], got["documents"])
    ]
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()
    head = {"format": SNAPSHOT_FORMAT, **metadata, "sha256": digest, "rows": rows}
    write_atomic(path / SNAPSHOT_ROWS, json.dumps(head))


@dataclass(frozen=True)
class _Rows:
    """Every document of the index: ids, metadata columns and unit-length vectors, in one order."""

    doc_ids: list[str]
    kinds: np.ndarray
    ids: list[str]
    cases: list[str]
    vectors: np.ndarray

    @classmethod
    def of(cls, doc_ids, metas: list[tuple[str, str, str]], vectors) -> "_Rows":
        """Rows in document order, whatever order the store returned them in: a matrix product's
        last bits can depend on a row's position, and every mode must compute the same numbers."""
        doc_ids = list(doc_ids)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(metas), -1)
        order = sorted(range(len(doc_ids)), key=lambda i: _doc_order(doc_ids[i]))
        return cls(
            [doc_ids[i] for i in order],
            np.array([metas[i][0] for i in order], dtype=object),
            [metas[i][1] for i in order],
            [metas[i][2] for i in order],
            np.ascontiguousarray(vectors[order]),
        )


def _read_snapshot(path: Path, embedder: Embedder, digest: str) -> tuple[_Rows, dict] | None:
    """The snapshot of a local index when it is complete and matches the knowledge base and the
    model; None otherwise (the index is then read through Chroma)."""
    try:
        head = json.loads((path / SNAPSHOT_ROWS).read_text(encoding="utf-8"))
        if (
            head.get("format") != SNAPSHOT_FORMAT
            or head.get("schema") != INDEX_SCHEMA
            or head.get("kb_digest") != digest
            or head.get("embedding_model") != embedder.name
            or head.get("embedding_dim") != embedder.dimension
        ):
            return None
        data = (path / SNAPSHOT_VECTORS).read_bytes()  # read once: checked, then loaded
        if head.get("sha256") != hashlib.sha256(data).hexdigest():
            return None
        vectors = np.load(io.BytesIO(data), allow_pickle=False)
        rows = head["rows"]
        if vectors.shape != (len(rows), embedder.dimension) or not all(
            isinstance(r, list) and len(r) == 5 and all(isinstance(x, str) for x in r) for r in rows
        ):
            return None
    # absent, partial or foreign (not a JSON object, rows of another shape): read through Chroma
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    texts = {r[0]: r[4] for r in rows}
    return _Rows.of([r[0] for r in rows], [tuple(r[1:4]) for r in rows], vectors), texts


class KnowledgeIndex:
    """Read access to a built index: every document's vector is held in memory and retrieval is an
    exact cosine ranking, whether the rows came from the snapshot or from Chroma. Thread-safe."""

    def __init__(
        self, rows: _Rows, where: str, texts: dict[str, str] | None = None, col=None, url=None
    ):
        self._rows = rows
        self.where = where
        self._url = url
        self._texts = texts  # the snapshot's documents; otherwise they are read from Chroma
        self._col = col
        self._cues: dict[tuple[str, str], np.ndarray] | None = None
        self._stacks: dict[str, dict[str, np.ndarray]] = {}  # `_stacked`, by kind
        self._background: np.ndarray | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        kb: KnowledgeBase,
        embedder: Embedder,
        *,
        url: str | None = None,
        path: Path | None = None,
    ) -> "KnowledgeIndex":
        """Open without writing; raise IndexNotReady with the fix when missing, stale or mismatched."""
        url = url if url is not None else settings().chroma_url
        path = Path(path) if path else index_folder()
        where = location(url, path)
        if not url:
            _check_folder(path)
            if not (path / "chroma.sqlite3").is_file():
                raise IndexNotReady(f"no index at {where}: run `mlsd index`")
        with _lock(url, path, reading=True):  # wait for a build in progress to finish
            pass
        if not url:
            _check_database(path)
            snapshot = _read_snapshot(path, embedder, kb.digest)
            if snapshot is not None:
                return cls(snapshot[0], where, texts=snapshot[1])
            path = _writable_view(path)
        from chromadb.errors import NotFoundError

        with _chroma_errors(url, where):
            try:
                col = _client(url, path).get_collection(COLLECTION, embedding_function=None)
            except NotFoundError:  # a build that never got as far as creating the collection
                raise IndexNotReady(
                    f"no index at {where} (no collection yet): run `mlsd index`"
                ) from None
            meta = col.metadata or {}
        if (
            meta.get("embedding_model") != embedder.name
            or meta.get("embedding_dim") != embedder.dimension
        ):
            raise IndexNotReady(
                f"the index at {where} was built with {meta.get('embedding_model')} "
                f"({meta.get('embedding_dim')} dims) but the grader uses {embedder.name} "
                f"({embedder.dimension} dims): {REBUILD_HINT}"
            )
        if meta.get("kb_digest") != kb.digest:
            raise IndexNotReady(
                f"the index at {where} is out of date with the knowledge base: run `mlsd index`"
            )
        with _chroma_errors(url, where):
            got = col.get(include=["embeddings", "metadatas"])
        metas = [(m["kind"], m["id"], m["case"]) for m in got["metadatas"]]
        return cls(_Rows.of(got["ids"], metas, got["embeddings"]), where, col=col, url=url)

    def _grouped(self, kinds: list[str], key) -> dict:
        """Documents of the given kinds as {key(kind, id, case): [(doc id, vector), ...]} in
        document order (the order the rows are kept in)."""
        r = self._rows
        rows: dict = {}
        for i in np.flatnonzero(np.isin(r.kinds, kinds)):
            rows.setdefault(key(r.kinds[i], r.ids[i], r.cases[i]), []).append(
                (r.doc_ids[i], r.vectors[i])
            )
        return rows

    def cue_vectors(self) -> dict[tuple[str, str], np.ndarray]:
        """Vectors of every cue, keyed by (case id or "", component id), rows in document order."""
        with self._lock:
            if self._cues is None:
                rows = self._grouped(["cue", "case_cue"], lambda kind, id_, case: (case, id_))
                self._cues = {k: np.stack([v for _, v in items]) for k, items in rows.items()}
            return self._cues

    def background_vectors(self) -> np.ndarray:
        """Vectors of the everyday background sentences (no rows when the base has none)."""
        with self._lock:
            if self._background is None:
                rows = self._grouped(["background"], lambda kind, id_, case: id_)
                vecs = [v for items in rows.values() for _, v in items]
                self._background = np.stack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)
            return self._background

    def claim_vectors(self) -> np.ndarray:
        """Vectors of the vague claims that design content is read against (no rows when the base
        has none)."""
        vecs = list(self._stacked("claim").values())
        return np.vstack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)

    def definition_vectors(self) -> np.ndarray:
        """Vectors of the general statements of what a topic is or why it matters that design
        content is read against (no rows when the base has none)."""
        vecs = list(self._stacked("definition").values())
        return np.vstack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)

    def other_question_vectors(self) -> np.ndarray:
        """Vectors of the questions that are not ML system design, the contrast for a question
        typed as text (no rows when the base has none)."""
        vecs = list(self._stacked("other_question").values())
        return np.vstack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)

    def case_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of each case's prompt, title and aliases, keyed by case id."""
        return self._stacked("case")

    def reference_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of each component's reference passages, keyed by component id, rows in the
        order of its note's passages."""
        return self._stacked("reference")

    def system_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of the questions that ask for each kind of system, keyed by the kind."""
        return self._stacked("system")

    def _stacked(self, kind: str) -> dict[str, np.ndarray]:
        """The vectors of the documents of one kind, stacked per id (ids in order); made once."""
        with self._lock:
            if kind not in self._stacks:
                rows = self._grouped([kind], lambda kind, id_, case: id_)
                self._stacks[kind] = {
                    k: np.stack([v for _, v in items]) for k, items in sorted(rows.items())
                }
            return self._stacks[kind]

    def doc_ids(self, kind: str) -> dict[str, list[str]]:
        """Document ids of one kind, grouped by the id in their metadata."""
        return {
            k: [doc_id for doc_id, _ in items]
            for k, items in self._grouped([kind], lambda kind, id_, case: id_).items()
        }

    def documents(self, doc_ids: list[str]) -> dict[str, str]:
        """Texts of the given documents."""
        wanted = sorted(set(doc_ids))
        if self._texts is not None:
            return {i: self._texts[i] for i in wanted if i in self._texts}
        with _chroma_errors(self._url, self.where):
            got = self._col.get(ids=wanted, include=["documents"])
        return dict(zip(got["ids"], got["documents"]))

    def query(
        self,
        vector: np.ndarray,
        kinds: list[str],
        k: int = 5,
        keep: Callable[[Hit], bool] | None = None,
    ) -> list[Hit]:
        """The k nearest documents of the given kinds by cosine, best first (ties broken by id),
        among those `keep` accepts (all when None)."""
        r = self._rows
        picked = np.flatnonzero(np.isin(r.kinds, kinds))
        sims = cosines(r.vectors[picked], vector)
        hits = [
            Hit(r.doc_ids[i], r.kinds[i], r.ids[i], r.cases[i], round(float(s), 4))
            for i, s in zip(picked, sims)
        ]
        kept = [h for h in hits if keep is None or keep(h)]
        return sorted(kept, key=lambda h: (-h.similarity, h.doc_id))[:k]


def _kind_filter(kinds: list[str]) -> dict:
    return {"kind": kinds[0]} if len(kinds) == 1 else {"kind": {"$in": kinds}}


def _doc_order(doc_id: str) -> tuple:
    """Sort key that orders `...:cue:10` after `...:cue:9`."""
    return tuple(int(p) if p.isdigit() else p for p in doc_id.split(":"))
