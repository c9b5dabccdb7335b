"""Benchmark and survey: the TeX text model (generator/text/tex/) on every recorded arXiv title and abstract.

Speed: renders every distinct recorded paper (title + abstract) with `tex_html` and
`tex_plain` (what every page and the search index need), then each other output, cold
(caches cleared before each pass) and warm (cached, as the second page that shows the
same title), and reports µs of CPU time per record (this process only: the machine is
shared) with two anchors measured in the same run: `markupsafe.escape` of title and
abstract (what a template does with raw text) and `generator.text.clean.clean_tex` (the
accent conversion every record goes through at fetch).

Survey: how many records of the recordings contain each TeX construct outside math,
how many `$` + digit cases there are, and how the dollar rule classified them (and how
KaTeX's auto-render, which takes any `$...$` pair, would have).

    python -m benchmarks.tex_render [--passes 20]
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections import Counter

from markupsafe import escape

from generator.text.clean import clean_tex
from generator.text.cut import cut_tex
from generator.text.tex import (
    Link,
    Math,
    Styled,
    Text,
    math_spans,
    math_text,
    parse,
    split_math,
    tex_bibtex,
    tex_feed_html,
    tex_html,
    tex_plain,
)
from tests.text.test_tex import ALL_FIELDS, RECORDINGS

CACHED = (math_spans, parse, tex_html, tex_plain, tex_feed_html, tex_bibtex, math_text)
KATEX_AUTO_RENDER = re.compile(r"\$\$.+?\$\$|(?<!\\)\$(?:\\.|[^$\\])+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
"""What KaTeX's auto-render takes for math: any `$...$` pair (for the survey's comparison; not a rule of this project)."""


def records() -> list[tuple[str, str]]:
    """(title, abstract) of each distinct recorded paper."""
    fields: dict[str, dict[str, str]] = {}
    for arxiv_id, field, text in ALL_FIELDS:
        fields.setdefault(arxiv_id, {}).setdefault(field, text)
    return [(f.get("title", ""), f.get("abstract", "")) for f in fields.values()]


def per_record(render, papers: list[tuple[str, str]], passes: int, cold: bool) -> float:
    """Best pass, in µs per record."""
    best = float("inf")
    for _ in range(passes):
        if cold:
            for cached in CACHED:
                cached.cache_clear()
        started = time.process_time()
        for title, abstract in papers:
            render(title)
            render(abstract)
        best = min(best, time.process_time() - started)
    return best / len(papers) * 1e6


def every_output(text: str) -> None:
    tex_html(text), tex_plain(text), tex_feed_html(text), tex_bibtex(text)


def speed(passes: int) -> None:
    papers = records()
    print(f"records: {len(papers)} distinct papers (title + abstract) from {len(RECORDINGS)} recordings; load {os.getloadavg()[0]:.2f}\n")
    anchor = per_record(escape, papers, passes, cold=False)
    rows = [
        ("anchor: markupsafe.escape", anchor),
        ("anchor: clean.clean_tex", per_record(clean_tex, papers, passes, cold=False)),
        ("tex_html + tex_plain, cold", per_record(lambda t: (tex_html(t), tex_plain(t)), papers, passes, cold=True)),
        ("tex_html + tex_plain, warm", per_record(lambda t: (tex_html(t), tex_plain(t)), papers, passes, cold=False)),
        ("parse only, cold", per_record(parse, papers, passes, cold=True)),
        ("tex_html, cold", per_record(tex_html, papers, passes, cold=True)),
        ("tex_plain, cold", per_record(tex_plain, papers, passes, cold=True)),
        ("tex_feed_html, cold", per_record(tex_feed_html, papers, passes, cold=True)),
        ("tex_bibtex, cold", per_record(tex_bibtex, papers, passes, cold=True)),
        ("all four outputs, cold", per_record(every_output, papers, passes, cold=True)),
        ("math spans only, cold", per_record(math_spans, papers, passes, cold=True)),
        ("cut_tex to 140 (a day entry's start), cold", per_record(lambda t: cut_tex(t, 140), papers, passes, cold=True)),
    ]
    clean = rows[1][1]
    print("| what (title + abstract) | CPU µs per record | × escape | × clean_tex | 100,000 records |")
    print("|---|---:|---:|---:|---:|")
    for name, micro in rows:
        print(f"| {name} | {micro:.1f} | {micro / anchor:.0f} | {micro / clean:.2f} | {micro * 1e5 / 1e6:.1f} s |")
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


def _walk(segments, counts: Counter, in_math_dollars: list[str], text_dollars: list[str]) -> None:
    for seg in segments:
        if isinstance(seg, Math):
            if re.match(r"\$\d", seg.source):
                in_math_dollars.append(seg.source)
        elif isinstance(seg, Text):
            text_dollars.extend(re.findall(r"\$\d", seg.text))
        elif isinstance(seg, (Link, Styled)):
            _walk(seg.children, counts, in_math_dollars, text_dollars)


CONSTRUCTS = {
    "\\textbf": r"\\textbf\s*\{",
    "\\textit": r"\\textit\s*\{",
    "\\emph": r"\\emph\s*\{",
    "\\texttt": r"\\texttt\s*\{",
    "\\underline": r"\\underline\s*\{",
    "\\textsc": r"\\textsc\s*\{",
    "\\href": r"\\href\s*\{",
    "\\url": r"\\url\s*\{",
    "{\\bf …}, {\\em …} and kin": r"\{\\(?:bf|it|em|tt|sc)\b",
    "other \\macro": r"\\(?!textbf|textit|emph|texttt|underline|textsc|href|url)[A-Za-z]+",
    "escaped \\% \\& \\_ \\$ \\#": r"\\[%&_$#]",
    "~": r"~",
    "-- or ---": r"--",
    "`` or ''": r"``|''",
    "bare http(s) address": r"https?://",
    "braces { }": r"[{}]",
}


def survey() -> None:
    by_id: dict[str, list[str]] = {}
    for arxiv_id, _, text in ALL_FIELDS:
        by_id.setdefault(arxiv_id, [])
        if text not in by_id[arxiv_id]:
            by_id[arxiv_id].append(text)
    print(f"\nsurvey: {len(by_id)} distinct papers, {sum(len(t) for t in by_id.values())} distinct fields (title, abstract, comment)\n")
    print("| outside math | papers | occurrences |")
    print("|---|---:|---:|")
    for name, pattern in CONSTRUCTS.items():
        papers = occurrences = 0
        for texts in by_id.values():
            found = sum(len(re.findall(pattern, chunk)) for text in texts for is_math, chunk in split_math(text) if not is_math)
            papers += bool(found)
            occurrences += found
        print(f"| {name} | {papers} | {occurrences} |")
    all_cases = katex_math = 0
    math_cases: list[str] = []
    dollar_cases: list[str] = []
    papers_with = 0
    for texts in by_id.values():
        had = False
        for text in texts:
            cases = len(re.findall(r"(?<![\\$])\$\d", text))
            all_cases += cases
            had |= bool(cases)
            _walk(parse(text), Counter(), math_cases, dollar_cases)
            katex_math += sum(1 for m in KATEX_AUTO_RENDER.finditer(text) if re.match(r"\$\d", m.group(0)))
        papers_with += had
    print(
        f"\n`$` + digit: {all_cases} cases in {papers_with} papers; the dollar rule typesets {len(math_cases)} as math "
        f"and keeps {len(dollar_cases)} as dollar signs; KaTeX's auto-render (any `$...$` pair) would typeset {katex_math}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=20)
    args = parser.parse_args()
    speed(args.passes)
    survey()


if __name__ == "__main__":
    main()
