"""grader.app.safe: untrusted text becomes inert Markdown; highlights land on exactly the given characters."""

import re

import pytest

from grader.app.safe import highlighted, inert, inert_block


def unescape(markdown: str) -> str:
    """The text a CommonMark renderer shows: escapes resolved, code spans shown as their content."""
    parts = re.split(r"(`+) (.*?) \1", markdown)
    return "".join(
        re.sub(r"\\(.)", r"\1", p) if i % 3 == 0 else p if i % 3 == 2 else ""
        for i, p in enumerate(parts)
    )


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
