"""Human-readable, translated lines for events (the dashboard's activity and the timelines).

Each event type says how it reads (its ``describe``, in the domain that owns it); this module only
hands it the viewer's translations. On a page, the users' own words a line quotes (an incident's or a
task's title, a person's or a team's name, a reason, a comment, a quoted text) are marked as such
(``data-user-text``): they stay in the language their author wrote them in, and the rest of the line is
the product's, in the viewer's language.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .. import events
from .templating import Translator

USER_WORDS = frozenset({"title", "name", "reason", "user", "team", "subject", "person", "people", "comment",
                        "translation", "original", "text", "term", "owner", "appellant"})
"""The placeholders of event descriptions that carry what people wrote, not the product's words."""
IDENTIFIERS = frozenset({"playbook", "series"})
"""The placeholders that carry an identifier (a playbook's id, a series key), shown as code."""


class _Marking:
    """A translator whose filled placeholders of :data:`USER_WORDS` come out marked as the users' words."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._ = Translator(locale)

    def __call__(self, message: str, /, **variables: Any) -> str:
        if not variables:
            return self._(message)
        marked = {key: _marked(key, value) for key, value in variables.items()}
        return Markup.escape(self._(message)) % marked


def _marked(key: str, value: Any) -> Any:
    if not isinstance(value, str) or not value or isinstance(value, Markup):
        return value
    if key in USER_WORDS:
        return Markup('<span data-user-text>%s</span>') % value
    if key in IDENTIFIERS:
        return Markup('<code>%s</code>') % value
    return value


def describe(locale: str, kind: str, payload: dict[str, Any], *, subject_type: str = "incident",
             subject_id: str | int = "") -> str:
    """What happened, without the actor or the time (the page shows those beside it)."""
    return events.typed(kind, subject_type, subject_id, payload).describe(Translator(locale))


def describe_html(locale: str, kind: str, payload: dict[str, Any], *, subject_type: str = "incident",
                  subject_id: str | int = "") -> str:
    """:func:`describe` for a page: safe markup, the users' words it quotes marked as theirs."""
    return events.typed(kind, subject_type, subject_id, payload).describe(_Marking(locale))
