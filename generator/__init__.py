"""arXiv daily archive: the nightly generator and the site built from its archive.

One subpackage per stage (ARCHITECTURE.md, "The layout"): config/ (config.yml) → arxiv/
(feed, API) → ranking/ (filter, score, rank) → summaries/ (LLM) → archive/ (records, the
store: docs/, atomic transactions), ordered by night/ (pipeline.py, driven from cli.py);
website/ builds the site from the archive; text/ is the one text policy both use.
"""
