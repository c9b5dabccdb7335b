"""The archive's vocabulary for related papers: fitted by the night on the oldest papers, kept until the archive doubles.

Related papers compare papers by TF-IDF (generator/ranking/similarity.py), and a TF-IDF vector
depends on the vocabulary (which words count, and their document frequencies). Fitted again on the
whole archive every night, it would move a little each night and with it every similarity: every
paper page's related list would be recomputed and rewritten nightly. So the archive keeps its
vocabulary as data, `docs/data/vocabulary.json`, fitted on its `basis_size` oldest papers (the
largest power of two not above its size; none below `MIN_BASIS`), and the night fits it
again only when the archive has doubled since (`refresh_vocabulary`, after each night's commit).
The site reads it (`read_vocabulary`): a paper's vector then depends only on its own text, a night's
new paper joins an old paper's related list only when it beats its last entry, and a build from
scratch finds the same lists (generator/ranking/nearest.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.archive import records
from generator.archive.store import Archive, atomic_write
from generator.errors import ArchiveError

log = logging.getLogger(__name__)

FEATURES = "words+bigrams"
"""What a stored vocabulary's terms are (`terms`): one fitted on other features is fitted again."""

MIN_BASIS = 1024
"""Below this many papers the vocabulary is fitted on every paper at each build (each night moves it a little)."""


def basis_size(papers: int) -> int:
    """How many of the oldest papers the archive's vocabulary is fitted on: the largest power of two not above the
    archive's size (0 below MIN_BASIS), so the vocabulary changes only when the archive doubles
    (ARCHITECTURE.md, "Related papers that stay put")."""
    if papers < MIN_BASIS:
        return 0
    return 1 << (papers.bit_length() - 1)


@dataclass(frozen=True)
class Vocabulary:
    """The words TF-IDF weighs, with their document frequencies in the `papers` papers it was fitted on."""

    terms: tuple[str, ...]
    df: tuple[int, ...]
    papers: int

    @functools.cached_property
    def idf(self):
        """float32, one per term: ln((1 + n) / (1 + df)) + 1, scikit-learn's smoothed idf."""
        import numpy as np  # only where vectors are made: a night that keeps its vocabulary never loads NumPy

        return (np.log((1.0 + self.papers) / (1.0 + np.array(self.df, dtype=np.float64))) + 1.0).astype(np.float32)

    @functools.cached_property
    def position(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.terms)}

    @functools.cached_property
    def fingerprint(self) -> str:
        return hashlib.sha1(json.dumps([self.papers, self.terms, self.df]).encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        data = {"features": FEATURES, "papers": self.papers, "terms": self.terms, "df": self.df}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        """The vocabulary stored as `to_json` writes it; ValueError when it is not one, or was fitted on other features."""
        data = json.loads(text)
        if data.get("features") != FEATURES:
            raise ValueError(f"fitted on {data.get('features', 'words')}, not {FEATURES}")
        terms, df = tuple(data["terms"]), tuple(int(n) for n in data["df"])
        if len(terms) != len(df) or not all(isinstance(t, str) for t in terms):
            raise ValueError("terms and df differ in length")
        return cls(terms, df, int(data["papers"]))


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
    """(announced date, terms) of a paper page's text: what the vocabulary is fitted on."""
    from generator.ranking.similarity import paper_text, terms
    from generator.text.markdown import html_text, is_html_body, sanitize_html

    paper = records.read_paper(text, source)
    summary = paper.summary.markdown if paper.summary else ""
    if is_html_body(summary):
        summary = html_text(sanitize_html(summary))
    ann = paper.announcement
    return paper.announced.isoformat(), terms(paper_text(ann.title, ann.abstract, summary))


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

    from generator.ranking.similarity import fit_vocabulary

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
