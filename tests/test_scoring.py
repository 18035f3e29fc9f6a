"""Score arithmetic: keyword matching, the soft cue count, and the calibration fit scoring exactly like the grader."""

import dataclasses

import numpy as np
import pytest

from evals.calibrate import Pairs, _status, eligible, fit_offsets, scores
from grader.scoring.calibration import Calibration
from grader.scoring.judge import (
    DEPTH_UNITS,
    Features,
    RubricTerms,
    TopicLexicon,
    asking,
    cue_credit,
    distinct_support,
    domain_vocabulary,
    explaining,
    judge,
    naming_masks,
    presence,
    quantities,
    score_features,
    shift,
    substance,
)
from grader.scoring.segment import Unit, segment
from grader.text import content_tokens
from tests.conftest import EXAMPLES


def test_keywords_match_however_punctuation_and_number_fall():
    lexicon = TopicLexicon.from_keywords(
        ["a/b test", "model input", "ann", "training-serving skew"]
    )
    for said in [
        "we run an A/B test",
        "then we a b test it",
        "A/B-tests on 5% of users",
        "the model inputs are",
        "an ANN index",
        "training serving skew",
        "Training/serving skew.",
    ]:
        assert lexicon.naming([said])[0], said
    for said in ["an annual review", "the channel", "a b c", "model-based input", "tests"]:
        assert not lexicon.naming([said])[0], said


def test_a_text_is_searched_for_keywords_only_when_it_holds_a_word_one_starts_with(kb):
    """`naming_masks` searches a text only for the lexicons one of whose lead words it holds (an
    index of the texts' words); that never changes what is found, for any component's keywords."""
    from grader.text import plain_words

    units = [u for p in sorted(EXAMPLES.glob("*.md")) for u in segment(p.read_text("utf-8"))]
    texts = [u.clean for u in units] + ["A/B-tests and drifts", "cold-starts", "biases, PSIs"]
    lexicons = {cid: TopicLexicon.from_keywords(c.keywords) for cid, c in kb.concepts.items()}
    masks = naming_masks(lexicons, texts)
    for i, text in enumerate(texts):  # every text against every lexicon, nested keywords dropped
        spans = {
            c: [m.span() for m in lex.pattern.finditer(plain_words(text))]
            for c, lex in lexicons.items()
        }
        for cid, own in spans.items():
            longer = [(a, b) for c, found in spans.items() if c != cid for a, b in found]
            named = any(
                not any(a <= s and e <= b and b - a > e - s for a, b in longer) for s, e in own
            )
            assert masks[cid][i] == named, (cid, text)
    assert sum(mask.sum() for mask in masks.values()) > len(texts)  # the examples name topics


def test_a_keyword_inside_a_longer_keyword_names_only_the_longer_topic(kb):
    """A phrase names one topic: "bias" inside "position bias" is the feedback loop's, not
    fairness's; said on its own, or beside the longer phrase, it names its own topic too."""
    toy = {
        "objective": TopicLexicon.from_keywords(["regression"]),
        "baseline": TopicLexicon.from_keywords(["logistic regression baseline"]),
    }
    texts = [
        "a logistic regression baseline",
        "a regression on price",
        "regression, and a logistic regression baseline",
    ]
    masks = naming_masks(toy, texts)
    assert masks["baseline"].tolist() == [True, False, True]
    assert masks["objective"].tolist() == [False, True, True]
    # inside a plural ("bars" in "foo bars"), and where the longer keyword starts mid-way through
    # one of the shorter lexicon's own matches ("z" in "x y z w", after "q x" took "x")
    plural = {
        "short": TopicLexicon.from_keywords(["bars"]),
        "long": TopicLexicon.from_keywords(["foo bar"]),
    }
    assert naming_masks(plural, ["foo bars", "two bars"])["short"].tolist() == [False, True]
    overlap = {
        "short": TopicLexicon.from_keywords(["q x", "x y z w", "z"]),
        "middle": TopicLexicon.from_keywords(["x y z w"]),
        "front": TopicLexicon.from_keywords(["p q x"]),
    }
    assert not naming_masks(overlap, ["p q x y z w"])["short"][0]

    lexicons = {cid: TopicLexicon.from_keywords(c.keywords) for cid, c in kb.concepts.items()}
    said = ["Position bias: users click the top slot.", "The model shows bias against older users."]
    masks = naming_masks(lexicons, said)
    assert masks["feedback_loops"].tolist() == [True, False]
    assert masks["bias_fairness"].tolist() == [False, True]


def test_a_cue_near_the_cut_off_counts_in_part():
    sims = np.array([0.30, 0.35, 0.40, 0.45, 0.50, -np.inf])
    assert cue_credit(sims, 0.40, 0.0) == 3  # hard count: at or above the cut-off
    assert cue_credit(sims, 0.40, 0.05) == pytest.approx(0 + 0 + 0.5 + 1 + 1)
    nudged = sims + np.array([0, 0, 0.01, 0, 0, 0])
    assert cue_credit(nudged, 0.40, 0.05) - cue_credit(sims, 0.40, 0.05) == pytest.approx(0.1)
    assert cue_credit(nudged, 0.40, 0.0) == cue_credit(sims, 0.40, 0.0)


