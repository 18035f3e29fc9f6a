"""Shared fixtures: the real knowledge base, a fast fake embedder, and real-model graders."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from grader.knowledge.notes import load_kb

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Tests grade with the bundled knowledge base only, whatever cases this machine's user has added.
os.environ["MLSD_USER_KB"] = str(ROOT / ".no-user-knowledge-base")
# Derived files (the notes parsed) go to a folder of the test run's own, not the checkout's.
os.environ["MLSD_CACHE_DIR"] = _CACHE = tempfile.mkdtemp(prefix="mlsd-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: fast, no model, same interface."""

    name = "test/hash-embedder"

    def __init__(self, dimension: int = 384):
        self.dimension = dimension
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts):
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in re.findall(r"[a-z0-9]+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=4).digest(), "little")
                out[i, h % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(
    cmd: list[str],
    health_url: str,
    log_path: Path,
    *,
    env: dict | None = None,
    timeout: float = 90,
    ready=lambda body: True,
):
    """Run a server subprocess until `health_url` answers (and `ready(body)` holds), yield the
    process, then stop it. Fails the test with the tail of the server's log if it exits or does
    not come up in time."""
    import subprocess
    import time
    import urllib.request

    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(health_url, timeout=2) as r:
                    if r.status == 200 and ready(r.read()):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"{cmd[2] if len(cmd) > 2 else cmd[0]} did not start:\n"
                    f"{Path(log_path).read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's AppTest installs the app script as sys.modules['__main__'] and leaves it there;
    a later spawned process would then re-run that script. Put the real one back after each test."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture()
def hash_embedder():
    return HashEmbedder()


@pytest.fixture()
def kb_copy(tmp_path):
    """A writable copy of the knowledge base."""
    dest = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge_base", dest)
    return dest


@pytest.fixture(scope="module")
def fast_grader(kb, tmp_path_factory):
    """The real grading pipeline over a hash embedder: fast enough to fuzz."""
    from grader.knowledge.index import build_index
    from grader.scoring.grading import Grader

    emb = HashEmbedder()
    path = tmp_path_factory.mktemp("fast-index")
    build_index(kb, emb, path=path)
    return Grader.open(kb=kb, embedder=emb, path=path, auto_index=False)


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory):
    """A real Chroma index built with the real embedding model, once per session."""
    from grader.knowledge.embedder import default_embedder
    from grader.knowledge.index import build_index

    path = tmp_path_factory.mktemp("index") / "chroma"
    build_index(load_kb(), default_embedder(), path=path)
    return path


@pytest.fixture(scope="session")
def grader(real_index_dir):
    """The real deterministic grader: real model, real Chroma store, fitted calibration."""
    from grader.scoring.grading import Grader

    return Grader.open(path=real_index_dir, auto_index=False)


@pytest.fixture(scope="session")
def strong_reply(grader):
    """What a strong candidate says about one component of a case, in their own frame: the
    knowledge base's strong statements for it (the case's own first, then the concept's) that read most like the case's
    prompt. The concept's cues span many kinds of system, so all of them together read as an answer
    to another question."""
    import numpy as np

    def reply(case_id: str, component_id: str, statements: int = 6) -> str:
        case = grader.kb.cases[case_id]
        comp = next(c for c in case.components if c.id == component_id)
        texts, vectors = grader.component_cues(case, comp)
        prompt = grader.embedder.embed([case.prompt])[0]
        order = np.argsort(-(vectors @ prompt), kind="stable")[:statements]
        # said as the candidate's own, not pasted: a sentence of the grader's advice copied word
        # for word, alone or inside one of the candidate's, counts for nothing
        # (`Grader.copied_advice`); "our" for "the" (or "one" for "a") makes it theirs
        return " ".join(f"In my design, {_in_own_words(texts[i])}" for i in sorted(order))

    return reply


def _in_own_words(statement: str) -> str:
    """A knowledge-base statement as a candidate would say it of their own design, no longer the
    grader's advice word for word."""
    for word, own in (("the", "our"), ("a", "one")):
        said = re.sub(rf"\b{word}\b", own, statement, flags=re.IGNORECASE)
        if said != statement:
            return said
    return statement


@pytest.fixture(scope="session")
def strong_answer():
    return (EXAMPLES / "video_recommendation_strong.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def weak_answer():
    return (EXAMPLES / "video_recommendation_weak.md").read_text(encoding="utf-8")
