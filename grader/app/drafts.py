"""Autosave per browser session: the draft answer, the report on show and the mock interview survive
a refresh.

Each browser session gets a random id that rides in the URL (`?s=...`). What the session holds
(question, answer draft, timer, current report, mock interview) is written, whenever it changes, to
`<data dir>/drafts/<sha256 of the id>.json` (folder 0700, file 0600). A refresh keeps the URL, so
the new session reads the same file back; another session has another id and never reads it.
API keys are never written: the key field is not saved and the text is scrubbed of secrets.
Drafts untouched for `KEEP_DAYS` are deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path

import streamlit as st

from grader.app import kept, state
from grader.practice.history import data_dir
from grader.practice.mock_interview import MockInterview
from grader.report import GradeReport
from grader.text import scrub

PARAM = "s"  # the query parameter that carries the session id
KEEP_DAYS = 30
SESSION_ID = "_draft_session_id"
SAVED = "_draft_saved"  # the JSON last written, so an unchanged state is not rewritten
WARNED = "_draft_warned"  # a draft could not be written: said once, and the caption says so
KEPT_NAMES = "kept_file_names"  # in a draft: the names of the files kept in memory (`kept`)
LOST_FILES = "_lost_files"  # source -> the name of a file a refresh let go, until another comes
_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
# Plain session-state values kept in a draft: the widgets kept across pages but the API key
# (never saved), when the timer started, the mock interview's feedback, and a grading under way
# (a refresh that cut it off is then said).
FIELDS = (
    *(key for key in state.KEPT_WIDGETS if key != state.API_KEY),
    "timer_started",
    state.MOCK_FEEDBACK,
    "mock_saved",
    state.GRADING,
    state.REVISED,
)


def folder() -> Path:
    return data_dir() / "drafts"


def path_for(session_id: str) -> Path:
    return folder() / (hashlib.sha256(session_id.encode()).hexdigest()[:40] + ".json")


def valid(session_id: str | None) -> bool:
    return bool(session_id) and bool(_ID.match(session_id))


def start() -> str:
    """This session's id: kept in the session, else taken from the URL (a refresh: the draft is
    restored), else new. The URL always carries it, whatever page is on show."""
    sid = st.session_state.get(SESSION_ID)
    if sid is None:
        from_url = st.query_params.get(PARAM)
        if valid(from_url):
            sid = from_url
            restore(sid)
        else:
            sid = secrets.token_urlsafe(24)
        st.session_state[SESSION_ID] = sid
    if st.query_params.get(PARAM) != sid:
        st.query_params[PARAM] = sid
    return sid


def snapshot() -> dict:
    """What this session would lose on a refresh, as JSON-ready data."""
    ss = st.session_state
    out: dict = {k: ss[k] for k in FIELDS if k in ss}
    report = ss.get(state.REPORT)
    if report is not None:
        out["report"] = {
            "json": report.to_json(),
            "text": ss.get(state.REPORT_TEXT, ""),
            "graded": ss.get(state.REPORT_GRADED),
            "question": ss.get(state.REPORT_QUESTION, ""),
            "attempt": ss.get(state.REPORT_ATTEMPT),
            "input": ss.get(state.REPORT_INPUT),
        }
    mock = state.current_mock()
    if mock is not None:
        out["mock"] = mock.model_dump_json()
    files = ss.get(kept.KEPT) or {}
    if files:  # their names only: the bytes stay in memory, so that a refresh can say what it lost
        out[KEPT_NAMES] = {source: f.name for source, f in sorted(files.items())}
    return out


def save() -> None:
    """Write this session's draft if it changed since the last write; a failure only warns once."""
    sid = st.session_state.get(SESSION_ID)
    if not valid(sid):
        return
    data = scrub(json.dumps(snapshot(), ensure_ascii=False, sort_keys=True), state.secrets())
    if st.session_state.get(SAVED) == data:
        return
    try:
        write(path_for(sid), data)
    except OSError as exc:
        if not st.session_state.get(WARNED):
            st.session_state[WARNED] = True
            st.toast(
                f"Your draft could not be saved ({exc.strerror}); it is kept in this tab only."
            )
        return
    st.session_state[SAVED] = data
    st.session_state.pop(WARNED, None)


