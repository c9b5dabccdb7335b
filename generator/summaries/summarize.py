"""The summarize stage: an AI summary for each of the day's best papers, never paid twice.

For each paper it needs, the summarizer downloads the PDF through the shared
polite arXiv session (so downloads stay one at a time, spaced as arXiv asks),
extracts and trims the text, and asks the model with the configured prompt;
without a usable PDF it sends the abstract and the page says so. Up to
`max_workers` papers are in flight at once, so LLM requests run in parallel while
PDF downloads queue on the session.

The cache is the archive itself: a summary is stored with its paper (front matter
`summary`: model, input, prompt_sha256, created, version) and is current when
(version, model, prompt hash) match the run's. The nightly run only summarizes
listed papers that have no summary at all; replacing a summary that is out of date
(new version, prompt or model) happens only on request (`resummarize`).

A failed paper is left without a summary (the next run retries it); a reached
token budget stops new requests; neither stops the run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.archive.models import Paper, Summary
from generator.archive.runs import SummaryFigures
from generator.config import Config, Limits, SummaryConfig
from generator.errors import ConfigError, FetchError
from generator.redaction import install_log_filter, redact, register
from generator.summaries.fulltext import ASCII_CHARS_PER_TOKEN, TRUNCATION_NOTE, PdfTextError, estimate_tokens, read_pdf, trim_to_tokens
from generator.summaries.llm import BudgetReached, ChatClient, LLMError, RequestGate, token_cost
from generator.text.markdown import clean_summary_markdown, render_summary_html
from generator.web import PoliteSession, ResponseTooLarge

log = logging.getLogger(__name__)

DEFAULT_PROMPT = """\
You summarize one research paper for researchers who skim the day's new arXiv papers
and need to decide in a minute whether to read it.

Write in {language}. Keep technical terms, names of methods, models, datasets and
metrics, and all numbers exactly as the paper writes them: do not translate them.
Answer in Markdown with the four parts below as `##` headings, short bullet points
under each, and the key numbers in bold. Stay faithful to the paper; when it does
not report something, say so instead of guessing.

## 1. Contributions and novelty
- The problem the paper solves
- The new method or idea it proposes
- Its advantages over existing approaches

## 2. Data, setup and baselines
- Datasets and benchmarks used
- Experimental setup and evaluation metrics
- Baselines compared against

## 3. Key results
- The headline performance figures
- How they compare with the baselines
- Ablation studies, if any

## 4. Conclusions, limitations and future work
- The main findings
- Limitations of the method
- Directions for future work
"""

USER_MESSAGE = """\
Title: {title}
Authors: {authors}
arXiv: {arxiv_id}v{version}

{source}:

{text}
"""
"""The paper's side of the conversation; part of the prompt hash, so changing it re-keys the cache."""

FULLTEXT_SOURCE = "Full text of the paper, extracted from its PDF"
ABSTRACT_SOURCE = "Abstract of the paper (its full text was not available)"


@dataclass(frozen=True)
class Prompt:
    """The system prompt of a run and its hash (part of every summary's cache key)."""

    text: str
    """The prompt template with `{language}` filled in."""
    sha256: str
    """SHA-256 of `text` plus the user-message template: any change re-keys the cache."""


def build_prompt(template: str, language: str) -> Prompt:
    text = template.replace("{language}", language).strip() + "\n"
    digest = hashlib.sha256((text + "\n\x00\n" + USER_MESSAGE).encode("utf-8")).hexdigest()
    return Prompt(text, digest)


def load_prompt(settings: SummaryConfig, config_path: str) -> Prompt:
    """The configured prompt (file or built-in), rendered for the configured language."""
    if settings.prompt_file is None:
        return build_prompt(DEFAULT_PROMPT, settings.language)
    path = Path(settings.prompt_file)
    try:
        template = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            config_path,
            "ai_summary.prompt_file",
            f"{path} cannot be read ({type(exc).__name__})",
            fix="point it at a UTF-8 Markdown file, or null for the built-in prompt",
        ) from None
    if not template.strip():
        raise ConfigError(
            config_path,
            "ai_summary.prompt_file",
            f"{path} is empty",
            fix="write the instructions in it, or set null for the built-in prompt",
        )
    return build_prompt(template, settings.language)


