"""Responder wellness: safe viewing, the exposure log, budgets and breaks, exposure-aware routing,
surge mode, anonymous check-ins and the team's aggregate view.

Privacy by design: an exposure row names its person, the harm class, the intensity, the kind and how
long, never the content. A person's own exposure is returned to that person alone; what anybody else
sees (the team view, check-ins, the routing answer) is an aggregate over at least ``MIN_GROUP``
people, or one yes/no ("has room for this work") where work must be routed. Exposure records no
event, so nothing of it reaches the audit log or the analytics warehouse that the log feeds.

A day is the last 24 hours and a week the last 7 days, so a budget never resets at midnight in the
middle of a night shift.
"""

from __future__ import annotations

import heapq
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, policy
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, NotFound, ValidationFailed
from .events import BudgetChanged, ResourcesChanged, SurgeEnded, SurgeStarted, ViewingChanged
from .models import Budget, CheckIn, CheckInReceipt, Exposure, Resource, Surge, ViewingPreference
from .schemas import (
    BudgetIn,
    BudgetOut,
    CheckInIn,
    CheckInSummary,
    ExposureIn,
    ExposureOut,
    Group,
    ResourceIn,
    ResourceOut,
    Standing,
    SurgeIn,
    SurgeOut,
    TeamView,
    Use,
    Viewing,
    ViewSettings,
)
from .vocab import (
    DEFAULT_BUDGETS,
    GENERAL_DEFAULTS,
    INTENSITIES,
    MAX_SECONDS,
    MIN_GROUP,
    NEAR,
    NEVER_SHOWN_AREA,
    NOMINAL_SECONDS,
    ROUTED,
    SENSITIVE_AREAS,
    SENSITIVE_DEFAULTS,
)

DAY, WEEK = timedelta(hours=24), timedelta(days=7)
TEAM = 0  # the user id of the team's own budget rows


# --- harm classes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class HarmClass:
    """What wellness needs to know of a harm: its area, its exposure intensity (the taxonomy's level),
    whether it is sensitive (stricter viewing: anything extreme, and the high-intensity harms of child
    safety, self-harm, gore and animal cruelty) and whether its media may never be shown (child safety,
    all of it)."""

    harm: str
    area: str
    intensity: str
    sensitive: bool
    never_show_media: bool

    @property
    def heavy(self) -> bool:
        """High or extreme intensity: the work that budgets count and routing spreads."""
        return self.intensity in ROUTED


@cache
def _classes(version: str) -> dict[str, HarmClass]:
    tax = policy.load_taxonomy()
    out = {}
    for slug, node in tax.nodes.items():
        area = node.parent or node.slug
        intensity = str(node.exposure)
        sensitive = intensity == "extreme" or (area in SENSITIVE_AREAS and intensity in ROUTED)
        out[slug] = HarmClass(slug, area, intensity, sensitive, area == NEVER_SHOWN_AREA)
    return out


def harm_class(harm: str | None) -> HarmClass:
    """The class of a harm name as signals and series use it: a taxonomy slug, or a name that one
    slug contains or ends (``extremism`` → ``violent_extremism``); unknown names count as medium."""
    classes = _classes(policy.load_taxonomy().version)
    name = (harm or "").strip().lower()
    if name in classes:
        return classes[name]
    if name:
        for slug, found in classes.items():
            if slug.endswith("_" + name) or name.endswith("_" + slug):
                return found
    return HarmClass(name or "unknown", name or "unknown", "medium", False, False)


# --- safe viewing ---------------------------------------------------------------------------------

def viewing(session: Session, actor: Actor) -> Viewing:
    """The actor's safe-viewing settings (the defaults until they change them)."""
    row = session.get(ViewingPreference, actor.user_id) if actor.user_id else None
    general = {**GENERAL_DEFAULTS, **(row.general if row else {})}
    sensitive = {**SENSITIVE_DEFAULTS, **(row.sensitive if row else {})}
    return Viewing(general=ViewSettings(**general), sensitive=ViewSettings(**sensitive))


