"""README's config tables, written from the declarations, so the docs cannot drift from the code.

Each table sits between two HTML comments naming it (`<!-- config reference: keys ... -->`
and `<!-- end of config reference: keys -->`); this module rewrites what lies between them.
The tests fail when README differs from what the declarations say.

    python -m generator.config.reference README.md           # rewrite README's tables
    python -m generator.config.reference --check README.md   # exit 1 when one is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.config.model import Config
from generator.config.schema import Declaration, declarations, dotted, walk

LONG_LIST = 4
"""A default list longer than this shows its first items and its length."""


def _code(text: str) -> str:
    return f"`{text}`".replace("|", "\\|")


def default_text(declaration: Declaration) -> str:
    """The default as config.yml would write it, as table text."""
    if declaration.section is not None:
        return "`null`" if declaration.optional else ""
    return _code(_yaml(declaration.default, top=True))


def _yaml(value: Any, top: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if top and len(value) > LONG_LIST:
            return f"[{', '.join(_yaml(item) for item in value[:3])}, …] ({len(value)})"
        return f"[{', '.join(_yaml(item) for item in value)}]"
    return str(value)


def what(declaration: Declaration) -> str:
    """The key's documentation, with its environment variable and deprecation."""
    text = declaration.doc
    if declaration.env:
        text += f"; `{declaration.env}` overrides it"
    if declaration.deprecated:
        text += f". Deprecated: {declaration.deprecated}"
    if declaration.replaces:
        text += f" (`{declaration.replaces.old}` is still read: {declaration.replaces.note})"
    return text.replace("|", "\\|")


def values(declaration: Declaration) -> str:
    if declaration.section is not None:
        return "a section, or null" if declaration.optional else "a section"
    return declaration.label().replace("|", "\\|")


def keys_table(root: type = Config, path: tuple[str, ...] = ()) -> str:
    """Every key below `root` (section rows included), in config.yml's order."""
    rows = ["| key | default | values | what |", "|---|---|---|---|"]
    for key_path, declaration in walk(root, path):
        rows.append(f"| `{dotted(key_path)}` | {default_text(declaration)} | {values(declaration)} | {what(declaration)} |")
    return "\n".join(rows)


def section_table(name: str) -> str:
    """The keys of one section of Config, by their names within it."""
    section = declarations(Config)[name].section
    rows = [f"| `{name}` key | default | values | what |", "|---|---|---|---|"]
    for key_path, declaration in walk(section):
        rows.append(f"| `{dotted(key_path)}` | {default_text(declaration)} | {values(declaration)} | {what(declaration)} |")
    return "\n".join(rows)


def environment_table(root: type = Config) -> str:
    """Every environment variable that overrides a key."""
    rows = ["| variable | overrides | default | what |", "|---|---|---|---|"]
    for key_path, declaration in walk(root):
        if declaration.env:
            rows.append(f"| `{declaration.env}` | `{dotted(key_path)}` | {default_text(declaration)} | {declaration.doc} |")
    return "\n".join(rows)


TABLES: dict[str, Callable[[], str]] = {
    "keys": keys_table,
    "environment": environment_table,
    "ai_summary": lambda: section_table("ai_summary"),
}
"""The tables README holds, by the name in their markers."""


def _block(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- config reference: {re.escape(name)} [^\n]*-->\n)(.*?)(<!-- end of config reference: {re.escape(name)} -->)", re.DOTALL
    )


def rewrite(text: str) -> str:
    """`text` with every marked table written anew from the declarations."""
    for name, table in TABLES.items():
        text = _block(name).sub(lambda match, table=table: f"{match.group(1)}{table()}\n{match.group(3)}", text)
    return text


def tables_in(text: str) -> dict[str, str]:
    """The marked tables found in `text`, by name, as written there."""
    found = {}
    for name in TABLES:
        match = _block(name).search(text)
        if match:
            found[name] = match.group(2).rstrip("\n")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.config.reference", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a Markdown file holding marked tables (README.md)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a table differs from the declarations")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    fresh = rewrite(text)
    if args.check:
        stale = [name for name, table in tables_in(text).items() if table != TABLES[name]()]
        for name in stale:
            print(
                f"{args.file}: the config table {name!r} differs from the declarations; "
                f"fix: python -m generator.config.reference {args.file}"
            )
        return 1 if stale else 0
    if fresh != text:
        args.file.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
