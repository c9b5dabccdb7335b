"""Read config.yml against the declarations: YAML with line numbers, environment overrides, paths, old keys.

Every problem becomes one `ConfigError` naming the file, the line, the dotted key and the
fix; the CLI prints it on one line and exits with code 2 before anything is fetched or
written. Nothing here knows a key by name: what a key accepts, its default, the variable
that overrides it (README, "Endpoints"), whether it names a file relative to config.yml
and which old name it replaces all come from its declaration (model.py).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from generator.config.model import Config, DeprecatedKey
from generator.config.schema import Declaration, Invalid, declarations, dotted, replacements, type_name
from generator.errors import ConfigError

Root = TypeVar("Root")
_ABSENT = object()


def load_config(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Config:
    """Read, validate and return the config; raise ConfigError with file, line, key and fix."""
    return load(path, Config, environ)


def load(path: str | os.PathLike[str], root: type[Root], environ: Mapping[str, str] | None = None) -> Root:
    """A YAML file read against the declarations of `root` (a `@section` class).

    Its fields `path`, `raw` and `deprecated`, where it has them, say where the values came from.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, None, "file not found", fix="run from the repository root or pass --config path/to/config.yml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, None, f"cannot be read ({exc})", fix="save it as UTF-8 text") from None
    document = _Document(text, source)
    reader = _Reader(source, document, os.environ if environ is None else environ, Path(path).parent, root)
    values = reader.section(root, document.data, ())
    extras = {"path": source, "raw": document.data if isinstance(document.data, dict) else {}, "deprecated": tuple(reader.deprecated)}
    names = {f.name for f in dataclasses.fields(root)}  # type: ignore[arg-type]
    return root(**values, **{name: value for name, value in extras.items() if name in names})


