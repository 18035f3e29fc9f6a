import random
import re
import textwrap

from grader.scoring import segment as segment_module
from grader.scoring.segment import WINDOW_WORDS, clean_text, segment, wrap_width


def test_units_are_exact_spans_of_the_answer():
    answer = (
        "## Data\n- Privacy: hash user ids, keep EU data in region, honour deletion requests.\n"
        "We use e.g. a two-tower model for retrieval. Then a GBDT ranks the top 500 candidates!\n"
    )
    units = segment(answer)
    sentences = [u.text for u in units if not u.is_window]
    assert sentences == [
        "Privacy: hash user ids, keep EU data in region, honour deletion requests.",
        "We use e.g. a two-tower model for retrieval.",
        "Then a GBDT ranks the top 500 candidates!",
    ]
    for u in units:
        assert answer[u.start : u.end] == u.text


def test_short_fragments_and_headings_are_not_units():
    assert segment("Cold start here.\nDrift!") == []
    assert segment("# Monitoring\nDrift!") == []
    # separators are no words: a web page's footer links are three words, not five
    assert segment("All rights reserved.\nPrivacy · Terms · Help") == []
    assert [u.text for u in segment("A/B test on CTR.")] == ["A/B test on CTR."]


def test_terse_notes_are_read_with_their_heading():
    answer = (
        "Ops\n- Retrain daily\n- Latency: ranking has to fit in the page budget (~50 ms)\n\n"
        "## Monitoring\n\nPSI on the top features, alert above 0.2.\n"
        "Drift in the score distribution is the first sign that the fraud pattern has moved on, so we watch it hourly."
    )
    units = [u for u in segment(answer) if not u.is_window]
    assert [u.text for u in units] == [
        "Retrain daily",
        "Latency: ranking has to fit in the page budget (~50 ms)",
        "PSI on the top features, alert above 0.2.",
        "Drift in the score distribution is the first sign that the fraud pattern has moved on, so we watch it hourly.",
    ]
    assert [u.clean for u in units[:3]] == [
        "Ops: Retrain daily",
        "Ops: Latency: ranking has to fit in the page budget (~50 ms)",
        "Monitoring: PSI on the top features, alert above 0.2.",
    ]
    assert units[3].clean == units[3].text  # long sentences carry their own topic
    assert all(answer[u.start : u.end] == u.text for u in units)


def test_a_list_item_heads_only_the_items_nested_under_it():
    answer = (
        "## Churn notes\n- goal: predict which members cancel in the next 60 days\n- features:\n"
        "  - days since the last order\n  - number of skipped boxes\n"
        "- privacy: GDPR, delete the data of members who leave\n"
        "- model: gradient boosted trees on monthly snapshots\n"
        "Serving:\n- scores written nightly to the CRM\n"
    )
    headed = {u.text: u.heading for u in segment(answer) if not u.is_window}
    assert headed["days since the last order"] == "features"
    assert headed["number of skipped boxes"] == "features"
    # its sibling items are back under the section it sits in
    assert headed["privacy: GDPR, delete the data of members who leave"] == "Churn notes"
    assert headed["model: gradient boosted trees on monthly snapshots"] == "Churn notes"
    assert headed["scores written nightly to the CRM"] == "Serving"  # a line's heading as before
    # nor does a word window read its siblings under it
    longer = answer.replace(
        "  - number of skipped boxes\n",
        "".join(f"  - skipped boxes in the last {n} weeks of the plan\n" for n in range(2, 9)),
    )
    windows = [u for u in segment(longer) if u.is_window]
    assert {w.heading for w in windows if "skipped" in w.text} == {"features"}
    assert not any(w.heading == "features" and "privacy" in w.text for w in windows)


def test_sentences_of_a_paragraph_carry_their_own_topic():
    answer = "## Monitoring\n\nOur offsite was in Lisbon. We walked along the river all week.\n"
    units = [u for u in segment(answer) if not u.is_window]
    assert (
        [u.clean for u in units]
        == [u.text for u in units]
        == ["Our offsite was in Lisbon.", "We walked along the river all week."]
    )


