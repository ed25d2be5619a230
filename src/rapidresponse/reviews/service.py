"""Post-incident reviews: drafted from what the product knows, edited, reviewed in a meeting,
signed off by role, published; and the closing gate that holds serious incidents open until then.

Every read goes through the incident: a review is visible exactly when its incident is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, notify, playbooks, wellness
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from ..i18n import Translate, english
from ..incidents import IncidentSummary
from . import actions, drafting
from .events import (
    CriterionDecided,
    ReviewDrafted,
    ReviewEdited,
    ReviewEvent,
    ReviewFeedbackGiven,
    ReviewSignedOff,
    ReviewStateChanged,
)
from .models import Criterion, Feedback, Moment, Recurrence, Review, Signoff
from .schemas import (
    ActionItemFilter,
    CriterionIn,
    CriterionOut,
    FeedbackIn,
    FeedbackOut,
    LearningOut,
    MeetingIn,
    MomentIn,
    MomentOrder,
    MomentOut,
    ReviewEdit,
    ReviewOut,
    ReviewSummary,
    SignoffIn,
    SignoffOut,
)
from .vocab import SECTIONS, SIGNOFF_ROLES, blame_flags

EDITABLE = ("draft", "in_review", "meeting_held")


def _record(session: Session, actor: Actor, event: ReviewEvent) -> None:
    events.record(session, actor, event)


def _edited(session: Session, actor: Actor, inc: IncidentSummary, review: Review, fields: list[str]) -> None:
    review.updated_at = now()
    _record(session, actor, ReviewEdited(subject_id=inc.id, ref=inc.ref, review_id=review.id, fields=fields))


def _incident(session: Session, actor: Actor, ref: str) -> IncidentSummary:
    actor.require(Perm.INCIDENTS_READ)
    return incidents.get(session, actor, ref)


def _review(session: Session, inc: IncidentSummary, *, lock: bool = False) -> Review:
    q = select(Review).where(Review.incident_id == inc.id)
    row = session.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{inc.ref} has no review yet: draft one first")
    return row


def _editable(session: Session, actor: Actor, ref: str) -> tuple[IncidentSummary, Review]:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = _incident(session, actor, ref)
    review = _review(session, inc, lock=True)
    if review.state not in EDITABLE:
        raise InvalidTransition(f"the review of {inc.ref} is {review.state}; it can no longer be changed")
    return inc, review


def required_signoffs(session: Session, inc: IncidentSummary) -> list[str]:
    """The roles that sign the review off: the commander, and each reviewing role someone holds."""
    held = {m.role for m in incidents.members(session, inc.id)}
    return [r for r in SIGNOFF_ROLES if r == "commander" or r in held]


def missing_for_publish(session: Session, inc: IncidentSummary, review: Review) -> list[str]:
    missing = []
    if review.state in ("draft", "in_review"):
        missing.append("the review meeting has not been recorded")
    if not (review.sections.get("summary") or "").strip():
        missing.append("the summary is empty")
    signed = set(session.execute(select(Signoff.role).where(Signoff.review_id == review.id)).scalars())
    missing += [f"no sign-off from the {role.replace('_', ' ')}" for role in required_signoffs(session, inc)
                if role not in signed]
    return missing


def _out(session: Session, inc: IncidentSummary, review: Review) -> ReviewOut:
    moments = session.execute(select(Moment).where(Moment.review_id == review.id)
                              .order_by(Moment.position, Moment.id)).scalars().all()
    signoffs = session.execute(select(Signoff).where(Signoff.review_id == review.id)
                               .order_by(Signoff.signed_at)).scalars().all()
    criteria = session.execute(select(Criterion).where(Criterion.review_id == review.id)
                               .order_by(Criterion.position)).scalars().all()
    feedback = session.execute(select(Feedback).where(Feedback.review_id == review.id)
                               .order_by(Feedback.id)).scalars().all()
    people = auth.people(session, {s.user_id for s in signoffs} | {c.decided_by_id for c in criteria}
                         | {f.author_id for f in feedback})

    def name(user_id: int | None) -> str | None:
        return people[user_id].username if user_id in people else None

    sections = {key: review.sections.get(key, "") for key in SECTIONS}
    blame = {key: flags for key in ("contributing_factors", "went_poorly", "summary")
             if (flags := blame_flags(sections[key]))}
    if flags := blame_flags("\n".join(review.whys)):
        blame["whys"] = flags
    return ReviewOut(
        id=review.id, incident=inc.ref, incident_title=inc.title, incident_status=inc.status, severity=inc.severity,
        state=review.state, language=review.language, sections=sections, whys=list(review.whys),
        figures=review.figures, blame=blame,
        moments=[MomentOut(id=m.id, position=m.position, at=m.at, kind=m.kind, text=m.text, event_id=m.event_id)
                 for m in moments],
        required_signoffs=required_signoffs(session, inc),
        signoffs=[SignoffOut(role=s.role, username=name(s.user_id), signed_at=s.signed_at, comment=s.comment)
                  for s in signoffs],
        criteria=[CriterionOut(position=c.position, text_en=c.text_en, text_ru=c.text_ru, state=c.state,
                               reason=c.reason, decided_by=name(c.decided_by_id), decided_at=c.decided_at)
                  for c in criteria],
        feedback=[FeedbackOut(id=f.id, author=name(f.author_id), went_well=f.went_well, went_poorly=f.went_poorly,
                              wellbeing=f.wellbeing, created_at=f.created_at) for f in feedback],
        meeting_at=review.meeting_at, meeting_attendees=list(review.meeting_attendees),
        meeting_notes=review.meeting_notes, created_at=review.created_at, updated_at=review.updated_at,
        published_at=review.published_at, action_items=actions.for_review(session, auth.SYSTEM, review.id),
        missing=[] if review.state == "published" else missing_for_publish(session, inc, review),
        check_ins=wellness.check_ins(session, auth.SYSTEM, inc.ref))


def get(session: Session, actor: Actor, ref: str) -> ReviewOut:
    inc = _incident(session, actor, ref)
    return _out(session, inc, _review(session, inc))


def find(session: Session, actor: Actor, ref: str) -> ReviewOut | None:
    """The incident's review, or None when it has none yet."""
    inc = _incident(session, actor, ref)
    row = session.execute(select(Review).where(Review.incident_id == inc.id)).scalar_one_or_none()
    return _out(session, inc, row) if row else None


