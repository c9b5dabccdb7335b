"""A loopback OpenAI-compatible server that replays the demo's committed answers.

`make demo` points the real summary stage (generator/summaries/summarize.py and its `openai`
client) at this server, so the demo shows AI summaries with no network and no key.
It answers `POST /v1/chat/completions` for the model `demo-replay` only:

- a request about a paper (the user message's `arXiv: <id>v<n>` line) gets
  `demo/answers/<id>.md`, an answer written by hand for the demo (see its README);
- a paper without a committed answer gets HTTP 400, so it stays without a summary;
- another model gets HTTP 404 `model_not_found`, as OpenAI answers;
- anything else (doctor's one-token check) gets "OK".

Token counts in `usage` are the generator's own conservative estimate
(generator.summaries.fulltext.estimate_tokens: 3 ASCII characters or one other character per
token), not a tokenizer's: this server has no model and no tokenizer.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from demo.loopback import LoopbackServer, QuietHandler
from generator.summaries.fulltext import estimate_tokens

ANSWERS = Path(__file__).resolve().parent / "answers"
MODEL = "demo-replay"
_PAPER = re.compile(r"^arXiv: (\S+?)v\d+$", re.MULTILINE)


def answer_file(arxiv_id: str, answers: Path = ANSWERS) -> Path:
    """Where the answer for this paper is committed (old-style ids: `/` becomes `_`)."""
    return answers / f"{arxiv_id.replace('/', '_')}.md"


class ReplayLLM(LoopbackServer):
    """Serve the committed answers on 127.0.0.1 until `stop()`; records each request's figures."""

    def __init__(self, answers: Path = ANSWERS):
        self.answers = answers
        self.requests: list[dict[str, object]] = []
        """One entry per request: paper id (or None), status, prompt and completion tokens, characters sent."""
        self._lock = threading.Lock()
        replay = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                self._send(*replay.answer(self.path, self.rfile.read(length)))

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/") == "/v1/models":
                    self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "demo"}]})
                else:
                    self._send(*_error(404, f"no such endpoint: {self.path}", "not_found"))

            def _send(self, status: int, payload: dict) -> None:
                self.reply(status, json.dumps(payload).encode("utf-8"), "application/json")

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def answer(self, path: str, raw: bytes) -> tuple[int, dict]:
        if path.rstrip("/") != "/v1/chat/completions":
            return _error(404, f"no such endpoint: {path}", "not_found")
        try:
            request = json.loads(raw)
            model = str(request["model"])
            messages = [(str(m["role"]), str(m["content"])) for m in request["messages"]]
        except (ValueError, KeyError, TypeError):
            return _error(400, "the body is not a chat-completions request", "invalid_request")
        if model != MODEL:
            return _error(404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found")
        sent = "".join(content for _, content in messages)
        user = "\n".join(content for role, content in messages if role == "user")
        match = _PAPER.search(user)
        arxiv_id = match.group(1) if match else None
        if arxiv_id is None:
            text = "OK"
        else:
            path_ = answer_file(arxiv_id, self.answers)
            if not path_.is_file():
                self._record(arxiv_id, 400, 0, 0, len(sent))
                return _error(400, f"demo-replay has no answer for {arxiv_id} (add demo/answers/{path_.name})", "no_recorded_answer")
            text = path_.read_text(encoding="utf-8")
        prompt_tokens, completion_tokens = estimate_tokens(sent), estimate_tokens(text)
        self._record(arxiv_id, 200, prompt_tokens, completion_tokens, len(sent))
        return 200, {
            "id": f"chatcmpl-demo-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _record(self, arxiv_id: str | None, status: int, prompt_tokens: int, completion_tokens: int, chars: int) -> None:
        with self._lock:
            self.requests.append(
                {
                    "paper": arxiv_id,
                    "status": status,
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "chars_sent": chars,
                }
            )


def _error(status: int, message: str, code: str) -> tuple[int, dict]:
    return status, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
