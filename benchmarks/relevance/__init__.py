"""Ranking by meaning, measured on hand-labelled recorded real papers: `python -m benchmarks.relevance` (see measure.py)."""
