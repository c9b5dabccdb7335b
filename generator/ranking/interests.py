"""The reader's own papers (config `interests`): which they are, and their titles and abstracts.

The ids come from `interests.papers` and from the arXiv entries of `interests.bibtex`, a
BibTeX export such as Zotero's "Export Library…" (an entry counts when its `eprint`,
`url`, `doi`, `journal` or `note` names an arXiv id; the others are reported once, when
the list changes, as skipped). Their titles and abstracts are fetched from the arXiv
API (one `id_list` query per 100 ids, through the polite session) only when the list
changes, and cached in the repository in `docs/data/interests.yml` (written at the end
of a successful run), so a night whose list is unchanged sends no request for them. An id arXiv does not know is left out
with a one-line warning; an unreachable API keeps the papers cached earlier. Nothing
here stops the night.

The cache file (YAML, written atomically, read by the site's About page):

    requested: [ids, in config order: papers first, then the BibTeX file's]
    fetched: 2026-11-27T06:00:00Z        # when arXiv was asked
    papers:                              # what arXiv answered, in requested order
      - {arxiv_id: '1707.08567', version: 1, title: ..., authors: [...], abstract: ...}
    unknown: [ids arXiv did not return]

How the day's papers are compared with these is in select.py (`interest_similarities`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import arxiv
import bibtexparser
import yaml
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock

from generator.archive.models import InterestPaper
from generator.archive.store import atomic_write
from generator.arxiv.api import fetch_by_ids
from generator.arxiv.ids import parse_versioned_id
from generator.config import Config
from generator.errors import ArchiveError, ConfigError, FetchError

log = logging.getLogger(__name__)

CACHE_PATH = PurePosixPath("data/interests.yml")
"""The interest-paper cache, relative to the archive folder (docs/)."""
FORMAT_NOTE = (
    '# Interest papers of config.yml (`interests`), as the arXiv API gave them. Written by the generator; format: README.md, "Interests".\n'
)

_ID_TEXT = r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)"
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/" + _ID_TEXT, re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\." + _ID_TEXT, re.IGNORECASE)
_ARXIV_MENTION = re.compile(r"arxiv\s*:?\s*" + _ID_TEXT, re.IGNORECASE)


@dataclass(frozen=True)
class BibtexIds:
    """What a BibTeX file contributes to the interests."""

    ids: tuple[str, ...]
    """arXiv ids of the entries that name one, in file order, without duplicates."""
    skipped: tuple[str, ...]
    """Citation keys of the entries without an arXiv id."""


@dataclass(frozen=True)
class InterestCache:
    """The stored answer for one list of interest ids."""

    requested: tuple[str, ...]
    papers: tuple[InterestPaper, ...]
    unknown: tuple[str, ...]
    fetched: str


def _clean_id(text: str) -> str | None:
    parsed = parse_versioned_id(text)
    return parsed[0] if parsed else None


def entry_arxiv_id(fields: dict[str, str]) -> str | None:
    """The arXiv id a BibTeX entry names (Zotero, Better BibTeX, arXiv's and Google Scholar's exports), or None."""
    lowered = {k.lower(): str(v) for k, v in fields.items()}
    eprint = lowered.get("eprint", "").strip().strip("{}")
    prefix = lowered.get("archiveprefix", lowered.get("eprinttype", "arxiv")).strip().strip("{}").lower()
    if eprint and prefix == "arxiv" and (found := _clean_id(eprint)):
        return found
    for pattern, names in (
        (_ARXIV_URL, ("url", "pdf", "link")),
        (_ARXIV_DOI, ("doi",)),
        (_ARXIV_MENTION, ("journal", "note", "howpublished", "eprint")),
    ):
        for name in names:
            match = pattern.search(lowered.get(name, ""))
            if match and (found := _clean_id(match.group(1))):
                return found
    return None


def read_bibtex(path: str | Path) -> BibtexIds:
    """The arXiv ids of a BibTeX file; a syntax error raises ConfigError naming the file and line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            source,
            None,
            f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
            fix="export it again as UTF-8 (Zotero: Export Library… > BibTeX, Character Encoding UTF-8)",
        ) from None
    except OSError as exc:
        raise ConfigError(source, None, f"cannot be read ({exc.strerror})", fix="check the path given in interests.bibtex") from None
    # bibtexparser logs each broken block as a warning of its own; the one-line error below says it.
    splitter_log = logging.getLogger("bibtexparser.splitter")
    level = splitter_log.level
    splitter_log.setLevel(logging.ERROR)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        splitter_log.setLevel(level)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            continue  # the same key twice: the first entry is used
        assert isinstance(block, ParsingFailedBlock)
        first_line = (block.raw or "").strip().splitlines()[0][:60] if (block.raw or "").strip() else ""
        raise ConfigError(
            source,
            None,
            f"BibTeX syntax error in the entry starting {first_line!r} (an unclosed brace or quote, or a missing comma)",
            fix="correct that entry or export the library again; interests.bibtex must be a BibTeX file",
            line=block.start_line + 1,
        )
    ids: dict[str, None] = {}
    skipped = []
    for entry in library.entries:
        found = entry_arxiv_id({f.key: f.value for f in entry.fields})
        if found:
            ids.setdefault(found)
        else:
            skipped.append(entry.key)
    return BibtexIds(tuple(ids), tuple(skipped))