def test_a_repeated_passage_is_read_once_where_it_first_appears():
    intro = "We rank candidates with a gradient boosted model trained on last week's clicks."
    body = f"{intro}\n\n## Monitoring\n\nPSI on the top features, alert above 0.2.\n"
    units = segment(body + "\n" + body)
    assert [u.text for u in units] == [intro, "PSI on the top features, alert above 0.2."]
    assert (
        units[0].start == 0 and units[0].clean == intro
    )  # not re-read under the "Monitoring" heading


def test_an_answer_pasted_twice_reads_its_first_copy_as_it_was_alone():
    """Its title said again is no section: the first copy's units keep the headings they had (a
    title heading every unit once a second "# ..." line appeared raised feedback loops 36 -> 41
    in a development answer pasted twice)."""
    answer = (
        "# Review summaries on product pages\n\n"
        "## Context and what we are actually trying to fix for shoppers today\n\n"
        "A popular product can have thousands of reviews and shoppers read only a few of them.\n\n"
        "## Evaluation\n\nFaithfulness is checked by annotators on a weekly sample of summaries.\n"
    )
    alone = segment(answer)
    twice = segment(answer + "\n\n" + answer)
    first = [(u.start, u.end, u.heading) for u in twice if u.end <= len(answer)]
    assert first == [(u.start, u.end, u.heading) for u in alone]
    assert alone[0].heading == ""  # under the title and a heading too long to be a section's


def test_long_unpunctuated_speech_gets_overlapping_windows():
    words = " ".join(f"word{i}" for i in range(100))
    answer = f"so um {words}"
    units = segment(answer)
    windows = [u for u in units if u.is_window]
    assert len(units) == len(windows) + 1 and len(windows) >= 100 // 12 - 1
    assert windows[0].start == 0 and windows[-1].end == len(answer)
    assert all(answer[w.start : w.end] == w.text for w in windows)
    assert all(w.words <= WINDOW_WORDS for w in windows)


def test_paragraph_windows_span_bullets_so_punctuation_does_not_matter():
    bullets = "\n".join(f"- point {i}: we log clicks and watches for the ranker." for i in range(6))
    windows = [u for u in segment(bullets) if u.is_window]
    assert windows and any("\n" in w.text for w in windows)
    assert all(not w.clean.startswith("-") and " - " not in w.clean for w in windows)


def test_no_window_reads_a_heading_line():
    # a heading pulls its section through `heading_prior`; a window cut across it would read its
    # words as the candidate's ("Monitoring A simple baseline first...")
    body = " ".join(f"word{i}" for i in range(40))
    answer = f"## Monitoring\n{body}.\n## Serving\n{body} again and more words here.\n"
    windows = [u for u in segment(answer) if u.is_window]
    assert windows and all("Monitoring" not in w.text and "Serving" not in w.text for w in windows)
    assert {w.heading for w in windows if w.end < answer.index("## Serving")} == {"Monitoring"}
    assert {w.heading for w in windows if w.start > answer.index("## Serving")} == {"Serving"}


def test_a_document_outline_heads_its_sections():
    """Text copied from a PDF or a design doc: numbered section titles ("4.1 Baseline") and
    underlined titles head their sections, so no window reads one as the candidate's words and the
    title is not a unit; a numbered list stays a list of items."""
    body = " ".join(f"word{i}" for i in range(30))
    answer = (
        f"Fraud detection design\n======================\n\n4 Model\n4.1 Baseline\n{body} logistic.\n"
        f"4.2. Main model\n{body} trees.\n\nPlan\n----\n1. Collect the click logs\n"
        "2. Train the ranking model\n3. Serve the ranker behind the API\n"
    )
    units = segment(answer)
    assert not any("4.1" in u.text or "4.2" in u.text or "=====" in u.text for u in units)
    assert {u.heading for u in units if "logistic" in u.text} == {"Baseline"}
    assert {u.heading for u in units if "trees" in u.text} == {"Main model"}
    items = [u.text for u in units if not u.is_window and u.heading == "Plan"]
    assert items == [
        "Collect the click logs",
        "Train the ranking model",
        "Serve the ranker behind the API",
    ]


