"""Pacing on a synthetic timestamped mock interview whose answers are known by construction."""

import dataclasses
import re

import numpy as np
import pytest

from grader.answers.transcripts import Cue, from_cues
from grader.errors import InputError
from grader.knowledge.notes import STEP_IDS
from grader.practice.pacing import (
    PacingBudget,
    compute_pacing,
    decode_steps,
    default_budget,
    load_budget,
)
from grader.scoring.segment import count_words
from tests.conftest import EXAMPLES

STRONG = (EXAMPLES / "video_recommendation_strong.md").read_text(encoding="utf-8")
# The example's sections 1-6 are the candidate's answer; the interview never reaches monitoring.
SECTIONS = dict(zip(STEP_IDS[:6], re.split(r"^## ", STRONG, flags=re.M)[1:7]))
WORDS_PER_SECOND = 2.5  # 150 words a minute
FILLED = {"data": "um ", "model": "uh "}  # one filler at the start of each of these sections
QUESTION = ("Design a recommendation system for a video platform.", 20.0)
FOLLOW_UP = ("Good. How would you evaluate it?", 30.0)  # asked before evaluation


def _sentences(section: str) -> list[str]:
    body = " ".join(
        section.split("\n", 1)[1].replace("*", "").replace("`", "").replace("#", "").split()
    )
    return [x for x in re.split(r"(?<=[.!?:])\s+", body) if x.strip("- ")]


def _mock_interview():
    """(input, end time, candidate seconds per step, candidate words) of a timed SRT-like interview."""
    cues, t, seconds, words = (
        [Cue(QUESTION[0], 0.0, QUESTION[1], "Interviewer")],
        QUESTION[1],
        {},
        0,
    )
    for step, section in SECTIONS.items():
        if step == "evaluation":
            cues.append(Cue(FOLLOW_UP[0], t, t + FOLLOW_UP[1], "Interviewer"))
            t += FOLLOW_UP[1]
        start = t
        for i, line in enumerate(_sentences(section)):
            line = FILLED.get(step, "") + line if i == 0 else line
            n = count_words(line)
            cues.append(Cue(line, t, t + n / WORDS_PER_SECOND, "Candidate"))
            t, words = t + n / WORDS_PER_SECOND, words + n
        seconds[step] = t - start
    return from_cues(cues, fmt="srt"), t, seconds, words


@pytest.fixture(scope="module")
def pacing(grader):
    return compute_pacing(grader, _mock_interview()[0])


@pytest.mark.slow
def test_minutes_per_step_and_unreached_steps(pacing):
    _, _, seconds, _ = _mock_interview()
    got = {s.step: s.minutes for s in pacing.steps}
    for step, secs in seconds.items():  # each step within 20% of its time, or 15 seconds
        assert abs(got[step] * 60 - secs) <= max(15.0, 0.2 * secs), (step, secs / 60, got)
    assert got["monitoring"] == 0.0 and pacing.unreached_steps == ["monitoring"]
    assert [s.budget_minutes for s in pacing.steps] == [default_budget()[s] for s in STEP_IDS]
    assert abs(sum(s.share for s in pacing.steps) - 1.0) < 0.01


@pytest.mark.slow
def test_rates_and_longest_monologue(pacing):
    _, end, seconds, words = _mock_interview()
    speaking = sum(seconds.values()) / 60
    assert pacing.speaking_minutes == pytest.approx(speaking, abs=0.01)
    assert pacing.total_minutes == pytest.approx(end / 60, abs=0.01)
    assert (
        pacing.words_per_minute
        == pytest.approx(words / speaking, abs=0.05)
        == pytest.approx(150, abs=0.05)
    )
    assert pacing.fillers_per_minute == pytest.approx(len(FILLED) / speaking, abs=0.05)
    # the longest run without the interviewer: requirements to model, from 20 s on
    run = sum(seconds[s] for s in ("requirements", "framing", "data", "model"))
    assert pacing.longest_monologue_seconds == pytest.approx(run, abs=0.1)
    assert pacing.longest_monologue_start_seconds == QUESTION[1]


