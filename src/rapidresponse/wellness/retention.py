"""What retention and a person's erasure do to wellness data (called by the privacy domain).

The exposure log is about a responder's health at work: it is deleted, not redacted, once past its
retention (budgets only look back a week; the team view four weeks). A person's own exposure stays
private even in a data request: the request reports how many entries are held, the person reads them
on their own wellness page, and erasure deletes them with their safe-viewing settings, personal
budgets and check-in receipts (check-ins themselves are anonymous and name nobody).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .models import Budget, CheckInReceipt, Exposure, ViewingPreference


def delete_exposures(session: Session, *, before: datetime, keep_refs: Collection[str]) -> int:
    """Delete the exposure entries older than ``before`` (not those of the incidents in ``keep_refs``)."""
    where = [Exposure.occurred_at < before]
    if keep_refs:
        where.append(or_(Exposure.incident_ref.is_(None), Exposure.incident_ref.not_in(list(keep_refs))))
    result = session.execute(delete(Exposure).where(*where).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


_PERSONAL = (("exposures", Exposure), ("viewing_settings", ViewingPreference), ("budgets", Budget),
             ("check_in_receipts", CheckInReceipt))


def held_about(session: Session, user_id: int) -> bool:
    """Whether any wellness data is held about the user. Never how much: a count of someone's exposure
    entries is a measure of their exposure, which no one but the person may see."""
    return any(session.execute(select(model.user_id).where(model.user_id == user_id).limit(1)).first() is not None
               for _name, model in _PERSONAL)


def erase_person(session: Session, user_id: int) -> bool:
    """Delete every wellness row about the user; whether there was any (not how many, as above)."""
    erased = False
    for _name, model in _PERSONAL:
        result = session.execute(delete(model).where(model.user_id == user_id)
                                 .execution_options(synchronize_session=False))
        erased = erased or bool(result.rowcount)  # type: ignore[attr-defined]
    return erased