@dataclass
class SummaryStats:
    """What the summarize stage did in one run (thread-safe counters)."""

    model: str
    price_per_1k_input: float
    price_per_1k_output: float
    currency: str
    gate: RequestGate
    made: int = 0
    fulltext: int = 0
    abstract: int = 0
    failures: int = 0
    cache_hits: int = 0
    out_of_date: int = 0
    skipped_budget: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(arxiv_id, reason) of each failure, for the warning."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def estimated_cost(self) -> float:
        return token_cost(self.gate.prompt_tokens, self.gate.completion_tokens, self.price_per_1k_input, self.price_per_1k_output)

    def figures(self) -> SummaryFigures:
        return SummaryFigures(
            model=self.model,
            requests=self.gate.requests,
            prompt_tokens=self.gate.prompt_tokens,
            completion_tokens=self.gate.completion_tokens,
            summarized=self.made,
            fulltext=self.fulltext,
            abstract=self.abstract,
            failures=self.failures,
            cache_hits=self.cache_hits,
            out_of_date=self.out_of_date,
            skipped_budget=self.skipped_budget,
            estimated_cost=self.estimated_cost(),
            currency=self.currency,
        )

    def report_rows(self) -> dict[str, str | int | float]:
        """Rows for the console run report."""
        return {
            "LLM requests": self.gate.requests,
            "LLM tokens (prompt / completion)": f"{self.gate.prompt_tokens} / {self.gate.completion_tokens}",
            "summaries made / cached / failed": f"{self.made} / {self.cache_hits} / {self.failures}",
            "summary input (full text / abstract)": f"{self.fulltext} / {self.abstract}",
            "estimated LLM cost": f"{self.estimated_cost():.4f} {self.currency}",
        }


