"""What retention and a reporter's erasure do to signals (called by the privacy domain).

A signal keeps its counts for good (harm, country, language, time: the series and the DSA
transparency figures are built from them); what identifies or quotes a person goes on schedule:

- *text and reporter details* (``text``, ``text_folded``, ``metadata``): emptied, the row kept;
- *media references* (``url``, ``media_hash``): emptied, the row kept;
- the row itself: deleted when it is older than the signal retention.

``keep`` is the ids under legal hold: never touched. Every function returns how many rows it changed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import String, Text, cast, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from .models import Signal
from .schemas import SignalOut
from .service import signal_out

Part = Literal["text", "media"]
REPORTER_KEYS = ("reporter_id", "reporter", "reporter_email")
"""The metadata keys that name a signal's reporter (what a reporter's data request is matched on)."""

_REDACTED_META = {"_redacted": True}


def _held(keep: Collection[int]) -> list[Any]:
    return [Signal.id.not_in(list(keep))] if keep else []


def _pending(part: Part) -> Any:
    if part == "media":
        return or_(Signal.url.is_not(None), Signal.media_hash.is_not(None))
    return or_(Signal.text != "", Signal.text_folded != "", cast(Signal.meta, Text).not_in(
        ["{}", '{"_redacted": true}', '{"_redacted":true}']))


def _cleared(part: Part) -> dict[str, Any]:
    if part == "media":
        return {"url": None, "media_hash": None}
    return {"text": "", "text_folded": "", "meta": _REDACTED_META}


def redact_signals(session: Session, *, before: datetime, keep: Collection[int], part: Part) -> int:
    """Empty ``part`` of the signals that occurred before ``before`` (not those in ``keep``)."""
    result = session.execute(update(Signal).where(Signal.occurred_at < before, _pending(part), *_held(keep))
                             .values(**_cleared(part)).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_signals(session: Session, *, before: datetime, keep: Collection[int]) -> int:
    """Delete the signals that occurred before ``before`` (not those in ``keep``); the series keep their counts."""
    result = session.execute(delete(Signal).where(Signal.occurred_at < before, *_held(keep))
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _reporter_is(session: Session, identifier: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return or_(*(func.jsonb_extract_path_text(Signal.meta, literal(key, String)) == literal(identifier, String)
                     for key in REPORTER_KEYS))
    return or_(*(func.json_extract(Signal.meta, f"$.{key}") == identifier for key in REPORTER_KEYS))


def signals_of_reporter(session: Session, identifier: str, *, limit: int = 10_000) -> list[SignalOut]:
    """The signals whose metadata names ``identifier`` as their reporter (oldest first)."""
    return [signal_out(s) for s in session.execute(
        select(Signal).where(_reporter_is(session, identifier)).order_by(Signal.id).limit(limit)).scalars()]


def erase_reporter(session: Session, identifier: str, *, keep: Collection[int]) -> int:
    """Empty the text, reporter details and media references of the reporter's signals (not ``keep``)."""
    result = session.execute(update(Signal).where(_reporter_is(session, identifier), *_held(keep))
                             .values(**_cleared("text"), **_cleared("media"))
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
