"""How a config key is declared: once, as a field of the typed config, with everything every view of it needs.

A section of config.yml is a class decorated with `@section`; each of its keys is a field
declared with `setting(...)`: the annotation is the key's type, the call gives its default
(as written in config.yml), its one-line documentation, its bounds, its own check, the
environment variable that overrides it, and for a key on its way out the note the doctor
prints. A nested section is a field declared with `subsection(...)`. From these alone come
the typed config and its defaults (`SiteConfig()` is the declared defaults), the validation
and its one-line errors (`load.py`), and the reference tables in README (`reference.py`).

The type decides how a value is read: `bool`, `int`, `float` (bounds: `minimum`, default 0,
`maximum`, `above` for a strict minimum), `str` (`allow_empty`), `X | None`, `tuple[X, ...]`
from a YAML list (`nonempty`), a class with a `from_config` classmethod (its own reading), a
`@section` class. A `check` refines the read value (a category, an arXiv id, a URL): it
returns the value to keep or raises `Invalid` with the problem and the fix.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

DECLARATION = "declaration"
"""Key of a field's metadata that holds its `Declaration`."""


class Invalid(Exception):
    """A value a key cannot take: what is wrong, how to fix it, and where below the key (list indexes)."""

    def __init__(self, problem: str, fix: str, at: tuple[int, ...] = ()):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.at = at

    def below(self, index: int) -> Invalid:
        """The same problem, found in item `index` of a list."""
        return Invalid(self.problem, self.fix, (index, *self.at))


def type_name(value: Any) -> str:
    """How a YAML value's type reads in a message: 'a string', 'true/false', 'nothing (null)'."""
    if value is None:
        return "nothing (null)"
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false", int: "an integer", float: "a number"}
    return names.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class Check:
    """A key's own rule on top of its type: `apply` returns the value to keep or raises Invalid; `label` names it in the docs."""

    apply: Callable[[Any], Any]
    label: str


