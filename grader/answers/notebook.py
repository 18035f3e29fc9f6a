"""Jupyter notebooks given as an answer: the answer is what their Markdown cells say."""

from __future__ import annotations

import json

from grader.errors import InputError


def markdown_cells(text: str, name: str) -> str | None:
    """The Markdown cells of a notebook (nbformat 4 JSON), one after another, or None when the
    text is not a notebook. Code and its output are not the written answer: graded as the file's
    raw JSON, a notebook's quotes read `...support tickets.\\n",\\n    "\\n",` and its code counted
    as design content."""
    if '"nbformat"' not in text:  # every notebook says its format: a transcript is not parsed twice
        return None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested past reading: no notebook
        return None
    if not (isinstance(doc, dict) and "nbformat" in doc):
        return None
    cells = doc.get("cells")
    if cells is None:  # nbformat 3 keeps its cells in worksheets
        sheets = doc.get("worksheets")
        sheets = sheets if isinstance(sheets, list) else []
        cells = [c for w in sheets if isinstance(w, dict) for c in w.get("cells") or []]
    if not isinstance(cells, list):
        return None
    parts = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            parts.append(_source(cell.get("source", ""), name))
    text = "\n\n".join(p.strip("\n") for p in parts if p.strip())
    if not text:
        raise InputError(
            f"{name} is a notebook without Markdown cells: write the answer in Markdown cells, "
            "or save it as .md"
        )
    return text + "\n"


def _source(source, name: str) -> str:
    """A cell's text: a string, or a list of its lines."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    raise InputError(f"{name} is a notebook whose Markdown cells are not text: save it as .md")
