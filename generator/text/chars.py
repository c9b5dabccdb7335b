"""Characters no output shows, and text on one line: the first step of every reading of text.

Control, zero-width and bidirectional-override characters can reorder or hide text (a
title that reads differently than it sorts, a message that lies on a terminal); they are
dropped wherever text is read, stored, rendered or quoted in a message.
"""

from __future__ import annotations

import re

# Bidirectional overrides and other invisible controls that can reorder or hide text.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    """Drop control, zero-width and bidi-override characters (tabs and line breaks stay)."""
    return _INVISIBLE.sub("", text)


def one_line(text: str) -> str:
    """Invisible characters dropped and all white space (arXiv wraps abstracts at ~80 columns) collapsed to single spaces."""
    return _SPACE.sub(" ", strip_invisible(text)).strip()
