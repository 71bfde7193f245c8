"""Documents' wording: one YAML file per document and language, one Jinja2 template per block.

City staff change what a document says by editing `templates/<document>/<language>.yaml`
(e.g. `templates/notice/es.yaml`). Each
value is rendered with autoescaping, so a name or narrative containing `<`, `&` or markup
prints literally; the template's own text may use reportlab's paragraph markup (`<b>`, `<br/>`).
Any problem with a template is a `NoticeTemplateError` naming the file and the key.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from citations.errors import CitationsError

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")

# C0 and C1 controls (and DEL) other than tab and newline. The ones that act as whitespace
# (vertical tab, form feed, separators, NEL) become a space; the rest are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates cannot be encoded into the PDF at all.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TAG = re.compile(r"<[^>]*>")
# Runs of ordinary whitespace collapse to one space (as reportlab does); no-break spaces stay.
_SPACES = re.compile(r"[ \t\n]+")


class NoticeTemplateError(CitationsError):
    """A wording file is missing, malformed, or one of its templates cannot render."""

    def __init__(self, path: Path, key: str | None, problem: str, line: int | None = None):
        self.path = path
        self.key = key
        self.problem = problem
        self.line = line
        where = str(path) if line is None else f"{path}, line {line}"
        what = "" if key is None else f", key {key!r}"
        super().__init__(f"notice template {where}{what}: {problem}")


def _finalize(value: object) -> object:
    """Turn each `{{ value }}` into safe paragraph markup; line breaks in data are kept."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
        return escape(text).replace("\n", Markup("<br/>"))
    return value


def clean(markup: str) -> str:
    """Normalize rendered text for printing: NFC, no control characters, no lone surrogates.

    >>> clean("Nguye\u0302\u0303n\x07 Ana\x0bLo\u0301pez")
    'Nguyễn Ana López'
    """
    text = _SURROGATE.sub("\ufffd", markup)
    text = _CONTROL.sub(lambda m: " " if m.group().isspace() else "", text)
    return unicodedata.normalize("NFC", text)


def plain_text(markup: str) -> str:
    """Rendered markup as plain text, for PDF metadata such as the title.

    >>> plain_text("Citation <b>A&amp;B</b>")
    'Citation A&B'
    """
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", markup))).strip()


_ENVIRONMENT = ImmutableSandboxedEnvironment(
    autoescape=True,
    undefined=StrictUndefined,
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Wording:
    """One language's wording of one document (the notice, an order...), loaded and compiled."""

    path: Path
    language: str
    templates: Mapping[str, Template]
    lines: Mapping[str, int]
    """The YAML line each key is on, for error messages."""

    def render(self, key: str, variables: Mapping[str, object]) -> str:
        """Render one block as paragraph markup (escaped, cleaned, whitespace collapsed)."""
        template = self.templates.get(key)
        if template is None:
            raise NoticeTemplateError(self.path, key, "this key is missing")
        try:
            markup = template.render(variables)
        except UndefinedError as error:
            raise self._error(key, f"undefined variable: {error.message}") from error
        except TemplateError as error:
            raise self._error(key, error.message or type(error).__name__) from error
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
            raise self._error(key, f"cannot render: {error}") from error
        return _SPACES.sub(" ", clean(markup)).strip()

    def _error(self, key: str, problem: str) -> NoticeTemplateError:
        return NoticeTemplateError(self.path, key, problem, self.lines.get(key))


def wording_path(templates_dir: Path, language: str, document: str = "notice") -> Path:
    """Where one document's wording in one language lives.

    >>> wording_path(Path("templates"), "es", "order").as_posix()
    'templates/order/es.yaml'
    """
    return templates_dir / document / f"{language}.yaml"


def load_wording(templates_dir: Path, language: str, document: str = "notice") -> Wording:
    """The compiled wording of one document in one language, compiled once per version of
    the file (an edit by city staff is picked up at the next document, with no restart)."""
    path = wording_path(templates_dir, language, document)
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = -1  # missing: _compile_wording raises the error that says so
    return _compile_wording(templates_dir, language, document, version)


@lru_cache(maxsize=128)
def _compile_wording(templates_dir: Path, language: str, document: str, version: int) -> Wording:
    """Load and compile `templates_dir/<document>/<language>.yaml` (the notice by default).

    `document` is the wording folder's name: `notice`, `hearing-notice`, `docket`, `order`.
    Checks here: the file exists and is a mapping of keys to strings, no key is repeated,
    and every value is valid Jinja2. Undefined variables surface when a key is rendered.
    """
    path = wording_path(templates_dir, language, document)
    root = compose_wording(path, language)
    if not isinstance(root, yaml.MappingNode):
        raise NoticeTemplateError(path, None, "the file must be a mapping of key: text")
    templates: dict[str, Template] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        key = key_node.value
        if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key, str):
            raise NoticeTemplateError(path, None, "every key must be plain text", line)
        if key in templates:
            raise NoticeTemplateError(path, key, f"repeats the key of line {lines[key]}", line)
        if not isinstance(value_node, yaml.ScalarNode):
            raise NoticeTemplateError(path, key, "the value must be text", line)
        lines[key] = line
        try:
            templates[key] = _ENVIRONMENT.from_string(value_node.value)
        except TemplateSyntaxError as error:
            raise NoticeTemplateError(
                path, key, f"template syntax error: {error.message} (line {error.lineno})", line
            ) from error
    return Wording(path=path, language=language, templates=templates, lines=lines)


def compose_wording(path: Path, language: str) -> yaml.Node | None:
    """The wording file at `path` (in `language`) as YAML nodes, which keep their lines for
    the error messages; NoticeTemplateError naming the file and what is wrong otherwise."""
    if not _LANGUAGE.fullmatch(language):
        raise NoticeTemplateError(path, None, f"{language!r} is not a language code")
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise NoticeTemplateError(path, None, "no wording file for this language") from error
    except (OSError, UnicodeDecodeError) as error:
        raise NoticeTemplateError(path, None, f"cannot read the file: {error}") from error
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise NoticeTemplateError(path, None, f"not valid YAML: {error}", line) from error
    return root