def test_longest_monologue_without_speakers_runs_until_a_pause(grader_free):
    """A recording of one's own practice has no speaker labels and its captions cut one talk into
    pieces of a few seconds: the monologue runs on until a silence long enough for a turn."""
    cues = [
        Cue("we clarify the objective", 0, 10),
        Cue("then we rank candidates with a model", 10, 45),
        Cue("and we monitor drift", 52, 60),  # after a 7-second silence
    ]
    pacing = compute_pacing(grader_free, from_cues(cues, fmt="whisper-json"))
    assert (pacing.longest_monologue_seconds, pacing.longest_monologue_start_seconds) == (
        45.0,
        0.0,
    )
    assert pacing.speaking_minutes == pytest.approx(53 / 60, abs=0.01)


def test_a_pause_inside_a_recognisers_segment_ends_a_monologue(grader_free, tmp_path):
    """A recogniser's segment may stretch over a silence its words show (the same recording read
    96 s as WAV and 170 s as M4A): the monologue ends at a pause of TURN_PAUSE between two words,
    wherever the segments were cut."""
    import json

    from grader.answers.files import load_answer_file

    def words(text: str, start: float) -> list[dict]:
        return [
            {"word": " " + w, "start": start + i, "end": start + i + 0.8, "probability": 0.9}
            for i, w in enumerate(text.split())
        ]

    first = "we clarify the objective and the latency budget before anything else today"
    second = "then we rank candidates with a gradient boosted model trained on clicks"
    said = words(first, 0.0) + words(second, 17.0)  # 12 words to 11.8 s, then 5.2 s of silence
    doc = {"segments": [{"start": 0.0, "end": 29.0, "text": f" {first} {second}", "words": said}]}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    inp = load_answer_file(path)
    assert inp.pauses == ((11.8, 17.0),)
    pacing = compute_pacing(grader_free, inp)
    assert (pacing.longest_monologue_seconds, pacing.longest_monologue_start_seconds) == (
        12.0,
        17.0,
    )  # the second stretch: 17.0 to 29.0, not the segment's 29 s


def test_a_short_practice_run_reaches_the_steps_it_spends_seconds_on(grader_free, monkeypatch):
    """Under 15 s a step counts as never reached in a 45-minute round (a stray sentence), but a
    three-minute practice run gives each step a few seconds: there, 5% of the speaking time is
    enough."""
    from grader.practice import pacing as pacing_module

    def run(seconds: list[float]):
        steps = ["requirements", "framing", "data", "model", "evaluation", "serving", "monitoring"]
        cues, t = [], 0.0
        for step, secs in zip(steps, seconds):
            cues.append(Cue(" ".join([step] * 20), t, t + secs))
            t += secs
        monkeypatch.setattr(
            pacing_module,
            "classify_steps",
            lambda grader, texts, named=None: [t.split()[0] for t in texts],
        )
        return compute_pacing(grader_free, from_cues(cues, fmt="whisper-json")).unreached_steps

    assert run([30, 10, 40, 30, 30, 40, 0.5]) == ["monitoring"]  # 3 minutes: 10 s is 5.5%
    assert run([300, 10, 600, 600, 400, 400, 300]) == ["framing"]  # 44 minutes


def test_a_step_the_grading_quoted_from_speech_was_reached(grader_free, monkeypatch):
    """Pacing reads the grading's own evidence: a step credited from a quote in the candidate's
    speech was reached, whatever time the decoder gave it (an evaluation credited from 40 seconds
    of speech read "not reached"); its minutes stay the decoder's."""
    from grader.practice import pacing as pacing_module

    def requirements_throughout(grader, texts):  # its own reading: every stretch is requirements
        scores = np.zeros((len(texts), len(STEP_IDS)))
        scores[:, 0] = 0.1
        return scores

    monkeypatch.setattr(pacing_module, "step_scores", requirements_throughout)
    cues = [Cue(" ".join([f"w{i}"] * 20) + ".", 30.0 * i, 30.0 * (i + 1)) for i in range(5)]
    inp = from_cues(cues, fmt="whisper-json")
    third = inp.text.index("w2")
    plain = compute_pacing(grader_free, inp)
    assert "evaluation" in plain.unreached_steps
    read = compute_pacing(grader_free, inp, evidence={"evaluation": [(third, third + 20)]})
    assert "evaluation" not in read.unreached_steps and read.steps == plain.steps
    # credited with nothing quoted (no passage reads clearly about it): reached all the same
    credited = compute_pacing(grader_free, inp, evidence={"evaluation": []})
    assert "evaluation" not in credited.unreached_steps and credited.steps == plain.steps
    # a quote outside the candidate's speech is no sign
    assert (
        "evaluation"
        in compute_pacing(grader_free, inp, evidence={"evaluation": [(-50, -40)]}).unreached_steps
    )


