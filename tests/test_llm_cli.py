"""`mlsd grade --llm ...` through the real CLI and the real OpenAI protocol against servers that are
down, slow or return garbage: a deterministic report, a warning, exit code 0. Configuration errors:
one line, exit code 2. The key never shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import EXAMPLES, ROOT, free_port

pytestmark = pytest.mark.slow
WEAK = str(EXAMPLES / "video_recommendation_weak.md")
SECRET = "sk-test-NEVER-PRINT-ME-987654321"


@pytest.fixture(scope="module")
def mlsd(real_index_dir, tmp_path_factory):
    config_home = tmp_path_factory.mktemp("xdg")

    def run(*args, env: dict | None = None):
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("MLSD_LLM", "OPENAI_"))}
        full = {
            **clean,
            "MLSD_INDEX_DIR": str(real_index_dir),
            "XDG_CONFIG_HOME": str(config_home),
            "MLSD_LLM_RETRIES": "0",
            **(env or {}),
        }
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "grader.cli",
                "grade",
                WEAK,
                "-q",
                "video_recommendation",
                "-f",
                "json",
                *args,
            ],
            capture_output=True,
            env=full,
            cwd=ROOT,
            timeout=180,
        )

    return run


@pytest.fixture(scope="module")
def bad_server():
    """An HTTP server on 127.0.0.1 that is slow, hangs, trickles, echoes or answers garbage, by path."""
    from tests import llm_http_fakes

    server, url = llm_http_fakes.start()
    yield url
    server.shutdown()


def _fell_back(proc, needle: str) -> dict:
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "warning: " in err and needle in err, err
    report = json.loads(proc.stdout)
    assert report["llm"]["fell_back"] is True and report["grader"]["mode"] == "deterministic"
    assert any(needle in w for w in report["warnings"])
    return report


def test_server_down_gives_the_deterministic_report_and_a_warning(mlsd):
    url = f"http://127.0.0.1:{free_port()}/v1"
    plain = json.loads(mlsd().stdout)
    report = _fell_back(
        mlsd("--llm", "openai-compatible", "--base-url", url, "--model", "m"), "cannot reach"
    )
    assert (
        report["components"] == plain["components"]
        and report["overall_score"] == plain["overall_score"]
    )


def test_slow_server_times_out(mlsd, bad_server):
    _fell_back(
        mlsd(
            "--llm",
            "openai-compatible",
            "--base-url",
            bad_server + "/slow/v1",
            "--model",
            "m",
            env={"MLSD_LLM_TIMEOUT": "1"},
        ),
        "did not answer within 1s",
    )


def test_garbage_answers_fall_back(mlsd, bad_server):
    _fell_back(
        mlsd(
            "--llm",
            "openai-compatible",
            "--base-url",
            bad_server + "/garbage/v1",
            "--model",
            "m",
            env={"MLSD_LLM_API_KEY": SECRET},
        ),
        "no usable output",
    )


@pytest.mark.parametrize(
    "args, env, needle",
    [
        (["--llm", "openai"], {}, "needs an API key"),
        (["--llm", "openai-compatible", "--model", "m"], {}, "needs --base-url"),
        (
            ["--llm", "openai-compatible", "--base-url", "http://127.0.0.1:1/v1"],
            {},
            "needs --model",
        ),
        (["--llm", "bogus"], {}, "provider"),
        (
            [],
            {"MLSD_LLM": "openai", "MLSD_LLM_TIMEOUT": "soon", "OPENAI_API_KEY": SECRET},
            "timeout_s",
        ),
    ],
)
def test_configuration_errors_are_one_line(mlsd, args, env, needle):
    proc = mlsd(*args, env=env)
    err = proc.stderr.decode()
    assert (
        proc.returncode == 2
        and err.startswith("error: ")
        and err.count("\n") == 1
        and needle in err
    ), err
    assert SECRET not in err and proc.stdout == b""


def test_broken_config_file_is_one_line(mlsd, tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[llm\nprovider = ", encoding="utf-8")
    proc = mlsd(env={"MLSD_CONFIG": str(bad)})
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "not valid TOML" in err and err.count("\n") == 1, err


def test_flags_override_env_override_file(tmp_path, monkeypatch):
    from grader.llm.config import load_config

    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[llm]\nprovider = "openai-compatible"\nmodel = "from-file"\nbase_url = "http://127.0.0.1:1/v1"\n'
        "batch_size = 5\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MLSD_CONFIG", str(cfg))
    monkeypatch.delenv("MLSD_LLM_MODEL", raising=False)
    assert load_config().model == "from-file" and load_config().batch_size == 5
    monkeypatch.setenv("MLSD_LLM_MODEL", "from-env")
    assert load_config().model == "from-env"
    assert load_config(model="from-flag").model == "from-flag"
    assert (
        not load_config().is_remote and load_config(base_url="https://llm.example.com/v1").is_remote
    )


@pytest.mark.parametrize("mode", ["trickle", "hang"])
def test_a_trickling_or_hanging_server_cannot_hold_a_grading(mlsd, bad_server, mode):
    # MLSD_LLM_TIMEOUT is wall-clock time for a request, retries included, not a per-read limit
    started = time.monotonic()
    proc = mlsd(
        "--llm", "openai-compatible", "--base-url", f"{bad_server}/{mode}/v1", "--model", "m",
        env={"MLSD_LLM_TIMEOUT": "2", "MLSD_LLM_GRADING_TIMEOUT": "4", "MLSD_LLM_RETRIES": "2"},
    )  # fmt: skip
    _fell_back(proc, "did not answer within 2s")
    assert time.monotonic() - started < 40  # the grading itself plus at most the LLM's 4 s


def test_a_key_in_the_models_own_output_never_reaches_the_report(mlsd, bad_server):
    proc = mlsd(
        "--llm", "openai-compatible", "--base-url", f"{bad_server}/echo/v1", "--model", "m",
        env={"MLSD_LLM_API_KEY": SECRET},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    assert report["grader"]["mode"] == "llm"  # the model's output was used, masked
    assert SECRET not in proc.stdout.decode() + proc.stderr.decode()
    assert any("the key is *" in c["feedback"] for c in report["components"])


def test_praise_from_the_model_raises_nothing_without_verified_quotes(mlsd, bad_server):
    plain = json.loads(mlsd().stdout)
    proc = mlsd(
        "--llm", "openai-compatible", "--base-url", f"{bad_server}/praise/v1", "--model", "m"
    )
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    before = {c["id"]: c["score"] for c in plain["components"]}
    assert all(c["score"] <= before[c["id"]] for c in report["components"])
    assert report["overall_score"] <= plain["overall_score"]
