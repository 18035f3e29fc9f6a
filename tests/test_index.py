"""Index behaviour with a fast fake embedder and a real Chroma PersistentClient."""

import pytest

from grader.errors import IndexNotReady
from grader.knowledge.index import KnowledgeIndex, build_index
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
