"""Material's page around the pages the plugin writes itself: rendered once, filled many times.

Paper, day, category and tag pages sit outside the nav, so everything Material puts
around their article (head, header, search box, palette toggle, drawer, navigation,
footer, scripts) is the same for every page of one kind at one folder depth, apart
from a few per-page values. `render_shell` renders the theme's own `main.html` once,
through MkDocs' public `get_context`, for a stand-in page whose title, description,
URL, <head> tags, skip link and content are sentinels, and splits the result at them;
`Shell.fill` then builds each page from those pieces and the page's own values. A
theme override (overrides/main.html, a partial) reaches these pages like any other.

What those pages would all repeat and mostly scripts use (the header with its palette
toggle and search box, the drawer's toggle, the navigation, Material's config) is not in them: `render_chrome` writes
it once into assets/javascripts/chrome.js, which inserts it where the page's
`<script data-part>` stands, while the page is parsed, before it is painted, so the
page the reader gets is the one Material renders (overrides/partials/archive-chrome.html).
"""

from __future__ import annotations

import json
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
_SEARCH_TOGGLE = re.compile(r'<input class="md-toggle" data-md-toggle="search"[^>]*>')
"""Material's toggle for its own search (replaced by Pagefind): its script still looks for it."""
_EMPTY_ANNOUNCE = re.compile(r'<div data-md-component="announce"></div>')
"""Material's announcement bar, empty unless a theme override fills its block."""
_DRAWER = re.compile(r'<input class="md-toggle" data-md-toggle="drawer"[^>]*><label class="md-overlay" for="__drawer"></label>')
"""The navigation drawer's toggle: only the navigation (from chrome.js) and Material's script use it."""
PAPER_SCRIPTS = ("assets/javascripts/math.js", "assets/javascripts/cite.js")
"""Scripts only paper pages load (KaTeX's loader for the abstract's and summary's math; the Cite block
and the links elsewhere): chrome.js writes them after the site's own on a page of kind "paper"."""
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
    context.update({"archive_head": Markup(sentinel("head")), "archive_toc": Markup(sentinel("toc")), "page_kind": kind, "archive_chrome": True, **(context_extra or {})})
    html = env.get_template(page.meta.get("template", "main.html")).render(context)
    html = compact(html).replace(f"<h1>{sentinel('content')}</h1>", sentinel("content"))
    html = _GENERATOR.sub("", html)  # Material's name and version, on 10,000+ pages
    # Used by scripts only: chrome.js puts them back where they were.
    html = _EMPTY_ANNOUNCE.sub("", _SEARCH_TOGGLE.sub("", html, count=1), count=1)
    html = _DRAWER.sub("", html, count=1)
    if page.canonical_url:
        html = html.replace(page.canonical_url, sentinel("canonical"))
    if SHELL_FOLDER in html:
        raise ShellError(f"the theme's main.html prints the page's URL where the shell cannot replace it: {html[html.index(SHELL_FOLDER) - 80:][:160]!r}")
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