def draft(session: Session, actor: Actor, ref: str, *, language: str = "en", _: Translate = english) -> ReviewOut:
    """Draft the incident's review: key moments from its timeline, the figures of the response, the
    playbook's exit criteria to confirm, and the impact section pre-filled from the figures."""
    actor.require(Perm.INCIDENTS_UPDATE)
    if language not in ("en", "ru"):
        raise ValidationFailed("language must be en or ru", field="language")
    inc = _incident(session, actor, ref)
    if inc.status in ("triage", "cancelled", "merged"):
        raise InvalidTransition(f"{inc.ref} is {inc.status}: only an incident that was worked on is reviewed")
    if session.execute(select(Review.id).where(Review.incident_id == inc.id)).scalar_one_or_none():
        raise Conflict(f"{inc.ref} already has a review")
    timeline = incidents.timeline(session, auth.SYSTEM, inc.ref)
    cases = drafting.linked_cases(session, timeline)
    figures = drafting.figures(session, inc, timeline, cases)
    at = now()
    review = Review(incident_id=inc.id, state="draft", language=language, whys=[], figures=figures,
                    sections={"impact": drafting.impact_text(inc, figures, _)}, meeting_attendees=[],
                    created_by_id=actor.user_id, created_at=at, updated_at=at)
    session.add(review)
    session.flush()
    found = drafting.moments(inc, timeline, cases, _)
    for i, m in enumerate(found):
        session.add(Moment(review_id=review.id, position=i, at=m.at, kind=m.kind, text=m.text, event_id=m.event_id))
    checklist = playbooks.checklist(session, auth.SYSTEM, inc.ref)
    for i, criterion in enumerate(checklist.playbook.exit_criteria if checklist else [], start=1):
        session.add(Criterion(review_id=review.id, position=i, text_en=criterion.en, text_ru=criterion.ru))
    _record(session, actor, ReviewDrafted(subject_id=inc.id, ref=inc.ref, review_id=review.id, moments=len(found)))
    return _out(session, inc, review)


def refresh(session: Session, actor: Actor, ref: str) -> ReviewOut:
    """Compute the figures again (e.g. after late signals arrived or the incident was resolved)."""
    inc, review = _editable(session, actor, ref)
    timeline = incidents.timeline(session, auth.SYSTEM, inc.ref)
    review.figures = drafting.figures(session, inc, timeline, drafting.linked_cases(session, timeline))
    _edited(session, actor, inc, review, ["figures"])
    return _out(session, inc, review)


