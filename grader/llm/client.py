"""A chat model behind one `ask` call: structured output, one re-ask on invalid output, transport
retries with backoff, usage accounting, and error messages that never carry the API key."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from grader.errors import InvalidOutput, LLMUnavailable
from grader.llm.config import LLMConfig
from grader.llm.prompts import Prompt
from grader.text import quantity, scrub

T = TypeVar("T", bound=BaseModel)
# Worth another try after a pause: the connection, a timeout, rate limits and server errors.
TRANSIENT = (
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
    TimeoutError,
)
# Retrying cannot help: the whole LLM layer stops and the deterministic report stands.
FATAL = (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError)


def redact(text: str, config: LLMConfig) -> str:
    """Mask the configured key, and anything shaped like a key, in a message from the provider."""
    secret = config.api_key.get_secret_value() if config.api_key else ""
    return scrub(text, [secret], keylike=True)


def public_url(url: str | None) -> str | None:
    """The base URL without any user:password part."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class _DeadlineTransport(httpx2.HTTPTransport):
    """An HTTP transport whose every request must finish by a wall-clock deadline: httpx's own
    timeouts bound each read, so a server that trickles a byte at a time would never time out."""

    def __init__(self, seconds: float, until: Callable[[], float] | None = None):
        super().__init__()
        self.seconds, self.until = seconds, until

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        deadline = time.monotonic() + self.seconds
        if self.until is not None:
            deadline = min(deadline, self.until())
        if time.monotonic() >= deadline:
            raise httpx2.ReadTimeout("no time left for this request", request=request)
        response = super().handle_request(request)
        response.stream = _DeadlineStream(response.stream, deadline, request)
        return response


class _DeadlineStream(httpx2.SyncByteStream):
    def __init__(self, stream, deadline: float, request: httpx2.Request):
        self.stream, self.deadline, self.request = stream, deadline, request

    def __iter__(self):
        for chunk in self.stream:
            if time.monotonic() > self.deadline:
                raise httpx2.ReadTimeout("the reply did not finish in time", request=self.request)
            yield chunk

    def close(self) -> None:
        self.stream.close()


def build_chat_model(config: LLMConfig, until: Callable[[], float] | None = None):
    """ChatOpenAI for OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio).
    Each request must finish within `config.timeout_s`, and by `until()` when given."""
    from langchain_openai import ChatOpenAI

    key = config.api_key.get_secret_value() if config.api_key else "no-key-required"
    kwargs = dict(
        model=config.model_name,
        api_key=key,
        temperature=config.temperature,
        seed=config.seed,
        timeout=config.timeout_s,
        max_retries=0,
        max_tokens=config.max_tokens,
        http_client=openai.DefaultHttpxClient(
            transport=_DeadlineTransport(config.timeout_s, until), timeout=config.timeout_s
        ),
    )
    if config.provider == "openai-compatible":
        # llama.cpp's server ignores max_completion_tokens (what ChatOpenAI sends), so say max_tokens too.
        kwargs.update(base_url=config.base_url, extra_body={"max_tokens": config.max_tokens})
    elif config.base_url:
        kwargs["base_url"] = config.base_url
    return ChatOpenAI(**kwargs)


@dataclass
class Usage:
    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_seconds: float = 0.0