@pytest.mark.parametrize("soft,depth", [(0.0, 0.0), (0.05, 0.3), (0.1, 0.2)])
def test_the_calibration_fit_scores_like_the_grader(soft, depth):
    rng = np.random.default_rng(7)
    cal = Calibration(
        sim_low=0.25,
        sim_high=0.75,
        cue_match=0.4,
        breadth_full=8,
        cue_soft=soft,
        w_semantic=0.4,
        w_breadth=0.4,
        w_lexical=0.2,
        w_depth=depth,
        depth_min=0.45,
        depth_full=3,
    )
    n_cues, rows, kw_best, support, expected = 12, [], [], [], []
    for _ in range(200):
        per_cue = rng.uniform(0.0, 0.8, n_cues)
        per_unit = rng.uniform(0.0, 0.8, 5)
        keyword_units = rng.random(5) < 0.3
        found = np.sort(rng.uniform(0.0, 0.8, rng.integers(0, 6)))[::-1]
        expected.append(score_features(Features(per_cue, per_unit, keyword_units, found), cal)[0])
        rows.append(per_cue)
        kw_best.append(per_unit[keyword_units].max() if keyword_units.any() else -np.inf)
        support.append(np.pad(found, (0, DEPTH_UNITS - len(found)), constant_values=-np.inf))
    pairs = Pairs(
        np.array(rows),
        np.array(kw_best),
        np.array(support),
        np.zeros(200),
        np.ones(200),
        np.arange(200),
        np.zeros(200),
        np.array(["c"] * 200),
    )
    got = scores(
        pairs,
        sim_low=0.25,
        sim_high=0.75,
        cue_match=0.4,
        breadth_full=8,
        cue_soft=soft,
        weights=(0.4, 0.4, 0.2, depth),
        depth_min=0.45,
        depth_full=3,
    )
    assert got.tolist() == expected


def _pairs(
    per_cue: list[list[float]],
    answer_of: list[int],
    labels: list[int] | None = None,
    comps: list[str] | None = None,
) -> Pairs:
    n = len(per_cue)
    return Pairs(
        np.array(per_cue),
        np.full(n, -np.inf),
        np.full((n, DEPTH_UNITS), -np.inf),
        np.array(labels if labels is not None else [0] * n),
        np.ones(n),
        np.array(answer_of),
        np.zeros(max(answer_of) + 1),
        np.array(comps or ["c"] * n),
    )


def test_the_fit_refuses_settings_that_salads_beat_or_padding_raises():
    params = {
        "sim_low": 0.25,
        "sim_high": 0.75,
        "cue_match": 0.4,
        "breadth_full": 4,
        "cue_soft": 0.1,
        "weights": (0.4, 0.4, 0.2),
    }
    answers = _pairs([[0.6, 0.5, 0.1], [0.2, 0.1, 0.0]], [0, 1])  # one component each, two answers
    s = scores(answers, **params)
    salads = _pairs([[0.1, 0.1, 0.1]], [0])
    same = _pairs(
        [[0.6, 0.5, 0.1], [0.2, 0.1, 0.0]] * 2, [0, 1, 2, 3]
    )  # two paddings that add nothing
    assert eligible(params, s, answers, salads, same)
    lifted = _pairs(
        [[0.6, 0.5, 0.1], [0.2, 0.1, 0.0], [0.6, 0.5, 0.1], [0.2, 0.1, 0.35]], [0, 1, 2, 3]
    )
    assert not eligible(
        params, s, answers, salads, lifted
    )  # the second padding lifts the second answer
    lowered = _pairs(
        [[0.6, 0.5, 0.1], [0.2, 0.1, 0.0], [0.5, 0.5, 0.1], [0.2, 0.1, 0.0]], [0, 1, 2, 3]
    )
    assert eligible(params, s, answers, salads, lowered)  # padding may cost points, never add them
    assert not eligible(
        params, s, answers, _pairs([[0.7, 0.7, 0.7]], [0]), same
    )  # a salad scoring 20+


def _units(spans: list[tuple[int, int]], windows: int = 0) -> list[Unit]:
    return [
        Unit(a, b, "x" * (b - a), "x" * (b - a), 1, is_window=k >= len(spans) - windows)
        for k, (a, b) in enumerate(spans)
    ]


def test_depth_counts_each_stretch_of_the_answer_once():
    units = _units([(0, 10), (11, 20), (21, 30), (0, 20)], windows=1)  # the window spans two
    per_unit = np.array([0.5, 0.6, 0.3, 0.7])
    everything = np.ones(4, dtype=bool)
    assert distinct_support(per_unit, units, everything).tolist() == [0.7, 0.3]
    only_sentences = np.array([True, True, True, False])
    assert distinct_support(per_unit, units, only_sentences).tolist() == [0.6, 0.5, 0.3]


def test_more_distinct_units_about_a_component_score_higher_and_repeats_add_nothing():
    cal = Calibration(w_depth=0.3, depth_min=0.45, depth_full=4, sim_low=0.2, sim_high=0.8)
    lexicon = TopicLexicon.from_keywords(["drift"])
    units = _units([(0, 10), (11, 20), (21, 30), (31, 40)])
    substance = np.full(4, 10.0)
    excluded = np.zeros(4, dtype=bool)
    named = lexicon.naming([u.clean for u in units])
    one = np.array([[0.6], [0.1], [0.1], [0.1]])
    three = np.array([[0.6], [0.55], [0.5], [0.1]])
    shallow = judge(one, units, substance, named, excluded, cal)
    deep = judge(three, units, substance, named, excluded, cal)
    assert deep.score > shallow.score
    said_again = judge(three, units, substance, named, excluded, cal,
                       repeats=np.array([False, True, True, False]))  # fmt: skip
    assert said_again.score == shallow.score
    elsewhere = judge(three, units, substance, named, excluded, cal,
                      own=np.array([True, False, False, True]))  # fmt: skip
    assert elsewhere.score == shallow.score  # units that read more like another component


