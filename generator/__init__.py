"""arXiv daily archive: the nightly generator.

The pipeline, one module per stage (see DESIGN.md):
config.py (config.yml) → fetch.py + feed.py (arXiv) → select.py (filter, score, rank)
→ summaries (LLM) → render.py (Markdown pages) → archive.py (docs/, atomic writes),
orchestrated by pipeline.py and driven from cli.py.
"""