def test_a_word_broken_across_lines_by_a_hyphen_is_read_whole():
    pdf = (
        "We keep false de-\nclines visible with a review queue, and IP geoloca-\n"
        "tion is a feature. A real-time score is needed.\n"
    )
    units = [u for u in segment(pdf) if not u.is_window]
    assert units[0].clean == (
        "We keep false declines visible with a review queue, and IP geolocation is a feature."
    )
    assert pdf[units[0].start : units[0].end] == units[0].text  # quoted as written
    assert clean_text("a cut-off word, recomm- recommendation") == "a cut-off word, recommendation"


def test_clean_text_removes_fillers_markup_and_stutters():
    assert (
        clean_text("so um we we **need** to uh you know monitor drift")
        == "so we need to monitor drift"
    )


def test_only_text_that_cannot_hold_a_stutter_skips_the_stutter_search():
    """Reading a stutter is searched only where one can be: the result is the search's, always."""
    rng = random.Random(7)
    words = "we the model drift Drift PSI on features, - a A über Über ranks".split()
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        searched = re.sub(r"\s+", " ", segment_module._REPEAT.sub(r"\1", text)).strip()
        if not segment_module._may_repeat(text):
            assert searched == text  # nothing the search would have changed
    assert segment_module._may_repeat("the PSI on features, PSI on features")
    assert not segment_module._may_repeat("the model ranks all candidates")
    assert segment_module._may_repeat("über Über")  # not ASCII: always searched
    assert clean_text("PSI on features, PSI on features weekly") == "PSI on features weekly"


def test_clean_text_normalises_spoken_disfluencies():
    spoken = "um so uh the the model, I would- I would use a, a ranking model uh-huh recomm- recommendation"
    assert clean_text(spoken) == "so the model, I would use a ranking model recommendation"
    assert clean_text("step by step, more and more") == "step by step, more and more"
    # other speakers' hesitations read as fillers too
    assert clean_text("eh so ah the model, ehh, ranks") == "so the model, ranks"


def test_shorthand_is_read_as_what_it_stands_for_and_quoted_as_written():
    notes = "Feats:\n- txn amt vs 90d avg, new payee w/ acct age\n- train on txns older than 60d"
    units = segment(notes)
    assert [u.clean for u in units] == [
        "features: transaction amount vs 90 days average, new payee with account age",
        "features: train on transactions older than 60 days",
    ]
    assert all(notes[u.start : u.end] == u.text for u in units)  # quotes stay as written
    # whole words only, units after a number in lower case only, ambiguous forms left alone
    assert (
        clean_text("a 3D model, v1.5d, the amtrak min lr") == "a 3D model, v1.5d, the amtrak min lr"
    )
    # a label defined as notes define it, and access and health-data shorthand
    assert clean_text("y=1 if the dose is not given; y = 0 otherwise") == (
        "the label is positive if the dose is not given; the label is negative otherwise"
    )
    assert clean_text("PHI stays on-prem, RBAC") == (
        "protected health information stays on-prem, role-based access control"
    )
    assert clean_text("xy=1, y=10, y=1.5") == "xy=1, y=10, y=1.5"


