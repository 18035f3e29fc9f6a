"""grader.app.safe: untrusted text becomes inert Markdown; highlights land on exactly the given characters."""

import re

import pytest

from grader.app.safe import WORD_JOINER, highlighted, inert, inert_block, markdown_block


def rendered(markdown: str) -> str:
    """The text a CommonMark renderer holds: escapes resolved, code spans shown as their content."""
    parts = re.split(r"(`+) (.*?) \1", markdown)
    return "".join(
        re.sub(r"\\(.)", r"\1", p) if i % 3 == 0 else p if i % 3 == 2 else ""
        for i, p in enumerate(parts)
    )


def unescape(markdown: str) -> str:
    """The text a reader sees: `rendered`, without the invisible word joiners."""
    return rendered(markdown).replace(WORD_JOINER, "")


# what Streamlit's Markdown does to text between spaces (its frontend's typographic replacements)
STREAMLIT_SYMBOLS = [
    (r"(^|\s)<->(\s|$)", "\\1\u2194\\2"),
    (r"(^|\s)->(\s|$)", "\\1\u2192\\2"),
    (r"(^|\s)<-(\s|$)", "\\1\u2190\\2"),
    (r"(^|\s)--(\s|$)", "\\1\u2014\\2"),
    (r"(^|\s)>=(\s|$)", "\\1\u2265\\2"),
    (r"(^|\s)<=(\s|$)", "\\1\u2264\\2"),
    (r"(^|\s)~=(\s|$)", "\\1\u2248\\2"),
]


@pytest.mark.parametrize(
    "text", ["drift -> retrain weekly", "a <-> b", "<- back", "p99 <= 100 ms -- or >= 2 ~= 3"]
)
def test_arrows_and_signs_are_shown_as_typed(text):
    shown = rendered(inert(text))
    for pattern, symbol in STREAMLIT_SYMBOLS:
        assert re.sub(pattern, symbol, shown) == shown, pattern
    assert shown.replace(WORD_JOINER, "") == text
    assert inert("well-known") == "well\\-known"  # no joiner where nothing would change


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[click](https://evil.example)",
        "![img](https://evil.example/p.png)",
        ":red[coloured] :material/home:",
        "$x^2$ **bold** _it_ ~~strike~~",
        "| a | b |",
        "# heading",
        "> quote",
    ],
)
def test_markup_is_escaped_and_reads_the_same(text):
    out = inert(text)
    assert unescape(out) == text
    outside_code = re.sub(r"(`+) .*? \1", "", out)
    assert not re.search(
        r"(?<!\\)[<\[\]*_$:|#>!~(]", outside_code
    )  # no unescaped markup character survives


def test_bare_links_and_addresses_become_code_spans():
    out = inert("see https://evil.example/a, www.evil.example and me@evil.example.")
    assert "` https://evil.example/a `\\," in out  # the sentence's comma stays outside the link
    assert "` www.evil.example `" in out and "` me@evil.example `" in out
    assert (
        inert("a `tick` in https://x.example/`y`").count("``") == 2
    )  # a longer fence around backticks


def test_highlight_marks_exactly_the_spans_line_by_line():
    text = "first line\n\n    second [line] here\nthird"
    start = text.index("second")
    out = highlighted(
        text, [(start, start + len("second [line]")), (text.index("third"), len(text))]
    )
    assert out.split("\n") == [
        "first line",
        "",
        ":orange-background[second \\[line\\]] here  ",
        ":orange-background[third]",
    ]  # indentation dropped: no code block
    assert highlighted("abc", [(5, 9)]) == "abc"  # spans outside the text are ignored


def test_block_keeps_line_breaks_and_paragraphs():
    assert inert_block("1. one\n- two\n\n\nthree") == "1\\. one  \n\\- two\n\nthree"
    with pytest.raises(ValueError):
        highlighted("x", [], colour="pink; x")


