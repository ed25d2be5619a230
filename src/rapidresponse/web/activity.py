"""Human-readable, translated lines for events (the dashboard's activity and the timelines).

Each event type says how it reads (its ``describe``, in the domain that owns it); this module only
hands it the viewer's translations.
"""

from __future__ import annotations

from typing import Any

from .. import events
from .templating import Translator


def describe(locale: str, kind: str, payload: dict[str, Any], *, subject_type: str = "incident",
             subject_id: str | int = "") -> str:
    """What happened, without the actor or the time (the page shows those beside it)."""
    return events.typed(kind, subject_type, subject_id, payload).describe(Translator(locale))
