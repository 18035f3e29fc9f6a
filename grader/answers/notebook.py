"""Jupyter notebooks given as an answer: the answer is what their Markdown cells say."""

from __future__ import annotations

import json

from grader.errors import InputError


def markdown_cells(text: str, name: str) -> str | None:
    """The Markdown cells of a notebook (nbformat 4 JSON), one after another, or None when the
    text is not a notebook. Code and its output are not the written answer: graded as the file's
    raw JSON, a notebook's quotes read `...support tickets.\\n",\\n    "\\n",` and its code counted
    as design content."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not (isinstance(doc, dict) and "nbformat" in doc and isinstance(doc.get("cells"), list)):
        return None
    parts = []
    for cell in doc["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else str(source))
    text = "\n\n".join(p.strip("\n") for p in parts if p.strip())
    if not text:
        raise InputError(
            f"{name} is a notebook without Markdown cells: write the answer in Markdown cells, "
            "or save it as .md"
        )
    return text + "\n"
