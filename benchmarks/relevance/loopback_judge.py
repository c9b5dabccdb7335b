"""A loopback OpenAI-compatible chat endpoint that answers the judge's requests by a rule, not a model.

`python -m benchmarks.relevance` measures the judge's mechanics with it (BENCHMARKS.md,
"Relevance", (g)): the real judge (generator/ranking/judge.py) and the real `openai`
client send their batches to this server on 127.0.0.1, which reads the paper ids of
each request ("id: <arXiv id>" lines) and rates each by a `policy(arxiv_id) -> (rating,
reason)` the benchmark gives it, for example the hand labels themselves (an oracle: the
best any judge could do with these candidates), the labels with some ratings flipped, or
random ratings. What it measures is how the candidates, the batches and the combination
with the ranker behave, never how good a model is: no model runs here.

Usage in the answers is the generator's own token estimate (3 ASCII characters a token).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from generator.summaries.fulltext import estimate_tokens

Policy = Callable[[str], tuple[float, str]]
_ID = re.compile(r"^id: (\S+)$", re.MULTILINE)


class LoopbackJudge:
    """Serve `POST /v1/chat/completions` on 127.0.0.1 until the `with` block ends; counts requests and tokens."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.requests = 0
        self.papers = 0
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                payload = json.dumps(owner.answer(body)).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def answer(self, body: dict) -> dict:
        messages = {m["role"]: m["content"] for m in body["messages"]}
        ids = _ID.findall(messages.get("user", ""))
        ratings = []
        for arxiv_id in ids:
            rating, reason = self.policy(arxiv_id)
            ratings.append({"id": arxiv_id, "rating": rating, "reason": reason})
        content = json.dumps({"ratings": ratings})
        with self._lock:
            self.requests += 1
            self.papers += len(ids)
        prompt = estimate_tokens(messages.get("system", "")) + estimate_tokens(messages.get("user", ""))
        return {
            "id": f"judge-{self.requests}",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": estimate_tokens(content),
                "total_tokens": prompt + estimate_tokens(content),
            },
        }

    def __enter__(self) -> LoopbackJudge:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
