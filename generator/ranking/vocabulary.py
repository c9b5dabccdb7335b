"""The archive's vocabulary for related papers: fitted by the night on the oldest papers, kept until the archive doubles.

Related papers compare papers by TF-IDF (generator/ranking/similarity.py), and a TF-IDF vector
depends on the vocabulary (which words count, and their document frequencies). Fitted again on the
whole archive every night, it would move a little each night and with it every similarity: every
paper page's related list would be recomputed and rewritten nightly. So the archive keeps its
vocabulary as data, `docs/data/vocabulary.json`, fitted on its `basis_size` oldest papers (the
largest power of two not above its size; none below `similarity.MIN_BASIS`), and the night fits it
again only when the archive has doubled since (`refresh_vocabulary`, after each night's commit).
The site reads it (`read_vocabulary`): a paper's vector then depends only on its own text, a night's
new paper joins an old paper's related list only when it beats its last entry, and a build from
scratch finds the same lists (generator/ranking/nearest.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.archive import records
from generator.archive.store import Archive, atomic_write
from generator.errors import ArchiveError
from generator.ranking.similarity import Vocabulary, basis_size, fit_vocabulary, paper_text, words

log = logging.getLogger(__name__)

VOCABULARY_PATH = PurePosixPath("data/vocabulary.json")
"""Inside docs/: data the build reads and never publishes (mkdocs.yml excludes docs/data/)."""


def read_vocabulary(docs: Path) -> Vocabulary | None:
    """The archive's vocabulary, or None when it has none (a young archive) or it cannot be read (then the build
    fits one on every paper, as for a young archive, and says so)."""
    path = Path(docs).joinpath(*VOCABULARY_PATH.parts)
    if not path.is_file():
        return None
    try:
        return Vocabulary.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: unreadable (%s); related papers fit a vocabulary on every paper (the next night writes it again)", path, exc)
        return None


def paper_words_of(text: str, source: str) -> tuple[str, list[str]]:
    """(announced date, words) of a paper page's text: what the vocabulary is fitted on."""
    from generator.text.markdown import html_text, is_html_body, sanitize_html

    paper = records.read_paper(text, source)
    summary = paper.summary.markdown if paper.summary else ""
    if is_html_body(summary):
        summary = html_text(sanitize_html(summary))
    ann = paper.announcement
    return paper.announced.isoformat(), words(paper_text(ann.title, ann.abstract, summary))


def refresh_vocabulary(docs: Path) -> Vocabulary | None:
    """Fit the archive's vocabulary again when the archive has reached the next power of two (or has none yet);
    return the vocabulary written, or None when the stored one still holds (or the archive is too young).

    Reads every paper's announcement date (front matter) to find the oldest, then the text of the basis's papers,
    one page at a time.
    """
    docs = Path(docs)
    pages = [page.path for page in Archive(docs).pages("paper")]
    wanted = basis_size(len(pages))
    current = read_vocabulary(docs)
    if wanted == 0 or (current is not None and current.papers == wanted):
        return None
    dated: list[tuple[str, str, Path]] = []
    for page in pages:
        meta, _ = records.split_front_matter(page.read_text(encoding="utf-8"), str(page))
        dated.append((str(meta.get("announced", "")), str(meta.get("arxiv_id", "")), page))
    basis = sorted(dated)[:wanted]

    def basis_words() -> Iterable[list[str]]:
        for _, _, page in basis:
            yield paper_words_of(page.read_text(encoding="utf-8"), str(page))[1]

    vocabulary = fit_vocabulary(basis_words())
    target = docs.joinpath(*VOCABULARY_PATH.parts)
    try:
        atomic_write(target, vocabulary.to_json().encode("utf-8"))
    except OSError as exc:
        raise ArchiveError(f"{target}: cannot be written ({exc})", fix="check free disk space and permissions of docs/") from None
    return vocabulary
