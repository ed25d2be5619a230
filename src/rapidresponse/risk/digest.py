"""The weekly leadership digest: open incidents, new risks and ratings that moved, the week's figures
against the week before, legal clocks breached, action items overdue. Composed for each recipient
with their own rights (a restricted incident they may not see is neither named nor counted) and in
their language; sent as an HTML email through the outbox on the admin's schedule, and as PDF. Like
every message that leaves the product, it names a restricted incident by its reference only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import analytics, auth, documents, events, incidents, notify, policy, reviews
from ..auth import Actor, Perm
from ..clock import now
from ..errors import ValidationFailed
from ..events import label
from ..i18n import Translate
from . import vocab
from .events import DigestScheduled, DigestSent
from .models import Assessment, DigestSchedule, Risk
from .schemas import DigestSettings, DigestSettingsIn

WEEK = 7
Words = Callable[[str], str]
"""How the digest sets down the users' own words it quotes (titles): as they are, or marked for a page."""


def _as_written(text: str) -> str:
    return text


@dataclass(frozen=True)
class Digest:
    subject: str
    markdown: str


def _week(day: date) -> tuple[date, date]:
    """The seven days that end with ``day``."""
    return day - timedelta(days=WEEK - 1), day


def compose(session: Session, actor: Actor, _: Translate, *, language: str, until: date | None = None,
            words: Words = _as_written) -> Digest:
    """The digest of the seven days up to ``until`` (today), as ``actor`` may see them; ``words`` sets down
    the titles it quotes (a page marks them as the users' words)."""
    actor.require(Perm.RISK_READ)
    first, last = _week(until or now().date())
    start = datetime.combine(first, datetime.min.time()).replace(tzinfo=now().tzinfo)
    subject = _("Weekly risk and incident digest, %(first)s – %(last)s", first=first.isoformat(),
                last=last.isoformat())
    out = ["# " + subject, ""]
    out += _incidents(session, actor, _, language, words)
    out += _risks(session, start, _, language, words)
    if actor.can(Perm.ANALYTICS_READ):
        out += _figures(session, actor, first, last, _)
    if actor.can(Perm.INCIDENTS_READ):
        out += _items(session, actor, _, words)
    return Digest(subject=subject, markdown="\n".join(out).rstrip() + "\n")


def _incidents(session: Session, actor: Actor, _: Translate, language: str, words: Words) -> list[str]:
    if not actor.can(Perm.INCIDENTS_READ):
        return []
    shown, total = incidents.list_incidents(session, actor, incidents.IncidentFilter(open=True, sort="severity",
                                                                                    limit=10))
    out = ["## " + _("Open incidents"), ""]
    if not total:
        return [*out, _("No incident is open."), ""]
    out += [_("%(n)s open.", n=total), ""]
    # A digest leaves the product (email, PDF): a restricted incident is a reference without its title,
    # as in every notification, even for its members.
    hidden = notify.RESTRICTED_TITLE.get(language, notify.RESTRICTED_TITLE["en"])
    out += [f"- **{i.ref}** SEV{i.severity} · {_(incidents.STATUS_LABELS.get(i.status, i.status))} · "
            f"{hidden if i.restricted else words(i.title)}" for i in shown]
    if total > len(shown):
        out.append("- " + _("and %(n)s more", n=total - len(shown)))
    return [*out, ""]


