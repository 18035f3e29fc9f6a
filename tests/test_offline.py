"""Grading works with the network blocked: a socket guard, not a hope."""

import socket

import pytest

from grader.scoring.grading import Grader

pytestmark = pytest.mark.slow


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture()
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkBlocked(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_guard_really_blocks(no_network):
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.com", 443))


def test_grading_with_network_blocked(no_network, real_index_dir, strong_answer):
    grader = Grader.open(
        path=real_index_dir, auto_index=False
    )  # opens the Chroma store under the guard
    report = grader.grade(strong_answer, "Design the video recommendations on a home feed")
    assert report.overall_score >= 70 and report.question.id == "video_recommendation"
    assert no_network == []
