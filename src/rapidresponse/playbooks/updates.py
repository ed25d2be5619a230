"""Stakeholder updates: composed from the running playbook's templates with the incident's live
facts, previewed, approved where a gate asks for it, sent to an audience through the outbox, and
kept on the incident's timeline.

States: ``draft`` → ``pending_approval`` → ``approved`` | ``rejected`` (back to editing) → ``sent``.
An update to an external audience, or from a template with a gate, goes out only with an approval
of its exact text; editing an approved or pending text voids that approval.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import approvals, auth, events, incidents, notify, policy
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, NotFound, ValidationFailed
from ..incidents import STATUS_LABELS, TYPE_LABELS, IncidentSummary
from . import rendering, service
from .events import UpdateDrafted, UpdateEdited, UpdateFacts, UpdateSent
from .models import StakeholderUpdate
from .schemas import IncidentUpdates, PreviewOut, UpdateOut

LANGUAGES = ("en", "ru", "kk", "uk")
SUBJECT_TYPE = "stakeholder_update"
# A statement is written whole in its language: the incident's type and status it quotes are in that language too
# (English from the vocabulary's labels; the others here, for the languages the templates are written in).
STATUS_TEXTS: dict[str, dict[str, str]] = {
    "ru": {"triage": "разбор", "active": "активен", "mitigated": "меры приняты", "monitoring": "наблюдение",
           "resolved": "решён", "closed": "закрыт", "cancelled": "отменён", "merged": "объединён"},
    "kk": {"triage": "талдау", "active": "белсенді", "mitigated": "шаралар қабылданды", "monitoring": "бақылау",
           "resolved": "шешілді", "closed": "жабылды", "cancelled": "күші жойылды", "merged": "біріктірілді"},
    "uk": {"triage": "розбір", "active": "активний", "mitigated": "заходів вжито", "monitoring": "спостереження",
           "resolved": "вирішено", "closed": "закрито", "cancelled": "скасовано", "merged": "об'єднано"},
}
TYPE_TEXTS: dict[str, dict[str, str]] = {
    "ru": {"dangerous_challenge": "опасный челлендж", "hate_speech_wave": "волна языка вражды",
           "child_safety": "безопасность детей", "self_harm": "самоповреждение и суицид",
           "violent_extremism": "насильственный экстремизм", "harassment_doxxing": "травля и доксинг",
           "animal_cruelty": "жестокое обращение с животными",
           "coordinated_inauthentic_behaviour": "скоординированное недостоверное поведение",
           "crisis_misinformation": "дезинформация в кризис", "regulator_order": "предписание регулятора",
           "other": "другое"},
    "kk": {"dangerous_challenge": "қауіпті челлендж", "hate_speech_wave": "өшпенділік тілі толқыны",
           "child_safety": "балалар қауіпсіздігі", "self_harm": "өзіне зиян келтіру және суицид",
           "violent_extremism": "зорлық-зомбылық экстремизмі", "harassment_doxxing": "қудалау және доксинг",
           "animal_cruelty": "жануарларға қатыгездік",
           "coordinated_inauthentic_behaviour": "үйлестірілген жалған мінез-құлық",
           "crisis_misinformation": "дағдарыс кезіндегі жалған ақпарат", "regulator_order": "реттеушінің нұсқамасы",
           "other": "басқа"},
    "uk": {"dangerous_challenge": "небезпечний челендж", "hate_speech_wave": "хвиля мови ворожнечі",
           "child_safety": "безпека дітей", "self_harm": "самоушкодження і суїцид",
           "violent_extremism": "насильницький екстремізм", "harassment_doxxing": "цькування і доксинг",
           "animal_cruelty": "жорстоке поводження з тваринами",
           "coordinated_inauthentic_behaviour": "скоординована неавтентична поведінка",
           "crisis_misinformation": "дезінформація під час кризи", "regulator_order": "припис регулятора",
           "other": "інше"},
}
MAX_SUBJECT, MAX_BODY = 300, 20_000


def _time(at: datetime | None) -> str:
    return at.strftime("%d.%m.%Y %H:%M UTC") if at else "—"


def facts(session: Session, actor: Actor, inc: IncidentSummary, language: str) -> dict[str, Any]:
    """The incident's live facts, as plain values a template may use."""
    members = incidents.members(session, inc.id)

    def holder(role: str) -> str:
        return next((m.display_name or m.username for m in members if m.role == role), "—")

    tasks = incidents.tasks(session, actor, inc.ref)
    if language == "en":
        status, kind = STATUS_LABELS.get(inc.status, inc.status), TYPE_LABELS.get(inc.type, inc.type)
    else:
        status = STATUS_TEXTS.get(language, {}).get(inc.status, inc.status)
        kind = TYPE_TEXTS.get(language, {}).get(inc.type, inc.type)
    return {
        "ref": inc.ref, "title": inc.title, "summary": inc.summary or inc.title,
        "type": kind, "severity": f"SEV{inc.severity}", "status": status,
        "countries_text": ", ".join(inc.countries) or "—", "languages_text": ", ".join(inc.languages) or "—",
        "commander": holder("commander"), "comms_lead": holder("comms_lead"),
        "tasks_done": sum(1 for t in tasks if t.status == "done"), "tasks_total": len(tasks),
        "next_update_at": _time(service.next_update(session, inc.id)), "declared_at": _time(inc.declared_at),
        "url": f"{get_settings().base_url.rstrip('/')}/incidents/{inc.ref}",
        "helplines_text": policy.helplines_text(inc.countries, language),
    }