def test_a_sentence_cut_by_line_breaks_is_read_whole():
    # speech recognition and caption files break at every timed cue, not at sentence ends
    captions = (
        "So we have a free-to-play mobile game that makes money from ads, and when there is an ad slot,\n"
        "say between levels, we pick one of the candidate ads.\n"
        "The model has to be calibrated, because if the predicted click rate is off we misprice the whole\n"
        "auction.\n"
    )
    sentences = [u.text for u in segment(captions) if not u.is_window]
    assert sentences == [
        captions.split("ads.\n")[0] + "ads.",
        "The model has to be calibrated, because if the predicted click rate is off we misprice the whole\nauction.",
    ]
    assert "misprice the whole auction." in segment(captions)[1].clean
    # notes, items and short lines stay units of their own, whatever their case
    notes = (
        "goal: detect duplicate listings from the same seller across the marketplace\n"
        "model: gradient boosted trees on pair features, probability of a duplicate\n"
        "- blocking on category, price band and location before comparing any pair\n"
        "- then an image hash and a text embedding for each listing in a block\n"
    )
    assert len([u for u in segment(notes) if not u.is_window]) == 4


def test_table_rows_are_read_with_their_header():
    table = (
        "## Features\n\n"
        "| Signal | Window | Store |\n"
        "|---|:---:|---|\n"
        "| transactions per card | 24h | online feature store |\n"
        "| amount against the customer's median | 90d | nightly batch |\n"
    )
    units = [u for u in segment(table) if not u.is_window]
    assert [u.text for u in units] == [  # quoted as written; the header itself says nothing
        "| transactions per card | 24h | online feature store |",
        "| amount against the customer's median | 90d | nightly batch |",
    ]
    assert units[0].clean == (
        "Features: Signal: transactions per card; Window: 24 hours; Store: online feature store"
    )
    assert units[1].clean.startswith("Features: Signal: amount against the customer's median;")
    # a cell past the header's columns keeps its text
    wide = table + "| refund rate | 30d | batch | added late |\n"
    row = next(u for u in segment(wide) if u.text.startswith("| refund rate"))
    assert row.clean.endswith("Store: batch; added late")
    # a table without a header rule is read as before: each row as it stands
    bare = "| transactions per card | 24h | online feature store |\n| amount | 90d | batch |\n"
    assert [u.clean for u in segment(bare)] == [
        "transactions per card 24 hours online feature store",
        "amount 90 days batch",
    ]


def test_a_window_records_the_sentences_it_spans():
    said = [
        "We rank candidates with a boosted tree model.",
        "Labels come from watches longer than ten seconds.",
        "Features include the user's recent topics and the video's age.",
        "We rank candidates with a boosted tree model.",
        "A nightly job retrains the model on the last four weeks.",
    ]
    answer = " ".join(said)
    units = segment(answer)
    sentences = {(u.start, u.end): u for u in units if not u.is_window}
    windows = [u for u in units if u.is_window]
    assert windows and all(len(w.parts) >= 2 for w in windows)
    for w in windows:
        # each part is the span of a sentence unit, and the parts hold exactly the window's words
        assert all((s, e) in sentences for s, e, _ in w.parts)
        assert sum(n for _, _, n in w.parts) == w.words
    # the repeated sentence is read where it first appears, and a window over it points there
    repeat = answer.index(said[3], len(said[0]))
    over = [w for w in windows if w.start < repeat + len(said[3]) and repeat < w.end]
    assert over and all(
        (s, e) != (repeat, repeat + len(said[3])) for w in over for s, e, _ in w.parts
    )
    assert any((s, e) == (0, len(said[0])) for w in over for s, e, _ in w.parts)


def test_an_abbreviation_ends_no_sentence():
    answer = (
        "Features incl. watch history, esp. recent sessions, feed the ranker. "
        "Latency is approx. 40 ms on avg. per request, as Smith et al. report."
    )
    assert [u.text for u in segment(answer) if not u.is_window] == [
        "Features incl. watch history, esp. recent sessions, feed the ranker.",
        "Latency is approx. 40 ms on avg. per request, as Smith et al. report.",
    ]


def test_a_unit_after_a_number_ends_a_sentence_where_a_title_would_not():
    """ "40 ms." read as the title "Ms.", so "the budget is 40 ms. We monitor precision live" was one
    sentence: a title or "No." is an abbreviation only with its capital."""
    answer = (
        "Serving has a mean latency of 40 ms. We monitor precision in real time on a dashboard. "
        "As Ms. Rivera noted in design review No. 4, the cache holds the last day of features."
    )
    assert [u.text for u in segment(answer) if not u.is_window] == [
        "Serving has a mean latency of 40 ms.",
        "We monitor precision in real time on a dashboard.",
        "As Ms. Rivera noted in design review No. 4, the cache holds the last day of features.",
    ]


