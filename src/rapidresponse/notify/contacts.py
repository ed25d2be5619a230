"""Contact methods and rules: how a page reaches one person.

A person adds a method (an email address, a Telegram chat, a phone number for SMS or calls, a URL of
their own); a code goes to it through the outbox, and the method reaches pages only once the person
typed that code back. Rules say when each method is used after a page reached them ("Telegram at
once, SMS after 5 minutes"); without rules every working method is used at once, and someone with no
method at all is reached at their account's email address. A method is *working* when it is
confirmed and no message to it died since the last one that arrived.

:func:`page_person` queues a page on those methods (later ones held back in the outbox, so nothing is
lost when the worker stops in between) and says how many it queued: 0 means nobody can reach that
person, which the caller must not keep silent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Person
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, NotFound, ValidationFailed
from . import service
from . import validation as check
from .events import ContactAdded, ContactRemoved, ContactVerified, RulesChanged
from .models import ContactMethod, ContactRule
from .schemas import ContactIn, ContactOut, RuleIn, RuleOut

KINDS = ("email", "telegram", "sms", "voice", "webhook")
MAX_METHODS = 10
MAX_CODE_ATTEMPTS = 5
CODE_TEXTS = {
    "en": ("rapidresponse: your code {code}", "Your rapidresponse confirmation code is {code}. Type it on your "
           "contact methods page to receive pages here. If you did not ask for it, ignore this message."),
    "ru": ("rapidresponse: ваш код {code}", "Ваш код подтверждения rapidresponse: {code}. Введите его на "
           "странице способов связи, чтобы получать сюда вызовы. Если вы его не запрашивали, ничего не делайте."),
}
SAY_CODE = {"en": "Your rapidresponse code is {digits}.", "ru": "Ваш код рапид респонс: {digits}."}


def address(kind: str, value: str) -> str:
    """The address in its one stored form, or a clear error."""
    if kind not in KINDS:
        raise ValidationFailed(f"unknown kind {kind[:20]!r}; one of {', '.join(KINDS)}", field="kind")
    return check.recipient(kind, value)


def _digest(contact_id: int, code: str) -> str:
    key = get_settings().effective_secret_key.encode()
    return hmac.new(key, f"contact:{contact_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _working(c: ContactMethod) -> bool:
    return c.verified_at is not None and c.failed_at is None


def _out(c: ContactMethod, rules: Iterable[ContactRule]) -> ContactOut:
    return ContactOut(id=c.id, kind=c.kind, address=c.address, label=c.label, verified=c.verified_at is not None,
                      working=_working(c), code_pending=c.verified_at is None and c.code_hash is not None,
                      last_error=c.last_error, created_at=c.created_at,
                      rules=[RuleOut(id=r.id, contact_id=r.contact_id, delay_minutes=r.delay_minutes)
                             for r in rules if r.contact_id == c.id])


def _own(actor: Actor) -> int:
    if actor.user_id is None:
        raise ValidationFailed("only a person has contact methods")
    return actor.user_id


def list_contacts(session: Session, actor: Actor) -> list[ContactOut]:
    """One's own contact methods with their rules (nobody sees another person's)."""
    uid = _own(actor)
    rows = session.execute(select(ContactMethod).where(ContactMethod.user_id == uid)
                           .order_by(ContactMethod.id)).scalars().all()
    rules = session.execute(select(ContactRule).where(ContactRule.user_id == uid)
                            .order_by(ContactRule.delay_minutes, ContactRule.id)).scalars().all()
    return [_out(c, rules) for c in rows]


def _mine(session: Session, actor: Actor, contact_id: int, *, lock: bool = False) -> ContactMethod:
    query = select(ContactMethod).where(ContactMethod.id == contact_id, ContactMethod.user_id == _own(actor))
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no contact method {contact_id}")
    return row


def _send_code(session: Session, contact: ContactMethod, locale: str) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    contact.code_hash, contact.code_attempts = _digest(contact.id, code), 0
    contact.code_expires_at = now() + timedelta(minutes=get_settings().contact_code_minutes)
    lang = locale if locale in CODE_TEXTS else "en"
    subject, body = (t.format(code=code) for t in CODE_TEXTS[lang])
    payload: dict[str, Any] = {"contact": contact.id, "short": body, "lang": lang,
                               "say": SAY_CODE[lang].format(digits=", ".join(code))}
    service.enqueue(session, kind="contact.code", channel=contact.kind, recipient=contact.address,
                    subject=subject, body=body, user_id=contact.user_id, restricted=True, max_attempts=3,
                    idempotency_key=f"contact:{contact.id}:code:{secrets.token_hex(6)}", payload=payload)


def add_contact(session: Session, actor: Actor, data: ContactIn, *, locale: str = "en") -> ContactOut:
    """Add a method of one's own and send it a code."""
    uid = _own(actor)
    value = address(data.kind, data.address)
    label = " ".join(data.label.split())
    mine = session.execute(select(ContactMethod).where(ContactMethod.user_id == uid)).scalars().all()
    if any(c.kind == data.kind and c.address == value for c in mine):
        raise Conflict(f"you already have this {data.kind} contact method")
    if len(mine) >= MAX_METHODS:
        raise Conflict(f"at most {MAX_METHODS} contact methods; remove one first")
    contact = ContactMethod(user_id=uid, kind=data.kind, address=value, label=label, code_attempts=0,
                            created_at=now())
    session.add(contact)
    session.flush()
    _send_code(session, contact, locale)
    events.record(session, actor, ContactAdded(subject_id=uid, kind=data.kind, contact_id=contact.id))
    return _out(contact, [])


