"""The rules of keys beyond their type: URLs, variable names, arXiv categories and ids, announce types, keywords.

Each is a `Check` a declaration names (`setting(..., check=...)`): it gets the value already
read as its type and returns the value to keep (deduplicated, normalized) or raises
`Invalid` with the problem and the fix; `at` points at the list item at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from generator.arxiv.ids import parse_versioned_id
from generator.arxiv.taxonomy import closest_categories, is_category
from generator.config.schema import Check, Invalid


def url(placeholder: str | None = None) -> Check:
    """An http(s) URL; with a placeholder (`{categories}`, `{id}`), one that contains it."""

    def apply(text: str) -> str:
        if not re.match(r"^https?://[^\s/]+", text):
            raise Invalid(f"{text!r} is not an http(s) URL", "write a full URL such as https://example.org/path")
        if placeholder and placeholder not in text:
            raise Invalid(f"{text!r} lacks the {placeholder} placeholder", f"put {placeholder} where it belongs in the URL")
        return text

    return Check(apply, f"http(s) URL with `{placeholder}`" if placeholder else "http(s) URL")


def _environment_variable_name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise Invalid(
            f"{text!r} is not an environment variable name",
            "give the NAME of the variable that holds the key (e.g. DASHSCOPE_API_KEY), never the key itself",
        )
    return text


environment_variable_name = Check(_environment_variable_name, "an environment variable's name")


def _arxiv_categories(codes: tuple[str, ...]) -> tuple[str, ...]:
    for index, code in enumerate(codes):
        if not is_category(code):
            near = closest_categories(code)
            hint = f"did you mean {' or '.join(near)}?" if near else "see https://arxiv.org/category_taxonomy"
            raise Invalid(f"{code!r} is not an arXiv category", f"{hint} (codes are case-sensitive, e.g. cs.LG)", (index,))
    return tuple(dict.fromkeys(codes))


arxiv_categories = Check(_arxiv_categories, "arXiv category codes, at least one")


def one_of(choices: Iterable[str], noun: str) -> Check:
    """Items from a fixed list (`noun`: 'an announce type'), each kept once."""
    allowed = tuple(choices)

    def apply(items: tuple[str, ...]) -> tuple[str, ...]:
        for index, item in enumerate(items):
            if item not in allowed:
                raise Invalid(f"{item!r} is not {noun}", f"use any of: {', '.join(allowed)}", (index,))
        return tuple(dict.fromkeys(items))

    return Check(apply, f"any of {', '.join(allowed)}, at least one")


def _arxiv_ids(items: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for index, item in enumerate(items):
        parsed = parse_versioned_id(item)
        if parsed is None:
            raise Invalid(
                f"{item!r} is not an arXiv id",
                "write the id as arXiv shows it, e.g. 2401.12345 or hep-th/9901001 (a version suffix is ignored)",
                (index,),
            )
        out.append(parsed[0])
    return tuple(dict.fromkeys(out))


arxiv_ids = Check(_arxiv_ids, "arXiv ids (a version suffix is ignored)")


def _distinct_keywords(keywords: tuple[Any, ...]) -> tuple[Any, ...]:
    names = [keyword.name.casefold() for keyword in keywords]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise Invalid(
                f"keyword {keywords[index].name!r} is listed twice", "remove the duplicate (use weight to count it more)", (index,)
            )
    return keywords


distinct_keywords = Check(_distinct_keywords, "keywords: text, or `{name, regex, weight}` mappings")
