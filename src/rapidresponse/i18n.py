"""Translatable text without a dependency on the web layer.

Domains mark English labels with :func:`N_` (the extractor collects them into the UI catalog) and
describe their events with a :class:`Translate` function handed to them by whoever displays the
text: the web layer passes the viewer's catalog, the CLI passes :func:`english`.
"""

from __future__ import annotations

from typing import Any, Protocol


def N_(message: str) -> str:
    """Mark ``message`` for translation; it is translated where it is shown."""
    return message


class Translate(Protocol):
    """``_("Paged %(team)s", team=...)``: the message translated, placeholders filled."""

    def __call__(self, message: str, /, **variables: Any) -> str: ...


def english(message: str, /, **variables: Any) -> str:
    """The source text itself, placeholders filled: a :class:`Translate` for logs and the CLI."""
    return message % variables if variables else message


def locale_of(_: Translate) -> str:
    """The language ``_`` translates into (its ``locale``): for an event that names things from the content
    files (a regulator) in the reader's language. ``en`` for :func:`english` and any function that does not say."""
    locale = getattr(_, "locale", None)
    return locale if isinstance(locale, str) and locale else "en"