def test_no_timestamps_no_pacing(grader_free):
    from grader.answers.model import AnswerInput

    assert compute_pacing(grader_free, AnswerInput.from_text("we clarify the objective")) is None


def test_decoding_moves_forward_and_ignores_a_stray_block():
    scores = np.full((9, 7), 0.30, dtype=np.float32)
    truth = [0, 0, 0, 3, 3, 3, 4, 4, 4]
    for i, j in enumerate(truth):
        scores[i, j] = 0.45
    scores[4, 1] = 0.47  # one block about framing in the middle of the model discussion
    assert decode_steps(scores) == truth
    assert (
        decode_steps(scores, switch=0.0, back=0.0)[4] == 1
    )  # without the penalties it would switch
    assert decode_steps(np.zeros((0, 7))) == []
    # an answer opens on the first step: a restated question reading nearer framing does not make
    # what follows it (who uses it, what "late" means) framing and data (a voice answer's first
    # five blocks, read [1, 1, 2, 2, 2] before: requirements "0.0 minutes")
    opening = np.array(
        [
            [0.43, 0.51, 0.45, 0.40, 0.43, 0.42, 0.44],
            [0.44, 0.42, 0.38, 0.39, 0.36, 0.43, 0.45],
            [0.48, 0.38, 0.43, 0.42, 0.37, 0.40, 0.35],
            [0.41, 0.36, 0.54, 0.34, 0.39, 0.35, 0.36],
            [0.35, 0.43, 0.54, 0.36, 0.34, 0.36, 0.44],
        ]
    )
    assert decode_steps(opening) == [0, 0, 0, 2, 2]
    assert decode_steps(opening[:1]) == [1]  # a lone block far nearer framing is framing


def test_budget_files_and_env(tmp_path, monkeypatch):
    assert sum(PacingBudget().steps.values()) == 45 == PacingBudget().round_minutes
    yml = tmp_path / "budget.yaml"
    yml.write_text("round_minutes: 60\nsteps:\n  model: 15\n  serving: 9\n")
    budget = load_budget(yml)
    assert (
        budget.round_minutes == 60
        and budget.steps["model"] == 15
        and budget.steps["data"] == default_budget()["data"]
    )
    toml = tmp_path / "budget.toml"
    toml.write_text("requirements = 8\nmonitoring = 2\n")
    monkeypatch.setenv("MLSD_PACING_BUDGET", str(toml))
    assert load_budget().steps["requirements"] == 8 and load_budget().steps["monitoring"] == 2


@pytest.mark.parametrize(
    "content,needle",
    [
        ("steps:\n  modeling: 10\n", "unknown step\\(s\\) modeling"),
        ("steps:\n  model: -1\n", "must not be negative"),
        ("round_minutes: 0\n", "round_minutes"),
        ("- 1\n- 2\n", "expected a mapping"),
        ("steps: [\n", "not valid YAML"),
    ],
)
def test_bad_budgets_fail_with_one_line(tmp_path, content, needle):
    path = tmp_path / "budget.yml"
    path.write_text(content)
    with pytest.raises(InputError, match=needle) as err:
        load_budget(path)
    assert "\n" not in str(err.value)


@pytest.fixture()
def grader_free(hash_embedder, kb):
    """A stand-in grader for tests where classification does not matter: hash embedder, cue vectors from it."""
    from grader.knowledge.chunks import build_chunks

    class Index:
        def cue_vectors(self):
            out = {}
            for c in build_chunks(kb):
                if c.kind in ("cue", "case_cue"):
                    out.setdefault((c.case, c.id), []).append(hash_embedder.embed([c.text])[0])
            return {k: np.stack(v) for k, v in out.items()}

    class Grader:
        pass

    g = Grader()
    g.kb, g.embedder, g.index = kb, hash_embedder, Index()
    return g


