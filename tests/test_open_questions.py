"""Open questions: a free-text question is graded against itself and the bank cases near it, never
judged off-topic against one case it is only near, and kept as typed in reports and history."""

import pytest

from grader.batch import flag_list, score_checks
from grader.practice.history import History
from grader.scoring import probes
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
FRAUD = (EXAMPLES / "fraud_detection_notes.md").read_text(encoding="utf-8")
NOTIFICATIONS = "Design a notification ranking system"


def _scaled(report) -> bool:
    return any("scores were scaled" in w for w in report.warnings)


def test_a_question_near_a_bank_case_is_graded_as_asked(grader, strong_answer, tmp_path):
    report = grader.grade(strong_answer, NOTIFICATIONS)
    q = report.question
    assert q.matched_by == "retrieval" and q.asked == NOTIFICATIONS and q.informed_by
    assert not _scaled(report)  # a ranking design answers a ranking question
    history = History(tmp_path / "h.sqlite3")
    attempt = history.get(history.save(strong_answer, report))
    assert attempt.question_title == NOTIFICATIONS and attempt.question_id is None


def test_an_answer_to_another_question_is_still_off_topic(grader):
    report = grader.grade(FRAUD, NOTIFICATIONS)
    assert _scaled(report) and report.overall_score < 20


CHURN = (
    "Design a system that predicts which subscribers of a streaming service are likely to cancel "
    "next month, so the retention team can reach out."
)
RIVAL = "reads more like an answer to another question"


def test_an_answer_reading_like_another_question_than_the_one_asked_is_scaled(grader):
    """No bank case is near a churn question, so none stood against a fraud design given for it:
    such answers had scored 91-94 unscaled. The other questions the knowledge base holds do."""
    report = grader.grade(FRAUD, CHURN)
    said = next(w for w in report.warnings if "scores were scaled" in w)
    assert RIVAL in said and report.overall_score < 30
    # the same design under a fraud question of its own is not scaled; nor, by this reading, under
    # a question too terse to weigh its answer against others
    assert not _scaled(
        grader.grade(FRAUD, "Design fraud detection for card payments at an online shop.")
    )
    assert not any(RIVAL in w for w in grader.grade(FRAUD, "Subscriber churn").warnings)


MAINTENANCE = (
    "Design a predictive maintenance system that warns before factory machines fail, using their "
    "sensor readings"
)
MAINTENANCE_ANSWER = """The goal is fewer unplanned stoppages on the production line: a warning should
come early enough for the maintenance crew to swap a part during a planned break, and false alarms
cost technician hours, so we aim for a precision of at least 0.5 at a 48-hour horizon.

Each machine streams vibration, temperature, current draw and spindle speed every second. We
aggregate them into ten-minute windows: mean, peak, spectral energy in the bearing-fault bands, and
trends over the last day. Labels come from the maintenance log: a window is positive when a failure
of that machine was recorded in the next 48 hours. Failures are rare, about one per machine per
year, so we weight positives and evaluate with precision and recall at the alert threshold, split
by time so that the test months come after the training months.

A gradient-boosted tree model scores every machine each ten minutes in a batch job; alerts go to
the maintenance dashboard with the top sensor contributions. We track sensor drift after
recalibrations and retrain monthly as new failures are logged."""


def test_a_question_far_from_every_case_is_judged_against_itself(grader):
    """A question graded with the framework's rubric has no case near it: an answer to a bank case
    (even the least far one, which informed the rubric) is off topic, an answer to it is not."""
    honest = grader.grade(MAINTENANCE_ANSWER, MAINTENANCE)
    assert honest.question.matched_by == "framework" and not _scaled(honest)
    other = grader.grade(FRAUD, MAINTENANCE)
    assert other.question.matched_by == "framework"
    assert _scaled(other) and other.overall_score < 20
    assert any("closer to 'Real-time payment fraud detection" in w for w in other.warnings)


@pytest.mark.parametrize(
    "question",
    [
        MAINTENANCE,
        "How would you build a model that suggests jobs to job seekers?",
        "Design a system that forecasts bike-share demand at each docking station",
    ],
)
def test_a_framework_rubric_suggests_only_cases_of_the_kind_asked(grader, question):
    """Reading for a question no bank case matches comes from cases of the kind it asks for: a
    job recommender is not sent to a delivery-time regression whose words it happens to be near."""
    report = grader.grade(MAINTENANCE_ANSWER, question)
    q = report.question
    assert q.matched_by == "framework" and q.systems
    for case_id in q.informed_by:
        assert set(grader.kb.cases[case_id].systems) & set(q.systems), (case_id, q.systems)
    # the warning names as "the nearest" the case the report's reading names first
    far = next(w for w in report.warnings if "matches this question closely" in w)
    if q.informed_by:
        assert f", {grader.kb.cases[q.informed_by[0]].title}, is too far" in far, far


