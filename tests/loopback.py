"""Real HTTP servers on 127.0.0.1 for the summary tests and the benchmark.

- `FakeLLM`: an OpenAI-compatible chat-completions endpoint (`POST /v1/chat/completions`).
  It answers each request after `delay` seconds with a Markdown summary naming the
  paper it was given, or follows a script (429 with Retry-After, 5xx, slow answers,
  hostile output, errors echoing the key). Given `models` and `keys`, it answers an
  unknown model with 404 `model_not_found` and a wrong key with 401 `invalid_api_key`,
  in OpenAI's words. It records every request and the largest number of requests it
  was serving at once. It also serves `POST /v1/embeddings`:
  each input text gets a deterministic vector (its words hashed into `EMBEDDING_DIMENSIONS`
  buckets, so texts sharing words get similar vectors), or `embedding_script` answers.
- `PdfServer`: serves PDFs at `/pdf/<versioned id>` (404 where told) and
  records its own concurrency, to show the polite session sends one at a time.
- `make_pdf`: a small, valid PDF with real text, built by hand (pypdf reads it).

Both servers are threaded (`ThreadingHTTPServer`), so concurrency is real: a server
that handled one request at a time could not show that requests overlap.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica (ASCII text)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content_lines = ["BT", "/F1 10 Tf", "12 TL", "50 780 Td"]
    for line in lines:
        content_lines.append(f"({escape(line)}) Tj T*")
    content_lines.append("ET")
    stream = "\n".join(content_lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_file(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def pdf_file(objects: list[bytes], header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF of these objects (numbered from 1; object 1 the catalog), with its cross-reference table."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class _Concurrency:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.current -= 1


CUT_AFTER = "X-Loopback-Cut-After"
"""Response header a handler sets to send only that many body bytes, then drop the connection."""
STALL = "X-Loopback-Stall"
"""Response header a handler sets to send half the body, wait that many seconds, then the rest."""


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 calling `self.handle(method, path, headers, body)`.

    Misbehaviour on request: a handler's response headers may carry CUT_AFTER (reset
    mid-body) or STALL (a body that stops flowing); neither header is sent.
    """

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = owner.handle(self.command, self.path, self.headers, body)
                headers = dict(headers)
                cut_after = headers.pop(CUT_AFTER, None)
                stall = float(headers.pop(STALL, 0))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if cut_after is not None:
                        # Promise the whole body, send part of it, drop the connection.
                        self.wfile.write(payload[: int(cut_after)])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if stall:
                        self.wfile.write(payload[: len(payload) // 2])
                        self.wfile.flush()
                        time.sleep(stall)  # stalls mid-body, past the client's timeout
                        self.wfile.write(payload[len(payload) // 2 :])
                    else:
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = _serve

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Reply:
    """One scripted answer of the fake LLM."""

    status: int = 200
    content: str | None = None
    """Answer text for a 200 (default: a summary naming the paper)."""
    delay: float | None = None
    """Seconds before answering (default: the server's delay)."""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = "scripted error"
    """Error message of a non-200 answer."""
    usage: bool = True
    raw: bytes | None = None
    """Send these bytes as the body instead of a JSON answer (non-JSON, truncated, empty bodies)."""


@dataclass
class LLMRequest:
    """What the fake LLM received."""

    authorization: str
    model: str
    system: str
    user: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    """When it arrived (time.monotonic)."""

    @property
    def arxiv_id(self) -> str:
        match = re.search(r"^arXiv: (\S+?)v\d+$", self.user, re.MULTILINE)
        return match.group(1) if match else ""

    @property
    def title(self) -> str:
        match = re.search(r"^Title: (.*)$", self.user, re.MULTILINE)
        return match.group(1) if match else ""


EMBEDDING_DIMENSIONS = 64


def fake_embedding(text: str) -> list[float]:
    """A deterministic vector for a text: counts of its lower-cased words, hashed into buckets."""
    vector = [0.0] * EMBEDDING_DIMENSIONS
    for word in re.findall(r"[a-z]{3,}", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % EMBEDDING_DIMENSIONS] += 1.0
    return vector


@dataclass
class EmbeddingRequest:
    """What the fake embeddings endpoint received."""

    authorization: str
    model: str
    inputs: list[str]


class FakeLLM(LoopbackServer):
    """An OpenAI-compatible chat-completions server; `script(request) -> Reply | None` steers it."""

    def __init__(
        self,
        delay: float = 0.0,
        prompt_tokens: int = 1000,
        completion_tokens: int = 200,
        script: Callable[[LLMRequest], Reply | None] | None = None,
        *,
        models: set[str] | None = None,
        keys: set[str] | None = None,
        embedding_script: Callable[[EmbeddingRequest], Reply | None] | None = None,
    ):
        super().__init__()
        self.models = models
        """Models it serves (None: any); others get OpenAI's 404 model_not_found."""
        self.keys = keys
        """Keys it accepts (None: any); others get OpenAI's 401 invalid_api_key."""
        self.delay = delay
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.script = script
        self.embedding_script = embedding_script
        self.requests: list[LLMRequest] = []
        self.embedding_requests: list[EmbeddingRequest] = []
        self.concurrency = _Concurrency()
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def handle_embeddings(self, headers, body):
        data = json.loads(body)
        inputs = data["input"] if isinstance(data["input"], list) else [data["input"]]
        request = EmbeddingRequest(headers.get("Authorization", ""), data["model"], inputs)
        with self._lock:
            self.embedding_requests.append(request)
        reply = (self.embedding_script(request) if self.embedding_script else None) or Reply()
        if reply.raw is not None:
            return reply.status, {"Content-Type": "application/json", **reply.headers}, reply.raw
        if reply.status != 200:
            payload = {"error": {"message": reply.error, "type": "scripted", "code": reply.status}}
            return reply.status, {"Content-Type": "application/json", **reply.headers}, json.dumps(payload).encode()
        answer = {
            "object": "list",
            "model": data["model"],
            "data": [{"object": "embedding", "index": i, "embedding": fake_embedding(text)} for i, text in enumerate(inputs)],
            "usage": {"prompt_tokens": sum(len(t.split()) for t in inputs), "total_tokens": sum(len(t.split()) for t in inputs)},
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    def handle(self, method, path, headers, body):
        if method == "POST" and path == "/v1/embeddings":
            return self.handle_embeddings(headers, body)
        if method != "POST" or path != "/v1/chat/completions":
            return 404, {"Content-Type": "application/json"}, b'{"error": {"message": "not found"}}'
        with self.concurrency:
            data = json.loads(body)
            messages = {m["role"]: m["content"] for m in data["messages"]}
            request = LLMRequest(
                headers.get("Authorization", ""), data["model"], messages.get("system", ""), messages.get("user", ""), data
            )
            with self._lock:
                self.requests.append(request)
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
            reply = (self.script(request) if self.script else None) or Reply()
            time.sleep(self.delay if reply.delay is None else reply.delay)
            if reply.raw is not None:
                return reply.status, {"Content-Type": "application/json", **reply.headers}, reply.raw
            if reply.status != 200:
                payload = {"error": {"message": reply.error, "type": "scripted", "code": reply.status}}
                return reply.status, {"Content-Type": "application/json", **reply.headers}, json.dumps(payload).encode()
            content = reply.content if reply.content is not None else default_answer(request)
            answer: dict[str, Any] = {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": data["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            }
            if reply.usage:
                answer["usage"] = {
                    "prompt_tokens": self.prompt_tokens,
                    "completion_tokens": self.completion_tokens,
                    "total_tokens": self.prompt_tokens + self.completion_tokens,
                }
            return 200, {"Content-Type": "application/json", **reply.headers}, json.dumps(answer).encode()

    def _refusal(self, request: LLMRequest) -> tuple[int, dict[str, str], bytes] | None:
        """OpenAI's answers to a wrong key and an unknown model (bodies as api.openai.com sends them)."""
        if self.keys is not None and request.authorization.removeprefix("Bearer ") not in self.keys:
            error = {
                "message": "Incorrect API key provided: sk-...xxxx. You can find your API key at https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            }
            return 401, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()
        if self.models is not None and request.model not in self.models:
            error = {
                "message": f"The model `{request.model}` does not exist or you do not have access to it.",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
            return 404, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()
        return None


def default_answer(request: LLMRequest) -> str:
    source = "full text" if "Full text of the paper" in request.user else "abstract"
    return (
        f"## 1. Contributions\n\nSummary of **{request.arxiv_id}** ({request.title}) from the {source}.\n"
        f"- first point\n- second point\n\n## 2. Setup\n\nModel {request.model}.\n"
    )


class PdfServer(LoopbackServer):
    """Serves `pdf_for(versioned_id)` at /pdf/<versioned_id>; 404 when it returns None."""

    def __init__(self, pdf_for: Callable[[str], bytes | None], delay: float = 0.0):
        super().__init__()
        self.pdf_for = pdf_for
        self.delay = delay
        self.paths: list[str] = []
        self.concurrency = _Concurrency()

    @property
    def template(self) -> str:
        return self.url + "/pdf/{id}"

    def handle(self, method, path, headers, body):
        with self.concurrency:
            self.paths.append(path)
            time.sleep(self.delay)
            pdf = self.pdf_for(path.removeprefix("/pdf/"))
            if pdf is not None:
                return 200, {"Content-Type": "application/pdf"}, pdf
            return 404, {"Content-Type": "text/plain"}, b"not found"
