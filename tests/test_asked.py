"""Lines of a written answer giving the interviewer's words are what was asked, not what the
candidate said: they are not counted."""

from grader.scoring.asked import interviewer_lines
from tests.conftest import EXAMPLES

ASKED = [
    "Interviewer: So you'd watch PSI on every feature, alert on a shift and retrain on fresh data?",
    '> **Interviewer:** "How would you monitor this model for drift and data quality?"',
    "Interviewer (Sam): and how would you roll it out, behind a canary with a rollback?",
]


def test_the_interviewers_lines_are_found_in_the_forms_people_write_them():
    text = "\n".join(["We rank with a GBDT.", *ASKED, "Me: yes, exactly."]) + "\n"
    assert [text[s:e] for s, e in interviewer_lines(text)] == ASKED
    said = (
        "The interviewer: asked about drift, so we compare PSI weekly.\nInterviewers: 3 per loop.\n"
    )
    assert interviewer_lines("We rank with a GBDT; interviewer: none.\n") == []
    fields = "- Interviewer: id, calendar, expertise tags\n```\nInterviewer: a log line\n```\n"
    assert interviewer_lines(fields) == []  # a field of a design about interviews; code
    assert [said[s:e] for s, e in interviewer_lines(said)] == []


def test_a_turn_runs_on_over_the_lines_plainly_still_the_interviewers():
    quoted = (
        "> **Interviewer:** how would you monitor it?\n> PSI on every feature, paging on a shift?\n"
    )
    labelled = "Interviewer: and drift?\nWould you retrain on a PSI alert?\nMe: yes, exactly.\n"
    assert [quoted[s:e] for s, e in interviewer_lines(quoted + "\nYes.\n")] == [quoted[:-1]]
    turn = labelled.split("\nMe")[0]
    assert [labelled[s:e] for s, e in interviewer_lines(labelled)] == [turn]
    # the candidate's side unlabelled: the line after the question may be their answer
    answered = "Interviewer: and drift?\nWe compare PSI weekly on every feature.\n"
    assert [answered[s:e] for s, e in interviewer_lines(answered)] == ["Interviewer: and drift?"]
    ended = "Interviewer: and drift?\nMore of the question?\n\nWe compare PSI weekly.\nMe: done.\n"
    assert [ended[s:e] for s, e in interviewer_lines(ended)] == [ended.split("\n\n")[0]]


def test_askers_are_found_in_more_forms_and_the_answer_after_a_question_is_kept():
    forms = {
        "Interviewer \u2014 so you'd fall back to priors?\nYes.\n": [
            "Interviewer \u2014 so you'd fall back to priors?"
        ],
        "[14:02] Priya (interviewer): and new cards?\nWe use BIN priors.\n": [
            "[14:02] Priya (interviewer): and new cards?"
        ],
        "Interviewer's follow-up: what about drift?\nPSI weekly.\n": [
            "Interviewer's follow-up: what about drift?"
        ],
        # the candidate's label later on the line ends the turn there
        "Interviewer: And new cards? Me: BIN priors until a card has history.\n": [
            "Interviewer: And new cards?"
        ],
        # a question answered unlabelled, or in bullets, in a dialogue labelled elsewhere
        "Interviewer: Privacy?\nMe: tokenised PANs.\nInterviewer: New cards?\nBIN priors.\n": [
            "Interviewer: Privacy?",
            "Interviewer: New cards?",
        ],
        "Interviewer: New cards?\n- BIN priors\nMe: and device reputation\n": [
            "Interviewer: New cards?"
        ],
        # a "Response:" field of the design is no label of the candidate's
        "- Response: allow or block\nInterviewer: so you'd\nfall back to priors?\nWe do.\n": [
            "Interviewer: so you'd"
        ],
        # one "A:" line far off is no labelled dialogue here
        "Interviewer: how would you monitor it\nWe compare PSI weekly.\n\n"
        + "More of the design. " * 40
        + "\n\nA: two-tower retrieval.\n": ["Interviewer: how would you monitor it"],
        # lines saved on Windows
        "Interviewer: drift?\r\nRetrain on a PSI alert?\r\nOr page?\r\nMe: yes\r\n": [
            "Interviewer: drift?\r\nRetrain on a PSI alert?\r\nOr page?"
        ],
        # a question posed and answered on one line keeps its answer
        "Q: should list price be a feature? It leaks the asking price, so no.\n": [
            "Q: should list price be a feature?"
        ],
    }
    for text, turns in forms.items():
        assert [text[s:e] for s, e in interviewer_lines(text)] == turns, text


