"""Reply letters to regulator requests: drafted from templates, edited, approved by legal, logged as sent.

Approval goes through the approvals service (kind ``regulator_reply``, subject
``regulator_request:<id>``, required role legal). When legal approves, the exact approved text is
logged as sent (``request.reply_sent`` with the text and its SHA-256) and the request's clock stops.

Templates (``letters/reply.<lang>.txt``) are rendered in a sandboxed Jinja environment with the
request's facts and item outcomes, in the request's language (when a template exists: ru, kk, uk)
followed by English. The draft is editable until it is submitted for legal approval; the text legal
approves, exactly, is what is logged as sent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.orm import Session

from .. import approvals, policy
from ..auth import Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from . import service as requests
from .events import ReplyDrafted, ReplyEdited, ReplySubmitted
from .models import RegulatorRequest, ReplyLetter, RequestItem
from .schemas import RequestOut

LETTERS = Path(__file__).parent / "letters"
SUBJECT = "regulator_request"
SEPARATOR = "\n\n— — —\n\n"
OUTCOME_TEXT: dict[str, dict[str, str]] = {
    "en": {"removed_globally": "Removed worldwide.", "restricted_in_country": "Access restricted in {country}.",
           "no_action": "No action taken.", "pending": "Under review."},
    "ru": {"removed_globally": "Удалён во всём мире.", "restricted_in_country": "Доступ ограничен на территории: "
           "{country}.", "no_action": "Меры не приняты.", "pending": "На рассмотрении."},
    "kk": {"removed_globally": "Бүкіл әлемде жойылды.", "restricted_in_country": "{country} аумағында "
           "қолжетімділік шектелді.", "no_action": "Шара қолданылмады.", "pending": "Қаралуда."},
    "uk": {"removed_globally": "Видалено в усьому світі.", "restricted_in_country": "Доступ обмежено на "
           "території: {country}.", "no_action": "Заходів не вжито.", "pending": "На розгляді."},
}
_env = SandboxedEnvironment(loader=FileSystemLoader(str(LETTERS)), autoescape=False, trim_blocks=True,
                            lstrip_blocks=True, keep_trailing_newline=False, undefined=StrictUndefined)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def letter_languages(language: str) -> list[str]:
    """The request's language when a template exists for it, then English."""
    base = language.split("-")[0].lower()
    return [base, "en"] if base != "en" and base in OUTCOME_TEXT else ["en"]


def render_letter(req: RegulatorRequest, items: list[RequestItem], lang: str,
                  profile: policy.CountryProfile | None) -> str:
    reg = profile.regulator(req.regulator) if profile else None
    native = lang != "en"
    country = (profile.name.native if native else profile.name.en) if profile else req.country
    texts = OUTCOME_TEXT[lang]
    zone = profile.zone if profile else None
    received = req.received_at.astimezone(zone) if zone else req.received_at
    context: dict[str, Any] = {
        "sender": req.sender, "reference": req.reference, "legal_basis": req.legal_basis,
        "regulator": (reg.name.native if native else reg.name.en) if reg else req.regulator,
        "received": f"{received:%d.%m.%Y %H:%M} ({profile.time_zones[0] if profile else 'UTC'})",
        "items": [{"target": i.target, "reason": i.reason if i.outcome else "",
                   "outcome_text": texts[i.outcome or "pending"].format(country=country)} for i in items],
        "pending": sum(1 for i in items if not i.outcome),
    }
    return _env.get_template(f"reply.{lang}.txt").render(context).strip() + "\n"


def compose(session: Session, req: RegulatorRequest, items: list[RequestItem]) -> tuple[list[str], str]:
    langs = letter_languages(req.language)
    profile = policy.load_countries(session).get(req.country)
    return langs, SEPARATOR.join(render_letter(req, items, lang, profile).strip() for lang in langs) + "\n"