def write(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(data)
    os.replace(tmp, path)


def load(session_id: str) -> dict | None:
    if not valid(session_id):
        return None
    try:
        return json.loads(path_for(session_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def restore(session_id: str) -> bool:
    """Put a saved draft back into this session (before any widget is drawn)."""
    data = load(session_id)
    if not isinstance(data, dict):
        return False
    ss = st.session_state
    for key in FIELDS:
        if key in data:
            ss[key] = data[key]
    try:
        if "report" in data:
            r = data["report"]
            state.set_report(
                GradeReport.model_validate_json(r["json"]),
                r["text"],
                r["question"],
                r.get("attempt"),
                r.get("graded"),
                r.get("input"),
            )
        if "mock" in data:
            ss[state.MOCK] = MockInterview.model_validate_json(data["mock"])
        lost = data.get(KEPT_NAMES)
        if isinstance(lost, dict) and lost:  # never written to disk: said where it was shown
            ss[LOST_FILES] = {str(k): str(v) for k, v in lost.items()}
    except (ValueError, KeyError, TypeError):  # saved by another version: keep the draft text
        ss.setdefault(state.NOTICES, []).append(
            "the report saved with this tab could not be read back; open it from History"
        )
    prune()
    return True


def prune(days: float = KEEP_DAYS) -> None:
    cutoff = time.time() - days * 86400
    try:
        for p in folder().glob("*.json"):
            if p.stat().st_mtime < cutoff:
                p.unlink(missing_ok=True)
    except OSError:
        pass


def clear_all() -> int:
    """Delete every saved draft (History's "delete everything")."""
    count = 0
    try:
        for p in folder().glob("*.json"):
            p.unlink(missing_ok=True)
            count += 1
    except OSError:
        pass
    return count


# Words typed into a box reach the app only when the box loses focus (or on Ctrl+Enter; a chat
# reply only when it is sent): until then a refresh would lose them, and so could a page switch
# whose click raced the commit. This script, run in the page, keeps what is typed into each of
# the page's boxes (`BOXES`: the answer, the typed question, the mock interview's reply) in the
# browser's own storage for this tab's session id, with the app's committed text it started from
# (`base`), and whenever a box is drawn (after a refresh, or back from another page) puts it back
# when the app still holds that same text, then commits it. Once the app holds what was typed,
# the kept text is filed under that text: the app setting the box back to an earlier text (a
# revised attempt, a new case, a cleared box, a reply sent) then has another base, and nothing is
# brought back over it. No user text is written into the script: only the session id and digests.
_KEEPER = """<script>(() => {
  const sid = SID, boxes = BOXES;
  const bases = window.__mlsdBases = Object.assign(window.__mlsdBases || {}, Object.fromEntries(
    boxes.map((b) => [b.name, b.base])));
  if (bases.answer !== undefined) window.__mlsdBase = bases.answer;
  const keyOf = (b) => "mlsd-draft-" + sid + (b.name === "answer" ? "" : "-" + b.name);
  const read = (b) => { try { return JSON.parse(localStorage.getItem(keyOf(b)) || "null"); }
                        catch (e) { return null; } };
  const write = (b, text) => {
    try { localStorage.setItem(keyOf(b), JSON.stringify({base: bases[b.name], text: text})); }
    catch (e) {}
  };
  // once the page has drawn the box (a box just drawn does not yet commit what is put in it)
  const settle = (b, el) => setTimeout(() => {
    const kept = read(b);
    if (!el.isConnected || !kept) return;
    if (kept.text === el.value) {  // the app holds what was typed: kept under the app's text
      if (kept.base !== bases[b.name] && !b.sends) write(b, el.value);
      return;
    }
    // typed over this text, never sent: put back (a reply's box emptied by sending it is no text)
    if (kept.base === bases[b.name] && (kept.text || !b.sends)) {
      const proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement : HTMLInputElement;
      Object.getOwnPropertyDescriptor(proto.prototype, "value").set.call(el, kept.text);
      el.dispatchEvent(new Event("input", {bubbles: true}));
      if (!b.sends) { el.focus(); el.blur(); }  // a reply is sent by its writer, never for them
    }
  }, 300);
  const keep = (b, el) => {
    if (el.dataset.mlsdKept !== b.name) {
      el.dataset.mlsdKept = b.name;
      el.addEventListener("input", () => write(b, el.value));
      if (b.sends) {  // sent (Enter, or the send button beside it): nothing left to keep
        el.addEventListener("keydown", (e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) write(b, "");
        });
        const send = el.closest('[data-testid="stChatInput"]');
        const button = send && send.querySelector("button");
        if (button) button.addEventListener("click", () => write(b, ""), true);
      }
    }
    settle(b, el);
  };
  const find = (b) => document.querySelector(b.selector);
  const waiting = boxes.filter((b) => { const el = find(b); if (el) keep(b, el); return !el; });
  if (!waiting.length) return;
  const watch = new MutationObserver(() => {
    for (const b of [...waiting]) {
      const el = find(b);
      if (el) { keep(b, el); waiting.splice(waiting.indexOf(b), 1); }
    }
    if (!waiting.length) watch.disconnect();
  });
  watch.observe(document.body, {childList: true, subtree: true});
  setTimeout(() => watch.disconnect(), 30000);  // a box this page does not draw after all
})();</script>"""

# the boxes whose typing is kept, by name: how the page finds each, and whether it is a chat box,
# whose text is sent by its writer (not committed by losing focus)
BOXES = {
    "answer": ('textarea[aria-label="Your answer"]', False),
    "question": ('input[aria-label="Your question"]', False),
    "reply": ('textarea[data-testid="stChatInputTextArea"]', True),
}


def keeper_script(session_id: str, **committed: str) -> str:
    """The page script that keeps typed words over a refresh (`_KEEPER`), for this session and
    the text the app holds now in each box named (`BOXES`)."""
    boxes = [
        {
            "name": name,
            "selector": BOXES[name][0],
            "sends": BOXES[name][1],
            "base": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        }
        for name, text in committed.items()
    ]
    # the boxes first: an id of random letters could spell "BOXES", never the reverse
    return _KEEPER.replace("BOXES", json.dumps(boxes), 1).replace("SID", json.dumps(session_id), 1)


def keep_typing(**committed: str) -> None:
    """Put the keeper script in the page for these boxes, with what the app holds in each (a
    session without a valid id has no draft to keep)."""
    sid = st.session_state.get(SESSION_ID)
    if valid(sid):
        st.html(keeper_script(sid, **committed), unsafe_allow_javascript=True)