LOAN_ANSWER = """The lender wants to approve more good applicants for personal loans while keeping losses down:
the business metric is the default rate of approved loans, with approval volume as a guardrail,
and each decision must come back within a few seconds of the online application.

The label is whether a loan reached ninety days past due within its first year, so labels arrive
a year late; we train on loans old enough to have matured and watch early-payment signals in the
meantime. Applications we declined have no outcome at all, so a small share of borderline cases is
approved on purpose to learn from them.

Features come from the application form and the credit bureau: income, debt-to-income ratio,
length of credit history, recent inquiries, utilisation and past delinquencies. Protected
attributes are never features, and we check approval and error rates by group before launch.

A gradient-boosted tree model with monotonic constraints gives a probability of default; the
approval threshold is set from expected loss. Every decline needs the main reasons, taken from the
per-feature contributions. We evaluate on a later time window, then run the new model in shadow
beside the current scorecard before a gradual rollout, and monitor score drift monthly."""


@pytest.mark.parametrize(
    "question", ["Design a mortgage underwriting model.", "Mortgage underwriting"]
)
def test_a_terse_question_is_answered_by_an_answer_about_its_subject(grader, question):
    """A terse question reads less like every answer, its own included: its similarity is read
    with how far it falls short of a typical question's reach. A loan-approval design that never
    says "mortgage" answers it (it was scaled by 0.57 and 0.37); a fraud design still does not."""
    assert grader.relevance.shortfall(grader.resolve_question(question).question_vector) > 0.05
    honest = grader.grade(LOAN_ANSWER, question)
    assert not _scaled(honest), honest.warnings
    other = grader.grade(FRAUD, question)
    assert _scaled(other) and other.overall_score < 20


def test_the_framework_rubric_lists_components_as_a_case_does(grader):
    """By step, in the framework's order, the critical ones first within a step: not by file name
    (which put abuse and security first and business objectives fourth)."""
    report = grader.grade(MAINTENANCE_ANSWER, MAINTENANCE)
    assert report.question.matched_by == "framework"
    steps = list(grader.kb.steps)
    severity = {"critical": 0, "important": 1, "nice": 2}
    keys = [(steps.index(c.step), severity[c.severity]) for c in report.components]
    assert keys == sorted(keys) and len(report.components) == len(grader.kb.concepts)
    # each step lists its components in the same order
    for s in report.steps:
        assert s.components == [c.id for c in report.components if c.step == s.id]


@pytest.mark.parametrize("question", ["Design an ML system", "Build a model", "ML?"])
def test_a_question_that_names_no_subject_has_no_off_topic_answer(grader, question):
    """Any design answers a question that does not say what the system is for: neither the fraud
    notes nor the maintenance design is scaled, and the report says the check was not made. The
    same answers against a question with a subject are still judged (tests above). A question of
    no word at all ("???") is refused (`test_inputs`)."""
    for answer in (FRAUD, MAINTENANCE_ANSWER):
        report = grader.grade(answer, question)
        assert report.question.matched_by == "framework" and not _scaled(report)
        assert report.overall_score > 20
        assert any("does not say what the system is for" in w for w in report.warnings)


def test_a_case_picked_by_id_keeps_its_title(grader, strong_answer, tmp_path):
    report = grader.grade(strong_answer, "video_recommendation")
    history = History(tmp_path / "h.sqlite3")
    attempt = history.get(history.save(strong_answer, report))
    assert attempt.question_id == "video_recommendation"
    assert attempt.question_title == report.question.title


