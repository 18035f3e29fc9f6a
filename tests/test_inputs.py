import codecs
import io
import subprocess
import sys

import pytest

from grader.answers.decode import decode_answer
from grader.answers.files import load_answer_file
from grader.errors import InputError
from grader.output import write_atomic
from tests.conftest import EXAMPLES

TEXT = "Clarify the goal: watch time. Zürich latency < 100 ms — ok"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        # UTF-32's mark begins with UTF-16's: it was read as UTF-16 and refused
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
    ],
)
def test_accepted_encodings(data):
    assert decode_answer(data) == TEXT


@pytest.mark.parametrize(
    "data,match",
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"abc\x00def", "NUL"),
        (b"caf\x81 latency", "not valid UTF-8"),  # no Windows-1252 either
        (b"caf\xe9 latency \x1b[31m", "not valid UTF-8"),  # read so, it would hold a control
    ],
)
def test_rejected_inputs_get_one_line(data, match):
    with pytest.raises(InputError, match=match) as err:
        decode_answer(data, "answer.txt")
    assert "\n" not in str(err.value) and "answer.txt" in str(err.value)


def test_unreadable_paths_get_one_line(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_answer_file(str(tmp_path / "missing.md"))
    with pytest.raises(InputError, match="is a folder"):
        load_answer_file(str(tmp_path))


class _Endless(io.RawIOBase):
    """A stream that never ends, like `mlsd grade - < /dev/zero`; counts what was read."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"a" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_stdin_reads_are_bounded():
    from grader.answers.reader import read_stdin

    stream = io.BufferedReader(_Endless())
    with pytest.raises(InputError, match="standard input is over 1 MB") as err:
        read_stdin(2**20, stream)
    assert (
        "\n" not in str(err.value) and stream.raw.read_bytes <= 2**20 + 2 * io.DEFAULT_BUFFER_SIZE
    )
    assert read_stdin(10, io.BytesIO(b"short")) == b"short"


def test_cli_refuses_endless_stdin():
    """`mlsd grade - < /dev/zero` ends with one line and exit 2 instead of reading forever."""
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "grader.cli", "grade", "-", "--question", "fraud_detection"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "standard input" in done.stderr


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "report.json"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_a_write_the_system_refuses_names_its_file_and_leaves_nothing(tmp_path, monkeypatch):
    """A full disk raises an error that names no file ("No space left on device" was all a
    batch said): the failed write names the file it was writing."""
    import errno
    import os

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    target = tmp_path / "out" / "report.json"
    with pytest.raises(OSError) as exc:
        write_atomic(target, "one")
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(target)
    assert list(target.parent.iterdir()) == []


def test_text_that_is_not_english_prose_is_refused_in_one_line():
    import random

    from grader.scoring.inputs import check_answer
    from tests.conftest import EXAMPLES

    rng = random.Random(0)
    junk = "".join(chr(rng.randint(0x2500, 0x9FFF)) for _ in range(3000))  # symbols, CJK
    with pytest.raises(InputError, match="does not read as English text") as exc:
        check_answer(junk)
    assert "\n" not in str(exc.value)
    for path in EXAMPLES.glob("*.md"):  # every style of answer passes
        check_answer(path.read_text(encoding="utf-8"))
    check_answer("-> p99 < 50ms; QPS 10k -> 3x peak; retrain 1/day " * 3)  # terse notes pass
    check_answer("> " * 30 + "- " * 30 + "retrain weekly")  # markup is not foreign


@pytest.mark.parametrize(
    "language,text",
    [
        (
            "Spanish",
            "El objetivo es reducir las transferencias entre equipos. Lo planteo como una "
            "clasificación: el modelo predice la probabilidad de cada equipo y, si la confianza es "
            "baja, el ticket va a una cola manual. Las etiquetas son el equipo que lo resolvió al "
            "final, para que el ruido de la primera cola no entre en el entrenamiento.",
        ),
        (
            "French",
            "Le modèle prédit la probabilité de chaque équipe et les tickets dont la confiance est "
            "faible vont dans une file manuelle. Nous mesurons le F1 par équipe sur une partition "
            "temporelle, et un test A/B compare le taux de réaffectation avec les règles actuelles.",
        ),
        (
            "German",
            "Das Modell sagt für jedes Team eine Wahrscheinlichkeit voraus, und Tickets mit "
            "geringer Sicherheit gehen an eine manuelle Warteschlange. Wir messen den F1-Wert pro "
            "Team auf einer zeitlichen Aufteilung und vergleichen in einem A/B-Test mit den Regeln.",
        ),
    ],
)
def test_an_answer_in_another_language_is_refused_and_says_which(language, text):
    from grader.scoring.inputs import check_answer

    with pytest.raises(InputError, match=f"does not read as English \\(it reads like {language}"):
        check_answer(text)
    # the same language as one paragraph of an English answer is outnumbered, and passes
    english = (EXAMPLES / "video_recommendation_weak.md").read_text(encoding="utf-8")
    check_answer(english + "\n\n" + text.split(". ")[0] + ".")


@pytest.mark.parametrize(
    "text",
    [
        # Dutch, Swedish and Indonesian: languages no function-word list names
        "Het model voorspelt voor elk team een kans, en tickets met een lage zekerheid gaan naar "
        "een handmatige wachtrij. Wij meten de F1 per team op een tijdgebonden splitsing en "
        "vergelijken in een A/B-test met de huidige regels, zodat duidelijk wordt of het beter is.",
        "Modellen förutsäger en sannolikhet för varje team, och ärenden med låg säkerhet hamnar i "
        "en manuell kö. Vi mäter F1 per team på en tidsbaserad uppdelning och jämför i ett A/B-test "
        "med de nuvarande reglerna, så att vi ser om modellen faktiskt hjälper.",
        "Model memprediksi peluang untuk setiap tim, dan tiket dengan keyakinan rendah masuk ke "
        "antrean manual. Kami mengukur F1 per tim pada pembagian berdasarkan waktu dan "
        "membandingkannya dalam uji A/B dengan aturan saat ini agar terlihat manfaatnya.",
    ],
)
def test_an_answer_in_any_other_language_is_refused_by_its_share_of_english_words(text):
    """Only five languages were named by their function words: a Dutch translation of a 76/100
    answer was graded 0 as off topic. A text most of whose words are not English ones is refused
    whatever its language, and terse English notes, with few function words, are not."""
    from grader.scoring.inputs import check_answer, check_question

    with pytest.raises(
        InputError, match=r"does not read as English: \d+% of its words are English"
    ):
        check_answer(text)
    notes = "\n".join(
        f"- {n}"
        for n in (
            "GBDT on pair feats -> P(dup)",
            "neg: random pairs from candidate list, low sim",
            "img: pHash + CNN embedding -> ANN index (FAISS)",
            "blocking: same category + similar price + nearby location",
            "~5M active listings, ~500k new/day, async ok within few min",
            "mid conf -> review queue, high conf -> auto merge",
            "retrain weekly; monitor dup rate and reviewer overturns",
        )
    )
    check_answer(notes)
    with pytest.raises(InputError, match="the question does not read as English"):
        check_question("Wie würden Sie ein System zur Erkennung von Kreditkartenbetrug entwerfen?")
    assert check_question("Design CTR prediction for RTB ads")


def test_a_question_has_one_length_limit_everywhere():
    from grader.scoring.inputs import MAX_QUESTION_CHARS, check_question

    context = "We run a marketplace of second-hand furniture across Europe. " * 60
    assert check_question(context[:MAX_QUESTION_CHARS]) and len(context) > MAX_QUESTION_CHARS
    with pytest.raises(InputError, match="over the limit of 3,000") as exc:
        check_question(context)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("typed", ["ans/fraud_mid.md", "answer.txt", "C:\\cohort\\ana.docx"])
def test_an_answers_file_name_typed_as_the_question_is_refused(typed):
    """`mlsd grade a.md -q b.md` graded an answer against the "question" b.md."""
    from grader.scoring.inputs import check_question

    with pytest.raises(InputError, match="reads as a file's name"):
        check_question(typed)
    for question in (
        "fraud_detection",
        "Design A/B testing for a feed ranker.",
        "Design pdf search",
    ):
        assert check_question(question) == question


@pytest.mark.parametrize("typed", ["--save", "-o", "--format"])
def test_an_option_taken_as_the_question_is_refused(typed):
    """`mlsd grade a.md -q --save` graded the answer against the question "--save"."""
    from grader.scoring.inputs import check_question

    with pytest.raises(InputError, match="reads as a command-line option"):
        check_question(typed)
    for question in ("Design a -q flag parser", "t-SNE for embeddings?", "ML"):
        assert check_question(question) == question


@pytest.mark.parametrize("typed", ["?", "x", "-", "--", " 1 ", "é."])
def test_a_question_of_no_word_is_refused(typed):
    """A question of one character or none ("?", "x") had been graded, "informed by" three
    unrelated cases, and saved to the history as a question."""
    from grader.scoring.inputs import check_question

    with pytest.raises(InputError, match="has no word to read"):
        check_question(typed)


def test_a_questions_terminal_escapes_are_not_read_nor_printed_back(fast_grader):
    """A question pasted from a terminal with its colour codes and a window-title sequence: the
    codes are no words, and printed back (`history list`, the report's question line) they acted
    on the reader's terminal."""
    from grader.render import question_line
    from grader.text import printable, shorten

    typed = "Design \x1b[31mfraud\x1b[0m detection\x1b]0;pwned\x07 for\x9b1m card\x7f payments"
    assert printable(typed) == "Design fraud detection for card payments"
    assert printable("tabs\tand\nlines\r\n") == "tabs\tand\nlines\r\n"
    assert shorten(typed, 30) == "Design fraud detection for…"
    report = fast_grader.grade("We score each card payment with a gradient boosted model.", typed)
    assert report.question.asked == "Design fraud detection for card payments"
    assert report.question.matched_by in ("retrieval", "framework")  # the line quotes it
    saved = report.model_copy(
        update={"question": report.question.model_copy(update={"asked": typed})}
    )  # a report saved before the codes were dropped on reading
    assert "\x1b" not in question_line(saved) and "\x07" not in question_line(saved)


def test_windows_1252_text_is_read_and_said(tmp_path):
    """Text saved by a Windows editor (an en dash is byte 0x96) is read as Windows-1252, and the
    report says so; a candidate's answer was refused as "not valid UTF-8"."""
    from grader.answers.files import load_answer_file

    path = tmp_path / "answer.txt"
    path.write_bytes(
        "Latency \u2013 under 50 ms; caf\u00e9 menus ranked by clicks.".encode("cp1252")
    )
    answer = load_answer_file(path)
    assert answer.text == "Latency \u2013 under 50 ms; caf\u00e9 menus ranked by clicks."
    assert any("read as Windows-1252" in n and "0x96" in n for n in answer.notes)
    assert not load_answer_file(_utf8(tmp_path)).notes


def _utf8(tmp_path):
    path = tmp_path / "utf8.txt"
    path.write_text("Latency \u2013 under 50 ms.", encoding="utf-8")
    return path


def _notebook(*cells) -> str:
    import json

    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "source": lines, "metadata": {}} for kind, lines in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_a_notebook_is_read_as_its_markdown_cells(tmp_path):
    body = ["## Serving\n", 'Score in under 50 ms with a cached "feature" store.\n']
    nb = _notebook(
        ("markdown", ["# ETA design\n", "\n", "Goal: minutes off, p90.\n"]),
        ("code", ["df = pd.read_parquet('trips')\n"]),
        ("markdown", body),
    )
    for suffix in (".ipynb", ".json"):
        path = tmp_path / f"answer{suffix}"
        path.write_text(nb)
        inp = load_answer_file(path)
        assert inp.text == inp.graded_text
        assert inp.text.startswith("# ETA design\n\nGoal: minutes off, p90.\n\n## Serving\n")
        assert 'cached "feature" store.' in inp.text  # JSON escapes read, not quoted
        assert "read_parquet" not in inp.text  # code is not the written answer
        assert inp.source.format == "md"


def test_a_notebook_without_words_or_a_file_that_is_none_get_one_line(tmp_path):
    empty = tmp_path / "code_only.ipynb"
    empty.write_text(_notebook(("code", ["x = 1\n"])))
    with pytest.raises(InputError, match="notebook without Markdown cells"):
        load_answer_file(empty)
    fake = tmp_path / "fake.ipynb"
    fake.write_text("just some words")
    with pytest.raises(InputError, match="not a Jupyter notebook"):
        load_answer_file(fake)


PAGE = (
    "<h2>Problem&nbsp;&amp; scale</h2>\n<p>About 10 billion messages a day.<br>Each decision "
    "takes under 100&nbsp;ms.</p>\n<!-- copied from the team page -->\n<ul>\n<li>Reports weigh "
    "by the user&#39;s reliability.</li>\n<li>Retrain daily.</li>\n</ul>\n<table><tr><th>Group"
    "</th><th>Examples</th></tr>\n<tr><td>Sender</td><td>domain age</td></tr></table>"
    "<script>track()</script>"
)


def test_a_web_pages_source_is_read_as_the_text_a_browser_shows(tmp_path):
    from grader.answers.files import read_text

    shown = (
        "## Problem & scale\n\nAbout 10 billion messages a day.\nEach decision takes under 100 ms."
        "\n\n- Reports weigh by the user's reliability.\n- Retrain daily.\n\n"
        "| Group | Examples |\n|---|---|\n| Sender | domain age |\n"
    )
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    pasted = tmp_path / "pasted.txt"
    pasted.write_text(PAGE)
    for inp in (read_text(PAGE), load_answer_file(page), load_answer_file(pasted)):
        assert inp.text == inp.graded_text == shown
        assert inp.source.format == "html"


def test_markdown_that_mentions_a_tag_is_not_a_web_page():
    from grader.answers.files import read_text

    text = "## Serving\nThe widget renders a <br> between items; we cache <div> fragments.\n" * 3
    assert read_text(text).text == text


def test_a_markdown_answer_quoting_html_in_a_code_block_stays_markdown(tmp_path):
    from grader.answers.files import read_text

    text = (
        "# Fraud detection\n\n## Requirements\n- Score each card payment in 50 ms.\n\n"
        "## Alert template\n```html\n<div><h2>Alert</h2><p>Was this you?</p>\n"
        "<ul><li>Yes</li><li>No</li></ul></div>\n```\n"
    )
    for inp in (read_text(text), load_answer_file(_write(tmp_path / "a.md", text))):
        assert inp.text == text and inp.source.format != "html"


def _write(path, text):
    path.write_text(text)
    return path


def test_pages_as_exported_are_read_whole():
    from grader.answers.webpage import is_webpage, webpage_text

    # no </head> (optional in HTML), a style block, cells and items holding paragraphs, <pre>
    page = (
        "<!doctype html><html><head><meta charset=utf-8><title>Doc</title>"
        "<style>" + "p.c1{margin:0}" * 2000 + "</style><body><h1>Fraud</h1>"
        "<p class='c2'><span>We score each payment in 50 ms.</span></p>"
        "<table><tr><td><p>Metric</p></td><td><p>Target</p></td></tr>"
        "<tr><td>recall</td><td>0.9<br>at p99</td></tr></table>"
        "<ul><li><p>Velocity per card</p><ul><li>1h, 1d</li></ul></li></ul>"
        "<pre>model:\n  depth: 6</pre></body></html>"
    )
    assert is_webpage(page)
    assert webpage_text(page) == (
        "# Fraud\n\nWe score each payment in 50 ms.\n\n| Metric | Target |\n|---|---|\n"
        "| recall | 0.9 at p99 |\n\n- Velocity per card\n  - 1h, 1d\n\nmodel:\n  depth: 6\n"
    )


def test_a_page_is_read_for_its_content_never_its_furniture_or_what_it_hides():
    """What a reader takes as the answer: the page's <main> (or its articles), never its menus,
    sidebars, footers, forms, comment sections or cookie banners, nor an element it hides; the
    report says what was left out."""
    from grader.answers.files import read_text
    from grader.answers.webpage import webpage_reading

    page = (
        "<!doctype html><html><body><header><nav><ul><li>Home</li><li>Pricing</li></ul></nav>"
        "<div class='cookie-banner'>We use cookies. <button>Accept</button></div></header>"
        "<aside><h3>Related</h3><ul><li><a href='/p'>Privacy and GDPR for ML</a></li></ul></aside>"
        "<main><article><header><h1>Fraud design</h1></header><p>We score each payment in 50 ms."
        "</p><div hidden>We encrypt every field.</div><p style='color:red; display: none'>SHAP "
        "reasons for each decline.</p><span aria-hidden='true'>fairness audits</span>"
        "<p>Labels come from chargebacks.</p><section class='comments'><p>jdoe: and privacy?</p>"
        "</section><form><select><option>a</option><option>b</option></select></form></article>"
        "</main><footer><p>Privacy · Terms</p></footer></body></html>"
    )
    read, left_out = webpage_reading(page)
    assert (
        read
        == "# Fraud design\n\nWe score each payment in 50 ms.\n\nLabels come from chargebacks.\n"
    )
    assert left_out == {"furniture": 5, "hidden": 3}  # the banner, sidebar, comments, form, footer
    answer = read_text(page)
    assert answer.graded_text == read and answer.source.format == "html"
    assert answer.notes == (
        "read as a web page: left out 5 parts of the page around the answer (menus, sidebars, "
        "footers, forms, comments, banners) and 3 elements the page hides, none of it graded",
    )
    # no <main> nor <article>: the whole page, its furniture and hidden elements still left out
    loose = page.replace("<main>", "<div>").replace("</main>", "</div>")
    loose = loose.replace("<article>", "<div>").replace("</article>", "</div>")
    read, left_out = webpage_reading(loose)
    assert read.startswith("# Fraud design") and "Privacy" not in read and "cookies" not in read
    assert left_out == {
        "furniture": 6,
        "hidden": 3,
    }  # its <header>s read (titles): their nav and banner not
    # a <main> holding nothing to read: the page as a whole
    empty = "<html><body><main><nav><p>Home</p></nav></main><p>We retrain weekly.</p></body></html>"
    assert webpage_reading(empty)[0] == "We retrain weekly.\n"
    # a heading's id is made of its words: "Consent and retention" is the answer, not a banner
    slugs = (
        "<html><body><h2 id='consent-and-retention'>Consent and retention</h2><p>Opt-in only."
        "</p><section id='social-features' class='level2'><p>Friends' likes.</p></section>"
        "</body></html>"
    )
    assert webpage_reading(slugs) == (
        "## Consent and retention\n\nOpt-in only.\n\nFriends' likes.\n",
        {},
    )
    # a <main> listing a repository's files and commits around its README article: the article
    repo = (
        "<html><body><main><div><strong>jane/answers</strong></div><table><tr><td>fraud.ipynb"
        "</td><td>Explainability and cold start experiments</td></tr></table><article "
        "class='markdown-body'><h2>Model<a class='headerlink' href='#model'>\u00b6</a></h2><p>"
        + "A gradient boosted model scores each payment within 30 ms. "
        * 3
        + "</p><div class='jp-Cell jp-CodeCell'><pre>df.mean()</pre></div><div "
        "class='sharedaddy sd-like'>Like this</div><div id='jp-relatedposts' class='jp-relatedposts'>"
        "<p>Handling cold start</p></div><div class='post-meta'>Posted on May 3</div></article>"
        "</main></body></html>"
    )
    read, left_out = webpage_reading(repo)
    assert (
        read
        == "## Model\n\n"
        + " ".join(["A gradient boosted model scores each payment within 30 ms."] * 3)
        + "\n"
    )
    assert left_out == {"furniture": 5}  # the permalink, the code cell, likes, related, metadata
    # an article that holds little of the page (a card beside the answer) is not the answer
    card = (
        "<html><body><main><h2>Serving</h2><p>"
        + "Each payment is scored by a gradient boosted model within 30 ms. " * 4
        + "</p><article><p>Next: a talk on queues</p></article></main></body></html>"
    )
    assert webpage_reading(card)[0].startswith("## Serving\n\nEach payment is scored")
    # furniture left open to the end (sloppy markup): the answer is never read as empty
    open_ended = "<html><body><div class='comments'><p>We retrain weekly.</p></body></html>"
    assert webpage_reading(open_ended) == ("We retrain weekly.\n", {})


def test_a_long_text_is_refused_before_it_is_read_as_a_page(monkeypatch):
    from grader.answers.files import read_text
    from grader.answers.webpage import _BLOCK_TAG

    monkeypatch.setenv("MLSD_MAX_CHARS", "100000")
    with pytest.raises(InputError, match="over the limit"):
        read_text("</p></p></p>" + "<p " * 40_000)
    # a tag's attributes never run past the next "<": the search stays linear on "<p <p <p ..."
    assert _BLOCK_TAG.findall("<p <p <p class='x'>") == ["<p class='x'>"]


def test_malformed_or_old_notebooks_get_one_line_or_are_read(tmp_path):
    import json

    v3 = {"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "markdown", "source": ["# T"]}]}]}
    assert load_answer_file(_write(tmp_path / "v3.ipynb", json.dumps(v3))).text == "# T\n"
    bad = {"nbformat": 4, "cells": [{"cell_type": "markdown", "source": ["a", None]}]}
    with pytest.raises(InputError, match="not text"):
        load_answer_file(_write(tmp_path / "bad.ipynb", json.dumps(bad)))
    from grader.answers.files import read_text

    code_only = {"nbformat": 4, "cells": [{"cell_type": "code", "source": ["x = 1"]}]}
    with pytest.raises(InputError, match="without Markdown cells"):
        read_text(json.dumps(code_only))  # pasted as saved: not graded as raw JSON


def test_a_slide_decks_export_is_read_as_sections_headed_by_its_titles():
    from grader.answers.files import read_text

    deck = (
        "Defect detection\n1\n\nSlide 2\nProblem\nOne photo per unit, every 2 seconds\n2\n\n"
        "Slide 3\nEvaluation\nRecall on defects at the chosen threshold\n3\n\n"
        "Slide 4\nDeployment\nEdge GPU box next to each camera\n4\n"
    )
    inp = read_text(deck)
    assert inp.source.format == "slides"
    assert inp.text == (
        "Defect detection\n\n## Problem\nOne photo per unit, every 2 seconds\n\n"
        "## Evaluation\nRecall on defects at the chosen threshold\n\n"
        "## Deployment\nEdge GPU box next to each camera\n"
    )
    # one "Page 2" line in an answer is a line of it
    text = "Page 2\nWe retrain the ranker daily on fresh clicks.\n"
    assert read_text(text).text == text


@pytest.mark.parametrize(
    "answer", [b"We log every impression.", None, "We log \udc80 impressions."]
)
def test_an_answer_that_is_not_text_is_refused_in_one_line_by_the_library_too(answer):
    """The library's `grade` raised a TypeError for bytes, and a transcript JSON escaping a lone
    surrogate crashed `mlsd grade` with a UnicodeEncodeError: both are refused as the CLI refuses
    bad input."""
    from grader.pipeline import grade_input

    with pytest.raises(InputError, match="the answer (must be text|is not valid text)") as exc:
        grade_input(None, answer, "fraud_detection")
    assert "\n" not in str(exc.value)


def test_a_transcript_json_with_a_lone_surrogate_is_refused_not_crashed(tmp_path):
    from grader.answers.files import load_answer_file
    from grader.scoring.inputs import check_answer

    path = tmp_path / "call.json"
    path.write_text(
        '{"segments": [{"start": 0.0, "end": 4.0, "text": "We log every impression \\udc80 '
        'and retrain weekly on the newest labels."}]}',
        encoding="utf-8",
    )
    answer = load_answer_file(path)
    with pytest.raises(InputError, match="lone surrogate"):
        check_answer(answer.graded_text)


@pytest.mark.parametrize("mark", ["\u200b", "\u00ad", "\u2060", "\ufeff", "\u200d"])
def test_an_invisible_character_inside_words_is_read_as_nothing(grader, strong_answer, mark):
    """Text copied from a web page or an editor carries characters no reader sees inside words
    (zero-width spaces, soft hyphens, word joiners): read as they were, they cut every word they
    sat in, and a strong answer sprinkled with zero-width spaces was graded 0 as off topic. It is
    read as a reader sees it, graded as the clean text is, and its quotes index the text as read,
    which the report carries."""
    from grader.pipeline import grade_input

    words = strong_answer.split(" ")
    marked = " ".join(
        w[: len(w) // 2] + mark + w[len(w) // 2 :] if len(w) > 5 else w for w in words
    )
    assert marked != strong_answer
    clean = grade_input(grader, strong_answer, "video_recommendation")
    report = grade_input(grader, marked, "video_recommendation")
    assert report.source.text == strong_answer
    assert report.overall_score == clean.overall_score
    assert {c.id: c.status for c in report.components} == {c.id: c.status for c in clean.components}
    quotes = [e for c in report.components for e in c.evidence]
    assert quotes and all(report.source.text[e.start : e.end] == e.quote for e in quotes)


def test_a_joiner_in_an_emoji_is_kept_and_text_without_invisible_characters_is_as_sent():
    """A zero-width joiner joining an emoji's parts is seen (one glyph): kept, and the text is
    as sent. A zero-width space is dropped wherever it is."""
    from grader.answers.files import read_text

    text = "We rank by watch time and log it.\nFamily: \U0001f468\u200d\U0001f469 ok."
    read = read_text(text)
    assert read.text == text and read.as_sent
    assert read_text("We rank\u200b by watch\u200b-time.").text == "We rank by watch-time."