def test_web_markup_is_not_read_but_its_words_are():
    """A page pasted from the web: tags, comments, link and image addresses and entities are
    markup, not what the candidate said; a link's or image's text is."""
    assert clean_text("see [our earlier post](https://example.com/blog/spam-101) first") == (
        "see our earlier post first"
    )
    assert clean_text("![architecture diagram](img/arch.png)") == "architecture diagram"
    assert clean_text('<details open><summary>Appendix</summary><p class="x">More</p>') == (
        "Appendix More"
    )
    assert clean_text("logs at https://example.com/privacy-policy <!-- todo --> daily") == (
        "logs at daily"
    )
    assert clean_text("A&amp;B test with a 50&nbsp;ms budget") == "A&B test with a 50 ms budget"
    assert "a<b and c" in clean_text("if a<b and c>d then")  # not a tag
    for written in ("x[0](1) arrays", "latency < 50 ms", "Data & labels"):
        assert clean_text(written) == written  # not markup


def test_an_answer_pasted_from_a_web_page_grades_as_its_text(fast_grader):
    plain = (
        "## Data\n\nLabels come from user spam reports, described in our earlier post. Features "
        "include sender reputation and the number of links.\n\n## Serving\n\nScoring runs inline "
        "in the mail pipeline with a 50 ms budget, see the diagram.\n"
    )
    marked = (
        "## Data\n\nLabels come from user spam reports, described in [our earlier post]"
        "(https://example.com/blog/spam-101). Features include <b>sender reputation</b> and the "
        "number of links.\n\n## Serving\n\nScoring runs inline in the mail pipeline with a "
        '50&nbsp;ms budget, see <a href="https://example.com/arch.png">the diagram</a>.\n\n'
        "![](https://example.com/img/arch.png) <!-- draft -->\n"
    )
    a, b = fast_grader.grade(plain, "spam_detection"), fast_grader.grade(marked, "spam_detection")
    assert [(c.id, c.score) for c in a.components] == [(c.id, c.score) for c in b.components]


def test_an_answers_title_heads_no_section():
    """A title restates the question: a note under it is read on its own, where a section heading
    is read in front of its notes ("Real-time bidding model: Monitoring: we check the AUC every
    month." named the latency budget through the title's "real-time")."""
    note = "Monitoring: we check the AUC every month."
    titled = segment(f"# Real-time bidding model\n\n{note}\n")
    assert [(u.clean, u.heading) for u in titled] == [(note, "")]
    over_sections = segment(f"# Real-time bidding model\n\n{note}\n\n## Serving\n\nGPU batch.\n")
    assert over_sections[0].clean == note
    code = "```\n# run nightly\npython train.py --days 30\n```\n"  # a comment, not a heading
    assert segment(f"# Real-time bidding model\n\n{note}\n\n{code}")[0].clean == note
    for sectioned in (f"## Monitoring\n\n{note}\n", f"# Evaluation\n\nx y z.\n\n# Ops\n\n{note}\n"):
        read = [u for u in segment(sectioned) if u.text == note]
        assert read and read[0].clean.endswith(f": {note}") and read[0].heading, sectioned


def test_a_long_markdown_title_is_still_the_title():
    """A "#" title of more words than a heading has ("Ranking Answers Under Each Question
    (Community Q&A Site)") had been read as a sentence of the answer: quoted as the evidence of
    what the model predicts, and counted in its words. It is the answer's title, as a short one
    is; a whole answer pasted on the line of its "#" is read as the sentences it holds."""
    body = "We order the answers by the chance that a visitor finds them helpful."
    title, read = segment(f"# Ranking Answers Under Each Question (Community Q&A Site)\n\n{body}\n")
    assert (title.title, title.text, read.title, read.text) == (
        True,
        "Ranking Answers Under Each Question (Community Q&A Site)",
        False,
        body,
    )
    pasted = "# Video recommendations " + " ".join([body] * 4)
    assert not any(u.title for u in segment(pasted))


