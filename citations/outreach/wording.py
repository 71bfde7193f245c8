"""The reminders' wording files, `templates/reminders/<language>.yaml`, read and compiled.

A file is nested keys (`common`, then each wording, then each kind's `text`, `subject` and
`body`); a value is one Jinja2 template, or a list of them (paragraphs). Plain text: nothing
is escaped. Any problem is a `NoticeTemplateError` naming the file, the key and its line.
Compiled once per version of the file, so an edit by city staff is used by the next message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import NoticeTemplateError, clean, compose_wording

REMINDERS = TEMPLATES_DIR / "reminders"

_SPACES = re.compile(r"\s+")


def _finalize(value: object) -> object:
    return "" if value is None else value


_ENVIRONMENT = ImmutableSandboxedEnvironment(
    autoescape=False,  # texts and emails are plain text, not markup
    undefined=StrictUndefined,
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
)

_REMEMBERED = 2048
"""Renderings each template keeps. Most of a reminder's words depend on nothing personal
(a date, an amount, the office): a batch of thousands renders each such text once."""


class Piece:
    """One compiled template, with the variables it reads: its rendering is remembered for
    the values of those variables (all plain values: text, numbers, dates, the helpers)."""

    __slots__ = ("names", "remembered", "template")

    def __init__(self, template: Template, names: tuple[str, ...]) -> None:
        self.template = template
        self.names = names
        self.remembered: dict[tuple[Any, ...], str] = {}

    def render(self, variables: Mapping[str, object]) -> str:
        try:
            key = tuple(variables.get(name, _UNSET) for name in self.names)
            return self.remembered[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list): rendered every time
            return _SPACES.sub(" ", clean(self.template.render(variables))).strip()
        text = _SPACES.sub(" ", clean(self.template.render(variables))).strip()
        if len(self.remembered) >= _REMEMBERED:
            self.remembered.clear()
        self.remembered[key] = text
        return text


_UNSET = object()

Compiled = Piece | tuple[Piece, ...]


@dataclass(frozen=True, eq=False)
class Book:
    """One language's reminder wording, by dotted key (`standard.before_pay_by.text`)."""

    path: Path
    language: str
    templates: Mapping[str, Compiled]
    lines: Mapping[str, int]
    paths: Mapping[str, Path]
    """The file each key comes from (a key missing in a language comes from the fallback)."""

    def has(self, key: str) -> bool:
        return key in self.templates

    def over(self, fallback: Book) -> Book:
        """This book, with the keys it lacks taken from `fallback`."""
        return _merged(self, fallback)

    def one(self, key: str, variables: Mapping[str, object]) -> str:
        """A value rendered on one line (spaces and line breaks collapsed)."""
        compiled = self._get(key)
        if isinstance(compiled, tuple):
            return " ".join(self._render(key, t, variables) for t in compiled).strip()
        return self._render(key, compiled, variables)

    def many(self, key: str, variables: Mapping[str, object]) -> list[str]:
        """A list of paragraphs, each on one line; the ones that come out empty left out."""
        compiled = self._get(key)
        parts = compiled if isinstance(compiled, tuple) else (compiled,)
        rendered = (self._render(key, t, variables) for t in parts)
        return [p for p in rendered if p]

    def _get(self, key: str) -> Compiled:
        compiled = self.templates.get(key)
        if compiled is None:
            raise NoticeTemplateError(self.path, key, "this key is missing")
        return compiled

    def _render(self, key: str, piece: Piece, variables: Mapping[str, object]) -> str:
        try:
            return piece.render(variables)
        except UndefinedError as error:
            raise self._error(key, f"undefined variable: {error.message}") from error
        except TemplateError as error:
            raise self._error(key, error.message or type(error).__name__) from error
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
            raise self._error(key, f"cannot render: {error}") from error

    def _error(self, key: str, problem: str) -> NoticeTemplateError:
        return NoticeTemplateError(
            self.paths.get(key, self.path), key, problem, self.lines.get(key)
        )


@lru_cache(maxsize=16)
def _merged(book: Book, fallback: Book) -> Book:
    missing = {k: v for k, v in fallback.templates.items() if k not in book.templates}
    if not missing:
        return book
    return Book(
        path=book.path,
        language=book.language,
        templates={**book.templates, **missing},
        lines={**book.lines, **{k: fallback.lines[k] for k in missing}},
        paths={**book.paths, **dict.fromkeys(missing, fallback.path)},
    )


RECHECK = 1.0
"""Seconds between two looks at a wording file's version: an edit is used within a second,
and a batch of thousands of messages does not ask the disk for each one."""

_CHECKED: dict[Path, tuple[float, int]] = {}


def load_book(folder: Path, language: str) -> Book:
    """The compiled reminders' wording of one language (`folder/<language>.yaml`)."""
    path = folder / f"{language}.yaml"
    now = time.monotonic()
    checked = _CHECKED.get(path)
    if checked is not None and now - checked[0] < RECHECK:
        version = checked[1]
    else:
        try:
            version = path.stat().st_mtime_ns
        except OSError:
            version = -1  # missing: _compile raises the error that says so
        if len(_CHECKED) > 64:
            _CHECKED.clear()
        _CHECKED[path] = (now, version)
    return _compile(path, language, version)


@lru_cache(maxsize=32)
def _compile(path: Path, language: str, version: int) -> Book:
    root = compose_wording(path, language)
    templates: dict[str, Compiled] = {}
    lines: dict[str, int] = {}
    _walk(path, root, "", templates, lines)
    return Book(
        path=path,
        language=language,
        templates=templates,
        lines=lines,
        paths=dict.fromkeys(templates, path),
    )


def _walk(
    path: Path,
    node: yaml.Node | None,
    prefix: str,
    templates: dict[str, Compiled],
    lines: dict[str, int],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        raise NoticeTemplateError(path, prefix or None, "expected keys and their text")
    seen: set[str] = set()
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        name = key_node.value
        if not isinstance(key_node, yaml.ScalarNode) or not isinstance(name, str):
            raise NoticeTemplateError(path, prefix or None, "every key must be plain text", line)
        key = f"{prefix}{name}"
        if name in seen:
            raise NoticeTemplateError(path, key, "this key is repeated", line)
        seen.add(name)
        if isinstance(value_node, yaml.MappingNode):
            _walk(path, value_node, f"{key}.", templates, lines)
            continue
        lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            items = value_node.value
            if not all(isinstance(item, yaml.ScalarNode) for item in items):
                raise NoticeTemplateError(path, key, "each paragraph must be text", line)
            templates[key] = tuple(_template(path, key, item) for item in items)
        elif isinstance(value_node, yaml.ScalarNode):
            templates[key] = _template(path, key, value_node)
        else:
            raise NoticeTemplateError(path, key, "the value must be text", line)


def _template(path: Path, key: str, node: yaml.Node) -> Piece:
    source = str(node.value)
    try:
        names = meta.find_undeclared_variables(_ENVIRONMENT.parse(source))
        return Piece(_ENVIRONMENT.from_string(source), tuple(sorted(names)))
    except TemplateSyntaxError as error:
        raise NoticeTemplateError(
            path,
            key,
            f"template syntax error: {error.message} (line {error.lineno})",
            node.start_mark.line + 1,
        ) from error