class Summarizer:
    """Adds summaries to papers: `summarizer(listed)` is the pipeline's summarize stage."""

    def __init__(
        self,
        settings: SummaryConfig,
        prompt: Prompt,
        chat: ChatClient,
        session: PoliteSession,
        pdf_url: str,
        warn: Callable[[str], None],
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        limits: Limits | None = None,
    ):
        self.limits = limits
        self.settings = settings
        self.prompt = prompt
        self.chat = chat
        self.session = session
        self.pdf_url = pdf_url
        self.warn = warn
        self.clock = clock
        self.stats = SummaryStats(settings.model, settings.price_per_1k_input, settings.price_per_1k_output, settings.currency, chat.gate)
        self._budget_warned = False

    @property
    def model(self) -> str:
        return self.settings.model

    def is_current(self, paper: Paper) -> bool:
        """True when the paper's summary matches this run's cache key (version, model, prompt)."""
        summary = paper.summary
        return (
            summary is not None
            and summary.version == paper.announcement.version
            and summary.model == self.settings.model
            and summary.prompt_sha256 == self.prompt.sha256
        )

    def __call__(self, listed: list[Paper]) -> list[Paper]:
        """The day's listed papers (best first), the top ones given a summary if they had none."""
        top = listed[: self.settings.max_papers_to_summarize]
        missing = [p for p in top if p.summary is None]
        kept = [p for p in top if p.summary is not None]
        self.stats.add(cache_hits=len(kept), out_of_date=sum(1 for p in kept if not self.is_current(p)))
        made = self.summarize(missing)
        return [replace(p, summary=made[p.arxiv_id]) if p.arxiv_id in made else p for p in listed]

    def summarize(self, papers: Iterable[Paper]) -> dict[str, Summary]:
        """New summaries for these papers (in parallel), by id; failed and skipped papers are absent."""
        papers = list(papers)
        if not papers:
            return {}
        made: dict[str, Summary] = {}
        failed: list[tuple[str, str]] = []
        skipped: list[str] = []
        with ThreadPoolExecutor(max_workers=self.settings.max_workers, thread_name_prefix="summarize") as pool:
            futures = [(paper, pool.submit(self._summarize_one, paper)) for paper in papers]
            for paper, future in futures:
                try:
                    made[paper.arxiv_id] = future.result()
                except BudgetReached:
                    skipped.append(paper.arxiv_id)
                except LLMError as err:
                    reason = redact(str(err))
                    log.warning("%s: no summary: %s", paper.arxiv_id, reason)
                    failed.append((paper.arxiv_id, reason))
        self.stats.add(made=len(made), failures=len(failed), skipped_budget=len(skipped))
        self.stats.failed.extend(failed)
        if failed:
            examples = "; ".join(f"{i}: {r}" for i, r in failed[:3]) + ("; …" if len(failed) > 3 else "")
            self.warn(
                f"{len(failed)} of {len(papers)} summaries failed ({examples}); "
                "those papers have no summary yet and the next run retries them"
            )
        if skipped and not self._budget_warned:
            self._budget_warned = True
            self.warn(
                f"token budget of {self.settings.token_budget} reached ({self.chat.gate.budget_used} tokens used): "
                f"{len(skipped)} papers left without a summary; the next run continues (raise ai_summary.token_budget to do more)"
            )
        elif skipped:
            self.warn(f"token budget still reached: {len(skipped)} more papers left without a summary")
        return made

    # -- one paper (runs in a worker thread) ------------------------------------

    def _summarize_one(self, paper: Paper) -> Summary:
        gate = self.chat.gate
        if gate.exhausted:  # do not download a PDF we cannot summarize
            raise BudgetReached("budget reached")
        ann = paper.announcement
        source, text = self._paper_text(paper)
        header = USER_MESSAGE.format(
            title=ann.title, authors=", ".join(ann.authors), arxiv_id=ann.arxiv_id, version=ann.version, source=source, text=""
        )
        room = self.settings.max_input_tokens - estimate_tokens(self.prompt.text) - estimate_tokens(header)
        user = USER_MESSAGE.format(
            title=ann.title,
            authors=", ".join(ann.authors),
            arxiv_id=ann.arxiv_id,
            version=ann.version,
            source=source,
            text=trim_to_tokens(text, max(room, 200)),
        )
        completion = self.chat.complete(self.prompt.text, user, label=ann.arxiv_id)
        if completion.finish_reason == "length":
            log.info("%s: the answer hit max_output_tokens (%d) and may end abruptly", ann.arxiv_id, self.settings.max_output_tokens)
        answer = cap_answer(completion.text, self.settings.max_output_tokens)
        if answer != completion.text:
            self.warn(
                f"{ann.arxiv_id}: the LLM answer ({len(completion.text):,} characters) was far longer than "
                f"ai_summary.max_output_tokens ({self.settings.max_output_tokens}) allows; cut, with a note on the page"
            )
        markdown = clean_summary_markdown(redact(answer))
        if not render_summary_html(markdown):
            raise LLMError("the answer was empty once sanitized")
        kind = "fulltext" if source == FULLTEXT_SOURCE else "abstract"
        self.stats.add(**{kind: 1})
        return Summary(
            model=self.settings.model,
            input=kind,
            prompt_sha256=self.prompt.sha256,
            created=self.clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            version=ann.version,
            markdown=markdown,
        )

    def _paper_text(self, paper: Paper) -> tuple[str, str]:
        """(source label, text): the PDF's text when it can be had, else the abstract."""
        ann = paper.announcement
        url = self.pdf_url.replace("{id}", f"{ann.arxiv_id}v{ann.version}")
        max_chars = self.settings.max_input_tokens * ASCII_CHARS_PER_TOKEN
        limits = self.limits
        try:
            # Waits its turn: one arXiv request at a time.
            response = self.session.get(url, max_bytes=(limits.pdf_bytes, "limits.pdf_bytes") if limits else None)
            if response.status_code != 200:
                raise PdfTextError(f"HTTP {response.status_code}")
            read = read_pdf(response.content, max_chars, limits.pdf_pages if limits else None)
            if read.page_limit_hit:
                self.warn(
                    f"{ann.arxiv_id}: limits.pdf_pages ({read.pages_read}) reached: "
                    f"the summary was made from the PDF's first {read.pages_read} pages"
                )
            return FULLTEXT_SOURCE, read.text
        except ResponseTooLarge as err:
            self.warn(f"{ann.arxiv_id}: {err.message}: summarized from the abstract; fix: {err.fix}")
            return ABSTRACT_SOURCE, ann.abstract
        except (FetchError, PdfTextError) as err:
            log.info("%s: summarizing the abstract: PDF %s unusable (%s)", ann.arxiv_id, url, err)
            return ABSTRACT_SOURCE, ann.abstract