def test_open_question_advice_fits_the_question_asked(grader):
    """Outside the case bank, a question far from every case is of the kind its words say (both
    ask for a classifier), or of unknown kind: "a strong answer says" quotes a concept's
    statement written for that kind or any system, the one nearest the question asked (the
    rubric's top level when there is none), never one written for another kind of system or one
    product's example, so a question about machine sensors is not advised with a video feed's
    example and two open questions get different advice."""
    import re

    answer = (
        "We would train a model on the historical data we have, put it behind an API and keep an "
        "eye on how accurate it is after launch."
    )
    questions = [
        "Design a predictive maintenance system that warns before factory machines fail, using "
        "their sensor readings",
        "Design a system that routes incoming customer support tickets to the right team",
    ]
    says = re.compile(r"A strong answer says: (.+?)(?: Watch out:|$)")
    advice, kinds = [], []
    for q in questions:
        r = grader.grade(answer, q)
        assert r.question.matched_by == "framework"
        advice.append({c.id: m.group(1) for c in r.components if (m := says.search(c.feedback))})
        kinds.append(set(r.question.systems))
    # routing tickets to a team is a classifier too (read with its final stop; without one it
    # read as close to search as to classifying)
    assert kinds == [{"classification"}, {"classification"}]
    assert len(advice[0]) > 10 and advice[0] != advice[1]
    for given, kind in zip(advice, kinds):
        for cid, text in given.items():
            concept = grader.kb.concepts[cid]
            note = next((n for n in concept.cue_notes if n.says == text), None)
            if note is None:  # no statement for its kind: the rubric's top level instead
                assert text == concept.levels.l3, (cid, text)
            else:  # written for its kind or any system, no product's example
                assert not note.systems or kind & set(note.systems), (cid, text)
                assert note.example_of is None, (cid, text)


def test_a_question_near_a_case_is_advised_with_no_products_own_example(grader):
    """A question graded with a nearby case's rubric (fake reviews, near harmful content) is advised
    with text written for no product in particular: not a concept cue whose words belong to one
    bank case ("transactions on a card" from fraud, "multiplied by bids" from ad clicks), though
    it carries no product tag, and a verdict does not move for it."""
    import re

    answer = (
        "We want to find reviews written by bots or paid writers. I'd train a classifier on reviews "
        "that moderators removed, with features like the account age, how many reviews it wrote "
        "today and whether the purchase was verified, and look at accuracy on a test set."
    )
    question = "Design a system that detects fake product reviews on a marketplace"
    r = grader.grade(answer, question)
    assert r.question.id and not r.question.by_name  # graded with a nearby case's rubric
    advice = re.compile(r"(?:A strong answer says|Add|To go further): (.+?)(?: Watch out:|$)")
    said = [m.group(1) for c in r.components if (m := advice.search(c.feedback))]
    said += [x for f in r.follow_up_questions for x in f.listen_for]
    assert len(said) > 20
    for text in said:
        assert probes.elsewhere(grader.kb, None, text) < 2 or text in _tops(grader), text
    assert not any(re.search(r"on a card|\bbids?\b|chargeback", t) for t in said), said


def _tops(grader) -> set[str]:
    return {c.levels.l3 for c in grader.kb.concepts.values()}


DENSE_FEED = """The goal is to maximise long-term watch time and daily active users. We have about
500 million users and a billion videos, so we need two stages: candidate generation and ranking.

Candidate generation uses a two-tower model: a user tower on watch history, a video tower on title,
thumbnail and engagement. We retrieve 1,000 candidates with approximate nearest neighbour search.
Other sources add candidates: subscriptions, trending and fresh uploads.

The ranker is a multi-task network predicting click, watch time and like, trained on impression logs
with the label "watched more than 30 seconds". Position bias is handled with a position tower.

Offline we measure recall@k for retrieval and nDCG for ranking on a time split; online we A/B test
watch time per user. We monitor feature drift and p99 latency, and retrain daily. New videos get an
exploration boost so that only popular videos are not shown, and creators with few followers still
reach some viewers.
"""


def test_an_answer_in_the_asked_products_words_is_on_topic_whatever_its_centroid(grader):
    """A dense video-feed design whose retrieval and ranking vocabulary reads closer to search
    ranking's prompt than to its own is not scaled as off topic: its rarer words are the video
    feed's. The same answer for fraud detection still is, and so is a fraud design for the feed
    with one sentence of feed words added."""
    from grader.scoring.relevance import SHORT_ANSWER_WORDS
    from grader.scoring.segment import count_words

    assert count_words(DENSE_FEED) >= SHORT_ANSWER_WORDS  # long enough to be judged
    feed = grader.grade(DENSE_FEED, "video_recommendation")
    assert not _scaled(feed) and feed.overall_score >= 30
    assert _scaled(grader.grade(DENSE_FEED, "fraud_detection"))
    fraud = (EXAMPLES / "fraud_detection_notes.md").read_text()
    salted = fraud + "\n\nWe rank videos for the home feed by watch time and thumbnails.\n"
    assert _scaled(grader.grade(salted, "video_recommendation"))


