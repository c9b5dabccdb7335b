"""config.yml validation: every kind of mistake gets its own one-line message, exit 2, nothing written."""

from __future__ import annotations

import pytest

from generator.config import load_config
from tests.conftest import ROOT

GOOD = (ROOT / "config.yml").read_text(encoding="utf-8")


def test_the_shipped_configs_are_valid_and_carry_the_original_defaults():
    config = load_config(ROOT / "config.yml", environ={})
    assert config.categories == ("cs.AI", "cs.CL", "cs.DC", "cs.LG")
    assert [k.name for k in config.keywords][:3] == ["LLM", "RL", "RLHF"] and len(config.keywords) == 30
    assert [k.name for k in config.exclude_keywords] == ["survey", "review", "tutorial"]
    assert (config.max_papers, config.days_back, config.min_score, config.announce_types) == (30, 7, 2.5, ("new",))
    assert config.ai_summary.model == "qwen-long" and config.ai_summary.max_workers == 3
    assert config.arxiv.request_delay == 3
    load_config(ROOT / "demo" / "config.yml", environ={})


def test_every_key_of_the_shipped_config_is_commented():
    lines = GOOD.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "-")):
            continue
        above = lines[index - 1].strip()
        below = lines[index + 1].strip() if index + 1 < len(lines) else ""
        is_section = stripped.endswith(":")
        shares_comment = stripped.startswith("price_per_1k_output")  # one comment for both prices
        assert above.startswith("#") or (is_section and below.startswith("#")) or shares_comment, f"uncommented key: {line}"


CASES = [
    # (what is wrong, replacement of GOOD's text, expected pieces of the message)
    ("yaml syntax", ("max_papers: 30", "max_papers: [30"), ["YAML syntax error", ":"]),
    ("unknown key", ("max_papers: 30", "max_paper: 30"), ["max_paper", "unknown key", "did you mean 'max_papers'"]),
    ("wrong type", ("max_papers: 30", "max_papers: thirty"), ["max_papers", "expected an integer", "got a string"]),
    ("not a category", ("  - cs.DC\n", "  - cs.XX\n"), ["categories[2]", "'cs.XX' is not an arXiv category"]),
    ("wrong case category", ("  - cs.DC\n", "  - cs.dc\n"), ["categories[2]", "did you mean cs.DC"]),
    ("negative number", ("days_back: 7", "days_back: -3"), ["days_back", "must be at least 0"]),
    ("negative delay", ("request_delay: 3", "request_delay: -1"), ["arxiv.request_delay", "at least 0"]),
    ("bad regex", ("  - Communication\n", "  - {name: Comm, regex: '(unclosed'}\n"), ["keywords[29]", "does not compile"]),
    ("bad announce type", ("announce_types:\n  - new", "announce_types:\n  - novel"), ["announce_types[0]", "'novel'"]),
    (
        "key instead of env name",
        ("api_key_env: DASHSCOPE_API_KEY", "api_key_env: sk-123 456"),
        ["ai_summary.api_key_env", "NAME of the variable"],
    ),
    (
        "list expected",
        ("exclude_keywords:\n  - survey\n  - review\n  - tutorial", "exclude_keywords: survey"),
        ["exclude_keywords", "expected a list"],
    ),
    ("section not a mapping", (GOOD, "authors: everyone\n"), ["authors", "expected a mapping"]),
    ("duplicate key", ("min_score: 2.5", "min_score: 2.5\nmin_score: 3"), ["min_score", "appears twice"]),
    # Issue 7: every malformed config.yml, one line with the file and the key.
    ("tab indentation", ("max_papers: 30", "max_papers:\t30\n\tx: 1"), ["YAML syntax error", "spaces, not tabs"]),
    ("top level is a list", (GOOD, "- cs.LG\n- cs.AI\n"), ["expected a mapping of keys, got a list"]),
    ("top level is text", (GOOD, "just some text\n"), ["expected a mapping of keys, got a string"]),
    (
        "null section value",
        ("categories:\n  - cs.AI\n  - cs.CL\n  - cs.DC\n  - cs.LG", "categories:"),
        ["categories", "got nothing (null)"],
    ),
    ("empty list", ("categories:\n  - cs.AI\n  - cs.CL\n  - cs.DC\n  - cs.LG", "categories: []"), ["categories", "must not be empty"]),
    ("number in a list of strings", ("  - cs.DC\n", "  - 42\n"), ["categories[2]", "expected a string, got an integer"]),
    ("zero where at least 1", ("max_papers: 30", "max_papers: 0"), ["max_papers", "at least 1"]),
    ("float where integer", ("max_papers: 30", "max_papers: 30.5"), ["max_papers", "expected an integer"]),
    ("yes where integer", ("max_papers: 30", "max_papers: yes"), ["max_papers", "got true/false"]),
    ("too large", ("days_back: 7", "days_back: 10000"), ["days_back", "at most 365"]),
    ("nan", ("min_score: 2.5", "min_score: .nan"), ["min_score", "finite number"]),  # was accepted: nothing ever matched
    ("infinite delay", ("request_delay: 3", "request_delay: .inf"), ["arxiv.request_delay", "finite number"]),  # was accepted: sleep(inf)
    ("nan timeout", ("  timeout: 30\n", "  timeout: .nan\n"), ["arxiv.timeout", "finite number"]),
    (
        "integer of 5,000 digits",
        ("max_papers: 30", "max_papers: 1" + "0" * 5000),
        ["YAML syntax error", "integer string conversion"],
    ),  # was an internal error
    ("nested unknown key", ("  model: qwen-long", "  modle: qwen-long"), ["ai_summary.modle", "did you mean 'model'"]),
    ("out of range", ("  temperature: 0.3", "  temperature: 3"), ["ai_summary.temperature", "at most 2"]),
    ("not an http URL", ("  url: https://example", "  url: ftp://example"), ["site.url", "not an http(s) URL"]),
    (
        "placeholder missing",
        ("feed_url: https://rss.arxiv.org/rss/{categories}", "feed_url: https://rss.arxiv.org/rss/cs.LG"),
        ["arxiv.feed_url", "{categories}"],
    ),
    ("prompt file missing", ("  prompt_file: null", "  prompt_file: missing.md"), ["ai_summary.prompt_file", "is not a file"]),
    ("weight zero", ("  - Communication\n", "  - {name: Comm, weight: 0}\n"), ["keywords[29]", "greater than 0"]),
    ("empty keyword", ("  - Communication\n", "  - ''\n"), ["keywords[29]", "empty keyword"]),
    ("keyword twice", ("  - Communication\n", "  - llm\n"), ["keywords[29]", "listed twice"]),
    ("unknown key in a keyword", ("  - Communication\n", "  - {name: X, regexp: x}\n"), ["keywords[29]", "unknown key 'regexp'"]),
    (
        "python tag",
        ("max_papers: 30", "max_papers: !!python/object/apply:os.system ['echo pwned']"),
        ["YAML syntax error", "could not determine a constructor"],
    ),
    ("unhashable key", ("max_papers: 30", "? [a, b]\n: x\nmax_papers: 30"), ["YAML syntax error", "unhashable key"]),
    ("NUL byte", (GOOD, "max_papers: 30\x00\n"), ["YAML syntax error", "#x0000"]),
    # Issue 13: the catch-up window and the ceilings on what arXiv sends.
    ("catch-up window too long", ("catch_up_days: 10", "catch_up_days: 61"), ["catch_up_days", "at most 60"]),
    ("negative catch-up window", ("catch_up_days: 10", "catch_up_days: -1"), ["catch_up_days", "at least 0"]),
    ("ceiling too low", ("  feed_bytes: 50000000", "  feed_bytes: 500"), ["limits.feed_bytes", "at least 10000"]),
    ("ceiling not a number", ("  pdf_pages: 200", "  pdf_pages: many"), ["limits.pdf_pages", "expected an integer"]),
    ("ceiling of zero authors", ("  authors: 6000", "  authors: 0"), ["limits.authors", "at least 1"]),
    ("unknown ceiling", ("  title_chars: 1000", "  title_char: 1000"), ["limits.title_char", "did you mean 'title_chars'"]),
    (
        "alias bomb",  # nine levels of nine aliases: the line-number walk never finished
        (GOOD, "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9) if n else 'x'}]\n" for n in range(9))),
        ["l0", "unknown key"],
    ),
]