def draft(session: Session, actor: Actor, request_id: int) -> ReplyLetter:
    """(Re)draft the reply from the templates with the current outcomes; replaces an unsent draft."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = requests.load(session, actor, request_id)
    letter = requests.reply(session, req)
    _require_unsent(letter)
    if letter is not None and letter.status == "submitted":
        approvals.supersede(session, actor, subject_type=SUBJECT, subject_id=req.id, reason="the reply was redrafted")
    langs, body = compose(session, req, requests.items(session, req))
    if letter is None:
        letter = ReplyLetter(request_id=req.id, languages=langs, body=body, status="draft", meta={})
        session.add(letter)
    letter.languages, letter.body, letter.status, letter.approval_id = langs, body, "draft", None
    letter.edited_by_id, letter.updated_at = actor.user_id, now()
    session.flush()
    requests.record(session, actor, req, ReplyDrafted, languages=langs, sha256=sha256(body))
    return letter


def edit(session: Session, actor: Actor, request_id: int, body: str) -> ReplyLetter:
    """Save an edited draft. Editing a submitted draft takes it back to draft: the pending approval
    no longer matches the text and will not send it."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = requests.load(session, actor, request_id)
    letter = requests.reply(session, req)
    if letter is None:
        letter = draft(session, actor, request_id)
    _require_unsent(letter)
    body = body.replace("\r\n", "\n")
    if body == letter.body:
        return letter
    if letter.status == "submitted":
        approvals.supersede(session, actor, subject_type=SUBJECT, subject_id=req.id, reason="the reply was edited")
    letter.body, letter.status, letter.approval_id = body, "draft", None
    letter.edited_by_id, letter.updated_at = actor.user_id, now()
    requests.record(session, actor, req, ReplyEdited, sha256=sha256(body))
    return letter


def _require_unsent(letter: ReplyLetter | None) -> None:
    if letter is not None and letter.status == "sent":
        raise Conflict("the reply was approved and sent; it can no longer change")


def submit(session: Session, actor: Actor, request_id: int) -> ReplyLetter:
    """Ask legal to approve the draft's exact text."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = requests.load(session, actor, request_id)
    letter = requests.reply(session, req)
    if letter is None:
        raise ValidationFailed("draft the reply before submitting it")
    _require_unsent(letter)
    if letter.status == "submitted":
        raise Conflict("the reply already waits for legal approval")
    profile = policy.load_countries(session).get(req.country)
    title = f"Reply to {requests.regulator_name(profile, req.regulator)} ({req.country}), REQ-{req.id}"
    approval = approvals.request(session, actor, kind="regulator_reply", subject_type=SUBJECT, subject_id=req.id,
                                 title=title, text=letter.body, required_role="legal", incident_id=req.incident_id)
    letter.status, letter.approval_id, letter.updated_at = "submitted", approval.id, now()
    requests.record(session, actor, req, ReplySubmitted, approval_id=approval.id, sha256=sha256(letter.body))
    return letter


# --- what the interfaces call: the request as it now stands ------------------------------------------

def draft_reply(session: Session, actor: Actor, request_id: int) -> RequestOut:
    """(Re)draft the reply (the request's language and English); returns the request with it."""
    draft(session, actor, request_id)
    return requests.get(session, actor, request_id)


def edit_reply(session: Session, actor: Actor, request_id: int, body: str) -> RequestOut:
    """Save an edited reply (back to draft if it was submitted); returns the request with it."""
    edit(session, actor, request_id, body)
    return requests.get(session, actor, request_id)


def submit_reply(session: Session, actor: Actor, request_id: int) -> RequestOut:
    """Ask legal to approve the reply's exact text; returns the request with it."""
    submit(session, actor, request_id)
    return requests.get(session, actor, request_id)


def reply_approval(session: Session, actor: Actor, request_id: int) -> tuple[Any, bool]:
    """The reply's latest approval (or None), and whether this person may decide it."""
    approval = approvals.latest(session, SUBJECT, request_id)
    can_decide = bool(approval and approval.status == "pending" and approvals.may_decide(session, actor, approval))
    return approval, can_decide


def decide_reply(session: Session, actor: Actor, request_id: int, *, decision: str, text_sha256: str,
                 comment: str = "") -> None:
    """Legal approves or rejects the exact text they read (its SHA-256) of the reply awaiting approval."""
    requests.load(session, actor, request_id)
    approval = approvals.latest(session, SUBJECT, request_id)
    if approval is None:
        raise NotFound(f"request {request_id} has no reply awaiting approval")
    approvals.decide(session, actor, approval.id, decision=decision, text_sha256=text_sha256, comment=comment)
