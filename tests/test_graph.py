"""The reshape-target pass (`grader.knowledge.graph`) makes computed targets constant where one
constant says the same, and changes no number the graph computes."""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from grader.knowledge.graph import fold_reshape_targets


def _size(nodes: list, tensor: str, k: int) -> str:
    """Add the nodes an export writes for `tensor`'s size in place k; return their output."""
    shape, index, size = f"{tensor}_shape{k}", f"{tensor}_at{k}", f"{tensor}_size{k}"
    nodes += [
        helper.make_node("Shape", [tensor], [shape]),
        helper.make_node("Gather", [shape, f"k{k}"], [index], axis=0),
        helper.make_node("Unsqueeze", [index, "axis0"], [size]),
    ]
    return size


def _model(path) -> None:
    """ids [B, T] -> x [B, T, 1] (target B, T, 1) -> y [B, T, 4] -> z [B, 2T, 2] (target B, 2T,
    2) -> out [2T, B, 2] (target 2T, B, 2: no one constant says it for every B and T)."""
    nodes = [helper.make_node("Cast", ["ids"], ["f"], to=TensorProto.FLOAT)]
    b, t = _size(nodes, "f", 0), _size(nodes, "f", 1)
    nodes += [
        helper.make_node("Concat", [b, t, "one"], ["t1"], axis=0),
        helper.make_node("Reshape", ["f", "t1"], ["x"]),
        helper.make_node("Mul", ["x", "four"], ["y"]),
    ]
    yb, yt = _size(nodes, "y", 0), _size(nodes, "y", 1)
    nodes += [
        helper.make_node("Mul", [yt, "two"], ["yt2"]),
        helper.make_node("Concat", [yb, "yt2", "two"], ["t2"], axis=0),
        helper.make_node("Reshape", ["y", "t2"], ["z"]),
        helper.make_node("Concat", ["yt2", yb, "two"], ["t3"], axis=0),
        helper.make_node("Reshape", ["z", "t3"], ["out"]),
    ]
    constants = {
        "k0": np.array(0, dtype=np.int64),
        "k1": np.array(1, dtype=np.int64),
        "axis0": np.array([0], dtype=np.int64),
        "one": np.array([1], dtype=np.int64),
        "two": np.array([2], dtype=np.int64),
        "four": np.arange(1, 5, dtype=np.float32).reshape(1, 1, 4),
    }
    graph = helper.make_graph(
        nodes,
        "reshapes",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in constants.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.save(model, str(path))


def _run(path, ids: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"ids": ids})[0]


def test_computed_reshape_targets_become_constant_and_every_output_stays_the_same(tmp_path):
    source, folded = tmp_path / "model.onnx", tmp_path / "folded.onnx"
    _model(source)

    assert fold_reshape_targets(source, folded) == 2
    graph = onnx.load(str(folded)).graph
    constant = {i.name: numpy_helper.to_array(i).tolist() for i in graph.initializer}
    targets = [n.input[1] for n in graph.node if n.op_type == "Reshape"]
    assert [constant.get(t) for t in targets] == [[0, 0, 1], [0, -1, 2], None]
    assert sum(n.op_type == "Shape" for n in graph.node) == 2  # the nodes the last target reads
    assert len(graph.node) < len(onnx.load(str(source)).graph.node)

    rng = np.random.default_rng(0)
    for size in [(1, 1), (1, 7), (3, 5), (2, 40)]:  # sizes the pass never probed, too
        ids = rng.integers(0, 30000, size=size, dtype=np.int64)
        assert np.array_equal(_run(folded, ids), _run(source, ids))
