"""Index behaviour with a fast fake embedder and a real Chroma PersistentClient."""

import numpy as np
import pytest

from grader.errors import IndexNotReady
from grader.knowledge.index import COLLECTION, KnowledgeIndex, _client, build_index
from grader.knowledge.notes import load_kb
from tests.conftest import HashEmbedder


def test_build_is_idempotent_by_content_hash(kb, tmp_path, hash_embedder):
    first = build_index(kb, hash_embedder, path=tmp_path / "ix")
    assert first.embedded == first.total > 600
    hash_embedder.texts_embedded = 0
    second = build_index(kb, hash_embedder, path=tmp_path / "ix")
    assert second.embedded == 0 and second.deleted == 0 and hash_embedder.texts_embedded == 0


def test_changed_note_reembeds_only_its_chunks(kb_copy, tmp_path, hash_embedder):
    build_index(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")
    note = kb_copy / "concepts" / "drift.md"
    note.write_text(note.read_text().replace("title:", "title: Drift -", 1))
    stats = build_index(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")
    assert stats.embedded == 1 and stats.deleted == 0  # only the drift overview chunk has the title


def test_a_note_read_another_way_is_indexed_again(kb_copy, tmp_path, hash_embedder):
    """Sentences whose text is unchanged but whose kind is (a background note read as claims
    instead of everyday prose) are written again with their new kind."""
    build_index(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")
    note = kb_copy / "background" / "claims.md"
    note.write_text(note.read_text().replace("reads_as: claims", "reads_as: everyday", 1))
    kb = load_kb(kb_copy)
    stats = build_index(kb, hash_embedder, path=tmp_path / "ix")
    assert stats.embedded == len(kb.background["claims"].sentences)
    index = KnowledgeIndex.open(kb, hash_embedder, path=tmp_path / "ix")
    assert len(index.claim_vectors()) == 0
    everyday = [b for b in kb.background.values() if b.reads_as == "everyday"]
    assert len(index.background_vectors()) == sum(len(b.sentences) for b in everyday)


def test_removed_case_is_deleted(kb_copy, tmp_path, hash_embedder):
    build_index(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")
    (kb_copy / "cases" / "spam_detection.md").unlink()
    stats = build_index(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")
    assert stats.embedded == 0 and stats.deleted > 3


def test_metadata_and_retrieval(kb, tmp_path, hash_embedder):
    build_index(kb, hash_embedder, path=tmp_path / "ix")
    index = KnowledgeIndex.open(kb, hash_embedder, path=tmp_path / "ix")
    cues = index.cue_vectors()
    assert cues[("", "drift")].shape == (len(kb.concepts["drift"].cues), 384)
    hits = index.query(
        hash_embedder.embed(["payment fraud detection chargebacks"])[0], ["case"], k=5
    )
    assert hits[0].id == "fraud_detection" and hits[0].kind == "case"
    assert hits == sorted(hits, key=lambda h: -h.similarity)


def test_missing_index_says_how_to_build(kb, tmp_path, hash_embedder):
    with pytest.raises(IndexNotReady, match="run `mlsd index`"):
        KnowledgeIndex.open(kb, hash_embedder, path=tmp_path / "nothing")


def test_other_embedding_model_gives_rebuild_command(kb, tmp_path, hash_embedder):
    build_index(kb, hash_embedder, path=tmp_path / "ix")
    other = HashEmbedder()
    other.name = "another/model"
    with pytest.raises(IndexNotReady, match=r"built with test/hash-embedder.*mlsd index --rebuild"):
        KnowledgeIndex.open(kb, other, path=tmp_path / "ix")
    with pytest.raises(IndexNotReady, match="--rebuild"):
        build_index(kb, other, path=tmp_path / "ix")
    stats = build_index(kb, other, path=tmp_path / "ix", rebuild=True)
    assert stats.embedded == stats.total
    KnowledgeIndex.open(kb, other, path=tmp_path / "ix")


def test_stale_index_is_detected(kb_copy, tmp_path, hash_embedder):
    build_index(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")
    note = kb_copy / "concepts" / "drift.md"
    note.write_text(note.read_text() + "\nOne more line.\n")
    with pytest.raises(IndexNotReady, match="out of date"):
        KnowledgeIndex.open(load_kb(kb_copy), hash_embedder, path=tmp_path / "ix")


def _same_reads(a: KnowledgeIndex, b: KnowledgeIndex, probe) -> None:
    for kinds in (["case"], ["concept", "case_note", "step"]):
        assert a.query(probe, kinds, k=7) == b.query(probe, kinds, k=7)
    assert a.cue_vectors().keys() == b.cue_vectors().keys()
    for key, vecs in a.cue_vectors().items():
        assert (vecs == b.cue_vectors()[key]).all()
    assert (a.background_vectors() == b.background_vectors()).all()
    assert a.documents(["concept:drift", "case:spam_detection"]) == b.documents(
        ["concept:drift", "case:spam_detection"]
    )


def test_snapshot_reads_like_chroma_without_opening_it(kb, tmp_path, hash_embedder, monkeypatch):
    from grader.knowledge import index as index_module

    build_index(kb, hash_embedder, path=tmp_path / "ix")
    assert (tmp_path / "ix" / index_module.SNAPSHOT_ROWS).is_file()
    probe = hash_embedder.embed(["retrain the ranker when features drift"])[0]
    real_client = index_module._client

    def no_chroma(*args, **kwargs):
        raise AssertionError("Chroma opened although the snapshot is current")

    monkeypatch.setattr(index_module, "_client", no_chroma)
    from_snapshot = KnowledgeIndex.open(kb, hash_embedder, path=tmp_path / "ix")
    monkeypatch.setattr(index_module, "_client", real_client)
    (tmp_path / "ix" / index_module.SNAPSHOT_ROWS).unlink()  # an index built before snapshots
    from_chroma = KnowledgeIndex.open(kb, hash_embedder, path=tmp_path / "ix")
    assert from_chroma._col is not None and from_snapshot._col is None
    _same_reads(from_snapshot, from_chroma, probe)


@pytest.mark.parametrize("damage", ["digest", "vectors", "truncated", "short row", "not an object"])
def test_a_stale_or_damaged_snapshot_falls_back_to_chroma(kb, tmp_path, hash_embedder, damage):
    import json

    from grader.knowledge import index as index_module

    ix = tmp_path / "ix"
    build_index(kb, hash_embedder, path=ix)
    rows, vectors = ix / index_module.SNAPSHOT_ROWS, ix / index_module.SNAPSHOT_VECTORS
    if damage == "digest":
        head = json.loads(rows.read_text())
        rows.write_text(json.dumps({**head, "kb_digest": "0" * 64}))
    elif damage == "vectors":
        data = bytearray(vectors.read_bytes())
        data[-1] ^= 0xFF
        vectors.write_bytes(bytes(data))
    elif damage == "short row":
        head = json.loads(rows.read_text())
        rows.write_text(json.dumps({**head, "rows": [r[:2] for r in head["rows"]]}))
    elif damage == "not an object":
        rows.write_text("[1, 2, 3]")
    else:
        rows.write_text(rows.read_text()[:1000])
    index = KnowledgeIndex.open(kb, hash_embedder, path=ix)
    assert index._col is not None  # read through Chroma
    assert index.query(hash_embedder.embed(["spam"])[0], ["case"], k=1)


def test_rebuild_replaces_the_snapshot_and_a_killed_build_leaves_none(
    kb, tmp_path, hash_embedder, monkeypatch
):
    from grader.knowledge import index as index_module

    ix = tmp_path / "ix"
    build_index(kb, hash_embedder, path=ix)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index_module, "_write_snapshot", killed)
    with pytest.raises(KeyboardInterrupt):
        build_index(kb, hash_embedder, path=ix, rebuild=True)
    assert not (ix / index_module.SNAPSHOT_ROWS).exists()
    assert not (ix / index_module.SNAPSHOT_VECTORS).exists()


def test_a_grading_process_never_imports_chroma_or_scipy(real_index_dir, tmp_path):
    """The cold path reads the snapshot; Chroma stays the store of record for builds and servers."""
    import os
    import subprocess
    import sys

    script = (
        "import sys; from grader import grade; "
        "grade('We retrain the ranker weekly and watch feature drift with PSI.', 'fraud_detection'); "
        "print(sorted(m for m in ('chromadb', 'scipy') if m in sys.modules))"
    )
    env = {**os.environ, "MLSD_INDEX_DIR": str(real_index_dir), "MLSD_AUTO_INDEX": "0"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_each_distinct_text_is_embedded_once_and_shared(kb, tmp_path, hash_embedder):
    """Chunks that repeat another's text get its vector; no text is embedded twice."""
    from grader.knowledge.chunks import build_chunks

    texts = [c.text for c in build_chunks(kb)]
    assert len(set(texts)) < len(texts)  # the knowledge base does repeat some
    stats = build_index(kb, hash_embedder, path=tmp_path / "ix")
    assert stats.embedded == len(texts) and hash_embedder.texts_embedded == len(set(texts))
    col = _client("", tmp_path / "ix").get_collection(COLLECTION, embedding_function=None)
    got = col.get(include=["embeddings", "documents"])
    expected = hash_embedder.embed(got["documents"])
    assert np.allclose(np.asarray(got["embeddings"]), expected, atol=1e-6)


def test_an_embedding_failure_stops_the_build_with_its_error(kb, tmp_path):
    class Failing(HashEmbedder):
        def embed(self, texts):
            if self.calls == 2:
                raise RuntimeError("the model ran out of memory")
            return super().embed(texts)

    with pytest.raises(RuntimeError, match="out of memory"):
        build_index(kb, Failing(), path=tmp_path / "ix")
