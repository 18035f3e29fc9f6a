"""A real `chroma run` server on 127.0.0.1: index through HttpClient and grade through it."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _mlsd(*args, env=None):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_index_and_grade_through_a_chroma_server(chroma_url, real_index_dir):
    built = _mlsd("index", "--chroma-url", chroma_url)
    assert built.returncode == 0, built.stderr
    again = _mlsd("index", "--chroma-url", chroma_url)
    assert b"0 embedded" in again.stdout + again.stderr
    answer = str(EXAMPLES / "video_recommendation_strong.md")
    remote = _mlsd("grade", answer, "-q", "video_recommendation", "-f", "json", "--chroma-url", chroma_url)
    local = _mlsd("grade", answer, "-q", "video_recommendation", "-f", "json",
                  env={"MLSD_INDEX_DIR": str(real_index_dir)})
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["overall_score"] == json.loads(local.stdout)["overall_score"]
    assert json.loads(remote.stdout)["components"] == json.loads(local.stdout)["components"]