class LLMClient:
    """Thread-safe: several requests may run at once (usage is counted under a lock)."""

    def __init__(self, config: LLMConfig, chat_model=None):
        self.config = config
        self.deadline = time.monotonic() + config.grading_timeout_s  # the whole grading's LLM layer
        self.model = (
            chat_model
            if chat_model is not None
            else build_chat_model(config, lambda: self.deadline)
        )
        # Function calling everywhere: llama.cpp's server rejects json_schema (and constrains tool arguments
        # to the schema with a grammar); OpenAI's strict json_schema mode would refuse the length bounds.
        self.method = "function_calling"
        self.usage = Usage()
        self._lock = threading.Lock()
        self._down: str | None = None  # once the model is unavailable, no request is sent again

    def ask(
        self,
        prompt: Prompt,
        values: dict,
        schema: type[T],
        validate: Callable[[T], str | None] | None = None,
    ) -> T:
        """Render `prompt`, call the model, return a valid `schema` object. Invalid output is re-asked
        once with the error; a second failure raises InvalidOutput. Transport failures raise LLMUnavailable."""
        system, user = prompt.render(**values)
        messages = [SystemMessage(system), HumanMessage(user)]
        error = ""
        for _attempt in range(2):
            out = self._call(messages, schema)
            parsed, problem = out.get("parsed"), out.get("parsing_error")
            if problem is None and parsed is None:
                problem = f"the reply did not call the {schema.__name__} function"
            if problem is None and validate is not None:
                problem = validate(parsed)
            if problem is None:
                return parsed
            error = " ".join(str(problem).split())[:400]
            messages = messages[:2] + [
                HumanMessage(
                    f"Your previous reply was invalid: {error}\nReply again by calling {schema.__name__} "
                    "with arguments that follow the schema and the instructions."
                )
            ]
        raise InvalidOutput(f"{prompt.id}: invalid output twice ({redact(error, self.config)})")

    def _call(self, messages, schema) -> dict:
        if self._down:
            raise LLMUnavailable(self._down)
        runnable = self.model.with_structured_output(
            schema, method=self.method, include_raw=True
        ).with_retry(
            retry_if_exception_type=TRANSIENT,
            stop_after_attempt=1 + self.config.max_retries,
            wait_exponential_jitter=True,
            exponential_jitter_params={
                "initial": self.config.backoff_s,
                "max": 8 * self.config.backoff_s,
            },
        )
        start = time.perf_counter()
        try:
            out = self._within_deadline(runnable, messages)
        except TRANSIENT + FATAL as exc:
            self._count(time.perf_counter() - start, None, failed=True)
            self._down = self.explain(exc)
            raise LLMUnavailable(self._down) from None
        except (
            openai.APIError,
            ValueError,
        ) as exc:  # a 400 (prompt over the context), or a body that is not JSON
            self._count(time.perf_counter() - start, None, failed=True)
            raise InvalidOutput(
                f"the LLM server's reply was unusable: {type(exc).__name__}: "
                f"{redact(str(exc), self.config)[:300]}"
            ) from None
        self._count(time.perf_counter() - start, out.get("raw"))
        return {**out, "parsed": self._scrubbed(out.get("parsed"))}

    def _within_deadline(self, runnable, messages) -> dict:
        """Run one request (its retries included) under a wall-clock limit: the request's own
        timeout, or what is left of the grading's. A server that trickles bytes or hangs cannot hold
        a grading longer; the abandoned request runs out in a daemon thread."""
        limit = min(self.config.timeout_s, self.deadline - time.monotonic())
        if limit <= 0:
            raise TimeoutError("no time left for the LLM in this grading")
        box: dict = {}

        def target():
            try:
                box["out"] = runnable.invoke(messages)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
                box["error"] = exc

        worker = threading.Thread(target=target, daemon=True, name="llm-request")
        worker.start()
        worker.join(limit)
        if worker.is_alive():
            raise TimeoutError(f"no complete reply within {limit:.0f}s")
        if "error" in box:
            raise box["error"]
        return box["out"]

    def _scrubbed(self, parsed):
        """The model's output with the API key, and anything shaped like a key, masked: whatever a
        model writes reaches reports, history and screens only through here."""
        if not isinstance(parsed, BaseModel):
            return parsed
        secret = self.config.api_key.get_secret_value() if self.config.api_key else ""
        data = parsed.model_dump_json()
        clean = scrub(data, [secret], keylike=True)
        if clean == data:
            return parsed
        try:
            return type(parsed).model_validate_json(clean)
        except ValidationError:
            raise InvalidOutput(
                "the LLM's reply carried a key-like string and was dropped"
            ) from None

    def _count(self, seconds: float, raw, failed: bool = False) -> None:
        meta = getattr(raw, "usage_metadata", None) or {}
        with self._lock:
            self.usage.calls += 1
            self.usage.failed_calls += int(failed)
            self.usage.latency_seconds += seconds
            self.usage.prompt_tokens += int(meta.get("input_tokens", 0) or 0)
            self.usage.completion_tokens += int(meta.get("output_tokens", 0) or 0)

    def explain(self, exc: BaseException) -> str:
        """One line saying what went wrong and what to do, with no secret in it."""
        c = self.config
        where = public_url(c.base_url) or "the OpenAI API"
        if isinstance(exc, (openai.APITimeoutError, TimeoutError)):
            msg = (
                f"{where} did not answer within {c.timeout_s:g}s (tried "
                f"{quantity(1 + c.max_retries, 'time')}; "
                f"MLSD_LLM_TIMEOUT bounds a request, MLSD_LLM_GRADING_TIMEOUT "
                f"({c.grading_timeout_s:g}s) a whole grading)"
            )
        elif isinstance(exc, openai.APIConnectionError):
            msg = (
                f"cannot reach {where} (tried {quantity(1 + c.max_retries, 'time')}); "
                "is the server running?"
            )
        elif isinstance(exc, openai.AuthenticationError):
            msg = f"{where} rejected the API key (401); check OPENAI_API_KEY or MLSD_LLM_API_KEY"
        elif isinstance(exc, openai.PermissionDeniedError):
            msg = f"{where} refused access (403) for model '{c.model_name}'"
        elif isinstance(exc, openai.NotFoundError):
            msg = f"model '{c.model_name}' was not found at {where} (404); check --model"
        elif isinstance(exc, openai.RateLimitError):
            msg = f"{where} kept rate-limiting the requests (429)"
        else:
            msg = f"{where} failed: {type(exc).__name__}: {exc}"
        return redact(msg, c)
