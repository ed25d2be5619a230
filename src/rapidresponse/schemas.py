"""Shapes every domain's schemas share: strict input, the page of a list, and the value types of
the field (ISO country codes, BCP 47 language tags, slugs, bounded text, bounded JSON), and what a version
of a versioned list changed."""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

T = TypeVar("T")
_BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_JSON_DEPTH = 16  # objects and lists inside each other; deeper input is refused before it is parsed
MAX_JSON_OBJECT_BYTES = 65_536  # a free-form object (a signal's metadata) as compact JSON
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


@functools.cache
def _locale_codes() -> tuple[frozenset[str], frozenset[str]]:
    """ISO 3166-1 alpha-2 territories and ISO 639 languages, from the CLDR data (read on first use)."""
    from babel import Locale

    en = Locale("en")
    return (frozenset(str(c) for c in en.territories if isinstance(c, str) and len(c) == 2 and c.isalpha()),
            frozenset(en.languages))


def _country(code: str) -> str:
    code = code.strip().upper()
    if code not in _locale_codes()[0]:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _language(tag: str) -> str:
    parts = tag.strip().replace("_", "-").split("-")
    norm = "-".join([parts[0].lower()] + [p.title() if len(p) == 4 else p.upper() for p in parts[1:]])
    if not _BCP47.match(norm) or parts[0].lower() not in _locale_codes()[1]:
        raise ValueError(f"{tag!r} is not a BCP 47 language tag (e.g. ru, kk, uz-Latn)")
    return norm


def _slug(value: str) -> str:
    value = value.strip().lower()
    if not _SLUG.match(value):
        raise ValueError(f"{value!r}: use lowercase letters, digits, '_', '.' or '-'")
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _not_a_number(value: Any) -> Any:
    """Refuse numbers (and numeric text) where a date is expected: pydantic would read them as Unix times."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError("a date is ISO 8601 text (e.g. 2026-03-01 or 2026-03-01T08:00:00Z), not a number")
    return value


def json_nesting(text: str) -> int:
    """How deep objects and lists nest in JSON text (counted without parsing it, so without recursion)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def bounded_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text nested at most ``max_depth`` levels: deeper text raises ``ValueError`` before
    the parser sees it (the parser recurses, and deep enough nesting would exhaust the stack)."""
    # Fewer opening brackets than the limit cannot nest deeper than it (the common case, counted in C).
    if text.count("{") + text.count("[") > max_depth and json_nesting(text) > max_depth:
        raise ValueError(f"JSON nested more than {max_depth} levels deep")
    return json.loads(text)


def _nesting(value: Any) -> int:
    """How deep lists and dicts nest in a parsed value (iteratively)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _bounded_object(value: dict[str, Any]) -> dict[str, Any]:
    nested = any(isinstance(v, dict | list) for v in value.values())
    if nested and _nesting(value) > MAX_JSON_DEPTH:
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode())
    if size > MAX_JSON_OBJECT_BYTES:
        raise ValueError(f"is {size} bytes as JSON; at most {MAX_JSON_OBJECT_BYTES}")
    return value


@functools.cache
def _zones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def _timezone(value: str) -> str:
    value = value.strip()
    if value not in _zones():
        raise ValueError(f"{value[:64]!r} is not an IANA time zone (e.g. Europe/Warsaw, Asia/Almaty)")
    return value


Country = Annotated[str, AfterValidator(_country)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Language = Annotated[str, AfterValidator(_language)]
Slug = Annotated[str, AfterValidator(_slug)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Countries = Annotated[list[Country], Field(max_length=60), AfterValidator(_unique)]
Languages = Annotated[list[Language], Field(max_length=30), AfterValidator(_unique)]
Harms = Annotated[list[Slug], Field(max_length=20), AfterValidator(_unique)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]
"""A date-time with its offset, as ISO 8601 text (a number, or numeric text, is refused, not read as a Unix time)."""
IsoDate = Annotated[date, BeforeValidator(_not_a_number)]
"""A calendar date, as ISO 8601 text (YYYY-MM-DD); never a number."""
JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_object)]
"""A free-form JSON object, nested at most ``MAX_JSON_DEPTH`` levels and at most
``MAX_JSON_OBJECT_BYTES`` long."""


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class Strict(BaseModel):
    """Input: unknown fields are refused, and so is text with NUL characters (no database stores them)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("text must not contain NUL characters")
        return value


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many there are in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


class VersionChange(BaseModel):
    """What one version of a versioned list (a lexicon, a hash list) changed, kept in the version's row as
    compact JSON (:meth:`stored`, :meth:`read`) so that each reader is told it in their own language;
    :meth:`english` is the sentence the API and the command line show."""

    did: Literal["created", "added", "removed", "imported", "changed"]
    unit: Literal["term", "hash"]
    count: int = 0  # items added or imported
    item: str = ""  # the one item added or removed: a term, the start of a hash
    source: str = ""  # where an import came from: a file name, a source's name
    fields: dict[str, list[Any]] = {}  # settings changed: field → [old, new], or [] when the values are not told

    def stored(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def read(cls, text: str) -> VersionChange | None:
        """The change a version row holds; None for a row that holds a sentence (written before changes were
        kept in this form)."""
        if not text.startswith("{"):
            return None
        try:
            return cls.model_validate_json(text)
        except ValueError:
            return None

    def english(self) -> str:
        unit = self.unit if self.count == 1 else self.unit + ("es" if self.unit == "hash" else "s")
        if self.did in ("added", "removed") and self.item:
            return f"{self.did} «{self.item}»"
        if self.did == "added":
            return f"added {self.count} {unit}"
        if self.did == "imported":
            return f"imported{f' from {self.source}' if self.source else ''}: {self.count} new {unit}"
        if self.did == "changed":
            return ", ".join(f"{k} {v[0]} → {v[1]}" if len(v) == 2 else f"{k} changed" for k, v in self.fields.items())
        return self.did


def version_change(text: str) -> dict[str, Any]:
    """A version row's change as the fields of a version's output: ``change``, the English sentence, and
    ``did``, the change itself (None for a row written before changes were kept as :class:`VersionChange`)."""
    did = VersionChange.read(text)
    return {"change": did.english() if did else text, "did": did}
