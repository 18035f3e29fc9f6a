"""Challenges: a choice interviewers press on (a random split of data that changes over time, a
latency budget on the average, quality watched live before labels come back) is quoted back with the note's question, first among the follow-ups; a passage that
shows it knows the catch, or a rubric where the catch does not bite, earns none."""

from __future__ import annotations

import numpy as np
import pytest

from grader.errors import KnowledgeBaseError
from grader.knowledge.notes import Challenge, load_kb
from grader.scoring.challenges import find_challenges, quoted
from grader.scoring.probes import MAX_QUOTE_CHARS
from grader.scoring.segment import segment

FRAUD = (
    "We score every card payment before it is approved. Features are the amount, the merchant "
    "category, the device and how many payments the card made in the last hour. We train gradient "
    "boosted trees on six months of labelled payments, with chargebacks as labels.\n\n"
    "{evaluation}\n\n"
    "Serving runs behind the payment API with a {latency} latency of 40 ms. {monitoring}"
)
ETA = (
    "We predict the delivery time of each food order at checkout. Features are the distance, the "
    "restaurant's preparation time and how many couriers are free nearby. We train gradient "
    "boosted trees on six months of delivered orders, with the actual delivery time as the label."
    "\n\n{evaluation}\n\n"
    "Serving runs behind the checkout API with a {latency} latency of 40 ms. {monitoring}"
)
NAIVE = dict(
    evaluation="We split the payments randomly 80/20 and measure accuracy on the test set.",
    latency="mean",
    monitoring="We monitor precision in real time on a dashboard.",
)
AWARE = dict(
    evaluation=(
        "Accuracy is meaningless with so few frauds, so we report PR-AUC and recall at a 1% "
        "false-positive rate on the most recent month, held out by time."
    ),
    latency="p99",
    monitoring=(
        "We watch the score distribution live and precision once the chargeback labels arrive."
    ),
)


def challenges_of(report):
    return [f for f in report.follow_up_questions if f.kind == "challenge"]


def test_a_naive_answer_is_challenged_first_on_its_choices(grader):
    answer = FRAUD.format(**NAIVE)
    report = grader.grade(answer, "fraud_detection")
    found = challenges_of(report)
    assert [f.component_id for f in found] == ["offline_metrics", "scale_latency"]
    assert report.follow_up_questions[: len(found)] == found  # challenges lead
    first = found[0]
    assert first.quote == NAIVE["evaluation"].rstrip(".") and first.quote in answer
    assert first.question.startswith(f'You said: "{first.quote}". ')
    assert "split by time" in first.question and len(first.listen_for) == 3  # the top level first
    assert "percentile" in found[1].question and "mean latency of 40 ms" in found[1].quote
    # one question per component: offline metrics asks nothing else
    assert sum(f.component_id == "offline_metrics" for f in report.follow_up_questions) == 1


def test_an_answer_that_knows_the_catch_is_not_challenged(grader):
    report = grader.grade(FRAUD.format(**AWARE), "fraud_detection")
    assert challenges_of(report) == []


def test_a_catch_that_does_not_bite_here_is_not_asked(grader):
    """Live quality before labels is challenged only where labels come late: a delivery-time
    estimate, known within the hour, sets label delay aside as not applicable. An answer to another
    question is challenged on nothing (it is not about this one)."""
    choices = {**NAIVE, "latency": "p99"}
    fraud = challenges_of(grader.grade(FRAUD.format(**choices), "fraud_detection"))
    eta = challenges_of(grader.grade(ETA.format(**choices), "eta_prediction"))
    assert [f.component_id for f in fraud] == ["offline_metrics", "monitoring_metrics"]
    assert [f.component_id for f in eta] == ["offline_metrics"]  # the random split still bites
    assert "monitoring_metrics" not in {f.component_id for f in eta}
    off_topic = grader.grade(FRAUD.format(**choices), "eta_prediction")
    assert off_topic.question.off_topic and not challenges_of(off_topic)