def test_a_step_named_aloud_opens_it(grader):
    """A candidate practising alone announces each step ("So framing.", "Serving."), often in the
    middle of a caption: the pacing follows them, and a step announced and talked about is reached
    however briefly (a short practice run spends seconds on some steps)."""
    said = [
        ("Okay so the question is fraud detection for card payments at checkout, and I'd assume "
         "a few thousand transactions a second with a budget of a hundred milliseconds.", 12),
        ("So framing. It's binary classification per transaction, fraud or not, and we threshold "
         "the probability by the cost of each mistake.", 10),
        ("Data. Labels come from chargebacks, which arrive weeks late, and features are velocity "
         "counts per card and device over the last hour and day. Model. I'd start with gradient "
         "boosted trees on those features.", 20),
        ("Evaluation, precision and recall at the operating threshold. Serving. The model runs "
         "behind the payment API and reads counters from an online store.", 10),
        ("Okay, monitoring, which matters a lot here: score distribution drift and the share of "
         "challenged payments, with alerts when either moves.", 10),
    ]  # fmt: skip
    cues, t = [], 0.0
    for text, secs in said:
        cues.append(Cue(text, t, t + secs))
        t += secs
    pacing = compute_pacing(grader, from_cues(cues, fmt="whisper-json"))
    assert pacing.unreached_steps == []
    minutes = {s.step: s.minutes for s in pacing.steps}
    assert all(minutes[s] > 0 for s in STEP_IDS)
    assert minutes["requirements"] == pytest.approx(12 / 60, abs=0.04)


def test_a_turn_that_opens_by_naming_a_step_opens_it(grader):
    """In a transcript with speakers, a candidate's turn starts a sentence though the text before
    it is a speaker label ("[03:34] Candidate: Finally monitoring."): the step it names leans its
    way. The last turn, about drift in words that read like data and models, was given to serving
    and monitoring read 0.0 minutes."""
    turns = [
        ("How is it served?", 6, "Interviewer"),
        ("Serving. The model runs in a low latency service next to the authorization path, with "
         "features read from an online store like Redis. The p99 latency budget is about fifty "
         "milliseconds. If the model service times out, we fall back to the rule engine.", 18,
         "Candidate"),
        ("And after launch?", 6, "Interviewer"),
        ("Finally monitoring. Fraudsters adapt, so the data drifts quickly. I would monitor the "
         "score distribution, feature drift, the approval rate and the block rate per merchant, "
         "and retrain weekly. Also there is a feedback loop: transactions we block never get a "
         "label, so I would let a tiny random share through to keep unbiased labels.", 22,
         "Candidate"),
    ]  # fmt: skip
    cues, t = [], 0.0
    for text, secs, who in turns:
        cues.append(Cue(text, t, t + secs, who))
        t += secs
    pacing = compute_pacing(grader, from_cues(cues, fmt="speaker-text"))
    minutes = {s.step: s.minutes for s in pacing.steps}
    assert minutes["monitoring"] == pytest.approx(22 / 60, abs=0.02)
    assert minutes["serving"] == pytest.approx(18 / 60, abs=0.02)


@pytest.mark.slow
def test_a_recordings_filler_rate_says_it_is_a_floor(grader):
    """Speech recognition writes down what was meant, leaving most "um"s out: a recording's
    filler rate is given as a floor (a voice run had read 0.0 a minute with seven said), a
    transcript's as counted."""
    from grader.pipeline import grade_input
    from grader.render import FILLERS_HEARD, pacing_summary

    inp = _mock_interview()[0]
    heard = dataclasses.replace(inp, source=inp.source.model_copy(update={"kind": "audio"}))
    typed, spoken = (grade_input(grader, x, "video_recommendation") for x in (inp, heard))
    assert typed.pacing is not None and spoken.pacing is not None
    assert FILLERS_HEARD not in pacing_summary(typed)
    assert f"filler words a minute ({FILLERS_HEARD})" in pacing_summary(spoken)


def test_a_step_announced_as_what_comes_next_is_a_signpost(grader):
    """ "Okay, so before I jump in I'd like to pin down the requirement." announces requirements
    (a voice answer's first minute of them had read "0.0 minutes"), as "Now let's talk about
    monitoring." announces monitoring; a sentence that only ends on a step's word does not."""
    from grader.practice.pacing import _signposted, signposts

    pattern = signposts(grader.kb)

    def announced(text: str) -> list[str]:
        return [step for _, step in _signposted(pattern, text, 0, len(text))]

    assert announced("Okay, so before I jump in I'd like to pin down the requirement. We have") == [
        "requirements"
    ]
    assert announced("Fine. Now let's talk about monitoring. Drift first.") == ["monitoring"]
    assert announced("So framing. It is a classifier.") == ["framing"]
    assert announced("We log every prediction for later monitoring. Then we retrain.") == []
    assert announced("The reviewers will clarify the requirements with the team today.") == []
