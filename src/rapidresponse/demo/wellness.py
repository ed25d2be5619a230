"""The demo's responder wellness: the people on the active SEV2 have reviewed its content for hours
(so the team view has figures), one of them is close to the day's budget for high-intensity work
(the break prompt shows on their wellness page) and one has spent it (triage refuses to give them a
challenge case unless they take it themselves), and the team lists its support resources."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from .. import auth, clock, incidents, wellness
from ..auth import SYSTEM

SUPPORT = (
    ("Линия помощи сотрудникам (EAP) / Employee assistance line", "+7 700 000 00 00 (demo number)",
     "Круглосуточно, анонимно, на русском, казахском и английском. / Around the clock, anonymous."),
    ("Психолог команды / Team counsellor", "counsellor@example.org",
     "Вторник и четверг, 10:00–18:00 по Астане; можно записаться на разговор после инцидента."),
)
# (minutes of high-intensity review in the last day per responder): near the budget, past it, and lighter.
LOAD = (75, 95, 40, 30, 25, 20)


def seed_wellness(session: Session, active_ref: str) -> int:
    """Seed once (unless the team has support resources already): returns how many exposures were logged."""
    if wellness.resources(session):
        return 0
    admin = auth.to_actor(next(p for p in auth.active_people(session) if p.role == "admin"))
    for title, contact, note in SUPPORT:
        wellness.add_resource(session, admin, wellness.ResourceIn(title=title, contact=contact, note=note))
    inc = incidents.get(session, SYSTEM, active_ref)
    people = [m for m in incidents.members(session, inc.id)]
    responders = [auth.person(session, m.user_id) for m in people]
    others = [p for p in auth.active_people(session) if p.role in ("responder", "analyst", "policy")
              and p.id not in {m.user_id for m in people}]
    crew = [p for p in responders + others if p is not None][:len(LOAD)]
    logged, end = 0, clock.now()
    for person, minutes in zip(crew, LOAD, strict=False):
        actor = auth.to_actor(person)
        done, at = 0, end - timedelta(hours=8)
        while done < minutes:  # reviews of 5 minutes with short pauses, over the afternoon
            step = min(5, minutes - done)
            at += timedelta(minutes=step + 3)
            with clock.held_at(min(at, end - timedelta(minutes=15))):
                wellness.record(session, actor, "dangerous_challenge", "review", seconds=step * 60,
                                incident_ref=inc.ref)
            done, logged = done + step, logged + 1
    return logged
