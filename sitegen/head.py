"""What the site adds to a page's <head>: citation meta tags, feed links, search metadata.

Pure: each function takes records and returns escaped HTML. The MkDocs hook puts
the result into the `extrahead` block of overrides/main.html.

- `citation_*` tags (Highwire Press, read by Google Scholar and Zotero) let a
  reference manager save a paper straight from its page.
- `<link rel="alternate">` advertises the RSS and Atom feeds to browsers and readers.
- `data-pagefind-*` meta tags give Pagefind the filters (category, tag, year), the
  date to sort by and the metadata a result shows, without putting words into the
  indexed text. They go only into the document Pagefind indexes (sitegen.hooks).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from generator import paths

from .catalog import PaperEntry
from .pages import esc


def _meta(name: str, content: str) -> str:
    return f'<meta name="{esc(name)}" content="{esc(content)}">'


def citation_tags(paper: PaperEntry) -> str:
    """Highwire Press tags for one paper (what Zotero's and Scholar's translators read)."""
    tags = [_meta("citation_title", paper.title)]
    tags += [_meta("citation_author", name) for name in paper.authors]
    tags.append(_meta("citation_publication_date", paper.announced.strftime("%Y/%m/%d")))
    tags.append(_meta("citation_arxiv_id", paper.arxiv_id))
    pdf = paper.link("pdf")
    if pdf:
        tags.append(_meta("citation_pdf_url", pdf))
    if paper.doi:
        tags.append(_meta("citation_doi", paper.doi))
    return "\n".join(tags)


def search_tags(paper: PaperEntry) -> str:
    """Pagefind filters, sort key and result metadata for one paper."""
    day = paper.announced.isoformat()
    tags = [
        f'<meta data-pagefind-meta="date[content]" content="{day}">',
        f'<meta data-pagefind-sort="date[content]" content="{day}">',
        f'<meta data-pagefind-meta="id[content]" content="{esc(paper.arxiv_id)}">',
        f'<meta data-pagefind-filter="year[content]" content="{paper.announced.year}">',
    ]
    if paper.primary_category:
        tags.append(f'<meta data-pagefind-meta="category[content]" content="{esc(paper.primary_category)}">')
    if paper.authors:
        shown = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        tags.append(f'<meta data-pagefind-meta="authors[content]" content="{esc(shown)}">')
    tags += [f'<meta data-pagefind-filter="category[content]" content="{esc(code)}">' for code in dict.fromkeys(paper.categories)]
    tags += [f'<meta data-pagefind-filter="tag[content]" content="{esc(tag)}">' for tag in dict.fromkeys(paper.tags)]
    return "\n".join(tags)


def search_text(paper: PaperEntry) -> str:
    """Words to find a paper by that its page shows only in the metadata list Pagefind skips: its arXiv id."""
    return f'<p data-pagefind-weight="5">arXiv:{esc(paper.arxiv_id)} {esc(paper.arxiv_id)}v{paper.version}</p>'


def feed_links(here: PurePosixPath, site_title: str, topic: tuple[str, str, str] | None, directory_urls: bool = True) -> str:
    """`<link rel="alternate">` to the all-papers feeds and, on a category or tag page, to its own."""
    feeds = [("all", "", site_title)]
    if topic is not None:
        kind, key, title = topic
        feeds.insert(0, (kind, key, f"{site_title}: {title}"))
    links = []
    for kind, key, title in feeds:
        for fmt, mime, label in (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom")):
            href = paths.relative_url(here, paths.feed_path(kind, key, fmt), directory_urls)
            links.append(f'<link rel="alternate" type="{mime}" title="{esc(title)} ({label})" href="{esc(href)}">')
    return "\n".join(links)
