"""On call in the demo world: three teams (a Warsaw/Moscow/Almaty follow-the-sun rota, Central Asia
child safety in Almaty, Russian-language hate speech in Moscow), their escalation policies and routing
rules, an override, a swap request, a couple of past pages and one page waiting for an answer.

Seeded after the incident history, so the back-dated incidents do not page anyone; the past pages are
added on purpose, on past incidents, with their acknowledgement times.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from .. import auth, clock, incidents, oncall
from ..auth import Actor
from ..incidents import IncidentFilter
from ..oncall import LayerIn, OverrideIn, PageOut, PolicyIn, PolicyOut, RouteIn, ScheduleIn, SwapIn, TeamIn, TeamOut

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _team(session: Session, admin: Actor, name: str, tz: str, description: str) -> TeamOut:
    return oncall.create_team(session, admin, TeamIn(name=name, timezone=tz, description=description))


def _layer(session: Session, admin: Actor, schedule_id: int, **fields: object) -> None:
    oncall.add_layer(session, admin, schedule_id, LayerIn.model_validate(fields))


def _policy(session: Session, admin: Actor, team: TeamOut, steps: list[dict[str, object]],
            repeat: int = 1) -> PolicyOut:
    return oncall.create_policy(session, admin, team.id, PolicyIn.model_validate(
        {"name": "Default", "steps": steps, "repeat": repeat}))


def seed_oncall(session: Session, actors: dict[str, Actor], base: datetime, active_ref: str) -> None:
    admin = actors["marta.zielinska"]
    start = _monday(base.date()) - timedelta(weeks=8)

    reeca = _team(session, admin, "REECA rapid response", "Europe/Moscow",
                  "Round the clock: Almaty mornings, Moscow days, Warsaw evenings and nights.")
    sun = oncall.create_schedule(session, admin, reeca.id, ScheduleIn(name="Follow the sun", timezone="Europe/Moscow",
                                                                       country="RU"))
    _layer(session, admin, sun.id, name="Almaty mornings", level=1, timezone="Asia/Almaty", country="KZ",
           users=["aigerim.nurlanova", "yerzhan.seitkali", "assel.zhumabekova"], start_date=start,
           handoff_time="08:00", shift_unit="weeks",
           restrictions=[{"days": EVERY_DAY, "start": "08:00", "end": "16:00"}])
    _layer(session, admin, sun.id, name="Moscow days", level=2, timezone="Europe/Moscow", country="RU",
           users=["dmitry.volkov", "anna.smirnova"], start_date=start, handoff_time="12:00", shift_unit="weeks",
           restrictions=[{"days": EVERY_DAY, "start": "12:00", "end": "20:00"}])
    _layer(session, admin, sun.id, name="Warsaw evenings and nights", level=3, timezone="Europe/Warsaw",
           country="PL", users=["tomasz.kowalski", "katarzyna.nowak", "piotr.wisniewski"], start_date=start,
           handoff_time="18:00", shift_unit="weeks",
           restrictions=[{"days": EVERY_DAY, "start": "18:00", "end": "05:00"}])
    reeca_policy = _policy(session, admin, reeca, [
        {"kind": "schedule", "target": str(sun.id), "delay_minutes": 10},
        {"kind": "role", "target": "commander", "delay_minutes": 10},
        {"kind": "user", "target": "marta.zielinska", "delay_minutes": 15}])
    oncall.add_route(session, admin, reeca.id, RouteIn(policy_id=reeca_policy.id, min_severity=2))

    child = _team(session, admin, "Central Asia child safety", "Asia/Almaty",
                  "Child-safety escalations in Kazakh, Kyrgyz, Uzbek and Russian for Central Asia.")
    daily = oncall.create_schedule(session, admin, child.id, ScheduleIn(name="Primary", timezone="Asia/Almaty",
                                                                         country="KZ"))
    _layer(session, admin, daily.id, name="Daily rotation", level=1, timezone="Asia/Almaty", country="KZ",
           users=["assel.zhumabekova", "yerzhan.seitkali", "nurlan.akhmetov"], start_date=start,
           handoff_time="09:00", shift_unit="days")
    child_policy = _policy(session, admin, child, [
        {"kind": "schedule", "target": str(daily.id), "delay_minutes": 5},
        {"kind": "user", "target": "aigerim.nurlanova", "delay_minutes": 10}], repeat=2)
    oncall.add_route(session, admin, child.id, RouteIn.model_validate({
        "policy_id": child_policy.id, "incident_types": ["child_safety"], "countries": ["KZ", "KG", "UZ", "TJ", "TM"],
        "languages": ["kk", "ky", "uz", "tg", "tk", "ru"], "min_severity": 3}))

    hate = _team(session, admin, "Russian-language hate speech", "Europe/Moscow",
                 "Hate-speech waves in Russian-language communities.")
    weekly = oncall.create_schedule(session, admin, hate.id, ScheduleIn(name="Primary", timezone="Europe/Moscow",
                                                                         country="RU"))
    _layer(session, admin, weekly.id, name="Weekly", level=1, timezone="Europe/Moscow", country="RU",
           users=["anna.smirnova", "dmitry.volkov", "taras.melnyk"], start_date=start, handoff_time="10:00",
           shift_unit="weeks")
    hate_policy = _policy(session, admin, hate, [
        {"kind": "schedule", "target": str(weekly.id), "delay_minutes": 15},
        {"kind": "user", "target": "dmitry.volkov", "delay_minutes": 15}])
    oncall.add_route(session, admin, hate.id, RouteIn.model_validate({
        "policy_id": hate_policy.id, "incident_types": ["hate_speech_wave"], "languages": ["ru"], "min_severity": 3}))

    tomorrow = datetime.combine(base.date() + timedelta(days=1), datetime.min.time()).astimezone(base.tzinfo)
    oncall.add_override(session, admin, weekly.id, OverrideIn(
        username="taras.melnyk", starts_at=tomorrow + timedelta(hours=6), ends_at=tomorrow + timedelta(hours=30),
        reason="Анна в отпуске / Anna on leave"))
    _swap(session, actors, daily.id, base)
    _past_pages(session, admin, {"child_safety": (child, child_policy), "hate_speech_wave": (hate, hate_policy)})
    active = incidents.get(session, admin, active_ref)
    with clock.held_at(base - timedelta(minutes=3)):
        oncall.trigger(session, team_id=reeca.id, policy_id=reeca_policy.id, summary=active.title,
                       incident={"id": active.id, "ref": active.ref, "severity": active.severity,
                                 "restricted": active.restricted}, dedup_key=f"incident:{active.id}:team:{reeca.id}")


def _swap(session: Session, actors: dict[str, Actor], schedule_id: int, base: datetime) -> None:
    """Whoever has the Almaty shift two days from now asks a colleague to take its first hours."""
    at = base + timedelta(days=2)
    on_call = oncall.on_call_user_ids(session, schedule_id, at)
    by_id = {a.user_id: a for a in actors.values()}
    if not on_call or on_call[0] not in by_id:
        return
    requester = by_id[on_call[0]]
    other = "yerzhan.seitkali" if requester.username != "yerzhan.seitkali" else "assel.zhumabekova"
    oncall.request_swap(session, requester, schedule_id, SwapIn(username=other, starts_at=at,
                                                               ends_at=at + timedelta(hours=4),
                                                               note="Врач утром / doctor's appointment"))


def _past_pages(session: Session, admin: Actor, teams: dict[str, tuple[TeamOut, PolicyOut]]) -> None:
    """Pages on the most recent closed incident of each routed type, acknowledged after a few minutes."""
    for kind, (team, policy) in teams.items():
        found, _ = incidents.list_incidents(session, admin, IncidentFilter.model_validate(
            {"type": [kind], "status": ["closed"], "limit": 1}))
        if not found:
            continue
        inc = found[0]
        with clock.held_at(inc.declared_at + timedelta(minutes=1)):
            facts = {"id": inc.id, "ref": inc.ref, "severity": inc.severity, "restricted": inc.restricted}
            page = oncall.trigger(session, team_id=team.id, policy_id=policy.id, summary=inc.title, incident=facts,
                                  dedup_key=f"incident:{inc.id}:team:{team.id}")
        if page is None:
            continue
        _acknowledge_as_first_reached(session, page, inc.declared_at + timedelta(minutes=5, seconds=20))
        with clock.held_at((inc.resolved_at or inc.declared_at + timedelta(hours=6)) + timedelta(minutes=1)):
            oncall.resolve_for_incident(session, inc.id, reason="incident resolved")


def _acknowledge_as_first_reached(session: Session, page: PageOut, when: datetime) -> None:
    user = auth.person_named(session, page.notified[0]) if page.notified else None
    if user is None:
        return
    with clock.held_at(when):
        oncall.acknowledge(session, auth.to_actor(user), page.id, via="link")
