"""arXiv identifiers: parsing, validation, and the arxiv.org URLs they name.

New-style ids are `YYMM.NNNNN` (4 digits after the dot before 2015); old-style ids
are `archive[.SUBJ]/YYMMNNN` (`hep-th/9901001`, `math.GT/0309136`). Anything else is
rejected, so an id can never name a path outside the archive (see paths.py).
"""

from __future__ import annotations

import re

_NEW = re.compile(r"^(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?$")
_OLD = re.compile(r"^(?P<id>(?P<archive>[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?)/(?P<num>\d{7}))(?:v(?P<v>\d+))?$")
_PREFIXES = ("arxiv:", "http://arxiv.org/abs/", "https://arxiv.org/abs/", "http://export.arxiv.org/abs/")


def parse_versioned_id(text: str) -> tuple[str, int | None] | None:
    """(`2609.26811`, 3) from `2609.26811v3`, `arXiv:2609.26811v3` or an abs URL; None if not an id."""
    text = text.strip()
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    match = _NEW.match(text) or _OLD.match(text)
    if not match:
        return None
    version = match.group("v")
    return match.group("id"), int(version) if version else None


def old_style_parts(arxiv_id: str) -> tuple[str, str] | None:
    """(`hep-th`, `9901001`) for an old-style base id, None for a new-style one."""
    match = _OLD.match(arxiv_id)
    return (match.group("archive"), match.group("num")) if match and not match.group("v") else None


def is_arxiv_id(text: str) -> bool:
    """True for a base id (no version) of either style."""
    return parse_versioned_id(text) == (text, None)


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def html_url(arxiv_id: str, version: int) -> str:
    return f"https://arxiv.org/html/{arxiv_id}v{version}"


def pdf_url(arxiv_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}" + (f"v{version}" if version else "")
