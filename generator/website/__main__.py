"""The site without MkDocs: `python -m generator.website derive [--docs docs] [--config config.yml] [--theme overrides] --out DIR`.

Writes every page of the site (derived pages, papers, days, categories and tags, as
Markdown holding their rendered HTML) and the feeds into DIR, for a site generator
that runs no MkDocs plugins (such as Zensical). DIR must not be the archive folder.
Exit 0 on success, non-zero with a one-line error otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.config import load_config
from generator.errors import GeneratorError
from generator.website.derive import derive, write_files
from generator.website.settings import site_info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.website", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("derive", help="write every page of the site and the feeds into a folder")
    cmd.add_argument("--docs", type=Path, default=Path("docs"), help="archive folder (default: docs)")
    cmd.add_argument("--config", type=Path, default=Path("config.yml"), help="config file (default: config.yml)")
    cmd.add_argument("--theme", type=Path, default=Path("overrides"), help="theme folder with archive/ templates (default: overrides)")
    cmd.add_argument("--out", type=Path, required=True, help="folder to write into (not the archive folder)")
    cmd.add_argument("--no-directory-urls", action="store_true", help="links as page.html (MkDocs use_directory_urls: false)")
    args = parser.parse_args(argv)
    try:
        site = site_info(load_config(args.config, environ={}), directory_urls=not args.no_directory_urls)
        written = write_files(derive(args.docs, site, [args.theme]), args.out, args.docs)
    except GeneratorError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    print(f"{written} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
