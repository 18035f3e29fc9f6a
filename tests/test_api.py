"""The HTTP API: the library's reports over HTTP, its limits, and stateless workers that scale out
over one Chroma server."""

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench.load import first_difference
from grader import __version__
from grader.api import create_app
from grader.knowledge.notes import note_path
from grader.pipeline import grade_input
from grader.scoring.grading import Grader
from tests.conftest import EXAMPLES, ROOT, free_port, serving

pytestmark = pytest.mark.slow
ANSWERS = {p.stem: p.read_text() for p in sorted(EXAMPLES.glob("*.md"))}


@pytest.fixture()
def client(grader):
    return TestClient(create_app(grader))


def test_a_graded_answer_is_the_librarys_report(client, grader, strong_answer):
    got = client.post(
        "/v1/grade", json={"question": "video_recommendation", "answer": strong_answer}
    )
    assert got.status_code == 200
    assert got.text == grade_input(grader, strong_answer, "video_recommendation").to_json()
    spec = client.get("/openapi.json").json()
    assert "GradeReport" in spec["components"]["schemas"]
    # a client that accepts gzip gets the same report compressed
    body = {"question": "video_recommendation", "answer": strong_answer}
    zipped = client.post("/v1/grade", json=body, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.text == got.text
    plain = client.post("/v1/grade", json=body, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == got.text


def test_questions_notes_and_health(client):
    ids = [q["id"] for q in client.get("/v1/questions").json()]
    assert "video_recommendation" in ids
    note = client.get("/v1/notes/cold_start").json()
    assert note["kind"] == "concept" and note["markdown"].startswith("---")
    assert client.get("/v1/notes/nope").status_code == 404
    assert client.get("/healthz").json() == {"status": "ok", "version": __version__}
    head = client.head("/healthz")  # load balancers probe with HEAD: answered as GET, no body
    assert head.status_code == 200 and head.content == b""


def test_the_docs_page_needs_no_internet(client):
    import re

    page = client.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    sources = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert sources and not [u for u in sources if u.startswith(("http:", "https:", "//"))]
    for url in sources:  # every script, style and icon is served by the API itself
        assert client.get(url).status_code == 200, url
    assert "/openapi.json" in page.text


def test_an_invalid_request_is_described_not_echoed(client, weak_answer):
    long = "Design a feed. " * 300  # over the question limit: said, not sent back
    refused = client.post("/v1/grade", json={"question": long, "answer": weak_answer})
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][-1] == "question"
    assert refused.json()["detail"].startswith("invalid request: question: ")
    assert "Design a feed" not in refused.text
    # every error is one line in `detail`, whatever refused it
    empty = client.post("/v1/grade", json={"question": "fraud_detection", "answer": ""})
    blank = client.post("/v1/grade", json={"question": "fraud_detection", "answer": "   "})
    latin1 = client.post(
        "/v1/grade",
        content='{"question": "fraud_detection", "answer": "fa\u00e7ade"}'.encode("latin-1"),
        headers={"Content-Type": "application/json"},
    )
    for got in (empty, blank, latin1):
        assert isinstance(got.json()["detail"], str) and got.status_code in (400, 422), got.text
    assert "UTF-8" in latin1.json()["detail"]
    # and a code a program can branch on, as the schema documents for each status
    codes = {"invalid_request": empty, "invalid_input": blank, "unreadable_body": latin1}
    for code, got in codes.items():
        assert got.json()["code"] == code, got.text
    form = client.post("/v1/grade", data={"question": "fraud_detection", "answer": weak_answer})
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    assert "application/x-www-form-urlencoded" in form.json()["detail"]
    unknown = client.post("/v1/grade", json={"question": "fraud_detectoin", "answer": weak_answer})
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_input"
    # a misspelt field is refused by name: "canidate" had been dropped, Bob's interviewer graded
    typo = client.post(
        "/v1/grade", json={"question": "fraud_detection", "answer": MEETING, "canidate": "Bob"}
    )
    assert typo.status_code == 422 and typo.json()["code"] == "invalid_request"
    assert "canidate: unknown field (the fields are question, answer, candidate)" in typo.text
    form = {"question": "fraud_detection", "canidate": "Bob"}  # and in an upload's form
    files = {"file": ("meeting.txt", MEETING.encode())}
    typo = client.post("/v1/grade/upload", data=form, files=files)
    assert typo.status_code == 422 and typo.json()["code"] == "invalid_request"
    assert "canidate: unknown field (the fields are question, file, candidate)" in typo.text
    spec = client.get("/openapi.json").json()
    documented = spec["paths"]["/v1/grade"]["post"]["responses"]
    for status in ("400", "413", "415", "422", "429"):
        schema = documented[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ApiError"}, status


def test_every_reading_a_report_recommends_can_be_fetched(client, weak_answer):
    """A report's reading links ("concept:drift", "case:...:note") are what /v1/notes takes, and a
    note comes with its prose apart from its front matter (the rubric's cues)."""
    report = client.post(
        "/v1/grade", json={"question": "video_recommendation", "answer": weak_answer}
    ).json()
    assert report["recommended_reading"]
    for reading in report["recommended_reading"]:
        got = client.get(f"/v1/notes/{reading['doc_id']}")
        assert got.status_code == 200, reading["doc_id"]
        note = got.json()
        assert note["kind"] == reading["kind"].split("_")[0] and note["title"]
        assert not note["body"].startswith("---") and note["body"].strip() in note["markdown"]
    case = client.get("/v1/notes/case:video_recommendation:note").json()
    assert case["id"] == "video_recommendation" and case["kind"] == "case"
    assert client.get("/v1/notes/concept:video_recommendation").status_code == 404  # a case
    missing = client.get("/v1/notes/concept:nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_uploads_are_read_like_files(client):
    talk = (
        "Interviewer: Design a video recommender.\nCandidate: "
        + ANSWERS["video_recommendation_weak"]
    )
    got = client.post("/v1/grade/upload", data={"question": "video_recommendation"},
                      files={"file": ("talk.txt", talk.encode(), "text/plain")})  # fmt: skip
    assert got.status_code == 200 and got.json()["source"]["kind"] == "transcript"
    # two files in one request: refused by name (one of them had been graded, silently)
    two = client.post(
        "/v1/grade/upload",
        data={"question": "video_recommendation"},
        files=[("file", ("a.txt", talk.encode(), "text/plain")),
               ("file", ("b.txt", b"Another answer entirely.", "text/plain"))],
    )  # fmt: skip
    assert two.status_code == 422 and two.json()["code"] == "invalid_request"
    assert "file: given more than once" in two.json()["detail"]


def test_offsets_into_a_file_index_the_text_the_report_gives(client, weak_answer):
    """Evidence offsets index the text as read, not the bytes sent: a web page's words, a
    transcript's turns. The report carries that text (`source.text`), so a client can resolve
    them; an answer graded as sent does not repeat it."""
    page = (
        "<html><body><h1>Answer</h1>"
        + "".join(f"<p>{p}</p>" for p in weak_answer.split("\n\n"))
        + "</body></html>"
    )
    sent = [
        client.post("/v1/grade/upload", data={"question": "video_recommendation"},
                    files={"file": ("answer.html", page.encode(), "text/html")}),
        client.post("/v1/grade", json={"question": "video_recommendation", "answer": page}),
        # old Mac line breaks: read as lines, so the turns are told apart
        client.post("/v1/grade", json={"question": "fraud_detection",
                                       "answer": MEETING.replace("\n", "\r"), "candidate": "Bob"}),
    ]  # fmt: skip
    for got in sent:
        report = got.json()
        text = report["source"]["text"]
        assert text and "<p>" not in text and "\r" not in text, report["source"]
        quoted = [e for c in report["components"] for e in c["evidence"]]
        assert quoted and all(text[e["start"] : e["end"]] == e["quote"] for e in quoted)
    assert sent[2].json()["source"]["candidate"] == "Bob"
    # the same old-Mac transcript as a file reads the same
    mac = {"file": ("meeting.txt", MEETING.replace("\n", "\r").encode())}
    upload = client.post("/v1/grade/upload", data={"question": "fraud_detection", "candidate": "Bob"},
                         files=mac)  # fmt: skip
    assert upload.status_code == 200 and upload.json()["source"]["candidate"] == "Bob"
    # graded as sent, the answer is not sent back: typed text, or a UTF-8 Markdown file
    typed = client.post(
        "/v1/grade", json={"question": "video_recommendation", "answer": weak_answer}
    )
    md = client.post("/v1/grade/upload", data={"question": "video_recommendation"},
                     files={"file": ("answer.md", weak_answer.encode(), "text/markdown")})  # fmt: skip
    assert typed.json()["source"]["text"] is None and md.json()["source"]["text"] is None


def test_web_pages_on_the_origins_allowed_may_call_it_from_a_browser(grader, monkeypatch):
    """No origin is allowed unless MLSD_API_CORS_ORIGINS names it: a browser's preflight from an
    allowed page is answered, and from any other page gets no allow header."""
    page = "https://learn.example.com"
    preflight = {"Origin": page, "Access-Control-Request-Method": "POST"}
    closed = TestClient(create_app(grader)).options("/v1/grade", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    monkeypatch.setenv("MLSD_API_CORS_ORIGINS", f"{page}, https://other.example.org")
    client = TestClient(create_app(grader))
    allowed = client.options("/v1/grade", headers=preflight)
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == page
    elsewhere = client.options("/v1/grade", headers={**preflight, "Origin": "https://evil.test"})
    assert "access-control-allow-origin" not in elsewhere.headers
    # refused as every other error is (Starlette's own refusal was plain text)
    assert elsewhere.status_code == 400 and elsewhere.json()["code"] == "forbidden_origin"
    assert "https://evil.test" in elsewhere.json()["detail"]
    assert (
        client.get("/v1/questions", headers={"Origin": page}).headers["access-control-allow-origin"]
        == page
    )


def test_limits_token_and_errors(grader, monkeypatch, weak_answer):
    monkeypatch.setenv("MLSD_API_TOKEN", "s3cret-token-value")
    monkeypatch.setenv("MLSD_API_MAX_BODY", "2000")
    client = TestClient(create_app(grader))
    body = {"question": "video_recommendation", "answer": weak_answer}
    assert client.post("/v1/grade", json=body).status_code == 401
    auth = {"Authorization": "Bearer s3cret-token-value"}
    assert client.post("/v1/grade", json=body, headers=auth).status_code == 200
    big = client.post("/v1/grade", json={**body, "answer": "x " * 2000}, headers=auth)
    assert big.status_code == 413 and big.json()["detail"] == "the request is over 1.95 KiB"
    payload = json.dumps({**body, "answer": "x " * 2000}).encode()
    chunked = client.post(  # no Content-Length: counted as it streams in
        "/v1/grade", content=(payload[i : i + 500] for i in range(0, len(payload), 500)),
        headers={**auth, "Content-Type": "application/json"},
    )  # fmt: skip
    assert chunked.status_code == 413
    bad = client.post("/v1/grade", json={**body, "answer": "\x00 binary"}, headers=auth)
    assert bad.status_code == 422 and "NUL" in bad.json()["detail"]
    assert client.get("/healthz").status_code == 200  # health needs no token
    # the scheme's name is read in any case, as HTTP reads it
    lower = {"Authorization": "bearer s3cret-token-value"}
    assert client.post("/v1/grade", json=body, headers=lower).status_code == 200
    wrong = {"Authorization": "Bearer s3cret-token-valu"}
    # a letter outside ASCII in the header: refused, not a server error (compare_digest refuses
    # such a str)
    foreign = client.post("/v1/grade", json=body, headers={"Authorization": b"Bearer \xc3\xa9"})
    assert foreign.status_code == 401
    # without the token, nothing about the body is said: not its size, not its shape
    for sent in (
        client.post(
            "/v1/grade", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        client.post("/v1/grade", json={**body, "answer": "x " * 2000}),
        client.post("/v1/grade", json={"quesiton": 1}, headers=wrong),
    ):
        assert sent.status_code == 401 and sent.json()["code"] == "unauthorised", sent.text
        assert sent.headers["www-authenticate"] == "Bearer"


def test_an_error_lists_a_few_problems_and_counts_the_rest(client):
    """A request of 20,000 unknown keys answered 3.7 MB of errors, and a 10,000-letter note id came
    back whole; a method the API does not take has a code of its own."""
    many = {f"key{i}": 1 for i in range(2000)} | {"x" * 5000: 1}
    refused = client.post("/v1/grade", json=many)
    assert refused.status_code == 422 and len(refused.content) < 5000
    assert refused.json()["detail"].endswith("more problems")
    assert len(refused.json()["errors"]) == 10
    missing = client.get("/v1/notes/" + "n" * 10_000)
    assert missing.status_code == 404 and len(missing.json()["detail"]) < 200
    wrong_method = client.put("/v1/grade", json={})
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"


def test_a_full_queue_answers_429(grader, monkeypatch, weak_answer):
    monkeypatch.setenv("MLSD_API_QUEUE", "1")
    entered, release = threading.Event(), threading.Event()

    class Slow:
        def __getattr__(self, name):
            return getattr(grader, name)

        def grade(self, *args, **kwargs):
            entered.set()
            release.wait(30)
            return grader.grade(*args, **kwargs)

    client = TestClient(create_app(Slow()))
    body = {"question": "video_recommendation", "answer": weak_answer}
    first = ThreadPoolExecutor(1).submit(client.post, "/v1/grade", json=body)
    assert entered.wait(30)
    refused = client.post("/v1/grade", json=body)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    release.set()
    assert first.result(60).status_code == 200


def test_a_full_queue_says_to_retry_after_the_time_the_last_grading_took():
    from fastapi import HTTPException

    from grader.api import _Queue

    queue = _Queue(1, clock=iter([10.0, 14.2, 20.0, 21.0]).__next__)  # first: 10.0 s to 14.2 s
    with queue:
        pass
    with queue, pytest.raises(HTTPException) as refused:  # one place, taken: the next is refused
        queue.__enter__()
    assert refused.value.status_code == 429 and refused.value.headers == {"Retry-After": "5"}
    assert refused.value.detail == "the grading queue is full: retry in 5 s"


# -- scale-out: two workers, one Chroma server ------------------------------------------------


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port, data = free_port(), tmp_path_factory.mktemp("chroma")
    url = f"http://127.0.0.1:{port}"
    with serving([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                 f"{url}/api/v2/heartbeat", data.parent / "chroma.log", timeout=30):  # fmt: skip
        built = subprocess.run([sys.executable, "-m", "grader.cli", "index", "--chroma-url", url],
                               capture_output=True, cwd=ROOT, timeout=300)  # fmt: skip
        assert built.returncode == 0, built.stderr
        yield url


def test_two_workers_over_one_chroma_server_give_the_librarys_reports(chroma, grader, tmp_path):
    ports = [free_port(), free_port()]
    env = {**os.environ, "MLSD_AUTO_INDEX": "0"}
    cmd = [sys.executable, "-m", "grader.cli", "serve", "--chroma-url", chroma, "--port"]
    cases = [("video_recommendation_strong", "video_recommendation"),
             ("video_recommendation_weak", "video_recommendation"),
             ("fraud_detection_notes", "fraud_detection"),
             ("video_recommendation_weak", "Design a notification ranking system")]  # fmt: skip
    expected = {c: grade_input(grader, ANSWERS[c[0]], c[1]).to_json() for c in cases}

    def ask(i: int) -> tuple[tuple, str]:
        case = cases[i % len(cases)]
        body = json.dumps({"question": case[1], "answer": ANSWERS[case[0]]}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{ports[i % 2]}/v1/grade", body,
                                     {"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=300) as r:
            return case, r.read().decode()

    with serving(
        [*cmd, str(ports[0])], f"http://127.0.0.1:{ports[0]}/healthz", tmp_path / "a.log", env=env
    ):
        with serving(
            [*cmd, str(ports[1])],
            f"http://127.0.0.1:{ports[1]}/healthz",
            tmp_path / "b.log",
            env=env,
        ):
            with ThreadPoolExecutor(4) as pool:
                results = list(pool.map(ask, range(200)))
    assert len(results) == 200
    differing = [(case, text) for case, text in results if text != expected[case]]
    assert not differing, (
        len(differing),
        first_difference(json.loads(expected[differing[0][0]]), json.loads(differing[0][1])),
    )


MEETING = (
    "Alice: How would you design fraud detection for card payments at checkout?\n"
    "Bob: I'd score every payment in the authorisation path within 50 ms at p99, with a "
    "gradient boosted model over velocity features per card, device and IP, and chargebacks as "
    "labels once they mature after 60 days; precision and recall at the chosen threshold, not "
    "accuracy, since fraud is under one in a thousand payments.\n"
    "Alice: And how do you retrain?\n"
    "Bob: Weekly, on a window that ends two months back so the labels are complete.\n"
)


def test_a_named_candidate_is_graded_in_a_pasted_or_uploaded_transcript(client):
    body = {"question": "fraud_detection", "answer": MEETING}
    named = client.post("/v1/grade", json={**body, "candidate": "Bob"}).json()
    assert named["source"]["kind"] == "transcript" and named["source"]["candidate"] == "Bob"
    assert named["source"]["interviewer_context"]  # Alice's questions, not graded
    quotes = [e["quote"] for c in named["components"] for e in c["evidence"]]
    assert quotes and not any("Alice" in q or "How would you" in q for q in quotes)
    plain = client.post("/v1/grade", json=body).json()  # labels alone: written text, as before
    assert plain["source"]["kind"] == "text"
    files = {"file": ("meeting.txt", MEETING.encode())}
    form = {"question": "fraud_detection", "candidate": "Bob"}
    upload = client.post("/v1/grade/upload", data=form, files=files).json()
    assert upload["source"]["candidate"] == "Bob"
    missing = client.post("/v1/grade", json={**body, "candidate": "Carol"})
    assert missing.status_code in (400, 422) and "Carol" in missing.text


def test_a_grading_whose_client_has_left_is_not_started(grader, monkeypatch, weak_answer):
    """A page refreshed while its grading waited in the queue: when its turn comes the client is
    gone, so the grading is skipped and the next request in the queue goes first."""
    import anyio
    from starlette.requests import Request

    import grader.api as api

    async def gone():  # the client closed the connection
        return {"type": "http.disconnect"}

    async def waiting():  # the client is still there: nothing arrives
        await anyio.sleep_forever()

    async def read(receive):
        request = Request({"type": "http", "method": "POST", "headers": []}, receive)
        return await anyio.to_thread.run_sync(api._gone, request)

    assert anyio.run(read, gone) is True and anyio.run(read, waiting) is False
    graded = []
    monkeypatch.setattr(api, "grade_input", lambda *a: graded.append(a))
    monkeypatch.setattr(api, "_gone", lambda request: True)
    body = {"question": "video_recommendation", "answer": weak_answer}
    got = TestClient(create_app(grader)).post("/v1/grade", json=body)
    assert got.status_code == api.CLIENT_GONE and not graded


def test_errors_an_integrator_meets_say_what_to_send(grader, monkeypatch, weak_answer):
    """A broken JSON body is unreadable (400), as a body in another encoding is; JSON sent to the
    upload route is told where JSON goes (415); a body over the limit has its code too; one's own
    case whose note cannot be read is the server's problem (503), not the question's."""
    monkeypatch.setenv("MLSD_API_MAX_BODY", "2000")
    client = TestClient(create_app(grader))
    broken = client.post(
        "/v1/grade",
        content=b'{"question": "fraud_detection",',
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["code"] == "unreadable_body", broken.text
    assert "valid JSON" in broken.json()["detail"]
    body = {"question": "fraud_detection", "answer": weak_answer}
    misrouted = client.post("/v1/grade/upload", json=body)
    assert misrouted.status_code == 415, misrouted.text
    assert misrouted.json()["code"] == "unsupported_media_type"
    assert "/v1/grade" in misrouted.json()["detail"] and "multipart" in misrouted.json()["detail"]
    big = client.post(
        "/v1/grade",
        content=json.dumps({**body, "answer": "x " * 2000}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 413 and big.json()["code"] == "too_large", big.text
    unread = "/srv/mlsd/kb/cases/mine.md: title: [unclosed"  # as a user's folder is named
    broken_kb = grader.kb.model_copy(update={"skipped": [unread]})
    own = TestClient(create_app(Grader(broken_kb, grader.embedder, grader.index, grader.cal)))
    asked = own.post("/v1/grade", json={"question": "mine", "answer": weak_answer})
    assert asked.status_code == 503 and asked.json()["code"] == "unavailable", asked.text
    assert "your case 'mine' could not be read" in asked.json()["detail"]
    assert "mine.md: title" in asked.json()["detail"] and "/srv" not in asked.json()["detail"]
    listed = client.get("/v1/questions").json()
    assert listed and not any(q["own"] for q in listed)  # the bundled cases are nobody's own
    mine = grader.kb.model_copy(
        update={"user_notes": [f"user/{note_path('case', 'spam_detection')}"]}
    )
    listed = TestClient(create_app(Grader(mine, grader.embedder, grader.index, grader.cal)))
    assert [q["id"] for q in listed.get("/v1/questions").json() if q["own"]] == ["spam_detection"]
