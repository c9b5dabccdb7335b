"""The archive plugin as MkDocs runs it: templates reach every page, rebuilds start clean, the public door only.

Real `mkdocs build`s (in a subprocess, as a user runs them, and in this process, as
`mkdocs serve` runs them) of the fixture archive and of a synthetic archive large
enough to split its categories and tags into listing pages.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.archive import paths
from generator.website.catalog import read_catalog
from tests.sitekit import ROOT, build_site, parse_page

pytestmark = pytest.mark.slow  # runs `mkdocs build` on the fixture archive and on a large one (left out of `make test-fast`)

SOURCES = [ROOT / "generator", ROOT / "benchmarks", ROOT / "tests", ROOT / "demo", ROOT / "scripts"]


def page_file(site: Path, docs_path) -> Path:
    return site / paths.page_url(docs_path) / "index.html"


def test_a_one_line_change_to_the_paper_template_shows_on_every_paper_page(fixture_archive, tmp_path):
    """Issue 10: editing overrides/archive/paper.html changes every archived paper's page on the next build."""
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    template = tmp_path / "overrides" / "archive" / "paper.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace('<h2 id="abstract">Abstract</h2>', '<p class="reader-note">Read me first.</p>\n<h2 id="abstract">Abstract</h2>', 1),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    result = build_site(fixture_archive.docs, fixture_archive.config, out, mkdocs_yml=tmp_path / "mkdocs.yml")
    assert result.returncode == 0, result.stderr[-3000:]
    catalog = read_catalog(fixture_archive.docs)
    for paper in catalog.papers.values():
        assert '<p class="reader-note">Read me first.</p>' in page_file(out, paper.path).read_text(encoding="utf-8"), paper.path
    assert "reader-note" not in (out / "index.html").read_text(encoding="utf-8")  # the paper template, not every page
    assert "reader-note" not in page_file(out, catalog.days[0].path).read_text(encoding="utf-8")


def _site_files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and "pagefind" not in p.relative_to(site).parts
    }


def test_a_second_build_in_the_same_process_starts_clean(fixture_archive, tmp_path, monkeypatch):
    """`mkdocs serve` keeps the plugin and rebuilds in one process: each build reads the archive afresh."""
    docs = tmp_path / "docs"
    shutil.copytree(fixture_archive.docs, docs)
    monkeypatch.setenv("ARCHIVE_DOCS", str(docs))
    monkeypatch.setenv("ARCHIVE_CONFIG", str(fixture_archive.config))
    # The build time is in freshness.js (the staleness banner's title): fixed, as for reproducible builds.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.setenv("ARCHIVE_CACHE", str(tmp_path / "cache"))  # the second and third builds are warm (generator/website/buildcache.py)
    monkeypatch.chdir(ROOT)
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
        first = _site_files(tmp_path / "site")
        plugin = config.plugins["archive"]
        first_build = plugin.build
        build(config)
        assert plugin.build is not first_build  # a new state per build
        assert _site_files(tmp_path / "site") == first  # and the same site
        # A paper leaves the archive between two builds: its page, its listings and its search document go.
        gone = read_catalog(docs).papers["2609.99901"]
        (docs / gone.path).unlink()
        build(config)
        after = _site_files(tmp_path / "site")
        assert paths.page_url(gone.path) + "index.html" not in after
        assert "categories/cs.CR/index.html" not in after and "2609.99901" not in after["categories/cs.LG/index.html"].decode()
        assert "2609.99901" not in after["sitemap.xml"].decode()
        segments = json.loads((tmp_path / "site" / "pagefind" / "segments.json").read_text(encoding="utf-8"))
        assert sum(s["papers"] for s in segments) == 45
        entries = [(tmp_path / "site" / "pagefind" / s["path"] / "pagefind-entry.json").read_text(encoding="utf-8") for s in segments]
        assert sum(int(re.search(r'"page_count":(\d+)', e.replace(" ", "")).group(1)) for e in entries) == 45
    finally:
        config.plugins.on_shutdown()


def _dotted(node: ast.AST) -> list[str]:
    names = []
    while isinstance(node, ast.Attribute):
        names.insert(0, node.attr)
        node = node.value
    return [node.id, *names] if isinstance(node, ast.Name) else []


