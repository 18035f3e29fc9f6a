"""Answers written in a word processor: a Word document (.docx, as Word, Google Docs and LibreOffice
save it) or a PDF, read as the Markdown-like text the grader reads best. A .docx keeps its
structure: headings become "#" headings, list items "- " bullets and tables Markdown rows under
their header row, so sections, bullets and table rows are read as they are in Markdown. A PDF
gives its text layer page by page; its lines are hard-wrapped, which the segmenter reads whole
(a line cut mid-sentence runs on into the next). Both were refused as binary files before."""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from collections.abc import Iterator

from grader.answers.decode import check_length
from grader.errors import InputError
from grader.settings import settings
from grader.text import first_line, tight_lists

DOCX_PART = "word/document.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_UNPACKED_BYTES = 64 * 2**20  # a .docx unpacking past this is refused before it is unpacked
MAX_BODY_BYTES = 8 * 2**20  # word/document.xml: a 20,000-word answer's is under 1 MB
MAX_PDF_PAGES = 300  # far more than any answer: a crafted file may list 100,000 pages
PDF_SECONDS = 30  # the longest a PDF's text layer is read for
_HEADING_STYLE = re.compile(r"(?:heading|überschrift|titre|título|titolo)\s*(\d)", re.IGNORECASE)


def is_docx(data: bytes) -> bool:
    """Whether `data` is a Word document: a ZIP package holding word/document.xml."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return DOCX_PART in package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


# other office packages, by a part only they hold: named when refused (a deck had been called a
# "binary file" while a Word document, also a ZIP package, is read)
OTHER_OFFICE = {
    "ppt/presentation.xml": "a PowerPoint deck",
    "xl/workbook.xml": "an Excel workbook",
    "content.xml": "an OpenDocument file",
}


def office_kind(data: bytes) -> str | None:
    """What kind of office package other than a Word document `data` is, if it is one."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    return next((kind for part, kind in OTHER_OFFICE.items() if part in names), None)


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip()[:5] == b"%PDF-"


