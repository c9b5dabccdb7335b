"""Where math is (generator/text/tex/spans.py): one rule, decided on the text alone, asked by every reader of text."""

from __future__ import annotations

import random
import time

from generator.text.clean import clean_tex
from generator.text.markdown import markdown_parts
from generator.text.tex import math_spans, split_math
from tests.text.test_agreement import rule


def test_the_issues_three_strings():
    # Issue 21: three dollar rules gave three answers on these.
    assert [c for m, c in split_math("a $5 fee, $x$ and $y$") if m] == ["$x$", "$y$"]
    assert [c for m, c in split_math("US$5 and H$_2$O") if m] == ["$_2$"]
    assert [c for m, c in split_math("Raising $5 million, we show that $a + b + c$ holds") if m] == ["$a + b + c$"]


def test_the_parser_reads_math_exactly_where_the_rule_says_on_random_text():
    # Letters, digits, spaces, every delimiter and the macros that read raw arguments
    # (`\href`, `\url`, `\cite`): no text makes the parser see other math than the rule.
    rng = random.Random(21)
    alphabet = ["$", "$", "\\", "(", ")", "[", "]", "{", "}", "a", "5", " ", "\\href{", "\\url{", "\\cite{", "\\(", "\\)", "\\$", "`"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        pieces = split_math(text)
        assert "".join(chunk for _, chunk in pieces) == text
        assert rule(text) == [chunk for is_math, chunk in pieces if is_math], text


def test_math_hidden_in_a_link_address_or_a_dropped_argument_is_still_math():
    # The parser used to skip `\url{...}` and `\cite{...}` whole: a `$` there was no opener
    # for the page, but was one for every other reader. Now what would hide a span is not skipped.
    assert rule("\\url{https://example.org/a$b} x$ y") == [c for m, c in split_math("\\url{https://example.org/a$b} x$ y") if m]
    assert rule("\\cite{$x$} and $y$") == ["$x$", "$y$"]
    assert rule("\\cite{key} $y$") == ["$y$"]  # an argument without math is still dropped


def test_storing_keeps_every_math_span_byte_for_byte():
    text = "Cram\\'er's $\\'e + \\alpha$ and \\(\\\"o\\) but Erd\\H{o}s"
    stored = clean_tex(text)
    assert stored == "Cramér's $\\'e + \\alpha$ and \\(\\\"o\\) but Erdős"
    assert [c for m, c in split_math(stored) if m] == [c for m, c in split_math(text) if m]


def test_summaries_set_the_same_spans_aside_outside_code():
    parts = markdown_parts("a $5 fee, $x$ and `$y$` and\n\n```\n$z$\n```\n$w$")
    assert [c for k, c in parts if k == "math"] == ["$x$", "$w$"]
    assert [c for k, c in parts if k in ("code", "block")] == ["`$y$`", "```\n$z$\n```\n"]


def test_math_spans_are_found_in_linear_time():
    # Regression (issue 15): a regex's lazy `.+?` re-read the rest of the text from every `\(`
    # without a closer: a 40 kB title of `\(` took 4 s, a 1 MB abstract would stall the night for hours.
    for text in ("\\(" * 100_000, "\\[" * 100_000, "$a" * 100_000, "$\\(" * 70_000, "$$" * 100_000, "a$5 " * 50_000):
        math_spans.cache_clear()
        started = time.process_time()
        split_math(text)
        assert time.process_time() - started < 1.0, text[:10]
