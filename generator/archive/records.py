"""The archive format: typed records to and from pages. The one owner of front matter.

A page of the archive is a record, not a layout (ARCHITECTURE.md, "The archive format"):

- a paper page, `docs/papers/<YYMM>/<id>.md`, is YAML front matter holding the paper's
  record (`format: 2`, what arXiv said, why it was kept, the summary's provenance)
  and a Markdown body holding only the AI summary, as the model wrote it (cleaned of
  raw HTML on the way in), or nothing (a summary `migrate` kept from v1 may be its
  sanitized v1 HTML: generator.text.markdown renders both);
- a day page, `docs/days/<YYYY>/<YYYY-MM-DD>.md`, is front matter (the date, the ranked
  ids, the counts) and at most a free-text note a person wrote.

What a page looks like is decided by the site's templates at build time, so a template
change reaches every page. This module writes records (`paper_page`, `day_page`), reads
and validates them (`read_paper`, `read_day`: an `ArchiveError` names the file, the key
and the fix), and reads the previous format, v1, for `migrate` (`read_paper_v1`,
`read_day_v1`). The generator, the migration, `doctor` and the site all go through it;
nothing else parses front matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import yaml

from generator.archive.models import ANNOUNCE_TYPES, DAY_SOURCES, Announcement, Day, DayCounts, DayRecord, Interest, Paper, Score, Summary
from generator.arxiv.ids import abs_url, html_url, is_arxiv_id, pdf_url
from generator.errors import ArchiveError
from generator.text.cut import shorten

FORMAT = 2
"""The archive format these functions write; pages of older formats need `migrate`."""
SUMMARY_INPUTS = ("fulltext", "abstract")
V1_SUMMARY_BEGIN = "<!-- ai-summary:begin -->"
V1_SUMMARY_END = "<!-- ai-summary:end -->"
"""Format v1 stored the summary as HTML between these markers in the page body."""

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (the site reads every page of the archive per build)."""
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _restore_fix(source: str) -> str:
    return f"restore the page with `git checkout -- {source}`"


# -- pages: front matter + body ----------------------------------------------------


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a Markdown page with YAML front matter."""
    if not text.startswith("---\n"):
        raise ArchiveError(f"{source}: no front matter", fix=_restore_fix(source))
    end = text.find("\n---\n", 3)
    if end < 0:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise ArchiveError(f"{source}: front matter is not closed by '---'", fix=_restore_fix(source))
    try:
        meta = yaml.load(text[4:end], Loader=_SAFE_LOADER) or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2026-13-45, from YAML's timestamp type
        raise ArchiveError(f"{source}: front matter is not valid YAML ({str(exc).splitlines()[0]})", fix=_restore_fix(source)) from None
    if not isinstance(meta, dict):
        raise ArchiveError(f"{source}: front matter is not a mapping", fix=_restore_fix(source))
    return meta, text[end + 5 :]


def front_matter(data: Mapping[str, Any]) -> str:
    """YAML front matter block; safe_dump quotes whatever needs quoting (`---`, `: `, `#`)."""
    body = yaml.dump(dict(data), Dumper=_SAFE_DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)
    return f"---\n{body}---\n"


def page_format(meta: Mapping[str, Any], source: str) -> int:
    """The format version a page was written in (v1 pages carry no `format` key)."""
    value = meta.get("format", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ArchiveError(f"{source}: front matter key `format` is {value!r}, not a format version", fix=_restore_fix(source))
    return value


def _require_current(meta: Mapping[str, Any], source: str) -> None:
    version = page_format(meta, source)
    if version < FORMAT:
        raise ArchiveError(
            f"{source}: the archive is in format v{version}, this code reads v{FORMAT}",
            fix="run `python -m generator migrate` once (it upgrades every page in place; `--dry-run` shows what it would do)",
        )
    if version > FORMAT:
        raise ArchiveError(
            f"{source}: written in archive format v{version}, newer than this code (v{FORMAT})",
            fix="update this repository's code (git pull)",
        )


# -- paper pages ---------------------------------------------------------------


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;._-")


def paper_links(paper: Paper) -> dict[str, str]:
    """The paper's addresses: abstract page, PDF and HTML of this version, DOI when known."""
    ann = paper.announcement
    links = {"abs": abs_url(ann.arxiv_id), "pdf": pdf_url(ann.arxiv_id, ann.version), "html": html_url(ann.arxiv_id, ann.version)}
    if ann.doi:
        links["doi"] = doi_url(ann.doi)
    return links


