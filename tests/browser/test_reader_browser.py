"""The reader (reader.js, reading-list.js) in Chromium, on a real `mkdocs build` of the fixture archive.

Keys on day, category, tag and search-result lists, the reading list (save, reload, export
BibTeX and ids, remove, import), "new since your last visit" across two builds, read marks,
the key help, the setting that turns single-key shortcuts off (WCAG 2.1.4), storage written by
anything, an expanded entry's headings in the page's outline, Tab never landing on anything
unseen, and axe-core scans of every page kind in both palettes, at desktop and phone widths.
overrides/archive/READER.md is the markup contract.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import jinja2
import pytest
from playwright.sync_api import expect

from generator.archive import paths
from generator.archive.store import Archive
from generator.config import load_config
from generator.text.tex import tex_plain
from generator.website.cite import bibtex
from tests.sitekit import DEMO_CONFIG, HOSTILE_ID, HOSTILE_TITLE, OLD_STYLE_ID, ROOT, SUMMARY_ONLY_WORD, Reader, build_site, serve

NPM = ROOT / "tests" / "npm"
READER_JS = ROOT / "overrides" / "assets" / "javascripts" / "reader.js"
MINIFIED_BUDGET = 15_000
"""Bytes of reader.js as the site serves it (minified at build), uncompressed: issue 12's page-weight budget."""
READING_LIST = paths.READING_LIST_PATH

LIST_KEY = "arxiv-archive:reading-list:v1"
READ_KEY = "arxiv-archive:read:v1"
VISIT_KEY = "arxiv-archive:visit:v1"
KEYS_KEY = "arxiv-archive:keys:v1"
DAY_A, DAY_B, DAY_C = "2026-04-30", "2026-09-24", "2026-09-25"
UNKNOWN_ID = "2609.00001"
"""A well-formed id that the fixture archive does not hold."""
PAPER_HREF = re.compile(r"/papers/(?:\d{4}/)?(.+?)/$")

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}


class Site:
    """The fixture archive's records (what the pages must show) and its built site."""

    def __init__(self, docs: Path, root: Path):
        archive = Archive(docs)
        self.root = root
        self.days = {d.isoformat(): archive.read_day(d) for d in (dt.date.fromisoformat(x) for x in (DAY_A, DAY_B, DAY_C))}
        ids = {i for day in self.days.values() for i in day.papers} | {"2609.26811", "2604.26951", OLD_STYLE_ID, HOSTILE_ID}
        self.papers = {i: archive.read_paper(i) for i in ids}


