"""Answers written in Word or Google Docs (.docx) or saved as PDF are read as their text, with
their structure where the file keeps it; a damaged, locked or image-only file gets one line."""

import io

import docx
import pytest
from pypdf import PdfWriter

from grader.answers.files import load_answer_bytes, load_answer_file
from grader.batch import read_rows
from grader.errors import InputError


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("Video recommendations", 0)
    document.add_heading("Requirements", level=1)
    document.add_paragraph("We optimise long-term watch time, with a guardrail on user reports.")
    document.add_heading("Monitoring", level=2)
    document.add_paragraph(
        "PSI on the top 20 features daily, paging above 0.2", style="List Bullet"
    )
    document.add_paragraph("Retrain weekly on a 30-day window", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for i, row in enumerate([("Metric", "Target"), ("NDCG@10 | recall", "0.42 offline")]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(lines: list[str], pages: int = 1) -> bytes:
    """A PDF showing `lines` in Helvetica, written by hand (PDF 1.4, its xref exact); with more
    pages, each page shows the same content stream (object 4)."""

    def escaped(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escaped(line)}) Tj T*" for line in lines)
    content = f"BT /F1 11 Tf 72 760 Td 14 TL {shown} ET"
    page = (
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>"
    )
    kids = " ".join(["3 0 R"] + [f"{6 + k} 0 R" for k in range(pages - 1)])
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>",
        page,
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *[page] * (pages - 1),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out + trailer.encode()


def _pdf_pages(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show their own lines (one content stream each)."""
    from pypdf import PdfReader

    writer = PdfWriter()
    for lines in pages:
        writer.add_page(PdfReader(io.BytesIO(_pdf(lines))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdfs_running_header_footer_and_page_numbers_are_no_part_of_the_answer(tmp_path):
    """A line recurring at the top or bottom of the pages, and a bare page number there, are left
    out; a sentence a page break cut runs on into the next page, so its quote keeps its start."""
    header = "Acme Interview Prep - Candidate 17 - CONFIDENTIAL"
    path = tmp_path / "answer.pdf"
    path.write_bytes(
        _pdf_pages(
            [
                [header, "Requirements", "Velocity features per card are"],
                [header, "computed in a streaming job with Flink.", "Page 2 of 3"],
                [header, "Monitoring", "We alert when PSI exceeds 0.2.", "3"],
            ]
        )
    )
    text = load_answer_file(path).text
    assert header not in text and "Page 2" not in text and not text.rstrip().endswith("3")
    assert "Velocity features per card are computed in a streaming job with Flink." in text
    assert "Flink.\n\nMonitoring" in text  # a page that ends a sentence keeps its break


def test_a_word_document_keeps_its_headings_lists_and_tables(tmp_path):
    path = tmp_path / "answer.docx"
    path.write_bytes(_docx())
    answer = load_answer_file(path)
    assert (answer.source.kind, answer.source.format, answer.source.name) == (
        "text",
        "docx",
        "answer.docx",
    )
    assert answer.text == (
        "# Video recommendations\n\n# Requirements\n\n"
        "We optimise long-term watch time, with a guardrail on user reports.\n\n## Monitoring\n\n"
        "- PSI on the top 20 features daily, paging above 0.2\n"
        "- Retrain weekly on a 30-day window\n\n"
        "| Metric | Target |\n|---|---|\n| NDCG@10 / recall | 0.42 offline |\n"
    )


def test_a_pdfs_wrapped_lines_are_read_as_its_sentences_and_notes_keep_their_lines():
    """The same answer scored 83 as a PDF and 80 as Word: the PDF's sentences came broken where
    its lines wrapped ("whether the card has / been / seen"). Lines running the page's width
    without a stop are joined; notes, list items and lines ending with a stop keep their break."""
    page = [
        "Serving",
        "Every card payment is scored in real time by a gradient boosted model that reads",
        "the merchant, the amount and whether the card has been seen on this device",
        "before; the score goes back to checkout within 80 ms.",
        "- PSI on the top twenty features, alerting when any of them passes 0.2 for a day",
        "- chargeback rate by merchant category",
        "retrain weekly",
        "cold start: popularity by region",
        "Transaction amount      numeric      from the payments ledger, refreshed daily",
        "Merchant category       categorical  from the acquirer onboarding records",
    ]  # the last two: a table's rows, each a line of its own
    text = load_answer_bytes(_pdf(page), "design.pdf").text
    assert text.splitlines() == [
        "Serving",
        " ".join(page[1:4]),
        *page[4:],
    ]


def test_a_pdfs_paragraphs_are_read_as_paragraphs(grader):
    """A PDF's text layer has no blank lines: its paragraphs had been read as one, word windows
    joining one's end to the next one's start (30 as text, 33 as a PDF). A line well short of a
    full one that ends its sentence ends its paragraph; list items keep their lines."""
    page = [
        "I would frame this as binary classification of each booked appointment: will the",
        "patient arrive or not, scored the evening before.",
        "Features come from the scheduling system: lead time, past no-shows, the day and hour",
        "of the slot, and whether the SMS reminder was confirmed.",
        "For the model I would start from the past no-show rate of each patient as a baseline",
        "then train gradient boosted trees, tested on recent months.",
        "- retrain monthly.",
        "- watch PSI.",
    ]
    text = load_answer_bytes(_pdf(page), "a.pdf").text
    paragraphs = [f"{page[k]} {page[k + 1]}" for k in (0, 2, 4)]
    assert text.rstrip("\n").split("\n\n") == [
        *paragraphs[:2],
        paragraphs[2] + "\n" + "\n".join(page[6:]),
    ]
    q = "Design a model that predicts which hospital appointments will be missed"
    scores = [
        {c.id: c.score for c in grader.grade(t, q).components}
        for t in (text, text.replace("\n\n", "\n"))
    ]
    assert scores[0] != scores[1]  # as one block, its windows would have read otherwise
    typed = "\n\n".join(paragraphs) + "\n" + "\n".join(page[6:]) + "\n"
    assert {c.id: c.score for c in grader.grade(typed, q).components} == scores[0]


def test_a_pdf_is_read_as_its_text_and_its_quotes_point_into_it(tmp_path, grader):
    lines = [
        "Monitoring",
        "We compute PSI on the top twenty features every day and page the on-",
        "call engineer when it passes 0.2 for two days in a row, then retrain on",
        "the last thirty days of labelled transactions behind a canary release.",
    ]
    answer = load_answer_bytes(_pdf(lines), "notes.pdf")
    # the page's wrapped lines are one paragraph again; its heading keeps its line
    assert answer.source.format == "pdf" and answer.text == (
        "Monitoring\nWe compute PSI on the top twenty features every day and page the on-call "
        "engineer when it passes 0.2 for two days in a row, then retrain on the last thirty days "
        "of labelled transactions behind a canary release.\n"
    )
    report = grader.grade(answer.graded_text, "fraud_detection")
    quotes = [(e.start, e.end, e.quote) for c in report.components for e in c.evidence]
    assert quotes and all(answer.text[s:e] == q for s, e, q in quotes)
    # by its content, whatever its name says
    assert load_answer_bytes(_pdf(lines), "notes.txt").source.format == "pdf"


def test_damaged_locked_or_image_only_documents_get_one_line(tmp_path):
    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    scanned, locked = io.BytesIO(), io.BytesIO()
    blank.write(scanned)
    blank.encrypt("secret")
    blank.write(locked)
    cases = [
        ("scan.pdf", scanned.getvalue(), "holds no text layer"),
        ("locked.pdf", locked.getvalue(), "is password-protected"),
        ("cut.pdf", _pdf(["We retrain weekly."])[:200], "could not be read as a PDF"),
        ("cut.docx", _docx()[:3000], "not a whole .docx package"),
        # its control words ("\\par", "\\'92") had been graded and quoted as the answer's words
        ("notes.rtf", rb"{\rtf1\ansi We retrain weekly.\par }", "Rich Text \\(RTF\\)"),
        ("notes.txt", b"  " + rb"{\rtf1\ansi We retrain weekly.\par }", "Rich Text \\(RTF\\)"),
    ]
    for name, data, needle in cases:
        with pytest.raises(InputError, match=needle) as err:
            load_answer_bytes(data, name)
        assert "\n" not in str(err.value) and name in str(err.value)


def test_a_pdf_locked_only_against_editing_is_read():
    """AES encryption with an empty user password (print or copy restrictions) opens in any
    viewer; it had failed for want of the cryptography package."""
    from pypdf import PdfReader

    restricted = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(["We retrain weekly."]))))
    restricted.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    restricted.write(out)
    assert load_answer_bytes(out.getvalue(), "aes.pdf").text == "We retrain weekly.\n"


def test_a_cohort_folder_may_hold_word_documents_and_pdfs(tmp_path):
    (tmp_path / "ana.docx").write_bytes(_docx())
    (tmp_path / "ben.pdf").write_bytes(_pdf(["We rank with a GBDT and retrain weekly."]))
    rows, problems = read_rows(tmp_path, "video_recommendation")
    assert [r.id for r in rows] == ["ana", "ben"] and not problems


def test_a_word_document_unpacking_past_the_limit_is_refused_before_it_is_unpacked(monkeypatch):
    import grader.answers.documents as documents

    monkeypatch.setattr(documents, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(InputError, match="unpacks to .* too large"):
        load_answer_bytes(_docx(), "bomb.docx")


def test_a_word_document_is_read_as_word_shows_it():
    """Hidden runs are not shown; tracked insertions and content controls are (python-docx's own
    paragraph text dropped the last two and kept the first)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text: str):
        r, t = OxmlElement("w:r"), OxmlElement("w:t")
        t.text = text
        r.append(t)
        return r

    document = docx.Document()
    shown = document.add_paragraph("We score with a GBDT. ")
    shown.add_run("We monitor drift with PSI on every feature.").font.hidden = True
    inserted = document.add_paragraph("Labels: chargebacks. ")
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "Ana")
    ins.append(run("Confirmed after 90 days."))
    inserted._p.append(ins)
    control, content, paragraph = (
        OxmlElement("w:sdt"),
        OxmlElement("w:sdtContent"),
        OxmlElement("w:p"),
    )
    paragraph.append(run("Retrain weekly on a 30-day window."))
    content.append(paragraph)
    control.append(content)
    body = document.element.body
    body.insert(len(body) - 1, control)  # before the section properties, as Word writes it
    out = io.BytesIO()
    document.save(out)
    text = load_answer_bytes(out.getvalue(), "answer.docx").text
    assert text == (
        "We score with a GBDT.\n\nLabels: chargebacks. Confirmed after 90 days.\n\n"
        "Retrain weekly on a 30-day window.\n"
    )


