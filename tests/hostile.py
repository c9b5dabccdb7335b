"""Hostile input for the whole generator, reusable by any test (and by the site's browser check).

What it holds:

- `PAYLOADS`: named hostile strings (script, event handlers, `javascript:` links, iframes,
  Jinja/MkDocs syntax, YAML breakers, layout-breaking Markdown, zero-width and bidi
  characters, snippet includes, very long text).
- `LINE_START`: Markdown/extension syntax that only acts at the start of a line (headings,
  lists, admonitions, snippets, link-reference definitions...), used as first author names
  because the day page puts the authors at the start of a line.
- `hostile_feed()` / `hostile_api()`: an arXiv announcement feed and API answers built by
  editing copies of recorded fixtures (tests/fixtures/arxiv/): each hostile paper is the
  first recorded `<item>` (or `<entry>`) with its fields replaced. The feed also carries
  items whose ids are crafted for path traversal (`../../x`) and an unknown announce type.
- `LLM_ANSWERS`: hostile model answers, one per summarized paper.
- `HTML_BODIES`: hostile summary bodies written as HTML (a hand-edited page, or a v1 summary
  `migrate` kept as HTML), each under its name; `hand_edit_html_bodies(docs)` puts them into
  the summarized paper pages of an archive and a day note, as a hand edit would.
- `build_hostile_archive(workdir)`: serves all of that on 127.0.0.1 (arXiv feed, API and
  PDFs, and an OpenAI-compatible LLM) and runs the real CLI, `python -m generator update`,
  in-process, into `workdir/docs`. Returns what was served and what the CLI said.
- `render_body` and `problems_in_paper_html` / `problems_in_day_html`: render a page body
  with python-markdown and the extensions the site uses, and list every way the rendered
  HTML fails "inert text": a live script, an event handler, a `javascript:` URL, an iframe
  or other active element, or an element that escaped its block.

For the built site (browser check): build the archive with `build_hostile_archive`, run
`mkdocs build` on its docs/, open every page, fail on any dialog (each script payload calls
`alert('xss-…')`) or request to evil.example, and run the same problem checks on the page's
`article` element (lxml: `problems_in_paper_html(article, meta)`).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, urlsplit

import cmarkgfm
import markdown
import yaml
from cmarkgfm.cmark import Options as CmarkOptions
from lxml import etree
from lxml import html as lxml_html

from generator.archive.paths import page_url
from generator.archive.records import split_front_matter
from generator.text.tex import tex_html
from tests.loopback import FakeLLM, LoopbackServer, Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"
FEED_FIXTURE = "rss_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4.xml"
API_FIXTURE = "api2026_idlist_astro-ph_0601001.xml"
EMPTY_API_FIXTURE = "api2026_empty_totalResults0_idlist_0000.0000.xml"
LLM_KEY = "sk-hostile-0123456789-SECRET-abcdef"
KEY_ENV = "HOSTILE_LLM_KEY"
SNIPPET_FILE = "hostile-snippet.txt"
"""A file that a `--8<--` snippet include in hostile text names (render_body provides it)."""
SNIPPET_CANARY = "INCLUDED-FILE-CONTENT-7f3a"
"""Its content: seeing it in a page means a snippet include ran."""

PAYLOADS: dict[str, str] = {
    "script": "<script>alert('xss-script')</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "img_onerror": "<img src=x onerror=\"alert('xss-img')\"> <svg/onload=alert('xss-svg')>",
    "javascript_link": "[click](javascript:alert('xss-link')) <a href=\"JaVaScRiPt:alert('xss-a')\">a</a> <javascript:alert('xss-auto')>",
    "iframe": '<iframe src="https://evil.example/"></iframe><object data="https://evil.example/"></object>',
    "jinja": "{{ config.site_name }} {% include 'x.html' %} {# comment #} {{ page.meta.x | safe }} {%- raw -%}",
    "yaml": "\": ' --- \n---\n...\nkey: value # not a comment & anchor *alias !!python/object:os.system |",
    "markdown_layout": (
        "```\nunclosed fence\n# Heading\n<!-- unclosed comment\n[ref]: javascript:alert('xss-ref')\n[x][ref]\n"
        '---\n!!! danger "admonition"\n??? note "details"\n=== "tab"\n| a | b |\n|---|---|\n'
        "{: onclick=\"alert('xss-attr')\" } </div></details></p>"
    ),
    "snippet": f'--8<-- "{SNIPPET_FILE}"\n;--8<-- "secret"',
    "invisible": "zero\u200bwidth\u200d joiner \u202eevil override\u202c \u2066isolate\u2069 \ufeffbom \u2028sep\u2029para \x00\x07ctl",
    "entities": "&lt;script&gt;alert('xss-entity')&lt;/script&gt; &amp;lt; &#x3C;img src=x onerror=alert(1)&#x3E;",
    "tex": "$x<y$ \\(a<b\\) $$\\frac{1}{2}<\\text{<script>}$$ \\textbf{<b>bold</b>} {\\'e}",
}

LINE_START: dict[str, str] = {
    "heading": "# Heading author",
    "setext": "---",
    "snippet": f'--8<-- "{SNIPPET_FILE}"',
    "admonition": '!!! danger "Admonition author"',
    "details": '??? note "Details author"',
    "tab": '=== "Tab author"',
    "blockquote": "> Quote author",
    "ordered_list": "1. List author",
    "bullet": "- Bullet author",
    "plus": "+ Plus author",
    "definition": ": Definition author",
    "link_reference": "[x]: javascript:alert('xss-refdef')",
    "abbreviation": "*[HTML]: Abbreviation author",
    "footnote": "[^1]: Footnote author",
    "task": "[ ] Task author",
    "fence": "```js",
    "tilde_fence": "~~~",
    "html_comment": "<!-- Comment author",
    "table": "| Table | author |",
}

LONG = {
    "title": "LLM " + "Very long title " * 400,
    "abstract": "LLM " + ("A very long abstract sentence with \\(math\\) and $x$. " * 3000) + "\\(" * 3000,
    "authors": [f"Author Number{n}" for n in range(1500)],
    "comment": "Comment " * 6000,
}

LLM_ANSWERS: list[str] = [
    "## Summary <script>alert('xss-llm-script')</script>\n\n<img src=x onerror=\"alert('xss-llm-img')\"> "
    "[click](javascript:alert('xss-llm-link'))",
    "<iframe src=\"https://evil.example/\"></iframe><svg onload=alert('xss-llm-svg')></svg>\n\n**still here**",
    "<!-- ai-summary:end -->\n</details><script>alert('xss-llm-escape')</script>\n<!-- ai-summary:begin -->\ntext",
    "{{ config.site_name }} {% include 'x' %}\n\n---\ntitle: forged\n---\n",
    "text before\n```\nunclosed fence\n<script>alert('xss-llm-fence')</script>\n\n# Top heading\n\n[ref]: "
    "javascript:alert('xss-llm-ref')\n\n[x][ref]",
    'paragraph\n~~~\nunclosed tilde fence\n\n!!! danger "x"\n    admonition body\n\n??? note\n    details body\n\n=== "Tab"\n    tab body',
    '<div markdown="1">**md in html**</div> <p title="<!-- ai-summary:end -->">t</p> {: onclick="alert(\'xss-llm-attr\')" }',
    f'--8<-- "{SNIPPET_FILE}"\n\ntext\n--8<-- "{SNIPPET_FILE}"',
    "zero\u200bwidth \u202eoverride\u202c <a href=\"jav&#x09;ascript:alert('xss-llm-tab')\">x</a> <a "
    'href="data:text/html,<script>alert(1)</script>">d</a>',
    '<style>body{display:none}</style><form action="https://evil.example/"><input name=q></form><meta http-equiv=refresh content=0;url=https://evil.example/>',
    "Long answer. " * 20000,
]

HTML_BODIES: dict[str, str] = {
    "script": "<p>kept words</p><script>alert('xss-html-script')</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "img_svg": "<p>kept words <img src=x onerror=\"alert('xss-html-img')\"> <svg/onload=alert('xss-html-svg')></p>",
    "javascript_links": (
        '<p>kept words <a href="javascript:alert(\'xss-html-a\')">a</a> <a href="JaVaScRiPt:alert(1)">b</a> '
        '<a href="jav&#x09;ascript:alert(1)">c</a> <a href="data:text/html,<script>alert(1)</script>">d</a> '
        '<a href="../../../etc/passwd">rel</a> <a href="#top">anchor</a></p>'
    ),
    "active_elements": (
        '<div><p>kept words</p><iframe src="https://evil.example/"></iframe><object data="https://evil.example/"></object>'
        '<form action="https://evil.example/"><input name=q><button>go</button></form><meta http-equiv=refresh content="0;url=https://evil.example/">'
        '<base href="https://evil.example/"><style>body{display:none}</style><link rel=stylesheet href="https://evil.example/x.css"></div>'
    ),
    "attributes": (
        '<p style="position:fixed;top:0" class="admonition" id="related" onclick="alert(\'xss-html-click\')">kept words</p>'
        '<span class="tex-math evil" onmouseover="alert(1)">$x$</span>'
    ),
    "math_payload": "<p>kept words $&lt;script&gt;alert('xss-html-math')&lt;/script&gt;$ and \\(&lt;img src=x onerror=alert(1)&gt;\\)</p>",
    "breakout": (
        "<p title=\"<!-- ai-summary:end -->\">kept words</p><!-- </details><script>alert('xss-html-comment')</script> -->"
        "</details></article><script>alert('xss-html-breakout')</script><p>after</p>"
    ),
    "headings": "<h1>Top heading</h1><h2>kept words</h2><h6>deep</h6>",
    "foreign": '<p>kept words <![CDATA[<script>alert(1)</script>]]></p><math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "details": "<details open ontoggle=alert('xss-html-toggle')><summary>kept words</summary>inside</details>",
    "template": '<p>kept words</p><template><script>alert(1)</script></template><noscript><p title="</noscript><img src=x '
    'onerror=alert(1)>"></noscript>',
}
"""Hand-edited summary bodies in HTML (a v1 summary `migrate` keeps as HTML is one): each starts with a block
element, so the site reads it as HTML (generator.text.markdown.is_html_body), and each keeps the words `kept words`."""


def hand_edit_html_bodies(docs: Path) -> dict[str, str]:
    """Give the first summarized paper pages under docs/ the bodies of HTML_BODIES, one each, and every day
    page a note in HTML (its breakout payload), as a person editing the archive by hand could; {arxiv_id: name}."""
    edited: dict[str, str] = {}
    names = iter(HTML_BODIES)
    for path in sorted((docs / "papers").rglob("*.md")):
        meta, _ = read_page(path)
        if not meta.get("summary"):
            continue
        name = next(names, None)
        if name is None:
            break
        _replace_body(path, HTML_BODIES[name])
        edited[str(meta["arxiv_id"])] = name
    for path in sorted((docs / "days").rglob("*.md")):
        _replace_body(path, HTML_BODIES["breakout"])
    return edited


def _replace_body(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 3) + 5
    path.write_text(text[:end] + "\n" + body + "\n", encoding="utf-8")


FORBIDDEN_TAGS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "img", "svg", "math", "style", "link",
        "meta", "base", "form", "input", "button", "textarea", "select", "video", "audio", "source", "template", "portal",
    }
)  # fmt: skip
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset")
SAFE_SCHEMES = ("http", "https", "mailto")

# What the site renders pages with: MkDocs' defaults (toc, tables, fenced_code) plus every
# extension Material for MkDocs supports ("all features" configuration of its docs), with
# snippets pointed at a folder holding a canary file.
SITE_EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "toc", "tables",
    "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.caret", "pymdownx.details", "pymdownx.emoji",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.magiclink", "pymdownx.mark",
    "pymdownx.smartsymbols", "pymdownx.snippets", "pymdownx.superfences", "pymdownx.tabbed",
    "pymdownx.tasklist", "pymdownx.tilde",
]  # fmt: skip


def site_extension_configs(snippet_dir: Path) -> dict[str, dict]:
    return {
        "toc": {"permalink": True},
        "pymdownx.arithmatex": {"generic": True},
        "pymdownx.betterem": {"smart_enable": "all"},
        "pymdownx.snippets": {"base_path": [str(snippet_dir)], "check_paths": False},
        "pymdownx.tabbed": {"alternate_style": True},
        "pymdownx.tasklist": {"custom_checkbox": True},
    }


def render_body(body: str, snippet_dir: Path) -> str:
    """A page body as the site's Markdown renders it (a fresh converter per page, as MkDocs does)."""
    snippet_dir.mkdir(parents=True, exist_ok=True)
    (snippet_dir / f"{SNIPPET_FILE}").write_text(SNIPPET_CANARY, encoding="utf-8")
    converter = markdown.Markdown(extensions=SITE_EXTENSIONS, extension_configs=site_extension_configs(snippet_dir))
    return converter.convert(body)


