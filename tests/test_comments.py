"""Reviewers' comments exported with a document ("[a] Name: ..." lines after the text, the passage
they comment on marked "[a]") are the reviewers' words, not the candidate's: not counted."""

from grader.scoring.comments import reviewer_comments

COMMENTS = [
    "[a] P. Okafor: Can we quantify the business cost of a late alert?",
    "[b]L. Chen: nice, +1 on the canary rollout with automatic rollback and PSI drift alerts.",
]


def test_the_comments_of_an_exported_document_are_found():
    text = (
        "We score every new listing within an hour.[a] A GBDT ranks candidate pairs.[b]\n\n"
        "________________\n" + "\n".join(COMMENTS) + "\n"
    )
    assert [text[s:e] for s, e in reviewer_comments(text)] == COMMENTS


def test_a_list_the_candidate_lettered_is_the_design():
    lettered = "Two options:\n[a] batch scoring nightly\n[b] online scoring per request\n"
    assert reviewer_comments(lettered) == []
    # a mark whose anchor comes only after the line is no comment on the text before it
    later = "[a] batch scoring nightly\nWe pick option a.[a]\n"
    assert reviewer_comments(later) == []
    assert reviewer_comments("- [x] monitoring done\n- [ ] drift\n") == []  # a task list


def test_a_reviewers_comment_raises_no_score(grader, weak_answer):
    anchored = weak_answer.rstrip().replace(".", ".[a]", 1) + "\n"
    comment = (
        "\n---\n[a] L. Chen: nice, +1 on the canary rollout with automatic rollback, the PSI "
        "drift alerts on every feature, and the cold-start fallback to popular videos.\n"
    )
    before = {c.id: c.score for c in grader.grade(anchored, "video_recommendation").components}
    report = grader.grade(anchored + comment, "video_recommendation")
    assert all(c.score <= before[c.id] for c in report.components)
    assert [p.reason for p in report.ignored if p.quote.startswith("[a] L. Chen")] == ["comments"]
    assert any("comment of the document's reviewers" in w for w in report.warnings)
