"""The archive site's build-time code: derived pages, feeds, sitemap, <head> tags, search index.

Runs inside `mkdocs build` (gen_pages.py through mkdocs-gen-files, hooks.py as
MkDocs hooks) and standalone (`python -m sitegen derive`). Pure modules compute
from the archive's front matter (catalog → pages, feeds, sitemap, head); I/O
sits in catalog.read_catalog, derive.write_files and the hooks.
"""