SHORT_FEED = (
    "Home page video feed. Two stages: a two-tower retrieval model over user and video "
    "embeddings pulls about a thousand candidates from an approximate nearest neighbour index, "
    "then a multi-task ranker predicts clicks and watch time. Features are the viewer's watch "
    "history, the creator, the video's age and its engagement so far. Offline we read recall at "
    "k and nDCG; online an A/B test on watch time per session. New uploads get an exploration "
    "slot and embeddings of their title and thumbnail. We serve from a feature store and watch "
    "for drift and for popular videos crowding out the rest."
)
SHORT_TICKETS_MODEL = (
    "Model: start with logistic regression on tabular signals and TF-IDF of the ticket text, "
    "then gradient boosted trees with an embedding of the conversation, which copes with mixed "
    "feature types and missing values and can be explained to team leads with SHAP values. A "
    "fine-tuned small transformer over the whole thread only if it beats the trees by a clear "
    "margin for its serving cost. Positives are rare, so we use a focal loss or class weights "
    "and compare models on the area under the precision-recall curve, then calibrate the scores "
    "with isotonic regression so that a risk of 0.3 means three in ten tickets escalate."
)


def test_a_short_answer_is_scaled_only_when_it_reads_as_another_bank_case(grader):
    """Under SHORT_ANSWER_WORDS words an answer is judged for topic only for reading as another
    bank case's: a 100-word video feed given for a ticket-escalation question scored 37 unscaled;
    a short answer about the asked system's model alone reads as no case at all, and is not
    called generic (too few of its passages could be about the question)."""
    from grader.scoring.relevance import SHORT_ANSWER_WORDS, TOPIC_MIN_WORDS
    from grader.scoring.segment import count_words

    tickets = "Design an ML system that predicts which support tickets will escalate"
    for text in (SHORT_FEED, SHORT_TICKETS_MODEL):
        assert TOPIC_MIN_WORDS <= count_words(text) < SHORT_ANSWER_WORDS
    feed = grader.grade(SHORT_FEED, tickets)
    assert _scaled(feed) and feed.overall_score <= 5
    assert any("closer to 'Video recommendation" in w for w in feed.warnings)
    assert not _scaled(grader.grade(SHORT_FEED, "video_recommendation"))
    assert not _scaled(grader.grade(SHORT_TICKETS_MODEL, tickets))


HIRING_ANSWER = """Rank incoming job applicants for each open role so recruiters review the most
promising resumes first; success is recruiter time saved and the share of interviewed applicants
who get offers. We learn from past applications and whether each applicant was interviewed and got
an offer. Features come from the parsed resume (skills, years of experience, past titles), the job
posting (required skills, seniority) and their overlap, plus applicant age and gender from the
application form. A gradient boosted trees model scores each applicant-job pair with a pairwise
ranking loss, against the keyword-overlap baseline recruiters use today. Offline we measure
NDCG@20 per job on a time-based split; online an A/B test compares time to fill and offer rate.
Scores are computed hourly in batch; we watch the score distribution weekly and retrain monthly."""


def test_a_question_weighs_the_concerns_its_subject_raises(grader):
    """A hiring question weighs fairness and explainability as critical (the general framework
    weighs them less), says so on its question line, and asks about them first among the gaps:
    without it, this answer, which ranks applicants on age and gender, was asked about neither."""
    from grader.render import question_line

    question = "Design a system that ranks job applicants for recruiters"
    report = grader.grade(HIRING_ANSWER, question)
    raised = {r.id: r.said for r in report.question.raised}
    assert raised == {"bias_fairness": "job applicants", "explainability": "job applicants"}
    severity = {c.id: c.severity for c in report.components}
    assert severity["bias_fairness"] == severity["explainability"] == "critical"
    assert grader.kb.concepts["explainability"].severity != "critical"
    assert (
        "weighed as critical because the question says 'job applicants': Bias and fairness"
        in question_line(report)
    )
    asked = [f.component_id for f in report.follow_up_questions]
    assert {"bias_fairness", "explainability"} <= set(asked[:3])
    plain = grader.resolve_question("Design a system that ranks the documents of a law firm")
    assert not plain.question.raised
    assert {c.id: c.severity for c in plain.components}["explainability"] != "critical"


