"""Detection in the demo world: a week of synthetic background reports (every harm × country × language,
daily seasonality, noise, bursts that are not incidents) under the choking-game reports that
:mod:`.signals` seeds, one detection tick over all of it, so the queue has alerts; the first alert on the
challenge in Kazakhstan becomes a case, which the duty responder escalates into the demo incident (linked,
not a duplicate)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..auth import Actor
from ..detection import alerts, cases, simulate
from ..detection.models import Alert
from ..detection.tick import Ticker
from ..signals import feed

HISTORY = timedelta(days=7)


def seed_detection(session: Session, actors: dict[str, Actor], base: datetime, active_ref: str, *,
                   seed: int = 2024) -> int | None:
    """Returns the demo case's id (``None`` if no alert fired on the challenge)."""
    end = base.replace(second=0, microsecond=0) - timedelta(minutes=base.minute % 5)
    sim = simulate.Simulation(end - HISTORY, end + timedelta(minutes=5), seed=seed, outbreak=None)
    feed.add_counts(session, list(simulate.counts(sim)))
    Ticker().tick(session, now=base)
    first = session.execute(
        select(Alert).where(Alert.harm == "dangerous_challenge", Alert.country == "KZ", Alert.state == "open",
                            Alert.raised_at >= base - timedelta(hours=6))
        .order_by(Alert.raised_at).limit(1)).scalar_one_or_none()
    if first is None:
        return None
    duty, commander = actors["yerzhan.seitkali"], actors["aigerim.nurlanova"]
    opened_at = min(first.raised_at + timedelta(minutes=6), base)
    with _clock(opened_at):
        alerts.acknowledge(session, duty, first.id)
        case = cases.open_from_alert(session, duty, first.id, title="Challenge reports spiking in Kazakhstan")
        cases.assign(session, duty, case.id, commander.username)
        cases.note(session, duty, case.id, "Тот же «собачий кайф», что и в активном инциденте: связываю, "
                                            "новый инцидент не нужен.")
    with _clock(min(opened_at + timedelta(minutes=9), base)):
        cases.escalate(session, commander, case.id, into=active_ref)
    return case.id


class _clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __enter__(self) -> None:
        clock.set_clock(lambda: self.at)

    def __exit__(self, *exc: object) -> None:
        clock.set_clock(None)
