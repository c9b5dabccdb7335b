"""Each config key is declared once (generator/config/model.py), and every view of it comes from that declaration.

The typed defaults, an empty config.yml, the values config.yml ships, README's tables and
the messages all agree with the declarations; a key declared here, in a test section, is
read, checked, overridden, documented and deprecated by the same machinery with no other
change (issue 21, "Config declared once").
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from generator.config import Config, load, load_config
from generator.config.model import DeprecatedKey
from generator.config.reference import TABLES, keys_table, tables_in
from generator.config.schema import Replaced, declarations, dotted, section, setting, subsection, walk
from generator.errors import ConfigError
from generator.night.doctor import deprecated_keys
from tests.conftest import ROOT

NOT_KEYS = {"path", "raw", "deprecated"}
"""Fields of Config that say where it came from; every other field of every section is a key."""


def sections(cls: type = Config) -> list[type]:
    found = [cls]
    for _, declaration in walk(cls):
        if declaration.section is not None:
            found.append(declaration.section)
    return found


def test_every_field_of_the_typed_config_is_a_declared_key():
    assert len(sections()) == 9  # Config, site, authors, interests, related, embeddings, ai_summary, arxiv, limits
    for cls in sections():
        fields = {f.name for f in dataclasses.fields(cls)} - (NOT_KEYS if cls is Config else set())
        assert fields == set(declarations(cls)), cls.__name__


def test_the_typed_defaults_are_the_declared_defaults():
    for cls in sections():
        defaults = cls()
        for name, declaration in declarations(cls).items():
            value = getattr(defaults, name)
            if declaration.section is None:
                assert value == declaration.read(declaration.default), f"{cls.__name__}.{name}"
            else:
                assert value == (None if declaration.optional else declaration.section()), f"{cls.__name__}.{name}"
    # The two defaults issue 21 found written twice.
    assert Config().interests.min_similarity == 0.12 and Config().catch_up_days == 10


def test_an_empty_config_yml_is_the_declared_defaults(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("# nothing set\n", encoding="utf-8")
    loaded = load_config(path, environ={})
    assert dataclasses.replace(loaded, path="") == Config()
    assert loaded.path == str(path) and loaded.deprecated == ()


KEY_LINE = re.compile(r"^(?P<indent> *)(?P<comment># )?(?P<inner> *)(?P<key>[a-z][a-z0-9_]*):(?P<value>(?: .*)?)$")


def keys_shown(text: str) -> dict[tuple[str, ...], tuple[str, bool]]:
    """Every key config.yml shows, set or in a commented example: key path -> (value as written, commented)."""
    shown: dict[tuple[str, ...], tuple[str, bool]] = {}
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        match = KEY_LINE.match(line)
        if not match:
            continue
        depth = len(match["indent"]) + len(match["inner"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        path = tuple(name for _, name in stack) + (match["key"],)
        value = re.sub(r"\s+#.*$", "", match["value"]).strip()
        shown[path] = (value, bool(match["comment"]))
        stack.append((depth, match["key"]))
    return shown


def as_written(declaration, text: str):
    if declaration.as_written:
        node = yaml.compose(text)
        if isinstance(node, yaml.SequenceNode):
            return [item.value for item in node.value]
    return yaml.safe_load(text)


def test_config_yml_shows_every_key_with_its_declared_default():
    # config.yml says "a missing key takes the default shown here": every key is there, set
    # to its default or, in a commented example, to its default or its declared example.
    text = (ROOT / "config.yml").read_text(encoding="utf-8")
    shown = keys_shown(text)
    declared = dict(walk(Config))
    assert set(shown) - set(declared) == set(), "config.yml shows keys nobody declared"
    missing = [dotted(path) for path, d in declared.items() if path not in shown and not d.deprecated]
    assert missing == [], f"config.yml does not show {missing}: add each, commented where it has no default worth setting"
    data = yaml.safe_load(text)
    for path, (written, commented) in shown.items():
        declaration = declared[path]
        if declaration.section is not None:
            continue
        if commented:
            value = declaration.read(as_written(declaration, written))
            allowed = [declaration.read(declaration.default)]
            if declaration.example is not None:
                allowed.append(declaration.read(declaration.example))
            assert value in allowed, f"config.yml's commented {dotted(path)}: {written}"
        else:
            value = data
            for part in path:
                value = value[part]
            assert declaration.read(value) == declaration.read(declaration.default), f"config.yml sets {dotted(path)} to {value!r}"
    assert load_config(ROOT / "config.yml", environ={}) == dataclasses.replace(Config(), path=str(ROOT / "config.yml"))


def test_readme_config_tables_are_written_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = tables_in(readme)
    assert set(found) == set(TABLES), "README lacks a marked config table"
    for name, table in found.items():
        assert table == TABLES[name](), f"README's config table {name!r} is stale; fix: python -m generator.config.reference README.md"
    for path, declaration in walk(Config):
        assert f"| `{dotted(path)}` |" in found["keys"]
        if declaration.env:
            assert f"| `{declaration.env}` | `{dotted(path)}` |" in found["environment"]


# -- a key is one declaration: test sections declared here, read by the real loader ----------


@section
class Pool:
    size: int = setting(4, "Workers in the pool", minimum=1, maximum=64, env="POOL_SIZE")
    mirror: str = setting("https://mirror.example.org/", "Where to fetch from")
    notes: str | None = setting(None, "A notes file", file="write the path of a notes file, relative to config.yml")


@section
class Thresholds:
    relevance: float = setting(
        0.5, "Listed from this relevance on", maximum=1, replaces=Replaced("thresholds.similarity", "relevance replaced similarity")
    )
    window: int = setting(7, "Days looked back", replaces=Replaced("thresholds.weeks", "now in days", convert=lambda weeks: weeks * 7))
    legacy: bool = setting(False, "An old switch", deprecated="it does nothing since 2.0")


@section
class Related:
    count: int = setting(5, "Related papers shown")


@section
class Root:
    pool: Pool = subsection("The worker pool")
    thresholds: Thresholds = subsection("When a paper is listed")
    related: Related = subsection("Related papers")
    extra: Pool | None = subsection(
        "A second pool, only when configured", optional=True, replaces=Replaced("related.pool", "one pool for every stage")
    )
    path: str = ""
    deprecated: tuple[DeprecatedKey, ...] = ()


def read(tmp_path, text: str, environ: dict[str, str] | None = None) -> Root:
    path = tmp_path / "settings.yml"
    path.write_text(text, encoding="utf-8")
    return load(path, Root, environ or {})


def test_a_new_key_is_one_declaration_and_every_view_follows(tmp_path):
    assert Root().pool == Pool(4, "https://mirror.example.org/", None) and Root().extra is None
    assert read(tmp_path, "pool:\n  size: 8\n").pool.size == 8
    assert read(tmp_path, "pool:\n  size: 8\n", {"POOL_SIZE": "16"}).pool.size == 16
    assert read(tmp_path, "extra:\n  size: 2\n", {"POOL_SIZE": "16"}).extra == Pool(16, "https://mirror.example.org/", None)
    with pytest.raises(ConfigError) as err:
        read(tmp_path, "pool:\n  size: 100\n")
    assert str(err.value) == f"{tmp_path / 'settings.yml'}:2: pool.size: must be at most 64, got 100; fix: use a value between 1 and 64"
    with pytest.raises(ConfigError) as err:
        read(tmp_path, "pool:\n  sise: 3\n")
    assert str(err.value).endswith(":2: pool.sise: unknown key; fix: did you mean 'size'?")
    with pytest.raises(
        ConfigError, match=r"^environment variable POOL_SIZE: 'many' is not an integer; fix: set POOL_SIZE to an integer, e.g. 4$"
    ):
        read(tmp_path, "{}\n", {"POOL_SIZE": "many"})
    with pytest.raises(ConfigError, match=r"settings.yml:3: pool.notes: .*missing.txt is not a file; fix: write the path of a notes file"):
        read(tmp_path, "pool:\n  size: 2\n  notes: missing.txt\n")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert read(tmp_path, "pool:\n  notes: notes.txt\n").pool.notes == str(tmp_path / "notes.txt")
    table = keys_table(Root)
    assert "| `pool.size` | `4` | integer, 1 to 64 | Workers in the pool; `POOL_SIZE` overrides it |" in table
    assert (
        "| `extra` | `null` | a section, or null | A second pool, only when configured "
        "(`related.pool` is still read: one pool for every stage) |" in table
    )


def test_an_old_key_is_still_read_with_a_note_the_doctor_prints(tmp_path):
    text = "thresholds:\n  similarity: 0.3\n  weeks: 2\n  legacy: true\n"
    loaded = read(tmp_path, text)
    assert (loaded.thresholds.relevance, loaded.thresholds.window, loaded.thresholds.legacy) == (0.3, 14, True)
    assert loaded.deprecated == (
        DeprecatedKey("thresholds.similarity", 2, "relevance replaced similarity", "rename it to thresholds.relevance"),
        DeprecatedKey("thresholds.weeks", 3, "now in days", "rename it to thresholds.window"),
        DeprecatedKey("thresholds.legacy", 4, "it does nothing since 2.0", "delete it"),
    )
    assert read(tmp_path, "thresholds:\n  relevance: 0.3\n").deprecated == ()
    # The old key's value is checked by the new key's rules, and reported under the name written.
    with pytest.raises(ConfigError) as err:
        read(tmp_path, "thresholds:\n  similarity: 3\n")
    assert str(err.value).endswith(":2: thresholds.similarity: must be at most 1, got 3; fix: use a value between 0 and 1")
    with pytest.raises(ConfigError) as err:
        read(tmp_path, "thresholds:\n  relevance: 0.4\n  similarity: 0.3\n")
    assert str(err.value).endswith(
        ":3: thresholds.similarity: replaced by thresholds.relevance, which is set too; "
        "fix: delete thresholds.similarity and keep thresholds.relevance"
    )
    # Did-you-mean suggests the current names only.
    with pytest.raises(ConfigError, match="did you mean 'relevance'"):
        read(tmp_path, "thresholds:\n  relevanse: 0.3\n")
    table = keys_table(Root)
    assert "(`thresholds.similarity` is still read: relevance replaced similarity)" in table
    assert "An old switch. Deprecated: it does nothing since 2.0" in table
    # The doctor prints each as a warning (on the real Config, which has no old key yet).
    config = dataclasses.replace(load_config(ROOT / "config.yml", environ={}), deprecated=loaded.deprecated)
    assert [finding.line() for finding in deprecated_keys(config)] == [
        f"warning  config: {ROOT / 'config.yml'}:2: thresholds.similarity is deprecated: relevance replaced similarity; "
        "fix: rename it to thresholds.relevance",
        f"warning  config: {ROOT / 'config.yml'}:3: thresholds.weeks is deprecated: now in days; fix: rename it to thresholds.window",
        f"warning  config: {ROOT / 'config.yml'}:4: thresholds.legacy is deprecated: it does nothing since 2.0; fix: delete it",
    ]


def test_a_section_moved_elsewhere_is_still_read_where_it_was(tmp_path):
    # Issue 22 plans one `embeddings:` block for related papers and interests, moved out of `related`.
    text = "related:\n  count: 3\n  pool:\n    size: 9\n"
    loaded = read(tmp_path, text, {"POOL_SIZE": "12"})
    assert loaded.related.count == 3 and loaded.extra == Pool(12, "https://mirror.example.org/", None)
    assert read(tmp_path, text).extra.size == 9
    assert loaded.deprecated == (DeprecatedKey("related.pool", 3, "one pool for every stage", "move it to extra"),)
    with pytest.raises(ConfigError) as err:  # errors name the keys where they are written
        read(tmp_path, "related:\n  pool:\n    size: 0\n")
    assert str(err.value).endswith(":3: related.pool.size: must be at least 1, got 0; fix: use a value at least 1")
    with pytest.raises(ConfigError, match="related.pool: replaced by extra, which is set too"):
        read(tmp_path, "extra:\n  size: 2\nrelated:\n  pool:\n    size: 3\n")
    with pytest.raises(ConfigError, match=r"related.poll: unknown key; fix: remove it; valid keys here: count$"):  # old names unsuggested
        read(tmp_path, "related:\n  poll: {}\n")


def test_a_replaced_key_that_is_still_declared_is_a_mistake(tmp_path):
    @section
    class Twice:
        old: int = setting(1, "The old key")
        new: int = setting(1, "The new key", replaces=Replaced("old", "renamed"))

    path = tmp_path / "settings.yml"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(TypeError, match="new replaces old, which is still declared"):
        load(path, Twice, {})


@pytest.mark.parametrize(
    "annotation,declare,message",
    [
        (str, lambda: setting("x", "text", minimum=1), "minimum do not apply"),
        (tuple[str, ...], lambda: setting([], "a list", env="LIST"), "cannot be set from an environment variable"),
        (int, lambda: setting(7, "a bad default", maximum=5), "the default 7 is invalid: must be at most 5"),
        (dict, lambda: setting({}, "a mapping"), "no way to read"),
    ],
    ids=["bound on text", "env on a list", "bad default", "unknown type"],
)
def test_a_wrong_declaration_fails_when_its_module_is_imported(annotation, declare, message):
    namespace = {"__annotations__": {"value": annotation}, "value": declare(), "__module__": __name__}
    with pytest.raises(TypeError, match=message):
        section(type("Wrong", (), namespace))


def test_a_bound_of_zero_is_a_bound(tmp_path):
    @section
    class Level:
        level: int = setting(0, "A level at most 0", minimum=-5, maximum=0)

    path = tmp_path / "settings.yml"
    path.write_text("level: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="level: must be at most 0, got 1"):
        load(path, Level, {})
