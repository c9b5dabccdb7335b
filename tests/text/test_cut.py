"""The one prose cutter and the one message shortener (generator/text/cut.py)."""

from __future__ import annotations

import pytest

from generator.text.cut import ELLIPSIS, cut_pieces, cut_plain, cut_tex, shorten


def test_a_short_text_is_kept_whole_on_one_line():
    assert cut_tex("  Short abstract.  ", 300) == "Short abstract."
    assert cut_plain("x" * 140, 140) == "x" * 140
    assert cut_plain("one\n two\t three", 100) == "one two three"


def test_a_cut_is_at_the_last_space_that_leaves_room_for_the_ellipsis():
    assert cut_plain("one two three four", 12) == "one two …"
    assert cut_plain("one two", 12) == "one two"
    assert cut_plain("x" * 20, 12) == "x" * 10 + " …", "one long word is cut anyway"
    assert ELLIPSIS == " …"


def test_trailing_punctuation_goes_before_the_ellipsis():
    assert cut_plain("one two three, four five six", 16) == "one two three …"


def test_a_cut_never_falls_in_math():
    # The limit falls inside `$x + y = z$`: the cut goes before the span.
    assert cut_tex("aaa bbb $x + y = z$ ccc ddd", 10) == "aaa bbb …"
    assert cut_tex("aaa bbb $x + y = z$ ccc ddd", 21) == "aaa bbb $x + y = z$ …"
    assert cut_tex(r"aaa \(a b c d\) ccc ddd", 8) == "aaa …"
    assert cut_tex("one $a b$ three four", 8) == "one …"
    # A span longer than the limit, with no space before it: nothing of the text fits.
    assert cut_tex("$" + "x+" * 40 + "x$ and more", 10) == "…"
    # An unclosed dollar is no math: text as any other.
    assert cut_tex("costs $5 and more words here", 14) == "costs $5 and …"
    # Readable math is math too: a cut does not split `x + y` (a feed's, a description's text).
    assert cut_pieces([(False, "sum "), (True, "x + y"), (False, " holds")], 9) == "sum …"
    # `,;:` inside math stays: only prose punctuation is dropped before the ellipsis.
    assert cut_pieces([(False, "a "), (True, "x,"), (False, " b c d e f g")], 7) == "a x, …"


@pytest.mark.parametrize("limit", range(1, 60))
def test_no_cut_is_longer_than_its_limit(limit):
    text = "Raising $5 million, we show that $a + b + c$ holds for \\(x y\\) and $$z w$$ too"
    assert len(cut_tex(text, limit)) <= limit
    assert len(shorten(text, limit)) <= limit


def test_a_message_quotes_outside_text_on_one_line():
    assert shorten("HTTP 500:\n  <html>\u202e oops</html>", 200) == "HTTP 500: <html> oops</html>"
    assert shorten("https://export.arxiv.org/api/query?id_list=" + ",".join(["2401.00001"] * 40), 60).endswith(" …")
    assert len(shorten("x" * 500)) == 200
