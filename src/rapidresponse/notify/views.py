"""Audiences (who hears stakeholder updates) and the outbox (what was sent, what is stuck)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import auth
from ..auth import Perm
from ..config import get_settings
from ..db import unit_of_work
from ..errors import DomainError, NotFound, ValidationFailed
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import domain_message, form_action, kept_values
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import render
from . import audiences, contacts, endpoints
from . import service as outbox
from .schemas import ContactIn, RuleIn

router = APIRouter(include_in_schema=False)
D = TypeVar("D")
pages.templates(__file__)
pages.notices(audience=N_("The audience was saved."),
              retried=N_("The message will be tried again."),
              contact_added=N_("A code was sent to it. Type it here to confirm the contact method."),
              contact_verified=N_("The contact method is confirmed: pages can reach you there."),
              code_sent=N_("A new code was sent."), contact_removed=N_("The contact method was removed."),
              rule_added=N_("The rule was added."), rule_removed=N_("The rule was removed."))
CONTACT_KINDS = {"telegram": N_("Telegram"), "sms": N_("SMS"), "voice": N_("Phone call"), "email": N_("Email"),
                 "webhook": N_("Webhook")}
OUTBOX_STATUS = {"pending": N_("Pending"), "sending": N_("Sending"), "delivered": N_("Delivered"),
                 "failed": N_("Failed"), "dead": N_("Dead letter")}


def _audiences_page(request: Request, user: WebUser, *, failed: str = "", error: str = "",
                    values: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    try:
        with unit_of_work(read_only=True) as s:
            rows = audiences.list_audiences(s, actor)
            hooks = ([(e.id, e.name, e.enabled) for e in endpoints.list_endpoints(s, actor)]
                     if actor.can(Perm.NOTIFY_MANAGE) else [])
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "notify/audiences.html", {
        "rows": rows, "hooks": hooks, "can_manage": actor.can(Perm.NOTIFY_MANAGE), "failed": failed,
        "error": error, "values": values or {}}, status=status)


@router.get("/settings/audiences")
def audiences_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _audiences_page(request, user)


@router.post("/settings/audiences/{slug}")
def save_audience(request: Request, slug: str, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        ids = [int(v) for v in posted.getlist("endpoint_ids")]
    except ValueError:
        ids = [-1]
    try:
        with unit_of_work() as s:
            audiences.set_audience(s, posted.actor, slug[:40], name=posted.get("name") or None,
                                   emails=posted.get("emails").split(), endpoint_ids=ids,
                                   external=posted.get("external") == "1", locale=posted.get("locale") or None)
    except DomainError as exc:
        if exc.status == 403:
            return html_error(request, 403, exc.title, "")
        return _audiences_page(request, posted.user, failed=slug, values=values,
                               error=domain_message(request_locale(request), exc), status=exc.status)
    return RedirectResponse(f"/settings/audiences?done=audience#audience-{slug}", status_code=303)


@router.get("/outbox")
def outbox_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    wanted = request.query_params.get("status", "")
    wanted = wanted if wanted in OUTBOX_STATUS else ""
    try:
        with unit_of_work(read_only=True) as s:
            counts = outbox.counts(s, user.actor)
            rows, total = outbox.list_outbox(s, user.actor, status=[wanted] if wanted else None, limit=100)
            names = {e.id: e.name for e in endpoints.list_endpoints(s, user.actor)} \
                if user.actor.can(Perm.NOTIFY_MANAGE) else {}
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "notify/outbox.html", {
        "counts": counts, "rows": rows, "total": total, "wanted": wanted, "OUTBOX_STATUS": OUTBOX_STATUS,
        "endpoint_names": names, "can_manage": user.actor.can(Perm.NOTIFY_MANAGE)})


@router.post("/outbox/{message_id}/retry")
def retry(request: Request, message_id: int, posted: PostedDep) -> Response:
    try:
        with unit_of_work() as s:
            outbox.retry(s, posted.actor, message_id)
    except DomainError as exc:
        if isinstance(exc, NotFound) or exc.status == 403:
            return html_error(request, exc.status, exc.title, "")
        return html_error(request, exc.status, exc.title, domain_message(request_locale(request), exc))
    return RedirectResponse("/outbox?done=retried", status_code=303)


# --- one's own contact methods -----------------------------------------------------------------------

def _contacts_page(request: Request, user: WebUser, *, error: str = "", failed: str = "",
                   values: dict[str, str] | None = None, status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        rows = contacts.list_contacts(s, user.actor)
        me = auth.person(s, user.actor.user_id)
        reachable = contacts.reachable(s, [me]).get(me.id, False) if me else False
    return render(request, "notify/contacts.html", {
        "rows": rows, "reachable": reachable, "account_email": me.email if me else None, "error": error,
        "failed": failed, "values": values or {}, "KINDS": CONTACT_KINDS,
        "telegram": bool(get_settings().telegram_bot_token), "phone": bool(get_settings().twilio_account_sid)},
        status=status)


@router.get("/account/contacts")
def contacts_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """One's own contact methods and when each reaches a page."""
    return _contacts_page(request, user)