class _Document:
    """The YAML text parsed once: its data, and each key's line and node by key path."""

    def __init__(self, text: str, source: str):
        self.source = source
        try:
            loader = yaml.SafeLoader(text)
            try:
                node = loader.get_single_node()
                self.data = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            # ValueError: an integer of more than 4,300 digits; RecursionError: thousands of nested brackets.
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
            raise ConfigError(
                source,
                None,
                f"YAML syntax error: {problem}",
                fix="check indentation (spaces, not tabs) and quote values containing ': ' or '#'",
                line=mark.line + 1 if mark else None,
            ) from None
        self.lines: dict[tuple[Any, ...], int] = {}
        self.nodes: dict[tuple[Any, ...], yaml.Node] = {}
        self._walked: set[int] = set()
        if node is not None:
            self._walk(node, ())
        if self.data is None:
            self.data = {}

    def _walk(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        # An alias repeats a node: walking it again per reference is exponential in nested
        # aliases (a 'billion laughs' file never finished loading). Each node is walked once.
        if id(node) in self._walked:
            return
        self._walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise ConfigError(self.source, dotted(path + (key,)), "key appears twice", fix="keep one of the two entries", line=line)
                seen.add(key)
                self.lines[path + (key,)] = line
                self.nodes[path + (key,)] = value_node
                self._walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.lines[path + (index,)] = item.start_mark.line + 1
                self.nodes[path + (index,)] = item
                self._walk(item, path + (index,))

    def line(self, path: tuple[Any, ...]) -> int | None:
        """The line of the key at `path`, or of the nearest key above it."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


class _Reader:
    """Reads sections against their declarations; collects the deprecated keys it meets."""

    def __init__(self, source: str, document: _Document, environ: Mapping[str, str], folder: Path, root: type):
        self.source = source
        self.document = document
        self.environ = environ
        self.folder = folder
        self.replaced = replacements(root)
        self.deprecated: list[DeprecatedKey] = []

    def error(self, path: tuple[Any, ...], problem: str, fix: str) -> ConfigError:
        return ConfigError(self.source, dotted(path) or None, problem, fix=fix, line=self.document.line(path))

    def section(self, cls: type, data: Any, path: tuple[str, ...]) -> dict[str, Any]:
        """The values of one section's keys: as written when valid, else the declared defaults."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise self.error(path, f"expected a mapping of keys, got {type_name(data)}", "write 'key: value' lines indented under it")
        declared = declarations(cls)
        for key in data:
            if key not in declared and not any(old[: len(path) + 1] == (*path, key) for old in self.replaced):
                near = difflib.get_close_matches(str(key), list(declared), n=1)
                fix = f"did you mean {near[0]!r}?" if near else f"remove it; valid keys here: {', '.join(declared)}"
                raise self.error(path + (key,), "unknown key", fix)
        defaults = cls.__dataclass_fields__  # type: ignore[attr-defined]
        values: dict[str, Any] = {}
        for name, declaration in declared.items():
            written, key_path = self.written(declaration, data, path + (name,))
            if declaration.section is not None:
                if declaration.optional and written in (_ABSENT, None):
                    values[name] = None
                else:
                    written = None if written is _ABSENT else written
                    values[name] = declaration.section(**self.section(declaration.section, written, key_path))
                continue
            value = defaults[name].default if written is _ABSENT else self.read(declaration, written, key_path)
            if declaration.env:
                value = self.from_environment(declaration, value)
            if declaration.file and value is not None:
                value = self.resolve_file(declaration, value, key_path)
            values[name] = value
        return values

    def written(self, declaration: Declaration, data: dict[str, Any], key_path: tuple[str, ...]) -> tuple[Any, tuple[Any, ...]]:
        """The key's value as written (or _ABSENT), and the path it was written at: its own, or the old key's it replaces."""
        replaced = declaration.replaces
        old = self.at(replaced.path) if replaced else _ABSENT
        if old is not _ABSENT:
            assert replaced is not None
            old_path = replaced.path
            if declaration.name in data:
                raise self.error(
                    old_path, f"replaced by {dotted(key_path)}, which is set too", f"delete {dotted(old_path)} and keep {dotted(key_path)}"
                )
            verb = "rename" if old_path[:-1] == key_path[:-1] else "move"
            self.deprecated.append(
                DeprecatedKey(dotted(old_path), self.document.line(old_path), replaced.note, f"{verb} it to {dotted(key_path)}")
            )
            if replaced.convert is not None:
                try:
                    old = replaced.convert(old)
                except Invalid as err:
                    raise self.error(old_path + err.at, err.problem, err.fix) from None
            return old, old_path
        if declaration.name not in data:
            return _ABSENT, key_path
        if declaration.deprecated:
            self.deprecated.append(DeprecatedKey(dotted(key_path), self.document.line(key_path), declaration.deprecated, "delete it"))
        return data[declaration.name], key_path

    def at(self, path: tuple[str, ...]) -> Any:
        """The value written at a key path, or _ABSENT."""
        value: Any = self.document.data
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return _ABSENT
            value = value[part]
        return value

    def read(self, declaration: Declaration, written: Any, key_path: tuple[Any, ...]) -> Any:
        if declaration.as_written and isinstance(written, list):
            written = [self.as_written(item, key_path + (index,)) for index, item in enumerate(written)]
        try:
            return declaration.read(written)
        except Invalid as err:
            raise self.error(key_path + err.at, err.problem, err.fix) from None

    def as_written(self, item: Any, path: tuple[Any, ...]) -> Any:
        """A list item YAML took for a number (`- 2401.10000` is 2401.1) as the text written."""
        node = self.document.nodes.get(path)
        if isinstance(item, (int, float)) and not isinstance(item, bool) and isinstance(node, yaml.ScalarNode):
            return node.value
        return item

    def from_environment(self, declaration: Declaration, value: Any) -> Any:
        """The value of the key's environment variable when it is set and not empty, checked like the key."""
        variable = declaration.env
        text = self.environ.get(variable) if variable else None
        if not text:
            return value
        where = f"environment variable {variable}"
        try:
            written = declaration.kind.from_text(text)
        except ValueError:
            noun = getattr(declaration.kind, "noun", "a value")
            raise ConfigError(where, None, f"{text!r} is not {noun}", fix=f"set {variable} to {noun}, e.g. {declaration.default}") from None
        try:
            return declaration.read(written)
        except Invalid as err:
            raise ConfigError(where, None, err.problem, fix=err.fix) from None

    def resolve_file(self, declaration: Declaration, name: str, key_path: tuple[Any, ...]) -> str:
        """A path relative to config.yml's folder, made absolute; the file must exist before anything runs."""
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if not path.is_file():
            raise self.error(key_path, f"{path} is not a file", declaration.file or "write the path of a file")
        return str(path)
