"""Embeddings of archived papers from an OpenAI-compatible endpoint, cached in the repository.

Optional (config `related.embeddings`); without it related papers use TF-IDF and
nothing here runs. Each paper VERSION is embedded once, by the generator: a night
embeds the papers it wrote (those not cached yet), `python -m generator embed`
fills the cache for the whole archive. The site build never calls the endpoint: it
uses the cache when every paper has a vector for the configured model, else TF-IDF.

What is embedded: the title (twice) and the abstract, as similarity.paper_text makes
them. Not the AI summary: it is made later and can be redone, and a vector belongs to
one paper version for good.

The cache: `docs/data/embeddings/<model>/` (the model name with characters other than
letters, digits, `.`, `_` and `-` turned into `-`), holding immutable shards. A
shard is written once, by one run, and never rewritten, so a nightly commit adds
files and never changes old ones:

- `<stamp>.npy`: the vectors, a NumPy array of float16, one row per paper version
  (`numpy.load` reads it; 1,536 dimensions take 3 KB a paper);
- `<stamp>.tsv`: the index, written after the vectors (a shard without its index is
  ignored): a first line `# model: <name>; dimensions: <d>; rows: <n>; vectors: <stamp>.npy`,
  then one `arxiv_id<TAB>version` line per row, in row order.

`<stamp>` is the UTC time of the run, `YYYYMMDDTHHMMSSZ`, plus `-` and 8 hex digits
of the rows' ids, so two runs in the same second do not collide. When two shards hold
the same paper version, the later stamp wins.

The endpoint goes through the official `openai` client with the configured timeout
and retries (its own retry policy: 408, 409, 429, 5xx, timeouts, connection errors,
honouring Retry-After). The key comes from the variable named by `api_key_env`, is
registered for redaction and never logged; every message leaving here is redacted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from generator.archive.records import read_paper
from generator.archive.store import Archive, atomic_write
from generator.config import Config, EmbeddingsConfig
from generator.errors import ArchiveError, ConfigError
from generator.ranking.similarity import paper_text
from generator.redaction import install_log_filter, redact, register
from generator.text.cut import shorten

log = logging.getLogger(__name__)

CACHE_ROOT = PurePosixPath("data/embeddings")
"""Embedding shards, relative to the archive folder (docs/)."""
MAX_TEXT_CHARS = 8000
"""Longest text sent for one paper (a title and an abstract are far shorter)."""

Key = tuple[str, int]
"""(arXiv id, version)."""


class EmbeddingError(Exception):
    """The endpoint failed for good (after the client's retries); the message is one redacted line."""


def model_folder(model: str) -> str:
    """The cache folder name of a model."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", model).strip(".-") or "model"


@dataclass(frozen=True)
class Shard:
    """One cached shard: its index and where its vectors are."""

    index: Path
    vectors: Path
    keys: tuple[Key, ...]
    dimensions: int


class EmbeddingCache:
    """The shards of one model under docs/data/embeddings/ (reading, and adding a shard)."""

    def __init__(self, docs: Path, model: str):
        self.docs = Path(docs)
        self.model = model
        self.folder = self.docs.joinpath(*CACHE_ROOT.parts, model_folder(model))

    def shards(self) -> list[Shard]:
        """Complete shards of this model, oldest first (the index names the model and the row count)."""
        out = []
        if not self.folder.is_dir():
            return out
        for index in sorted(self.folder.glob("*.tsv")):
            try:
                lines = index.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise ArchiveError(
                    f"{index}: cannot be read ({exc})",
                    fix=f"restore it with `git checkout -- {index}` or delete it and run `python -m generator embed`",
                ) from None
            header = _parse_header(lines[0] if lines else "")
            if header is None or header["model"] != self.model:
                log.warning("%s: not an index of model %s; ignored", index, self.model)
                continue
            keys = []
            for line in lines[1:]:
                arxiv_id, _, version = line.partition("\t")
                if arxiv_id and version.isdigit():
                    keys.append((arxiv_id, int(version)))
            vectors = index.with_name(header["vectors"])
            if len(keys) != int(header["rows"]) or not vectors.is_file():
                log.warning("%s: incomplete shard; ignored", index)
                continue
            out.append(Shard(index, vectors, tuple(keys), int(header["dimensions"])))
        return out

    def keys(self) -> set[Key]:
        """Paper versions that have a vector (reads only the indexes)."""
        return {key for shard in self.shards() for key in shard.keys}

    def vectors(self, wanted: Sequence[Key]) -> tuple[np.ndarray | None, int]:
        """(float32 matrix with one row per wanted key, in order; missing count), the matrix None if any is missing."""
        position = {key: row for row, key in enumerate(wanted)}
        shards = self.shards()
        dimensions = {s.dimensions for s in shards}
        found = np.zeros(len(wanted), dtype=bool)
        if len(dimensions) > 1:
            log.warning("%s: shards of different dimensions %s; using TF-IDF", self.folder, sorted(dimensions))
            return None, len(wanted)
        matrix = np.zeros((len(wanted), dimensions.pop() if dimensions else 0), dtype=np.float32)
        for shard in shards:  # oldest first: a later shard overwrites an earlier vector of the same version
            rows = [(i, position[key]) for i, key in enumerate(shard.keys) if key in position]
            if not rows:
                continue
            try:
                data = np.load(shard.vectors, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise ArchiveError(
                    f"{shard.vectors}: not a vector file ({exc})",
                    fix=f"delete it and {shard.index.name}, then run `python -m generator embed`",
                ) from None
            if data.ndim != 2 or data.shape != (len(shard.keys), shard.dimensions):
                raise ArchiveError(
                    f"{shard.vectors}: holds {data.shape}, its index says {(len(shard.keys), shard.dimensions)}",
                    fix=f"delete it and {shard.index.name}, then run `python -m generator embed`",
                )
            source, target = zip(*rows)
            matrix[list(target)] = data[list(source)].astype(np.float32)
            found[list(target)] = True
        missing = int((~found).sum())
        return (matrix if missing == 0 else None), missing

    def add(self, keys: Sequence[Key], vectors: np.ndarray, when: dt.datetime) -> Path:
        """Write a new shard (vectors first, index last); return the index path."""
        if len(keys) != len(vectors):
            raise ValueError("one vector per key")
        digest = hashlib.sha256("\n".join(f"{i}v{v}" for i, v in keys).encode()).hexdigest()[:8]
        stamp = f"{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{digest}"
        data = np.asarray(vectors, dtype=np.float16)
        buffer = io.BytesIO()
        np.save(buffer, data, allow_pickle=False)
        vector_path = self.folder / f"{stamp}.npy"
        index_path = self.folder / f"{stamp}.tsv"
        header = f"# model: {self.model}; dimensions: {data.shape[1]}; rows: {len(keys)}; vectors: {vector_path.name}\n"
        try:
            atomic_write(vector_path, buffer.getvalue())
            atomic_write(index_path, (header + "".join(f"{i}\t{v}\n" for i, v in keys)).encode("utf-8"))
        except OSError as exc:
            raise ArchiveError(
                f"{self.folder}: cannot write an embedding shard ({exc})", fix="check free disk space and permissions of docs/"
            ) from None
        return index_path


def _parse_header(line: str) -> dict[str, str] | None:
    if not line.startswith("# "):
        return None
    fields = dict(part.strip().split(": ", 1) for part in line[2:].split("; ") if ": " in part)
    if {"model", "dimensions", "rows", "vectors"} <= fields.keys() and fields["dimensions"].isdigit() and fields["rows"].isdigit():
        return fields
    return None


class EmbeddingClient:
    """`POST /embeddings` on one OpenAI-compatible endpoint."""

    def __init__(self, settings: EmbeddingsConfig, api_key: str):
        import openai  # here, not at the top: the site build reads the cache and never needs the client

        self._errors = openai
        register(api_key)
        install_log_filter()
        self.settings = settings
        self._client = openai.OpenAI(
            base_url=settings.base_url, api_key=api_key, timeout=settings.timeout, max_retries=settings.max_retries
        )
        self.requests = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One float32 row per text, in order; raises EmbeddingError."""
        self.requests += 1
        openai = self._errors
        try:
            response = self._client.embeddings.create(model=self.settings.model, input=list(texts), encoding_format="float")
        except openai.APIStatusError as exc:
            raise EmbeddingError(f"HTTP {exc.status_code} from {self.settings.base_url}: {shorten(redact(str(exc.message)))}") from None
        except openai.APITimeoutError:
            raise EmbeddingError(f"no answer from {self.settings.base_url} within {self.settings.timeout:g} s") from None
        except openai.APIConnectionError:
            raise EmbeddingError(f"cannot connect to {self.settings.base_url}") from None
        except (openai.OpenAIError, ValueError) as exc:
            raise EmbeddingError(f"bad answer from {self.settings.base_url}: {type(exc).__name__}: {shorten(redact(str(exc)))}") from None
        items = getattr(response, "data", None)
        if not isinstance(items, list) or len(items) != len(texts):
            vectors = len(items) if isinstance(items, list) else "no"
            raise EmbeddingError(f"malformed answer from {self.settings.base_url}: {vectors} vectors for {len(texts)} texts")
        rows: list[list[float] | None] = [None] * len(texts)
        for position, item in enumerate(items):
            index = getattr(item, "index", position)
            vector = getattr(item, "embedding", None)
            if not isinstance(index, int) or not 0 <= index < len(texts) or not isinstance(vector, list) or not vector:
                raise EmbeddingError(f"malformed answer from {self.settings.base_url}: item {position} is not an embedding")
            rows[index] = vector
        if any(r is None for r in rows) or len({len(r) for r in rows if r is not None}) != 1:
            raise EmbeddingError(f"malformed answer from {self.settings.base_url}: vectors missing or of different lengths")
        try:
            matrix = np.asarray(rows, dtype=np.float32)
        except (TypeError, ValueError):
            raise EmbeddingError(
                f"malformed answer from {self.settings.base_url}: an embedding holds something other than numbers"
            ) from None
        if not np.isfinite(matrix).all():
            raise EmbeddingError(f"malformed answer from {self.settings.base_url}: an embedding holds NaN or infinity")
        return matrix


@dataclass(frozen=True)
class EmbedText:
    """A paper version to embed."""

    arxiv_id: str
    version: int
    title: str
    abstract: str

    @property
    def key(self) -> Key:
        return (self.arxiv_id, self.version)

    @property
    def text(self) -> str:
        return paper_text(self.title, self.abstract)[:MAX_TEXT_CHARS]


@dataclass
class EmbedReport:
    """What one embedding pass did."""

    embedded: int = 0
    already_cached: int = 0
    failed: int = 0
    requests: int = 0
    shard: Path | None = None


def embed_missing(
    papers: Iterable[EmbedText],
    settings: EmbeddingsConfig,
    docs: Path,
    *,
    environ: Mapping[str, str] | None = None,
    warn: Callable[[str], None],
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    client: EmbeddingClient | None = None,
) -> EmbedReport:
    """Embed the paper versions the cache lacks and write them as one new shard.

    A missing key or a failing endpoint is one warning: the vectors made before the
    failure are kept, the others wait for the next run (or `generator embed`).
    """
    report = EmbedReport()
    cache = EmbeddingCache(docs, settings.model)
    cached = cache.keys()
    todo: dict[Key, EmbedText] = {}
    for paper in papers:
        if paper.key in cached:
            report.already_cached += 1
        else:
            todo.setdefault(paper.key, paper)
    if not todo:
        return report
    if client is None:
        environ = os.environ if environ is None else environ
        api_key = environ.get(settings.api_key_env, "").strip()
        if not api_key:
            report.failed = len(todo)
            warn(
                f"related.embeddings: {settings.api_key_env} is not set, so {len(todo)} papers were not embedded; "
                "related papers use TF-IDF until `python -m generator embed` fills the cache"
            )
            return report
        client = EmbeddingClient(settings, api_key)
    items = list(todo.values())
    keys: list[Key] = []
    blocks: list[np.ndarray] = []
    try:
        for start in range(0, len(items), settings.batch_size):
            batch = items[start : start + settings.batch_size]
            blocks.append(client.embed([p.text for p in batch]))
            keys.extend(p.key for p in batch)
    except EmbeddingError as exc:
        report.failed = len(items) - len(keys)
        warn(
            f"related.embeddings: {redact(str(exc))}; {report.failed} papers not embedded (the next run or "
            "`python -m generator embed` retries them; related papers use TF-IDF meanwhile)"
        )
    finally:
        report.requests = client.requests
    if keys:
        if len({b.shape[1] for b in blocks}) != 1:
            warn(f"related.embeddings: {settings.model} answered vectors of different lengths; nothing cached")
            return report
        report.shard = cache.add(keys, np.vstack(blocks), now())
        report.embedded = len(keys)
    return report


def archive_texts(docs: Path) -> list[EmbedText]:
    """Every archived paper's current version, title and abstract (read through records.read_paper)."""
    out = []
    for page in Archive(Path(docs)).pages("paper"):
        paper = read_paper(page.read_text(), str(page.path))
        out.append(EmbedText(paper.arxiv_id, paper.announcement.version, paper.announcement.title, paper.announcement.abstract))
    return out


def embed_archive(config: Config, docs: Path, *, environ: Mapping[str, str] | None = None, warn: Callable[[str], None]) -> EmbedReport:
    """`python -m generator embed`: embed every archived paper version the cache lacks."""
    settings = config.related.embeddings
    if settings is None:
        raise ConfigError(
            config.path,
            "related.embeddings",
            "is not set, so `embed` has no endpoint to embed with",
            fix='add related: {embeddings: {model: ..., base_url: ..., api_key_env: ...}} to config.yml (README, "Related papers")',
        )
    environ = os.environ if environ is None else environ
    if not environ.get(settings.api_key_env, "").strip():
        raise ConfigError(
            f"environment variable {settings.api_key_env}",
            None,
            "is not set",
            fix=f"export {settings.api_key_env}=<key of {settings.base_url}> (related.embeddings.api_key_env names it)",
        )
    return embed_missing(archive_texts(docs), settings, docs, environ=environ, warn=warn)