def _contact_form(request: Request, posted: Posted, form: str, build: Callable[[], D],
                  call: Callable[[Session, D], object], done: str) -> Response:
    def refused(message: str, status: int) -> Response:
        return _contacts_page(request, posted.user, error=message, failed=form, values=kept_values(posted.form),
                              status=status)

    return form_action(request, build=build, call=call, refused=refused, not_found="refuse",
                       redirect=lambda s, r: f"/account/contacts?done={done}")


@router.post("/account/contacts")
def add_contact(request: Request, posted: PostedDep) -> Response:
    return _contact_form(request, posted, "add", lambda: ContactIn(
        kind=posted.get("kind"), address=posted.get("address"), label=posted.get("label")),
        lambda s, data: contacts.add_contact(s, posted.actor, data, locale=request_locale(request)), "contact_added")


def _verify(session: Session, posted: Posted, contact_id: int, code: str) -> object:
    out = contacts.verify(session, posted.actor, contact_id, code)
    if not out.verified:
        session.commit()  # the wrong try counts (or guessing would be free), then the form says so
        raise ValidationFailed(contacts.WRONG_CODE, field="code")
    return out


@router.post("/account/contacts/{contact_id}/verify")
def verify_contact(request: Request, contact_id: int, posted: PostedDep) -> Response:
    return _contact_form(request, posted, f"verify-{contact_id}", lambda: posted.get("code").strip()[:12],
                         lambda s, code: _verify(s, posted, _id(contact_id), code), "contact_verified")


@router.post("/account/contacts/{contact_id}/code")
def resend_code(request: Request, contact_id: int, posted: PostedDep) -> Response:
    return _contact_form(request, posted, f"verify-{contact_id}", lambda: None,
                         lambda s, _: contacts.resend_code(s, posted.actor, _id(contact_id),
                                                           locale=request_locale(request)), "code_sent")


@router.post("/account/contacts/{contact_id}/remove")
def remove_contact(request: Request, contact_id: int, posted: PostedDep) -> Response:
    return _contact_form(request, posted, f"contact-{contact_id}", lambda: None,
                         lambda s, _: contacts.remove_contact(s, posted.actor, _id(contact_id)), "contact_removed")


@router.post("/account/contact-rules")
def add_rule(request: Request, posted: PostedDep) -> Response:
    return _contact_form(request, posted, "rule", lambda: RuleIn(
        contact_id=posted.get("contact_id") or 0, delay_minutes=posted.get("delay_minutes") or 0),
        lambda s, data: contacts.add_rule(s, posted.actor, data), "rule_added")


@router.post("/account/contact-rules/{rule_id}/remove")
def remove_rule(request: Request, rule_id: int, posted: PostedDep) -> Response:
    return _contact_form(request, posted, "rule", lambda: None,
                         lambda s, _: contacts.remove_rule(s, posted.actor, _id(rule_id)), "rule_removed")


def _id(value: int) -> int:
    if not 1 <= value <= 2**31 - 1:
        raise NotFound("not found")
    return value
