"""arXiv daily archive: the nightly generator.

The pipeline, one module per stage (see ARCHITECTURE.md):
config.py (config.yml) → fetch.py + feed.py (arXiv) → select.py (filter, score, rank)
→ summarize.py (LLM) → records.py (pages) → archive.py (docs/, atomic writes),
orchestrated by pipeline.py and driven from cli.py.
"""