@pytest.mark.parametrize("label,edit,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_config_gives_one_clear_line_and_exit_2(tmp_path, run_cli, label, edit, expected):
    old, new = edit
    assert old in GOOD, label
    config = tmp_path / "config.yml"
    config.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    docs = tmp_path / "docs"
    code, err = run_cli("update", "--config", config, "--docs", docs)
    assert code == 2
    message = err.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"error: {config}:")
    assert "fix:" in message
    for piece in expected:
        assert piece in message
    assert not docs.exists()


def test_line_numbers_point_at_the_key(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(GOOD.replace("min_score: 2.5", "min_score: high"), encoding="utf-8")
    line = next(i for i, text in enumerate(GOOD.splitlines(), 1) if text.startswith("min_score:"))
    with pytest.raises(Exception) as err:
        load_config(config, environ={})
    assert f"{config}:{line}: min_score:" in str(err.value)


def test_missing_file(tmp_path, run_cli):
    code, err = run_cli("update", "--config", tmp_path / "nope.yml", "--docs", tmp_path / "docs")
    assert code == 2 and "file not found" in err and "--config" in err


def test_environment_overrides_and_their_validation(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(GOOD, encoding="utf-8")
    loaded = load_config(
        config,
        environ={
            "ARXIV_FEED_URL": "http://127.0.0.1:9/rss/{categories}",
            "ARXIV_REQUEST_DELAY": "0.5",
            "LLM_BASE_URL": "http://127.0.0.1:9/v1",
        },
    )
    assert loaded.arxiv.feed_url == "http://127.0.0.1:9/rss/{categories}"
    assert loaded.arxiv.request_delay == 0.5
    assert loaded.ai_summary.base_url == "http://127.0.0.1:9/v1"
    with pytest.raises(Exception, match="ARXIV_REQUEST_DELAY.*not a number"):
        load_config(config, environ={"ARXIV_REQUEST_DELAY": "soon"})
    with pytest.raises(Exception, match="ARXIV_FEED_URL.*lacks the \\{categories\\} placeholder"):
        load_config(config, environ={"ARXIV_FEED_URL": "http://127.0.0.1:9/rss"})


def test_empty_file_means_all_defaults(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("# nothing set\n", encoding="utf-8")
    assert load_config(config, environ={}).max_papers == 30