def docx_text(data: bytes, name: str) -> str:
    """The document's paragraphs and tables in order: headings as "#" headings, list items as
    bullets, tables as Markdown rows (the first row their header)."""
    import docx
    from docx.table import Table

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        unpacked = sum(info.file_size for info in package.infolist())
        body = package.getinfo(DOCX_PART).file_size
    if body > MAX_BODY_BYTES:  # parsed, it would take ten times that in memory, and seconds a MB
        raise InputError(
            f"{name}: its text part unpacks to {body / 2**20:,.0f} MB, too large for an answer "
            f"(the limit is {MAX_BODY_BYTES // 2**20} MB)"
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{name} unpacks to {unpacked / 2**20:,.0f} MB: too large for an answer (the limit is "
            f"{MAX_UNPACKED_BYTES // 2**20} MB)"
        )
    try:
        document = docx.Document(io.BytesIO(data))
        styles = {style.style_id: style.name or "" for style in document.styles}
        blocks, size = [], 0
        for block in _blocks(document.element.body, document):
            blocks.append(_table(block) if isinstance(block, Table) else _paragraph(block, styles))
            size += len(blocks[-1])
            if size > settings().max_chars:  # stop reading: the answer is over the limit anyway
                check_length("\n\n".join(blocks))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged package: zipfile, lxml or python-docx errors
        raise InputError(
            f"{name} could not be read as a Word document ({first_line(exc)})"
        ) from None
    text, item = "", False
    for block in (b for b in blocks if b.strip()):  # a list's items one per line, blocks apart
        follows = item and block.startswith("- ")
        text += ("\n" if follows else "\n\n" if text else "") + block
        item = block.startswith("- ")
    if not text.strip():
        raise InputError(f"{name} holds no text")
    return tight_lists(text) + "\n"


def _blocks(body, parent) -> Iterator:
    """The body's paragraphs and tables in order, those inside content controls (`w:sdt`, which
    Word's templates and Google Docs' smart chips put around blocks) included."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, parent)
        elif tag == "tbl":
            yield Table(child, parent)
        elif tag == "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _blocks(content, parent)


def _shown(paragraph) -> str:
    """The paragraph's text as Word shows it: every run, inside tracked insertions, links and
    content controls too, but not a run formatted hidden (`w:vanish`) nor deleted text."""
    out = []
    for node in paragraph._p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        run = node.getparent()
        if (
            run is None
            or _hidden_run(run)
            or any(a.tag in (_W + "del", _W + "moveFrom") for a in node.iterancestors())
        ):
            continue
        tag = node.tag.rsplit("}", 1)[-1]
        out.append(node.text or "" if tag == "t" else "\t" if tag == "tab" else "\n")
    return "".join(out)


def _hidden_run(run) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(_W + "val", "true").lower() not in (
        "0",
        "false",
        "off",
    )


def _paragraph(paragraph, styles: dict[str, str]) -> str:
    text = _shown(paragraph).strip()
    if not text:
        return ""
    # by the style map read once: python-docx's `paragraph.style` searches every style each time
    style = styles.get(paragraph._p.style or "", "")
    if style.lower() == "title":
        return f"# {text}"
    if heading := _HEADING_STYLE.fullmatch(style.strip()):
        return "#" * min(6, max(1, int(heading.group(1)))) + " " + text
    properties = paragraph._p.pPr
    if (properties is not None and properties.numPr is not None) or "list" in style.lower():
        return f"- {text}"
    return text


def _table(table) -> str:
    rows = []
    for row in table.rows:
        shown = (" ".join(_shown(p) for p in cell.paragraphs) for cell in row.cells)
        cells = [" ".join(text.split()).replace("|", "/") for text in shown]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return ""
    width = rows[0].count(" | ") + 1
    return "\n".join([rows[0], "|" + "---|" * width, *rows[1:]])


def _pages_text(reader, name: str) -> list[str]:
    """Each page's text, within bounds: a page showing a content stream an earlier page showed is
    read once (ten pages sharing one crafted stream took a minute), the text stops growing past
    the answer's character limit, and reading stops after PDF_SECONDS."""
    started, seen, pages, size = time.monotonic(), set(), [], 0
    for page in reader.pages:
        contents = page.get("/Contents")
        key = repr(contents) if contents is not None and hasattr(contents, "idnum") else None
        if key is not None and key in seen:
            continue
        seen.add(key)
        pages.append((page.extract_text() or "").strip())
        size += len(pages[-1])
        if size > settings().max_chars:
            check_length("\n\n".join(pages))
        if time.monotonic() - started > PDF_SECONDS:
            raise InputError(f"{name} took over {PDF_SECONDS} s to read: export the answer as text")
    return pages


# A PDF's text layer breaks each paragraph where its lines wrapped on the page: a line that runs
# (nearly) the page's full width and ends without a stop runs on into the next, unless the next
# opens a list item or starts with a capital (a table's rows). Rejoined, a wrapped sentence reads
# as one ("... whether the card has / been / seen ..." had been graded as three notes); a short
# line (a heading, a list item's end) and a line ending with a stop or a colon keep their break.
WRAPPED_WIDTH = 0.75  # of a full line's width (the page's widest line) ...
WRAPPED_CHARS = 50  # ... and at least this long: notes of a few words each keep their lines
_ENDS_LINE = re.compile(r"[.!?:;|]['\")\]\u201d\u2019]*$")
_ENDS_SENTENCE = re.compile(r"[.!?]['\")\]\u201d\u2019]*$")
_OPENS_ITEM = re.compile(r"\s*(?:[-*+\u2022\u25aa\u25cf\u2013]\s|\d{1,2}[.)]\s|[#|])")
_BROKEN_WORD = re.compile(r"[^\W\d_]-$")


def reflowed(page: str) -> str:
    """A page of a PDF's text with its wrapped lines joined (`WRAPPED_WIDTH`, `WRAPPED_CHARS`),
    and a blank line where a paragraph ends: a line short of a full one that ends its sentence,
    before a line of text (no list item on either side). The text layer has no blank lines, and
    without them the paragraphs of a PDF had been read as one (30 as text, 33 as a PDF)."""
    lines = page.split("\n")
    wrapped = max(WRAPPED_WIDTH * max(len(line.strip()) for line in lines), WRAPPED_CHARS)
    out: list[str] = []
    last = ""  # the line before, as the page has it
    for line in lines:
        before = out[-1].rstrip() if out else ""
        if (
            before
            and line.strip()
            and len(last.strip()) < wrapped
            and _ENDS_SENTENCE.search(last.rstrip())
            and not _OPENS_ITEM.match(line)
            and not _OPENS_ITEM.match(last)
        ):
            out += ["", line]  # a paragraph's last line: the next one starts another
            last = line
            continue
        last = line
        if (
            before
            and line.strip()
            and len(before.strip()) >= wrapped
            and not _ENDS_LINE.search(before)
            and not _OPENS_ITEM.match(line)
            # a capital after a full line: a table's next row, more likely than a sentence's
            # next word (which a comma or a hyphen before it may still say)
            and (not line.lstrip()[:1].isupper() or before.endswith((",", "-")))
        ):
            # a hyphen ending the line stays, whether it broke a word or joins one ("on-call")
            out[-1] = (
                before + line.strip() if _BROKEN_WORD.search(before) else f"{before} {line.strip()}"
            )
        else:
            out.append(line)
    return "\n".join(out)


# A page's running header and footer ("Acme Prep - Candidate 17 - CONFIDENTIAL", "Page 2 of 5")
# are no part of the answer: read, they were spliced into the sentence a page break cut, and
# the quote lost its start ("computed in a streaming job ..."). A line among the first or last
# EDGE_LINES of a page that recurs there (figures aside) on half the pages or more, two at least,
# is such a line, and so is a bare page number there.
EDGE_LINES = 2
_PAGE_NUMBER = re.compile(
    r"(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]",
    re.IGNORECASE,
)


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def without_running_lines(pages: list[str]) -> list[str]:
    """The pages without their running headers, footers and page numbers (`EDGE_LINES`)."""

    def edges(lines: list[str]) -> list[int]:
        shown = [i for i, line in enumerate(lines) if line.strip()]
        return sorted(set(shown[:EDGE_LINES] + shown[-EDGE_LINES:]))

    split = [page.split("\n") for page in pages]
    counts: dict[str, int] = {}
    for lines in split:
        for key in {_edge_key(lines[i]) for i in edges(lines)}:
            counts[key] = counts.get(key, 0) + 1
    running = {k for k, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}
    out = []
    for lines in split:
        drop = {
            i
            for i in edges(lines)
            if _edge_key(lines[i]) in running or _PAGE_NUMBER.fullmatch(lines[i].strip())
        }
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop).strip())
    return out