def test_a_title_without_markup_is_no_sentence_of_the_answer():
    """A first paragraph of one short unpunctuated line is the answer's title ("Job feed ranking -
    quick notes"): it restates the question, and was quoted as the evidence of what the model
    predicts. A first line that is a sentence, or the whole answer, is read."""
    body = "We rank the jobs by the chance that the seeker applies and hears back."
    title, read = segment(f"Job feed ranking - quick notes\n\n{body}\n")
    assert (title.text, title.title, read.text, read.title) == (
        "Job feed ranking - quick notes",
        True,
        body,
        False,
    )
    said = "We rank jobs for seekers by expected applications."
    assert segment(f"{said}\n\n{body}\n")[0].text == said
    assert segment("Rank jobs by predicted applications\n")[0].text.startswith("Rank jobs")


def test_a_task_lists_boxes_are_list_markers_not_words():
    for item in (
        "- [x] Latency: the fraud call gets 80 ms",
        "[ ] Latency: the fraud call gets 80 ms",
    ):
        assert clean_text(item) == "Latency: the fraud call gets 80 ms"
    assert clean_text("we flag a [x] mid-sentence") == "we flag a [x] mid-sentence"


def test_a_run_in_label_is_read_with_its_sentence_in_bold_or_not():
    bold = "**Constraints.** The feed must render in under 200 ms.\n\n**Cold start.** New videos get a slot.\n"
    plain = bold.replace("**", "")
    assert [u.clean for u in segment(bold)] == [u.clean for u in segment(plain)]
    assert [u.clean for u in segment(plain) if not u.is_window] == [
        "Constraints. The feed must render in under 200 ms.",
        "Cold start. New videos get a slot.",
    ]
    # an opening sentence too short to be read alone is read with the next, not dropped
    units = [u.clean for u in segment("We retrain daily. Then we ship the model to all regions.\n")]
    assert units == ["We retrain daily. Then we ship the model to all regions."]
    units = [u.clean for u in segment("We retrain the model daily. Then we ship it everywhere.\n")]
    assert units == ["We retrain the model daily.", "Then we ship it everywhere."]


def test_a_hard_wrapped_line_runs_on_into_a_figure_or_after_a_word_no_sentence_ends_on():
    """Text wrapped at a fixed width had a line starting with a figure ("5% of length") or after
    "There is no" read as a sentence of its own: "There is no / A/B test; instead ..." was quoted
    as "A/B test; instead ...", saying the opposite."""
    answer = (
        "Metrics are precision at the km budget, and recall of breaks within the top\n"
        "5% of length, and PR-AUC. Also compare bursts avoided per km to the age rule. There is no\n"
        "A/B test; instead we run a shadow year where planners see both lists side by side.\n"
    )
    sentences = [u.text.replace("\n", " ") for u in segment(answer) if not u.is_window]
    assert sentences == [
        "Metrics are precision at the km budget, and recall of breaks within the top 5% of length, "
        "and PR-AUC.",
        "Also compare bursts avoided per km to the age rule.",
        "There is no A/B test; instead we run a shadow year where planners see both lists side by "
        "side.",
    ]
    # a long note that stops on a word a sentence ends on is still a note of its own
    notes = "Retrain the ranking model every week on the newest data\nMonitor the click rate of each slot every day\n"
    assert len([u for u in segment(notes) if not u.is_window]) == 2