def _risks(session: Session, since: datetime, _: Translate, language: str, words: Words) -> list[str]:
    out = ["## " + _("Risks"), ""]
    new = list(session.execute(select(Risk).where(Risk.created_at >= since).order_by(Risk.id)).scalars())
    approved = list(session.execute(select(Assessment, Risk).join(Risk, Risk.id == Assessment.risk_id)
                                    .where(Assessment.approved_at >= since).order_by(Assessment.approved_at)))
    flagged = list(session.execute(select(Risk).where(Risk.flagged_reason.is_not(None)).order_by(Risk.id)).scalars())
    if not (new or approved or flagged):
        return [*out, _("No risk was added, re-rated or flagged this week."), ""]

    def band(likelihood: int, impact: int) -> str:
        return label(_, vocab.BAND_LABELS, vocab.band(likelihood, impact))

    taxonomy = policy.load_taxonomy()

    def harm(slug: str) -> str:
        if slug not in taxonomy:
            return slug
        names = taxonomy.get(slug).name
        return names.ru if language == "ru" else names.en

    for r in new:
        out.append("- " + _("New: %(title)s (%(harm)s, %(country)s), rated %(band)s", title=words(r.title),
                            harm=harm(r.harm), country=r.country, band=band(r.likelihood, r.impact)))
    for a, r in approved:
        before = session.execute(select(Assessment).where(
            Assessment.risk_id == r.id, Assessment.state == "approved", Assessment.number < a.number)
            .order_by(Assessment.number.desc()).limit(1)).scalar_one_or_none()
        if before is None or vocab.band(before.likelihood, before.impact) != vocab.band(a.likelihood, a.impact):
            out.append("- " + _("Re-rated: %(title)s, now %(band)s (was %(was)s)", title=words(r.title),
                                band=band(a.likelihood, a.impact),
                                was=band(before.likelihood, before.impact) if before else "—"))
    for r in flagged:
        out.append("- " + _("Flagged for re-assessment: %(title)s: %(reason)s", title=words(r.title),
                            reason=r.flagged_reason or ""))
    return [*out, ""]


def _figures(session: Session, actor: Actor, first: date, last: date, _: Translate) -> list[str]:
    o = analytics.overview(session, actor, analytics.MetricFilter(start=first, end=last))
    stages = {s.stage: s for s in o.stages}

    def minutes(value: float | None) -> str:
        return "—" if value is None else _("%(n)s min", n=round(value))

    rows = [(_("Incidents declared"), str(o.incidents), str(o.previous_incidents))]
    for stage, name in (("acknowledge", _("Median time to acknowledge")), ("mitigate", _("Median time to mitigate"))):
        s = stages.get(stage)
        rows.append((name, minutes(s.median if s else None), minutes(s.previous_median if s else None)))
    out = ["## " + _("This week against the week before"), "",
           "| " + _("Measure") + " | " + _("This week") + " | " + _("Week before") + " |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out += ["", "## " + _("Legal clocks"), "",
            _("%(breached)s breached, %(met)s met, %(open)s open (requests registered this week).",
              breached=o.deadlines_breached, met=o.deadlines_met, open=o.deadlines_open), ""]
    return out


def _items(session: Session, actor: Actor, _: Translate, words: Words) -> list[str]:
    items, total = reviews.list_items(session, actor, reviews.ActionItemFilter(overdue=True, limit=10))
    out = ["## " + _("Action items overdue"), ""]
    if not total:
        return [*out, _("None."), ""]
    out += [f"- {i.incident}: {words(i.title)} ({i.owner or '—'}, " + _("due %(date)s", date=f"{i.due_at:%Y-%m-%d}")
            + ")" for i in items if i.due_at]
    if total > len(items):
        out.append("- " + _("and %(n)s more", n=total - len(items)))
    return [*out, ""]


def pdf(digest: Digest, language: str) -> bytes:
    return documents.pdf(digest.markdown, title=digest.subject, language=language)


# --- the schedule ----------------------------------------------------------------------------------

def _schedule(session: Session, *, lock: bool = False) -> DigestSchedule:
    query = select(DigestSchedule).where(DigestSchedule.id == 1)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        row = DigestSchedule(id=1, enabled=False, weekday=0, hour=9, timezone="Europe/Moscow", recipients=[])
        session.add(row)
        session.flush()
    return row


def _settings_out(row: DigestSchedule) -> DigestSettings:
    return DigestSettings(enabled=row.enabled, weekday=row.weekday, hour=row.hour, timezone=row.timezone,
                          recipients=list(row.recipients or []), last_week=row.last_week,
                          last_sent_at=row.last_sent_at)


