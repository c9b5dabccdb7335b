"""A paper's BibTeX entry, in arXiv's own export style (@misc with eprint and archivePrefix). Pure.

`bibtex(paper)` is the entry the site's "Cite" block shows. The page carries only its
key (`bibtex_key`), the primary category and, when it differs from the plain-text
citation_title, the title as BibTeX wants it (generator.text.tex.tex_bibtex: TeX given its
meaning and written back protected, `{$...$}` math, `\\&`); the browser writes the rest
from the page's citation_* meta tags (overrides/assets/javascripts/cite.js), and
tests/browser/test_site_browser.py checks that the two give the same entry on every page.
"""

from __future__ import annotations

import re

from generator.archive.models import Paper
from generator.arxiv.ids import abs_url
from generator.text.clean import fold
from generator.text.tex import tex_bibtex, tex_plain

_WORD = re.compile(r"[a-z0-9]+")
_NOT_KEY = re.compile(r"[^a-z0-9]")


def bibtex_key(paper: Paper) -> str:
    """First author's surname, year, first title word of four letters or more: `sane2025optimizing`."""
    ann = paper.announcement
    first = fold(ann.authors[0]).split()[-1] if ann.authors and ann.authors[0].split() else "anon"
    words = [w for w in _WORD.findall(fold(tex_plain(ann.title))) if len(w) > 3]  # words, not `\\textbf`
    return _NOT_KEY.sub("", first) + str(paper.announced.year) + (words[0] if words else "")


def bibtex(paper: Paper) -> str:
    """The whole entry."""
    ann = paper.announcement
    fields = [
        ("title", tex_bibtex(ann.title)),
        ("author", " and ".join(ann.authors)),
        ("year", str(paper.announced.year)),
        ("eprint", ann.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", ann.primary_category),
        ("url", abs_url(ann.arxiv_id)),
    ]
    if ann.doi:
        fields.append(("doi", ann.doi))
    body = ",\n".join(f"      {name}={{{_bibtex_value(value)}}}" for name, value in fields if value)
    return f"@misc{{{bibtex_key(paper)},\n{body},\n}}"


def _bibtex_value(value: str) -> str:
    # Unbalanced braces would break every entry after this one in a .bib file.
    depth = 0
    for char in value:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            break
    return value if depth == 0 else value.replace("{", "(").replace("}", ")")