def test_headings_without_markup_head_their_sections_as_markdown_ones_do():
    """A PDF's text layer and a plain-text file give "Requirements" on a line of its own, then a
    paragraph: it was read as a title or as nothing, and the same answer graded differently as
    PDF, Word and markdown (requirements 81 against 97). Two or more such lines, each before a
    paragraph, are read as "##" headings are; a lone short line and terse notes are not."""
    sections = {
        "Requirements": "We score every card payment in real time within 100 ms, for a payments company at 5,000 per second.",
        "Serving": "The model runs in process behind the authorisation service, with the rules as a fallback when it times out.",
    }  # fmt: skip
    marked = "".join(f"## {t}\n\n{b}\n\n" for t, b in sections.items())
    for plain in (
        "".join(f"{t}\n\n{b}\n\n" for t, b in sections.items()),  # plain text
        "".join(f"{t}\n{b}\n" for t, b in sections.items()),  # a PDF's lines, no blank lines
    ):
        read = [(u.text, u.heading, u.section) for u in segment(plain) if not u.is_window]
        assert read == [(u.text, u.heading, u.section) for u in segment(marked) if not u.is_window]
        assert [h for _, h, _ in read] == ["Requirements", "Serving"]
    # one short line alone may be anything; notes of a few words head nothing
    lone = "Quick thoughts\n\nWe score every card payment in real time within 100 ms at peak.\n"
    assert [u.heading for u in segment(lone) if not u.is_window] == [""]
    notes = (
        "Retrain weekly\ncold start from popular items\nMonitor PSI daily\nShadow deploy first\n"
    )
    assert {u.heading for u in segment(notes)} == {""}
    # an answer pasted twice has its title twice: no structure, and its title stays its title
    twice = lone + "\n" + lone
    assert {u.heading for u in segment(twice)} == {""}


def test_an_underlined_numbered_title_heads_its_section_as_a_hash_heading_does():
    """ "6. Serving" over a "----" line read as a list item heading only the items under it: the
    first line under it lost the section's name, and notes further down were read under an earlier
    label ("Offline:: Fetch user features ..."), so the same answer graded otherwise (serving 99 ->
    90) than with "## 6. Serving"."""
    body = (
        "\n\n**Offline:**\n- Recall at 1000 on held-out watches.\n\n{}\n\n"
        "A request flows like this, within 150 ms:\n\n- Fetch user features from Redis: 10 ms.\n"
    )
    hashed = segment(body.format("## 6. Serving and latency"))
    underlined = segment(body.format("6. Serving and latency\n----------------------"))
    assert [(u.clean, u.section) for u in underlined] == [(u.clean, u.section) for u in hashed]
    fetch = next(u for u in underlined if "Redis" in u.text)
    assert fetch.clean.startswith("Serving and latency: ")


def test_a_hard_wrapped_texts_paragraphs_are_read_whole_at_its_wrap_width():
    """A text wrapped at a fixed width (an editor, `fmt`, an email) had a line read as a sentence of
    its own when the next began with a capital, a bracket or a label-like word ("ranking**:"), and
    a list item's indented last line lost: its sentences are read whole, as unwrapped, once most
    of its line breaks fall where the next word would not have fitted."""
    unwrapped = (
        "## Framing\n\nI frame the task as **multi-task pointwise ranking**: predict P(click) and the "
        "expected watch time. Features are computed in Spark and Flink over Kafka (streaming "
        "counters, minutes old), and registered in a feature store so that training and serving "
        "read identical definitions.\n\n"
        "- **Video:** content embedding from the title and thumbnail; the upload age; the creator; "
        "trailing CTR; language.\n"
        "- **User:** embedding of the recent watch history (the last fifty videos) and the "
        "subscriptions, and the languages the user watches in.\n"
    )
    wrapped = "\n".join(
        textwrap.fill(line, 60, subsequent_indent="  " if line.startswith("- ") else "")
        if line.strip() and not line.startswith("#")
        else line
        for line in unwrapped.split("\n")
    )
    assert wrap_width(wrapped) == 60 and wrap_width(unwrapped) is None

    def read(text: str) -> list[str]:
        return [u.clean for u in segment(text) if not u.is_window]

    assert read(wrapped) == read(unwrapped)
    # notes of one line each, however long, are not a wrapped paragraph
    notes = (
        "Retrain the ranking model every week on the newest data of the\n"
        "Monitor the click rate of each slot every day on the dashboard\n"
        "Alert on latency above the budget of 150 ms at p99\n"
        "Score drift with PSI on the top features weekly\n"
        "Canary the new model on 1% of traffic first\n"
        "Shadow traffic for two days before the ramp\n"
        "Log every impression with the model version\n"
    )
    assert wrap_width(notes) is None