def _assigned_module_attributes(tree: ast.AST, modules: set[str]) -> list[str]:
    """`module.attr = ...` (or setattr) where `module` is a name bound to an MkDocs module."""
    found = []
    for node in ast.walk(tree):
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") and node.args:
            targets = [ast.Attribute(value=node.args[0], attr="?")]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                dotted = _dotted(element) if isinstance(element, ast.Attribute) else []
                if dotted and dotted[0] in modules:
                    found.append(".".join(dotted))
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a class or function of a module, not a submodule
        return False


def _mkdocs_module_names(tree: ast.AST) -> set[str]:
    """Names a file binds to MkDocs modules (`import mkdocs.x as y`, `from mkdocs.commands import build`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] == "mkdocs"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mkdocs":
            names |= {a.asname or a.name for a in node.names if _is_module(f"{node.module}.{a.name}")}
    return names


def test_no_code_assigns_to_mkdocs_or_calls_its_private_page_functions():
    """Issue 10: no monkeypatching of MkDocs (no module attribute assigned, no _populate_page/_build_page)."""
    checked = 0
    for folder in SOURCES:
        for source in folder.rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            if source.name != "test_site_plugin.py":
                assert "_populate_page" not in text and "_build_page" not in text, source
            tree = ast.parse(text)
            assert _assigned_module_attributes(tree, _mkdocs_module_names(tree)) == [], source
            checked += 1
    assert checked > 50
    # The check finds what it looks for.
    patched = ast.parse(
        "import mkdocs.commands.build as b\nfrom mkdocs.commands import build\nb._build_page = f\nbuild.x.y = 1\nsetattr(build, 'z', 2)\n"
    )
    assert _mkdocs_module_names(patched) == {"b", "build"}
    assert _assigned_module_attributes(patched, {"b", "build"}) == ["b._build_page", "build.x.y", "build.?"]


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """A synthetic archive of 1,000 papers (benchmarks.synth): its busiest categories and tags split into listing pages."""
    from benchmarks.synth import synthesize

    root = tmp_path_factory.mktemp("large")
    docs = synthesize(1000, root)
    out = root / "site"
    result = build_site(docs, ROOT / "demo" / "config.yml", out)
    assert result.returncode == 0, result.stderr[-3000:]
    return docs, out, result.stderr


def test_every_page_kind_of_the_site_is_built(large_site):
    docs, site, log = large_site
    assert "WARNING" not in log
    catalog = read_catalog(docs)
    for derived in (paths.HOME_PATH, paths.ARCHIVE_PATH, paths.CATEGORIES_PATH, paths.TAGS_PATH, paths.STATS_PATH, paths.FEEDS_PATH,
                    paths.SEARCH_PATH, paths.ABOUT_PATH, paths.RUNS_PATH):  # fmt: skip
        assert page_file(site, derived).is_file() or (site / paths.page_url(derived) / "index.html").is_file(), derived
    for paper in catalog.papers.values():
        assert page_file(site, paper.path).is_file()
    for day in catalog.days:
        assert page_file(site, day.path).is_file()
    months = sorted(site.glob("categories/*/20*-*/index.html")) + sorted(site.glob("tags/*/20*-*/index.html"))
    assert len(months) >= 4  # split categories and tags have listing pages
    assert (site / "feeds" / "all.rss.xml").is_file() and (site / "sitemap.xml").is_file() and (site / "sitemap.xml.gz").is_file()
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "pagefind" / "pagefind-ui.js").exists()  # Pagefind's own interfaces are not served


def test_links_of_listing_pages_resolve(large_site):
    """Regression: listing pages one folder below a topic's index (categories/cs.LG/2021-01/) linked as if they were the index."""
    _, site, _ = large_site
    pages = (
        sorted(site.glob("categories/*/20*-*/index.html"))
        + sorted(site.glob("tags/*/20*-*/index.html"))
        + sorted(site.glob("categories/*/index.html"))
    )
    checked = 0
    for page in pages:
        base = "http://site.test/" + page.relative_to(site).as_posix().removesuffix("index.html")
        for attribute, value in parse_page(page).links:
            target = urlparse(urljoin(base, value))
            if target.netloc != "site.test":
                continue
            local = site / unquote(target.path).lstrip("/")
            if target.path.endswith("/"):
                local = local / "index.html"
            assert local.is_file(), f"{page.relative_to(site)}: {attribute}={value!r} points at a missing file"
            checked += 1
    assert checked > 1000


