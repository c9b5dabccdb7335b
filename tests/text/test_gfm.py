"""The summaries' Markdown converter (generator.text.markdown.gfm_to_html): cmark-gfm's rendering, without its leak."""

from __future__ import annotations

import cmarkgfm
import pytest

from generator.text.markdown import _CMARK_OPTIONS, gfm_to_html, render_summary_html

SAMPLES = [
    "",
    "plain words",
    "## Key points\n\n- **bold** and *emphasis*, `code`\n- a link https://arxiv.org/abs/2401.00001 and ~~struck~~\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "- [x] done\n- [ ] to do\n\n```py\nprint(1)\n```\n\n    indented code\n",
    "<script>alert(1)</script>\n\n<b>raw</b> [x](javascript:alert(1)) <title>t</title>",
    "Ünïcödé – “quotes” and $x^2$ \\(y\\)",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_renders_as_cmark_gfm_does(text):
    for options in (_CMARK_OPTIONS, _CMARK_OPTIONS | cmarkgfm.cmark.Options.CMARK_OPT_SOURCEPOS):
        assert gfm_to_html(text, options) == cmarkgfm.github_flavored_markdown_to_html(text, options=options)


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def test_memory_does_not_grow_with_summaries_rendered():
    """cmarkgfm's converter leaks its tree and its HTML (about 17 KB for this summary: 85 MB over 5,000); a cold build
    renders every paper's summary."""
    text = "\n".join(SAMPLES[1:5]) * 3
    for _ in range(200):  # allocator pools warmed up
        render_summary_html(text)
    before = _resident_mb()
    for _ in range(5000):
        render_summary_html(text)
    assert _resident_mb() - before < 20