def test_askers_named_by_other_roles_bold_labels_and_table_rows_are_found():
    forms = {
        # other roles, numbered interviewers, in a dialogue labelled on both sides
        "Hiring manager: and drift, PSI per feature?\nMe: Yes.\n": [
            "Hiring manager: and drift, PSI per feature?"
        ],
        "**Interviewer 2:** What about drift?\nA: PSI.\n": ["**Interviewer 2:** What about drift?"],
        "Bar raiser: why not a GBDT?\nCandidate: latency.\n": ["Bar raiser: why not a GBDT?"],
        # bold closing on the label, with the words after it or on the line under it
        "**Interviewer** And privacy, with DP on embeddings?\n\nSure.\n": [
            "**Interviewer** And privacy, with DP on embeddings?"
        ],
        "**Interviewer**\nWhat about drift?\n\nPSI weekly.\n": [
            "**Interviewer**\nWhat about drift?"
        ],
        # a Word document's Speaker | Words table, read as Markdown rows
        "| Speaker | Words |\n|---|---|\n| Interviewer | Drift, PSI per feature? |\n"
        "| Candidate | Yes. |\n": ["| Interviewer | Drift, PSI per feature? |"],
        # a dialogue written as a list, with times, numbered, or on one line
        "- Interviewer: So PSI per feature?\n- Me: Yes.\n": ["- Interviewer: So PSI per feature?"],
        "14:02 Interviewer: Drift?\n14:03 Me: PSI.\n": ["14:02 Interviewer: Drift?"],
        "Q1: Why not a GBDT?\nA1: Latency.\n": ["Q1: Why not a GBDT?"],
        "Me: Retrieval first. Interviewer: So PSI per feature? Me: Yes.\n": [
            "Interviewer: So PSI per feature?"
        ],
        # the list a turn's colon opens is the turn's
        "Interviewer: Two follow-ups:\n- PSI per feature?\n- weekly retraining?\nMe: Both.\n": [
            "Interviewer: Two follow-ups:\n- PSI per feature?\n- weekly retraining?"
        ],
        # a label alone on its line, its words after a blank line or a Windows line end
        "**Interviewer:**\r\nHow would you monitor drift?\r\n": [
            "**Interviewer:**\r\nHow would you monitor drift?"
        ],
        "**Interviewer:**\n\nHow would you monitor drift?\n\nPSI.\n": [
            "**Interviewer:**\n\nHow would you monitor drift?"
        ],
        # options named "A - ..." in the interviewer's words are not the candidate's label
        "Interviewer: Two options. A - a two-tower model. B - a GBDT. Which?\nMe: B.\n": [
            "Interviewer: Two options. A - a two-tower model. B - a GBDT. Which?"
        ],
        "Q\uff1a\u306a\u305c\uff1f\n": ["Q\uff1a\u306a\u305c\uff1f"],  # full-width marks
        # after a turn's sentence ends, an unlabelled line is the candidate's answer
        "Me: Retrieval.\nInterviewer: Walk me through serving.\nWe precompute embeddings.\n": [
            "Interviewer: Walk me through serving."
        ],
    }
    for text, turns in forms.items():
        assert [text[s:e] for s, e in interviewer_lines(text)] == turns, text
    # without the candidate's side, or without asking anything, such lines are a design's: a
    # recruiting system's roles, a table of its entities, "Q" for queries or a query vector
    for design in (
        "Roles:\nRecruiter: sees the top 50 matches.\nCandidate: sees recommended jobs.\n",
        "Q: 50k queries per second at peak, served by 40 pods.\n",
        "Q: the candidate video's embedding, projected by W_q\nK: the watched videos'\n",
        "| Role | Access |\n|---|---|\n| Candidate | own profile |\n"
        "| Recruiter | can view CV? yes, for their requisitions |\n",
        "- Interviewer: id, calendar\n- Candidate: id, CV\n",
        "**Interviewer** dashboards show each candidate's scorecard.\n",
        # the list under a line ending in a colon is the interviewer's only when it asks
        "Interviewer: Follow-ups:\n- dashboards per segment\n- weekly retraining\nMe: Both.\n"[17:],
        "Recruiter: sees the top 50 matches per role.\nHiring manager: approves the shortlist.\n",
        "| Role | Fields |\n|---|---|\n| Interviewer | id, calendar |\n| Candidate | id, CV |\n",
    ):
        assert interviewer_lines(design) == [], design