def test_every_page_is_whole_in_its_html(large_site):
    """Issue 20: every page carries the site name linked home, the navigation, a GET search form to
    search/ and the footer in its HTML (no script assembles a page: pages once got them from chrome.js)."""
    _, site, _ = large_site
    kinds = {
        "paper": next(site.glob("papers/*/*/index.html")), "day": next(site.glob("days/*/*/index.html")),
        "category": next(site.glob("categories/*/index.html")), "listing": next(site.glob("categories/*/20*-*/index.html")),
        "tag": next(site.glob("tags/*/index.html")), "home": site / "index.html", "search": site / "search" / "index.html",
        "about": site / "about" / "index.html", "missing": site / "404.html",
    }  # fmt: skip
    for kind, page in kinds.items():
        html = page.read_text(encoding="utf-8")
        base = "http://site.test/" + page.relative_to(site).as_posix().removesuffix("index.html")
        home = re.search(r'<a href="([^"]+)" title="[^"]*" class="md-header__button md-logo"', html)
        assert home and urljoin(base, home.group(1)).rstrip("/") in ("http://site.test", "http://site.test/index.html"), kind
        assert 'class="md-header__topic"' in html and "arXiv daily archive (demo)" in html, kind
        nav = re.search(r'<nav class="md-nav md-nav--primary".*?<div class="md-content"', html, re.DOTALL)
        assert nav and all(
            re.search(rf">\s*{name}\s*<", nav.group(0)) for name in ("Home", "Archive", "Categories", "Tags", "Search", "About")
        ), kind
        form = re.search(r'<form class="asb-form"[^>]*action="([^"]+)" method="get"', html)
        assert form and urljoin(base, form.group(1)) == "http://site.test/search/", kind
        assert 'name="q"' in html and '<footer class="md-footer">' in html, kind
        assert "chrome.js" not in html and "document.write" not in html, kind


def test_every_script_and_stylesheet_is_addressed_by_its_content(large_site):
    """Issue 20: the site's own scripts and stylesheets carry a fingerprint of what they serve, so no build serves stale code."""
    _, site, _ = large_site
    addresses = set()
    for page in [
        next(site.glob("papers/*/*/index.html")),
        next(site.glob("days/*/*/index.html")),
        site / "index.html",
        site / "stats" / "index.html",
    ]:
        addresses |= set(re.findall(r'(?:src|href)="(?:\.\./)*(assets/[^"]+\.(?:js|css)(?:\?v=\w+)?)"', page.read_text(encoding="utf-8")))
    own = [a for a in addresses if not re.search(r"\.[0-9a-f]{8}\.min\.", a) and "freshness-values" not in a]
    assert {"assets/stylesheets/archive.css", "assets/javascripts/reader.js", "assets/javascripts/math.js"} <= {
        a.split("?")[0] for a in own
    }
    for address in own:
        path, _, version = address.partition("?v=")
        served = (site / path).read_bytes()
        assert version == hashlib.sha256(served).hexdigest()[:8], address
    reader = (site / "assets" / "javascripts" / "reader.js").read_text(encoding="utf-8")
    math = hashlib.sha256((site / "assets" / "javascripts" / "math.js").read_bytes()).hexdigest()[:8]
    assert f"math.js?v={math}" in reader  # what a script loads is named by its fingerprint too
    archive_css = (site / "assets" / "stylesheets" / "archive.css").read_text(encoding="utf-8")
    assert re.search(r'url\("reader\.css\?v=[0-9a-f]{8}"\)', archive_css)


def test_a_broken_template_fails_the_build_with_one_line_naming_it(fixture_archive, tmp_path):
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    template = tmp_path / "overrides" / "archive" / "day.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("<h1"))
    lines[line - 1] += "{{ day.no_such_field }}"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build_site(fixture_archive.docs, fixture_archive.config, tmp_path / "site", mkdocs_yml=tmp_path / "mkdocs.yml")
    assert result.returncode != 0
    [error] = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert f"overrides/archive/day.html:{line}: " in error and "no_such_field" in error and "fix: correct the template" in error
    assert "Traceback" not in result.stderr
