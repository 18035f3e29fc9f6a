"""Knowledge base: browse the cases, the rubric concepts and the seven framework steps.

Report links open a note with `?doc=<folder>/<id>.md` (its path inside knowledge_base/)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from grader.app.report_view import outline_markdown
from grader.app.safe import inert
from grader.knowledge.notes import FOLDERS, Case, Concept, KnowledgeBase, Step, cached_kb
from grader.knowledge.search import search_notes
from grader.report import SEVERITY_LABEL

LABELS = {"case": "Cases", "concept": "Concepts", "step": "Framework steps"}
KINDS = {FOLDERS[kind]: label for kind, label in LABELS.items()}  # by folder, as links name notes


def notes(kb: KnowledgeBase, folder: str) -> dict:
    return kb.notes({f: k for k, f in FOLDERS.items()}[folder])


def _apply_link(kb: KnowledgeBase) -> None:
    """Select the note named by `?doc=` once, then drop the parameter so the user can browse on."""
    doc = st.query_params.get("doc")
    if not doc:
        return
    del st.query_params["doc"]
    folder, _, name = doc.partition("/")
    note_id = name.removesuffix(".md")
    if folder in KINDS and note_id in notes(kb, folder):
        st.session_state["kb_kind"] = folder
        st.session_state[f"kb_note_{folder}"] = note_id
    else:
        st.warning(f"No note {inert(doc)} in the knowledge base.")


def render() -> None:
    st.title("Knowledge base")
    kb = cached_kb()
    _apply_link(kb)
    _search(kb)
    st.session_state.setdefault("kb_kind", "cases")
    folder = st.segmented_control(
        "Browse", list(KINDS), format_func=KINDS.get, key="kb_kind", required=True
    )
    items = notes(kb, folder)
    kind = {f: k for k, f in FOLDERS.items()}[folder]

    def label(i: str) -> str:
        return items[i].title + (" (yours)" if kb.is_user(kind, i) else "")

    note_id = st.selectbox("Note", list(items), format_func=label, key=f"kb_note_{folder}")
    note = items[note_id]
    where = (
        kb.path_of(kind, note_id)
        if kb.is_user(kind, note_id)
        else f"knowledge_base/{folder}/{note_id}.md"
    )
    st.caption(inert(str(where)))
    if isinstance(note, Case):
        _case(kb, note)
    elif isinstance(note, Concept):
        _concept(kb, note)
    else:
        _step(note)
    if note.body:
        st.divider()
        st.markdown(note.body)


SEARCH_LIMIT = 12  # notes listed for a search


def _open(folder: str, note_id: str) -> None:
    """Show a note below (a button's callback: it runs before the pickers are drawn)."""
    st.session_state["kb_kind"] = folder
    st.session_state[f"kb_note_{folder}"] = note_id


def _search(kb: KnowledgeBase) -> None:
    """Notes holding most of the words searched for, as typed ("how to handle delayed labels in
    fraud", `search_notes`), best first, each a button that opens it below."""
    query = st.text_input(
        "Search the notes", key="kb_search", placeholder="e.g. how to handle delayed labels"
    )
    if not query.strip():
        return
    found = search_notes(kb, query)
    if not found:
        st.caption(f"No note mentions {inert(query)}.")
        return
    for k, note in enumerate(found[:SEARCH_LIMIT]):
        folder = FOLDERS[note.kind]
        st.button(
            f"{note.title} ({KINDS[folder].lower()})",
            key=f"kb_found_{k}",
            type="tertiary",
            icon=":material/menu_book:",
            on_click=_open,
            args=(folder, note.id),
        )
    if len(found) > SEARCH_LIMIT:
        st.caption(f"{len(found) - SEARCH_LIMIT} more: add a word to narrow the search.")


def _bullets(title: str, items: list[str]) -> None:
    if items:
        st.markdown(f"**{title}**\n\n" + "\n".join(f"- {inert(x)}" for x in items))


def _case(kb: KnowledgeBase, case: Case) -> None:
    st.header(case.title)
    st.info(case.prompt)
    _bullets("Clarifying questions", case.clarifying_questions)
    left, right = st.columns(2)
    with left:
        _bullets("Functional requirements", case.requirements.functional)
    with right:
        _bullets("Non-functional requirements", case.requirements.non_functional)
    st.markdown("**What the rubric expects**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Component": kb.concepts[c.id].title,
                    "Step": kb.concepts[c.id].step,
                    "Severity": SEVERITY_LABEL[c.severity],
                    "Weight": c.effective_weight,
                }
                for c in case.components
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader("Model answer outline", anchor="outline")
    st.caption("What a strong answer covers, step by step.")
    st.markdown(outline_markdown(case))
    if st.button("Practise this case", key=f"kb_practise_{case.id}", icon=":material/edit_note:"):
        practise(case.id)
    _bullets("Follow-up questions", case.follow_ups)


def practise(case_id: str) -> None:
    """Open the Practise page with this bank case chosen."""
    from grader.app import nav

    st.session_state["q_mode"] = "From the case bank"
    st.session_state["q_case"] = case_id
    st.switch_page(nav.page("practise"))


def _concept(kb: KnowledgeBase, concept: Concept) -> None:
    st.header(concept.title)
    st.caption(
        f"Step: {kb.steps[concept.step].title} · severity {SEVERITY_LABEL[concept.severity]}"
        + (" · cross-cutting" if concept.cross_cutting else "")
    )
    st.markdown(inert(concept.why_it_matters))
    _bullets(
        "A strong answer says",
        [
            n.says + (f" (example from {_product(kb, n.example_of)})" if n.example_of else "")
            for n in concept.cue_notes
        ],
    )
    _bullets("Common mistakes", concept.common_mistakes)
    levels = concept.levels.model_dump(by_alias=True)
    _bullets("Levels", [f"{k}: {v}" for k, v in levels.items()])
    _bullets(
        "Follow-up questions",
        [
            q.ask + (f" (for {' and '.join(q.systems)} systems)" if q.systems else "")
            for q in concept.follow_ups
        ],
    )


def _product(kb: KnowledgeBase, example_of: str) -> str:
    """A cue's product: a bank case's short title ("Search ranking"), or the words of the note."""
    case = kb.cases.get(example_of)
    return case.title.split(" (")[0] if case else example_of


def _step(step: Step) -> None:
    st.header(f"{step.order}. {step.title}")
    st.caption(f"About {step.budget_minutes:g} minutes of a 45-minute round")
    st.markdown(inert(step.summary))
    _bullets("A strong answer covers", step.strong_answer_covers)
    _bullets("Common mistakes", step.common_mistakes)
