"""The layout is the architecture (ARCHITECTURE.md, "The layout"): which package may import which.

Every module under generator/ is read with `ast` (no import runs); each import of another
package of the project must be allowed by `ALLOWED`. The rule that matters most: the night
(`generator.night`) and the site (`generator.website`) both build on the archive and the text
policy and never import each other. No module is named like a module of the standard library.
"""

from __future__ import annotations

import ast
import sys

from tests.conftest import ROOT

SHARED = {"errors", "redaction", "web"}
"""Modules at the top of the package that any package may use: the exception family, secret masking, the HTTP policy.
They import nothing of the project but each other and the text policy (its one message shortener), which imports none of them."""
LEAVES = {"generator.arxiv.ids", "generator.arxiv.taxonomy"}
"""Facts about arXiv (ids, addresses, category names) that any package may use: they import nothing of the project but errors."""
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "config": {"archive", "arxiv"},
    "archive": {"text"},
    "arxiv": {"text", "config", "archive"},
    "ranking": {"text", "config", "archive", "arxiv"},
    "summaries": {"text", "config", "archive"},
    "night": {"text", "config", "archive", "arxiv", "ranking", "summaries"},
    "website": {"text", "config", "archive", "ranking"},
}
"""Package -> the packages it may import (besides SHARED, LEAVES and itself)."""


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports() -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import of the project inside generator/."""
    found = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, (
                    f"{path}:{node.lineno}: relative import (the layout's imports are absolute, so a move shows in them)"
                )
                targets = [node.module] if node.module else []
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found += [(module, target, node.lineno) for target in targets if target == "generator" or target.startswith("generator.")]
    return found


def test_packages_import_only_what_the_layout_allows():
    wrong = []
    for module, target, line in imports():
        source, wanted = package_of(module), package_of(target)
        if module in LEAVES and target != "generator.errors":
            wrong.append(f"{module}:{line} imports {target}: {module} is a leaf")
        elif (
            source == wanted
            or wanted in SHARED
            or target in LEAVES
            or source in ("", "__main__")
            or source in SHARED
            and wanted in ("errors", "text")
        ):
            continue
        elif wanted not in ALLOWED.get(source, set()):
            wrong.append(
                f"{module}:{line} imports {target}: {source} may import {sorted(ALLOWED.get(source, set())) or 'no other package'}"
            )
    assert wrong == [], "\n".join(wrong)


def test_the_night_and_the_site_never_import_each_other():
    crossing = [(m, t) for m, t, _ in imports() if {package_of(m), package_of(t)} == {"night", "website"}]
    assert crossing == []
    assert "website" not in ALLOWED["night"] and "night" not in ALLOWED["website"]


def test_no_module_is_named_like_a_standard_library_module():
    shadowing = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "generator").rglob("*.py")
        if path.stem in sys.stdlib_module_names or (path.name == "__init__.py" and path.parent.name in sys.stdlib_module_names)
    ]
    assert shadowing == []


def test_every_package_is_named_in_the_layout():
    packages = {p.name for p in (ROOT / "generator").iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(ALLOWED), "a new package needs its line in ALLOWED (and in ARCHITECTURE.md)"