# -- the hostile papers ---------------------------------------------------------


@dataclass(frozen=True)
class HostilePaper:
    """One hostile paper as served (raw field values, before the generator cleans them)."""

    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    doi: str | None = None
    journal_ref: str | None = None
    categories: tuple[str, ...] = ("cs.LG",)
    license: str | None = None
    api: dict[str, object] | None = None
    """Fields of the API's answer for this id (enrichment), None when the API does not know it."""


def hostile_papers() -> list[HostilePaper]:
    """Every hostile paper of the feed, in feed order. Each title holds the keyword `LLM`."""
    papers: list[HostilePaper] = []
    number = 30000
    for name, payload in PAYLOADS.items():
        number += 1
        api = None
        if number % 2:  # every other paper is enriched by a hostile API answer
            api = {
                "comment": f"Comment {payload}",
                "journal_ref": f"J. {payload}",
                "doi": f"10.1000/{payload}",
                "primary_category": payload[:40],
                "authors": [(f"API {payload[:60]}", [f"Univ {payload}"]), ("Plain Author", [])],
            }
        papers.append(
            HostilePaper(
                arxiv_id=f"2609.{number}",
                title=f"LLM {name}: {payload}",
                abstract=f"LLM abstract {payload} end of abstract",
                authors=(f"Author {payload.replace(',', ' ')}", "Second Author"),
                doi=f"10.1000/{payload}",
                journal_ref=f"Journal {payload}",
                categories=("cs.LG", payload[:30] or "x", "../..", ".."),
                license=f"javascript:alert('xss-license') {payload[:20]}",
                api=api,
            )
        )
    for name, first in LINE_START.items():
        number += 1
        papers.append(
            HostilePaper(
                arxiv_id=f"2609.{number}", title=f"LLM line start {name}", abstract="LLM abstract", authors=(first, "Second Author")
            )
        )
    number += 1
    papers.append(
        HostilePaper(
            arxiv_id=f"2609.{number}",
            title=LONG["title"],
            abstract=LONG["abstract"],
            authors=tuple(LONG["authors"]),
            api={
                "comment": LONG["comment"],
                "journal_ref": None,
                "doi": None,
                "primary_category": "cs.LG",
                "authors": [(a, ["Univ " * 50]) for a in LONG["authors"][:300]],
            },
        )
    )
    return papers