def test_a_gap_in_a_concern_the_question_raises_is_asked_before_other_critical_gaps(grader):
    """An answer that misses a concern its question raises is asked about it before the other
    critical gaps, however much more those cost: a hiring answer training on past hires with
    their hobbies, fairness missed at 15, had been asked about monitoring, labels and the A/B
    test first, and about fairness not at all."""
    answer = (
        "I would use a big language model to read every resume and score it out of ten, then show "
        "recruiters the top ones. We fine-tune it on our past hires so it learns what a good "
        "employee looks like, from everything in the resume including schools, past employers "
        "and hobbies, because more data is better.\n\nFor evaluation we check the accuracy "
        "against recruiter decisions, and launch when it is above 90%. It runs on cloud GPUs. "
        "Later we retrain it when we have more hires. Fairness is important, so we make sure it "
        "is fair."
    )
    report = grader.grade(answer, "Design a system that ranks job applicants for recruiters")
    raised = {r.id for r in report.question.raised}
    graded = {c.id: c for c in report.components}
    missed = [c for c in raised if graded[c].status == "missing"]
    assert "bias_fairness" in missed
    others = [
        c.id
        for c in report.components
        if c.status == "missing" and c.severity == "critical" and c.id not in raised
    ]
    assert others  # other critical gaps compete
    # challenges of the choices it made come first ("we check the accuracy"), then the gaps
    asked = [f.component_id for f in report.follow_up_questions if f.kind != "challenge"]
    assert set(asked[: len(missed)]) == set(missed)
    firsts = report.improvements[: len(missed)]
    assert all(any(graded[c].title in line for line in firsts) for c in missed)


def test_stakes_add_what_a_case_lacks_and_never_touch_a_case_asked_by_name(grader):
    """A question near a bank case that names a concern the case does not list adds it, as
    critical; one the case already weighs as critical is not news; a case asked for by id keeps
    its own rubric."""
    case = grader.kb.cases["video_recommendation"]
    listed = {c.id: c.severity for c in case.components}
    assert "explainability" not in listed or listed["explainability"] != "critical"
    rubric = grader.resolve_question(
        "Design a video recommendation system for the home page whose picks are explainable"
    )
    assert rubric.question.id == "video_recommendation"
    assert [(r.id, r.said) for r in rubric.question.raised] == [("explainability", "explainable")]
    assert {c.id: c.severity for c in rubric.components}["explainability"] == "critical"
    by_id = grader.resolve_question("video_recommendation")
    assert by_id.components == grader.kb.case_components(case) and not by_id.question.raised
    assert sorted(by_id.components, key=lambda c: c.id) == sorted(
        case.components, key=lambda c: c.id
    )
    listed = {c.id: c.severity for c in case.components}
    assert listed["cold_start"] == "critical"  # a concern already critical for the case is no news
    again = grader.resolve_question("Design a video recommender that works for new users")
    assert [(r.id, r.said) for r in again.question.raised] == [] and not again.warnings[1:]
    severities = {c.id: c.severity for c in again.components}
    assert {k: severities[k] for k in listed} == listed


def test_a_question_near_a_case_keeps_the_framework_components_that_case_leaves_out(
    grader, strong_answer
):
    """A bank case leaves out what its own product does not need, saying why (a delivery-time
    model has no cold start, no rare class, no delayed labels); a question only near it may need
    them (new warehouses, rare late orders), so it is graded on them too, at the framework's
    severity, while the case's own components keep the case's. The case's own question reworded
    is graded on the case's components, as the case asked for by id is, in the same order."""
    case = grader.kb.cases["eta_prediction"]
    framework = {c.id: c.severity for c in grader.kb.case_components(None)}
    left_out = set(framework) - {c.id for c in case.components}
    assert left_out == set(case.not_applicable) == {"cold_start", "class_imbalance", "label_delay"}
    near = "Design a model that estimates how long a warehouse order will take to pick and pack."
    report = grader.grade(strong_answer, near)
    assert report.question.id == "eta_prediction" and report.question.matched_by == "retrieval"
    graded = {c.id: c for c in report.components}
    assert set(graded) == set(framework)
    assert all(graded[k].severity == framework[k] for k in left_out)
    assert all(graded[c.id].severity == c.severity for c in case.components)
    assert left_out.isdisjoint(
        c.id for c in grader.grade(strong_answer, "eta_prediction").components
    )
    reworded = grader.grade(strong_answer, "design a video recommender")
    by_id = grader.grade(strong_answer, "video_recommendation")
    assert (
        reworded.question.id == "video_recommendation"
        and reworded.question.matched_by == "retrieval"
    )
    assert [c.id for c in reworded.components] == [c.id for c in by_id.components]


def test_a_raised_concern_names_the_words_that_raise_it(grader):
    """The reason given is a phrase that raises the concern itself, never one inside another
    concern's longer phrase ("bias" in "position bias" raises feedback loops, not fairness); a
    question's genre words raise nothing."""
    from grader.scoring.stakes import raised_concerns

    said = {r.id: r.said for r in raised_concerns(grader.stakes, "Avoid position bias in hiring")}
    assert said == {
        "bias_fairness": "hiring",
        "explainability": "hiring",
        "feedback_loops": "position bias",
    }
    assert not raised_concerns(grader.stakes, "Explain how you would design a video recommender")


