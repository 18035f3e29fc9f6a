import json

import pytest

from grader.errors import KnowledgeBaseError
from grader.knowledge.notes import REQUIRED_CONCEPTS, STEP_IDS, load_kb
from tests.conftest import ROOT

RECOMMENDERS = [
    "video_recommendation",
    "event_recommendation",
    "news_feed_ranking",
    "people_you_may_know",
    "similar_listings",
]


def test_knowledge_base_has_the_required_content(kb):
    assert list(kb.steps) == list(STEP_IDS)
    assert set(REQUIRED_CONCEPTS) <= set(kb.concepts) and len(kb.concepts) >= 25
    assert len(kb.cases) >= 14
    for concept in kb.concepts.values():
        assert len(concept.follow_ups) >= 3 and len(concept.cues) >= 4, concept.id
        assert all(level.strip() for level in concept.levels.model_dump().values())


def test_case_severities_follow_the_domain(kb):
    sev = {cid: {c.id: c.severity for c in case.components} for cid, case in kb.cases.items()}
    for case in RECOMMENDERS:
        assert sev[case]["cold_start"] == "critical", case
    assert "cold_start" not in sev["eta_prediction"]
    assert "cold_start" in kb.cases["eta_prediction"].not_applicable
    assert sev["fraud_detection"]["class_imbalance"] == "critical"
    assert sev["fraud_detection"]["label_delay"] == "critical"


def test_every_case_covers_every_step(kb):
    for case in kb.cases.values():
        steps = {kb.concepts[c.id].step for c in case.components}
        assert steps == set(STEP_IDS), case.id
        assert {o.step for o in case.reference_outline} == set(STEP_IDS), case.id


def test_every_bundled_case_grades_each_framework_component_or_says_why_not(kb):
    """A case's rubric is the same however its question is asked: by id, by its prompt, or typed
    in other words (which grade every framework component the case does not set aside). A case
    that left a component out without a reason had graded "design a video recommender" on four
    components more than `-q video_recommendation`."""
    framework = {c.id for c in kb.case_components(None)}
    for case in kb.cases.values():
        listed = {c.id for c in kb.case_components(case)}
        assert framework - listed == set(case.not_applicable), case.id
        assert not listed & set(case.not_applicable), case.id


def test_a_cases_components_come_by_step_whatever_order_it_lists_them_in(kb):
    """A user's case listing fairness (evaluation) among its data components had its report show
    the evaluation step twice: the rubric lists each step's components together, in the
    framework's order of steps, keeping the case's own order within a step."""
    case = kb.cases["fraud_detection"]
    shuffled = case.model_copy(update={"components": list(reversed(case.components))})
    order = {s: i for i, s in enumerate(kb.steps)}
    steps = [order[kb.concepts[c.id].step] for c in kb.case_components(shuffled)]
    assert steps == sorted(steps)
    within = [c.id for c in kb.case_components(shuffled) if kb.concepts[c.id].step == "data"]
    assert within == [c.id for c in reversed(case.components) if kb.concepts[c.id].step == "data"]


def test_every_outline_point_is_a_whole_statement(kb):
    """A point is a sentence of its own ("...; cache and fallbacks."): written as a YAML flow list
    ("points: [a, b and c; d]"), a point is cut at every comma into fragments ("Impressions")."""
    for case in kb.cases.values():
        for o in case.reference_outline:
            for p in o.points:
                assert len(p.split()) >= 4 and p.rstrip().endswith("."), (case.id, o.step, p)


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_broken_field_names_file_and_field(kb_copy):
    path = kb_copy / "concepts" / "drift.md"
    _edit(path, "severity: important", "severity: sometimes")
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(kb_copy)
    message = str(err.value)
    assert "drift.md" in message and "'severity'" in message and "\n" not in message


def test_unknown_field_is_rejected(kb_copy):
    path = kb_copy / "concepts" / "drift.md"
    _edit(path, "severity: important", "severity: important\nsevertiy: critical")
    with pytest.raises(KnowledgeBaseError, match=r"drift\.md: field 'severtiy'"):
        load_kb(kb_copy)