def test_a_component_the_answer_says_something_about_is_partial_a_little_under_the_cut_off():
    """The same closeness to the cues, a few points under partial_at: partial when the unit is the
    component's own and explains (words said about it), missing when it only names topics or reads
    more like another component. The score is raised to the cut-off, so it still reads its status;
    nothing moves further under the cut-off, nor at or above it."""
    units = _units([(0, 10), (11, 20)])
    sims = np.array([[0.5, 0.3], [0.1, 0.1]])  # the first unit is near the cues (evidence_min 0.4)
    args = (sims, units, np.full(2, 10.0), np.zeros(2, dtype=bool), np.zeros(2, dtype=bool))
    raw = judge(*args, Calibration(sim_low=0.2, sim_high=0.8), explains=np.zeros(2, dtype=bool))
    cal = Calibration(sim_low=0.2, sim_high=0.8, partial_at=raw.score + 3, said_margin=5)
    said = judge(*args, cal, explains=np.array([True, False]))
    named_only = judge(*args, cal, explains=np.array([False, False]))
    elsewhere = judge(*args, cal, explains=np.array([True, False]), own=np.array([False, True]))
    assert said.said_words > 0 and said.status == "partial" and said.score == cal.partial_at
    assert named_only.said_words == 0 and named_only.status == "missing"
    assert elsewhere.said_words == 0 and elsewhere.score == raw.score  # another's unit
    tight = cal.model_copy(update={"said_margin": 2})  # further under the cut-off than the margin
    assert judge(*args, tight, explains=np.array([True, False])).status == "missing"
    assert presence(cal.partial_at + 1, 10, cal) == cal.partial_at + 1
    assert presence(cal.partial_at - 6, 10, cal) == cal.partial_at - 6
    assert presence(cal.partial_at - 5, 0, cal) == cal.partial_at - 5
    # the fit reads verdicts the same way: the cut-off lowered by the margin where something is said
    got = _status(np.array([37, 37, 34, 52]), 50, 40, np.array([5, 0, 5, 5])).tolist()
    assert got == [1, 0, 0, 2]


def test_an_offset_moves_a_middling_score_keeps_order_and_never_creates_one():
    assert shift(50, 20) == 70 and shift(50, -20) == 30  # the full offset at 50
    assert shift(10, 20) == 17  # a faint similarity stays faint
    assert shift(100, 25) == 100 and shift(0, 25) == 0
    scores = np.arange(0, 101)
    for offset in (-25, -10, 10, 25):
        moved = shift(scores, offset)
        assert (np.diff(moved) >= 0).all() and moved[0] == 0 and moved[-1] == 100


def test_a_second_quote_must_be_close_to_the_component():
    cal = Calibration(evidence_min=0.4, evidence_more=0.5)
    lexicon = TopicLexicon.from_keywords(["drift"])
    units = _units([(0, 10), (11, 20), (21, 30)])
    sims = np.array([[0.7], [0.45], [0.55]])
    named = lexicon.naming([u.clean for u in units])
    j = judge(sims, units, np.full(3, 10.0), named, np.zeros(3, dtype=bool), cal)
    assert [i for i, _ in j.evidence] == [0, 2]


def test_the_quote_is_the_close_unit_that_names_the_topic_before_a_closer_one_that_does_not():
    cal = Calibration(evidence_min=0.4, evidence_more=0.9)
    lexicon = TopicLexicon.from_keywords(["drift"])
    texts = ["we watch the score histogram", "we alert on drift in the inputs"]
    units = [Unit(k * 40, k * 40 + len(t), t, t, len(t.split())) for k, t in enumerate(texts)]
    sims = np.array([[0.7], [0.5]])
    named = lexicon.naming([u.clean for u in units])
    j = judge(sims, units, np.full(2, 10.0), named, np.zeros(2, dtype=bool), cal)
    assert [i for i, _ in j.evidence] == [1]
    unnamed = [dataclasses.replace(u, text=texts[0], clean=texts[0]) for u in units]
    none = lexicon.naming([u.clean for u in unnamed])
    j = judge(sims, unnamed, np.full(2, 10.0), none, np.zeros(2, dtype=bool), cal)
    assert [i for i, _ in j.evidence] == [0]  # without a name, the closest unit


def test_a_unit_naming_the_topic_is_quoted_first_even_below_evidence_min():
    from grader.scoring.judge import quote_order

    cal = Calibration(evidence_min=0.4)
    units = _units([(0, 10), (11, 20), (21, 30), (0, 20)], windows=1)
    per_unit = np.array([0.7, 0.3, 0.2, 0.5])
    named = np.array([False, True, False, True])
    mine = np.ones(4, dtype=bool)
    # the named sentence, then the named window, then the close unit that names nothing
    assert quote_order(per_unit, units, named, mine, cal) == [1, 3, 0]
    nothing = np.zeros(4, dtype=bool)
    assert quote_order(per_unit, units, nothing, mine, cal) == [0, 3]  # sentences first
    # nothing names the topic or comes near it: nothing is quoted, not the closest unit of all
    assert quote_order(np.array([0.3, 0.2, 0.1, 0.35]), units, nothing, mine, cal) == []


