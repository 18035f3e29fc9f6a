"""The HTTP API: `mlsd serve` (FastAPI + uvicorn), a thin layer over the library.

- `POST /v1/grade`: JSON `{question, answer}` or a multipart upload (`question`, `file`: a
  transcript or a recording); the response is the library's `GradeReport`, so `/openapi.json`
  documents the report contract.
- `GET /v1/questions`, `GET /v1/notes/{id}`, `GET /healthz` (and `HEAD /healthz`).

Every error is `ApiError`: `{detail, code}` (and `errors` for a request's invalid fields), with
the statuses each route documents. Limits: the request body (`MLSD_API_MAX_BODY`, bytes), the
answer's own limits, and a bounded queue (`MLSD_API_QUEUE` requests waiting or running; more get
429 with `Retry-After`: the seconds the last grading took; a client gone by its turn is not
graded). With `MLSD_API_TOKEN` set, every `/v1` request needs `Authorization: Bearer <token>`;
`MLSD_API_CORS_ORIGINS` lets web pages on those origins call it from a browser. Nothing logs an
answer or a key.
Workers are stateless: several behind a load balancer share one Chroma server (`--chroma-url`).
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import re
import threading
import time
from pathlib import Path

import anyio
from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from grader import __version__
from grader.answers.files import load_answer_bytes, read_text
from grader.answers.model import AnswerInput
from grader.errors import GraderError, InputError
from grader.knowledge.notes import front_and_prose, note_path
from grader.pipeline import grade_input
from grader.report import GradeReport
from grader.scoring.grading import FreshGrader, Grader
from grader.scoring.inputs import MAX_QUESTION_CHARS
from grader.settings import settings
from grader.text import quantity, shorten

MAX_SPEAKER_CHARS = 100  # a speaker's label, as a transcript writes it
SHOWN_ERRORS = 10  # a request's problems listed in an error; the rest are counted


class GradeRequest(BaseModel):
    # a misspelt field ("quesiton", "canidate") is refused by name rather than silently unused
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="A case id or the question text."
    )
    answer: str = Field(
        min_length=1,
        description="The answer as text (markdown, plain or speaker-labelled), or an SRT, "
        "WebVTT or transcript-JSON file's content, read as that file would be; a transcript's "
        "quotes then index the transcript as read, which the report gives as `source.text`.",
    )
    candidate: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SPEAKER_CHARS,
        description="The speaker to grade when the answer is a transcript with speaker labels "
        "(as labelled: 'Alice', 'Speaker 2'); the others' words are the interviewer's context.",
    )


class Question(BaseModel):
    id: str
    title: str
    prompt: str
    own: bool = Field(
        default=False,
        description="One of your own cases (MLSD_USER_KB), written or overridden by you, not a "
        "bundled one.",
    )


class Note(BaseModel):
    id: str
    kind: str = Field(description="case, concept or step.")
    title: str
    path: str = Field(description="Path of the note inside the knowledge base.")
    body: str = Field(description="The note's prose (Markdown), without its front matter.")
    markdown: str = Field(
        description="The whole note file: YAML front matter (rubric cues, levels, follow-up "
        "questions) and the prose."
    )


class ApiError(BaseModel):
    """Every error response: one line for people, a code for programs."""

    detail: str = Field(description="What went wrong, one line, safe to show to the person asking.")
    code: str = Field(
        description="What kind of error: invalid_request (the request's fields), unreadable_body, "
        "invalid_input (the answer or question cannot be graded: empty, too long, not English, "
        "an unknown case id), unauthorised, not_found, too_large, unsupported_media_type, queue_full (retry after "
        "`Retry-After` seconds), unavailable (the grader cannot grade now: its knowledge base, "
        "index or configuration), method_not_allowed, forbidden_origin (a browser's preflight "
        "from an origin MLSD_API_CORS_ORIGINS does not list), http_error (any other HTTP error)."
    )
    errors: list[dict] | None = Field(
        default=None, description="For invalid_request: each problem, with its `loc` and `msg`."
    )


_EXTRA = "extra_forbidden"
UPLOAD_FIELDS = ("question", "file", "candidate")
# the fields each route reads, named when a request sends another
_FIELDS = {"/v1/grade": tuple(GradeRequest.model_fields), "/v1/grade/upload": UPLOAD_FIELDS}

# the codes of the HTTP errors the API raises itself, by status
_HTTP_CODES = {
    400: "unreadable_body",
    401: "unauthorised",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "queue_full",
}
ERRORS = {
    status: {"model": ApiError, "description": description}
    for status, description in [
        (400, "The body is not JSON text in UTF-8."),
        (401, "MLSD_API_TOKEN is set and the bearer token is missing or wrong."),
        (413, "The request is over MLSD_API_MAX_BODY bytes."),
        (
            415,
            "POST /v1/grade reads JSON and POST /v1/grade/upload a multipart form: the request "
            "was sent as another content type.",
        ),
        (422, "The request's fields are invalid, or the answer or question cannot be graded."),
        (429, "The grading queue is full: retry after Retry-After seconds."),
        (503, "The grader cannot grade now (its knowledge base, index or configuration)."),
    ]
}


class _Queue:
    """At most `size` requests waiting or grading; gradings themselves run one at a time per worker
    (the model already uses the cores), so a burst queues instead of thrashing. A request refused
    is told to retry after the time the last grading took (`Retry-After`): a place frees when the
    grading in progress ends."""

    def __init__(self, size: int, clock=time.monotonic):
        self.slots = threading.BoundedSemaphore(size)
        self.run = threading.Lock()
        self.clock, self.took = clock, 1.0  # seconds the last grading took (none yet: 1)

    def __enter__(self):
        if not self.slots.acquire(blocking=False):
            wait = max(1, math.ceil(self.took))
            raise HTTPException(
                429, f"the grading queue is full: retry in {wait} s", {"Retry-After": str(wait)}
            )
        self.run.acquire()
        self.started = self.clock()
        return self

    def __exit__(self, *exc):
        self.took = self.clock() - self.started
        self.run.release()
        self.slots.release()


# a file's place on the server: an absolute path, POSIX or Windows, up to its last separator
_FOLDERS = re.compile(r"(?<![\w.~])(?:[A-Za-z]:\\|/)(?:[^\s/\\:'\"]+[/\\])+")


def without_folders(detail: str) -> str:
    """`detail` with every absolute path cut to its file's name: what a server says to a caller
    names no folder of its own."""
    return _FOLDERS.sub("", detail)


def _size(limit: int) -> str:
    """A byte limit as people read it: "25 MiB" for 26,214,400, "1,000 bytes" for 1,000."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size:
            return f"{limit / size:.3g} {unit}"
    return f"{limit:,} bytes"