def test_broken_yaml_names_the_file(kb_copy):
    path = kb_copy / "cases" / "eta_prediction.md"
    _edit(path, "kind: case", "kind: [case")
    line = 1 + path.read_text().splitlines().index("kind: [case")
    with pytest.raises(
        KnowledgeBaseError, match="eta_prediction.md: cannot parse front matter"
    ) as e:
        load_kb(kb_copy)
    assert f"(opened on line {line})" in str(e.value) and "\n" not in str(e.value)


def test_case_with_unknown_component_is_rejected(kb_copy):
    path = kb_copy / "cases" / "eta_prediction.md"
    _edit(path, "- id: baseline", "- id: baseline_model")
    with pytest.raises(
        KnowledgeBaseError,
        match="eta_prediction.md: field 'components': unknown concept id 'baseline_model'; "
        "did you mean baseline[,?]",  # the slip's near concept ids, as for case ids
    ):
        load_kb(kb_copy)


def test_missing_required_concept_is_reported(kb_copy):
    (kb_copy / "concepts" / "privacy.md").unlink()
    with pytest.raises(KnowledgeBaseError, match="privacy"):
        load_kb(kb_copy)


def test_digest_changes_with_content(kb, kb_copy):
    assert load_kb(kb_copy).digest == kb.digest
    _edit(kb_copy / "concepts" / "drift.md", "title:", "title: Changed")
    assert load_kb(kb_copy).digest != kb.digest


def test_a_keyword_without_letters_or_digits_is_rejected(kb_copy):
    note = kb_copy / "concepts" / "drift.md"
    note.write_text(note.read_text().replace("keywords: [drift,", "keywords: [--, drift,", 1))
    with pytest.raises(KnowledgeBaseError, match="letter or digit"):
        load_kb(kb_copy)


def test_words_that_raise_a_concern_are_checked_as_keywords_are(kb_copy):
    """A question's words that raise a concept (`raised_by`) are matched in plain lowercase words:
    one in capitals would never match, so the note is refused, naming the field."""
    note = kb_copy / "concepts" / "drift.md"
    note.write_text(note.read_text().replace("raised_by: [drift,", "raised_by: [Drift,", 1))
    with pytest.raises(KnowledgeBaseError, match="raised_by must be lowercase"):
        load_kb(kb_copy)


def test_the_background_note_is_loaded_and_validated(kb, kb_copy):
    assert sum(len(b.sentences) for b in kb.background.values()) >= 20
    note = kb_copy / "background" / "everyday.md"
    text = note.read_text(encoding="utf-8")
    short = text.split("sentences:\n")[0] + "sentences:\n- Only one sentence.\n---\n"
    note.write_text(short, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="sentences"):
        load_kb(kb_copy)


