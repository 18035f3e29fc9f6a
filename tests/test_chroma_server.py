"""A real `chroma run` server on 127.0.0.1: index through HttpClient and grade through it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, free_port, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    url = f"http://127.0.0.1:{port}"
    with serving(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        f"{url}/api/v2/heartbeat",
        data.parent / "chroma-server.log",
        timeout=30,
    ):
        yield url


def _mlsd(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_index_and_grade_through_a_chroma_server(chroma_url, real_index_dir):
    built = _mlsd("index", "--chroma-url", chroma_url)
    assert built.returncode == 0, built.stderr
    again = _mlsd("index", "--chroma-url", chroma_url)
    assert b"0 embedded" in again.stdout + again.stderr
    answer = str(EXAMPLES / "video_recommendation_strong.md")
    remote = _mlsd(
        "grade", answer, "-q", "video_recommendation", "-f", "json", "--chroma-url", chroma_url
    )
    local = _mlsd(
        "grade",
        answer,
        "-q",
        "video_recommendation",
        "-f",
        "json",
        env={"MLSD_INDEX_DIR": str(real_index_dir)},
    )
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["overall_score"] == json.loads(local.stdout)["overall_score"]
    assert json.loads(remote.stdout)["components"] == json.loads(local.stdout)["components"]