def set_viewing(session: Session, actor: Actor, data: Viewing) -> Viewing:
    """Change one's own settings, any time (the event says that they changed, not to what)."""
    user_id = _person(actor)
    row = session.get(ViewingPreference, user_id)
    if row is None:
        row = ViewingPreference(user_id=user_id)
        session.add(row)
    row.general, row.sensitive, row.updated_at = data.general.model_dump(), data.sensitive.model_dump(), now()
    events.record(session, actor, ViewingChanged(subject_id=user_id), stream=f"user:{user_id}")
    return viewing(session, actor)


@dataclass(frozen=True)
class ItemView:
    """How one item of content is shown to one person."""

    harm: str
    intensity: str
    blur: bool
    greyscale: bool
    mute: bool
    small: bool
    mask: bool
    hidden: bool  # behind a reveal button (click-to-reveal, or the warning before the worst classes)
    warn: bool  # the reveal button carries the warning for the most severe classes
    media: bool  # media may be shown at all (never for child safety)
    revealed: bool

    @property
    def image_class(self) -> str:
        parts = ["media-img"]
        if self.blur and not self.revealed:
            parts.append("is-blurred")
        if self.greyscale:
            parts.append("is-grey")
        if self.small:
            parts.append("is-small")
        return " ".join(parts)


@dataclass(frozen=True)
class SafeView:
    """A person's settings applied to items: ``item(harm, key)`` says how the item ``key`` (revealed
    when it is the one ``revealed`` names, one at a time) of a harm is shown."""

    settings: Viewing
    revealed: str | None = None

    def item(self, harm: str | None, key: str) -> ItemView:
        cls = harm_class(harm)
        s = self.settings.sensitive if cls.sensitive else self.settings.general
        revealed = self.revealed == key
        warn = s.warn and cls.sensitive
        hidden = (s.click_to_reveal or warn) and not revealed
        return ItemView(harm=cls.harm, intensity=cls.intensity, blur=s.blur, greyscale=s.greyscale, mute=s.mute,
                        small=s.small, mask=s.mask_terms and not revealed, hidden=hidden, warn=warn and not revealed,
                        media=not cls.never_show_media, revealed=revealed)


def safe_view(session: Session, actor: Actor, revealed: str | None = None) -> SafeView:
    return SafeView(viewing(session, actor), revealed)


MASK = "▇▇▇"


