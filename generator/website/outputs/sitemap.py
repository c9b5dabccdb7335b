"""sitemap.xml for every page (MkDocs' own lists only the nav, which leaves out every paper).

Pure: `sitemap_documents(base_url, entries)` returns the files to write. Up to
MAX_URLS URLs it is one `sitemap.xml`; beyond, `sitemap.xml` becomes a sitemap
index naming `sitemap-1.xml`, `sitemap-2.xml`, ... (the protocol's way to list more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.sax.saxutils import escape

MAX_URLS = 10_000
"""URLs per sitemap file: the protocol allows 50,000; 10,000 keeps each file under 1 MB."""
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _urlset(base_url: str, entries: Sequence[tuple[str, dt.date | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    for url, lastmod in entries:
        stamp = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(base_url + url)}</loc>{stamp}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap_documents(base_url: str, entries: Sequence[tuple[str, dt.date | None]], limit: int = MAX_URLS) -> dict[str, bytes]:
    """{file name: content} for these (site-relative URL, last change) pairs."""
    entries = sorted(entries, key=lambda e: e[0])
    if len(entries) <= limit:
        return {"sitemap.xml": _urlset(base_url, entries)}
    documents: dict[str, bytes] = {}
    index = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    for number, start in enumerate(range(0, len(entries), limit), 1):
        chunk = entries[start : start + limit]
        name = f"sitemap-{number}.xml"
        documents[name] = _urlset(base_url, chunk)
        newest = max((d for _, d in chunk if d), default=None)
        stamp = f"<lastmod>{newest.isoformat()}</lastmod>" if newest else ""
        index.append(f"<sitemap><loc>{escape(base_url + name)}</loc>{stamp}</sitemap>")
    index.append("</sitemapindex>\n")
    documents["sitemap.xml"] = "\n".join(index).encode("utf-8")
    return documents