def test_the_other_side_named_by_name_or_role_is_found_when_the_candidate_answers_it():
    """ "Priya: So for drift you'd compare weekly distributions with PSI." / "Candidate: Yes,
    exactly." (and "Hiring manager:", "Tech lead:", "Q:" stating rather than asking) credited the
    candidate with the other side's design: a name whose lines the candidate's labelled line
    answers twice or more is the other side's."""
    for name in ("Priya", "Hiring manager", "Tech lead", "Q", "**Sam**"):
        said = [
            "So for drift you would compare weekly feature distributions using PSI.",
            "And user ids are hashed, with history deleted after 30 days.",
        ]
        text = "".join(f"{name}: {line}\nMe: Yes, exactly.\n" for line in said)
        assert [text[s:e] for s, e in interviewer_lines(text)] == [
            f"{name}: {line}" for line in said
        ], name
    # answered once, a label above the candidate's is a design's line ("Ranking: GBDT" above a
    # "Candidate: top 500 from ANN"), as a recruiting system's roles are
    for design in (
        "Ranking: a GBDT over 300 features.\nCandidate: the top 500 from the ANN index.\n",
        "Roles:\nRecruiter: sees the top 50 matches.\nCandidate: sees recommended jobs.\n"
        "Recruiter: approves the shortlist.\n",
    ):
        assert interviewer_lines(design) == [], design


def test_the_interviewers_words_raise_no_score_and_are_listed_as_not_counted(grader):
    weak = (EXAMPLES / "video_recommendation_weak.md").read_text()
    before = grader.grade(weak, "video_recommendation")
    dialogue = "\n\n".join(f"{line}\n\nYes, exactly." for line in ASKED)
    after = grader.grade(weak + "\n" + dialogue + "\n", "video_recommendation")
    scores = {c.id: c.score for c in before.components}
    assert all(c.score <= scores[c.id] for c in after.components)
    assert [p.quote for p in after.ignored if p.reason == "interviewer"] == ASKED
    assert any("giving the interviewer's words" in w for w in after.warnings)
    bodies = [line.split(":", 1)[1].strip(" *") for line in ASKED]
    multi = "\n\n".join(f"Interviewer: so?\n{body}\nMe: Yes, exactly." for body in bodies)
    again = grader.grade(weak + "\n" + multi + "\n", "video_recommendation")
    assert all(c.score <= scores[c.id] for c in again.components)


def test_an_answer_headed_by_the_interviewers_question_is_written_text(tmp_path):
    """Only the interviewer labelled, with lines of the answer unlabelled: it had been read as a
    transcript in which nobody else speaks, and refused ("has no turns by the candidate")."""
    from grader.answers.files import load_answer_file

    path = tmp_path / "answer.md"
    path.write_text(
        "Interviewer: Design real-time fraud detection for card payments.\n\n"
        "We score each transaction with a GBDT on velocity, device and geo features.\n"
    )
    answer = load_answer_file(path)
    assert answer.source.kind == "text" and answer.graded_text == answer.text
    spans = interviewer_lines(answer.graded_text)
    assert [answer.text[s:e] for s, e in spans] == [answer.text.splitlines()[0]]


