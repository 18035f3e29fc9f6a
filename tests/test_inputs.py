import codecs

import pytest

from grader.errors import InputError
from grader.inputs import decode_answer, read_answer, write_atomic

TEXT = "Clarify the goal: watch time. Zürich latency < 100 ms — ok"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("utf-16"),  # with BOM
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
])
def test_accepted_encodings(data):
    assert decode_answer(data) == TEXT


@pytest.mark.parametrize("data,match", [
    (b"%PDF-1.7\n...", "PDF"),
    (b"\x89PNG\r\n\x1a\n....", "PNG"),
    (b"abc\x00def", "NUL"),
    (b"caf\xe9 latency", "not valid UTF-8"),
])
def test_rejected_inputs_get_one_line(data, match):
    with pytest.raises(InputError, match=match) as err:
        decode_answer(data, "answer.txt")
    assert "\n" not in str(err.value) and "answer.txt" in str(err.value)


def test_read_answer_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_answer(str(tmp_path / "missing.md"))
    with pytest.raises(InputError, match="is a folder"):
        read_answer(str(tmp_path))


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "report.json"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]