class _BodyLimit:
    """Refuse a request body over `limit` bytes with 413: at once when Content-Length says so, and
    while it streams in when it is chunked (the count is kept on what is actually received)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            response = JSONResponse(
                {"detail": f"the request is over {_size(self.limit)}", "code": "too_large"}, 413
            )
            return await response(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # raised inside the route's body read: FastAPI answers 413
                raise HTTPException(413, f"the request is over {_size(self.limit)}")
            return message

        await self.app(scope, counted, send)


def bearer_ok(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header carries `token` as a bearer token (the scheme's name in
    any case, as HTTP reads it)."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    # compared as bytes: compare_digest refuses a str holding a letter outside ASCII ("Bearer é")
    sent = given.strip().encode("utf-8", "surrogateescape")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent, token.encode("utf-8"))


class _Authorised:
    """With a token set, refuse a `/v1` request without it (401) before its body is read: an
    unauthorised caller learns nothing about the body's shape or size, and costs no parsing. A
    browser's CORS preflight (OPTIONS) carries no credentials and is let through."""

    def __init__(self, app, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if (
            self.token
            and scope["type"] == "http"
            and scope["method"] != "OPTIONS"
            and scope["path"].startswith("/v1")
        ):
            headers = dict(scope.get("headers") or [])
            sent = headers.get(b"authorization", b"").decode("latin-1")
            if not bearer_ok(sent, self.token):
                response = JSONResponse(
                    {"detail": "missing or wrong bearer token", "code": "unauthorised"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


class _JsonCors(CORSMiddleware):
    """CORS whose refusal of a preflight is an `ApiError` like every other error (Starlette's is
    plain text)."""

    def preflight_response(self, request_headers):
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        origin = request_headers.get("origin", "")
        return JSONResponse(
            {
                "detail": f"a page on {shorten(origin, 80) or 'no origin'} may not call this API "
                f"from a browser ({shorten(response.body.decode(errors='replace'), 80)}; "
                "MLSD_API_CORS_ORIGINS lists the origins that may)",
                "code": "forbidden_origin",
            },
            status_code=400,
        )


DOCS_ASSETS = "/docs-assets"


def _swagger_files() -> Path | None:
    """Where the `swagger-ui-bundle` package keeps Swagger UI's files; None in an install that
    predates it (FastAPI's own page, which fetches them from a CDN, is served then)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ModuleNotFoundError:
        return None
    return Path(swagger_ui_path)


def _offline_docs(app: FastAPI, swagger_ui_path: Path) -> None:
    """/docs: Swagger UI from the files the `swagger-ui-bundle` package carries, so the page works
    with no internet (FastAPI's own page fetches its script and style from a CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


_UNPARSED = "There was an error parsing the body"
_UNREADABLE = (
    "the request body could not be read as JSON text (it must be valid JSON in UTF-8, not nested "
    "hundreds of levels deep): send the "
    "answer as UTF-8 JSON, or upload it as a file to /v1/grade/upload, which reads other encodings"
)


def create_app(grader: Grader | None = None) -> FastAPI:
    """The API over `grader` (opened on first use when not given)."""
    swagger = _swagger_files()
    app = FastAPI(
        title="mlsd-grader",
        version="1",
        summary="Grade ML system design answers, offline.",
        docs_url=None if swagger else "/docs",  # served below from local files when it can be
        redoc_url=None,  # ReDoc's page loads its script from a CDN
    )
    if swagger:
        _offline_docs(app, swagger)
    config = settings()
    queue, max_body, token = _Queue(config.api_queue), config.api_max_body, config.api_token

    fresh = FreshGrader()

    def the_grader() -> Grader:
        """The grader given, or the process's, taking up edited notes (`FreshGrader`)."""
        return grader or fresh()

    def authorised(
        authorization: str | None = Header(
            default=None,
            description="'Bearer <token>', needed when the server sets MLSD_API_TOKEN.",
        ),
    ) -> None:
        # `_Authorised` has already refused a request without the token; this documents the header
        if token and not bearer_ok(authorization, token):
            raise HTTPException(
                401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"}
            )

    # the last added runs first: CORS answers a preflight, then the token is checked, then the
    # body's size, before anything reads it
    app.add_middleware(_BodyLimit, limit=max_body)
    # a report is 30-120 KB of JSON: a client that accepts gzip gets it in about a sixth of that
    app.add_middleware(GZipMiddleware, minimum_size=4096)
    app.add_middleware(_Authorised, token=token)
    origins = config.cors_origins
    if origins:  # a web page on these origins may call the API from the browser
        app.add_middleware(
            _JsonCors,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After"],
        )

    @app.exception_handler(GraderError)
    async def one_line(_request: Request, exc: GraderError):
        if isinstance(exc, InputError):  # the answer or the question asked
            return JSONResponse({"detail": str(exc), "code": "invalid_input"}, status_code=422)
        # the server's own trouble: its log has the whole line, the caller it without the
        # server's folders ("your case 'x' could not be read: /srv/kb/cases/x.md: ...")
        logging.getLogger("mlsd.api").error("%s", exc)
        return JSONResponse(
            {"detail": without_folders(str(exc)), "code": "unavailable"}, status_code=503
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        # what was wrong and where, without sending the (possibly long) input back: one line in
        # `detail`, as every other error gives, and each problem in `errors`
        errors = [
            {k: v for k, v in e.items() if k in ("type", "loc", "msg")}
            | (
                {"msg": f"unknown field (the fields are {', '.join(_FIELDS[request.url.path])})"}
                if e["type"] == _EXTRA and request.url.path in _FIELDS
                else {}
            )
            for e in exc.errors()
        ]
        for e in errors[:SHOWN_ERRORS]:  # a field's name is sent back only so far
            e["loc"] = [shorten(x, 80) if isinstance(x, str) else x for x in e["loc"]]
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.url.path == "/v1/grade/upload" and sent != "multipart/form-data":
            return JSONResponse(  # JSON or text posted where a file is read
                {
                    "detail": f"send the file as a multipart form (Content-Type: "
                    f"multipart/form-data), not {sent or 'without a content type'}; an answer "
                    "as JSON goes to /v1/grade",
                    "code": "unsupported_media_type",
                },
                status_code=415,
            )
        if request.url.path == "/v1/grade" and sent != "application/json":
            return JSONResponse(  # a form or text posted where JSON is read
                {
                    "detail": f"send the request as JSON (Content-Type: application/json), not "
                    f"{sent or 'without a content type'}; a file goes to /v1/grade/upload",
                    "code": "unsupported_media_type",
                },
                status_code=415,
            )
        if any(e["type"] == "json_invalid" for e in errors):  # FastAPI's 422 for a broken body
            return JSONResponse({"detail": _UNREADABLE, "code": "unreadable_body"}, status_code=400)
        said = "; ".join(
            f"{shorten('.'.join(str(x) for x in e['loc'] if x != 'body'), 80) or 'body'}: "
            f"{e['msg']}"
            for e in errors[:SHOWN_ERRORS]
        )
        if len(errors) > SHOWN_ERRORS:  # a body of 20,000 unknown keys answered 3.7 MB
            said += f"; and {quantity(len(errors) - SHOWN_ERRORS, 'more problem')}"
        return JSONResponse(
            {
                "detail": f"invalid request: {said}",
                "code": "invalid_request",
                "errors": errors[:SHOWN_ERRORS],
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail
        if exc.status_code == 400 and detail == _UNPARSED:  # FastAPI's words for any such body
            detail = _UNREADABLE
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            {"detail": detail, "code": code}, status_code=exc.status_code, headers=exc.headers
        )

    def grade(answer: AnswerInput | str, question: str, request: Request) -> Response:
        with queue:
            if _gone(request):  # a client that gave up while waiting: its place goes to the next
                return Response(status_code=CLIENT_GONE)
            report = grade_input(the_grader(), answer, question)
        return Response(report.to_json(), media_type="application/json")

    @app.post(
        "/v1/grade",
        response_model=GradeReport,
        dependencies=[Depends(authorised)],
        responses=ERRORS,
    )
    def grade_text(body: GradeRequest, request: Request) -> Response:
        # a transcript is read as one (`read_text`), its named speaker graded
        return grade(read_text(body.answer, body.candidate), body.question, request)

    @app.post(
        "/v1/grade/upload",
        response_model=GradeReport,
        dependencies=[Depends(authorised), Depends(_known_form_fields)],
        responses=ERRORS,
    )
    def grade_upload(
        request: Request,
        question: str = Form(...),
        file: UploadFile = File(...),
        candidate: str | None = Form(None, max_length=MAX_SPEAKER_CHARS),
    ) -> Response:
        data = file.file.read(max_body + 1)
        if len(data) > max_body:
            raise HTTPException(413, f"the upload is over {_size(max_body)}")
        return grade(
            load_answer_bytes(
                data, os.path.basename(file.filename or "answer.txt"), candidate=candidate or None
            ),
            question,
            request,
        )

    @app.get(
        "/v1/questions",
        response_model=list[Question],
        dependencies=[Depends(authorised)],
        responses={k: ERRORS[k] for k in (401, 503)},
    )
    def questions() -> list[Question]:
        kb = the_grader().kb
        return [
            Question(id=c.id, title=c.title, prompt=c.prompt, own=kb.is_user("case", c.id))
            for c in kb.cases.values()
        ]

    @app.get(
        "/v1/notes/{note_id}",
        response_model=Note,
        dependencies=[Depends(authorised)],
        responses={404: {"model": ApiError, "description": "No such note."}}
        | {k: ERRORS[k] for k in (401, 503)},
    )
    def note(note_id: str) -> Note:
        """A note by its id ("drift") or by a report's `recommended_reading` doc id
        ("concept:drift", "case:fraud_detection:note")."""
        kb = the_grader().kb  # the notes graded with
        found = kb.readable(note_id)
        if found is None:
            raise HTTPException(404, f"no note '{shorten(note_id, 80)}'")
        kind, wanted = found
        text = kb.path_of(kind, wanted).read_text(encoding="utf-8")
        return Note(
            id=wanted,
            kind=kind,
            title=kb.notes(kind)[wanted].title,
            path=note_path(kind, wanted),
            body=front_and_prose(text)[1].strip() + "\n",
            markdown=text,
        )

    @app.get("/healthz")
    @app.head("/healthz", include_in_schema=False)  # as GET, without the body
    def healthz() -> dict:
        """Up, and which grader answers: a stored report's `grader.version` says which graded it."""
        return {"status": "ok", "version": __version__}

    return app


CLIENT_GONE = 499  # nginx's status for a request whose client closed the connection first


async def _known_form_fields(request: Request) -> None:
    """An upload's form fields are the route's own: a misspelt one ("canidate") is refused by name
    rather than silently unused, as a JSON request's is (the form read here is the one the route
    reads, parsed once)."""
    form = await request.form()
    unknown = sorted(set(form.keys()) - set(UPLOAD_FIELDS))
    if unknown:
        raise RequestValidationError(
            [
                {"type": _EXTRA, "loc": ("body", key), "msg": "unknown field", "input": None}
                for key in unknown
            ]
        )
    twice = [key for key in UPLOAD_FIELDS if len(form.getlist(key)) > 1]
    if twice:  # two files sent: one had been graded, silently
        raise RequestValidationError(
            [
                {"type": "too_many", "loc": ("body", key), "msg": "given more than once: send one"}
                for key in twice
            ]
        )


def _gone(request: Request) -> bool:
    """Whether the client of `request` (a request handled on one of the API's worker threads) has
    closed its connection: a page refreshed while its grading waited in the queue. Gradings
    cannot be stopped once they start; one nobody waits for is not started."""
    return anyio.from_thread.run(request.is_disconnected)


def app_factory() -> FastAPI:
    """For `uvicorn --factory grader.api:app_factory` (what `mlsd serve` runs)."""
    return create_app()