def paper_metadata(paper: Paper) -> dict[str, Any]:
    """The front matter of a paper page, keys in their documented order."""
    ann = paper.announcement
    data: dict[str, Any] = {
        "format": FORMAT,
        "arxiv_id": ann.arxiv_id,
        "version": ann.version,
        "title": ann.title,
        "authors": list(ann.authors),
        "categories": list(ann.categories),
        "primary_category": ann.primary_category,
        "announced": paper.announced,
        "announce_type": paper.announce_type,
        "score": paper.score.value,
        "matched_keywords": list(paper.score.matched_keywords),
        "tags": list(paper.tags),
        "links": paper_links(paper),
        "abstract": ann.abstract,
    }
    if paper.score.matched_authors:
        data["matched_authors"] = list(paper.score.matched_authors)
    if paper.updated:
        data["updated"] = paper.updated
    for key in ("comment", "journal_ref", "doi", "license"):
        value = getattr(ann, key)
        if value:
            data[key] = value
    if ann.affiliations:
        data["affiliations"] = {name: list(affs) for name, affs in ann.affiliations}
    if paper.interest is not None:
        data["interest"] = {
            "similarity": round(paper.interest.similarity, 3),
            "nearest": paper.interest.nearest,
            "nearest_title": paper.interest.nearest_title,
        }
    if paper.summary is not None:
        data["summary"] = {
            "model": paper.summary.model,
            "input": paper.summary.input,
            "prompt_sha256": paper.summary.prompt_sha256,
            "created": paper.summary.created,
            "version": paper.summary.version,
        }
    return data


def paper_page(paper: Paper) -> str:
    """The whole paper page: the record, then the summary's Markdown (if any)."""
    page = front_matter(paper_metadata(paper))
    if paper.summary is not None and paper.summary.markdown.strip():
        page += "\n" + paper.summary.markdown.strip("\n") + "\n"
    return page


