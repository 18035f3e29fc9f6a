"""The installable package: a built wheel carries the knowledge base, the prompts and the
calibration, and grades exactly as the checkout does, from any directory."""

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return next(out.glob("mlsd_grader-*.whl"))


def test_the_wheel_carries_content_and_calibration(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "grader/scoring/calibration.json" in names
    assert "grader/_bundled/knowledge_base/cases/video_recommendation.md" in names
    assert "grader/_bundled/knowledge_base/background/everyday.md" in names
    assert "grader/_bundled/prompts/judge_components.md" in names
    assert not any("__pycache__" in n or n.startswith(("tests/", "evals/")) for n in names)


def test_the_installed_wheel_grades_like_the_checkout(wheel, tmp_path, real_index_dir):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    answer = str(EXAMPLES / "video_recommendation_strong.md")
    env = {**os.environ, "MLSD_INDEX_DIR": str(real_index_dir), "MLSD_AUTO_INDEX": "0"}
    args = ["-m", "grader.cli", "grade", answer, "-q", "video_recommendation", "-f", "json"]
    installed = subprocess.run(
        [sys.executable, *args], cwd=tmp_path, capture_output=True, timeout=300,
        env={**env, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"},
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr.decode()
    probe = subprocess.run(
        [sys.executable, "-c", "import grader.settings as s; print(s.IN_CHECKOUT, s.settings().kb_dir)"],
        cwd=tmp_path, capture_output=True, text=True, env={**env, "PYTHONPATH": str(target)},
    )  # fmt: skip
    assert probe.stdout.startswith("False") and str(target) in probe.stdout
    checkout = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, env=env, timeout=300
    )
    assert installed.stdout == checkout.stdout


def test_a_missing_calibration_is_an_error_not_a_default(tmp_path):
    from grader.errors import GraderError
    from grader.scoring.calibration import load_calibration

    with pytest.raises(GraderError, match="cannot be read"):
        load_calibration.__wrapped__(tmp_path / "calibration.json")


def _requires(wheel) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return [
            line.split(":", 1)[1].strip()
            for line in z.read(meta).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]


def test_the_base_install_is_lean_and_each_part_is_an_extra(wheel):
    requires = [r.replace("'", '"') for r in _requires(wheel)]
    base = [r for r in requires if "extra ==" not in r]
    heavy = ("streamlit", "fastapi", "uvicorn", "openai", "langchain", "faster-whisper", "ragas")
    assert not [r for r in base if r.lower().startswith(heavy)]
    for extra, package in [("app", "streamlit"), ("api", "fastapi"), ("llm", "openai"),
                           ("voice", "faster-whisper"), ("eval", "ragas")]:  # fmt: skip
        assert any(r.startswith(package) and f'extra == "{extra}"' in r for r in requires)
    assert any('extra == "all"' in r for r in requires)


# Runs the installed package with every extra's modules unimportable, as on a base install.
_WITHOUT_EXTRAS = """
import importlib.abc, sys
from grader.extras import EXTRAS
blocked = set().union(*EXTRAS.values()) | {"langchain_core", "langchain_openai"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
sys.argv = ["mlsd", *sys.argv[1:]]
from grader.cli import main
main()
"""


def test_the_base_install_grades_and_names_the_extra_for_the_rest(wheel, tmp_path, real_index_dir):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    env = {**os.environ, "MLSD_INDEX_DIR": str(real_index_dir), "MLSD_AUTO_INDEX": "0",
           "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}  # fmt: skip

    def mlsd(*args):
        return subprocess.run(
            [sys.executable, "-c", _WITHOUT_EXTRAS, *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip

    answer = str(EXAMPLES / "video_recommendation_strong.md")
    graded = mlsd("grade", answer, "-q", "video_recommendation", "-f", "json")
    assert graded.returncode == 0, graded.stderr
    assert '"overall_score"' in graded.stdout
    for args, extra in [(("serve",), "api"),
                        (("grade", answer, "-q", "video_recommendation", "--llm", "openai-compatible",
                          "--model", "m", "--base-url", "http://127.0.0.1:9"), "llm")]:  # fmt: skip
        out = mlsd(*args)
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and f"pip install 'mlsd-grader[{extra}]'" in lines[0], out.stderr