@pytest.fixture(scope="session")
def npm_tools() -> Path:
    """tests/npm/node_modules, installed from the lock by the same script `make test` runs."""
    result = subprocess.run(["sh", str(ROOT / "scripts" / "install-npm-tools.sh")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"scripts/install-npm-tools.sh failed: {result.stderr[-2000:]}"
    return NPM / "node_modules"


@pytest.fixture(scope="module")
def site(fixture_archive, built_site):
    return Site(fixture_archive.docs, built_site)


@pytest.fixture(scope="module")
def base(site):
    with serve(site.root) as url:
        yield url


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request) -> dict:
    return VIEWPORTS[request.param]


@pytest.fixture
def reader(browser, base, viewport):
    opened = Reader(browser, base, **viewport)
    yield opened
    opened.close()


def day_url(date: str) -> str:
    return paths.page_url(paths.day_path(dt.date.fromisoformat(date)))


def paper_url(arxiv_id: str) -> str:
    return paths.page_url(paths.paper_path(arxiv_id))


def listed(site, date: str, limit: int | None = None) -> list[str]:
    return [i for i in site.days[date].papers if i in site.papers][:limit]


def ids_of(page, selector: str) -> list[str]:
    """The arXiv ids of the entries `selector` finds, read from their title links (READER.md: the id is in the address)."""
    hrefs = page.evaluate("s => [...document.querySelectorAll(s)].map(e => e.querySelector(':scope > a').href)", selector)
    return [PAPER_HREF.search(h).group(1) for h in hrefs]


def selected_ids(page) -> list[str]:
    return ids_of(page, '[aria-current="true"]')


def entry(page, arxiv_id: str):
    return page.locator(".paper-entry").filter(has=page.locator(f'a.entry-title[href$="/{arxiv_id}/"]'))


def lines(locator) -> int:
    """Lines of text the element shows."""
    return locator.evaluate("e => Math.round(e.clientHeight / parseFloat(getComputedStyle(e).lineHeight))")


def title(site, arxiv_id: str) -> str:
    """A paper's title as pages and the reading list show it: plain text (generator/text/tex.py)."""
    return tex_plain(site.papers[arxiv_id].announcement.title)


def stored(page, key: str):
    return page.evaluate("key => JSON.parse(localStorage.getItem(key))", key)


def below_header(page, arxiv_id: str) -> bool:
    """The entry's top is on screen and not under Material's sticky header."""
    return entry(page, arxiv_id).evaluate(
        "e => { const r = e.getBoundingClientRect(), h = document.querySelector('.md-header').getBoundingClientRect().bottom;"
        " return r.top >= h - 1 && r.top < innerHeight; }"
    )


def drop_expected_404s(reader: Reader, urls: list[str]) -> None:
    """Importing an id the site does not hold asks for its page once: that 404 is the answer, not a fault."""
    expected = [f"404 {u}" for u in urls]
    assert sorted(f for f in reader.failures if f in expected) == sorted(expected), reader.failures
    reader.failures[:] = [f for f in reader.failures if f not in expected]
    missing = [e for e in reader.errors if "status of 404" in e]
    assert len(missing) == len(urls), reader.errors
    reader.errors[:] = [e for e in reader.errors if "status of 404" not in e]


# -- the script and the fragments ------------------------------------------------------------


def test_reader_js_minified_fits_the_budget(npm_tools, built_site):
    """As the build serves it (rjsmin: comments and spaces out, names kept) and as terser would shrink it."""
    served = len((built_site / "assets" / "javascripts" / "reader.js").read_bytes())
    assert 1000 < served <= MINIFIED_BUDGET, f"the site serves reader.js in {served} bytes; the budget is {MINIFIED_BUDGET}"
    result = subprocess.run(
        [str(npm_tools / ".bin" / "terser"), str(READER_JS), "--compress", "--mangle"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    size = len(result.stdout.encode("utf-8"))
    assert 1000 < size < served, f"terser: {size} bytes"


def test_core_maps_paper_ids_and_addresses_as_the_build_places_pages(base, browser):
    """core.js's paperUrl/paperId, the scripts' one id <-> address rule, against generator/archive/paths.py, in a real page."""
    reader = Reader(browser, base)
    reader.page.goto(base + day_url(DAY_B))
    ids = ["2609.26811", "2501.00001", "0704.0001", OLD_STYLE_ID, "math.GT/0309136", "cond-mat/0001001"]
    found = reader.page.evaluate(
        """ids => ids.map(id => { const c = window.archiveCore, url = c.paperUrl(id);
            const href = new URL(url, c.root).href;
            return [url, c.paperId(href), c.paperId(href + '?q=1#x'), c.paperId(href + 'index.html')]; })""",
        ids,
    )
    assert found == [[paper_url(i), i, i, i] for i in ids]
    nothing = reader.page.evaluate(
        """() => { const c = window.archiveCore;
            return [c.paperUrl('2609.26811v2'), c.paperUrl('../x'), c.paperId('days/2026/2026-09-24/'),
                    c.paperId('https://arxiv.org/abs/2609.26811')]; }"""
    )
    assert nothing == [None, None, None, None]
    reader.assert_clean()
    reader.close()


def test_fragments_render_with_plain_jinja():
    """The plugin includes them as they are: no MkDocs, no variable."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "overrides")), autoescape=True, undefined=jinja2.StrictUndefined)
    page = env.get_template("archive/reading-list.html").render()
    assert '<div id="reading-list">' in page
    for marker in (
        "data-reader-items",
        "data-reader-count",
        'data-export="bib"',
        'data-export="ids"',
        'data-export="yaml"',
        "data-reader-import",
        "data-reader-status",
        "data-reader-output",
    ):
        assert marker in page, marker
    assert '<input type="checkbox" data-reader-keys-setting>' in page, "the setting that turns single-key shortcuts off"
    help_html = env.get_template("archive/partials/keys-help.html").render()
    assert "data-reader-keys><button" in help_html and "data-reader-keys-open" in help_html  # in the page from the start: nothing moves


# -- keys on a list ------------------------------------------------------------------------------


def test_keys_select_expand_and_open(site, base, reader):
    page = reader.page
    ids = listed(site, DAY_A)
    page.goto(base + day_url(DAY_A))
    assert selected_ids(page) == []
    page.keyboard.press("j")
    assert selected_ids(page) == [ids[0]], "the first j selects the first paper"
    assert page.evaluate("() => document.activeElement.getAttribute('aria-current')") == "true", "focus follows the selection"
    page.keyboard.press("j")
    assert selected_ids(page) == [ids[1]]
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert selected_ids(page) == [ids[0]], "k stops at the first paper"
    for _ in range(len(ids) + 2):
        page.keyboard.press("j")
    assert selected_ids(page) == [ids[-1]], "j stops at the last paper"
    assert below_header(page, ids[-1])
    for _ in range(len(ids)):
        page.keyboard.press("k")
    assert below_header(page, ids[0])

    # x: the whole abstract and the summary (read from the paper page), math typeset.
    first = entry(page, ids[0])
    abstract = first.locator(".entry-abstract")
    assert lines(abstract) <= 2, "a collapsed abstract shows two lines at most"
    assert abstract.inner_text().endswith(" …"), "the list carries the abstract's start"
    page.keyboard.press("x")
    expect(first.locator(".reader-expand")).to_have_attribute("aria-expanded", "true")
    expect(abstract).to_have_text(site.papers[ids[0]].announcement.abstract)
    assert lines(abstract) > 2 and abstract.evaluate("e => e.scrollHeight <= e.clientHeight + 2"), "expanded: all of it"
    expect(first.locator(".entry-summary")).to_contain_text(SUMMARY_ONLY_WORD)
    expect(first.locator(".entry-summary .katex")).to_have_count(1)
    expect(first.locator(".entry-gist")).to_be_hidden()
    page.keyboard.press("x")
    expect(first.locator(".reader-expand")).to_have_attribute("aria-expanded", "false")
    expect(first.locator(".entry-summary")).to_be_hidden()
    assert lines(abstract) <= 2
    # The same by pointer or touch: the Expand button.
    plain = next(i for i in ids if site.papers[i].summary is None)
    second = entry(page, plain)
    second.locator(".reader-expand").click()
    expect(second.locator(".reader-expand")).to_have_attribute("aria-expanded", "true")
    expect(second.locator(".entry-abstract")).to_have_text(site.papers[plain].announcement.abstract)
    assert second.locator(".entry-summary").count() == 0, "no summary box for a paper without a summary"

    # o opens the paper page and marks the paper read.
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("o")
    assert page.url == base + paper_url(ids[1])
    page.go_back()
    expect(entry(page, ids[1])).to_have_class(re.compile(r"\bis-read\b"))
    expect(entry(page, ids[1]).locator(".reader-tag--read")).to_have_text("Read")
    # Enter opens too.
    page.reload()
    for _ in range(3):
        page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + paper_url(ids[2])
    assert set(stored(page, READ_KEY)) == {ids[1], ids[2]}
    reader.assert_clean()


def test_keys_do_nothing_while_typing_or_with_modifiers(site, base, reader):
    """In a field (input, textarea, select, contenteditable) every key is the field's: none selects, saves, searches or helps."""
    page = reader.page
    page.goto(base + day_url(DAY_A))
    search = page.get_by_role("searchbox", name="Search papers")
    if not search.is_visible():  # a phone: the header shows a Search button that opens the box
        page.get_by_role("button", name="Search", exact=True).click()
    search.click()
    page.keyboard.type("jkxso?/nf")
    expect(search).to_have_value("jkxso?/nf")
    search.fill("")
    page.keyboard.press("Escape")  # the header's results panel closes
    page.evaluate(
        "() => { const a = document.querySelector('article');"
        ' a.insertAdjacentHTML(\'afterbegin\', \'<div contenteditable="true" aria-label="Notes" id="notes"></div>'
        '<textarea aria-label="Draft" id="draft"></textarea>'
        '<label>Pick <select id="pick"><option>j</option><option>s</option></select></label>\'); }'
    )
    page.locator("#notes").click()
    page.keyboard.type("jxs/?")
    expect(page.locator("#notes")).to_have_text("jxs/?")
    expect(page.locator("#notes")).to_be_focused()  # "/" did not take focus to the search box
    page.locator("#draft").click()
    page.keyboard.type("jkxso?/sf")
    expect(page.locator("#draft")).to_have_value("jkxso?/sf")
    expect(page.locator("#draft")).to_be_focused()
    page.locator("#pick").focus()
    page.keyboard.press("s")
    page.keyboard.press("j")
    page.keyboard.press("/")
    expect(page.locator("#pick")).to_be_focused()
    page.evaluate("() => document.activeElement.blur()")
    for chord in ("Alt+j", "Control+j", "Meta+j", "Shift+J", "Alt+s", "Meta+s", "Control+x"):
        page.keyboard.press(chord)
    assert selected_ids(page) == []
    assert stored(page, LIST_KEY) is None
    assert page.evaluate("() => !document.getElementById('reader-keys')?.open"), "the key help did not open"
    page.keyboard.press("j")
    assert selected_ids(page) == [listed(site, DAY_A)[0]], "keys work again once nothing is being typed"
    reader.assert_clean()


def test_key_help_dialog_takes_and_gives_back_focus(site, base, reader):
    page = reader.page
    page.goto(base + day_url(DAY_B))
    dialog = page.locator("#reader-keys")
    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("d => d.open && d.contains(document.activeElement)"), "focus moves into the dialog"
    expect(page.get_by_role("button", name="Close")).to_be_focused()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], "the dialog fits the screen"
    page.keyboard.press("Tab")
    assert dialog.evaluate("d => d.contains(document.activeElement) || document.activeElement === document.body"), (
        "focus stays out of the page behind"
    )
    page.keyboard.press("j")
    assert selected_ids(page) == [listed(site, DAY_B)[0]], "list keys wait while the help is open"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-current')") == "true", "focus goes back to the selected paper"
    opener = page.get_by_role("button", name="Keyboard shortcuts")
    opener.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # on the focused Close button
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    reader.assert_clean()


# -- single-key shortcuts under the reader's control (WCAG 2.1.4) --------------------------------------

SINGLE_KEYS = ("j", "k", "o", "x", "s", "?", "/", "f", "n", "p", ",", ".")
"""Every single-character key a script of the site acts on: reader.js's, search.js's ("/", and "s", "f" where no list
is), Material's ("n", "p", "," and "." follow the nav's `link rel=next/prev`)."""


def keys_setting(page):
    return page.get_by_role("checkbox", name="Use single-key shortcuts")


def search_opened(page) -> bool:
    return page.evaluate("() => document.querySelector('[data-archive-search-box]').classList.contains('asb--open')"
                         " || document.activeElement.matches('.asb-input')")  # fmt: skip


def press_every_single_key(page) -> None:
    for key in SINGLE_KEYS:
        page.keyboard.press(key)
    page.wait_for_timeout(300)  # a navigation a key might have started would have begun


def test_single_key_shortcuts_turn_off_and_on_and_the_choice_is_remembered(site, base, reader):
    page = reader.page
    a = listed(site, DAY_A)
    # On by default; the help and its setting are reached by a button (no key needed).
    page.goto(base + day_url(DAY_A))
    page.get_by_role("button", name="Keyboard shortcuts").click()
    dialog = page.locator("#reader-keys")
    expect(dialog).to_be_visible()
    expect(keys_setting(page)).to_be_visible()
    expect(keys_setting(page)).to_be_checked()
    keys_setting(page).click()
    expect(keys_setting(page)).not_to_be_checked()
    assert stored(page, KEYS_KEY) == {"single": False}
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # Off: no key of a list, of search or of Material does anything; Ctrl+K (not a single key) still searches.
    page.evaluate("() => document.activeElement.blur()")
    press_every_single_key(page)
    assert page.url == base + day_url(DAY_A)
    assert selected_ids(page) == [] and stored(page, LIST_KEY) is None
    expect(dialog).to_be_hidden()
    assert not search_opened(page)
    page.keyboard.press("Control+k")
    assert search_opened(page)
    page.keyboard.press("Escape")
    # What a key does by itself stays: it types in a field.
    page.evaluate(
        "() => document.querySelector('article').insertAdjacentHTML("
        "'afterbegin', '<textarea aria-label=\"Draft\" id=\"draft\"></textarea>')"
    )
    page.locator("#draft").click()
    page.keyboard.type("jks/?n")
    expect(page.locator("#draft")).to_have_value("jks/?n")

    # Remembered: after a reload, on other pages (a nav page has Material's next/prev links), and on the reading list.
    page.reload()
    press_every_single_key(page)
    assert selected_ids(page) == [] and not search_opened(page) and page.url == base + day_url(DAY_A)
    for url in ("archive/", paper_url(a[0])):
        page.goto(base + url)
        press_every_single_key(page)
        assert page.url == base + url, f"a key left {url} with single-key shortcuts off"
        assert not search_opened(page), url
    page.goto(base + paths.page_url(READING_LIST))
    expect(keys_setting(page)).to_be_visible()
    expect(keys_setting(page)).not_to_be_checked()
    assert page.locator("#reading-list-keys").is_visible(), "the setting has its own heading on the reading-list page"

    # Back on, from the reading list: every key acts again.
    keys_setting(page).click()
    expect(keys_setting(page)).to_be_checked()
    assert stored(page, KEYS_KEY) == {"single": True}
    page.goto(base + "archive/")
    with page.expect_navigation():
        page.keyboard.press("n")  # Material: the nav's next page
    assert page.url == base + "categories/"
    page.goto(base + paper_url(a[0]))
    page.keyboard.press("/")
    assert search_opened(page)
    page.goto(base + day_url(DAY_A))
    page.keyboard.press("j")
    assert selected_ids(page) == [a[0]]
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(keys_setting(page)).to_be_checked()
    reader.assert_clean()


def test_the_setting_follows_a_change_made_in_another_tab(site, base, reader):
    page = reader.page
    page.goto(base + paths.page_url(READING_LIST))
    expect(keys_setting(page)).to_be_checked()
    other = reader.context.new_page()
    other.goto(base + day_url(DAY_B))
    other.get_by_role("button", name="Keyboard shortcuts").click()
    keys_setting(other).click()
    expect(keys_setting(other)).not_to_be_checked()
    expect(keys_setting(page)).not_to_be_checked()  # the storage event reached the reading list
    page.keyboard.press("/")
    assert not search_opened(page)
    other.close()
    reader.assert_clean()


def test_storage_that_keeps_nothing_still_turns_the_keys_off_on_the_page(site, base, browser):
    """A browser that keeps nothing (storage full): the choice holds on the page, and the reader is told it is not kept."""
    reader = Reader(browser, base, viewport={"width": 1280, "height": 800})
    reader.context.add_init_script("Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); }")
    page = reader.page
    page.goto(base + day_url(DAY_A))
    page.get_by_role("button", name="Keyboard shortcuts").click()
    keys_setting(page).click()
    expect(keys_setting(page)).not_to_be_checked()
    page.get_by_role("button", name="Close").click()
    expect(page.locator(".reader-toast")).to_contain_text("did not keep the change")
    page.keyboard.press("j")
    assert selected_ids(page) == []
    reader.assert_clean()
    reader.close()


# -- the reading list ---------------------------------------------------------------------------


def test_save_three_from_two_days_then_export_remove_import(site, base, reader, tmp_path):
    page = reader.page
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    a, b = listed(site, DAY_A), listed(site, DAY_B)
    page.goto(base + day_url(DAY_A))
    page.keyboard.press("j")
    page.keyboard.press("s")
    expect(page.locator(".reader-toast")).to_have_text("Saved to your reading list: " + site.papers[a[0]].announcement.title)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.goto(base + day_url(DAY_B))
    page.keyboard.press("j")
    page.keyboard.press("s")
    saved = [b[0], a[2], a[0]]  # newest first
    page.reload()
    expect(entry(page, b[0]).locator(".reader-save")).to_have_attribute("aria-pressed", "true")
    expect(entry(page, b[1]).locator(".reader-save")).to_have_attribute("aria-pressed", "false")
    page.goto(base + day_url(DAY_A))
    assert [entry(page, i).locator(".reader-save").get_attribute("aria-pressed") for i in a] == [
        "true" if i in (a[0], a[2]) else "false" for i in a
    ]

    page.goto(base + paths.page_url(READING_LIST))
    items = page.locator(".reading-list > li")
    expect(items).to_have_count(3)
    assert [i.get_attribute("href") for i in page.locator(".reading-title").all()] == [base + paper_url(i) for i in saved]
    expect(page.locator("[data-reader-count]")).to_have_text("3 saved papers, newest first.")
    # A list entry carries ten authors at most: the page completes the record from the paper page.
    page.wait_for_function("([key, id]) => JSON.parse(localStorage.getItem(key)).find(r => r.id === id).bibkey && "
                           "!JSON.parse(localStorage.getItem(key)).find(r => r.id === id).more", arg=[LIST_KEY, a[0]])  # fmt: skip

    with page.expect_download() as download:
        page.get_by_role("button", name="Download BibTeX").click()
    assert download.value.suggested_filename == "reading-list.bib"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert [e["eprint"] for e in library.entries] == saved
    assert text == "\n\n".join(bibtex(site.papers[i]) for i in saved) + "\n", "the paper pages' Cite entries, as they are"
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.locator("[data-reader-status]")).to_have_text("Copied the BibTeX of 3 papers to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == text
    with page.expect_download() as download:
        page.get_by_role("button", name="Download arXiv ids").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").split() == saved

    # Remove the middle one with the keyboard: focus moves to the next Remove button.
    page.get_by_role("button", name="Remove: " + site.papers[a[2]].announcement.title).focus()
    page.keyboard.press("Enter")
    expect(items).to_have_count(2)
    expect(page.get_by_role("button", name="Remove: " + site.papers[a[0]].announcement.title)).to_be_focused()
    expect(page.locator("[data-reader-status]")).to_have_text("Removed from your reading list: " + site.papers[a[2]].announcement.title)

    # Import ids from any text: versions, links, old-style ids, an id the site lacks, one already saved.
    page.get_by_label("arXiv ids or links").fill(
        f"Read arXiv:{a[2]}v1 and https://arxiv.org/abs/{OLD_STYLE_ID}v2, then {UNKNOWN_ID} (and {b[0]} again). Not ids: 1234.5 12609.26811"
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("[data-reader-status]")).to_have_text(
        "Imported 3 papers; 1 not in this archive, listed with a link to arXiv; 1 already in your list."
    )
    expect(items).to_have_count(5)
    hrefs = [i.get_attribute("href") for i in page.locator(".reading-title").all()]
    assert hrefs == [
        base + paper_url(a[2]),
        base + paper_url(OLD_STYLE_ID),
        f"https://arxiv.org/abs/{UNKNOWN_ID}",
        base + paper_url(b[0]),
        base + paper_url(a[0]),
    ]
    assert "not in this archive" in items.nth(2).inner_text()
    records = {r["id"]: r for r in stored(page, LIST_KEY)}
    old = site.papers[OLD_STYLE_ID].announcement
    assert records[OLD_STYLE_ID]["title"] == tex_plain(old.title) and records[OLD_STYLE_ID]["authors"] == list(old.authors)
    assert records[OLD_STYLE_ID]["doi"] == old.doi and records[OLD_STYLE_ID]["date"] == site.papers[OLD_STYLE_ID].announced.isoformat()
    expect(page.get_by_label("arXiv ids or links")).to_have_value("")

    # Import from a file: a .bib whose entries name their eprint.
    page.get_by_label("Or import from a file").set_input_files(
        files=[{"name": "refs.bib", "mimeType": "text/plain", "buffer": f"@misc{{x,\n  eprint={{{b[1]}}},\n}}\n".encode()}]
    )
    expect(page.locator("[data-reader-status]")).to_have_text("Imported 1 paper.")
    page.reload()
    expect(items).to_have_count(6)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download BibTeX").click()
    library = bibtexparser.parse_string(Path(download.value.path()).read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    assert [e["eprint"] for e in library.entries] == [b[1], a[2], OLD_STYLE_ID, UNKNOWN_ID, b[0], a[0]]
    assert len({e.key for e in library.entries}) == 6
    drop_expected_404s(reader, [base + paper_url(UNKNOWN_ID)])
    reader.assert_clean()


def test_saved_papers_export_as_the_interests_of_config_yml(site, base, reader, tmp_path):
    """Issue 22, item 5: the reading list gives the lines to paste under `interests.papers`, and config.yml reads its ids back."""
    page = reader.page
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    # Records as stored by anything: a title holding what YAML would take for line breaks, and keys it would read there.
    tricky = 'One\ninterests:\u2028  weight: 99\u0085min_score: 0\r\n- "2401.00001" # "quoted" \u0007'
    records = [
        {"id": "2609.26810", "title": tricky, "authors": ["A"], "bibkey": "k1", "saved": 3},  # YAML reads 2609.26810 as 2609.2681
        {"id": OLD_STYLE_ID, "title": title(site, OLD_STYLE_ID), "authors": ["B"], "bibkey": "k2", "saved": 2},
        {"id": HOSTILE_ID, "title": tex_plain(HOSTILE_TITLE), "authors": ["C"], "bibkey": "k3", "saved": 1},
        {"id": UNKNOWN_ID, "missing": 1, "saved": 0},
    ]
    page.goto(base + paths.page_url(READING_LIST))
    page.evaluate("([key, list]) => localStorage.setItem(key, JSON.stringify(list))", [LIST_KEY, records])
    page.reload()
    expect(page.locator(".reading-list > li")).to_have_count(4)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as config.yml interests").click()
    assert download.value.suggested_filename == "interests.yml"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("    # ") and len(lines) == 5 and text.endswith("\n")
    assert lines[1] == '    - "2609.26810"  # One interests: weight: 99 min_score: 0 - "2401.00001" # "quoted"'
    assert lines[2] == f'    - "{OLD_STYLE_ID}"  # {title(site, OLD_STYLE_ID)}' and lines[4] == f'    - "{UNKNOWN_ID}"'
    page.get_by_role("button", name="Copy as config.yml interests").click()
    expect(page.locator("[data-reader-status]")).to_have_text("Copied the config.yml lines of 4 papers to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == text
    # Pasted under interests.papers of a real config.yml, the lines give exactly the saved ids, nothing else.
    config_yml = tmp_path / "config.yml"
    config_yml.write_text((ROOT / "config.yml").read_text(encoding="utf-8") + "\ninterests:\n  papers:\n" + text, encoding="utf-8")
    config = load_config(config_yml, environ={})
    assert config.interests.papers == ("2609.26810", OLD_STYLE_ID, HOSTILE_ID, UNKNOWN_ID)
    assert config.interests.weight == load_config(ROOT / "config.yml", environ={}).interests.weight
    assert config.min_score == load_config(ROOT / "config.yml", environ={}).min_score
    # The About page says that saved papers can become interests, and links the reading list.
    page.goto(base + "about/")
    note = page.locator("#interests-from-reading-list")
    expect(note).to_contain_text("can become interests")
    note.get_by_role("link", name="reading list").click()
    page.wait_for_url(base + paths.page_url(READING_LIST))
    reader.assert_clean()


def test_paper_page_save_button_and_hostile_text(site, base, reader):
    page = reader.page
    hostile = site.papers[HOSTILE_ID]
    page.goto(base + paper_url(HOSTILE_ID))
    # Links to the paper elsewhere, from its id (plain links: assert_clean below says nothing was loaded).
    expect(page.locator(".paper-elsewhere a")).to_have_count(3)
    assert [(x.inner_text(), x.get_attribute("href")) for x in page.locator(".paper-elsewhere a").all()] == [
        ("alphaXiv", f"https://www.alphaxiv.org/abs/{HOSTILE_ID}"),
        ("Hugging Face", f"https://huggingface.co/papers/{HOSTILE_ID}"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/arxiv/{HOSTILE_ID}"),
    ]
    save = page.get_by_role("button", name="Save to reading list: " + tex_plain(HOSTILE_TITLE))
    expect(save).to_have_attribute("aria-pressed", "false")
    save.click()
    expect(save).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".reader-toast")).to_have_text("Saved to your reading list: " + tex_plain(HOSTILE_TITLE))
    page.reload()
    expect(save).to_have_attribute("aria-pressed", "true")
    assert HOSTILE_ID in stored(page, READ_KEY), "viewing a paper page marks it read"
    page.goto(base + paper_url(OLD_STYLE_ID))
    assert page.locator(".paper-elsewhere a").all_inner_texts() == ["alphaXiv", "Semantic Scholar"], "Hugging Face knows new-style ids only"
    page.goto(base + day_url(DAY_C))
    expect(entry(page, HOSTILE_ID).locator(".reader-save")).to_have_attribute("aria-pressed", "true")
    links = entry(page, OLD_STYLE_ID).locator(".entry-links a:not(.reader-button)")
    assert [x.get_attribute("href") for x in links.all()] == [f"https://arxiv.org/{kind}/{OLD_STYLE_ID}" for kind in ("abs", "pdf", "html")]
    expect(entry(page, HOSTILE_ID).locator(".reader-tag--read")).to_have_text("Read")
    page.goto(base + paths.page_url(READING_LIST))
    expect(page.locator(".reading-list > li")).to_have_count(1)
    assert page.locator(".reading-list img, .reading-list script, .reading-list b").count() == 0
    assert stored(page, LIST_KEY)[0]["title"] == tex_plain(HOSTILE_TITLE), "the title as the page shows it (its citation_title)"
    with page.expect_download() as download:
        page.get_by_role("button", name="Download BibTeX").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text == bibtex(hostile) + "\n"
    assert bibtexparser.parse_string(text).failed_blocks == []
    reader.assert_clean()  # includes: no alert() ran


def test_storage_written_by_anything_is_survived(site, base, reader):
    page = reader.page
    page.goto(base + paths.page_url(READING_LIST))
    page.evaluate(
        "([l, r, v]) => { localStorage.setItem(l, '{not json'); localStorage.setItem(r, '{\"a\": 1}'); "
        "localStorage.setItem(v, '[1, 2]'); }",
        [LIST_KEY, READ_KEY, VISIT_KEY],
    )
    page.reload()
    expect(page.locator("[data-reader-count]")).to_contain_text("No saved papers yet")
    assert page.evaluate("key => localStorage.getItem(key + ':unreadable')", LIST_KEY) == "{not json", (
        "unreadable data is set aside, not lost"
    )
    page.goto(base)
    expect(page.locator("[data-reader-new]")).to_be_hidden()
    page.goto(base + day_url(DAY_B))
    page.keyboard.press("j")
    page.keyboard.press("s")
    assert [r["id"] for r in stored(page, LIST_KEY)] == [listed(site, DAY_B)[0]]
    # A plain list of ids (and records with wrong fields) is read and completed from the paper pages.
    page.evaluate(
        "key => localStorage.setItem(key, JSON.stringify(['2609.26811', {id: '../../etc/passwd'}, "
        "{id: '2604.26951', title: 5, url: 'javascript:alert(1)', authors: 'x'}, 'hep-th/9901001', '2609.26811']))",
        LIST_KEY,
    )
    page.goto(base + paths.page_url(READING_LIST))
    expect(page.locator(".reading-list > li")).to_have_count(3)
    page.wait_for_function("key => JSON.parse(localStorage.getItem(key)).every(r => r.title && r.bibkey)", arg=LIST_KEY)
    hrefs = [i.get_attribute("href") for i in page.locator(".reading-title").all()]
    assert hrefs == [base + paper_url(i) for i in ("2609.26811", "2604.26951", OLD_STYLE_ID)]
    assert [r["title"] for r in stored(page, LIST_KEY)] == [title(site, i) for i in ("2609.26811", "2604.26951", OLD_STYLE_ID)]
    reader.assert_clean()


# -- new since your last visit, read marks -----------------------------------------------------------


def without_the_last_day(fixture_archive, site, folder: Path) -> tuple[Path, Path, list]:
    """A copy of the fixture archive in folder/docs without its last day (the day and its papers are moved to folder/held)."""
    docs = folder / "docs"
    shutil.copytree(fixture_archive.docs, docs)
    held = folder / "held"
    moved = [paths.day_path(dt.date.fromisoformat(DAY_C))] + [paths.paper_path(i) for i in listed(site, DAY_C)]
    for rel in moved:
        (held / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).rename(held / rel)
    return docs, held, moved


def test_new_since_last_visit_counts_across_a_new_day(fixture_archive, site, browser, viewport, tmp_path):
    """Visit a site built without the last day; the nightly run adds it and the site is rebuilt; visit again."""
    docs, held, moved = without_the_last_day(fixture_archive, site, tmp_path)
    new_ids = listed(site, DAY_C)
    out = tmp_path / "site"
    result = build_site(docs, DEMO_CONFIG, out)
    assert result.returncode == 0, result.stderr[-3000:]
    with serve(out) as url:
        reader = Reader(browser, url, **viewport)
        page = reader.page
        note = page.locator("[data-reader-new]")
        page.goto(url)
        expect(page.locator(".paper-entry").first).to_be_visible()
        expect(note).to_be_hidden()
        assert page.locator(".is-new").count() == 0, "a first visit shows nothing new"
        page.reload()
        expect(note).to_be_hidden()
        assert stored(page, VISIT_KEY) == {"seen": DAY_B}

        for rel in moved:  # the nightly run adds a day; the site is rebuilt
            (held / rel).rename(docs / rel)
        result = build_site(docs, DEMO_CONFIG, out)
        assert result.returncode == 0, result.stderr[-3000:]
        page.goto(url)
        expect(note).to_have_text(f"{len(new_ids)} new papers since your last visit.")
        assert ids_of(page, ".is-new") == new_ids
        expect(page.locator(".reader-tag--new")).to_have_count(len(new_ids))
        page.reload()
        expect(note).to_have_text(f"{len(new_ids)} new papers since your last visit.")
        expect(page.locator(".is-new")).to_have_count(len(new_ids))

        # Read marks: a paper opened from its entry, and one whose page was visited.
        with page.expect_navigation():
            entry(page, new_ids[0]).locator("a.entry-title").click()
        b0 = listed(site, DAY_B)[0]
        page.goto(url + paper_url(b0))
        page.goto(url)
        assert ids_of(page, ".is-read") == [new_ids[0]]
        expect(page.locator(".reader-tag--read")).to_have_count(1)
        page.goto(url + day_url(DAY_B))
        expect(entry(page, b0).locator(".reader-tag--read")).to_have_text("Read")
        assert ids_of(page, ".is-read") == [b0]
        reader.assert_clean()
        reader.close()


# -- accessibility ----------------------------------------------------------------------------------


def _axe(page, source: str, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations of any impact (minor and moderate included), or of the named rules only."""
    page.add_script_tag(content=source)
    options = {"resultTypes": ["violations"], **({"runOnly": {"type": "rule", "values": rules}} if rules else {})}
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
    ]


def has_headings(paper) -> bool:
    """The paper's summary has headings of its own (the demo's answers: "## 1. Contributions and novelty")."""
    return paper.summary is not None and re.search(r"^#{1,6} ", paper.summary.markdown, re.MULTILINE) is not None


PAGE_KINDS = {
    "home": "",
    "archive": "archive/",
    "category": "categories/cs.CL/",
    "categories": "categories/",
    "tag": "tags/training/",
    "tags": "tags/",
    "stats": "stats/",
    "feeds": "feeds/",
    "about": "about/",
    "runs": "runs/",
}
"""Every page kind the reader does not drive itself (day, paper, search, reading list are below), by address."""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_axe_finds_nothing_on_any_page_kind(site, base, reader, scheme, npm_tools):
    """Zero violations of any impact, in both palettes and at both widths, with the reader's states shown."""
    source = (npm_tools / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    page = reader.page
    a, b = listed(site, DAY_A), listed(site, DAY_B)

    def check(label: str) -> list[str]:
        # Material eases colours in (transitions): axe must read the palette's colours, not a frame between two
        # (seen under load: a chip's <small> on home mid-transition to slate, "color-contrast").
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
        page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
        width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        overflow = [f"{label}: page is {width[0]} px wide in a {width[1]} px window"] if width[0] > width[1] else []
        return overflow + [f"{label}: {v}" for v in _axe(page, source)]

    found = []
    page.goto(base + day_url(DAY_A))
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.keyboard.press("x")
    expect(entry(page, a[0]).locator(".entry-summary .katex")).to_have_count(1)
    # And an entry whose summary has headings (h3 on its paper page): axe's heading-order reads them in the day's outline.
    headed = next(i for i in a if has_headings(site.papers[i]))
    entry(page, headed).locator(".reader-expand").click()
    expect(entry(page, headed).locator(".entry-summary :is(h1, h2, h3, h4, h5, h6)").first).to_be_visible()
    page.keyboard.press("j")
    found += check("day, selected and expanded")
    page.keyboard.press("?")
    expect(page.locator("#reader-keys")).to_be_visible()
    found += check("key help")
    page.goto(base + paper_url(b[2]))
    page.get_by_role("button", name="Save to reading list").first.click()
    found += check("paper page")
    page.goto(base + paths.page_url(READING_LIST))
    expect(page.locator(".reading-list > li")).to_have_count(2)
    found += check("reading list")
    page.goto(base + "search/?q=training")
    expect(page.locator(".as-result").first).to_be_visible()
    expect(page.locator(".as-filters input").first).to_be_attached()
    page.keyboard.press("j")
    found += check("search results")
    page.goto(base)
    page.evaluate("key => localStorage.setItem(key, JSON.stringify({seen: '2026-09-01', before: '2026-04-01'}))", VISIT_KEY)
    page.reload()
    expect(page.locator("[data-reader-new]")).to_be_visible()
    found += check("home, with new papers")
    for kind, url in PAGE_KINDS.items():
        page.goto(base + url)
        found += check(kind)
    assert found == [], "\n".join(found)
    reader.assert_clean()


# -- an expanded entry's headings in the page's outline -----------------------------------------------

OUTLINE = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(h => h.checkVisibility())
  .map(h => [+h.tagName[1], h.textContent.trim().slice(0, 50), !!h.closest(".entry-summary")])"""


def expand_every_entry(page) -> None:
    buttons = page.locator(".reader-expand")
    expect(buttons.first).to_be_visible()
    for i in range(buttons.count()):
        buttons.nth(i).click()
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.entry-summary, .entry-fetched')].some(e => e.textContent.startsWith('Loading'))"
    )


def outline_faults(page, list_heading: int) -> list[str]:
    """Headings that skip a level, and summary headings not one level below the heading the list is under."""
    heads = page.evaluate(OUTLINE)
    faults = [f"h{level} '{text}' after h{before}" for (before, _, _), (level, text, _) in itertools.pairwise(heads) if level > before + 1]
    in_summaries = [level for level, _, in_summary in heads if in_summary]
    assert in_summaries, f"no summary heading shown on {page.url}: the check would prove nothing"
    if min(in_summaries) != list_heading + 1:
        faults.append(f"the summaries' headings start at h{min(in_summaries)}, the list is under an h{list_heading}")
    return faults


@pytest.fixture(scope="module")
def base_without_last_day(fixture_archive, site, tmp_path_factory):
    """The site built without the last day: the home page's latest day lists papers whose summaries have headings."""
    folder = tmp_path_factory.mktemp("without-last-day")
    docs, _, _ = without_the_last_day(fixture_archive, site, folder)
    result = build_site(docs, DEMO_CONFIG, folder / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    with serve(folder / "site") as url:
        yield url


def test_expanded_summaries_keep_the_outline_of_every_list_page_kind(
    site, base, base_without_last_day, browser, viewport, reader, npm_tools
):
    """Issue 20: a summary's headings are h3 under its paper page's h2; in a list they follow the list's own heading
    (axe heading-order, moderate, was found on an expanded day entry: h3 right after the day's h1)."""
    source = (npm_tools / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    assert any(has_headings(site.papers[i]) for i in listed(site, DAY_A)), "the fixture lost its summaries with headings"
    home = Reader(browser, base_without_last_day, **viewport)
    found = []
    for label, opened, url, list_heading in (
        ("day", reader, base + day_url(DAY_A), 1),
        ("category", reader, base + "categories/cs.LG/", 1),
        ("tag", reader, base + "tags/training/", 1),
        ("search results", reader, base + "search/?q=novelty", 1),
        ("home (its latest day under an h2)", home, base_without_last_day, 2),
    ):
        opened.page.goto(url)
        expand_every_entry(opened.page)
        found += [f"{label}: {fault}" for fault in outline_faults(opened.page, list_heading)]
        found += [f"{label}: {v}" for v in _axe(opened.page, source, ["heading-order"])]
    assert found == [], "\n".join(found)
    home.assert_clean()
    home.close()
    page = reader.page
    # The summary keeps its own structure: its four parts are headings of one level, in order.
    page.goto(base + day_url(DAY_A))
    headed = next(i for i in listed(site, DAY_A) if has_headings(site.papers[i]))
    entry(page, headed).locator(".reader-expand").click()
    heads = entry(page, headed).locator(".entry-summary h2")
    expect(heads).to_have_count(4)
    assert heads.all_inner_texts()[0] == "1. Contributions and novelty"
    reader.assert_clean()


# -- Tab never lands on anything unseen --------------------------------------------------------------

FOCUSED = """() => {
  // A transition under way (Material's skip link fades in when focused): what the reader sees is its end.
  for (const animation of document.getAnimations()) { try { animation.finish(); } catch (err) { /* endless: left as it is */ } }
  const node = document.activeElement;
  if (!node || node === document.body) return null;
  window.tabFirst = window.tabFirst || node;
  // A transparent input shows its focus on the label after it (Material's palette toggle: .md-option.focus-visible + label),
  // or on a label of it that is shown (the drawer's checkbox on a phone: the menu button).
  const next = node.nextElementSibling;
  const shownLabel = [...(node.labels || [])].find(label => label.checkVisibility() && label.getBoundingClientRect().width > 0);
  const transparent = node.matches("input") && getComputedStyle(node).opacity === "0";
  const shown = transparent && next && next.matches("label") ? next : transparent && shownLabel ? shownLabel : node;
  const box = shown.getBoundingClientRect();
  let opacity = 1;
  for (let up = shown; up; up = up.parentElement) opacity *= Number(getComputedStyle(up).opacity);
  const onScreen = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight;
  const seen = onScreen && getComputedStyle(shown).visibility === "visible" && opacity > 0 &&
    shown.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const name = node.tagName.toLowerCase() + (node.className ? "." + String(node.className).trim().split(/\\s+/).join(".") : "") +
    " '" + (node.getAttribute("aria-label") || node.textContent).trim().slice(0, 40) + "'";
  const again = node === window.tabFirst && window.tabCount++ > 0;
  return {name, seen, again, box: [box.left, box.top, box.width, box.height].map(Math.round)};
}"""


def tab_cycle(page, limit: int = 400) -> list[dict]:
    """Every element Tab focuses, from the top of the page until focus comes back to the first one."""
    page.evaluate("() => { window.tabFirst = null; window.tabCount = 0; }")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop and stop["again"]:
            return stops
        if stop:
            stops.append(stop)
    raise AssertionError(f"Tab did not come back to the first element in {limit} presses: {[s['name'] for s in stops[-5:]]}")


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize(
    "url", ["", "days/2026/2026-04-30/", "papers/2604/2604.26951/", "reading-list/"], ids=["home", "day", "paper", "reading-list"]
)
def test_tab_never_lands_on_anything_unseen(base, browser, viewport, url, script):
    """Issue 20: on a phone the closed drawer's 11 links took focus off-screen, and Material's "Back to top", hidden but
    shown transparent by its CSS, took focus wherever its script had not run (it sets tabindex=-1)."""
    reader = Reader(browser, base, java_script_enabled=script, **viewport)
    page = reader.page
    page.goto(base + url)
    stops = tab_cycle(page)
    unseen = [f"{s['name']} at {s['box']}" for s in stops if not s["seen"]]
    assert unseen == [], "\n".join(unseen)
    names = [s["name"] for s in stops]
    in_nav = [n for n in names if n.startswith("a.md-nav__link") and "'Archive'" in n]
    narrow = page.viewport_size["width"] < 1220  # Material's drawer: below 76.25em
    # With a script the navigation takes focus where it shows, and only there (a narrow screen's closed drawer
    # is out of the Tab order); without one, the drawer slides in while a link of it has focus (seen above).
    assert bool(in_nav) == (not narrow or not script), f"the navigation takes focus where it shows, and only there: {names}"
    if narrow and script:
        # The keyboard opens the drawer: its menu button, named, takes focus; Enter (Material's) and Space (reader.js) open it.
        menu = page.locator("header label[for='__drawer']")
        assert any(n.startswith("label.md-header__button") and n.endswith("'Navigation'") for n in names), names
        for key in ("Enter", "Space"):
            menu.focus()
            page.keyboard.press(key)
            expect(page.locator("#__drawer")).to_be_checked()
            stops = tab_cycle(page)
            assert [s for s in stops if not s["seen"]] == []
            assert any(s["name"].startswith("a.md-nav__link") and "'Archive'" in s["name"] for s in stops), [s["name"] for s in stops]
            page.locator("label.md-overlay").click(force=True)  # the page beside the open drawer closes it
            expect(page.locator("#__drawer")).not_to_be_checked()
    reader.assert_clean()
    reader.close()
