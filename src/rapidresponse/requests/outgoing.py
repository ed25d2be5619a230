"""The outgoing-number register: every reply letter to a regulator gets the next number of its year.

Numbers read ``<prefix>-<sequence>/<year>`` (``TS-0007/2026``), the sequence starting again at 1 each
year, with no gaps and no repeats: the year's counter row is locked while a number is taken, so two
letters drafted at once on different machines still get consecutive numbers. A letter keeps its
number when it is redrafted or edited; the register row says which request it answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..config import get_settings
from ..db import insert_ignore
from .models import LetterCounter, OutgoingLetter, RegulatorRequest


def format_number(sequence: int, year: int, prefix: str | None = None) -> str:
    return f"{prefix or get_settings().letter_number_prefix}-{sequence:04d}/{year}"


def for_request(session: Session, request_id: int) -> OutgoingLetter | None:
    return session.execute(select(OutgoingLetter).where(OutgoingLetter.request_id == request_id)).scalar_one_or_none()


def issue(session: Session, actor: Actor, req: RegulatorRequest, at: datetime) -> OutgoingLetter:
    """The request's outgoing number: the one it already has, or the next of ``at``'s year."""
    existing = for_request(session, req.id)
    if existing is not None:
        return existing
    year = at.year
    insert_ignore(session, LetterCounter, {"year": year, "last": 0}, "year")
    counter = session.execute(select(LetterCounter).where(LetterCounter.year == year).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()
    counter.last += 1
    row = OutgoingLetter(year=year, sequence=counter.last, number=format_number(counter.last, year),
                         request_id=req.id, regulator=req.regulator, country=req.country, issued_at=at,
                         issued_by_id=actor.user_id)
    session.add(row)
    session.flush()
    return row


def register(session: Session, year: int) -> list[OutgoingLetter]:
    """The year's register, in number order."""
    return list(session.execute(select(OutgoingLetter).where(OutgoingLetter.year == year)
                                .order_by(OutgoingLetter.sequence)).scalars())


def read_register(session: Session, actor: Actor, year: int) -> list[OutgoingLetter]:
    """The year's register, for those who handle requests."""
    actor.require(Perm.REQUESTS_MANAGE)
    return register(session, year)
