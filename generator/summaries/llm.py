"""One chat completion from any OpenAI-compatible endpoint, with our own bounded retries.

The official `openai` client does the HTTP. Its own retries are switched off
(`max_retries=0`) and done here instead, so that every attempt is counted in the
run report, checked against the token budget before it is sent, logged in our
words, and spaced by our backoff: Retry-After (or OpenAI's retry-after-ms) when the
server gives one, else `retry_backoff` seconds doubling per retry. Retried: 408,
409, 429, 5xx, timeouts and connection errors. Not retried: other 4xx; 401, 403
and 404 also stop every later request of the run (a wrong key, model or URL would
fail the same way for every paper). An address that refuses connections or does
not resolve is retried once, then stops the run's later requests the same way, with
a message naming LLM_BASE_URL.

Every message leaving this module is redacted: providers echo keys in error bodies.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import openai

from generator.redaction import error_cause, redact
from generator.summaries.fulltext import estimate_tokens
from generator.text.cut import shorten
from generator.web import UNREACHABLE_ATTEMPTS, retry_after_seconds, unreachable_reason

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429})
FATAL_STATUSES = frozenset({401, 403, 404})
ENDPOINT_SETTING = "LLM_BASE_URL (ai_summary.base_url in config.yml)"
MAX_RETRY_WAIT = 120.0
"""A Retry-After longer than this (a quota reset hours away) ends the retries at once."""
MAX_BACKOFF = 60.0


def token_cost(prompt_tokens: int, completion_tokens: int, price_per_1k_input: float, price_per_1k_output: float) -> float:
    """What the tokens cost at the configured prices (ai_summary.price_per_1k_*), rounded to a millionth."""
    return round(prompt_tokens / 1000 * price_per_1k_input + completion_tokens / 1000 * price_per_1k_output, 6)


@dataclass(frozen=True)
class Completion:
    """A model's answer and what it cost."""

    text: str
    """The answer (Markdown, untrusted)."""
    prompt_tokens: int
    """Input tokens as reported by the endpoint (estimated when it reports none)."""
    completion_tokens: int
    """Output tokens as reported by the endpoint (estimated when it reports none)."""
    finish_reason: str | None
    """`stop`, or `length` when the answer hit max_output_tokens."""


class LLMError(Exception):
    """A request that failed for good; the message is redacted and one line."""


class BudgetReached(LLMError):
    """The run's token budget was reached before this request could be sent."""