def mask_text(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span (a lexicon match) replaced by a mask, for exports and plain views."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos or not 0 <= start < end <= len(text):
            continue
        out += [text[pos:start], MASK]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- the exposure log -----------------------------------------------------------------------------

def _person(actor: Actor) -> int:
    if actor.user_id is None:
        raise ValidationFailed("only a person has wellness settings and an exposure log")
    return actor.user_id


def record(session: Session, actor: Actor, harm: str | None, kind: str, *, seconds: int | None = None,
           incident_ref: str | None = None) -> ExposureOut | None:
    """Log that the actor saw content of ``harm`` (a reveal, a review, evidence, a translation): the
    class and intensity from the taxonomy, the time measured or the kind's nominal time. The system
    and tokens without a person record nothing."""
    if actor.user_id is None:
        return None
    cls = harm_class(harm)
    took = min(MAX_SECONDS, max(1, int(seconds if seconds is not None else NOMINAL_SECONDS.get(kind, 60))))
    row = Exposure(user_id=actor.user_id, harm=cls.harm, intensity=cls.intensity, kind=kind, seconds=took,
                   incident_ref=incident_ref, occurred_at=now())
    session.add(row)
    session.flush()
    return _exposure_out(row)


def record_measured(session: Session, actor: Actor, data: ExposureIn) -> ExposureOut:
    """An exposure a client measured for its own user (the API)."""
    _person(actor)
    if data.harm not in policy.load_taxonomy():
        raise ValidationFailed(f"unknown harm {data.harm!r} (see `rapidresponse policy taxonomy`)", field="harm")
    out = record(session, actor, data.harm, data.kind, seconds=data.seconds, incident_ref=data.incident_ref)
    assert out is not None
    return out


def _exposure_out(row: Exposure) -> ExposureOut:
    return ExposureOut(harm=row.harm, intensity=row.intensity, kind=row.kind, seconds=row.seconds,
                       incident_ref=row.incident_ref, occurred_at=row.occurred_at)


def my_exposures(session: Session, actor: Actor, *, days: int = 14) -> list[ExposureOut]:
    """The actor's own exposures of the last ``days`` days, newest first. There is no way to ask for
    anybody else's."""
    user_id = _person(actor)
    rows = session.execute(select(Exposure).where(Exposure.user_id == user_id,
                                                  Exposure.occurred_at >= now() - timedelta(days=days))
                           .order_by(Exposure.occurred_at.desc(), Exposure.id.desc())).scalars()
    return [_exposure_out(r) for r in rows]


# --- budgets, surge and standing ------------------------------------------------------------------

def _budget_rows(session: Session, user_ids: Iterable[int]) -> dict[int, dict[str, Budget]]:
    ids = {TEAM, *user_ids}
    out: dict[int, dict[str, Budget]] = defaultdict(dict)
    for row in session.execute(select(Budget).where(Budget.user_id.in_(ids))).scalars():
        out[row.user_id][row.intensity] = row
    return out


def _effective(rows: dict[int, dict[str, Budget]], user_id: int) -> list[BudgetOut]:
    out = []
    for intensity in INTENSITIES:
        row = rows.get(user_id, {}).get(intensity) or rows.get(TEAM, {}).get(intensity)
        if row is not None:
            out.append(BudgetOut(intensity=intensity, daily_minutes=row.daily_minutes,
                                 weekly_minutes=row.weekly_minutes, source="person" if row.user_id else "team"))
        else:
            daily, weekly = DEFAULT_BUDGETS[intensity]
            out.append(BudgetOut(intensity=intensity, daily_minutes=daily, weekly_minutes=weekly, source="default"))
    return out


def team_budgets(session: Session) -> list[BudgetOut]:
    return _effective(_budget_rows(session, ()), TEAM)


def my_budgets(session: Session, actor: Actor) -> list[BudgetOut]:
    user_id = _person(actor)
    return _effective(_budget_rows(session, [user_id]), user_id)


def person_budgets(session: Session, actor: Actor, username: str) -> list[BudgetOut]:
    """One person's budgets (limits the team set, not their use of them): for those who set them."""
    actor.require(Perm.WELLNESS_MANAGE)
    person = auth.find_person(session, username)
    return _effective(_budget_rows(session, [person.id]), person.id)


def set_budget(session: Session, actor: Actor, data: BudgetIn, *, username: str | None = None,
               clear: bool = False) -> list[BudgetOut]:
    """Set the team's budget at one intensity, or (``username``) one person's own; ``clear`` returns
    that person to the team's."""
    actor.require(Perm.WELLNESS_MANAGE)
    if data.daily_minutes is not None and data.weekly_minutes is not None and data.weekly_minutes < data.daily_minutes:
        raise ValidationFailed("a week's budget cannot be smaller than a day's")
    user_id = auth.find_person(session, username).id if username else TEAM
    if clear and user_id == TEAM:
        raise ValidationFailed("clear returns a person to the team's budget: name the person")
    row = session.execute(select(Budget).where(Budget.user_id == user_id, Budget.intensity == data.intensity)
                          ).scalar_one_or_none()
    if clear:
        if row is not None:
            session.delete(row)
    else:
        if row is None:
            row = Budget(user_id=user_id, intensity=data.intensity)
            session.add(row)
        row.daily_minutes, row.weekly_minutes, row.updated_at = data.daily_minutes, data.weekly_minutes, now()
    session.flush()
    events.record(session, actor, BudgetChanged(subject_id=username or "team", intensity=data.intensity,
                                                person=username, daily_minutes=None if clear else data.daily_minutes,
                                                weekly_minutes=None if clear else data.weekly_minutes, cleared=clear),
                  stream="wellness")
    return _effective(_budget_rows(session, [user_id]), user_id)


def _surge_out(row: Surge) -> SurgeOut:
    return SurgeOut(id=row.id, factor=row.factor, reason=row.reason, incident_ref=row.incident_ref,
                    started_by=row.started_by, started_at=row.started_at, expires_at=row.expires_at,
                    ended_at=row.ended_at)


def _active_surge_row(session: Session) -> Surge | None:
    at = now()
    return session.execute(select(Surge).where(Surge.ended_at.is_(None), Surge.started_at <= at,
                                               Surge.expires_at > at).order_by(Surge.id.desc()).limit(1)
                           ).scalar_one_or_none()


def active_surge(session: Session) -> SurgeOut | None:
    row = _active_surge_row(session)
    return _surge_out(row) if row else None


def start_surge(session: Session, actor: Actor, data: SurgeIn) -> SurgeOut:
    """Raise every limit by ``factor`` for ``hours`` during a major incident, with the reason on record."""
    actor.require(Perm.WELLNESS_MANAGE)
    if data.incident_ref:
        incidents.get(session, actor, data.incident_ref)
    if _active_surge_row(session) is not None:
        raise Conflict("a surge is already running: end it before starting another")
    at = now()
    row = Surge(factor=data.factor, reason=data.reason, incident_ref=data.incident_ref, started_by=actor.username,
                started_at=at, expires_at=at + timedelta(hours=data.hours))
    session.add(row)
    session.flush()
    events.record(session, actor, SurgeStarted(subject_id=row.id, factor=row.factor, hours=data.hours,
                                               reason=row.reason, incident_ref=row.incident_ref), stream="wellness")
    return _surge_out(row)


def end_surge(session: Session, actor: Actor) -> SurgeOut:
    actor.require(Perm.WELLNESS_MANAGE)
    row = _active_surge_row(session)
    if row is None:
        raise Conflict("no surge is running")
    row.ended_at = now()
    events.record(session, actor, SurgeEnded(subject_id=row.id), stream="wellness")
    return _surge_out(row)


def usage(session: Session, user_ids: Iterable[int]) -> dict[int, dict[str, tuple[float, float]]]:
    """Minutes per person and intensity in the last day and the last week, in one query."""
    at = now()
    ids = list(set(user_ids))
    out: dict[int, dict[str, tuple[float, float]]] = {u: {} for u in ids}
    if not ids:
        return out
    day = func.sum(Exposure.seconds).filter(Exposure.occurred_at >= at - DAY)
    rows = session.execute(select(Exposure.user_id, Exposure.intensity, day, func.sum(Exposure.seconds))
                           .where(Exposure.user_id.in_(ids), Exposure.occurred_at >= at - WEEK)
                           .group_by(Exposure.user_id, Exposure.intensity))
    for user_id, intensity, day_s, week_s in rows:
        out[user_id][intensity] = ((day_s or 0) / 60, (week_s or 0) / 60)
    return out


def _state(used: float, limit: float | None) -> str:
    if limit is None:
        return "ok"
    if used >= limit:
        return "over"
    return "near" if used >= NEAR * limit else "ok"


def _worst(states: Iterable[str]) -> str:
    found = set(states)
    return "over" if "over" in found else "near" if "near" in found else "ok"


def _uses(budgets: list[BudgetOut], used: dict[str, tuple[float, float]], factor: float) -> list[Use]:
    out = []
    for b in budgets:
        day, week = used.get(b.intensity, (0.0, 0.0))
        daily = b.daily_minutes * factor if b.daily_minutes is not None else None
        weekly = b.weekly_minutes * factor if b.weekly_minutes is not None else None
        out.append(Use(intensity=b.intensity, day_minutes=round(day, 1), week_minutes=round(week, 1),
                       daily_limit=daily, weekly_limit=weekly,
                       state=_worst([_state(day, daily), _state(week, weekly)])))
    return out


def _continuous_minutes(session: Session, user_id: int) -> float:
    """How long the person has been exposed without a break (a gap of ``wellness_break_gap_minutes``),
    up to now; 0 when their last exposure ended longer ago than that."""
    settings = get_settings()
    gap, at = timedelta(minutes=settings.wellness_break_gap_minutes), now()
    rows = session.execute(select(Exposure.occurred_at, Exposure.seconds)
                           .where(Exposure.user_id == user_id, Exposure.occurred_at >= at - timedelta(hours=12))
                           .order_by(Exposure.occurred_at.desc())).all()
    if not rows or at - rows[0][0] > gap:
        return 0.0
    start = rows[0][0] - timedelta(seconds=rows[0][1])
    for occurred, seconds in rows[1:]:
        if start - occurred > gap:
            break
        start = min(start, occurred - timedelta(seconds=seconds))
    return round((at - start).total_seconds() / 60, 1)


def standing(session: Session, actor: Actor) -> Standing:
    """The actor's own use of their budgets, whether a break is due, and any surge."""
    user_id = _person(actor)
    surge = active_surge(session)
    uses = _uses(_effective(_budget_rows(session, [user_id]), user_id), usage(session, [user_id])[user_id],
                 surge.factor if surge else 1.0)
    continuous = _continuous_minutes(session, user_id)
    return Standing(uses=uses, state=_worst(u.state for u in uses),
                    break_due=continuous >= get_settings().wellness_break_after_minutes,
                    continuous_minutes=continuous, surge=surge)


def _left(budget: BudgetOut, day: float, week: float, factor: float) -> float:
    """The smallest share left of the day's and the week's limit (1.0: not limited; 0: spent)."""
    shares = [1 - spent / (limit * factor) if limit else 0.0
              for spent, limit in ((day, budget.daily_minutes), (week, budget.weekly_minutes)) if limit is not None]
    return max(0.0, min(shares, default=1.0))


def room(session: Session, user_ids: Iterable[int], harm: str | None) -> dict[int, float]:
    """For work of ``harm``: each person's room left in their budget at the work's intensity, as the
    smallest share left of the day's and the week's limit (1.0: untouched or not limited; 0: spent)."""
    ids = list(dict.fromkeys(user_ids))
    intensity = harm_class(harm).intensity
    if intensity not in ROUTED or not ids:
        return dict.fromkeys(ids, 1.0)
    rows = _budget_rows(session, ids)
    used = usage(session, ids)
    surge = _active_surge_row(session)
    factor = surge.factor if surge else 1.0
    out = {}
    for user_id in ids:
        budget = next(b for b in _effective(rows, user_id) if b.intensity == intensity)
        out[user_id] = _left(budget, *used[user_id].get(intensity, (0.0, 0.0)), factor)
    return out


def choose(session: Session, user_ids: Iterable[int], harm: str | None) -> list[int]:
    """``user_ids`` in the order work of ``harm`` should go to them: those with room first (the most
    room first, ties in the given order), then those whose budget is spent."""
    ids = list(dict.fromkeys(user_ids))
    left = room(session, ids, harm)
    order = {u: i for i, u in enumerate(ids)}
    return sorted(ids, key=lambda u: (left[u] <= 0, -left[u], order[u]))


def plan(session: Session, user_ids: Iterable[int], harms: list[str | None]) -> list[int | None]:
    """Share a queue of work (one harm per item) among ``user_ids``: each high-intensity item goes to
    whoever has the most room left once the items planned before it are counted (a review's nominal
    time each), the rest to whoever has the fewest items; None where nobody has room. Budgets and use
    are read once for the whole queue; a heap per intensity keeps each choice O(log people)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return [None] * len(harms)
    rows, used = _budget_rows(session, ids), usage(session, ids)
    surge = _active_surge_row(session)
    factor = surge.factor if surge else 1.0
    limits = {u: {b.intensity: b for b in _effective(rows, u)} for u in ids}
    extra = NOMINAL_SECONDS["review"] / 60
    intensity_of = {h: harm_class(h).intensity for h in set(harms)}

    def left(u: int, intensity: str) -> float:
        return _left(limits[u][intensity], *used[u].get(intensity, (0.0, 0.0)), factor)

    rooms = {i: [(-left(u, i), n, u) for n, u in enumerate(ids)] for i in ROUTED}
    for heap in rooms.values():
        heapq.heapify(heap)
    fewest = [(0, n, u) for n, u in enumerate(ids)]  # (items, order, person): everyone starts with none
    load = dict.fromkeys(ids, 0)
    out: list[int | None] = []
    for harm in harms:
        intensity = intensity_of[harm]
        chosen: int | None = None
        if intensity in ROUTED:
            heap = rooms[intensity]
            if heap and heap[0][0] < 0:
                _, n, chosen = heapq.heappop(heap)
                day, week = used[chosen].get(intensity, (0.0, 0.0))
                used[chosen][intensity] = (day + extra, week + extra)
                heapq.heappush(heap, (-left(chosen, intensity), n, chosen))
        else:
            while True:  # skip entries a routed item made stale (their person has more items now)
                count, n, chosen = heapq.heappop(fewest)
                if count == load[chosen]:
                    break
                heapq.heappush(fewest, (load[chosen], n, chosen))
            heapq.heappush(fewest, (count + 1, n, chosen))
        if chosen is not None:
            load[chosen] += 1
        out.append(chosen)
    return out


def check_assignment(session: Session, actor: Actor, user_id: int, harm: str | None, *, confirm: bool = False) -> None:
    """Refuse to give high-intensity work to a person whose budget for it is spent, unless that person
    takes it themselves and confirms. The refusal says only that they have no room, never how much
    they have seen."""
    if room(session, [user_id], harm).get(user_id, 1.0) > 0:
        return
    if confirm and actor.user_id == user_id:
        return
    if actor.user_id == user_id:
        raise Conflict("your exposure budget for this kind of content is spent for now: take a break, let "
                       "someone else take it, or confirm that you take it anyway")
    raise Conflict("this person has no room left in their exposure budget for this kind of content: "
                   "choose someone else (only they can confirm taking it anyway)")


# --- the team's aggregate view --------------------------------------------------------------------

def _group(key: str, per_person: dict[int, float]) -> Group:
    people = len(per_person)
    if people < MIN_GROUP:
        return Group(key=key, people=None, hours=None, median_minutes=None)
    seconds = list(per_person.values())
    return Group(key=key, people=people, hours=round(sum(seconds) / 3600, 1),
                 median_minutes=round(statistics.median(seconds) / 60, 1))


def team_view(session: Session, actor: Actor, *, days: int = 28) -> TeamView:
    """The team's exposure over ``days`` days as aggregates: no group of fewer than ``MIN_GROUP``
    people is shown, and nobody is named."""
    if not 1 <= days <= 366:
        raise ValidationFailed("days must be between 1 and 366")
    since = now() - timedelta(days=days)
    rows = session.execute(select(Exposure.user_id, Exposure.intensity, Exposure.harm, func.sum(Exposure.seconds))
                           .where(Exposure.occurred_at >= since)
                           .group_by(Exposure.user_id, Exposure.intensity, Exposure.harm)).all()
    by_intensity: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    by_area: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    people: set[int] = set()
    for user_id, intensity, harm, seconds in rows:
        people.add(user_id)
        by_intensity[intensity][user_id] += seconds or 0
        by_area[harm_class(harm).area][user_id] += seconds or 0
    week_people = session.execute(select(Exposure.user_id).where(Exposure.occurred_at >= now() - WEEK)
                                  .distinct()).scalars().all()
    over = near = None
    if len(week_people) >= MIN_GROUP:
        budgets, used = _budget_rows(session, week_people), usage(session, week_people)
        surge = _active_surge_row(session)
        states = [_worst(u.state for u in _uses(_effective(budgets, p), used[p], surge.factor if surge else 1.0))
                  for p in week_people]
        over, near = states.count("over"), states.count("near")
    checkins = session.execute(select(func.count(CheckIn.id)).where(CheckIn.day >= since.date())).scalar_one()
    return TeamView(days=days, min_group=MIN_GROUP, people_exposed=len(people) if len(people) >= MIN_GROUP else None,
                    by_intensity=[_group(i, by_intensity[i]) for i in INTENSITIES if i in by_intensity],
                    by_harm=sorted((_group(a, p) for a, p in by_area.items()), key=lambda g: -(g.hours or 0)),
                    over_budget=over, near_budget=near, checkins=checkins, surge=active_surge(session))


# --- check-ins and recovery -----------------------------------------------------------------------

def check_in(session: Session, actor: Actor, ref: str, data: CheckInIn) -> str:
    """An optional, anonymous check-in after an incident the actor can see: the answers keep no name
    and only the day; a separate receipt keeps that the person answered, so they are asked once."""
    user_id = _person(actor)
    inc = incidents.get(session, actor, ref)
    if session.execute(select(CheckInReceipt.id).where(CheckInReceipt.user_id == user_id,
                                                       CheckInReceipt.incident_ref == inc.ref)).first():
        raise Conflict(f"you have already checked in about {inc.ref}")
    session.add(CheckInReceipt(user_id=user_id, incident_ref=inc.ref))
    session.add(CheckIn(incident_ref=inc.ref, day=now().date(), wellbeing=data.wellbeing, workload=data.workload,
                        wants_support=data.wants_support))
    session.flush()
    return inc.ref


def checked_in(session: Session, actor: Actor, ref: str) -> bool:
    return actor.user_id is not None and session.execute(
        select(CheckInReceipt.id).where(CheckInReceipt.user_id == actor.user_id,
                                        CheckInReceipt.incident_ref == ref)).first() is not None


def check_ins(session: Session, actor: Actor, ref: str) -> CheckInSummary:
    """The check-ins about an incident as aggregates, shown only from ``MIN_GROUP`` answers on."""
    inc = incidents.get(session, actor, ref)
    rows = session.execute(select(CheckIn.wellbeing, CheckIn.workload, CheckIn.wants_support)
                           .where(CheckIn.incident_ref == inc.ref)).all()
    if len(rows) < MIN_GROUP:
        return CheckInSummary(incident_ref=inc.ref, count=len(rows), shown=False)
    dist = {score: sum(1 for r in rows if r[0] == score) for score in range(1, 6)}
    return CheckInSummary(incident_ref=inc.ref, count=len(rows), shown=True,
                          wellbeing_mean=round(statistics.mean(r[0] for r in rows), 1),
                          workload_mean=round(statistics.mean(r[1] for r in rows), 1),
                          wants_support=sum(1 for r in rows if r[2]), wellbeing=dist)


def heavy_exposure(session: Session, inc: incidents.IncidentSummary) -> bool:
    """Whether the incident's people were heavily exposed while it ran: high or extreme exposure adding
    up to ``wellness_recovery_hours`` among its members between declaration and resolution."""
    people = [m.user_id for m in incidents.members(session, inc.id)]
    if not people:
        return False
    until = inc.resolved_at or now()
    seconds = session.execute(select(func.sum(Exposure.seconds)).where(
        Exposure.user_id.in_(people), Exposure.intensity.in_(ROUTED),
        Exposure.occurred_at >= inc.declared_at, Exposure.occurred_at <= until)).scalar_one()
    return (seconds or 0) >= get_settings().wellness_recovery_hours * 3600


# --- support resources ----------------------------------------------------------------------------

def resources(session: Session) -> list[ResourceOut]:
    rows = session.execute(select(Resource).order_by(Resource.position, Resource.id)).scalars()
    return [ResourceOut(id=r.id, title=r.title, contact=r.contact, note=r.note) for r in rows]


def add_resource(session: Session, actor: Actor, data: ResourceIn) -> ResourceOut:
    actor.require(Perm.WELLNESS_MANAGE)
    count = session.execute(select(func.count(Resource.id))).scalar_one()
    if count >= 50:
        raise ValidationFailed("at most 50 support resources")
    row = Resource(title=data.title, contact=data.contact, note=data.note, position=count)
    session.add(row)
    session.flush()
    events.record(session, actor, ResourcesChanged(subject_id=row.id, title=row.title, removed=False),
                  stream="wellness")
    return ResourceOut(id=row.id, title=row.title, contact=row.contact, note=row.note)


def remove_resource(session: Session, actor: Actor, resource_id: int) -> None:
    actor.require(Perm.WELLNESS_MANAGE)
    row = session.get(Resource, resource_id)
    if row is None:
        raise NotFound(f"no support resource {resource_id}")
    title = row.title
    session.execute(delete(Resource).where(Resource.id == resource_id))
    events.record(session, actor, ResourcesChanged(subject_id=resource_id, title=title, removed=True),
                  stream="wellness")