def test_crafted_documents_are_refused_or_read_within_bounds(monkeypatch):
    """A page showing a content stream an earlier page showed is read once (ten pages sharing one
    crafted stream took a minute); too many pages, or a Word body too large to parse (1.7 million
    empty paragraphs took 34 s and 950 MB), are refused before they are read."""
    import grader.answers.documents as documents

    assert load_answer_bytes(_pdf(["We retrain weekly."], pages=3), "a.pdf").text == (
        "We retrain weekly.\n"
    )
    monkeypatch.setattr(documents, "MAX_PDF_PAGES", 2)
    with pytest.raises(InputError, match="has 3 pages: too long"):
        load_answer_bytes(_pdf(["We retrain weekly."], pages=3), "a.pdf")
    monkeypatch.setattr(documents, "MAX_BODY_BYTES", 1000)
    with pytest.raises(InputError, match="text part unpacks to .* too large"):
        load_answer_bytes(_docx(), "a.docx")


def test_other_office_files_are_named_when_refused(tmp_path):
    """A deck or a workbook is a ZIP package as a Word document is: named, with what to do, not
    called a binary file."""
    import zipfile

    for part, kind, suffix in (
        ("ppt/presentation.xml", "a PowerPoint deck", "pptx"),
        ("xl/workbook.xml", "an Excel workbook", "xlsx"),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            package.writestr("[Content_Types].xml", "<Types/>")
            package.writestr(part, "<x/>")
        path = tmp_path / f"answer.{suffix}"
        path.write_bytes(out.getvalue())
        with pytest.raises(InputError) as err:
            load_answer_file(path)
        assert str(err.value) == (
            f"{path} is {kind}, which is not read: export its text (as .txt or .md), or save it "
            "as .pdf or .docx"
        )


def test_a_damaged_document_is_named_as_what_it_claims_to_be():
    """A damaged .pdf or .docx (no PDF header, no ZIP) had been refused as "contains NUL bytes:
    it looks like a binary file, not text", which says nothing to whoever exported it."""
    junk = bytes(range(256)) * 4
    for name, kind in [("answer.pdf", "a PDF"), ("Answer.DOCX", "a Word document")]:
        with pytest.raises(InputError) as exc:
            load_answer_bytes(junk, name)
        assert f"{name} is named as {kind} but cannot be read as one" in str(exc.value)
    with pytest.raises(InputError, match="contains NUL bytes"):
        load_answer_bytes(junk, "answer.bin")


def test_a_converted_lists_items_read_as_markdown_writes_them(grader):
    """A web page or a Word file whose list items, and the line opening them, are paragraphs a
    blank line apart had been read otherwise than the same answer typed (52 as text, 48 as a web
    page or a Word file): its items come one under another, as Markdown writes them."""
    from grader.text import tight_lists

    typed = (
        "We score each pair of listings with a classifier. Features:\n"
        "- cosine similarity of the two titles' embeddings\n"
        "- same brand and same model number\n\n"
        "Serving is a nightly batch over the day's new listings.\n"
    )
    page = (
        "<html><body>"
        + "".join(f"<p>{line}</p>" for line in typed.replace("\n\n", "\n").splitlines())
        + "</body></html>"
    )
    read = load_answer_bytes(page.encode(), "answer.html").text
    assert read.strip() == typed.strip()
    document = docx.Document()
    for line in typed.replace("\n\n", "\n").splitlines():
        document.add_paragraph(line)
    data = io.BytesIO()
    document.save(data)
    assert load_answer_bytes(data.getvalue(), "answer.docx").text.strip() == typed.strip()
    assert tight_lists("Two options.\n\nWe pick one.\n") == "Two options.\n\nWe pick one.\n"


@pytest.mark.parametrize(
    "suffix, kind",
    [(".pdf", "PDF document"), (".docx", "Word document"), (".wav", "audio recording")],
)
def test_a_document_name_holding_plain_text_is_read_as_text_and_said(tmp_path, suffix, kind):
    # a download cut short or a renamed file: graded as the words it holds, with a note saying so
    path = tmp_path / f"answer{suffix}"
    path.write_text("We retrain weekly on a 30-day window.", encoding="utf-8")
    read = load_answer_file(path)
    assert read.text == "We retrain weekly on a 30-day window."
    assert any(f"holds no {kind}: it was read as plain text" in n for n in read.notes)
    # a real document's name, or a text file's, carries no such note
    assert not load_answer_bytes(_docx(), "a.docx").notes
    plain = tmp_path / "answer.md"
    plain.write_text("We retrain weekly.", encoding="utf-8")
    assert not load_answer_file(plain).notes
