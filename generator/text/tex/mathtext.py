"""Math as readable Unicode text (`math_text`: `\\times` -> ×, `10^{-3}` -> 10⁻³), for every output that typesets no math.

Feeds, lists, meta tags, the search index and BibTeX fields that cannot hold a span read
math through pylatexenc's tables, plus the math macros arXiv abstracts use that it lacks;
super- and subscripts become Unicode letters where Unicode has them. Math longer than
`MAX_MATH_TEXT` characters is not converted (its source is shown), so a hostile field costs
linear time; results are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
from pylatexenc.latexwalker import get_default_latex_context_db as _walker_context_db

MAX_MATH_TEXT = 2000
"""Longest math span converted to readable text; longer spans show their source."""
_WHITESPACE = re.compile(r"\s+")


def _math_context() -> tuple[object, object]:
    """pylatexenc's tables, plus the math macros arXiv abstracts use that it lacks."""
    from pylatexenc.latex2text import MacroTextSpec
    from pylatexenc.macrospec import MacroSpec

    fractions = ("tfrac", "dfrac", "cfrac")
    walker = _walker_context_db()
    walker.add_context_category("arxiv", prepend=True, macros=[MacroSpec(name, "{{") for name in fractions])
    text = get_default_latex_context_db()
    text.add_context_category(
        "arxiv",
        prepend=True,
        macros=[MacroTextSpec(name, "%(1)s/%(2)s") for name in fractions]
        + [MacroTextSpec(name, repl) for name, repl in (("colon", ":"), ("|", "‖"), ("Vert", "‖"), ("vert", "|"), ("!", ""))],
    )
    return walker, text


_MATH_WALKER_DB, _MATH_TEXT_DB = _math_context()
_MATH_LATEX2TEXT = LatexNodes2Text(latex_context=_MATH_TEXT_DB)
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")
# Recorded abstracts write `\mathbfθ` and `\tildeΘ` (arXiv:2507.16734, arXiv:2007.09895):
# pylatexenc reads the letter as part of the macro's name and drops both.
_WORD_BEFORE_NON_ASCII = re.compile(r"(\\[A-Za-z]+)(?=[^\x00-\x7f])")
_WORD_AND_SPACE = re.compile(r"(\\[A-Za-z]+)(\s+)")
_SCRIPT = re.compile(r"([\^_])\s*(?:\{([^{}]*)\}|(\\[A-Za-z]+)|([^\s\\{}]))")
_SUPERSCRIPTS = dict(zip("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPTS = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_TEX_SPECIAL = frozenset("\\{}%$&#~^_")


_MATH_PIECE = re.compile(r"\\([A-Za-z]+)|\\([\s\S])|([{}])|([^\\{}]+)")
_MATH_CONTROL_SYMBOLS = {
    ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "!": "",
    "{": "{", "}": "}", "%": "%", "|": "‖", "#": "#", "&": "&", "_": "_", "$": "$",
}  # fmt: skip
_MATH_SIZING = frozenset(
    [
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "Biggl",
        "Biggr",
        "displaystyle",
        "textstyle",
        "limits",
        "nolimits",
    ]
)


@lru_cache(maxsize=2048)
def _takes_arguments(name: str) -> bool:
    spec = _MATH_WALKER_DB.get_macro_spec(name)
    return bool(spec is not None and getattr(spec.args_parser, "argspec", ""))


@lru_cache(maxsize=2048)
def _math_symbol(name: str) -> str | None:
    """Text of a math macro without arguments in pylatexenc's table (`\\alpha` -> α), else None."""
    if name in _MATH_SIZING:
        return ""
    replacement = getattr(_MATH_TEXT_DB.get_macro_spec(name), "simplify_repl", None)
    if _takes_arguments(name) or not isinstance(replacement, str) or "%" in replacement:
        return None
    return replacement


def _simple_math_text(source: str) -> str | None:
    """Math made only of symbols, letters and groups, as text from pylatexenc's table, without
    its parser (which costs ~0.2 ms a span); None when a macro takes arguments (`\\frac`)."""
    out: list[str] = []
    for m in _MATH_PIECE.finditer(source):
        word, symbol, _brace, text = m.groups()
        if word:
            replacement = _math_symbol(word)
            if replacement is None:
                return None
            out.append(replacement)
        elif symbol:
            if symbol not in _MATH_CONTROL_SYMBOLS:
                return None
            out.append(_MATH_CONTROL_SYMBOLS[symbol])
        elif text:
            out.append(text)
    return "".join(out)


def _keep_space(m: re.Match[str]) -> str:
    """`\\le α`: keep the space TeX would eat after a macro without arguments (`≤ α`, not `≤α`)."""
    return m.group(0) if _takes_arguments(m.group(1)[1:]) else m.group(1) + "{}" + m.group(2)


def _end_name(m: re.Match[str]) -> str:
    """`\\mathbfθ` -> `\\mathbf θ` (θ its argument), `\\ellₚ` -> `\\ell{}ₚ` (ℓ then ₚ)."""
    return m.group(1) + (" " if _takes_arguments(m.group(1)[1:]) else "{}")


def _script(m: re.Match[str]) -> str:
    """`^{-3}` -> ⁻³, `_1` -> ₁, `^{n-1}` -> ⁿ⁻¹; `^{a+b}` -> ^(a+b) when Unicode has no such letters."""
    marker, group, word, char = m.groups()
    if char:
        inner = char
    else:
        tex = group if group is not None else word
        simple = _simple_math_text(tex)
        inner = (simple if simple is not None else _MATH_LATEX2TEXT.latex_to_text(tex, latex_context=_MATH_WALKER_DB)).strip()
    if not inner or any(c in _TEX_SPECIAL for c in inner):
        return m.group(0)
    table = _SUPERSCRIPTS if marker == "^" else _SUBSCRIPTS
    if all(c in table for c in inner):
        return "".join(table[c] for c in inner)
    return marker + (inner if len(inner) == 1 else f"({inner})")


@lru_cache(maxsize=16384)
def math_text(tex: str) -> str:
    """Math as readable Unicode text (`\\times` -> ×, `10^{-3}` -> 10⁻³), via pylatexenc."""
    if len(tex) > MAX_MATH_TEXT:
        return tex
    # pylatexenc reads `%` as a comment and would drop the rest: arXiv authors mean percent.
    source = _UNESCAPED_PERCENT.sub(r"\1\\%", tex)
    try:
        source = _SCRIPT.sub(_script, source)
        source = _WORD_BEFORE_NON_ASCII.sub(_end_name, source)
        source = _WORD_AND_SPACE.sub(_keep_space, source)
        text = _simple_math_text(source)
        if text is None:
            text = _MATH_LATEX2TEXT.latex_to_text(source, latex_context=_MATH_WALKER_DB)
    except Exception:  # noqa: BLE001 -- pylatexenc fails on odd input in odd ways (KeyError on
        # `\footnote`, RecursionError on deep braces); the TeX itself is the readable fallback.
        return tex
    return _WHITESPACE.sub(" ", text).strip()
