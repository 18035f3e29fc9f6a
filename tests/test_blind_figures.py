"""The blind set's figures that need no grader: a second reader's spans read as quotes."""

from evals.blind import BlindAnswer, load_blind, span_ceiling

TEXT = "We log every click. Drift is checked weekly with PSI. Retrain nightly on fresh data.\n"


def _answer(spans, third):
    labels = {"drift": "covered", "retraining": "covered", "privacy": "missing"}
    return BlindAnswer(
        id="t1", question="q", case=None, style="s", text=TEXT, quality=3, labels=labels,
        spans=spans, third=third,
    )  # fmt: skip


def test_a_second_readers_spans_count_inside_only_the_same_components_spans():
    a = _answer(
        {"drift": ["Drift is checked weekly with PSI."], "retraining": ["Retrain nightly"]},
        {
            "labels": {"drift": "covered", "retraining": "partial", "privacy": "partial"},
            "spans": {
                # inside, then outside the first reader's drift span
                "drift": ["checked weekly with PSI", "We log every click."],
                "retraining": ["Drift is checked weekly"],  # another component's span
                "privacy": ["We log every click."],  # the first reader marked it missing
            },
        },
    )
    c = span_ceiling([a])
    assert c["spans"] == 4
    assert c["evidence_precision"] == 0.25
    assert c["first_span_precision"] == round(1 / 3, 3)  # the first span of each component
    assert c["component_agreement"] == round(2 / 3, 3)  # privacy: missing against partial


def test_answers_without_both_readers_spans_are_left_out():
    only_first = _answer({"drift": ["Drift is checked weekly with PSI."]}, None)
    no_spans = _answer({"drift": ["Drift is checked weekly with PSI."]}, {"labels": {}})
    assert span_ceiling([only_first, no_spans]) == {"answers": 0}


def test_the_blind_sets_second_spans_are_verbatim_and_under_present_components():
    third = [a for a in load_blind() if a.third]
    assert len(third) >= 20
    for a in third:
        assert set(a.third["labels"]) == set(a.labels)
        for cid, spans in a.third["spans"].items():
            assert a.third["labels"][cid] != "missing"
            assert all(s in a.text for s in spans), (a.id, cid)