def joined_pages(pages: list[str]) -> str:
    """The pages' text, a blank line apart, except where a sentence runs on over the page break
    (the page ends without a stop and the next starts with a small letter): one space."""
    out = ""
    for page in (p for p in pages if p):
        if out and not _ENDS_LINE.search(out) and page[:1].islower():
            out += " " + page
        else:
            out += ("\n\n" if out else "") + page
    return out


def pdf_text(data: bytes, name: str) -> str:
    """The PDF's text layer, page by page (pages apart by a blank line, unless a sentence runs on
    over the break), its wrapped lines joined (`reflowed`), without its running headers, footers
    and page numbers (`without_running_lines`)."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings ("EOF marker not found")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{name} is password-protected: save a copy without a password")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(
                f"{name} has {len(reader.pages):,} pages: too long for an answer (the limit is "
                f"{MAX_PDF_PAGES})"
            )
        pages = _pages_text(reader, name)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file: any of pypdf's errors
        raise InputError(f"{name} could not be read as a PDF ({first_line(exc)})") from None
    text = joined_pages([reflowed(p) for p in without_running_lines(pages) if p])
    if not text.strip():
        raise InputError(
            f"{name} holds no text layer (a scan or an image?): export the answer as text, or "
            "run the PDF through OCR first"
        )
    return text + "\n"
