"""Every page kind, checked by third-party tools as a reader and a validator see it (issue 20).

- The Nu HTML Checker (npm `vnu-jar`, on Debian's default-jre): no error on any page kind.
- JavaScript off (a real Chromium with scripts disabled): every page kind shows the site name
  linked home, the navigation, and a search form that submits to search/; the search page
  says that search needs JavaScript and where to browse instead.
- Lighthouse 12.8 (npm, on Debian's chromium), mobile: no layout shift from the page's own
  scripts or fonts (CLS at most 0.05) and accessibility 100 on home, day, paper, search, tag,
  reading list and stats.

All three run on the session's real `mkdocs build --strict` of the fixture archive.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.sitekit import CHROMIUM, CHROMIUM_ARGS, ROOT, serve

NPM = ROOT / "tests" / "npm"
CLS_LIMIT = 0.05


@pytest.fixture(scope="session")
def npm_tools() -> Path:
    """tests/npm/node_modules, installed from the lock by the script `make test` runs."""
    result = subprocess.run(["sh", str(ROOT / "scripts" / "install-npm-tools.sh")], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"scripts/install-npm-tools.sh failed: {result.stderr[-2000:]}"
    return NPM / "node_modules"


def page_kinds(site: Path) -> dict[str, str]:
    """One page of each kind, by kind: its URL from the site root."""
    first = lambda pattern: next(iter(sorted(site.glob(pattern)))).parent.relative_to(site).as_posix() + "/"  # noqa: E731
    return {
        "home": "", "day": "days/2026/2026-09-24/", "paper": "papers/2504/2504.18298/", "old-style paper": "papers/hep-th/9901001/",
        "category": "categories/cs.LG/", "tag": first("tags/*/index.html"), "archive": "archive/", "categories": "categories/",
        "tags": "tags/", "stats": "stats/", "feeds": "feeds/", "search": "search/", "reading list": "reading-list/",
        "about": "about/", "runs": "runs/", "missing page": "404.html",
    }  # fmt: skip


def test_every_page_kind_is_valid_html(built_site, npm_tools):
    java = shutil.which("java")
    assert java, "java is missing: install Debian's default-jre (`.ci/run` does) for the Nu HTML Checker"
    files = [built_site / (url if url.endswith(".html") else url + "index.html") for url in page_kinds(built_site).values()]
    result = subprocess.run(
        [java, "-jar", str(npm_tools / "vnu-jar" / "build" / "dist" / "vnu.jar"), "--errors-only", "--format", "gnu", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    errors = [line.replace(f"file:{built_site}/", "") for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 0 and errors == [], "\n".join(errors[:40])


def on_screen(locator) -> bool:
    """Shown and inside the viewport (Material's closed drawer is moved off-screen, to its left)."""
    box = locator.bounding_box() if locator.is_visible() else None
    return box is not None and box["x"] + box["width"] > 0 and box["x"] < locator.page.viewport_size["width"]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_kind_is_navigable_without_javascript(built_site, browser, width):
    with serve(built_site) as base:
        context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
        page = context.new_page()
        for kind, url in page_kinds(built_site).items():
            page.goto(base + url)
            home = page.locator("header .md-header__topic a.archive-home")  # the logo, a link home too, is hidden on a phone
            assert home.is_visible() and home.inner_text().strip() == "arXiv daily archive (demo)", kind
            assert urljoin(page.url, home.get_attribute("href")).rstrip("/") + "/" == base, kind
            logo = page.locator("header a.md-logo")
            assert (
                urljoin(page.url, logo.get_attribute("href")).rstrip("/") + "/" == base
                and logo.get_attribute("aria-label") == "arXiv daily archive (demo)"
            ), kind
            form = page.locator("header form[role=search]")
            assert form.get_attribute("method") == "get" and urljoin(page.url, form.get_attribute("action")) == base + "search/", kind
            nav = page.locator(".md-sidebar--primary nav.md-nav--primary")
            if width < 1220:  # Material's drawer: a checkbox and its label, no script needed
                assert not on_screen(nav.get_by_role("link", name="Archive", exact=True)), kind
                page.locator("header label[for=__drawer]").click()
                page.wait_for_timeout(400)  # the drawer slides in
            links = nav.locator(".md-nav__link")  # the page's own entry is a label opening its table of contents
            names = [links.nth(i).inner_text().strip() for i in range(links.count()) if on_screen(links.nth(i))]
            assert {"Home", "Archive", "Categories", "Tags", "Search", "Reading list", "About"} <= set(names), (kind, names)
            assert page.locator("footer.md-footer").count() == 1, kind
        # The navigation works: from a paper page to the archive, then to a day.
        page.goto(base + page_kinds(built_site)["paper"])
        if width < 1220:
            page.locator("header label[for=__drawer]").click()
            page.wait_for_timeout(400)
        page.locator(".md-sidebar--primary nav.md-nav--primary").get_by_role("link", name="Archive", exact=True).click()
        page.wait_for_url(base + "archive/")
        assert page.locator("article a[href*='days/']").count() > 0
        # The search form submits to the search page, which says what to do without JavaScript.
        page.goto(base + page_kinds(built_site)["day"])
        if width >= 1220:
            page.locator("header input[name=q]").fill("quantum")
            page.locator("header input[name=q]").press("Enter")
            page.wait_for_url(base + "search/?q=quantum")
        else:
            page.goto(base + "search/?q=quantum")
        notice = page.locator("article .as-noscript")
        assert notice.is_visible() and "needs JavaScript" in notice.inner_text()
        assert {"archive", "categories", "tags"} <= {notice.locator("a").nth(i).inner_text() for i in range(notice.locator("a").count())}
        context.close()


LIGHTHOUSE_KINDS = ("home", "day", "paper", "search", "tag", "reading list", "stats")


def lighthouse(npm_tools: Path, url: str, out: Path) -> dict:
    """One Lighthouse run (mobile, the defaults of its CLI) on Debian's chromium: its JSON report."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    result = subprocess.run(
        ["node", str(npm_tools / "lighthouse" / "cli" / "index.js"), url, "--quiet", "--only-categories=performance,accessibility",
         "--form-factor=mobile", "--output=json", f"--output-path={out}", f"--chrome-flags={flags}"],
        capture_output=True, text=True, timeout=240, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    assert result.returncode == 0, f"lighthouse {url}: {result.stderr[-2000:]}"
    return json.loads(out.read_text(encoding="utf-8"))


def test_lighthouse_finds_no_layout_shift_and_full_accessibility(built_site, npm_tools, tmp_path):
    kinds = page_kinds(built_site)
    found = {}
    with serve(built_site) as base:
        for kind in LIGHTHOUSE_KINDS:
            report = lighthouse(npm_tools, base + kinds[kind], tmp_path / f"{kind}.json")
            shifts = report["audits"].get("layout-shifts", {}).get("details", {}).get("items", [])
            found[kind] = (
                report["audits"]["cumulative-layout-shift"]["numericValue"], report["categories"]["accessibility"]["score"],
                [(item["node"].get("selector"), round(item["score"], 3)) for item in shifts],
            )  # fmt: skip
    failing = {kind: value for kind, value in found.items() if value[0] > CLS_LIMIT or value[1] != 1}
    assert failing == {}, failing