ANSWER_SLACK = 2
"""An answer may run to this many times max_output_tokens (by our conservative estimate) before it is cut."""
CUT_NOTE = "\n\n*[… the rest of the answer is cut: it was far longer than asked …]*"


def cap_answer(text: str, max_output_tokens: int) -> str:
    """The answer, cut at a paragraph or word boundary when it is far longer than asked.

    Endpoints do not always honour max_tokens (local servers, proxies, a hostile
    endpoint): a 1 MB answer must not become a 1 MB page, kept forever.
    """
    limit = ANSWER_SLACK * max_output_tokens
    if estimate_tokens(text) <= limit:
        return text
    head = trim_to_tokens(text, limit)
    head = head[: len(head) - len(TRUNCATION_NOTE)] if head.endswith(TRUNCATION_NOTE) else head
    paragraph = head.rfind("\n\n")
    if paragraph > len(head) // 2:
        head = head[:paragraph]
    return head.rstrip() + CUT_NOTE


def create_summarizer(
    config: Config,
    session: PoliteSession,
    warn: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
    *,
    model: str | None = None,
    required: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Summarizer | None:
    """The run's summarizer, or None when summaries are off or no API key is set (warned once).

    `model` overrides the configured model (resummarize --model). With `required`,
    a missing key is an error instead of a warning. `sleep` is how the LLM client waits
    before a retry (tests pass a fake clock).
    """
    settings = config.ai_summary
    if model:
        settings = replace(settings, model=model)
    if not settings.enabled:
        if required:
            raise ConfigError(config.path, "ai_summary.enabled", "summaries are disabled", fix="set ai_summary.enabled: true")
        return None
    environ = os.environ if environ is None else environ
    api_key = environ.get(settings.api_key_env, "").strip()
    if not api_key:
        problem = f"no API key: the environment variable {settings.api_key_env} (ai_summary.api_key_env) is not set"
        fix = f"export {settings.api_key_env}=<your key>; any value for a local server without keys"
        if required:
            raise ConfigError(config.path, None, problem, fix=fix)
        warn(f"{problem}, so this run makes no AI summaries and does everything else; fix: {fix}")
        return None
    register(api_key)
    install_log_filter()
    prompt = load_prompt(settings, config.path)
    gate = RequestGate(settings.token_budget)
    chat = ChatClient(
        base_url=settings.base_url,
        api_key=api_key,
        model=settings.model,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        retry_backoff=settings.retry_backoff,
        temperature=settings.temperature,
        max_output_tokens=settings.max_output_tokens,
        gate=gate,
        sleep=sleep,
    )
    return Summarizer(settings, prompt, chat, session, config.arxiv.pdf_url, warn, limits=config.limits)