def test_a_unit_that_reads_more_like_another_component_is_not_its_quote():
    """A feature list that names the baseline is evidence for features, not for the baseline: a
    component quotes the units it owns, naming ones first; owning none, only units that name its
    topic, and with none of those nothing (a close unit another component owns is not about it)."""
    from grader.scoring.judge import quote_order

    cal = Calibration(evidence_min=0.4)
    units = _units([(0, 10), (11, 20), (21, 30), (0, 20)], windows=1)
    per_unit = np.array([0.7, 0.3, 0.2, 0.5])
    named = np.array([False, True, False, True])
    own = np.array([True, False, True, True])
    assert quote_order(per_unit, units, named, own, cal) == [3, 0]
    assert quote_order(per_unit, units, named, np.zeros(4, dtype=bool), cal) == [1, 3]
    assert quote_order(per_unit, units, np.zeros(4, dtype=bool), np.zeros(4, dtype=bool), cal) == []
    # ... and of those naming it, only one reading about as much like it as like its owner ("We
    # retrain daily in a batch pipeline" names data sources, and is about retraining)
    lead = np.array([0.0, -0.01, 0.0, -0.2])
    assert quote_order(per_unit, units, named, np.zeros(4, dtype=bool), cal, lead=lead) == [1]
    lead = np.array([0.0, -0.1, 0.0, -0.2])
    assert quote_order(per_unit, units, named, np.zeros(4, dtype=bool), cal, lead=lead) == []
    assert quote_order(
        per_unit, units, named, np.zeros(4, dtype=bool), cal, said=[2], lead=lead
    ) == [2]


def test_a_quote_is_ranked_by_how_near_the_component_a_unit_reads_as_a_whole():
    """Among units alike in every other way, the one closest to several of the component's cues
    is quoted before one that is close to a single cue only (`closeness`, not the maximum)."""
    from grader.scoring.judge import closeness, quote_order

    cal = Calibration(evidence_min=0.4)
    units = _units([(0, 10), (11, 20)])
    sims = np.array([[0.75, 0.1, 0.1, 0.1, 0.1], [0.6, 0.6, 0.55, 0.5, 0.1]])
    per_unit = sims.max(axis=1)
    named = np.zeros(2, dtype=bool)
    assert quote_order(per_unit, units, named, None, cal) == [0, 1]
    assert quote_order(per_unit, units, named, None, cal, closeness(sims)) == [1, 0]
    assert closeness(sims, k=2).tolist() == pytest.approx([0.425, 0.6])
    assert closeness(np.zeros((3, 0))).tolist() == [-1.0, -1.0, -1.0]


def test_a_component_quotes_the_unit_close_to_several_of_its_cues_before_one_near_a_single_cue():
    units = _units([(0, 10), (11, 20)])
    sims = np.array([[0.75, 0.1, 0.1, 0.1], [0.6, 0.6, 0.6, 0.6]])
    none = np.zeros(2, dtype=bool)
    j = judge(sims, units, np.full(2, 10.0), none, none, Calibration())
    assert j.status != "missing"
    assert j.evidence[0][0] == 1


def test_a_unit_belongs_to_the_component_it_is_close_to_as_a_whole():
    """One cue of A is very close, but the unit is near every cue of B: it is B's."""
    from grader.scoring.grading import unit_owners

    a = np.array([[0.9, 0.1, 0.1, 0.1, 0.1, 0.1]])
    b = np.array([[0.6, 0.6, 0.6, 0.6]])
    assert unit_owners([a, b]).tolist() == [1]
    assert unit_owners([a, b], prior=np.array([[0.4, 0.0]])).tolist() == [0]  # a heading's pull
    assert unit_owners([]).tolist() == []


def test_a_word_window_inside_one_sentence_is_that_sentences():
    """A window cut from inside one sentence reads a piece of it: it belongs to the sentence's
    owner, however it reads alone; a window across two sentences, or inside one too long to be
    read whole, keeps its own."""
    from grader.scoring.grading import unit_owners
    from grader.scoring.judge import QUOTE_WORDS
    from grader.scoring.segment import segment

    one = " ".join(f"word{k}" for k in range(30)) + "."
    long = " ".join(f"term{k}" for k in range(QUOTE_WORDS + 10)) + "."
    units = segment(f"{one} A second short sentence follows here. {long}")
    windows = [i for i, u in enumerate(units) if u.is_window]
    inside = [i for i in windows if len(units[i].parts) == 1 and units[i].parts[0][1] <= len(one)]
    across = [i for i in windows if len(units[i].parts) > 1]
    in_long = [i for i in windows if units[i].start > len(one) + 40 and len(units[i].parts) == 1]
    assert inside and across and in_long
    # every sentence reads like component 0, every window alone like component 1
    rows = np.array([[0.2 if u.is_window else 0.6] * 4 for u in units])
    owners = unit_owners([rows, 0.8 - rows], units=units)
    assert all(owners[i] == 0 for i in inside)
    assert all(owners[i] == 1 for i in across + in_long)
    assert unit_owners([rows, 0.8 - rows]).tolist() == [int(u.is_window) for u in units]


def test_a_component_quotes_the_unit_most_about_it_before_one_another_reads_as_closely():
    """Unit 0 is a little closer to the component, but reads as close to another one; unit 1 is
    about this component alone: it is the quote."""
    from grader.scoring.grading import leads

    units = _units([(0, 10), (11, 20)])
    sims = np.array([[0.62] * 4, [0.6] * 4])
    near = np.array([[0.62, 0.6], [0.61, 0.2]])  # components x units: this one, another
    assert np.allclose(leads(near), [[0.01, 0.4], [-0.01, -0.4]])
    none = np.zeros(2, dtype=bool)
    args = (sims, units, np.full(2, 10.0), none, none, Calibration())
    assert judge(*args).evidence[0][0] == 0  # by closeness alone
    assert judge(*args, closest=near[0], lead=leads(near)[0]).evidence[0][0] == 1
    assert np.allclose(leads(near[:1]), near[:1])  # a lone component leads by its closeness
    three = np.array([[0.5, 0.2], [0.5, 0.3], [0.1, 0.9]])  # a tie leads by nothing
    assert np.allclose(leads(three), [[0.0, -0.7], [0.0, -0.6], [-0.4, 0.6]])