def test_a_line_break_at_a_hyphen_keeps_it_where_it_joins_two_words():
    """Hard-wrapped text breaks compound words at their hyphen: "two-" / "tower" read "twotower",
    a word the model does not know. The hyphen is dropped only where it broke a word (the joined
    word is English, or its first part is not a word)."""
    assert clean_text("a two-\ntower model on less-\nbiased data") == (
        "a two-tower model on less-biased data"
    )
    assert clean_text("recom-\nmendation and IP geoloca-\ntion, pre-\ntrained") == (
        "recommendation and IP geolocation, pretrained"
    )


def test_labelled_notes_read_the_same_with_or_without_blank_lines_between_them(grader):
    """A PDF's text, or an answer pasted into a form, loses the blank lines between notes that
    each open with their label: the same notes had graded 43 and 58, windows joining one note's
    end to the next one's start. A note opening with its label starts a stretch of its own."""
    notes = [
        "Goal: fewer missed appointments and better use of clinic slots, about 40k a day.",
        "Label: the patient neither came nor cancelled; the outcome is known only after the "
        "appointment, so the newest bookings are still unlabelled.",
        "Data: scheduling logs, past attendance, lead time, distance and whether the SMS reminder "
        "was confirmed. No-shows are about 12 percent, so the rare class is weighted.",
        "Model: the patient's past no-show rate as a baseline, then gradient boosted trees, "
        "trained on older months and tested on the latest ones.",
        "Metrics: PR-AUC and calibration offline, then an A/B test by clinic on the no-show rate.",
        "Monitoring: the no-show rate and the score distribution per clinic, retraining on drift.",
    ]
    spaced, packed = "\n\n".join(notes) + "\n", "\n".join(notes) + "\n"
    assert {u.clean for u in segment(spaced)} == {u.clean for u in segment(packed)}
    q = "Design a model that predicts which hospital appointments will be missed"
    scores = [{c.id: c.score for c in grader.grade(t, q).components} for t in (spaced, packed)]
    assert scores[0] == scores[1]


def test_captions_cut_by_blank_lines_read_as_the_sentences_they_cut():
    """Captions exported as text put a blank line after every dozen words: the sentences they
    cut are read whole, as in the same words on lines (47 against 77 for one answer), and every
    unit keeps the answer's own text. A spoken answer's long paragraphs and a whiteboard's
    headings over lists keep their blank lines."""
    said = (
        "So the label comes from the ticketing system, the escalation flag that a supervisor "
        "sets when the call is handed over, and it arrives within a day of the call. We train "
        "a gradient boosted model on the first two minutes of each call, with the customer's "
        "history and the transcript's sentiment as features, and we compare it with a simple "
        "rule on the number of earlier complaints."
    )
    words = said.split()
    captions = "\n\n".join(" ".join(words[k : k + 12]) for k in range(0, len(words), 12))
    lines = captions.replace("\n\n", "\n")
    sentences = [u.text.split() for u in segment(captions) if not u.is_window]
    assert sentences == [u.text.split() for u in segment(lines) if not u.is_window]
    assert len(sentences) == 2
    assert all(captions[u.start : u.end] == u.text for u in segment(captions))
    spoken = "\n\n".join(
        "um so " + " ".join(words[k : k + 30]).lower().replace(",", "").replace(".", "")
        for k in range(0, len(words), 30)
    )
    board = (
        "goal\n- flag calls that will escalate\n\ndata\n- ticket flags\n- call transcripts\n\n" * 3
    )
    for text in (spoken, board):
        assert segment_module.caption_gaps(text) == []
