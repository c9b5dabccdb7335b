"""Ceilings on what arXiv sends: field lengths cut here, hits gathered into one warning per key.

The sizes of responses are bounded where they are read (web.py, for the feed, the
API and PDFs); the fields of each announcement are bounded here, on the way in, so
no stage after fetching sees a title, abstract or author list longer than the
config's `limits` allow. A title or abstract is cut by the one prose cutter
(generator.text.cut.cut_tex: at a space, never inside math, ending in " …"). Pure, except
for the thread-safe tally of hits.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from generator.archive.models import Announcement
from generator.config import Limits
from generator.text.cut import cut_tex


def clip_announcement(ann: Announcement, limits: Limits) -> tuple[Announcement, tuple[str, ...]]:
    """The announcement within the field ceilings, and the keys of the ceilings it hit."""
    hit: list[str] = []
    changes: dict[str, object] = {}
    if len(ann.title) > limits.title_chars:
        changes["title"] = cut_tex(ann.title, limits.title_chars)
        hit.append("title_chars")
    if len(ann.abstract) > limits.abstract_chars:
        changes["abstract"] = cut_tex(ann.abstract, limits.abstract_chars)
        hit.append("abstract_chars")
    if len(ann.authors) > limits.authors:
        kept = ann.authors[: limits.authors]
        changes["authors"] = kept
        changes["affiliations"] = tuple((name, affs) for name, affs in ann.affiliations if name in set(kept))
        hit.append("authors")
    return (replace(ann, **changes) if changes else ann), tuple(hit)


WHAT = {
    "title_chars": "titles cut",
    "abstract_chars": "abstracts cut",
    "authors": "author lists cut to their first names",
    "announcements_per_day": "announcements beyond it left out",
    "pdf_bytes": "summarized from the abstract instead",
    "pdf_pages": "text read from the first pages only",
}


class CeilingHits:
    """Which ceilings a run hit, by key, with the items that hit them (thread-safe)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._hits: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, item: str) -> None:
        with self._lock:
            items = self._hits.setdefault(key, [])
            if item not in items:
                items.append(item)

    def clip(self, ann: Announcement) -> Announcement:
        clipped, hit = clip_announcement(ann, self.limits)
        for key in hit:
            self.add(key, ann.arxiv_id)
        return clipped

    def warnings(self) -> list[str]:
        """One line per ceiling hit: the key, its value, how often, examples, the consequence and the fix."""
        lines = []
        with self._lock:
            hits = {key: list(items) for key, items in self._hits.items()}
        for key, items in hits.items():
            examples = ", ".join(items[:3]) + (", …" if len(items) > 3 else "")
            value = getattr(self.limits, key)
            lines.append(
                f"limits.{key} ({value}) reached by {len(items)} item{'s' if len(items) != 1 else ''} ({examples}): "
                f"{WHAT.get(key, 'cut')}; raise limits.{key} in config.yml to keep more"
            )
        return lines
