"""Standalone derived pages: `python -m sitegen derive [--docs docs] [--config config.yml] --out DIR`.

Writes the pages and feeds `mkdocs build` would add to the archive into DIR (DIR
may be the archive folder itself, for a site generator that runs no MkDocs
plugins, such as Zensical). Exit 0 on success, 1 with a one-line error otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.config import load_config
from generator.errors import GeneratorError

from .derive import derive, write_files
from .settings import site_info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitegen", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("derive", help="write the derived pages and feeds into a folder")
    cmd.add_argument("--docs", type=Path, default=Path("docs"), help="archive folder (default: docs)")
    cmd.add_argument("--config", type=Path, default=Path("config.yml"), help="config file (default: config.yml)")
    cmd.add_argument("--out", type=Path, required=True, help="folder to write into")
    cmd.add_argument("--no-directory-urls", action="store_true", help="links as page.html (MkDocs use_directory_urls: false)")
    args = parser.parse_args(argv)
    try:
        site = site_info(load_config(args.config, environ={}), directory_urls=not args.no_directory_urls)
        files = derive(args.docs, site)
        write_files(files, args.out)
    except GeneratorError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    print(f"{len(files)} derived files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
