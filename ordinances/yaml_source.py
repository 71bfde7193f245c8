"""Reading human-edited YAML while remembering where every value came from.

PyYAML's node tree keeps line numbers; we convert it ourselves so that
- plain scalars stay strings (pydantic turns "250.00" into Decimal, never float, and the
  YAML 1.1 surprises such as `no` meaning false or `41.27` meaning a float cannot happen);
- a repeated key is an error, not a silent overwrite;
- a pydantic error location (`("ordinances", 2, "versions", 0, "fines")`) maps back to a line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ordinances.errors import Problem
from ordinances.models import Ordinance

_NULLS = {"", "~", "null", "Null", "NULL"}

Location = Sequence[str | int]


@dataclass
class SourceFile:
    """A parsed YAML file: its data and the node tree that locates each value."""

    path: Path
    label: str
    """How problems name the file: relative to the catalog folder."""
    root: yaml.Node | None

    def line(self, loc: Location) -> int | None:
        """The line of the deepest node that `loc` reaches (1-based)."""
        node = self.root
        if node is None:
            return None
        best = node
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = best = child
        return best.start_mark.line + 1

    def key_line(self, loc: Location) -> int | None:
        """The line of the key naming the last element of `loc`, for errors about keys."""
        parent = self.root
        for part in loc[:-1]:
            parent = _child(parent, part) if parent is not None else None
        if isinstance(parent, yaml.MappingNode):
            for key, _value in parent.value:
                if isinstance(key, yaml.ScalarNode) and key.value == loc[-1]:
                    return key.start_mark.line + 1
        return self.line(loc[:-1]) if loc else self.line(loc)

    def problem(self, loc: Location, message: str) -> Problem:
        return Problem(self.label, self.line(loc), message)


@dataclass(frozen=True)
class Located:
    """An ordinance with the file and position it was read from."""

    ordinance: Ordinance
    source: SourceFile
    index: int

    @property
    def loc(self) -> tuple[str | int, ...]:
        return ("ordinances", self.index)

    def line(self, *rest: str | int) -> int | None:
        return self.source.line((*self.loc, *rest))


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value  # type: ignore[no-any-return]
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def read_yaml(path: Path, label: str) -> tuple[Any, SourceFile, list[Problem]]:
    """Parse one file; return its data, its source map and any problems found so far."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, SourceFile(path, label, None), [Problem(label, None, f"not UTF-8 text: {exc}")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "unreadable"
        return (
            None,
            SourceFile(path, label, None),
            [Problem(label, line, f"YAML syntax error: {reason}")],
        )
    source = SourceFile(path, label, root)
    problems: list[Problem] = []
    data = _convert(root, source, problems) if root is not None else None
    return data, source, problems


def _convert(node: yaml.Node, source: SourceFile, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        merged: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged += _merge_sources(value_node)
                continue
            key = _convert(key_node, source, problems)
            if not isinstance(key, str):
                problems.append(
                    Problem(source.label, key_node.start_mark.line + 1, "keys must be plain text")
                )
                continue
            if key in result:
                problems.append(
                    Problem(source.label, key_node.start_mark.line + 1, f"key {key!r} is repeated")
                )
                continue
            result[key] = _convert(value_node, source, problems)
        # `<<: *shared` copies a shared block (e.g. screening questions); keys written
        # beside it win, as YAML's merge-key convention says.
        for block in merged:
            for key, value in _convert(block, source, problems).items():
                result.setdefault(key, value)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, source, problems) for item in node.value]
    assert isinstance(node, yaml.ScalarNode)
    if node.style is None and node.value in _NULLS:
        return None
    return node.value


def _merge_sources(node: yaml.Node) -> list[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [item for item in node.value if isinstance(item, yaml.MappingNode)]
    return []


def validate(
    model: type[BaseModel], data: Any, source: SourceFile, prefix: Location = ()
) -> tuple[Any, list[Problem]]:
    """Validate `data` (found at `prefix` in the file) as `model`.

    Every pydantic error becomes a Problem at the line its location points to.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        vocabulary = sorted(_field_names(model))
        return None, [_problem(e, source, tuple(prefix), vocabulary) for e in exc.errors()]


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    """Every key any model reachable from `model` accepts: the vocabulary for suggestions."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for arg in _types_in(field.annotation):
            names |= _field_names(arg, seen)
    return names


def _types_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found += _types_in(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and getattr(annotation, "__metadata__", None) is not None:
        found += _types_in(origin)
    return found


def _problem(
    error: ErrorDetails, source: SourceFile, prefix: tuple[str | int, ...], vocabulary: list[str]
) -> Problem:
    loc = prefix + tuple(error["loc"])
    kind = error["type"]
    field = str(loc[-1]) if loc else "value"
    given = error.get("input")
    if kind == "extra_forbidden":
        hint = difflib.get_close_matches(field, vocabulary, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        return Problem(source.label, source.key_line(loc), f"unknown key {field!r}{suggestion}")
    if kind == "missing":
        return Problem(source.label, source.line(loc[:-1]), f"missing required key {field!r}")
    if kind in (
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "date_type",
    ):
        reason = str(error["msg"]).removeprefix("Input should be a valid date or datetime, ")
        return source.problem(
            loc, f"{field!r}: {given!r} is not a valid date (write YYYY-MM-DD; {reason})"
        )
    if kind in ("decimal_parsing", "decimal_type"):
        return source.problem(loc, f"{field!r}: {given!r} is not an amount (write e.g. 250.00)")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return source.problem(loc, f"{field!r}: {given!r} is not a whole number")
    if kind in ("enum", "literal_error"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return source.problem(loc, f"{field!r}: {given!r} is not one of {expected}")
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        label = f"{field!r}: " if loc and not isinstance(loc[-1], int) else ""
        return source.problem(loc, f"{label}{message}")
    shown = f" (got {given!r})" if given is not None and not isinstance(given, dict | list) else ""
    return source.problem(loc, f"{field!r}: {error['msg']}{shown}")