def settings(session: Session, actor: Actor) -> DigestSettings:
    actor.require(Perm.RISK_READ)
    query = select(DigestSchedule).where(DigestSchedule.id == 1)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        return DigestSettings(enabled=False, weekday=0, hour=9, timezone="Europe/Moscow", recipients=[])
    return _settings_out(row)


def set_schedule(session: Session, actor: Actor, data: DigestSettingsIn) -> DigestSettings:
    """Set when the digest goes out and to whom (each recipient an active user with an email address
    who may read the register)."""
    actor.require(Perm.RISK_APPROVE)
    for username in data.recipients:
        person = auth.person_named(session, username)
        if person is None or not person.is_active:
            raise ValidationFailed(f"no active user {username!r}", field="recipients")
        if not person.email:
            raise ValidationFailed(f"{username} has no email address to receive the digest", field="recipients")
        if Perm.RISK_READ not in auth.ROLES.get(person.role, frozenset()):
            raise ValidationFailed(f"{username}'s role ({person.role}) may not read the risk register",
                                   field="recipients")
    row = _schedule(session, lock=True)
    row.enabled, row.weekday, row.hour, row.timezone = data.enabled, data.weekday, data.hour, data.timezone
    row.recipients = list(data.recipients)
    row.updated_by_id, row.updated_at = actor.user_id, now()
    events.record(session, actor, DigestScheduled(subject_id=1, enabled=data.enabled, weekday=data.weekday,
                                                  hour=data.hour, timezone=data.timezone,
                                                  recipients=len(data.recipients)))
    return _settings_out(row)


def _due_week(row: DigestSchedule, at: datetime) -> str | None:
    """The ISO week whose digest is due at ``at`` (its weekday and hour passed in the schedule's zone)."""
    local = at.astimezone(ZoneInfo(row.timezone))
    year, week, weekday = local.isocalendar()
    key = f"{year}-W{week:02d}"
    if (weekday - 1, local.hour) < (row.weekday, row.hour) or row.last_week == key:
        return None
    return key


def send(session: Session, actor: Actor | None, translate_for: Callable[[str], Translate], *,
         week: str | None = None) -> int:
    """Queue the digest for every recipient (in their language, with their rights); returns how many
    were queued. The outbox's idempotency key makes a second send of the same week a no-op."""
    if actor is not None:
        actor.require(Perm.RISK_APPROVE)
    row = _schedule(session, lock=True)
    if week is not None and row.last_week == week:
        return 0  # another worker sent it while this one waited for the lock
    key = week or now().astimezone(ZoneInfo(row.timezone)).strftime("%G-W%V")
    queued = 0
    for username in row.recipients or []:
        person = auth.person_named(session, username)
        if person is None or not person.is_active or not person.email:
            continue
        reader = auth.to_actor(person)
        if not reader.can(Perm.RISK_READ):
            continue
        language = person.locale if person.locale in ("en", "ru") else "en"
        digest = compose(session, reader, translate_for(language), language=language)
        _msg, new = notify.enqueue(
            session, kind="risk.digest", channel="email", recipient=person.email, subject=digest.subject,
            body=digest.markdown, user_id=person.id, idempotency_key=f"risk-digest:{key}:{person.id}",
            payload={"html": documents.page(digest.markdown, title=digest.subject, language=language)})
        queued += int(new)
    row.last_week, row.last_sent_at = key, now()
    events.record(session, actor, DigestSent(subject_id=1, week=key, recipients=queued))
    return queued


def tick(session: Session, translate_for: Callable[[str], Translate]) -> int:
    """The worker's half: send this week's digest once its weekday and hour have come."""
    row = session.execute(select(DigestSchedule).where(DigestSchedule.id == 1)).scalar_one_or_none()
    if row is None or not row.enabled or not row.recipients:
        return 0
    key = _due_week(row, now())
    if key is None:
        return 0
    return send(session, None, translate_for, week=key)
