"""A paper's full text from its PDF bytes, cut to a token budget. Pure: bytes in, text out.

No tokenizer is assumed (each provider has its own and none is reachable offline),
so tokens are estimated conservatively: one per 3 ASCII characters (English prose
averages about 4 with common tokenizers; PDF text with math and broken words is
worse) and one per other character (CJK text is about one token per character).
"""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass

import pypdf
from pypdf.errors import PyPdfError

# pypdf reports recoverable oddities of real-world PDFs as warnings; they are not ours to fix.
logging.getLogger("pypdf").setLevel(logging.ERROR)

ASCII_CHARS_PER_TOKEN = 3
TRUNCATION_NOTE = "\n\n[… the rest of the paper is cut for length …]"


class PdfTextError(Exception):
    """The bytes are not a PDF we can read text from (a summary then uses the abstract)."""


def estimate_tokens(text: str) -> int:
    """A conservative token count for `text`."""
    non_ascii = sum(1 for char in text if ord(char) > 127)
    return math.ceil((len(text) - non_ascii) / ASCII_CHARS_PER_TOKEN) + non_ascii


def trim_to_tokens(text: str, limit: int) -> str:
    """`text` cut at a word boundary so that its estimate stays within `limit` tokens."""
    if estimate_tokens(text) <= limit:
        return text
    budget = max(0, limit - estimate_tokens(TRUNCATION_NOTE))
    used = 0.0
    cut = 0
    for index, char in enumerate(text):
        used += 1 if ord(char) > 127 else 1 / ASCII_CHARS_PER_TOKEN
        if used > budget:
            break
        cut = index + 1
    head = text[:cut]
    space = head.rfind(" ", max(0, cut - 200))
    if space > 0:
        head = head[:space]
    return head.rstrip() + TRUNCATION_NOTE


@dataclass(frozen=True)
class PdfText:
    """Text read from a PDF, and whether the page ceiling stopped the reading."""

    text: str
    """The pages' text in order, cleaned, at most `max_chars` characters."""
    pages_read: int
    """Pages whose text was read."""
    page_limit_hit: bool
    """True when reading stopped at `max_pages` with pages left and characters to spare."""


def pdf_text(data: bytes, max_chars: int) -> str:
    """Text of the PDF's pages in order, stopping once `max_chars` are collected (see `read_pdf`)."""
    return read_pdf(data, max_chars).text


def read_pdf(data: bytes, max_chars: int, max_pages: int | None = None) -> PdfText:
    """Text of the PDF's pages in order, stopping once `max_chars` are collected or `max_pages` read.

    Raises PdfTextError when the bytes are not a readable PDF or hold no text
    (a scanned paper).
    """
    if not data.lstrip()[:5] == b"%PDF-":
        raise PdfTextError("not a PDF (no %PDF- header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise PdfTextError("the PDF is encrypted")
        parts: list[str] = []
        collected = 0
        page_limit_hit = False
        pages = reader.pages
        for index, page in enumerate(pages):
            if max_pages is not None and index >= max_pages:
                page_limit_hit = True  # a PDF of endless near-empty pages must not be walked to its end
                break
            text = page.extract_text() or ""
            parts.append(text)
            collected += len(text)
            if collected >= max_chars:
                break
    except PdfTextError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError, RecursionError, OSError) as exc:
        # A third-party parser on untrusted bytes: any of these means "cannot read this PDF".
        raise PdfTextError(f"pypdf cannot read it ({type(exc).__name__}: {str(exc)[:120]})") from None
    text = _clean("\n\n".join(parts))
    if len(text) < 200:
        raise PdfTextError("the PDF holds almost no extractable text (scanned?)")
    return PdfText(text[:max_chars], len(parts), page_limit_hit)


def _clean(text: str) -> str:
    text = text.replace("\x00", "")
    text = re.sub(r"-\n(?=[a-z])", "", text)  # words hyphenated across lines
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