TRAVERSAL_IDS = ["../../x", "../../../../tmp/evil", "2609.12345v1/../../x", "..", "/etc/passwd", "hep-th/../../x", "2609.12345/../x"]
"""guid/link values of feed items crafted for path traversal: each must be skipped, none written."""


def _set(parent: etree._Element, tag: str, text: str | None, nsmap: dict[str, str]) -> None:
    prefix, _, local = tag.rpartition(":")
    qname = f"{{{nsmap[prefix]}}}{local}" if prefix else local
    for old in parent.findall(qname):
        parent.remove(old)
    if text is not None:
        etree.SubElement(parent, qname).text = _xml_safe(text)


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot carry NUL and most C0 controls at all; a real feed could not hold them either.
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def hostile_feed(papers: list[HostilePaper] | None = None) -> bytes:
    """The recorded combined feed, its items replaced by clones of its first item carrying hostile fields."""
    papers = hostile_papers() if papers is None else papers
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring((FIXTURES / FEED_FIXTURE).read_bytes(), parser=parser)
    nsmap = {k: v for k, v in root.nsmap.items() if k}
    channel = root.find("channel")
    items = channel.findall("item")
    template = items[0]
    for item in items:
        channel.remove(item)

    def add(
        arxiv_id: str,
        version: int,
        title: str,
        abstract: str,
        authors: str,
        categories,
        kind: str = "new",
        doi=None,
        journal_ref=None,
        license=None,
    ) -> None:
        item = copy.deepcopy(template)
        _set(item, "title", title, nsmap)
        _set(item, "link", f"https://arxiv.org/abs/{arxiv_id}", nsmap)
        _set(item, "description", f"arXiv:{arxiv_id}v{version} Announce Type: {kind} \nAbstract: {abstract}", nsmap)
        _set(item, "guid", f"oai:arXiv.org:{arxiv_id}v{version}", nsmap)
        for old in item.findall("category"):
            item.remove(old)
        for code in categories:
            etree.SubElement(item, "category").text = _xml_safe(code)
        _set(item, "arxiv:announce_type", kind, nsmap)
        _set(item, "dc:creator", authors, nsmap)
        _set(item, "arxiv:DOI", doi, nsmap)
        _set(item, "arxiv:journal_reference", journal_ref, nsmap)
        _set(item, "dc:rights", license, nsmap)
        channel.append(item)

    for paper in papers:
        add(
            paper.arxiv_id,
            1,
            paper.title,
            paper.abstract,
            ", ".join(paper.authors),
            paper.categories,
            doi=paper.doi,
            journal_ref=paper.journal_ref,
            license=paper.license,
        )
    for bad in TRAVERSAL_IDS:
        add(bad, 1, f"LLM traversal {bad}", "LLM abstract", "Evil Author", ("cs.LG",))
    add("2609.39999", 1, "LLM unknown announce type", "LLM abstract", "Odd Author", ("cs.LG",), kind="<script>alert('xss-type')</script>")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def hostile_api(ids: list[str], papers: list[HostilePaper] | None = None) -> bytes:
    """The recorded id_list answer, its entry cloned once per requested id the hostile API knows."""
    by_id = {p.arxiv_id: p for p in (hostile_papers() if papers is None else papers)}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring((FIXTURES / API_FIXTURE).read_bytes(), parser=parser)
    atom = "http://www.w3.org/2005/Atom"
    arxiv_ns = "http://arxiv.org/schemas/atom"
    os_ns = "http://a9.com/-/spec/opensearch/1.1/"
    template = root.find(f"{{{atom}}}entry")
    root.remove(template)
    count = 0
    for arxiv_id in ids:
        paper = by_id.get(arxiv_id)
        if paper is None or paper.api is None:
            continue
        count += 1
        entry = copy.deepcopy(template)
        api = paper.api
        entry.find(f"{{{atom}}}id").text = f"http://arxiv.org/abs/{arxiv_id}v1"
        entry.find(f"{{{atom}}}title").text = _xml_safe(paper.title)
        entry.find(f"{{{atom}}}summary").text = _xml_safe(paper.abstract)
        for tag, value in (("comment", api.get("comment")), ("journal_ref", api.get("journal_ref")), ("doi", api.get("doi"))):
            old = entry.find(f"{{{arxiv_ns}}}{tag}")
            if old is not None:
                entry.remove(old)
            if value:
                etree.SubElement(entry, f"{{{arxiv_ns}}}{tag}").text = _xml_safe(str(value))
        entry.find(f"{{{arxiv_ns}}}primary_category").set("term", _xml_safe(str(api["primary_category"])))
        entry.find(f"{{{atom}}}category").set("term", _xml_safe(str(api["primary_category"])))
        for author in entry.findall(f"{{{atom}}}author"):
            entry.remove(author)
        for name, affiliations in api["authors"]:  # type: ignore[union-attr]
            author = etree.SubElement(entry, f"{{{atom}}}author")
            etree.SubElement(author, f"{{{atom}}}name").text = _xml_safe(name)
            for affiliation in affiliations:
                etree.SubElement(author, f"{{{arxiv_ns}}}affiliation").text = _xml_safe(affiliation)
        root.append(entry)
    root.find(f"{{{os_ns}}}totalResults").text = str(count)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class HostileArxiv(LoopbackServer):
    """arXiv on 127.0.0.1 serving the hostile feed, hostile API answers and no PDFs."""

    def __init__(self, papers: list[HostilePaper]):
        super().__init__()
        self.papers = papers
        self.feed = hostile_feed(papers)
        self.paths: list[str] = []

    def handle(self, method, path, headers, body):
        self.paths.append(path)
        url = urlsplit(path)
        if url.path.startswith("/rss/"):
            return 200, {"Content-Type": "application/rss+xml"}, self.feed
        if url.path == "/api/query":
            ids = [i for i in parse_qs(url.query).get("id_list", [""])[0].split(",") if i]
            if not ids:
                return 200, {"Content-Type": "application/atom+xml"}, (FIXTURES / EMPTY_API_FIXTURE).read_bytes()
            return 200, {"Content-Type": "application/atom+xml"}, hostile_api(ids, self.papers)
        return 404, {"Content-Type": "text/plain"}, b"not here"