def test_a_table_in_the_answer_is_shown_as_a_table_with_inert_cells():
    src = "| Action | When |\n|---|:---:|\n| Decline | p >= 0.3 <b>x</b> |\n| Review [link](http://e.x) |"
    colours = [None] * len(src)
    at = src.index("Decline")
    colours[at : at + 7] = ["orange"] * 7
    md = markdown_block(src, colours, [False] * len(src))
    rows = md.split("\n")
    assert rows[0] == "| Action | When |" and rows[1] == "|---|---|"
    assert rows[2].startswith("| :orange-background[Decline] | ") and "\\<b\\>" in rows[2]
    assert rows[3].count(" | ") == 1 and rows[3].endswith(" |")  # a short row is padded
    marked = "| a | b |\n|---|---|\n| c | d |\u207d\u00b9\u207e"  # a mark after the closing pipe
    shown = markdown_block(marked, [None] * len(marked), [False] * len(marked)).split("\n")
    assert shown[2] == "| c | d \u207d\u00b9\u207e |"  # joins the last cell
    assert "](" not in md.replace("\\](", "")  # no link survives
    # not a table without its rule: lines as before
    plain = "| a | b |\n| c | d |"
    shown = markdown_block(plain, [None] * len(plain), [False] * len(plain))
    assert "|" not in shown.replace("\\|", "")


def test_marks_that_close_one_passage_read_in_order():
    from grader.app.report_view import Mark, marked

    text = "Monitor drift weekly. Also check fairness and explain decisions."
    end = len(text)
    here = [
        (21, Mark(22, end, {"bias_fairness": "covered"})),
        (22, Mark(22, end, {"x": "partial"})),
    ]
    body, cols, bold, code = marked(text, 0, end, here, [None] * end, [False] * end)
    assert body.endswith("decisions.⁽²¹⁾⁽²²⁾") and len(cols) == len(bold) == len(code) == len(body)


def test_a_fenced_code_block_is_shown_as_code_with_its_shape():
    from grader.app.safe import markdown_block

    text = (
        "```yaml\nserving:\n  replicas: 120 * 2\n\tc.\tAppeals\n# not a heading\n- not a list\n```"
    )
    out = markdown_block(text, [None] * len(text), [False] * len(text)).split("\n")
    assert out[0].rstrip() == ":gray[yaml]"  # the language in grey, not three backticks
    assert out[1].rstrip() == "` serving: `"
    assert out[2].startswith("\u00a0\u00a0` replicas: 120 * 2 `")  # no italics read from "*"
    assert out[3].startswith("\u00a0" * 4 + "` c.")
    assert out[4].rstrip() == "` # not a heading `" and out[5].rstrip() == "` - not a list `"
    assert len(out) == 6  # the closing fence shows nothing
    assert not any(line.startswith((" ", "\t")) for line in out)  # no Markdown code block


def test_a_code_block_holding_a_blank_line_is_code_in_the_evidence_view_too():
    """The evidence view renders paragraph by paragraph: what is inside a fence is read over the
    whole answer, and a mark set in a code line stays outside its code."""
    from grader.app.report_view import Mark, blocks, marked
    from grader.app.safe import fenced, markdown_block

    text = "Intro *here*.\n\n```\nscore = a * b\n\nrank = sort(score)\n```\n\nAfter *that*."
    code = fenced(text)
    paras = blocks(text)
    assert len(paras) == 4
    at = text.index("rank = sort(score)") + len("rank = sort(score)")
    s, t = paras[2]
    shown = markdown_block(
        *marked(
            text,
            s,
            t,
            [(3, Mark(s, at, {"x": "covered"}))],
            [None] * len(text),
            [False] * len(text),
            code,
        )
    )
    assert shown.splitlines()[0].rstrip() == "` rank = sort(score) `⁽³⁾"
    s, t = paras[1]
    first = markdown_block(*marked(text, s, t, [], [None] * len(text), [False] * len(text), code))
    assert first.splitlines()[-1].rstrip() == "` score = a * b `"
    s, t = paras[3]
    assert (
        markdown_block(*marked(text, s, t, [], [None] * len(text), [False] * len(text), code))
        == "After *that*\\."
    )
