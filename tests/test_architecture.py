"""The package layout is the architecture: no import cycles, and each stage imports only the stages
below it. Every import counts, including those inside functions, so a cycle cannot hide in one."""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "grader"

# Lower layers never import higher ones; modules in one layer may import each other (without cycles).
LAYERS = [
    {"grader.errors", "grader.text", "grader.report", "grader.extras"},
    {"grader.settings", "grader.output"},
    {"grader.answers", "grader.knowledge"},
    {"grader.scoring"},
    {"grader.llm", "grader.practice", "grader.render"},
    {"grader.pipeline"},
    {"grader.practice.mock_interview", "grader.batch"},  # they grade through the pipeline
    {"grader.cli", "grader.app", "grader.api"},
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The grader modules `path` imports anywhere in its body (`from pkg import mod` resolves to mod)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "grader"
        ):
            subs = {f"{node.module}.{a.name}" for a in node.names} & set(modules)
            found |= subs or ({node.module} & set(modules))
    return found - {"grader"}  # the top package only re-exports lazily


@functools.cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _layer(module: str) -> int:
    """The layer of the most specific entry of LAYERS that names the module or a package above it."""
    matches = [
        (len(m), i)
        for i, layer in enumerate(LAYERS)
        for m in layer
        if module == m or module.startswith(m + ".")
    ]
    if matches:
        return max(matches)[1]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in {Path(__file__).name}")


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(
    "module", sorted(set(_graph()) - {"grader"})
)  # the facade re-exports the top
def test_each_stage_imports_only_stages_below_it(module):
    upward = sorted(dep for dep in _graph()[module] if _layer(dep) > _layer(module))
    assert not upward, f"{module} (layer {_layer(module)}) imports higher layers: {upward}"


def test_importing_grader_changes_no_environment():
    import os
    import subprocess
    import sys

    code = (
        "import os; before = dict(os.environ); import grader, grader.cli, grader.pipeline, grader.scoring.grading; "
        "print(sorted(set(os.environ.items()) ^ set(before.items())))"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in {"ANONYMIZED_TELEMETRY", "HF_HUB_OFFLINE"}
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