def preview(session: Session, actor: Actor, ref: str, *, template_id: str, language: str) -> PreviewOut:
    """A template rendered with the live facts: subject, body, gate, audience and missing facts."""
    actor.require(Perm.INCIDENTS_READ)
    if language not in LANGUAGES:
        raise ValidationFailed(f"language is one of {', '.join(LANGUAGES)}", field="language")
    inc = incidents.get(session, actor, ref)
    run = service.active_run(session, inc.id)
    if run is None:
        raise Conflict(f"{inc.ref} runs no playbook, so it has no templates: write the update yourself")
    playbook = service.run_playbook(session, run)
    tpl = playbook.template(template_id)
    if tpl is None:
        raise NotFound(f"the playbook {playbook.id} has no template {template_id[:60]!r}")
    known = facts(session, actor, inc, language)
    subject, missing_s = rendering.render(tpl.subject.get(language), known)
    body, missing_b = rendering.render(tpl.body.get(language), known)
    gate = playbook.gate(tpl.gate)
    return PreviewOut(template_id=tpl.id, audience=tpl.audience, language=language, subject=subject[:MAX_SUBJECT],
                      body=body, gate=tpl.gate, required_role=gate.required_role if gate else None,
                      missing=sorted(set(missing_s + missing_b)))


def _get(session: Session, actor: Actor, ref: str, update_id: int) -> tuple[IncidentSummary, StakeholderUpdate]:
    inc = incidents.get(session, actor, ref)
    upd = session.get(StakeholderUpdate, update_id)
    if upd is None or upd.incident_id != inc.id:
        raise NotFound(f"no update {update_id} on {inc.ref}")
    return inc, upd


def _check_text(subject: str, body: str) -> tuple[str, str]:
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        raise ValidationFailed(f"a subject is 1–{MAX_SUBJECT} characters", field="subject")
    if not body or len(body) > MAX_BODY:
        raise ValidationFailed(f"a body is 1–{MAX_BODY} characters", field="body")
    return subject, body


def _required_gate(session: Session, upd: StakeholderUpdate) -> tuple[str, str] | None:
    """(approval kind, role) the update needs before it goes out, or None."""
    run = service.active_run(session, upd.incident_id)
    playbook = service.run_playbook(session, run) if run else None
    if upd.gate:
        gate = playbook.gate(upd.gate) if playbook else None
        return upd.gate, gate.required_role if gate else "legal"
    audience = next((a for a in notify.list_audiences(session, service.PLAYBOOK_ACTOR) if a.slug == upd.audience),
                    None)
    if audience is not None and audience.external:
        gate = playbook.gate("external_statement") if playbook else None
        return "external_statement", gate.required_role if gate else "legal"
    return None