def edit(session: Session, actor: Actor, ref: str, data: ReviewEdit) -> ReviewOut:
    inc, review = _editable(session, actor, ref)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise ValidationFailed("nothing to change")
    sections = dict(review.sections)
    changed = []
    for key, value in changes.items():
        if key in SECTIONS and sections.get(key, "") != value:
            sections[key] = value
            changed.append(key)
    review.sections = sections
    if "whys" in changes and [w for w in changes["whys"] if w] != review.whys:
        review.whys = [w for w in changes["whys"] if w]
        changed.append("whys")
    if "language" in changes and changes["language"] != review.language:
        review.language = changes["language"]
        changed.append("language")
    if changed:
        _edited(session, actor, inc, review, changed)
    return _out(session, inc, review)


def _moments(session: Session, review: Review) -> list[Moment]:
    return list(session.execute(select(Moment).where(Moment.review_id == review.id)
                                .order_by(Moment.position, Moment.id)).scalars())


def add_moment(session: Session, actor: Actor, ref: str, data: MomentIn) -> ReviewOut:
    inc, review = _editable(session, actor, ref)
    existing = _moments(session, review)
    if len(existing) >= 500:
        raise ValidationFailed("a review holds at most 500 key moments")
    position = next((m.position for m in existing if m.at > data.at), len(existing))
    for m in existing:
        if m.position >= position:
            m.position += 1
    session.add(Moment(review_id=review.id, position=position, at=data.at, kind=data.kind, text=data.text))
    _edited(session, actor, inc, review, ["moments"])
    session.flush()
    return _out(session, inc, review)


def edit_moment(session: Session, actor: Actor, ref: str, moment_id: int, data: MomentIn) -> ReviewOut:
    inc, review = _editable(session, actor, ref)
    moment = next((m for m in _moments(session, review) if m.id == moment_id), None)
    if moment is None:
        raise NotFound(f"no key moment {moment_id} in the review of {inc.ref}")
    moment.at, moment.kind, moment.text = data.at, data.kind, data.text
    _edited(session, actor, inc, review, ["moments"])
    return _out(session, inc, review)


def remove_moment(session: Session, actor: Actor, ref: str, moment_id: int) -> ReviewOut:
    inc, review = _editable(session, actor, ref)
    moments = _moments(session, review)
    moment = next((m for m in moments if m.id == moment_id), None)
    if moment is None:
        raise NotFound(f"no key moment {moment_id} in the review of {inc.ref}")
    session.delete(moment)
    for i, m in enumerate(m for m in moments if m.id != moment_id):
        m.position = i
    _edited(session, actor, inc, review, ["moments"])
    session.flush()
    return _out(session, inc, review)


def reorder_moments(session: Session, actor: Actor, ref: str, data: MomentOrder) -> ReviewOut:
    inc, review = _editable(session, actor, ref)
    moments = {m.id: m for m in _moments(session, review)}
    if sorted(data.ids) != sorted(moments) or len(set(data.ids)) != len(data.ids):
        raise ValidationFailed("give every key moment's id exactly once, in the new order", field="ids")
    for i, moment_id in enumerate(data.ids):
        moments[moment_id].position = i
    _edited(session, actor, inc, review, ["moments"])
    return _out(session, inc, review)


def move_moment(session: Session, actor: Actor, ref: str, moment_id: int, by: int) -> ReviewOut:
    """Move one key moment up (``by`` < 0) or down: the form's buttons, for the page without scripts."""
    ids = [m.id for m in _moments(session, _review(session, _incident(session, actor, ref)))]
    if moment_id not in ids:
        raise NotFound(f"no key moment {moment_id}")
    i = ids.index(moment_id)
    j = max(0, min(len(ids) - 1, i + by))
    ids.insert(j, ids.pop(i))
    return reorder_moments(session, actor, ref, MomentOrder(ids=ids))


def _move(session: Session, actor: Actor, inc: IncidentSummary, review: Review, to: str) -> events.Event:
    previous = review.state
    review.state, review.updated_at = to, now()
    return events.record(session, actor, ReviewStateChanged(subject_id=inc.id, ref=inc.ref, review_id=review.id,
                                                            previous=previous, to=to))


def submit(session: Session, actor: Actor, ref: str) -> ReviewOut:
    """Draft → in review: the reviewers may now sign off."""
    inc, review = _editable(session, actor, ref)
    if review.state != "draft":
        raise InvalidTransition(f"the review of {inc.ref} is already {review.state.replace('_', ' ')}")
    ev = _move(session, actor, inc, review, "in_review")
    # Everyone who took part is asked for short feedback (anonymous if they choose) before the meeting.
    facts = {"ref": inc.ref, "title": inc.title, "severity": inc.severity, "actor": actor.display_name}
    people = auth.people(session, {m.user_id for m in incidents.members(session, inc.id)} - {actor.user_id})
    for person in people.values():
        notify.notify_user(session, person, kind="review.feedback", ev=ev, facts=facts, restricted=inc.restricted)
    return _out(session, inc, review)


