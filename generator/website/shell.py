"""Material's page around the pages the plugin writes itself: rendered once, filled many times.

Paper, day, category and tag pages sit outside the nav, so everything Material puts
around their article (head, header with the site name, palette toggle and search box,
drawer, navigation, footer, config, scripts) is the same for every page of one kind at
one folder depth, apart from a few per-page values. `render_shell` renders the theme's
own `main.html` once, through MkDocs' public `get_context`, for a stand-in page whose
title, description, URL, <head> tags, skip link, table of contents and content are
sentinels, and splits the result at them; `Shell.fill` then builds each page from those
pieces and the page's own values. Every page is whole in its HTML: scripts enhance it,
none assembles it. A theme override (overrides/main.html, a partial) reaches these
pages like any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from markupsafe import Markup, escape
from mkdocs.commands.build import get_context
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from generator.errors import GeneratorError

SHELL_FOLDER = "__archive_shell__"
"""Folder name of the stand-in page: no real page links to it, so no relative URL is shortened."""
SLOTS = ("title", "description", "canonical", "head", "skip", "toc", "content")
_SENTINEL = "ARCHIVE{}SHELLSLOT"
_SLOT_RE = re.compile("ARCHIVE(" + "|".join(s.upper() for s in SLOTS) + ")SHELLSLOT")
_INDENT = re.compile(r"\n\s+")
_BETWEEN_TAGS = re.compile(r">\s+<")
_GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')
_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?) autocomplete="off"')
"""Material's drawer and search toggles carry autocomplete="off", which HTML allows on text fields only."""
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_KEPT = re.compile("<\x00(\\d+)>")


def sentinel(slot: str) -> str:
    return _SENTINEL.format(slot.upper())


class ShellError(GeneratorError):
    """The theme's page template lost a part the shell needs (a sentinel or a mark is missing)."""

    def __init__(self, message: str):
        super().__init__(message, fix="restore what your override of main.html or a partial dropped (compare with overrides/main.html)")


@dataclass(frozen=True)
class Shell:
    """A rendered page split at its per-page slots: pieces[0] slot[0] pieces[1] ... pieces[-1]."""

    pieces: tuple[str, ...]
    slots: tuple[str, ...]

    @classmethod
    def split(cls, html: str, required: tuple[str, ...] = ("title", "canonical", "head", "content")) -> Shell:
        parts = _SLOT_RE.split(html)
        pieces, slots = tuple(parts[0::2]), tuple(s.lower() for s in parts[1::2])
        missing = [s for s in required if s not in slots]
        if missing:
            raise ShellError(f"the theme's main.html no longer prints the page's {', '.join(missing)}")
        if slots.count("content") != 1:
            raise ShellError(f"the theme's main.html prints the page content {slots.count('content')} times")
        return cls(pieces, slots)

    def fill(self, values: Mapping[str, str]) -> str:
        """The page: pieces with this page's values (already escaped HTML) in the slots."""
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:]):
            out.append(values[slot])
            out.append(piece)
        return "".join(out)


def compact(html: str) -> str:
    """Material's output without the indentation and line breaks between its tags (a third of its bytes).

    Whitespace between two tags renders as nothing in Material's layout (flex and block
    boxes); <pre> blocks keep theirs.
    """
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"<\x00{len(kept) - 1}>"

    html = _BETWEEN_TAGS.sub("><", _INDENT.sub("\n", _PRE.sub(keep, html)))
    return _KEPT.sub(lambda m: kept[int(m.group(1))], html) if kept else html


def tidy(html: str) -> str:
    """A page as Material renders it, compacted, made valid HTML, and without Material's generator tag.

    The generator tag names Material's version on every page (10,000 and more); `autocomplete`
    is allowed on text fields only (the Nu HTML Checker's one error on Material's pages).
    """
    return _CHECKBOX_AUTOCOMPLETE.sub(r"\1", _GENERATOR.sub("", compact(html)))


def shell_key(path: PurePosixPath) -> tuple[int, bool]:
    """Pages with the same key have the same relative URLs to everything: (folders, is an index page)."""
    return len(path.parent.parts), path.stem == "index"


def render_shell(env, config, nav, files, kind: str, key: tuple[int, bool], context_extra: Mapping[str, object] | None = None) -> Shell:
    """Render the theme's main.html once for a stand-in page of this kind and shape, and split it."""
    folders, is_index = key
    src_uri = "/".join([SHELL_FOLDER] * folders + ["index.md" if is_index else "page.md"])
    page = _stand_in(config, src_uri)
    page.meta = {"title": Markup(sentinel("title")), "description": Markup(sentinel("description"))}
    page.content = f"<h1>{sentinel('content')}</h1>"
    page.toc = TableOfContents([AnchorLink(sentinel("title"), sentinel("skip"), 1)])
    context = get_context(nav, files, config, page)
    context.update(
        {
            "archive_head": Markup(sentinel("head")),
            "archive_toc": Markup(sentinel("toc")),
            "page_kind": kind,
            "archive_shell": True,
            **(context_extra or {}),
        }
    )
    html = env.get_template(page.meta.get("template", "main.html")).render(context)
    html = tidy(html).replace(f"<h1>{sentinel('content')}</h1>", sentinel("content"))
    if page.canonical_url:
        html = html.replace(page.canonical_url, sentinel("canonical"))
    if SHELL_FOLDER in html:
        around = html[html.index(SHELL_FOLDER) - 80 :][:160]
        raise ShellError(f"the theme's main.html prints the page's URL where the shell cannot replace it: {around!r}")
    return Shell.split(html)


def render_toc(env, config, tokens: list) -> str:
    """Material's table of contents (partials/toc.html) for a page with these headings (MkDocs' toc tokens)."""
    page = _stand_in(config, f"{SHELL_FOLDER}.md")
    page.toc = get_toc(tokens)
    template = env.from_string('{% import "partials/language.html" as lang with context %}{% include "partials/toc.html" %}')
    return compact(template.render({"page": page, "config": config})).strip()


def page_values(*, title: str, description: str, canonical: str, head: str, skip: str, content: str, toc: str = "") -> dict[str, str]:
    """A page's slot values, escaped for HTML (title and description are raw text)."""
    return {
        "toc": toc,
        "title": str(escape(title)),
        "description": str(escape(description)),
        "canonical": str(escape(canonical)),
        "head": head,
        "skip": str(escape(skip)),
        "content": content,
    }


def _stand_in(config, src_uri: str) -> Page:
    page = Page(None, File.generated(config, src_uri, content=""), config)
    page.markdown = ""
    return page