CHROME_SCRIPT = "assets/javascripts/chrome.js"
CHROME_FOLDER = "__archive_chrome__"
CHROME_PARTS = ("header", "nav", "top", "footer", "config", "scripts")
_MARKED = re.compile(r"<!--archive-chrome:(\w+)-->(.*?)<!--/archive-chrome:\1-->", re.DOTALL)
_SCRIPT_TAG = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
_UP_ONE = re.compile(r'\b(href|action|src)="\.\.(/|")')
_CHROME_JS = """/* Written by the archive plugin (sitegen/shell.py) at each build, from the parts of Material's
 * page marked in overrides/partials/archive-chrome.html: what every page outside the nav shares
 * and only scripts use. Each <script data-part=...> of such a page inserts its part where it
 * stands, while the page is parsed, with links made relative to the page. */
(function () {
  "use strict";
  var parts = %(parts)s;
  var script = document.currentScript;
  var prefix = script.getAttribute("src").slice(0, -%(name_length)d);
  function html(name) {
    return parts[name].replace(/\\b(href|action|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|\\/|#)([^"]*)"/g, function (_, attribute, url) {
      return attribute + '="' + (url === "." ? prefix || "." : prefix + url) + '"';
    });
  }
  var part = script.getAttribute("data-part");
  if (part === "header") {  // the drawer's toggle; the header: logo, site name, palette toggle, search box
    if (parts.drawer) document.body.insertAdjacentHTML("afterbegin", parts.drawer);
    script.insertAdjacentHTML("beforebegin", html("header"));
    document.getElementById("__drawer").insertAdjacentHTML("afterend", parts.toggle);
    document.querySelector("[data-md-component=header]").insertAdjacentHTML("beforebegin", parts.announce);
    %(palette)s
    // The header's second line: the page title Material shows once the heading is scrolled away.
    var site = document.querySelector(".md-header__topic .md-ellipsis").textContent.trim();
    var topic = document.querySelector("[data-md-component=header-topic] .md-ellipsis");
    var suffix = " - " + site;
    topic.textContent = document.title.slice(-suffix.length) === suffix ? document.title.slice(0, -suffix.length) : document.title;
  } else if (part === "nav") {
    script.insertAdjacentHTML("beforebegin", html("nav"));
  } else if (part === "end") {  // where Material's config and scripts go, after the dialog
    document.querySelector("[data-md-component=main]").insertAdjacentHTML("beforeend", html("top"));
    document.querySelector("[data-md-component=container]").insertAdjacentHTML("beforeend", html("footer"));
    var config = JSON.parse(parts.config);
    config.base = prefix.replace(/\\/$/, "") || ".";
    var archive = {kind: script.getAttribute("data-kind") || "", search: prefix + %(search)s};
    [["__config", config], ["__archive", archive]].forEach(function (item) {
      var node = document.createElement("script");
      node.type = "application/json";
      node.id = item[0];
      node.textContent = JSON.stringify(item[1]);
      script.parentNode.insertBefore(node, script);
    });
    // Material's bundle and the site's scripts, as the parser would have run them here.
    document.write(html("scripts"));
    if (archive.kind === "paper") document.write(html("paper"));
  }
})();
"""


def _stand_in(config, src_uri: str) -> Page:
    page = Page(None, File.generated(config, src_uri, content=""), config)
    page.markdown = ""
    return page


def _from_root(html: str) -> str:
    """Links rendered one folder deep (`../archive/`, `..`) as links from the site root (`archive/`, `.`)."""
    return _UP_ONE.sub(lambda m: f'{m.group(1)}="' + ('."' if m.group(2) == '"' else ""), html)


def render_chrome(env, config, nav, files, palette_script: str) -> str:
    """The text of assets/javascripts/chrome.js: the marked parts of main.html, rendered once.

    `palette_script` is the code that applies the reader's saved palette (Material's
    inline script, served as assets/javascripts/palette.js): scripts in inserted HTML do
    not run, so chrome.js runs it right after inserting the palette toggle.
    """
    page = _stand_in(config, f"{CHROME_FOLDER}/index.md")  # one folder deep: every relative URL starts with ../
    page.meta, page.content = {"title": "", "description": ""}, "<h1></h1>"
    context = get_context(nav, files, config, page)
    context.update({"archive_head": "", "page_kind": "", "archive_chrome_source": True})
    html = compact(env.get_template("main.html").render(context))
    parts = {name: _from_root(text).strip() for name, text in _MARKED.findall(html)}
    missing = [name for name in CHROME_PARTS if name not in parts]
    if missing:
        raise ShellError(f"the theme no longer marks the page's {', '.join(missing)} for chrome.js (overrides/partials/archive-chrome.html)")
    parts["header"] = _SCRIPT_TAG.sub("", parts["header"])  # the palette script: run by chrome.js itself
    toggle, announce = _SEARCH_TOGGLE.search(html), _EMPTY_ANNOUNCE.search(html)
    drawer = _DRAWER.search(_SEARCH_TOGGLE.sub("", html, count=1))  # Material puts the search toggle inside it
    parts["toggle"], parts["announce"] = toggle.group(0) if toggle else "", announce.group(0) if announce else ""
    parts["drawer"] = drawer.group(0) if drawer else ""
    parts["paper"] = "".join(f'<script src="{src}" defer></script>' for src in PAPER_SCRIPTS)
    if CHROME_FOLDER in "".join(parts.values()):
        raise ShellError("a part of the page marked for chrome.js prints the page's URL, which differs on every page")
    search = "search/" if config.use_directory_urls else "search/index.html"
    return _CHROME_JS % {
        "parts": json.dumps(parts, ensure_ascii=False).replace("<", "\\u003c"),
        "name_length": len(CHROME_SCRIPT),
        "palette": palette_script.strip(),
        "search": json.dumps(search),
    }
