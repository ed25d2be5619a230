"""Detection in the demo world: a week of synthetic background reports (every harm × country × language,
daily seasonality, noise, bursts that are not incidents) under the choking-game reports that
:mod:`.signals` seeds, one detection tick over all of it, so the queue has alerts; the first alert on the
challenge in Kazakhstan becomes a case, which the duty responder escalates into the demo incident (linked,
not a duplicate)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from .. import clock, detection, signals
from ..auth import Actor

HISTORY = timedelta(days=7)


def seed_detection(session: Session, actors: dict[str, Actor], base: datetime, active_ref: str, *,
                   seed: int = 2024) -> int | None:
    """Returns the demo case's id (``None`` if no alert fired on the challenge)."""
    end = base.replace(second=0, microsecond=0) - timedelta(minutes=base.minute % 5)
    signals.add_series_counts(session, detection.simulated_counts(end - HISTORY, end + timedelta(minutes=5),
                                                                  seed=seed))
    detection.run_tick(session, now=base, fresh=True)
    duty, commander = actors["yerzhan.seitkali"], actors["aigerim.nurlanova"]
    raised, _ = detection.list_alerts(session, duty, state="open", harm="dangerous_challenge", country="KZ")
    recent = [a for a in raised if a.raised_at >= base - timedelta(hours=6)]
    if not recent:
        return None
    first = min(recent, key=lambda a: (a.raised_at, a.id))
    opened_at = min(first.raised_at + timedelta(minutes=6), base)
    with clock.held_at(opened_at):
        detection.acknowledge(session, duty, first.id)
        case = detection.open_case_from_alert(session, duty, first.id,
                                              title="Challenge reports spiking in Kazakhstan")
        detection.assign_case(session, duty, case.id, commander.username)
        detection.note_case(session, duty, case.id, "Тот же «собачий кайф», что и в активном инциденте: "
                                                    "связываю, новый инцидент не нужен.")
    with clock.held_at(min(opened_at + timedelta(minutes=9), base)):
        detection.escalate_case(session, commander, case.id, into=active_ref)
    return case.id