def test_long_turns_are_read_in_linear_time():
    """A blockquote turn of 400,000 lines took 5.5 s: each line reread the whole turn so far."""
    import time

    for crafted in (
        "> Interviewer: hi\n" + ">\n" * 400_000,
        "Me: hi\nInterviewer: hello\n" + "x\n" * 240_000,
        "Me: a. Interviewer: b " * 30_000,
    ):
        started = time.perf_counter()
        interviewer_lines(crafted)
        assert time.perf_counter() - started < 4, crafted[:24]


def test_the_interviewers_question_told_in_the_candidates_words_is_what_was_asked():
    """An interview-experience post tells the questions: "he asked how I'd monitor the system and
    deal with drift" had drift credited to the candidate. The question is set aside to its
    sentence's end, or to where the candidate's own words begin; a design's "he asked for a
    refund" is no interviewer's."""
    told = (
        "The interviewer asked me to design the home feed of a video app. I started with the "
        "objective. With five minutes left he asked how I'd monitor the system and deal with "
        "drift. He then asked how I'd handle cold start, and I said new videos get a content "
        "embedding. She also pushed me on latency; I said 50 ms at p99. The hiring manager "
        "wanted to know whether we log features for privacy audits - I said we hash user ids.\n"
    )
    assert [told[s:e] for s, e in interviewer_lines(told)] == [
        "The interviewer asked me to design the home feed of a video app.",
        "he asked how I'd monitor the system and deal with drift.",
        "He then asked how I'd handle cold start",
        "She also pushed me on latency",
        "The hiring manager wanted to know whether we log features for privacy audits",
    ]
    # more ways of telling it, in a post that tells an interview ("I said ...")
    for said in (
        "I was asked how I'd monitor the model for drift",
        'He asked "what about drift"',
        "He kept asking about the A/B test design and guardrail metrics",
        "My interviewer wondered whether the model would drift over the holidays",
        "He also wanted me to talk about fairness across regions",
    ):
        text = f"In the interview I said we'd start with the objective. {said}, and I said PSI.\n"
        assert [text[s:e] for s, e in interviewer_lines(text)] == [said], said
    # a design's users, customers and recruiting data: no interview is told in it (a red-team
    # helper's: "she asked whether the second charge would be refunded" had been set aside, and
    # bullet notes lost nine lines after it)
    for design in (
        "A customer writes that he asked for a refund twice; the router sends it to billing.\n",
        "The interviewer pool is balanced by load; each interviewer asks four questions.\n",
        "```\nhe asked how to retry\n```\n",
        'Example ticket: "I was charged twice" - she asked whether the second charge would be '
        "refunded, so the classifier routes it to Billing.\n",
        "- example: she asked about a refund for a double charge -> Billing\n- model: GBDT\n",
        "For each past loop we store which competencies the interviewer asked about.\n",
        "The interviewer probed the same topics in 80% of loops, so diversity is a feature.\n",
        "Persona: Dana, a nurse. She wanted to know which patients were deteriorating, so the "
        "alert model ranks patients by risk every 15 minutes.\n",
    ):
        assert interviewer_lines(design) == [], design
    # in a told interview, a question ends at its clause, line or sentence, or where the
    # candidate's words begin, whatever follows (a second red team's: model choice 59 -> 24)
    notes = "Interview: I said GBDT.\n- he asked about drift\n- PSI weekly on every feature\n"
    assert [notes[s:e] for s, e in interviewer_lines(notes)] == ["he asked about drift"]
    post = (
        "My interview, told: I said we'd start with the objective. When he asked about the model "
        "I proposed a LightGBM regressor with quantile loss. She pushed me on latency because "
        "the budget is 100 ms: retrieval takes 15 ms and the ranker 8 ms.\n"
    )
    assert [post[s:e] for s, e in interviewer_lines(post)] == [
        "he asked about the model",
        "She pushed me on latency",
    ]
    # a design doc saying "I proposed" tells no interview: its users ask and follow up
    doc = (
        "I proposed a two-tower model. When a user rephrases, they followed up within 30 seconds, "
        "a negative label; he asked about a refund, so the ticket goes to billing. I was asked to "
        "keep latency under 100 ms, so the ranker uses 200 trees.\n"
    )
    assert interviewer_lines(doc) == []