def resend_code(session: Session, actor: Actor, contact_id: int, *, locale: str = "en") -> ContactOut:
    contact = _mine(session, actor, contact_id, lock=True)
    _send_code(session, contact, locale)
    return _out(contact, [])


def verify(session: Session, actor: Actor, contact_id: int, code: str) -> ContactOut:
    """Confirm a method with the code sent to it (at most five tries per code, before it expires).

    A wrong code is counted and the method comes back unconfirmed: the caller commits the count (or
    guessing would be free), then tells the person (:data:`WRONG_CODE`)."""
    contact = _mine(session, actor, contact_id, lock=True)
    if contact.verified_at is not None:
        return _out(contact, [])
    if contact.code_hash is None or contact.code_expires_at is None:
        raise Conflict("no code is waiting for this contact method; send a new one")
    if contact.code_expires_at < now():
        raise Conflict("the code has expired; send a new one")
    if contact.code_attempts >= MAX_CODE_ATTEMPTS:
        raise Conflict("too many wrong codes; send a new one")
    typed = "".join(code.split())
    if not hmac.compare_digest(_digest(contact.id, typed), contact.code_hash):
        contact.code_attempts += 1
        return _out(contact, [])
    contact.code_hash = contact.code_expires_at = None
    contact.verified_at, contact.failed_at, contact.last_error = now(), None, None
    events.record(session, actor, ContactVerified(subject_id=contact.user_id, kind=contact.kind,
                                                  contact_id=contact.id))
    return _out(contact, [])


WRONG_CODE = "the code is not right"


def remove_contact(session: Session, actor: Actor, contact_id: int) -> None:
    contact = _mine(session, actor, contact_id, lock=True)
    events.record(session, actor, ContactRemoved(subject_id=contact.user_id, kind=contact.kind,
                                                 contact_id=contact.id))
    for rule in session.execute(select(ContactRule).where(ContactRule.contact_id == contact.id)).scalars():
        session.delete(rule)
    session.delete(contact)


def _rules_changed(session: Session, actor: Actor, uid: int) -> None:
    rows = session.execute(select(ContactRule, ContactMethod).join(ContactMethod, ContactMethod.id ==
                                                                    ContactRule.contact_id)
                           .where(ContactRule.user_id == uid).order_by(ContactRule.delay_minutes)).all()
    rules = [f"{c.kind} +{r.delay_minutes} min" for r, c in rows]
    events.record(session, actor, RulesChanged(subject_id=uid, kind="page", rules=rules))