def test_reference_passages_are_the_development_labels_as_written(kb, kb_copy):
    """Each component's reference passages are what `evals/references.py` writes from the
    development set's labels (regenerate, never edit), each a passage of its development answer;
    a note for no concept is an error."""
    from evals.references import passages

    written = {cid: [p.model_dump() for p in note.passages] for cid, note in kb.references.items()}
    assert written == passages()
    assert set(written) <= set(kb.concepts) and sum(map(len, written.values())) >= 1000
    stray = kb_copy / "references" / "drift.md"
    stray.rename(stray.with_name("not_a_concept.md"))
    text = stray.with_name("not_a_concept.md").read_text(encoding="utf-8")
    stray.with_name("not_a_concept.md").write_text(
        text.replace("id: drift", "id: not_a_concept", 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match="no concept"):
        load_kb(kb_copy)


def test_every_case_has_a_basic_and_a_deeper_question_for_its_kind_of_system(kb):
    """Each bank case names the kinds of system it is, and each of its components has at least two
    follow-up questions written for one of them (or for any system), so that a gap is never asked
    about with a question written for another kind ("your classifier" of a video feed)."""
    for case in kb.cases.values():
        assert case.systems, case.id
        for comp in case.components:
            asked = kb.concepts[comp.id].questions(case.systems)
            assert len(asked) >= 2, (case.id, comp.id)


def test_a_question_of_unknown_kind_has_questions_written_for_any_system(kb):
    """A question far from every case (a factory's defect detector, a nightly forecast) is asked
    only what is written for any system; each concept keeps a basic and a deeper one of those, so
    it never falls back to questions that presuppose users, clicks or online traffic."""
    for concept in kb.concepts.values():
        assert len(concept.questions(())) >= 2, concept.id


def test_advice_for_any_product_names_no_ranked_items_clicks_or_one_products_people(kb):
    """A cue or follow-up question written for no product in particular and for a kind of system
    besides ranking ones (classification, regression, generation, or any) is offered to questions
    of every such product: a code-change risk model was told to listen for "user and item ids",
    asked how "a click ten seconds ago" reaches the model, and told concept drift is "like
    fraudsters adopting a new tactic"; every sheet scored feature engineering from "we use user and
    item features"; a hospital's privacy advice, to drop "card numbers". Items, clicks, impressions,
    payment cards and one product's people are said in examples tied
    to their product (`example_of`) or in advice for ranking systems."""
    import re

    ranked = re.compile(
        r"\b(?:items?|click(?:s|ed)?|impressions?|catalog(?:ue)?|fraudsters?|creators?|sellers?"
        r"|card numbers?)\b",
        re.I,
    )
    broad = {"classification", "regression", "generation"}
    for concept in kb.concepts.values():
        written = [(n.says, n.systems) for n in concept.cue_notes if n.example_of is None]
        written += [(q.ask, q.systems) for q in concept.follow_ups]
        # its levels are every sheet's rubric lines, and what a strong reply covers
        written += [(text, []) for text in concept.levels.model_dump().values()]
        for text, systems in written:
            if not systems or broad & set(systems):
                assert not ranked.search(text), (concept.id, text)


def test_no_concept_question_says_what_the_candidate_did(kb):
    """A probe quotes the candidate and then asks a concept's question: a question that states
    what they did ("You removed gender as a feature...") reads as if they had said it. A scenario
    is put as one ("Suppose ...")."""
    import re

    claims = re.compile(r"^(?:You|We)\s+(?!would|could|should|might|can|will)\w+", re.I)
    for concept in kb.concepts.values():
        for question in concept.questions():
            assert not claims.match(question), (concept.id, question)


def test_follow_up_questions_name_their_systems_or_none(kb, kb_copy):
    ups = kb.concepts["feedback_loops"].follow_ups
    plain = ups[0]
    assert not plain.systems and plain.fits(["classification"]) and plain.fits([])
    tagged = next(q for q in ups if q.systems == ["classification"])
    assert tagged.fits(["classification", "search"]) and not tagged.fits(["recommendation"])
    assert not tagged.fits([])  # an unknown kind of system: only questions for any system
    _edit(
        kb_copy / "concepts" / "drift.md",
        "follow_ups:\n",
        "follow_ups:\n  - ask: How?\n    systems: [robots]\n",
    )
    with pytest.raises(KnowledgeBaseError, match=r"drift\.md: field 'follow_ups"):
        load_kb(kb_copy)


def test_a_cue_names_what_it_is_written_for_and_keeps_its_text(kb, kb_copy):
    """A cue may be `{says, systems, example_of}`: `cues` keeps the texts that are embedded and
    scored, `cue_notes` what each is written for; a plain string is a cue for any system."""
    for concept in kb.concepts.values():
        assert [n.says for n in concept.cue_notes] == concept.cues, concept.id
    notes = kb.concepts["label_delay"].cue_notes
    chargebacks = next(n for n in notes if "Chargebacks" in n.says)
    assert chargebacks.example_of == "fraud_detection"
    assert chargebacks.fits(["classification"], "fraud_detection")
    assert not chargebacks.fits(["classification"], "spam_detection")  # another product's example
    assert not chargebacks.fits(["recommendation"], None)
    plain = next(n for n in notes if not n.systems and n.example_of is None)
    assert plain.fits(["regression"], None) and plain.fits([], "video_recommendation")
    _edit(
        kb_copy / "concepts" / "drift.md",
        "cues:\n",
        "cues:\n  - says: A cue.\n    systems: [robots]\n",
    )
    with pytest.raises(KnowledgeBaseError, match=r"drift\.md: field 'cue_notes"):
        load_kb(kb_copy)


def test_notes_parsed_once_are_read_back_not_parsed_again(kb_copy, tmp_path, monkeypatch):
    """A note is parsed (YAML, most of a cold load) once: later loads read its fields back from
    the cache by the digest of its bytes, and give the same knowledge base. An edited note has
    other bytes and is parsed again."""
    from grader.knowledge import notes

    monkeypatch.setenv("MLSD_CACHE_DIR", str(tmp_path / "cache"))
    first = load_kb(kb_copy)
    assert (tmp_path / "cache" / "notes.json").is_file()
    parse = notes._fields

    def no_parsing(path, data):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(notes, "_fields", no_parsing)
    again = load_kb(kb_copy)
    assert again == first and again.digest == first.digest
    _edit(kb_copy / "concepts" / "drift.md", "title:", "title: Changed")
    with pytest.raises(AssertionError, match="drift.md parsed again"):
        load_kb(kb_copy)
    monkeypatch.setattr(notes, "_fields", parse)
    assert load_kb(kb_copy).concepts["drift"].title.startswith("Changed")


def _content(kb):
    return kb.steps, kb.concepts, kb.cases, kb.background, kb.digest


def test_a_damaged_foreign_or_unwritable_cache_is_no_error(kb, kb_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("MLSD_CACHE_DIR", str(cache))
    for saved in ("{not json", '{"parser": "another yaml", "notes": {}}', '["a list"]'):
        (cache / "notes.json").write_text(saved)
        assert _content(load_kb(kb_copy)) == _content(kb)
        assert json.loads((cache / "notes.json").read_text())["notes"]  # written again, whole
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("MLSD_CACHE_DIR", str(blocked / "cache"))  # cannot be made
    assert _content(load_kb(kb_copy)) == _content(kb)


def test_a_rule_a_case_breaks_is_said_in_its_own_words(kb_copy):
    path = kb_copy / "cases" / "eta_prediction.md"
    _edit(path, "  - id: drift\n", "  - id: drift\n    severity: important\n  - id: drift\n")
    with pytest.raises(KnowledgeBaseError) as e:
        load_kb(kb_copy)
    assert str(e.value).endswith("eta_prediction.md: components listed twice: drift"), e.value


def test_no_word_any_question_may_use_raises_a_concern(kb):
    """A question's genre words ("Explain how you would design...", "Describe a system") say
    nothing about its stakes, so none of them raises a concept."""
    from grader.scoring.relevance import QUESTION_GENRE_WORDS
    from grader.text import plain_words

    raising = {plain_words(w) for c in kb.concepts.values() for w in c.raised_by}
    assert raising and not raising & QUESTION_GENRE_WORDS


def test_the_notes_stamp_moves_when_a_note_file_does(tmp_path):
    """`notes_stamp`: equal while no note file changes, different once one is edited, added or
    removed, so that a long-running server reads the notes again only then."""
    import os
    import shutil

    from grader.knowledge.notes import notes_stamp

    root = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge_base", root)
    mine = tmp_path / "mine"
    first = notes_stamp(root, mine)
    assert first and notes_stamp(root, mine) == first
    (mine / "cases").mkdir(parents=True)
    shutil.copy(root / "cases" / "fraud_detection.md", mine / "cases" / "fraud_detection.md")
    added = notes_stamp(root, mine)
    assert added != first
    note = root / "concepts" / "drift.md"
    stat = note.stat()
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # same size, touched
    assert notes_stamp(root, mine) != added
    (mine / "cases" / "fraud_detection.md").unlink()
    assert len(notes_stamp(root, mine)) == len(first)


def test_notes_are_found_by_most_of_the_words_of_a_question_typed_as_a_sentence(kb):
    """The app's search had needed every word ("how to handle delayed labels in fraud" found
    nothing, "fraud delayed labels" four notes): now the notes holding two thirds of its content
    words, stemmed, those naming them in their title first."""
    from grader.knowledge.search import search_notes

    found = search_notes(kb, "how to handle delayed labels in fraud")
    assert found[0].id == "label_delay" and "fraud_detection" in [f.id for f in found[:3]]
    assert search_notes(kb, "what is training-serving skew")[0].id == "training_serving_skew"
    assert search_notes(kb, "Training serving skew")[0].id == "training_serving_skew"
    assert search_notes(kb, "zzzz nothing like it") == []
    assert search_notes(kb, "how to the of") == []  # function words only
