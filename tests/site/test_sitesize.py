"""The build says how much of GitHub Pages' 1 GB the site takes: a line, a warning from 80% that does
not fail a strict build, a MkDocs warning (so a strict build fails) at 100% (generator/website/sitesize.py)."""

from __future__ import annotations

import logging

import pytest

from generator.website import sitesize


@pytest.fixture
def site(tmp_path):
    (tmp_path / "papers" / "2609").mkdir(parents=True)
    (tmp_path / "papers" / "2609" / "index.html").write_bytes(b"x" * 600)
    (tmp_path / "index.html").write_bytes(b"y" * 200)
    (tmp_path / ".archive-kept").mkdir()
    (tmp_path / ".archive-kept" / "big").write_bytes(b"z" * 5000)  # hidden: never published
    (tmp_path / ".archive-build").write_bytes(b"marker")
    return tmp_path


def test_counts_what_is_published(site):
    assert sitesize.site_bytes(site) == 800


def records(caplog, name):
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == name]


def test_below_80_percent_one_line(site, monkeypatch, caplog, capsys):
    monkeypatch.setattr(sitesize, "PAGES_LIMIT", 10_000)
    with caplog.at_level(logging.INFO):
        assert sitesize.report_size(site, papers=2, environ={"GITHUB_ACTIONS": "true"}) == 800
    [(level, message)] = records(caplog, "mkdocs.plugins.archive")
    assert level == logging.INFO and "8% of GitHub Pages' 1 GB" in message and "0.4 KB a paper" in message
    assert records(caplog, "generator.website.sitesize") == [] and "::warning" not in capsys.readouterr().out


def test_from_80_percent_a_warning_that_a_strict_build_does_not_count(site, monkeypatch, caplog, capsys):
    monkeypatch.setattr(sitesize, "PAGES_LIMIT", 1000)
    with caplog.at_level(logging.INFO):
        sitesize.report_size(site, papers=2, environ={"GITHUB_ACTIONS": "true"})
    assert records(caplog, "mkdocs.plugins.archive") == []  # MkDocs' --strict counts only its own loggers' warnings
    [(level, message)] = records(caplog, "generator.website.sitesize")
    assert level == logging.WARNING and "80% of GitHub Pages' 1 GB" in message and "about 0 more papers fit" in message
    assert "How big an archive fits" in message
    assert capsys.readouterr().out.startswith("::warning title=The site nears GitHub Pages' 1 GB::")
    sitesize.report_size(site, papers=2, environ={})
    assert "::warning" not in capsys.readouterr().out  # an annotation only in GitHub Actions


def test_at_the_limit_a_mkdocs_warning(site, monkeypatch, caplog):
    monkeypatch.setattr(sitesize, "PAGES_LIMIT", 800)
    with caplog.at_level(logging.INFO):
        sitesize.report_size(site, papers=2, environ={})
    [(level, message)] = records(caplog, "mkdocs.plugins.archive")
    assert level == logging.WARNING and "100% of GitHub Pages' 1 GB" in message and "would refuse it" in message