def add_rule(session: Session, actor: Actor, data: RuleIn) -> RuleOut:
    """Use one of one's methods ``delay_minutes`` after a page reached one."""
    contact = _mine(session, actor, data.contact_id)
    if session.execute(select(ContactRule.id).where(ContactRule.contact_id == contact.id,
                                                    ContactRule.delay_minutes == data.delay_minutes)).first():
        raise Conflict("this rule exists already")
    rule = ContactRule(user_id=contact.user_id, contact_id=contact.id, delay_minutes=data.delay_minutes,
                       created_at=now())
    session.add(rule)
    session.flush()
    _rules_changed(session, actor, contact.user_id)
    return RuleOut(id=rule.id, contact_id=rule.contact_id, delay_minutes=rule.delay_minutes)


def remove_rule(session: Session, actor: Actor, rule_id: int) -> None:
    uid = _own(actor)
    rule = session.execute(select(ContactRule).where(ContactRule.id == rule_id, ContactRule.user_id == uid)
                           ).scalar_one_or_none()
    if rule is None:
        raise NotFound(f"no rule {rule_id}")
    session.delete(rule)
    session.flush()
    _rules_changed(session, actor, uid)


# --- what paging uses ------------------------------------------------------------------------------

def _plan(session: Session, person: Person) -> list[tuple[str, str, int, int | None]]:
    """(channel, address, delay in minutes, contact id) for each message a page sends this person."""
    methods = session.execute(select(ContactMethod).where(ContactMethod.user_id == person.id)
                              .order_by(ContactMethod.id)).scalars().all()
    working = {c.id: c for c in methods if _working(c)}
    rules = session.execute(select(ContactRule).where(ContactRule.user_id == person.id)
                            .order_by(ContactRule.delay_minutes, ContactRule.id)).scalars().all()
    plan: list[tuple[str, str, int, int | None]] = [
        (working[r.contact_id].kind, working[r.contact_id].address, r.delay_minutes, r.contact_id)
        for r in rules if r.contact_id in working]
    if not rules:
        plan = [(c.kind, c.address, 0, c.id) for c in working.values()]
    if not plan and not methods and person.email:
        plan = [("email", person.email, 0, None)]
    return plan


def reachable(session: Session, people: Iterable[Person]) -> dict[int, bool]:
    """Whether a page can reach each person at all (a working method, or their account's address when
    they have no method)."""
    return {p.id: bool(_plan(session, p)) for p in people}


def page_person(session: Session, person: Person, *, key: str, subject: str, body: str,
                incident_id: int | None = None, restricted: bool = False,
                buttons: list[list[tuple[str, str]]] | None = None, say: str = "", short: str = "",
                payload: dict[str, Any] | None = None) -> int:
    """Queue a page to one person by their rules; returns how many messages (0: they cannot be
    reached). Keys start with ``key``, so :func:`rapidresponse.notify.cancel` drops the later ones."""
    at, queued = now(), 0
    for channel, to, delay, contact_id in _plan(session, person):
        extra: dict[str, Any] = dict(payload or {}, contact=contact_id, lang=person.locale)
        if channel == "telegram" and buttons:
            extra["buttons"] = [[list(b) for b in row] for row in buttons]
        if channel == "voice":
            extra["say"] = say or subject
        if channel == "sms":
            extra["short"] = short or subject
        service.enqueue(session, kind="oncall.page", channel=channel, recipient=to, subject=subject, body=body,
                        user_id=person.id, idempotency_key=f"{key}:m{contact_id or 0}:d{delay}",
                        incident_id=incident_id, restricted=restricted, payload=extra,
                        not_before=at + timedelta(minutes=delay) if delay else None)
        queued += 1
    return queued


def record_delivery(session: Session, contact_id: int, error: str | None) -> None:
    """A message to a method arrived (it works again) or died (it is not working until one arrives)."""
    contact = session.get(ContactMethod, contact_id)
    if contact is None:
        return
    if error is None:
        contact.failed_at, contact.last_error = None, None
    elif contact.verified_at is not None:
        contact.failed_at, contact.last_error = now(), error[:500]


def telegram_user(session: Session, telegram_id: int) -> int | None:
    """The user whose confirmed Telegram method is this Telegram account (its private chat id)."""
    return session.execute(select(ContactMethod.user_id).where(
        ContactMethod.kind == "telegram", ContactMethod.address == str(telegram_id),
        ContactMethod.verified_at.is_not(None)).order_by(ContactMethod.id)).scalars().first()
