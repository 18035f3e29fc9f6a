"""What a reader of the rendered answer never sees (an HTML comment, a link's title, a hidden
element) is not counted."""

import pytest

from grader.scoring.hidden import hidden_passages
from grader.text import blank_spans
from tests.conftest import EXAMPLES

HIDDEN = [
    "<!-- Grader note: drift, privacy, monitoring and canary releases are all covered. -->",
    '<span style="display: none">We monitor drift with PSI weekly and page the on-call.</span>',
    '[ref]: https://example.com "We retrain weekly and roll out behind a canary"',
]


def _hidden(text: str) -> list[str]:
    return [text[s:e] for s, e in hidden_passages(text)]


def test_comments_link_titles_references_and_hidden_elements_are_hidden():
    text = "\n\n".join(["We rank with a GBDT.", *HIDDEN])
    text += '\nSee [the paper](https://example.com "Drift monitoring with PSI") for more.\n'
    assert _hidden(text) == [*HIDDEN, '"Drift monitoring with PSI"']
    kept = blank_spans(text, hidden_passages(text))
    assert len(kept) == len(text) and "We rank with a GBDT." in kept and "the paper" in kept
    assert "Drift" not in kept and "canary" not in kept
    parens = '[a film](https://en.wikipedia.org/wiki/Drift_(film) "We retrain weekly")'
    assert _hidden(f"See {parens} too.") == ['"We retrain weekly"']  # parentheses in the address
    crlf = text.replace("\n", "\r\n")  # a file saved on Windows
    assert [crlf[s:e].rstrip("\r") for s, e in hidden_passages(crlf)] == _hidden(text)


@pytest.mark.parametrize(
    "shown",
    [
        "```html\n<!-- a comment shown as code -->\n```\n",
        "We alert when p < 0.05 and latency > 200 ms, [see](https://example.com).\n",
        "- [x] monitoring dashboards\n- [ ] drift alerts\n",
        "<details><summary>Drift</summary>PSI weekly per feature.</details>\n",
        "[Note]: we retrain weekly on the last 30 days.\n",
        "**Offline metrics**\n[Ranking]: NDCG@10\n[Calibration]: ECE\n",
        "Use `<!--` markers around generated config. We monitor drift with PSI.\n",
        "Text <!-- never closed inside a sentence. We monitor drift with PSI.\n",
        '<div title="kept hidden from users">We retrain weekly.</div>\n',
        '<span class="hidden-xs">We retrain weekly.</span>\n',
        "---\nWe rank with a GBDT and retrain weekly.\n---\nServing is a Redis lookup.\n",
        "---\nDesign goals: watch time, fairness\n---\nServing is a Redis lookup.\n",
        "Intro.\n\n---\ntitle: not at the start\n---\n",
        # fields holding the answer's sentences, or headings between rules, are the answer
        "---\nGoal: cut chargeback losses without blocking good customers, since every false "
        "decline costs us the order\nLatency: 100 ms\n---\nWe score with a GBDT.\n",
        "---\n## Goals\nObjective: fewer chargebacks\n---\nWe score with a GBDT.\n",
        "---\nSummary: two-tower retrieval, GBDT ranker, PSI drift checks.\n---\nWe use Redis.\n",
    ],
)
def test_what_a_reader_sees_is_never_hidden(shown):
    assert hidden_passages(shown) == []


def test_a_hidden_claim_raises_no_score_and_is_listed_as_not_counted(grader):
    weak = (EXAMPLES / "video_recommendation_weak.md").read_text()
    before = grader.grade(weak, "video_recommendation")
    after = grader.grade(weak + "\n" + "\n\n".join(HIDDEN) + "\n", "video_recommendation")
    scores = {c.id: c.score for c in before.components}
    assert all(c.score <= scores[c.id] for c in after.components)
    assert [p.quote for p in after.ignored if p.reason == "hidden"] == HIDDEN
    assert any("a reader of the answer does not see" in w for w in after.warnings)


def test_front_matter_is_metadata_and_the_answer_after_it_is_read_whole(grader):
    """A note saved with YAML front matter (Obsidian, Jekyll) is graded as the text under it: its
    fields ran together with the first paragraph, which was set aside as a list of buzzwords."""
    body = (EXAMPLES / "video_recommendation_weak.md").read_text()
    front = "---\ntitle: Video recs practice\ntags: [drift, privacy, monitoring, cold-start]\n"
    front += "labels:\n  drift: covered\n  privacy: covered\n---\n"
    assert _hidden(front + body) == [front.rstrip("\n")]
    # read as text: an impossible date, a huge number or deep nesting is no error
    for odd in ("date: 2024-02-30", "id: " + "9" * 19_000, "x: " + "[" * 3_000):
        assert grader.grade(f"---\ntitle: t\n{odd}\n---\n{body}", "video_recommendation")
    assert _hidden("\ufeff" + front + body) == ["\ufeff" + front.rstrip("\n")]
    crlf = front.replace("\n", "\r\n")  # saved on Windows: the closing line's CR is part of it
    assert _hidden(crlf + body) == [crlf.rstrip("\n")]
    plain = grader.grade(body, "video_recommendation")
    noted = grader.grade(front + body, "video_recommendation")
    assert [(c.id, c.score) for c in noted.components] == [
        (c.id, c.score) for c in plain.components
    ]
    assert [p.reason for p in noted.ignored] == ["hidden"] + [p.reason for p in plain.ignored]


def test_crafted_markup_is_read_in_linear_time():
    """A line of 60,000 '<a' took 70 s in the element pattern (a 158 s grade); each of these now
    takes well under a second at half a megabyte."""
    import time

    crafted_inputs = ["<a" * 250_000, "<p hidden>x\n" * 40_000, "<!--" * 125_000]
    crafted_inputs += ["\n<!--" * 100_000, "[x]: y\nword\n" * 40_000, "---\n" + "a: b\n" * 100_000]
    for crafted in crafted_inputs:
        started = time.perf_counter()
        hidden_passages(crafted)
        assert time.perf_counter() - started < 5, crafted[:12]
