"""The archive site, built from the records in docs/: every page, the feeds, the sitemap, the search index.

Runs inside `mkdocs build` as the `archive` plugin (plugin.py) and without MkDocs
(`python -m generator.website derive`). Pure modules compute from the records: catalog (records
in) → pages (what the site holds) → render (templates in overrides/archive/) → shell
(Material's page around the pages outside the nav), feeds, sitemap, cite. I/O sits in
catalog.read_catalog, search (Pagefind), derive.write_files and the plugin's events.
See ARCHITECTURE.md, "The site build".
"""