@dataclass
class HostileArchive:
    """The outcome of `build_hostile_archive`."""

    docs: Path
    config: Path
    exit_code: int
    stderr: str
    papers: list[HostilePaper]
    feed: bytes
    answers: dict[str, str] = field(default_factory=dict)
    """The model's answer per arXiv id."""
    llm_requests: int = 0


@contextlib.contextmanager
def _environ(values: dict[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def write_hostile_config(path: Path, papers: int) -> Path:
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "config.yml").read_text(encoding="utf-8"))
    data.update(
        categories=["cs.LG"], keywords=["LLM"], exclude_keywords=[], min_score=1, max_papers=papers + 10, days_back=0,
        announce_types=["new", "cross", "replace", "replace-cross"],
    )  # fmt: skip
    data["arxiv"].update(max_retries=0, timeout=10)
    data["site"]["url"] = "http://127.0.0.1:8000/"  # an owner's address: the strict site build refuses the placeholder
    data["ai_summary"].update(
        enabled=True, api_key_env=KEY_ENV, model="hostile-model", language="English", max_papers_to_summarize=papers,
        max_workers=4, timeout=10, max_retries=0, retry_backoff=0.01, max_output_tokens=500,
    )  # fmt: skip
    # Ceilings above the hostile lengths: these tests show that very long text is escaped and
    # renders in time; cutting it at the ceilings is tests/arxiv/test_ceilings.py's subject.
    data["limits"].update(title_chars=100_000, abstract_chars=1_000_000, authors=10_000)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def build_hostile_archive(workdir: Path, *, extra_args: tuple[str, ...] = ()) -> HostileArchive:
    """Serve the hostile arXiv and LLM on 127.0.0.1 and run `python -m generator update` into workdir/docs.

    The CLI runs in-process (generator.night.cli.main) with the ARXIV_*/LLM_* environment pointing at
    the loopback servers; the environment is restored afterwards.
    """
    from generator.night.cli import main

    papers = hostile_papers()
    workdir.mkdir(parents=True, exist_ok=True)
    config = write_hostile_config(workdir / "config.yml", len(papers))
    docs = workdir / "docs"
    answers: dict[str, str] = {}
    order = {p.arxiv_id: n for n, p in enumerate(papers)}

    def script(request) -> Reply:
        answer = f"Key echo: {request.authorization}\n\n" + LLM_ANSWERS[order.get(request.arxiv_id, 0) % len(LLM_ANSWERS)]
        answers[request.arxiv_id] = answer
        return Reply(content=answer)

    with HostileArxiv(papers) as arxiv, FakeLLM(script=script) as llm:
        env = {
            "ARXIV_FEED_URL": arxiv.url + "/rss/{categories}",
            "ARXIV_API_URL": arxiv.url + "/api/query",
            "ARXIV_PDF_URL": arxiv.url + "/pdf/{id}",
            "ARXIV_REQUEST_DELAY": "0",
            "LLM_BASE_URL": llm.base_url,
            KEY_ENV: LLM_KEY,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        stderr = io.StringIO()
        with _environ(env), contextlib.redirect_stderr(stderr):
            code = main(["update", "--config", str(config), "--docs", str(docs), *extra_args])
        return HostileArchive(docs, config, code, stderr.getvalue(), papers, arxiv.feed, answers, len(llm.requests))


# -- checks on rendered HTML ----------------------------------------------------------


def _url_problem(value: str) -> str | None:
    compact = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", compact)
    if scheme and scheme.group(1) not in SAFE_SCHEMES:
        return f"{scheme.group(1)}: URL"
    return None


def active_content(root) -> list[str]:
    """Everything in this element tree that could run code, load something or submit data."""
    for bar in root.findall(".//p[@class='reader-keys-bar']"):  # the template's own key-help button (partials/keys-help.html)
        if [(b.tag, b.get("data-reader-keys-open"), b.text) for b in bar] == [("button", "", "Keyboard shortcuts")]:
            bar.getparent().remove(bar)
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions (checked as text below)
        tag = etree.QName(el).localname.lower()
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> element")
        for name, value in el.attrib.items():
            lname = name.lower()
            if lname.startswith("on"):
                problems.append(f"{lname}= handler on <{tag}>")
            if lname == "style":
                problems.append(f"style= on <{tag}>")
            if lname in URL_ATTRIBUTES or lname.endswith("href"):
                bad = _url_problem(value)
                if bad:
                    problems.append(f"{bad} in {lname}= of <{tag}>")
    return problems


def parse_html(fragment: str):
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def _children(el, tag: str | None = None) -> list:
    return [c for c in el if isinstance(c.tag, str) and (tag is None or c.tag == tag)]


def problems_in_paper_html(root, meta: dict) -> list[str]:
    """Ways the rendered body of a paper page (root: its container element) fails to be inert and in place."""
    problems = active_content(root)
    if SNIPPET_CANARY in root.text_content():
        problems.append("a snippet include pulled a file into the page")
    h1 = root.findall(".//h1")
    if len(h1) != 1 or "paper-title" not in (h1[0].get("class") or ""):
        problems.append(f"{len(h1)} <h1> elements, expected the one title")
    elif {c.tag for c in h1[0].iter() if isinstance(c.tag, str)} - {"h1"} - TEX_TAGS:
        problems.append("the title holds elements the TeX model does not make")
    h2 = [re.sub(r"\W+$", "", h.text_content()).strip() for h in root.iter("h2")]
    related = root.find(".//section[@id='related']")  # the site build's related papers (`python -m generator.website derive` has none)
    expected_h2 = (
        ["Abstract"] + (["AI summary"] if meta.get("summary") else []) + (["Related papers"] if related is not None else []) + ["Cite"]
    )
    if h2 != expected_h2:
        problems.append(f"section headings {h2}, expected {expected_h2}")
    if related is not None:
        for item in related.iter("li"):  # a link (the title, its TeX as text: tex_title), then "date · similarity"
            if [c.tag for c in _children(item)] != ["a", "span"] or _children(item[1]):
                problems.append(f"a related paper's entry holds {[c.tag for c in item.iter() if isinstance(c.tag, str)]}")
    for selector, allowed in (
        ("paper-abstract", TEX_TAGS),
        ("paper-authors", {"span"}),
        ("paper-comment", {"strong"} | TEX_TAGS),
        ("paper-journal-ref", {"strong"} | TEX_TAGS),
    ):
        for el in root.iter():
            if isinstance(el.tag, str) and selector in (el.get("class") or "").split():
                tags = {c.tag for c in el.iter() if isinstance(c.tag, str)} - {el.tag}
                if tags - allowed:
                    problems.append(f".{selector} holds {sorted(tags - allowed)}")
    details = root.findall(".//details")
    if len(details) != (2 if meta.get("summary") else 1):
        problems.append(f"{len(details)} <details>, expected {2 if meta.get('summary') else 1}")
    if _children(root, "details") != details:
        problems.append("a <details> is nested in another element")
    for code in root.iter("code"):
        if "language-bibtex" in (code.get("class") or "") and _children(code):
            problems.append("the BibTeX block holds elements")
    top_lists = _children(root, "ul")
    # arXiv (with PDF, HTML), [updated], categories, score, elsewhere: the facts the template lists.
    if not top_lists or len(_children(top_lists[0], "li")) != (5 if meta.get("updated") else 4):
        problems.append("the paper's fact list changed shape")
    elif [a.get("href") for a in _children(top_lists[0], "li")[-1].iter("a")] != [
        f"https://www.alphaxiv.org/abs/{meta.get('arxiv_id')}",
        *([f"https://huggingface.co/papers/{meta.get('arxiv_id')}"] if str(meta.get("arxiv_id", ""))[:4].isdigit() else []),
        f"https://www.semanticscholar.org/arxiv/{meta.get('arxiv_id')}",
    ]:  # fmt: skip
        problems.append("the links to the paper elsewhere changed")
    return problems


def problems_in_day_html(root, meta: dict, titles: dict[str, str]) -> list[str]:
    """Ways the rendered body of a day page fails: active content, or an entry that left its list item."""
    problems = active_content(root)
    if SNIPPET_CANARY in root.text_content():
        problems.append("a snippet include pulled a file into the page")
    if len(root.findall(".//h1")) != 1:
        problems.append("more than one <h1>")
    extra = [h.tag for h in root.iter() if isinstance(h.tag, str) and re.fullmatch(r"h[2-6]", h.tag)]
    if extra != (["h2"] if meta.get("updated") else []):
        problems.append(f"unexpected headings {extra}")
    lists = _children(root, "ol")
    papers = list(meta.get("papers") or [])
    if papers:
        if len(lists) != 1:
            return problems + [f"{len(lists)} top-level <ol>, expected 1"]
        items = _children(lists[0], "li")
        if len(items) != len(papers):
            problems.append(f"{len(items)} list items for {len(papers)} papers")
        for item, arxiv_id in zip(items, papers):
            # The link to the paper's page: its built URL (`../../../papers/2609/2609.99901/`) or its source (`.md`).
            name = arxiv_id.split("/")[-1]
            links = [a for a in item.iter("a") if (a.get("href") or "").endswith((f"/{name}.md", f"/{name}/"))]
            if len(links) != 1:
                problems.append(f"{arxiv_id}: its entry has {len(links)} links to its page")
            elif arxiv_id in titles and _plain(links[0].text_content()) != _plain(
                parse_html(tex_html(titles[arxiv_id], links=False, math=False)).text_content()
            ):
                problems.append(f"{arxiv_id}: link text {links[0].text_content()[:80]!r} is not the title")
            inner = {c.tag for c in item.iter() if isinstance(c.tag, str)} - {"li", "p", "strong", "a", "br", "em", "span"}
            if inner:
                problems.append(f"{arxiv_id}: its entry holds {sorted(inner)}")
    return problems


TEX_TAGS = {"span", "a", "strong", "em", "code", "u", "br"}
"""What generator.text.tex.tex_html makes of arXiv's TeX (math spans, links, styles): allowed in arXiv's fields."""


def _plain(text: str) -> str:
    """Text without math delimiters, TeX escapes and spacing: the site's math renderer rewrites those."""
    return re.sub(r"[\s\\$(){}\[\]]+", "", text)


def problems_in_links(root, page: str) -> list[str]:
    """Relative links of a built page (given by its path inside docs/) that leave the site or name no archive page."""
    problems = []
    url = page_url(PurePosixPath(page))
    folder = url[: url.rfind("/") + 1]
    for a in root.iter("a"):
        href = a.get("href") or ""
        if not href or href.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
            continue
        target = posixpath.normpath(posixpath.join(folder, href.split("#")[0])) + "/"
        if not ARCHIVE_LINK.fullmatch(target):
            problems.append(f"link {href!r} resolves to {target!r}")
    return problems


ARCHIVE_LINK = re.compile(r"(papers/[^/]+/[^/]+/|days/\d{4}/[\d-]+/|(categories|tags)/(?!\.\.?/)[^/]+/)")
"""Where a page of the archive may link: paper and day pages, and one category or tag page (their built URLs)."""


def raw_html(markdown_text: str) -> list[str]:
    """The raw HTML the site's Markdown (GitHub-flavoured, cmark-gfm) would pass through from this Markdown.

    What cmark-gfm's safe mode leaves out ("raw HTML omitted") is the raw HTML; given as the
    lines of its unsafe rendering that its safe one does not have. A code block's or code
    span's text is escaped, not raw HTML, wherever cmark-gfm finds one (an unclosed fence runs
    to the end).
    """
    safe = cmarkgfm.github_flavored_markdown_to_html(markdown_text, options=CmarkOptions.CMARK_OPT_VALIDATE_UTF8)
    if "<!-- raw HTML omitted -->" not in safe:
        return []
    unsafe = cmarkgfm.github_flavored_markdown_to_html(markdown_text, options=CmarkOptions.CMARK_OPT_UNSAFE)
    kept = set(safe.splitlines())
    return [line for line in unsafe.splitlines() if line not in kept] or ["<!-- raw HTML omitted -->"]


def read_page(path: Path) -> tuple[dict, str]:
    return split_front_matter(path.read_text(encoding="utf-8"), str(path))


def dump(obj) -> str:
    """Short JSON for assertion messages."""
    return json.dumps(obj, ensure_ascii=True, default=str)[:2000]