def test_each_challenge_of_the_knowledge_base_finds_and_spares(kb):
    """Every challenge finds the choice in a plain sentence and spares one that knows the catch,
    so a pattern that can never fire, or fires on awareness, fails here."""
    cases = {
        ("offline_metrics", 0): ("We use 5-fold cross-validation to pick the model.",
                                 "We split 80/20 and train a random forest."),
        ("offline_metrics", 1): ("We evaluate the classifier by its accuracy on a held-out set.",
                                 "Accuracy misleads with rare positives, so we report PR-AUC."),
        ("scale_latency", 0): ("The average latency must stay under 100 ms.",
                               "The p99 latency must stay under 100 ms."),
        ("monitoring_metrics", 0): ("We track real-time precision on a dashboard.",
                                    "We track precision once the labels arrive."),
    }  # fmt: skip
    written = {(c.id, i) for c in kb.concepts.values() for i, _ in enumerate(c.challenges)}
    assert written == set(cases)
    for (cid, i), (naive, aware) in cases.items():
        challenge = kb.concepts[cid].challenges[i]
        assert challenge.finds(naive), (cid, naive)
        assert challenge.finds(aware) is None, (cid, aware)


SPARED = [  # choices no one made: an experiment's split, a traffic multiple, an epoch's shuffle
    "We randomly split users 50/50 between control and treatment for the A/B test.",
    "Traffic can spike 3-fold on holidays, and 10-fold during a sale.",
    "We shuffle the training examples every epoch.",
    "We tune with random search and report results on the test set.",
    "Analysts cross-validate the flagged cases with the fraud team.",
    "We train a random forest on an 80/20 split by time.",
    "Recall must be high before we go live.",
    "Monitor the average latency, error rate and throughput on a dashboard.",
    "A random 80/20 split won\u2019t work for fraud, so we split by time.",  # a curly apostrophe
    "Annotators' label accuracy is audited on a weekly sample.",
    "We report MAE, and forecast accuracy within 10% of the actual load.",
]


def test_choices_no_one_made_are_not_challenged(kb):
    challenges = [c for concept in kb.concepts.values() for c in concept.challenges]
    for sentence in SPARED:
        assert not [c.ask for c in challenges if c.finds(sentence)], sentence


def test_a_question_the_candidate_asks_makes_no_choice(grader):
    answer = FRAUD.format(**{**NAIVE, "evaluation": "Could we just split the data randomly?"})
    found = challenges_of(grader.grade(answer, "fraud_detection"))
    assert "offline_metrics" not in {f.component_id for f in found}


def test_only_counted_passages_are_challenged_and_quoted_as_written(kb):
    answer = "- Random 80/20 train/test split\n- We tune it with 5-fold cross-validation.\n"
    units = segment(answer)
    counted = np.array([not u.is_window for u in units])
    rubric = ["offline_metrics", "drift"]
    (found,) = find_challenges(kb, answer, answer, units, counted, rubric)
    assert found.quote == "Random 80/20 train/test split"  # no list marker; the first choice
    assert find_challenges(kb, answer, answer, units, np.zeros(len(units), bool), rubric) == []
    # a passage holding something set aside (blanked in the text graded) is not quoted
    read = answer.replace("Random", "      ")
    (found,) = find_challenges(kb, answer, read, units, counted, rubric)
    assert found.quote == "We tune it with 5-fold cross-validation"
    assert find_challenges(kb, answer, answer, units, counted, ["offline_metrics"]) == []


def test_a_long_passage_is_quoted_by_whole_words_around_the_choice():
    passage = "word " * 60 + "we measure accuracy here " + "more " * 60
    at = passage.index("accuracy")
    q = quoted(passage, at, at + len("accuracy"))
    assert (
        "accuracy" in q and len(q) <= MAX_QUOTE_CHARS + 2 and q.startswith("…") and q.endswith("…")
    )
    assert q.strip("…") in passage and not q.strip("…").startswith(" ")
    # no space to cut at (a pasted address): the cut falls mid-word, and the choice is kept
    url = "https://example.com/" + "x" * 200 + "5-fold" + "y" * 200
    at = url.index("5-fold")
    q = quoted(url, at, at + 6)
    assert "5-fold" in q and q.strip("…") in url and len(q) <= MAX_QUOTE_CHARS + 2