def create(session: Session, actor: Actor, ref: str, *, audience: str, language: str, subject: str, body: str,
           template_id: str | None = None) -> UpdateOut:
    """A draft update (its text as previewed, possibly edited)."""
    actor.require(Perm.UPDATES_SEND)
    inc = incidents.get(session, actor, ref)
    if language not in LANGUAGES:
        raise ValidationFailed(f"language is one of {', '.join(LANGUAGES)}", field="language")
    notify.get_audience(session, actor, audience)
    subject, body = _check_text(subject, body)
    gate = None
    run = service.active_run(session, inc.id)
    if template_id is not None:
        tpl = service.run_playbook(session, run).template(template_id) if run else None
        if tpl is None:
            raise NotFound(f"no template {template_id[:60]!r} in {inc.ref}'s playbook")
        gate = tpl.gate
    at = now()
    upd = StakeholderUpdate(incident_id=inc.id, run_id=run.id if run else None, template_id=template_id,
                            audience=audience, language=language, subject=subject, body=body, gate=gate,
                            status="draft", created_by_id=actor.user_id, created_at=at, updated_at=at)
    session.add(upd)
    session.flush()
    _timeline(session, actor, inc, UpdateDrafted, upd)
    return UpdateOut.model_validate(upd)


def edit(session: Session, actor: Actor, ref: str, update_id: int, *, subject: str, body: str) -> UpdateOut:
    actor.require(Perm.UPDATES_SEND)
    inc, upd = _get(session, actor, ref, update_id)
    if upd.status == "sent":
        raise Conflict("a sent update cannot change; compose a new one", current=upd.status)
    subject, body = _check_text(subject, body)
    if (subject, body) == (upd.subject, upd.body):
        return UpdateOut.model_validate(upd)
    voided = approvals.supersede(session, actor, subject_type=SUBJECT_TYPE, subject_id=upd.id,
                                 reason="the text was edited")
    upd.subject, upd.body, upd.status, upd.updated_at = subject, body, "draft", now()
    _timeline(session, actor, inc, UpdateEdited, upd, approval_voided=bool(voided))
    return UpdateOut.model_validate(upd)


def approval_text(upd: StakeholderUpdate) -> str:
    return f"{upd.subject}\n\n{upd.body}"


def update_text(session: Session, actor: Actor, update_id: int) -> tuple[str, str]:
    """An update's incident ref and the text an approver reads (subject, then body)."""
    upd = session.get(StakeholderUpdate, update_id)
    if upd is not None:
        with contextlib.suppress(NotFound):  # an incident the actor may not know of: no such update either
            return incidents.get_by_id(session, actor, upd.incident_id).ref, approval_text(upd)
    raise NotFound(f"no update {update_id}")


LEADERSHIP = ("leadership_update", "commander")  # an update no gate names is approved by a commander


def approvers(session: Session, actor: Actor, upd: StakeholderUpdate) -> list[auth.Person]:
    """Who could approve ``upd`` if ``actor`` asked now: people in the role it needs (on the account or on
    the incident) or admins, never ``actor``."""
    _kind, role = _required_gate(session, upd) or LEADERSHIP
    return approvals.approvers(session, required_role=role, incident_id=upd.incident_id,
                               requested_by_id=actor.user_id)


def request_approval(session: Session, actor: Actor, ref: str, update_id: int,
                     approver: str | None = None) -> UpdateOut:
    """Ask for the approval the update needs, from anyone who may give it or, with ``approver`` (a username),
    from that one person (a commander who drafted a leadership update routes it to another commander)."""
    actor.require(Perm.UPDATES_SEND)
    inc, upd = _get(session, actor, ref, update_id)
    if upd.status not in ("draft", "rejected"):
        raise Conflict(f"update {upd.id} is {upd.status}", current=upd.status)
    needed = _required_gate(session, upd)
    kind, role = needed or LEADERSHIP
    a = approvals.request(session, actor, kind=kind, subject_type=SUBJECT_TYPE, subject_id=upd.id,
                          title=f"{inc.ref}: {upd.subject}", text=approval_text(upd), required_role=role,
                          incident_id=inc.id, language=upd.language, ask=approver)
    upd.status, upd.approval_id, upd.updated_at = "pending_approval", a.id, now()
    return UpdateOut.model_validate(upd)