def record_meeting(session: Session, actor: Actor, ref: str, data: MeetingIn) -> ReviewOut:
    inc, review = _editable(session, actor, ref)
    if review.state == "draft":
        raise InvalidTransition(f"submit the review of {inc.ref} for review before recording its meeting")
    if data.held_at > now():
        raise ValidationFailed("the meeting cannot be in the future", field="held_at")
    for username in data.attendees:
        auth.find_person(session, username)
    review.meeting_at, review.meeting_attendees, review.meeting_notes = data.held_at, list(data.attendees), data.notes
    if review.state == "in_review":
        _move(session, actor, inc, review, "meeting_held")
    else:
        _record(session, actor, ReviewEdited(subject_id=inc.id, ref=inc.ref, review_id=review.id, fields=["meeting"]))
    return _out(session, inc, review)


def sign_off(session: Session, actor: Actor, ref: str, data: SignoffIn) -> ReviewOut:
    """Sign the review off as one of the reviewing roles the actor holds on the incident."""
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = _incident(session, actor, ref)
    review = _review(session, inc, lock=True)
    if review.state not in ("in_review", "meeting_held"):
        raise InvalidTransition(f"the review of {inc.ref} is {review.state.replace('_', ' ')}: "
                                "it is signed off while in review")
    if data.role not in required_signoffs(session, inc):
        raise ValidationFailed(f"nobody holds the {data.role.replace('_', ' ')} role on {inc.ref}", field="role")
    holds = any(p.id == actor.user_id for p in incidents.holders(session, inc.id, data.role))
    if not holds and actor.role != "admin":
        raise PermissionDenied(f"only the {data.role.replace('_', ' ')} of {inc.ref} signs off for that role")
    if session.execute(select(Signoff.id).where(Signoff.review_id == review.id, Signoff.role == data.role)
                       ).scalar_one_or_none():
        raise Conflict(f"the {data.role.replace('_', ' ')} has already signed the review off")
    session.add(Signoff(review_id=review.id, role=data.role, user_id=actor.user_id, signed_at=now(),
                        comment=data.comment))
    _record(session, actor, ReviewSignedOff(subject_id=inc.id, ref=inc.ref, review_id=review.id, role=data.role))
    session.flush()
    return _out(session, inc, review)


def publish(session: Session, actor: Actor, ref: str) -> ReviewOut:
    actor.require(Perm.INCIDENTS_COMMAND)
    inc, review = _editable(session, actor, ref)
    missing = missing_for_publish(session, inc, review)
    if missing:
        raise InvalidTransition(f"the review of {inc.ref} cannot be published yet: {'; '.join(missing)}",
                                missing=missing)
    review.published_at, review.published_by_id = now(), actor.user_id
    _move(session, actor, inc, review, "published")
    return _out(session, inc, review)


def give_feedback(session: Session, actor: Actor, ref: str, data: FeedbackIn) -> ReviewOut:
    """A participant's feedback on the response; anonymous feedback keeps no author."""
    actor.require(Perm.INCIDENTS_NOTE)
    inc = _incident(session, actor, ref)
    review = _review(session, inc)
    if review.state == "published":
        raise InvalidTransition(f"the review of {inc.ref} is published; feedback is closed")
    if not (data.went_well.strip() or data.went_poorly.strip() or data.wellbeing.strip()):
        raise ValidationFailed("write at least one answer")
    session.add(Feedback(review_id=review.id, author_id=None if data.anonymous else actor.user_id,
                         went_well=data.went_well.strip(), went_poorly=data.went_poorly.strip(),
                         wellbeing=data.wellbeing.strip(), created_at=now()))
    _record(session, auth.SYSTEM if data.anonymous else actor,
            ReviewFeedbackGiven(subject_id=inc.id, ref=inc.ref, review_id=review.id, anonymous=data.anonymous))
    session.flush()
    return _out(session, inc, review)


def decide_criterion(session: Session, actor: Actor, ref: str, position: int, data: CriterionIn) -> ReviewOut:
    """Mark an exit criterion met, waive it (a reason is required) or open it again."""
    actor.require(Perm.INCIDENTS_COMMAND)
    inc = _incident(session, actor, ref)
    review = _review(session, inc, lock=True)
    criterion = session.execute(select(Criterion).where(Criterion.review_id == review.id,
                                                        Criterion.position == position)).scalar_one_or_none()
    if criterion is None:
        raise NotFound(f"no exit criterion {position} in the review of {inc.ref}")
    if data.state == "waived" and not data.reason:
        raise ValidationFailed("waiving an exit criterion needs a reason", field="reason")
    criterion.state, criterion.reason = data.state, data.reason
    criterion.decided_by_id, criterion.decided_at = actor.user_id, now()
    _record(session, actor, CriterionDecided(subject_id=inc.id, ref=inc.ref, review_id=review.id, position=position,
                                             state=data.state, reason=data.reason))
    return _out(session, inc, review)