def _run_on() -> tuple[list[Unit], int, list[int]]:
    """Unpunctuated speech: its units, the index of the run-on sentence and of the windows in it."""
    from grader.scoring.judge import QUOTE_WORDS

    speech = " ".join(f"so we would log item{i} and then" for i in range(30))
    units = segment(speech + ". We retrain daily.")
    long = next(k for k, u in enumerate(units) if not u.is_window and u.words > QUOTE_WORDS)
    inside = [
        k
        for k, u in enumerate(units)
        if u.is_window and units[long].start <= u.start and u.end <= units[long].end
    ]
    return units, long, inside


def test_a_run_on_sentence_is_never_quoted_by_a_window_that_was_not_counted():
    """The window that points into a run-on sentence is the closest one that counts: a window the
    grader excluded (a buzzword list, a steering phrase) is never the quote, however close."""
    units, long, inside = _run_on()
    sims = np.full((len(units), 4), 0.3)
    sims[long], sims[inside[2]], sims[inside[3]] = 0.9, 0.95, 0.7
    excluded = np.zeros(len(units), dtype=bool)
    excluded[inside[2]] = True
    none = np.zeros(len(units), dtype=bool)
    j = judge(sims, units, np.full(len(units), 10.0), none, excluded, Calibration())
    assert j.status != "missing"
    assert j.evidence[0][0] == inside[3]


def test_offsets_are_fitted_from_labels_that_read_present_at_low_scores():
    """Component 'core' is labelled present in every answer but scores just under partial_at; 'rare'
    is labelled missing but scores just over it: the fit raises the one and lowers the other."""
    params = {
        "sim_low": 0.2,
        "sim_high": 0.8,
        "cue_match": 0.9,
        "breadth_full": 4,
        "cue_soft": 0.05,
        "weights": (1.0, 0.0, 0.0, 0.0),
        "covered_at": 60,
        "partial_at": 45,
    }
    rows, labels, comps, owner = [], [], [], []
    for a in range(10):
        low, high = 0.2 + 0.6 * (0.40 + 0.01 * (a % 3)), 0.2 + 0.6 * (0.47 + 0.01 * (a % 3))
        rows += [[low], [high]]
        labels += [1, 0]
        comps += ["core", "rare"]
        owner += [a, a]
    groups = [dataclasses.replace(_pairs(rows, owner, labels, comps), quality=np.arange(10))]
    quiet = _pairs([[0.2]], [0])
    offsets, _ = fit_offsets(params, groups, quiet, quiet, quiet)
    assert offsets.get("core", 0) > 0 > offsets.get("rare", 0)


def test_every_unit_cut_from_a_column_of_bare_bullets_is_a_word_list():
    """Naming is not explaining in every unit of a list: a window holds only a dozen one-word
    bullets and a line one of them, and table rules or numbers among them can leave it short of a
    list on its own, yet it is cut from a column of bare terms and counts as one (so no line of a
    block the report lists as buzzwords is quoted as evidence). Units of prose around the same words
    do not."""
    from grader.scoring.judge import enumeration, listy_units
    from grader.scoring.segment import segment
    from grader.text import content_tokens

    terms = "history |---|---| embeddings 1,000 latency retrain drift CTR NDCG sampling".split()
    fields = "part_serial camera_id line_id shift exposure label bbox station lens batch".split()
    column = "\n".join(f"- {w}" for w in terms * 6)
    # a record pasted as code: each line is read with the line above the block, as a terse note
    column += (
        "\n\nWe store per image:\n```\n"
        + "\n".join(f'"{f}": "v{i}",' for i, f in enumerate(fields * 2))
        + "\n```"
    )
    prose = " ".join(f"We log {w} per request and check it daily." for w in terms * 2)
    units = segment(column + "\n\n" + prose)
    mask = listy_units(
        units, [content_tokens(u.clean) for u in units], [], frozenset(), Calibration()
    )
    in_column = [
        k
        for k, u in enumerate(units)
        if u.start < len(column) and not u.text.startswith("We store per image")
    ]
    assert any(units[k].is_window for k in in_column) and any(
        not units[k].is_window for k in in_column
    )
    assert any(not enumeration(units[k].text) for k in in_column)
    assert mask[in_column].all()
    rest = [k for k in range(len(units)) if k not in in_column]
    assert rest and not mask[rest].any()


def test_a_window_of_whole_sentences_is_read_from_them_not_embedded_again(fast_grader):
    emb = fast_grader.embedder
    prose = " ".join(
        f"Point {i}: we log clicks and long watches for the ranker every day." for i in range(8)
    )
    units = segment(prose)
    windows = [i for i, u in enumerate(units) if u.is_window]
    before = emb.texts_embedded
    vectors = fast_grader.unit_vectors(units)
    assert windows and emb.texts_embedded - before == len(units) - len(windows)
    row = {(u.start, u.end): i for i, u in enumerate(units)}
    for i in windows:
        mixed = sum(n * vectors[row[s, e]].astype(np.float64) for s, e, n in units[i].parts)
        assert np.allclose(vectors[i], mixed / np.linalg.norm(mixed), atol=1e-6)
    # run-on speech has no sentences to read a window from: every window is embedded
    speech = " ".join(f"word{i}" for i in range(100))
    units = segment(speech)
    before = emb.texts_embedded
    fast_grader.unit_vectors(units)
    assert emb.texts_embedded - before == len(units) > 5