def send(session: Session, actor: Actor, ref: str, update_id: int) -> UpdateOut:
    """Queue the update to every address and endpoint of its audience, once its gate is passed."""
    actor.require(Perm.UPDATES_SEND)
    inc, upd = _get(session, actor, ref, update_id)
    if upd.status == "sent":
        raise Conflict(f"update {upd.id} was sent already", current=upd.status)
    needed = _required_gate(session, upd)
    if needed or upd.status in ("pending_approval", "rejected"):
        approved = approvals.approved_text(session, SUBJECT_TYPE, upd.id)
        if approved != approval_text(upd):
            kind, role = needed or LEADERSHIP
            raise Conflict(f"this update needs the approval of {role} ({kind.replace('_', ' ')}) of its exact text "
                           "before it goes out", current=upd.status)
    audience = notify.get_audience(session, actor, upd.audience)
    if audience.empty:
        raise Conflict(f"the audience {audience.name!r} has no recipients yet: add addresses or endpoints to it")
    common: dict[str, Any] = dict(kind="stakeholder.update", subject=upd.subject, body=upd.body,
                                  incident_id=inc.id, restricted=inc.restricted,
                                  payload={"incident": inc.ref, "audience": audience.slug, "update_id": upd.id})
    for email in audience.emails:
        notify.enqueue(session, channel="email", recipient=email, idempotency_key=f"update:{upd.id}:{email}",
                       **common)
    for ep_id in audience.endpoint_ids:
        notify.enqueue(session, channel="webhook", endpoint_id=ep_id, idempotency_key=f"update:{upd.id}:ep{ep_id}",
                       **common)
    at = now()
    upd.status, upd.sent_at, upd.updated_at = "sent", at, at
    upd.recipients = len(audience.emails) + len(audience.endpoint_ids)
    service.record_update_sent(session, inc.id, inc.severity)
    _timeline(session, actor, inc, UpdateSent, upd, body=upd.body[:4000], recipients=upd.recipients)
    return UpdateOut.model_validate(upd)


def _rows(session: Session, inc: IncidentSummary) -> list[StakeholderUpdate]:
    return list(session.execute(select(StakeholderUpdate).where(StakeholderUpdate.incident_id == inc.id)
                                .order_by(StakeholderUpdate.id.desc())).scalars())


def list_updates(session: Session, actor: Actor, ref: str) -> list[UpdateOut]:
    """The incident's updates, newest first."""
    return [UpdateOut.model_validate(u) for u in _rows(session, incidents.get(session, actor, ref))]


def get(session: Session, actor: Actor, ref: str, update_id: int) -> UpdateOut:
    return UpdateOut.model_validate(_get(session, actor, ref, update_id)[1])


def overview(session: Session, actor: Actor, ref: str) -> IncidentUpdates:
    """What composing an incident's updates starts from: its updates with the approval each needs, the
    running playbook (its templates) and the audiences."""
    inc = incidents.get(session, actor, ref)
    rows = _rows(session, inc)
    run = service.active_run(session, inc.id)
    return IncidentUpdates(incident=inc, updates=[UpdateOut.model_validate(u) for u in rows],
                           gates={u.id: _required_gate(session, u) for u in rows},
                           approvers={u.id: approvers(session, actor, u) for u in rows
                                      if u.status in ("draft", "rejected")},
                           playbook=service.run_playbook(session, run) if run else None,
                           audiences=notify.list_audiences(session, actor))


def _timeline(session: Session, actor: Actor, inc: IncidentSummary, kind: type[UpdateFacts],
              upd: StakeholderUpdate, **extra: Any) -> None:
    events.record(session, actor, kind(subject_id=inc.id, ref=inc.ref, update_id=upd.id, audience=upd.audience,
                                       language=upd.language, headline=upd.subject, **extra))


def decided(session: Session, *, update_id: int, approval_id: int, approved: bool) -> None:
    """The approver's decision moves the update on (approved: ready to send; rejected: back to its author)."""
    upd = session.get(StakeholderUpdate, update_id)
    if upd is None or upd.status != "pending_approval" or upd.approval_id != approval_id:
        return
    upd.status = "approved" if approved else "rejected"
    upd.updated_at = now()