def test_a_phrase_raises_its_concern_in_the_singular_as_in_the_plural(grader):
    """Notes list "job seekers"; an interviewer types "a job seeker"."""
    from grader.scoring.stakes import raised_concerns

    for question in ("Rank jobs for job seekers", "Rank the job postings shown to a job seeker"):
        said = {r.id: r.said for r in raised_concerns(grader.stakes, question)}
        assert said.get("bias_fairness", "").startswith("job seeker"), said


def test_a_question_of_a_word_or_two_is_graded_with_a_warning_that_it_was_a_guess(grader):
    """ "recommendations" is read as the nearest case, which may not be the product meant: the
    report says the question was too short to tell; a case asked for by id is no guess."""
    typed = grader.resolve_question("recommendations")
    assert any("only 1 word" in w and "type the whole question" in w for w in typed.warnings)
    full = grader.resolve_question("Design a book recommendation system for an online bookstore")
    assert not any("type the whole question" in w for w in full.warnings)
    by_id = grader.resolve_question("video_recommendation")
    assert not any("type the whole question" in w for w in by_id.warnings)


def test_a_question_is_read_the_same_whatever_dresses_it(grader):
    """Quotes, brackets, markdown emphasis, a heading, quote or list mark, an opening "¿" around a
    question are not its words: read as the words alone, kept as typed. "**Design fraud detection
    for card payments**" read 0.10 further from its case, and with its "¿" a Spanish question on
    card fraud fell below the case match, to the framework's rubric, and its answer to 0/100."""
    from grader.scoring.grading import undressed

    words = "Cómo detectarías fraude con tarjetas?"
    plain = grader.resolve_question(words).question
    assert plain.id == "fraud_detection"
    dressed = [
        "¿" + words, '"' + words + '"', "**" + words + "**", "# " + words, "> “" + words + "”",
        "- " + words, "1. " + words, "(" + words + ")", "  `" + words + "`  ",
    ]  # fmt: skip
    for typed in dressed:
        read = grader.resolve_question(typed).question
        assert (read.id, read.similarity) == (plain.id, plain.similarity), typed
        assert read.asked == typed.strip()
    # a bracket inside the question stays: only one that closes an opening bracket is taken off
    for typed in (
        "Design a feed ranker (for a jobs board)",
        "(Design a feed ranker (for a jobs board))",
    ):
        assert undressed(typed) == "Design a feed ranker (for a jobs board)"
    assert grader.resolve_question("'fraud_detection'").question.matched_by == "id"


@pytest.mark.parametrize(
    "question",
    [
        "Design the ranking of job postings shown to a job seeker on the home page of a jobs marketplace",
        NOTIFICATIONS,
    ],
)
def test_a_question_is_read_the_same_with_or_without_its_final_stop(
    grader, strong_answer, question
):
    """A typed question without a final stop is read as with one: the same rubric, nearest cases
    and scores (the job-feed question took search ranking's rubric with a stop, the framework's
    without)."""
    bare, stopped = (grader.grade(strong_answer, q) for q in (question, question + "."))
    assert bare.question.asked == question  # kept as typed
    for r in (bare, stopped):
        r.question.asked = r.question.title = ""
    assert bare.to_json() == stopped.to_json()


@pytest.mark.parametrize(
    "question, kind",
    [
        # which items will do something, or whether one will: a yes or no each, never a quantity,
        # though the first reads nearest the delivery-time regression and the second, short, an
        # event recommender
        (
            "Design a system that predicts which restaurant orders will arrive late",
            "classification",
        ),
        ("Which support tickets will escalate?", "classification"),
        # an aside between the verb and "which" changes nothing ("every 15 minutes" had made it a
        # regression)
        (
            "Design a system that predicts, every 15 minutes, which docking stations of a city "
            "bike-share network will be completely empty or completely full within the next 2 hours.",
            "classification",
        ),
        # a longer aside too ("by 6:00 before the vans leave" had made it the delivery-time case)
        (
            "Design an ML system for our parcel network that predicts, every morning by 6:00 "
            "before the vans leave the depot, which of the day's parcels are at risk of a failed "
            "first delivery attempt.",
            "classification",
        ),
        # however close a regression case reads (0.71 from the delivery-time case)
        ("Which food deliveries will be late?", "classification"),
        # ... unless its words ask how much: "how late" is a quantity; nor is a relative clause
        # a question of which
        ("Predict how late each restaurant order will be.", "regression"),
        ("Estimate the price at which each listed flat will sell.", "regression"),
        (
            "Predict the minutes a taxi ride takes, which is shown to riders before booking.",
            "regression",
        ),
    ],
)
def test_a_question_asking_which_items_will_do_something_is_no_regression(grader, question, kind):
    r = grader.grade("We would train a model on past data and serve it behind an API.", question)
    assert r.question.systems == [kind], (r.question.systems, r.question.title)
    if kind == "classification":  # nor graded with a regression case's rubric
        assert r.question.id is None or "regression" not in grader.kb.cases[r.question.id].systems