def test_section_headings_embed_with_the_units_in_one_call(fast_grader):
    """The headings that units sit under are embedded in the same call as the units (the
    embedder's workers take both), once: reading a sentence with its heading, and the heading's
    pull towards a step, embed nothing more."""
    emb = fast_grader.embedder
    assert len(fast_grader._step_vectors) == 7  # embedded on another thread since it opened
    answer = (
        "## Monitoring\n\nWe track precision weekly and alert on drift.\n\n"
        "## Data\n\nClick logs are joined with item metadata.\n\n"
        "## Monitoring\n\nA dashboard shows latency.\n"
    )
    calls, texts = emb.calls, emb.texts_embedded
    prepared = fast_grader.prepare(answer)
    encoded = len(prepared.units) - sum(u.is_window for u in prepared.units)
    assert emb.calls - calls == 1 and emb.texts_embedded - texts == encoded + 2
    assert sorted(prepared.headings) == ["Data", "Monitoring"]
    for heading, vector in prepared.headings.items():
        assert np.array_equal(vector, emb.embed([heading])[0])
    components = fast_grader.resolve_question("fraud_detection").components
    calls = emb.calls
    assert fast_grader.heading_prior(prepared, components) is not None
    assert emb.calls == calls


def test_a_rubric_s_similarities_in_one_product_are_the_per_component_ones(fast_grader, kb):
    """`rubric_similarities` multiplies the units by all the rubric's cues at once: the same cue
    texts and the same numbers, bit for bit, as each component's own `similarities`."""
    answer = (
        "We log impressions and clicks, join them with item metadata, and train a ranker nightly.\n"
        "- recall@100 offline, then an A/B test on watch time\n"
        "- retrain weekly and alert when feature drift passes a PSI of 0.2\n"
    )
    prepared = fast_grader.prepare(answer, words=True)
    for question in ("fraud_detection", "Design a podcast recommender"):
        rubric = fast_grader.resolve_question(question)
        batched = fast_grader.rubric_similarities(
            prepared.vectors, prepared.words, rubric.case, rubric.components
        )
        assert list(batched) == [c.id for c in rubric.components]
        for comp in rubric.components:
            texts, sims = fast_grader.similarities(
                prepared.vectors, prepared.words, rubric.case, comp
            )
            assert batched[comp.id][0] == texts and np.array_equal(batched[comp.id][1], sims)


def test_a_unit_explains_only_in_design_language():
    """Beyond topic names, an explaining unit says a word the knowledge base explains designs in;
    an everyday idiom around the names ("the usual suspects") says nothing."""
    domain = domain_vocabulary(
        ["Hash user ids before logging.", "Keep raw ids out of logs; hash them.", "Suspects."]
    )
    assert {"hash", "ids"} <= domain and "suspects" not in domain  # in two paragraphs or more
    vocabulary = frozenset({"privacy", "drift"})
    units = segment("Privacy: we hash the ids.\n\nPrivacy and drift are the usual suspects.\n")
    assert explaining(units, vocabulary, domain).tolist() == [True, False]
    assert explaining(units, vocabulary).tolist() == [True, True]  # any word, without a domain


def test_a_longer_keywords_words_name_its_topic_only_together():
    """ "binary classification per pair", a terse note's whole framing, read as naming topics only
    (and was neither quoted nor said about the ML objective): "per" and "pair" were rubric terms,
    being words of other keywords ("queries per second", "query-item pair", say). A longer keyword's
    words name its topic where all of them are said; a one-word keyword or a title's word anywhere."""
    terms = RubricTerms.of(
        [["binary classification", "queries per second"], ["cold start", "new users"], ["drift"]],
        ["ML objective and task type"],
    )
    assert terms({"binary", "classification", "per", "pair"}) == {"binary", "classification"}
    assert terms({"new", "team", "rules"}) == set() and terms({"new", "users"}) == {"new", "users"}
    assert terms({"objective", "drift", "watch"}) == {"objective", "drift"}
    units = segment(
        "- binary classification per pair\n- We will handle cold start and drift\n"
        "- a new team starts on rules\n"
    )
    sentences = [u for u in units if not u.is_window]
    assert explaining(sentences, terms).tolist() == [True, False, True]
    # read with every keyword's words as rubric terms (as before), the note names topics only
    flat = frozenset({"binary", "classification", "queries", "per", "second", "pair"})
    assert explaining(sentences[:1], flat).tolist() == [False]


