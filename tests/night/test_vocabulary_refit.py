"""The related papers' vocabulary follows the archive: fitted by the night after its commit, once the
archive reaches 1,024 papers, and again only when it doubles (generator.ranking.vocabulary)."""

from __future__ import annotations

import json

from benchmarks.synth import synthesize
from generator.archive.store import Archive
from generator.ranking.similarity import MIN_BASIS
from generator.ranking.vocabulary import VOCABULARY_PATH, read_vocabulary, refresh_vocabulary
from tests.conftest import serve_empty_api
from tests.night.test_update import QUANT_PH, quant_config, serve_feed


def vocabulary_file(docs):
    return docs.joinpath(*VOCABULARY_PATH.parts)


def test_fitted_at_1024_papers_on_the_oldest_and_kept_until_the_archive_doubles(tmp_path):
    docs = synthesize(MIN_BASIS - 1, tmp_path / "young")
    assert refresh_vocabulary(docs) is None and not vocabulary_file(docs).exists()  # too young: the site fits its own

    docs = synthesize(MIN_BASIS + 40, tmp_path / "grown")
    vocabulary = refresh_vocabulary(docs)
    assert vocabulary is not None and vocabulary.papers == MIN_BASIS
    assert read_vocabulary(docs).terms == vocabulary.terms
    written = vocabulary_file(docs).read_bytes()
    assert refresh_vocabulary(docs) is None and vocabulary_file(docs).read_bytes() == written  # not doubled: kept as is

    # A broken file is fitted again (the night repairs it), not trusted.
    vocabulary_file(docs).write_text("{not json", encoding="utf-8")
    assert read_vocabulary(docs) is None
    assert refresh_vocabulary(docs).papers == MIN_BASIS and json.loads(vocabulary_file(docs).read_text(encoding="utf-8"))


def test_the_night_that_takes_the_archive_past_1024_papers_writes_the_vocabulary(tmp_path, arxiv_env, write_config, run_cli):
    docs = synthesize(MIN_BASIS - 5, tmp_path)
    before = len(Archive(docs).pages("paper"))
    serve_feed(arxiv_env, QUANT_PH)
    serve_empty_api(arxiv_env)
    code, err = run_cli("update", "--config", quant_config(write_config), "--docs", docs)
    assert code == 0, err
    after = len(Archive(docs).pages("paper"))
    assert before < MIN_BASIS <= after  # the night's 12 papers took it past the threshold
    vocabulary = read_vocabulary(docs)
    assert vocabulary is not None and vocabulary.papers == MIN_BASIS

    # The next night (nothing new) leaves it as it is.
    written = vocabulary_file(docs).read_bytes()
    assert run_cli("update", "--config", quant_config(write_config), "--docs", docs)[0] == 0
    assert vocabulary_file(docs).read_bytes() == written