def list_reviews(session: Session, actor: Actor, *, state: str | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[ReviewSummary], int]:
    actor.require(Perm.INCIDENTS_READ)
    if limit < 1 or offset < 0:
        raise ValidationFailed("limit must be at least 1 and offset 0 or more")
    query = select(Review).order_by(Review.updated_at.desc(), Review.id.desc())
    rows = list(session.execute(query.where(Review.state == state) if state else query).scalars())
    visible = incidents.visible_ids(session, actor, {r.incident_id for r in rows})
    rows = [r for r in rows if r.incident_id in visible]  # visibility is the incidents domain's rule
    page = rows[offset:offset + limit]
    open_items = actions.open_item_count(session, [r.id for r in page])
    out = []
    for r in page:
        inc = incidents.get_by_id(session, actor, r.incident_id)
        out.append(ReviewSummary(id=r.id, incident=inc.ref, incident_title=inc.title, severity=inc.severity,
                                 state=r.state, updated_at=r.updated_at, published_at=r.published_at,
                                 open_items=open_items.get(r.id, 0)))
    return out, len(rows)


def states(session: Session, actor: Actor) -> dict[str, int]:
    rows = session.execute(select(Review.incident_id, Review.state)).all()
    visible = incidents.visible_ids(session, actor, {i for i, _ in rows})
    counts: dict[str, Any] = {}
    for incident_id, state in rows:
        if incident_id in visible:
            counts[state] = counts.get(state, 0) + 1
    return counts


def closing_requirements(session: Session, inc: IncidentSummary) -> list[str]:
    """A serious incident closes only with its review published and its exit criteria met or waived."""
    review = session.execute(select(Review).where(Review.incident_id == inc.id)).scalar_one_or_none()
    missing: list[str] = []
    if inc.severity in get_settings().review_required_severities:
        if review is None:
            missing.append(f"a SEV{inc.severity} incident needs a published post-incident review (none drafted)")
        elif review.state != "published":
            missing.append(f"its review is {review.state.replace('_', ' ')}, not published")
    if review is not None:
        open_criteria = session.execute(select(Criterion.position).where(
            Criterion.review_id == review.id, Criterion.state == "open").order_by(Criterion.position)).scalars().all()
        if open_criteria:
            missing.append("exit criteria neither met nor waived: " + ", ".join(str(p) for p in open_criteria))
    return missing


def learning(session: Session, actor: Actor) -> LearningOut:
    """Reviews this quarter, open and overdue items, recurrences per harm and country, and the
    resolved serious incidents still waiting for a review."""
    actor.require(Perm.INCIDENTS_READ)
    at = now()
    start = datetime(at.year, 3 * ((at.month - 1) // 3) + 1, 1, tzinfo=at.tzinfo)
    reviews = session.execute(select(Review.incident_id, Review.published_at)).all()
    visible = incidents.visible_ids(session, actor, {i for i, _ in reviews})
    items, _total = actions.list_items(session, actor, ActionItemFilter(status="unfinished", limit=500))
    by_kind: dict[str, int] = {}
    for item in items:
        by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
    rec = session.execute(select(Recurrence.harm, Recurrence.country, Recurrence.incident_id)).all()
    seen = incidents.visible_ids(session, actor, {i for *_, i in rec})
    counts: dict[tuple[str, str], int] = {}
    for harm, country, incident_id in rec:
        if incident_id in seen:
            counts[(harm, country)] = counts.get((harm, country), 0) + 1
    severe = get_settings().review_required_severities
    resolved, _n = incidents.list_incidents(session, actor, incidents.IncidentFilter(
        status=[incidents.Status.RESOLVED], limit=200))
    reviewed = {i for i, _ in reviews}
    return LearningOut(
        quarter=f"{at.year}-Q{(at.month - 1) // 3 + 1}", reviews_by_state=states(session, actor),
        published_this_quarter=sum(1 for i, p in reviews if i in visible and p is not None and p >= start),
        open_items=len(items), overdue_items=sum(1 for i in items if i.overdue), items_by_kind=by_kind,
        recurrences=[{"harm": h, "country": c, "count": n}
                     for (h, c), n in sorted(counts.items(), key=lambda kv: -kv[1])],
        awaiting_review=[i.ref for i in resolved if i.severity in severe and i.id not in reviewed])