def interest_ids(config: Config) -> tuple[tuple[str, ...], BibtexIds | None]:
    """Every configured interest id (papers first, then the BibTeX file's), and the BibTeX reading."""
    bib = read_bibtex(config.interests.bibtex) if config.interests.bibtex else None
    ids = list(config.interests.papers) + (list(bib.ids) if bib else [])
    return tuple(dict.fromkeys(ids)), bib


# -- the cache --------------------------------------------------------------------


def cache_file(docs: Path) -> Path:
    return Path(docs).joinpath(*CACHE_PATH.parts)


def read_cache(docs: Path) -> InterestCache | None:
    """The cached interest papers, or None when there is no cache (the site's About page reads this)."""
    path = cache_file(docs)
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        papers = tuple(
            InterestPaper(
                arxiv_id=str(p["arxiv_id"]),
                version=int(p["version"]),
                title=str(p["title"]),
                authors=tuple(str(a) for a in p.get("authors") or ()),
                abstract=str(p.get("abstract") or ""),
            )
            for p in data.get("papers") or ()
        )
        return InterestCache(
            requested=tuple(str(i) for i in data.get("requested") or ()),
            papers=papers,
            unknown=tuple(str(i) for i in data.get("unknown") or ()),
            fetched=str(data.get("fetched") or ""),
        )
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(
            f"{path}: not an interest-paper cache ({type(exc).__name__})",
            fix=f"delete {path}; the next run fetches the interest papers again",
        ) from None


def dump_cache(cache: InterestCache) -> str:
    data = {
        "requested": list(cache.requested),
        "fetched": cache.fetched,
        "papers": [
            {"arxiv_id": p.arxiv_id, "version": p.version, "title": p.title, "authors": list(p.authors), "abstract": p.abstract}
            for p in cache.papers
        ],
        "unknown": list(cache.unknown),
    }
    return FORMAT_NOTE + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)


def fetch_interest_papers(client: arxiv.Client, ids: Sequence[str]) -> list[InterestPaper]:
    """Title, authors and abstract of each id arXiv knows (one id_list query per 100 ids)."""
    found = fetch_by_ids(client, sorted(set(ids)))  # a stable query, whatever the order of config.yml
    return [InterestPaper(a.arxiv_id, a.version, a.title, a.authors, a.abstract) for a in (found[i] for i in ids if i in found)]


def load_interests(
    config: Config,
    docs: Path,
    client: arxiv.Client,
    warn: Callable[[str], None],
    *,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> tuple[tuple[InterestPaper, ...], InterestCache | None]:
    """The interest papers for tonight, and the new cache to store when the list changed (else None).

    The nightly pipeline stages the new cache (`dump_cache` at `cache_file`) in the night's
    transaction, so it is committed with the night's pages and a failed night leaves docs/
    as it was. Raises ConfigError for a malformed BibTeX file
    (before anything is fetched), and FetchError when the API fails while no interest paper
    is cached yet (the night is then retried rather than written without its interests);
    every other problem is a warning and the night goes on with what is known.
    """
    if not config.interests.configured:
        return (), None
    ids, bib = interest_ids(config)
    cached = read_cache(docs)
    if cached is not None and set(cached.requested) == set(ids):
        _warn_unknown(cached.unknown, warn)
        return cached.papers, None
    if bib is not None and bib.skipped:
        keys = ", ".join(bib.skipped[:5]) + (", …" if len(bib.skipped) > 5 else "")
        warn(f"interests.bibtex: {len(bib.skipped)} entries name no arXiv id and are skipped ({keys})")
    if not ids:
        papers: list[InterestPaper] = []
        unknown: list[str] = []
    else:
        try:
            papers = fetch_interest_papers(client, ids)
        except (FetchError, arxiv.ArxivError) as exc:
            kept = [p for p in (cached.papers if cached else ()) if p.arxiv_id in set(ids)]
            if not kept:
                # Without a single interest paper the night would list too little, for good (an
                # archived day is never redone): fail it, so the next night catches the day up.
                raise FetchError(
                    f"interests: the arXiv API failed ({exc}) and none of the interest papers is cached yet",
                    fix="rerun later; the archive is unchanged and the next run fetches them (and catches this day up)",
                ) from None
            warn(
                f"interests: the arXiv API failed ({exc}); {len(kept)} interest papers cached earlier are used tonight, "
                "the list is fetched again next run"
            )
            return tuple(kept), None
        known = {p.arxiv_id for p in papers}
        unknown = [i for i in ids if i not in known]
    _warn_unknown(unknown, warn)
    cache = InterestCache(tuple(ids), tuple(papers), tuple(unknown), now().strftime("%Y-%m-%dT%H:%M:%SZ"))
    return tuple(papers), cache


def write_cache(docs: Path, cache: InterestCache) -> None:
    """Store the interest papers in docs/data/interests.yml (atomically)."""
    try:
        atomic_write(cache_file(docs), dump_cache(cache).encode("utf-8"))
    except OSError as exc:
        raise ArchiveError(f"{cache_file(docs)}: cannot be written ({exc})", fix="check free disk space and permissions of docs/") from None


def _warn_unknown(unknown: Iterable[str], warn: Callable[[str], None]) -> None:
    unknown = list(unknown)
    if unknown:
        warn(
            f"interests: arXiv does not know {', '.join(unknown)}; left out of the interests "
            "(check the id in config.yml interests.papers or in the BibTeX file)"
        )
