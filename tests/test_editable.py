"""A timed answer written back as text to revise (`answers.editable`): read back by `read_text`
with the same words, speakers, graded text and timings, whatever transcript it came from."""

from __future__ import annotations

import json

import pytest

from grader.answers import transcripts as tr
from grader.answers.editable import editable, timed
from grader.answers.files import load_answer_bytes, read_text

SRT = """1
10:00:01,000 --> 10:00:04,500
Interviewer: how would you design the feed

2
10:00:05,000 --> 10:00:09,000
Candidate: I would start with the goal
which is watch time, then p99 latency < 200 ms

3
10:00:09,500 --> 10:00:15,250
Candidate: then candidate generation with two towers & a ranker
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Bob>how would you design it

00:00:04.000 --> 00:00:09.000
<v Alice>I would start with the goal and the metric

00:00:09.000 --> 00:00:12.000
<v Bob>ok
<v Alice>and then the data
"""
JSON = json.dumps(
    {
        "segments": [
            {"start": 0.1234, "end": 2.5, "text": " we use a two tower model"},
            {"start": 2.6, "end": 5.0, "text": " then a ranker", "speaker": "SPEAKER_00"},
        ],
        "duration": 7.0,
    }
)


def _same(a, b) -> bool:
    return (
        a.text == b.text
        and a.graded_text == b.graded_text
        and [(s.char_start, s.char_end, s.speaker, s.is_candidate) for s in a.segments]
        == [(s.char_start, s.char_end, s.speaker, s.is_candidate) for s in b.segments]
        and all(
            abs(x.start - y.start) < 0.002 and abs(x.end - y.end) < 0.002
            for x, y in zip(a.segments, b.segments)
        )
    )


@pytest.mark.parametrize(
    ("name", "data", "written"),
    [("talk.srt", SRT, "1\n"), ("talk.vtt", VTT, "WEBVTT"), ("talk.json", JSON, "WEBVTT")],
)
def test_a_timed_transcript_reads_back_with_its_timings(name, data, written):
    answer = load_answer_bytes(data.encode(), name)
    assert answer.segments and answer.text != data
    text = editable(answer)
    assert text.startswith(written) and timed(text)
    assert _same(read_text(text), answer)


def test_a_recording_transcript_reads_back_as_cues():
    cues = [tr.Cue("we rank videos by watch time", 0.0, 3.2), tr.Cue("and retrain daily", 3.2, 5.0)]
    answer = tr.from_cues(cues, fmt="wav", kind="audio", duration=6.0)
    text = editable(answer)
    assert text.startswith("WEBVTT") and _same(read_text(text), answer)
    # one's own recording, revised: no "no speaker is named" note (there is no interviewer), as
    # there is for subtitles that name no one
    assert read_text(text).notes == () and answer.notes == ()
    assert tr.UNLABELLED in read_text(text.replace(tr.ONE_SPEAKER, "NOTE")).notes


def test_text_that_reads_back_as_it_is_stays_as_it_is():
    for text in (
        "We rank videos.\n\nThen we retrain.",
        "[00:00:03] Interviewer: go\n[00:00:05] Candidate: I rank",
    ):
        answer = read_text(text)
        assert editable(answer) == text
    assert not timed("We rank videos.") and not timed("1\n00:00:01,000 --> oops\nwords")


def test_words_a_format_cannot_hold_fall_back_to_another_or_to_the_text():
    from grader.answers.files import load_answer_bytes

    segments = [
        {"start": 0, "end": 2, "text": "features --> model --> score"},  # WebVTT refuses "-->"
        {"start": 2, "end": 4, "text": "Then we serve it."},
    ]
    inp = load_answer_bytes(json.dumps({"segments": segments}).encode(), "t.json")
    text = editable(inp)  # no exception reaches the app
    assert "features --> model --> score" in text