def test_a_ranking_for_a_home_screen_is_a_recommender_not_a_search(grader):
    """A home screen has no query: "rank podcast episodes on a podcast app's home screen" read as
    a search system, was graded with the framework's rubric and advised on typed queries."""
    r = grader.grade(
        "We would train a model on past listens and serve it behind an API.",
        "Design a system to rank podcast episodes on a podcast app's home screen.",
    )
    assert r.question.systems == ["recommendation"], r.question.systems
    assert r.question.id is not None and "search" not in grader.kb.cases[r.question.id].systems


def test_a_word_that_names_an_office_raises_nothing_its_topic_would(grader):
    """Privacy is at stake for data about people's health, not for anything that says "health": a
    city health department ranking restaurants holds no one's health records. Abuse is at stake
    for bots to catch, not for the product's own bot."""
    from grader.scoring.stakes import raised_concerns

    inspections = "Rank the restaurants a city health department should inspect first each day"
    assert "privacy" not in {r.id for r in raised_concerns(grader.stakes, inspections)}
    for question, said in [
        ("Flag duplicate entries in a clinic's health records", "health records"),
        ("Recommend mental health articles to app users", "mental health"),
    ]:
        raised = {r.id: r.said for r in raised_concerns(grader.stakes, question)}
        assert raised.get("privacy") == said, raised
    # so with a bot: the product's own ("a dependency bot") is no adversary; bots to catch are
    dependencies = "Predict which pull requests opened by our dependency bot will break the build"
    assert "abuse_security" not in {r.id for r in raised_concerns(grader.stakes, dependencies)}
    tickets = "Design a system that detects bots buying concert tickets"
    assert "abuse_security" in {r.id for r in raised_concerns(grader.stakes, tickets)}
    # so with triage: of patients, fairness and explanations are at stake; of support tickets, not
    support = "Design a system to triage incoming IT support tickets to the right engineering team"
    assert not {"bias_fairness", "explainability"} & {
        r.id for r in raised_concerns(grader.stakes, support)
    }
    emergency = "Design emergency triage that orders who is seen first"
    assert {"bias_fairness", "explainability"} <= {
        r.id for r in raised_concerns(grader.stakes, emergency)
    }


def test_a_misspelt_question_is_read_as_the_words_it_meant_and_kept_as_typed(grader, tmp_path):
    """ "fruad detection" had found no case near it and graded a fraud answer 0/100 as off topic:
    a word the model and the knowledge base do not know is read as the design word one slip away,
    the report says so, and the question typed is what history keeps."""
    right = grader.grade(FRAUD, "Design a fraud detection system for card payments")
    typo = grader.grade(FRAUD, "Desing a fruad detecton system for card payments")
    assert not _scaled(typo) and typo.overall_score == right.overall_score
    assert typo.question.id == right.question.id == "fraud_detection"
    assert typo.question.asked == "Desing a fruad detecton system for card payments"
    said = next(w for w in typo.warnings if w.startswith("the question was read with"))
    assert '"fruad" as "fraud"' in said and '"detecton" as "detection"' in said
    assert not any("read with" in w for w in right.warnings)
    history = History(tmp_path / "h.sqlite3")
    attempt = history.get(history.save(FRAUD, typo))
    assert attempt.question_title == "Desing a fruad detecton system for card payments"


def test_a_question_asking_to_flag_items_asks_for_a_classifier(grader):
    """ "Design a model that flags duplicate product listings on a marketplace" had been graded as
    the vacation-rental carousel it reads near (0.57), a recommender, and asked what a new user
    sees first. A system that flags items decides a label for each, as one that detects them."""
    r = grader.grade(
        "We would train a model on past merges and serve it behind an API.",
        "Design a model that flags duplicate product listings on a marketplace",
    )
    assert r.question.systems == ["classification"], r.question.systems
    assert r.question.id is None or "recommendation" not in grader.kb.cases[r.question.id].systems


