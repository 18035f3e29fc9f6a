"""A pass over an ONNX graph that changes no arithmetic: reshape targets computed at run time made
constant.

A transformer exported from PyTorch computes each reshape's target from the shape of a tensor at
run time (Shape -> Gather -> Unsqueeze -> Concat), about a hundred small nodes in
all-MiniLM-L6-v2, which onnxruntime cannot fold while the batch and sequence sizes are free.
Reshape says the same with a constant: 0 copies the input's size in that place, -1 takes what is
left. The pass runs the graph at three input shapes, and a target becomes constant only when one
constant gives every probe the same output shape; the nodes left without a use are dropped. Every
other node, and so every number the model computes, is untouched. Three probes settle a size that
grows linearly with the batch and the sequence, as a transformer's do; the caller checks the
result at other sizes before using it (`embedder.save_optimised_graph`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# (batch, sequence) sizes the graph is probed at: two lengths, and a batch of two, so that a size
# copied from the input is told apart from a constant
PROBES = ((1, 7), (1, 13), (2, 9))


def fold_reshape_targets(source: Path, target: Path) -> int:
    """Write `source` to `target` with every reshape target that one constant can give made
    constant, and return how many were; the graph's inputs must be integer (token ids, masks)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    constants = {i.name for i in graph.initializer}
    reshapes = [
        n
        for n in graph.node
        if n.op_type == "Reshape"
        and n.input[1] not in constants
        and not any(a.name == "allowzero" and a.i for a in n.attribute)  # 0 is then a size
    ]
    seen = _probe(source, [name for n in reshapes for name in n.input[:2]])
    folded = 0
    for node in reshapes:
        shape = _constant_target(
            [seen[k][node.input[1]].tolist() for k in range(len(PROBES))],
            [list(seen[k][node.input[0]].shape) for k in range(len(PROBES))],
        )
        if shape is None:
            continue
        name = f"{node.output[0]}/folded_target"  # output names are unique, node names need not be
        graph.initializer.append(numpy_helper.from_array(np.array(shape, dtype=np.int64), name))
        node.input[1] = name
        folded += 1
    _drop_unused(graph)
    onnx.save(model, str(target))
    return folded


def _probe(source: Path, names: list[str]) -> list[dict[str, np.ndarray]]:
    """The named tensors' values when the graph runs at each of PROBES (inputs all ones)."""
    import onnx
    import onnxruntime as ort
    from onnx import helper

    model = onnx.load(str(source))
    typed = onnx.shape_inference.infer_shapes(model)
    values = [*typed.graph.input, *typed.graph.value_info, *typed.graph.output]
    types = {v.name: v.type.tensor_type.elem_type for v in values}
    types.update({i.name: i.data_type for i in typed.graph.initializer})
    for name in dict.fromkeys(names):
        model.graph.output.append(
            helper.make_tensor_value_info(name, types.get(name, onnx.TensorProto.FLOAT), None)
        )
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.log_severity_level = 3
    session = ort.InferenceSession(
        model.SerializeToString(), opts, providers=["CPUExecutionProvider"]
    )
    outputs = [o.name for o in session.get_outputs()]
    return [
        dict(
            zip(
                outputs,
                session.run(
                    None, {i.name: np.ones(size, dtype=np.int64) for i in session.get_inputs()}
                ),
            )
        )
        for size in PROBES
    ]


def _constant_target(values: list[list[int]], shapes: list[list[int]]) -> list[int] | None:
    """One target that reshapes every probe's input as its computed target did, or None: 0 where
    the target always repeats the input's size in that place, the value where it never changes,
    and -1 for at most one place that is neither."""
    if len({len(v) for v in values}) != 1:
        return None
    target: list[int | None] = []
    for k in range(len(values[0])):
        column = [v[k] for v in values]
        if all(k < len(s) and v[k] == s[k] for v, s in zip(values, shapes)):
            target.append(0)
        elif len(set(column)) == 1 and column[0] != 0:
            target.append(column[0])
        else:
            target.append(None)
    if target.count(None) > 1 or (None in target and -1 in target):
        return None
    shape = [-1 if t is None else t for t in target]
    for value, size in zip(values, shapes):
        out = _resolve(value, size)
        if out is None or _resolve(shape, size) != out:
            return None
    return shape


def _resolve(target: list[int], shape: list[int]) -> list[int] | None:
    """The output shape Reshape gives an input of `shape` for `target` (None if it cannot)."""
    sizes = [shape[k] if t == 0 and k < len(shape) else t for k, t in enumerate(target)]
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        if known == 0 or int(np.prod(shape)) % known:
            return None
        sizes = [int(np.prod(shape)) // known if s == -1 else s for s in sizes]
    return sizes if int(np.prod(sizes)) == int(np.prod(shape)) else None


def _drop_unused(graph) -> None:
    """Remove the nodes none of whose outputs is used, and the constants no node reads."""
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    kept.reverse()
    del graph.node[:]
    graph.node.extend(kept)
    unused = [i for i in graph.initializer if i.name not in needed]
    for init in unused:
        graph.initializer.remove(init)
