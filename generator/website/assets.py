"""The site's own scripts and stylesheets, addressed by their content.

Every script and stylesheet the theme folder (overrides/assets/) serves is named with a
fingerprint of its content in its address (`assets/javascripts/reader.js?v=1a2b3c4d`), so
no browser or cache runs the code of an older build beside the pages of a newer one
(Material names its own files that way: `bundle.a5f9d56c.min.js`). A file's fingerprint
covers what it loads: a script or stylesheet that names another of these files (a script
loading `assets/javascripts/math.js`, math.js loading `../vendor/katex/katex.min.js`, a
stylesheet importing `reader.css`) names it with that file's fingerprint, so a change to
math.js changes the addresses of reader.js too. Pages get the addresses where they name an
asset (`Fingerprints.html`), once per shell and per page MkDocs renders.

Pure: contents in, contents and addresses out.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

FINGERPRINTED = (".js", ".css")
NAMED_BY_CONTENT = re.compile(r"\.[0-9a-f]{8}(?:\.min)?\.(?:js|css)$")
"""Material's own files carry their fingerprint in their name already."""
_REFERENCE = re.compile(r"""(?P<open>["'(])(?P<path>[\w./-]+\.(?:js|css))(?P<close>["')])""")
"""A quoted (or url(...)) address of a script or stylesheet inside a script or stylesheet."""
_IN_PAGE = re.compile(r'(?P<attr>(?:src|href)=")(?P<up>(?:\.\./)*)(?P<path>assets/[^"?#]+\.(?:js|css))"')
"""An asset's address in a page: relative to the page, so `../` steps to the site root."""
_VERSION = "?v="


@dataclass(frozen=True)
class Fingerprints:
    """What the site serves of its own scripts and stylesheets, and under which address."""

    contents: dict[str, str]
    """Each file's served text (the addresses it names fingerprinted), by its path from the site root."""
    versions: dict[str, str]
    """The fingerprint of each file (and of files written by others, such as Pagefind's), by path."""

    def address(self, path: str) -> str:
        """`path` (from the site root) with its fingerprint, or as it is when it has none."""
        version = self.versions.get(path)
        return f"{path}{_VERSION}{version}" if version else path

    def html(self, page: str) -> str:
        """A page with every address of a fingerprinted file given its fingerprint."""

        def versioned(match: re.Match) -> str:
            version = self.versions.get(match.group("path"))
            if version is None:
                return match.group(0)
            return f'{match.group("attr")}{match.group("up")}{match.group("path")}{_VERSION}{version}"'

        return _IN_PAGE.sub(versioned, page)


def fingerprint(sources: Mapping[str, str], known: Mapping[str, str] | None = None) -> Fingerprints:
    """Fingerprint these files (path from the site root -> text); `known` adds versions of files
    served by others (Pagefind's `pagefind/pagefind.js`, by its release), which scripts may name.

    A file naming another (relative to itself, or from the site root as the site's scripts do)
    is fingerprinted after it, with that file's address rewritten; a cycle is an error.
    """
    versions: dict[str, str] = dict(known or {})
    contents: dict[str, str] = {}
    visiting: set[str] = set()

    def resolve(path: str, reference: str) -> str | None:
        for candidate in (posixpath.normpath(posixpath.join(posixpath.dirname(path), reference)), reference):
            if candidate in sources or candidate in versions:
                return candidate
        return None

    def visit(path: str) -> str:
        if path in contents:
            return versions[path]
        if path in visiting:
            raise ValueError(f"{path}: scripts or stylesheets that load each other in a cycle cannot be fingerprinted")
        visiting.add(path)

        def rewrite(match: re.Match) -> str:
            target = resolve(path, match.group("path"))
            if target is None or target == path:
                return match.group(0)
            version = visit(target) if target in sources else versions[target]
            return f"{match.group('open')}{match.group('path')}{_VERSION}{version}{match.group('close')}"

        text = _REFERENCE.sub(rewrite, sources[path])
        contents[path] = text
        versions[path] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        visiting.discard(path)
        return versions[path]

    for path in sorted(sources):
        visit(path)
    return Fingerprints(contents, versions)


def fingerprinted(path: str) -> bool:
    """True for a script or stylesheet whose name does not carry its fingerprint already."""
    return path.endswith(FINGERPRINTED) and not NAMED_BY_CONTENT.search(path)