@dataclass
class RequestGate:
    """Counts requests and tokens for the whole run; refuses new requests past the budget.

    A stage that spends from the same budget with figures of its own (the judge,
    generator/ranking/judge.py) gets a gate of its own from `stage()`: its tokens count
    toward this gate's budget, and its requests and tokens stay out of this gate's figures.
    """

    token_budget: int
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    budget: RequestGate | None = None
    """The gate whose budget this one spends from (None: its own)."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stages: list[RequestGate] = []

    @property
    def tokens_used(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def budget_used(self) -> int:
        """Tokens spent from the budget: this gate's and its stages'."""
        if self.budget is not None:
            return self.budget.budget_used
        return self.tokens_used + sum(stage.tokens_used for stage in self._stages)

    @property
    def exhausted(self) -> bool:
        root = self.budget or self
        return self.budget_used >= root.token_budget

    def stage(self) -> RequestGate:
        """A gate for another stage of the run, spending from this gate's budget."""
        gate = RequestGate(self.token_budget, budget=self)
        self._stages.append(gate)
        return gate

    def admit(self) -> bool:
        """True (and one more request counted) while the budget is not used up."""
        with self._lock:
            if self.exhausted:
                return False
            self.requests += 1
            return True

    def charge(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens


class ChatClient:
    """Chat completions against one endpoint and model, shared by the worker threads."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        timeout: float,
        max_retries: int,
        retry_backoff: float,
        temperature: float,
        max_output_tokens: int,
        gate: RequestGate,
        sleep: Callable[[float], None] = time.sleep,
    ):
        # max_retries=0: the loop in `complete` retries (see the module docstring).
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)
        self.base_url = base_url
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.temperature = temperature
        self.max_output_tokens = max_output_tokens
        self.gate = gate
        self._sleep = sleep
        self._fatal: str | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def complete(self, system: str, user: str, label: str) -> Completion:
        """The model's answer to one (system, user) exchange; raises LLMError after the retries."""
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            if self._fatal:
                raise LLMError(f"not sent: an earlier request failed with {self._fatal}")
            if not self.gate.admit():
                raise BudgetReached(f"token budget of {self.gate.token_budget} reached")
            try:
                response = self._client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    temperature=self.temperature,
                    max_tokens=self.max_output_tokens,
                )
            except openai.APITimeoutError:
                reason, wait = f"no answer within {self.timeout:g} s", None
            except openai.APIConnectionError as exc:
                unreachable = unreachable_reason(exc, self.base_url)
                if unreachable and attempt + 1 >= min(UNREACHABLE_ATTEMPTS, attempts):
                    # A wrong address fails every paper alike: stop here, name the setting.
                    self._fatal = unreachable
                    tried = "after one retry" if attempt else "no retry"
                    raise LLMError(f"LLM endpoint {self.base_url}: {unreachable} ({tried}); check {ENDPOINT_SETTING}") from None
                reason, wait = f"cannot connect to {self.host} ({unreachable or error_cause(exc)})", None
            except openai.APIStatusError as exc:
                reason = f"HTTP {exc.status_code} from {self.host}: {shorten(redact(str(exc.message)))}"
                if exc.status_code in FATAL_STATUSES:
                    self._fatal = f"HTTP {exc.status_code}"
                    raise LLMError(reason) from None
                if exc.status_code not in RETRY_STATUSES and exc.status_code < 500:
                    raise LLMError(reason) from None
                wait = _retry_after(exc.response.headers)
                if wait is not None and wait > MAX_RETRY_WAIT:
                    raise LLMError(f"{reason}; the server asks to wait {wait:.0f} s, more than {MAX_RETRY_WAIT:.0f} s") from None
            except openai.OpenAIError as exc:  # an answer the client cannot parse, and the like
                raise LLMError(f"bad answer from {self.host}: {type(exc).__name__}: {shorten(redact(str(exc)))}") from None
            except ValueError as exc:
                # The client raises json's JSONDecodeError for a body that is not JSON (an HTML error
                # page from a proxy, a body cut off mid-way): a glitch worth another try.
                reason, wait = f"unreadable answer from {self.host} ({type(exc).__name__}: {shorten(redact(str(exc)))})", None
            else:
                completion = self._completion(response, system, user)
                if isinstance(completion, Completion):
                    return completion
                reason, wait = completion, None
            if attempt + 1 == attempts:
                raise LLMError(f"{reason}; gave up after {attempts} attempts")
            delay = wait if wait is not None else min(MAX_BACKOFF, self.retry_backoff * 2**attempt)
            log.warning("%s: %s; retry %d of %d in %.1f s", label, reason, attempt + 1, self.max_retries, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")

    def _completion(self, response, system: str, user: str) -> Completion | str:
        """The answer, or why the response is not one (JSON of the wrong shape: retried)."""
        # The client builds its response objects without validating them, so every field
        # may hold any JSON value the server sent.
        choices = getattr(response, "choices", None)
        choice = choices[0] if isinstance(choices, list) and choices else None
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        text = content.strip() if isinstance(content, str) else ""
        usage = getattr(response, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        if not isinstance(prompt_tokens, int) or not isinstance(completion_tokens, int):
            # Some local servers report no usage; the budget still needs a figure.
            prompt_tokens, completion_tokens = estimate_tokens(system) + estimate_tokens(user), estimate_tokens(text)
        self.gate.charge(prompt_tokens, completion_tokens)
        if content is not None and not isinstance(content, str):
            return f"malformed answer from {self.host} (message content is {type(content).__name__}, not text)"
        if choices is not None and not isinstance(choices, list):
            return f"malformed answer from {self.host} (choices is {type(choices).__name__}, not a list)"
        if choice is not None and not hasattr(choice, "message"):
            return f"malformed answer from {self.host} (a choice without a message)"
        if not text:
            raise LLMError(f"empty answer from {self.host}")
        finish = getattr(choice, "finish_reason", None)
        return Completion(text, prompt_tokens, completion_tokens, finish if isinstance(finish, str) else None)


def _retry_after(headers) -> float | None:
    """Seconds the server asks us to wait: retry-after-ms (OpenAI), then Retry-After."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            value = float(millis) / 1000
            if math.isfinite(value) and value >= 0:
                return value
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw:
        try:
            value = float(raw)  # some servers send fractions; HTTP says integer seconds
            if math.isfinite(value) and value >= 0:
                return value
        except ValueError:
            return retry_after_seconds(raw)  # an HTTP date
    return None