# -- how a value of each type is read -------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    noun = "true or false"

    def read(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Invalid(f"expected true or false, got {type_name(value)}", "write true or false without quotes")
        return value

    def from_text(self, text: str) -> bool:
        if text.lower() not in ("true", "false"):
            raise ValueError(text)
        return text.lower() == "true"

    def label(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Number:
    integer: bool
    minimum: float = 0.0
    maximum: float | None = None
    above: bool = False
    """The minimum itself is not allowed (a timeout of 0, a keyword weight of 0)."""

    @property
    def noun(self) -> str:
        return "an integer" if self.integer else "a number"

    def read(self, value: Any) -> Any:
        kinds = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise Invalid(f"expected {self.noun}, got {type_name(value)}", f"write {self.noun} without quotes")
        if not math.isfinite(value):
            raise Invalid(f"must be a finite number, got {value}", "write a plain number such as 3 (not .nan or .inf)")
        if value < self.minimum or (self.above and value == self.minimum):
            bound = f"greater than {self.minimum:g}" if self.above else f"at least {self.minimum:g}"
            raise Invalid(f"must be {bound}, got {value}", f"use a value {bound}")
        if self.maximum is not None and value > self.maximum:
            raise Invalid(f"must be at most {self.maximum:g}, got {value}", f"use a value between {self.minimum:g} and {self.maximum:g}")
        return value if self.integer else float(value)

    def from_text(self, text: str) -> Any:
        return int(text) if self.integer else float(text)

    def label(self) -> str:
        kind = "integer" if self.integer else "number"
        low = f"above {self.minimum:g}" if self.above else f"at least {self.minimum:g}"
        if self.maximum is None:
            return f"{kind}, {low}"
        if self.above:
            return f"{kind}, {low} and at most {self.maximum:g}"
        return f"{kind}, {self.minimum:g} to {self.maximum:g}"


@dataclass(frozen=True)
class Text:
    allow_empty: bool = False
    noun = "item"

    def read(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected a string, got {type_name(value)}", "write it as text, in quotes if it contains ':' or '#'")
        if not self.allow_empty and not value.strip():
            raise Invalid("must not be empty", "write a value or delete the key to use the default")
        return value

    def from_text(self, text: str) -> str:
        return text

    def label(self) -> str:
        return "text" if self.allow_empty else "text, not empty"


@dataclass(frozen=True)
class Nullable:
    """`X | None`: null, or a value of X."""

    inner: Any

    def read(self, value: Any) -> Any:
        return None if value is None else self.inner.read(value)

    def from_text(self, text: str) -> Any:
        return self.inner.from_text(text)

    def label(self) -> str:
        return f"{self.inner.label()}, or null"


@dataclass(frozen=True)
class ListOf:
    """`tuple[X, ...]` from a YAML list."""

    item: Any
    nonempty: bool = False

    def read(self, value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {type_name(value)}", f"write one '- {self.item.noun}' per line")
        if self.nonempty and not value:
            raise Invalid("must not be empty", "list at least one item")
        out = []
        for index, item in enumerate(value):
            try:
                out.append(self.item.read(item))
            except Invalid as err:
                raise err.below(index) from None
        return tuple(out)

    def label(self) -> str:
        items = "a list of text" if isinstance(self.item, Text) else f"a list of {self.item.label()}"
        return f"{items}, not empty" if self.nonempty else items


@dataclass(frozen=True)
class Written:
    """A class that reads its own config form (`from_config`), e.g. a keyword string or mapping."""

    kind: type

    @property
    def noun(self) -> str:
        return getattr(self.kind, "noun", "item")

    def read(self, value: Any) -> Any:
        return self.kind.from_config(value)

    def label(self) -> str:
        return getattr(self.kind, "noun", self.kind.__name__)


# -- the declarations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Replaced:
    """An old key or section still read in the place of the one declaring this: the note says what changed."""

    old: str
    """The old key's dotted path from the top of config.yml (`interests.min_similarity`, `related.embeddings`)."""
    note: str
    """One line for the doctor: what replaced it and what changed."""
    convert: Callable[[Any], Any] | None = None
    """The old value as written -> the new key's value as written (None: taken as it is); may raise Invalid."""

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.old.split("."))


@dataclass(frozen=True)
class Declaration:
    """Everything about one key of config.yml; the field's annotation is its type."""

    name: str
    doc: str
    """One line: what the key does (README's tables show it)."""
    default: Any = None
    """The default as written in config.yml; the typed default is `kind.read(default)`."""
    kind: Any = None
    """How a value is read (`Flag`, `Number`, `Text`, ...), from the annotation; None for a subsection."""
    check: Check | None = None
    env: str | None = None
    """An environment variable whose non-empty value overrides the key (endpoints, for mirrors and loopback tests)."""
    file: str | None = None
    """For a path to a file (relative to config.yml, which must exist): the fix when it does not."""
    as_written: bool = False
    """Read the list's items as the text written: YAML reads `- 2401.10000` as the number 2401.1."""
    example: Any = None
    """A value to show where there is no useful default (config.yml's commented examples)."""
    deprecated: str | None = None
    """For a key still read but on its way out: the note the doctor prints."""
    replaces: Replaced | None = None
    """An old key still read in this one's place (with the note the doctor prints)."""
    section: type | None = None
    """For a subsection: its class."""
    optional: bool = False
    """For a subsection: None when absent or null, instead of its defaults."""

    def read(self, value: Any) -> Any:
        """The typed value of `value` as written, or Invalid."""
        value = self.kind.read(value)
        return self.check.apply(value) if self.check else value

    def label(self) -> str:
        """What values the key takes, for the docs: 'integer, 1 to 20', 'arXiv categories'."""
        if self.check:
            return self.check.label
        if self.file:
            return (
                "a file's path relative to config.yml, or null"
                if isinstance(self.kind, Nullable)
                else "a file's path relative to config.yml"
            )
        return self.kind.label()


@dataclass
class _Pending:
    """What `setting` and `subsection` return until `@section` reads the annotation."""

    default: Any
    doc: str
    options: dict[str, Any]
    is_section: bool = False


def setting(
    default: Any,
    doc: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: bool = False,
    allow_empty: bool = False,
    nonempty: bool = False,
    check: Check | None = None,
    env: str | None = None,
    file: str | None = None,
    as_written: bool = False,
    example: Any = None,
    deprecated: str | None = None,
    replaces: Replaced | None = None,
) -> Any:
    """Declare a key: its default as written in config.yml, one line of documentation, and its rules (see the module)."""
    bounds = {"minimum": minimum, "maximum": maximum, "above": above, "allow_empty": allow_empty, "nonempty": nonempty}
    return _Pending(
        default,
        doc,
        {
            "bounds": {k: v for k, v in bounds.items() if v is not None and v is not False},
            "check": check,
            "env": env,
            "file": file,
            "as_written": as_written,
            "example": example,
            "deprecated": deprecated,
            "replaces": replaces,
        },
    )


def subsection(doc: str, *, optional: bool = False, replaces: Replaced | None = None) -> Any:
    """Declare a nested section (its annotation is a `@section` class, `| None` when optional)."""
    return _Pending(None, doc, {"optional": optional, "replaces": replaces}, is_section=True)


def section(cls: type) -> type:
    """Turn a class of `setting`/`subsection` fields into a frozen dataclass whose defaults are the declared ones."""
    hints = typing.get_type_hints(cls)
    declarations: dict[str, Declaration] = {}
    for name, value in list(vars(cls).items()):
        if not isinstance(value, _Pending):
            continue
        declaration = _declare(cls, name, hints[name], value)
        declarations[name] = declaration
        metadata = {DECLARATION: declaration}
        if declaration.section is not None:
            default = None if declaration.optional else declaration.section
            field = (
                dataclasses.field(default=None, metadata=metadata)
                if default is None
                else dataclasses.field(default_factory=default, metadata=metadata)
            )
        else:
            try:
                default = declaration.read(declaration.default)
            except Invalid as err:
                raise TypeError(f"{cls.__name__}.{name}: the default {declaration.default!r} is invalid: {err.problem}") from None
            field = dataclasses.field(default=default, metadata=metadata)
        setattr(cls, name, field)
    cls.__declarations__ = declarations  # type: ignore[attr-defined]
    return dataclass(frozen=True)(cls)


def _declare(cls: type, name: str, annotation: Any, pending: _Pending) -> Declaration:
    where = f"{cls.__name__}.{name}"
    if pending.is_section:
        inner, nullable = _strip_none(annotation)
        if not is_section(inner):
            raise TypeError(f"{where}: a subsection's annotation must be a @section class, not {annotation}")
        if nullable != pending.options["optional"]:
            raise TypeError(f"{where}: an optional subsection is annotated `X | None`, a required one `X`")
        return Declaration(name, pending.doc, section=inner, optional=nullable, replaces=pending.options["replaces"])
    options = dict(pending.options)
    bounds = options.pop("bounds")
    kind = _kind(annotation, bounds, where)
    if bounds:
        raise TypeError(f"{where}: {', '.join(bounds)} do not apply to {annotation}")
    if options["env"] and not hasattr(kind, "from_text"):
        raise TypeError(f"{where}: a {annotation} cannot be set from an environment variable")
    return Declaration(name, pending.doc, pending.default, kind, **options)


def _strip_none(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(args) < len(typing.get_args(annotation)):
            return args[0], True
    return annotation, False


def _kind(annotation: Any, bounds: dict[str, Any], where: str) -> Any:
    """The reader for a type; the bounds it uses are taken out of `bounds` (what is left does not apply)."""
    inner, nullable = _strip_none(annotation)
    if nullable:
        return Nullable(_kind(inner, bounds, where))
    if annotation is bool:
        return Flag()
    if annotation in (int, float):
        number = {k: bounds.pop(k) for k in ("minimum", "maximum", "above") if k in bounds}
        return Number(integer=annotation is int, **number)
    if annotation is str:
        return Text(allow_empty=bounds.pop("allow_empty", False))
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            nonempty = bounds.pop("nonempty", False)
            return ListOf(_kind(args[0], {}, where), nonempty=nonempty)
    if isinstance(annotation, type) and hasattr(annotation, "from_config"):
        return Written(annotation)
    raise TypeError(f"{where}: no way to read a {annotation} from config.yml")


def is_section(cls: Any) -> bool:
    return isinstance(cls, type) and "__declarations__" in vars(cls)


def declarations(cls: type) -> dict[str, Declaration]:
    """A section's keys, in declaration order (the order of config.yml and the docs)."""
    return cls.__declarations__  # type: ignore[attr-defined,no-any-return]


def walk(cls: type, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Declaration]]:
    """Every key below a section, depth first: (key path, declaration); a subsection comes before its keys."""
    for name, declaration in declarations(cls).items():
        yield path + (name,), declaration
        if declaration.section is not None:
            yield from walk(declaration.section, path + (name,))


@functools.cache
def replacements(root: type) -> dict[tuple[str, ...], tuple[tuple[str, ...], Declaration]]:
    """Old key path -> (the path of the key or section that replaces it, its declaration), below `root`."""
    declared = {path for path, _ in walk(root)}
    found = {}
    for path, declaration in walk(root):
        if declaration.replaces:
            old = declaration.replaces.path
            if old in declared:
                raise TypeError(f"{dotted(path)} replaces {declaration.replaces.old}, which is still declared")
            found[old] = (path, declaration)
    return found


def dotted(path: tuple[Any, ...]) -> str:
    """A key path as messages write it: `ai_summary.model`, `categories[2]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
