"""Pacing on a synthetic timestamped mock interview whose answers are known by construction."""

import numpy as np
import pytest

from grader.errors import InputError
from grader.kb import STEP_IDS
from grader.pacing import DEFAULT_BUDGET, PacingBudget, compute_pacing, decode_steps, load_budget
from grader.segment import count_fillers, count_words
from grader.transcripts import Cue, from_cues

# What the candidate says for each step; the interview never reaches monitoring.
SCRIPT = {
    "requirements": [
        "Before designing anything I want to clarify the business objective, which is long term watch time.",
        "How many daily active users do we have, and what is the latency budget for the home page?",
        "um I assume about a hundred million users and a hundred milliseconds at the ninety ninth percentile.",
    ],
    "framing": [
        "I would frame this as a ranking problem: predict the probability that a user watches a video.",
        "The input is the user, the context and a candidate video, and the output is a score per video.",
    ],
    "data": [
        "For labels I would use implicit feedback, a click followed by thirty seconds of watching is positive.",
        "Features are the user's watch history embedding, video metadata, and context like device and time of day.",
        "uh the positives are rare, so I would downsample negatives and keep the features in a feature store.",
    ],
    "model": [
        "As a baseline I would rank the most popular videos per country.",
        "Then a two tower candidate generation model trained with a contrastive loss retrieves a thousand videos.",
        "A multi task ranking network trained with cross entropy scores those candidates.",
    ],
    "evaluation": [
        "Offline I would measure precision at k and normalized discounted cumulative gain on a held out week.",
        "Online I would run an A B test on watch time per user, with guardrails on latency.",
    ],
    "serving": [
        "For serving, candidate generation uses approximate nearest neighbour search over precomputed embeddings.",
        "The ranker runs online behind a cache, and we release with a canary before a full rollout.",
    ],
}
MINUTES = {"requirements": 4.0, "framing": 3.0, "data": 7.0, "model": 9.0, "evaluation": 5.0, "serving": 6.0}
INTERVIEWER = [(0.0, 20.0, "Design a recommendation system for a video platform."),
               (None, 30.0, "Good. How would you evaluate it?")]  # asked before evaluation, 30 s


def _mock_interview():
    cues, t = [Cue(INTERVIEWER[0][2], 0.0, 20.0, "Interviewer")], 20.0
    for step, lines in SCRIPT.items():
        if step == "evaluation":
            cues.append(Cue(INTERVIEWER[1][2], t, t + INTERVIEWER[1][1], "Interviewer"))
            t += INTERVIEWER[1][1]
        each = MINUTES[step] * 60 / len(lines)
        for line in lines:
            cues.append(Cue(line, t, t + each, "Candidate"))
            t += each
    return from_cues(cues, fmt="srt"), t


@pytest.fixture(scope="module")
def pacing(grader):
    inp, _ = _mock_interview()
    return compute_pacing(grader, inp)


@pytest.mark.slow
def test_minutes_per_step_and_unreached_steps(pacing):
    got = {s.step: s.minutes for s in pacing.steps}
    for step, minutes in MINUTES.items():
        assert abs(got[step] - minutes) <= 1.5, (step, got)
    assert got["monitoring"] == 0.0 and pacing.unreached_steps == ["monitoring"]
    assert [s.budget_minutes for s in pacing.steps] == [DEFAULT_BUDGET[s] for s in STEP_IDS]
    assert abs(sum(s.share for s in pacing.steps) - 1.0) < 0.01


@pytest.mark.slow
def test_rates_and_longest_monologue(pacing):
    inp, end = _mock_interview()
    spoken = " ".join(line for lines in SCRIPT.values() for line in lines)
    speaking = sum(MINUTES.values())
    assert pacing.speaking_minutes == pytest.approx(speaking, abs=0.01)
    assert pacing.total_minutes == pytest.approx(end / 60, abs=0.01)
    assert pacing.words_per_minute == pytest.approx(count_words(spoken) / speaking, abs=0.05)
    assert count_fillers(spoken) == 2  # "um" and "uh"
    assert pacing.fillers_per_minute == pytest.approx(2 / speaking, abs=0.05)
    # the longest run without the interviewer: requirements to model, from 20 s on
    run = sum(MINUTES[s] for s in ("requirements", "framing", "data", "model")) * 60
    assert pacing.longest_monologue_seconds == pytest.approx(run, abs=0.1)
    assert pacing.longest_monologue_start_seconds == 20.0


def test_longest_monologue_without_speakers_is_the_longest_segment(grader_free):
    cues = [Cue("we clarify the objective", 0, 10), Cue("then we rank candidates with a model", 10, 45),
            Cue("and we monitor drift", 45, 50)]
    pacing = compute_pacing(grader_free, from_cues(cues, fmt="whisper-json"))
    assert (pacing.longest_monologue_seconds, pacing.longest_monologue_start_seconds) == (35.0, 10.0)
    assert pacing.speaking_minutes == pytest.approx(50 / 60, abs=0.01)


def test_no_timestamps_no_pacing(grader_free):
    from grader.sources import AnswerInput

    assert compute_pacing(grader_free, AnswerInput.from_text("we clarify the objective")) is None


def test_decoding_moves_forward_and_ignores_a_stray_block():
    scores = np.full((9, 7), 0.30, dtype=np.float32)
    truth = [0, 0, 0, 3, 3, 3, 4, 4, 4]
    for i, j in enumerate(truth):
        scores[i, j] = 0.45
    scores[4, 1] = 0.47  # one block about framing in the middle of the model discussion
    assert decode_steps(scores) == truth
    assert decode_steps(scores, switch=0.0, back=0.0)[4] == 1  # without the penalties it would switch
    assert decode_steps(np.zeros((0, 7))) == []


def test_budget_files_and_env(tmp_path, monkeypatch):
    assert sum(PacingBudget().steps.values()) == 45 == PacingBudget().round_minutes
    yml = tmp_path / "budget.yaml"
    yml.write_text("round_minutes: 60\nsteps:\n  model: 15\n  serving: 9\n")
    budget = load_budget(yml)
    assert budget.round_minutes == 60 and budget.steps["model"] == 15 and budget.steps["data"] == DEFAULT_BUDGET["data"]
    toml = tmp_path / "budget.toml"
    toml.write_text("requirements = 8\nmonitoring = 2\n")
    monkeypatch.setenv("MLSD_PACING_BUDGET", str(toml))
    assert load_budget().steps["requirements"] == 8 and load_budget().steps["monitoring"] == 2


@pytest.mark.parametrize("content,needle", [
    ("steps:\n  modeling: 10\n", "unknown step\\(s\\) modeling"),
    ("steps:\n  model: -1\n", "must not be negative"),
    ("round_minutes: 0\n", "round_minutes"),
    ("- 1\n- 2\n", "expected a mapping"),
    ("steps: [\n", "not valid YAML"),
])
def test_bad_budgets_fail_with_one_line(tmp_path, content, needle):
    path = tmp_path / "budget.yml"
    path.write_text(content)
    with pytest.raises(InputError, match=needle) as err:
        load_budget(path)
    assert "\n" not in str(err.value)


@pytest.fixture()
def grader_free(hash_embedder, kb):
    """A stand-in grader for tests where classification does not matter: hash embedder, cue vectors from it."""
    from grader.chunks import build_chunks

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