def test_a_challenge_that_cannot_be_read_is_refused_in_one_line(kb_copy):
    with pytest.raises(ValueError, match="said is not a regular expression"):
        Challenge(said="accuracy (", ask="Why?")
    with pytest.raises(ValueError, match="matches empty text"):
        Challenge(said="(accuracy)?", ask="Why?")
    note = kb_copy / "concepts" / "offline_metrics.md"
    note.write_text(note.read_text().replace("needs: [drift]", "needs: [drfit]"))
    with pytest.raises(KnowledgeBaseError, match="field 'challenges': unknown concept id 'drfit'"):
        load_kb(kb_copy)


def test_a_challenged_choice_is_no_strength(grader):
    """ "check accuracy on a held-out random 20% split" was the answer's mistake, yet it was listed
    among what the answer did well (training setup, covered), and the split was not challenged (a
    percentage was not read as the split's size). A challenged passage is no strength."""
    from grader.scoring.advice import STRENGTH_MIN, Advisor, challenged_quotes

    answer = (
        "I'd frame this as classification: will this merge request cause an outage afterwards. "
        "Labels come from reverted merge requests in the git history. Features: lines changed, "
        "files touched, how many past commits the author has, and whether tests were added. I'd "
        "train a random forest and check accuracy on a held-out random 20% split; 95% accuracy "
        "would be good. Then it runs as a bot that comments on each merge request, retrained "
        "every month."
    )
    report = grader.grade(answer, "Design a system that flags risky merge requests before merge.")
    quotes = challenged_quotes(report.follow_up_questions)
    assert any("random 20% split" in q for q in quotes), report.follow_up_questions
    assert not any("random 20% split" in s for s in report.strengths), report.strengths
    assert report.strengths  # the rest of what it did well is still said
    # unchallenged (and scored as a strength), it would be shown: the challenge is what drops it
    lifted = [c.model_copy(update={"score": max(c.score, STRENGTH_MIN)}) for c in report.components]
    assert any("random 20% split" in s for s in Advisor.strengths(lifted))


def test_a_recent_training_window_is_no_split_by_time(kb):
    """ "the last year" said of the data trained on says nothing of how it is split: k-fold tuning
    on it is still challenged (an interviewer's cohort: a time-ordered dock forecast tuned with
    cross-validation went unasked); said of the period tested or held out, it is the catch known."""
    challenge = kb.concepts["offline_metrics"].challenges[0]
    for naive in (
        "I'd train on the last year of data and tune hyperparameters with cross-validation.",
        "Train on the last 6 months with a random 80/20 split.",
    ):
        assert challenge.finds(naive), naive
    for aware in (
        "We use 5-fold cross-validation for tuning and test on the last two weeks.",
        "Random 80/20 split, holding out the last month as a final check.",
        "The last 3 months are the test set; within training we use 5-fold CV.",
    ):
        assert challenge.finds(aware) is None, aware


def test_a_catch_written_for_other_kinds_of_system_is_not_asked(kb):
    """The accuracy trap ("what accuracy does a model that never flags anything get?") bites where
    positives are rare; a used-car price regressor's "balances accuracy, simplicity and business
    value" was asked it first. A question of unknown kind is still asked."""
    answer = "We pick the model that best balances accuracy, simplicity and business value."
    units = segment(answer)
    counted = np.array([not u.is_window for u in units])
    rubric = ["offline_metrics", "class_imbalance"]

    def asked(systems) -> list[str]:
        return [
            f.component_id
            for f in find_challenges(kb, answer, answer, units, counted, rubric, systems)
        ]

    assert asked(["classification"]) == ["offline_metrics"]
    assert asked(["regression"]) == []
    assert asked([]) == ["offline_metrics"]  # of unknown kind: it may bite
