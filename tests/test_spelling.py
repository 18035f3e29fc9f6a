"""A typed question's misspelt words (`grader.scoring.spelling`)."""

from grader.scoring.spelling import design_words, respelled

WORDS = design_words(
    [
        "Fraud detection scores each payment; the system flags a transaction for review.",
        "A recommender ranks items; detection of drift triggers retraining.",
    ]
)
KNOWN = frozenset({"design", "a", "for", "the", "water", "pipes", "burst", "winter", "uber"})


def test_a_word_one_slip_from_a_design_word_is_read_as_it():
    read, slips = respelled("fruad detecton with a recomender", KNOWN, WORDS)
    assert read == "fraud detection with a recommender"
    assert slips == [("fruad", "fraud"), ("detecton", "detection"), ("recomender", "recommender")]
    assert respelled("Fruad scores", KNOWN, WORDS)[0] == "Fraud scores"  # its capital kept


def test_known_words_names_and_short_words_are_left_as_typed():
    for question in (
        "Design a system for water pipes that burst in winter",  # words the model knows
        "Fraud scores for Klarna and Fraudz",  # capitalised inside the question: names
        "a flag on each pymnt",  # two slips from "payment" in a word under eight letters
        "Rank itms",  # under five letters
    ):
        read, slips = respelled(question, KNOWN, WORDS)
        assert (read, slips) == (question, []), question


def test_the_reading_is_one_whatever_the_order_of_the_words_given():
    shuffled = design_words(reversed(["A recommender ranks items.", "Fraud detection scores."]))
    assert respelled("fruad recomender", KNOWN, shuffled) == respelled(
        "fruad recomender",
        KNOWN,
        design_words(["Fraud detection scores.", "A recommender ranks items."]),
    )


def test_english_words_are_not_slips_whatever_the_knowledge_base_says():
    """Words the knowledge base never uses are English all the same ("staffing" had been read as
    "stuffing", "shippers" as "snippets"): an English dictionary knows them; typos it does not."""
    from grader.scoring.spelling import English

    english = English(["klarna"])
    assert {"staffing", "shippers", "happenings", "learner", "klarna"} <= {
        w for w in ("staffing", "shippers", "happenings", "learner", "klarna") if w in english
    }
    assert "fruad" not in english and "detecton" not in english
    words = design_words(["Staff the stuffing station; snippets of text."])
    assert respelled("call center staffing for shippers", english, words) == (
        "call center staffing for shippers",
        [],
    )


def test_a_questions_accented_words_are_read_as_their_plain_letters(grader):
    """ "résumé" did not raise what "resume" raises, and "détection" was read as "d" and a
    "tection" respelt "tecton"."""
    accented = grader.resolve_question("Design a résumé screening model for détection of fit")
    plain = grader.resolve_question("Design a resume screening model for detection of fit")
    assert accented.question.raised == plain.question.raised != []
    assert not accented.warnings or "tecton" not in " ".join(accented.warnings)
    assert accented.question.asked == "Design a résumé screening model for détection of fit"