class _Fields:
    """Typed access to one page's front matter; every problem names the file and the key."""

    def __init__(self, meta: Mapping[str, Any], source: str):
        self.meta = meta
        self.source = source

    def fail(self, key: str, problem: str) -> ArchiveError:
        return ArchiveError(f"{self.source}: front matter key `{key}` {problem}", fix=_restore_fix(self.source))

    def get(self, key: str, kind: type | tuple[type, ...], *, required: bool = True, mapping: Mapping[str, Any] | None = None) -> Any:
        meta = self.meta if mapping is None else mapping
        if key not in meta or meta[key] is None:
            if required:
                raise self.fail(key, "is missing")
            return None
        value = meta[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(key, f"is {value!r}, not {_kind_name(kind)}")
        if not isinstance(value, kind):
            raise self.fail(key, f"is {type(value).__name__} {shorten(repr(value), 40)}, not {_kind_name(kind)}")
        return value

    def text(self, key: str, *, required: bool = True, mapping: Mapping[str, Any] | None = None) -> str | None:
        value = self.get(key, (str, int, float), required=required, mapping=mapping)
        return None if value is None else str(value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, required=False) or []
        if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            raise self.fail(key, "holds an entry that is not text")
        return tuple(str(v) for v in value)

    def integer(self, key: str, *, mapping: Mapping[str, Any] | None = None, minimum: int = 0) -> int:
        value = self.get(key, int, mapping=mapping)
        if value < minimum:
            raise self.fail(key, f"is {value}, below {minimum}")
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self.get(key, (dt.date, str), required=required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"is {value!r}, not a date (YYYY-MM-DD)") from None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "an integer", float: "a number", list: "a list", dict: "a mapping", dt.date: "a date"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _paper_from_meta(meta: Mapping[str, Any], source: str, summary_markdown: str | None) -> Paper:
    f = _Fields(meta, source)
    arxiv_id = f.text("arxiv_id")
    if not is_arxiv_id(arxiv_id):
        raise f.fail("arxiv_id", f"is {arxiv_id!r}, not an arXiv id without version")
    version = f.integer("version", minimum=1)
    announce_type = f.text("announce_type")
    if announce_type not in ANNOUNCE_TYPES:
        raise f.fail("announce_type", f"is {announce_type!r}, not one of {', '.join(ANNOUNCE_TYPES)}")
    announced = f.date("announced")
    updated = f.date("updated", required=False)
    affiliations = f.get("affiliations", dict, required=False) or {}
    try:
        affiliation_pairs = tuple((str(name), tuple(str(a) for a in affs)) for name, affs in affiliations.items())
    except TypeError:
        raise f.fail("affiliations", "is not a mapping of author to a list of affiliations") from None
    links = f.get("links", dict, required=False)
    if links is not None and not all(isinstance(v, str) for v in links.values()):
        raise f.fail("links", "holds an address that is not text")
    announcement = Announcement(
        arxiv_id=arxiv_id,
        version=version,
        title=f.text("title"),
        abstract=f.text("abstract", required=False) or "",
        authors=f.texts("authors"),
        categories=f.texts("categories"),
        primary_category=f.text("primary_category", required=False) or "",
        announce_type=announce_type,
        announced=updated or announced,
        doi=f.text("doi", required=False),
        journal_ref=f.text("journal_ref", required=False),
        comment=f.text("comment", required=False),
        affiliations=affiliation_pairs,
        license=f.text("license", required=False),
    )
    score = f.get("score", (int, float), required=False) or 0
    interest = None
    interest_meta = f.get("interest", dict, required=False)
    if interest_meta is not None:
        similarity = f.get("similarity", (int, float), mapping=interest_meta)
        interest = Interest(
            float(similarity),
            f.text("nearest", mapping=interest_meta),
            f.text("nearest_title", mapping=interest_meta, required=False) or "",
        )
    summary = None
    summary_meta = f.get("summary", dict, required=False)
    if summary_meta is not None:
        summary_input = f.text("input", mapping=summary_meta)
        if summary_input not in SUMMARY_INPUTS:
            raise f.fail("summary", f"has input {summary_input!r}, not one of {', '.join(SUMMARY_INPUTS)}")
        summary = Summary(
            model=f.text("model", mapping=summary_meta),
            input=summary_input,
            prompt_sha256=f.text("prompt_sha256", mapping=summary_meta),
            created=f.text("created", mapping=summary_meta),
            version=f.integer("version", mapping=summary_meta, minimum=1) if "version" in summary_meta else version,
            markdown=summary_markdown or "",
        )
    return Paper(
        announcement=announcement,
        score=Score(float(score), f.texts("matched_keywords"), f.texts("matched_authors")),
        announced=announced,
        announce_type=announce_type,
        updated=updated,
        summary=summary,
        interest=interest,
    )


def read_paper(text: str, source: str) -> Paper:
    """The Paper a page holds (format v2); ArchiveError names the file, the key and the fix."""
    meta, body = split_front_matter(text, source)
    _require_current(meta, source)
    return _paper_from_meta(meta, source, body.strip("\n"))


def read_paper_v1(text: str, source: str, summary_markdown: Callable[[str], str]) -> Paper:
    """A format v1 page as a Paper; `summary_markdown` turns v1's stored summary HTML into Markdown."""
    meta, body = split_front_matter(text, source)
    if page_format(meta, source) != 1:
        raise ArchiveError(f"{source}: not a format v1 page", fix="nothing to migrate")
    html = v1_summary_html(body)
    return _paper_from_meta(meta, source, summary_markdown(html) if html else "")


def v1_summary_html(body: str) -> str | None:
    """The summary HTML a format v1 page body holds between its markers, or None."""
    start = body.find(V1_SUMMARY_BEGIN)
    end = body.find(V1_SUMMARY_END, start + 1)
    if start < 0 or end < 0:
        return None
    return body[start + len(V1_SUMMARY_BEGIN) : end].strip("\n")


# -- day pages -------------------------------------------------------------------


def day_title(day: dt.date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def day_record(day: Day, *, note: str = "") -> DayRecord:
    """The stored form of a day the pipeline computed (a note a person wrote is kept)."""
    return DayRecord(
        date=day.date,
        title=day_title(day.date),
        papers=tuple(p.arxiv_id for p in day.papers),
        counts=day.counts,
        updated=tuple(p.arxiv_id for p in day.updated),
        source=day.source,
        note=note,
    )


def day_metadata(record: DayRecord) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT,
        "title": record.title,
        "date": record.date,
        "papers": list(record.papers),
        "counts": {
            "fetched": record.counts.fetched,
            "matched": record.counts.matched,
            "listed": record.counts.listed,
            "summarized": record.counts.summarized,
        },
    }
    if record.updated:
        data["updated"] = list(record.updated)
    if record.source:
        data["source"] = record.source
    return data


def day_page(record: DayRecord) -> str:
    """The whole day page: the record, then the note (if any)."""
    page = front_matter(day_metadata(record))
    if record.note.strip():
        page += "\n" + record.note.strip("\n") + "\n"
    return page


def _day_from_meta(meta: Mapping[str, Any], source: str, note: str) -> DayRecord:
    f = _Fields(meta, source)
    date = f.date("date")
    papers = f.texts("papers")
    counts_meta = f.get("counts", dict, required=False) or {}
    counts = DayCounts(
        **{
            name: f.integer(name, mapping=counts_meta) if name in counts_meta else 0
            for name in ("fetched", "matched", "listed", "summarized")
        }
    )
    day_source = f.text("source", required=False)
    if day_source is not None and day_source not in DAY_SOURCES:
        raise f.fail("source", f"is {day_source!r}, not one of {', '.join(DAY_SOURCES)}")
    return DayRecord(
        date=date,
        title=f.text("title", required=False) or day_title(date),
        papers=papers,
        counts=counts,
        updated=f.texts("updated"),
        source=day_source,
        note=note,
    )


def read_day(text: str, source: str) -> DayRecord:
    """The DayRecord a day page holds (format v2)."""
    meta, body = split_front_matter(text, source)
    _require_current(meta, source)
    return _day_from_meta(meta, source, body.strip("\n"))


def read_day_v1(text: str, source: str) -> DayRecord:
    """A format v1 day page as a DayRecord: its body was layout, derived from the record, so no note."""
    meta, _ = split_front_matter(text, source)
    if page_format(meta, source) != 1:
        raise ArchiveError(f"{source}: not a format v1 page", fix="nothing to migrate")
    return _day_from_meta(meta, source, "")
