"""A hostile OpenAI-compatible server on 127.0.0.1, for the LLM layer's wall-clock and safety promises.

Its behaviour is chosen by the first path segment of the base URL:
- `/trickle/v1`: sends headers, then one byte every 0.3 s, never finishing (a read timeout never fires);
- `/hang/v1`: accepts the request and never answers;
- `/echo/v1`: a valid structured reply whose every string carries the request's API key;
- `/praise/v1`: a valid reply that rates every component 3 with praise and no quotes;
- `/garbage/v1`: HTML where JSON belongs; `/slow/v1`: the same after 3 s.
Valid replies are built from the function schema the client sends, so they pass its validation.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRAISE = "Excellent answer: it covers every component thoroughly and deserves full marks."


def fill(schema: dict, defs: dict, text: str, level: int):
    """A minimal instance of a JSON schema, every string set to `text` (within its length bound)."""
    if "$ref" in schema:
        return fill(defs[schema["$ref"].split("/")[-1]], defs, text, level)
    if "enum" in schema:
        return level if level in schema["enum"] else schema["enum"][0]
    if "anyOf" in schema:
        return fill(schema["anyOf"][0], defs, text, level)
    kind = schema.get("type")
    if kind == "object":
        return {k: fill(v, defs, text, level) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [fill(schema["items"], defs, text, level)] * schema.get("minItems", 0)
    if kind == "string":
        return text[: schema.get("maxLength", len(text))]
    if kind in ("integer", "number"):
        return level
    return None


def completion(name: str, args: dict) -> bytes:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": name, "arguments": json.dumps(args)},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
    return json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        mode = self.path.strip("/").split("/")[0]
        if mode in ("garbage", "slow"):
            time.sleep(3 if mode == "slow" else 0)
            return self._send(b"<html>definitely not json</html>")
        if mode == "hang":
            time.sleep(60)
            return
        if mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(200):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.3)
            return
        tool = request["tools"][0]["function"]
        params = tool["parameters"]
        if mode == "echo":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            args = fill(params, params.get("$defs", {}), f"the key is {key} ok", 1)
        else:
            args = fill(params, params.get("$defs", {}), PRAISE, 3)
        self._send(completion(tool["name"], args))

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start() -> tuple[ThreadingHTTPServer, str]:
    """Start the server; returns it and its root URL (append e.g. '/echo/v1')."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