def test_a_question_names_its_topics_without_explaining_them():
    """A question the answer asks ("Is there an A/B testing platform, and how long do tests
    run?", listed among the questions put to the interviewer) named online testing with design
    words and had it covered 66. A sentence that asks, or a word window mostly made of such
    sentences, does not explain; a rhetorical question's answer after it still does."""
    vocabulary = frozenset({"testing", "cold", "start", "privacy"})
    units = segment(
        "How do we handle cold start for brand new items in the catalogue? New items get a "
        "popularity prior from their category for their first week, then the ranker takes over "
        "once they have fifty clicks. Is there an existing A/B testing platform, and how long do "
        "experiments usually run here? Who owns the privacy review for the logged features?\n"
    )
    asked, said = asking(units), explaining(units, vocabulary)
    assert [(u.is_window, bool(a)) for u, a in zip(units, asked)] == [
        (False, True),  # the rhetorical question ...
        (False, False),  # ... and its answer
        (False, True),
        (False, True),
        (True, True),  # 13 of 24 words a question's
        (True, False),  # 1 of 24
        (True, False),  # half
        (True, True),  # all
    ]
    assert not any(said[asked]) and said[1]
    # a design with a doubt at its end says it (a red-team helper's: online testing 71 -> 51)
    hedged = segment(
        "Online: an A/B test on session length with guardrails on latency - or interleaving "
        "first?\n\nRanker: GBDT with calibrated scores (isotonic?)\n\n"
        "- Drift: PSI on the top 50 features weekly, and also the prediction distribution?\n"
    )
    assert not asking(hedged).any()
    # speech ends statements with a tag asking for assent, or says a long one with a rising voice
    spoken = segment(
        "So what I'd do first is build a two-tower retrieval model trained on watch events, "
        "right?\n\nHow it works is we retrieve a thousand candidates and rank them, okay?\n\n"
        "What we do for new users is show the most popular videos in their region for the first "
        "week and then switch to the personalised ranker once they have ten watches?\n"
    )
    assert not asking(spoken).any()


def test_a_promise_says_nothing_beyond_its_topic():
    """Words that promise a thing will be done well, often or at scale ("retrained regularly to
    ensure optimal performance", "industry-standard tools") neither explain nor count as
    substance; a cadence or a mechanism does."""
    vocabulary = frozenset({"drift", "retrained", "model", "data"})
    domain = frozenset({"tools", "performance", "weekly", "psi", "bins"})
    units = segment(
        "The model will be retrained regularly to ensure optimal performance.\n\n"
        "The model is retrained weekly, and PSI over ten bins flags data drift.\n"
    )
    assert explaining(units, vocabulary, domain).tolist() == [False, True]
    said = substance([content_tokens(u.clean) for u in units], vocabulary).tolist()
    assert said[0] == 0 and said[1] >= 3  # weekly, psi, ten, bins, flags


def test_a_goal_says_nothing_of_how_it_is_reached():
    """ "We will detect drift by monitoring for drift" and "we will prevent feedback loops by
    breaking the loop" name their topics twice, wrapped in verbs of a goal: read as explaining,
    ten such sentences had taken a 64/100 answer to 80. A goal's verbs are naming words; the
    design words said beside them still explain."""
    vocabulary = frozenset({"drift", "monitoring", "feedback", "loops", "loop", "privacy"})
    domain = frozenset({"detect", "prevent", "breaking", "following", "protect", "psi", "daily",
                        "reserve", "traffic", "exploration", "random", "hash", "ids"})  # fmt: skip
    units = segment(
        "We will detect drift by monitoring for drift.\n\n"
        "We will prevent feedback loops by breaking the loop.\n\n"
        "We will protect privacy by following best practices.\n\n"
        "We detect drift with a daily PSI check.\n\n"
        "We prevent feedback loops: reserve 5% of traffic for random exploration.\n\n"
        "We protect privacy: we hash user ids.\n"
    )
    sentences = [u for u in units if not u.is_window]
    assert explaining(sentences, vocabulary, domain).tolist() == [False] * 3 + [True] * 3


def test_a_figure_says_how_much_and_a_bare_mark_says_nothing():
    """ "Train/test split 80/20" names only rubric terms, yet says how the data is split: a figure
    stated of something explains, and counts as substance. A bare figure alone in its cell or
    after its label ("| cold start | 100% |", "Drift handling: 10/10") is a mark given to a topic:
    it explains nothing."""
    vocabulary = frozenset({"train", "test", "split", "cold", "start", "drift", "coverage"})
    units = segment(
        "Evaluation: Train/test split 80/20.\n\n"
        "| topic | coverage |\n|---|---|\n| cold start | 100% |\n| cold start | 2 weeks |\n\n"
        "- Drift handling in this design: 10/10\n- Drift alert threshold: PSI above 0.2\n"
        "- Retrain the ranker quarterly\n- Retrain the ranker regularly\n"
        "- Retrain the ranker every month\n- Retrain the ranker once a week\n"
    )
    whole = [u for u in units if not u.is_window]
    assert [u.text.strip() for u in whole] == [
        "Evaluation: Train/test split 80/20.",
        "| cold start | 100% |",
        "| cold start | 2 weeks |",
        "Drift handling in this design: 10/10",
        "Drift alert threshold: PSI above 0.2",
        "Retrain the ranker quarterly",
        "Retrain the ranker regularly",
        "Retrain the ranker every month",
        "Retrain the ranker once a week",
    ]
    figures = quantities(whole)
    assert figures.tolist() == [1, 0, 1, 0, 1, 1, 0, 1, 1]  # a cadence says how often
    vocabulary |= {"retrain", "ranker"}
    domain = frozenset({"design", "alert", "threshold", "psi", "weeks"})  # not "evaluation", "100"
    said = explaining(whole, vocabulary, domain).tolist()
    assert said == [True, False, True, True, True, True, False, True, True]
    assert explaining(whole, vocabulary, domain, np.zeros(9)).tolist()[:3] == [False, False, True]
    tokens = [content_tokens(u.clean) for u in whole]
    added = substance(tokens, vocabulary, figures) - substance(tokens, vocabulary)
    assert added.tolist() == figures.tolist()