def test_a_question_of_another_kind_than_its_nearest_case_names_what_informed_its_rubric(grader):
    """The warning named the delivery-time case as the nearest, the report's reading a fraud case:
    both are said, and the report's rubric line names the cases that informed it."""
    from grader.render import rubric_line

    question = "Design a system that predicts which customer support tickets will escalate"
    report = grader.grade(MAINTENANCE_ANSWER, question)
    q = report.question
    assert q.matched_by == "framework" and q.informed_by
    warning = next(w for w in report.warnings if w.startswith("the nearest bank case"))
    titles = [grader.kb.cases[c].title for c in q.informed_by]
    assert warning.endswith(f"informed by {' and '.join(titles)}"), warning
    assert f"informed by: {q.informed_by[0].replace('_', ' ')}" in rubric_line(report)


DOCKS = (
    "Design a system that predicts, every 15 minutes, which docking stations of a city bike-share "
    "network will be completely empty or completely full within the next two hours, so the "
    "operations team can dispatch rebalancing vans."
)
DOCKS_ANSWER = """## Framing
Every 15 minutes we score each docking station for two events over the next two hours: it runs completely empty, or it runs completely full. Two binary classifiers (or one model with two heads) output probabilities, and the dispatch planner turns them into van routes for rebalancing.

## Data and labels
Trip logs give pickups and drop-offs per station; the dock status feed gives bikes and free docks each minute. A label is positive when the station shows zero bikes (or zero free docks) for five minutes or more inside the two-hour window.

## Features
Current fill level, net flow over the last 15/60 minutes, the same hour last week, weather forecast, events nearby, and the fill of neighbouring stations.

## Model and evaluation
Gradient-boosted trees. Offline: PR-AUC per event on a time split, and the share of stockout minutes the plan would have prevented. Online: a two-week test in half the city measuring minutes stations spend empty or full.

## Serving and monitoring
A batch job every 15 minutes writes scores to the planner. We track calibration weekly and retrain monthly."""
# another system of the same product, in its words: what a candidate who misread the question writes
DESTINATIONS_ANSWER = """## Goal
When a rider unlocks a bike, the app suggests three places they may want to ride to, so that trips feel easier and riders come back more often. Success is the share of trips that end at a suggested place and the number of weekly active riders.

## Data
Past trips per rider (start, end, time of day), saved places, points of interest near each station, and the rider's app taps on earlier suggestions.

## Model
Candidate places come from the rider's own history and from popular ends of trips starting at this station at this hour. A ranking model (gradient-boosted trees with a pairwise loss) orders them using rider history, distance, time of day and weather. New riders see the most popular ends of trips from their station.

## Evaluation
Offline: recall@3 and NDCG on last month's trips. Online: an A/B test on the share of trips ending at a suggestion, with ride counts as a guardrail.

## Serving
The ranking runs when the bike is unlocked and must answer within 100 ms. We log what was shown and tapped to retrain the ranker every week."""


def _another_system(report) -> bool:
    return any("may design another system" in w for w in report.warnings)


def test_an_answer_designing_another_system_of_the_same_product_is_said_to(grader):
    """A destination recommender for riders, given for the dock question in its domain's words,
    reads on topic (nothing scaled) but none of its passages reads close to the question and it
    says few of the question's words: the report says to check it. The answer to the question is
    not told so, nor is an answer to another product (scaled as off topic instead)."""
    honest, misread = (grader.grade(a, DOCKS) for a in (DOCKS_ANSWER, DESTINATIONS_ANSWER))
    assert not _scaled(misread) and _another_system(misread)
    assert not _scaled(honest) and not _another_system(honest)
    assert "another system?" in flag_list(misread) and "another system?" not in flag_list(honest)
    # it is what to check before comparing the score; the framework rubric that graded both is not
    assert "framework rubric" in flag_list(honest) and "framework rubric" in flag_list(misread)
    assert score_checks(misread) == ["another system?"] and score_checks(honest) == []
    assert not _another_system(grader.grade(FRAUD, NOTIFICATIONS))  # scaled, said once
    # a question naming no subject judges nothing ("Design an ML system")
    assert not _another_system(grader.grade(DESTINATIONS_ANSWER, "Design an ML system"))


def test_a_questions_own_words_are_weighed_by_how_rare_they_are(grader):
    rel = grader.relevance
    said = ["stations run empty or full", "rebalancing vans"]
    rare = rel.asked_words(DOCKS, said)
    common = rel.asked_words(DOCKS, ["design a system that predicts for the network team"])
    assert 0.3 < rare < 1.0 and common < rare  # "empty", "full", "rebalancing" weigh more
    assert rel.asked_words(DOCKS, [DOCKS]) == 1.0 and rel.asked_words(DOCKS, []) == 0.0