def test_the_quantity_prefilter_never_hides_a_quantity():
    """`states_quantity` skips the full pattern on texts with no digit, "ly" or cadence word: every figure,
    cadence, latency percentile and decimal it can find is still found, in any case or script."""
    from grader.scoring.judge import QUANTITY, states_quantity

    texts = [
        "RETRAIN WEEKLY", "Biweekly refresh", "annually", "p99 under 50 ms", "PSI > .2",
        "\u0663 days of data", "10k QPS", "retrain regularly", "a daily job", "no figures here",
        "the ranker, nightly", "80/20 split", "ship it", "RETRAIN EVERY MONTH", "once a week",
        "each of the models", "every model", "reach every teacher each week",
        "A FEW THOUSAND changes a week", "fifty milliseconds", "Twenty-four hours of logs",
        "ten percent of negatives", "millions of happy users", "one of the two models",
    ]  # fmt: skip
    assert [states_quantity(t) for t in texts] == [bool(QUANTITY.search(t)) for t in texts]
    assert sum(map(states_quantity, texts)) == 17


def test_a_figure_said_in_words_is_a_figure():
    """Spoken answers and transcripts say their estimates in words: "a few thousand changes a week"
    sizes the load as "3,000 changes a week" does. A vague magnitude ("millions of users") and a
    number that counts no unit ("one of the two models") state none."""
    from grader.scoring.judge import QUANTITY

    said = {
        "We get a few thousand changes a week.": ["a few thousand"],
        "The feed has a couple hundred milliseconds, scoring fifty milliseconds.": [
            "a couple hundred",
            "fifty milliseconds",
        ],
        "Keep twenty-four hours of clicks and ten percent of negatives.": [
            "twenty-four hours",
            "ten percent",
        ],
        "Loved by millions of users, one of the two models wins.": [],
    }
    for text, figures in said.items():
        assert QUANTITY.findall(text) == figures


def test_a_run_on_sentence_is_quoted_by_its_closest_window():
    """Unpunctuated speech is one "sentence" of hundreds of words: quoted whole, it would point at
    the whole answer. It is quoted by the window inside it closest to the component instead."""
    from grader.scoring.judge import quote_order

    units, long, inside = _run_on()
    per_unit = np.full(len(units), 0.3)
    per_unit[long], per_unit[inside[2]] = 0.9, 0.7
    named = np.zeros(len(units), dtype=bool)
    named[long] = True
    order = quote_order(per_unit, units, named, None, Calibration())
    assert order[0] == inside[2] and long not in order


def test_a_shortened_text_ends_on_a_whole_word_with_one_ellipsis():
    from grader.text import shorten

    said = "We retrain daily. Then we check drift in every feature and page the on-call engineer."
    assert shorten(said, 200) == said
    for limit in range(20, len(said)):
        cut = shorten(said, limit)
        assert len(cut) <= limit and cut.endswith("…") and not cut.endswith((".…", " …"))
        assert said.startswith(cut[:-1]) and said[len(cut) - 1] in " ."  # a whole word kept
    assert shorten("x" * 50, 20) == "x" * 19 + "…"  # one long word is cut all the same


def test_a_window_is_quoted_from_where_a_clause_starts_to_where_one_ends():
    from grader.scoring.grading import clause_trimmed

    window = (
        "Flink) writing into an online feature store like Redis, and the same definitions are "
        "backfilled offline to avoid training-serving skew. Scores and"
    )
    s, e = clause_trimmed(window)
    assert window[s:e] == (
        "writing into an online feature store like Redis, and the same definitions are "
        "backfilled offline to avoid training-serving skew."
    )
    run_on = "and we page the on call engineer when the click rate falls and we keep a holdout too"
    assert clause_trimmed(run_on) == (0, len(run_on))  # no clause break: the window as it is
    short = "Retrain daily. Then check drift"
    assert clause_trimmed(short) == (0, len(short))  # too short to lose a fragment


def test_a_scale_factor_is_applied_as_it_is_shown(kb):
    """An answer whose factor would be 0.996 is not scaled by a warning that says "scaled by 1.00"
    ("cut to 100%" in the app): the factor applied is the factor shown."""
    from grader.report import QuestionMatch
    from grader.scoring.calibration import load_calibration
    from grader.scoring.relevance import Relevance
    from grader.scoring.rubric import Rubric

    cal = load_calibration()
    case = kb.cases["fraud_detection"]

    def case_vector(cos: float) -> np.ndarray:
        return np.array([[cos, (1 - cos**2) ** 0.5, 0.0]], dtype=np.float32)

    class Index:  # the asked case's vector sits just under relevance_high from the answer
        def case_vectors(self):
            near_high = cal.relevance_high - 0.0006 * (cal.relevance_high - cal.relevance_low)
            return {case.id: case_vector(near_high), "spam_detection": case_vector(0.1)}

    question = QuestionMatch(id=case.id, title=case.title, matched_by="id")
    rubric = Rubric(question, case, [], [])
    centroid = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
    warnings: list[str] = []
    factor = Relevance(kb, Index(), cal).factor(rubric, centroid, 400, warnings)
    assert factor == 1.0 and not warnings
    far = Relevance(kb, Index(), cal)
    vectors = {case.id: case_vector(0.38), "spam_detection": case_vector(0.1)}
    far.index = type("Far", (), {"case_vectors": lambda self: vectors})()
    expected = round((0.38 - cal.relevance_low) / (cal.relevance_high - cal.relevance_low), 2)
    assert far.factor(rubric, centroid, 400, warnings) == expected < 1.0
    assert warnings and warnings[0].endswith(f"scaled by {expected:.2f}")
