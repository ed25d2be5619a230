"""Reply letters to regulator requests: drafted from templates, edited, approved by legal, logged as sent.

Approval goes through the approvals service (kind ``regulator_reply``, subject
``regulator_request:<id>``, required role legal). When legal approves, the exact approved text is
logged as sent (``request.reply_sent`` with the text and its SHA-256) and the request's clock stops.

Each regulator has its template (``letters/<kind>.<lang>.txt``: Roskomnadzor, Kazakhstan's ministry
through the company's legal representative, Uzbekistan's regulator, Ukraine's National Council, the
EU's DSA coordinators) built on one layout per language (``letters/base.<lang>.txt``): the company's
legal entity and address, the outgoing number from the register (:mod:`.outgoing`) and the date, the
reference to the regulator's letter with its time as people write it («МСК», «время Астаны»), the
addressee block (organisation, then unit), the outcomes, the attachments and the signatory, all from
the settings (``RAPIDRESPONSE_LETTER_*``). They are rendered in a sandboxed Jinja environment in the
request's language (when a template exists: ru, kk, uk; Russian where the country uses it and its own
language has none) followed by English. The draft is editable until it is submitted for legal approval; the text legal
approves, exactly, is what is logged as sent.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.orm import Session

from .. import approvals, policy
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, NotFound, ValidationFailed
from . import outgoing
from . import service as requests
from .events import ReplyDrafted, ReplyEdited, ReplySubmitted
from .models import RegulatorRequest, ReplyLetter, RequestItem
from .schemas import RequestOut
from .service import RequestKey

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
# The regulator whose letter template a country's replies use (EU members: their DSA coordinator's).
LETTER_KINDS = {"RU": "roskomnadzor", "KZ": "kz_ministry", "UZ": "uz_regulator", "UA": "ua_national_council"}
_env = SandboxedEnvironment(loader=FileSystemLoader(str(LETTERS)), autoescape=False, trim_blocks=True,
                            lstrip_blocks=True, keep_trailing_newline=False, undefined=StrictUndefined)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def letter_languages(language: str, profile: policy.CountryProfile | None = None) -> list[str]:
    """The request's language when a template exists for it (else Russian where a country outside the
    EU uses it, as Uzbekistan does), then English."""
    base = language.split("-")[0].lower()
    if base not in OUTCOME_TEXT and profile is not None and not profile.eu_member and "ru" in profile.languages.all:
        base = "ru"
    return [base, "en"] if base != "en" and base in OUTCOME_TEXT else ["en"]


def letter_kind(country: str, profile: policy.CountryProfile | None) -> str:
    """Which regulator's template a reply uses: by country, the DSA coordinator's for EU members."""
    if country in LETTER_KINDS:
        return LETTER_KINDS[country]
    return "dsa_coordinator" if profile is not None and profile.eu_member else "base"


def template_for(kind: str, lang: str) -> str:
    name = f"{kind}.{lang}.txt"
    return name if (LETTERS / name).exists() else f"base.{lang}.txt"


def _setting(values: dict[str, Any], lang: str) -> Any:
    """A by-language setting in ``lang``: Kazakh and Ukrainian fall back to Russian, then English."""
    for candidate in (lang, "ru" if lang in ("kk", "uk") else "en", "en"):
        if candidate in values:
            return values[candidate]
    return next(iter(values.values()), "")


def addressee(req: RegulatorRequest, reg: policy.Regulator | None, lang: str, native: str) -> list[str]:
    """The addressee block: the organisation first, then its unit or official from the request's
    sender, never the organisation twice (GOST R 7.0.97: organisation, unit, position, name)."""
    parts = [p.strip() for p in req.sender.split(",") if p.strip()]
    if reg is None:
        return parts or [req.regulator]
    short = (reg.abbreviation.en, reg.abbreviation.ru or "") if reg.abbreviation else ()
    names = {n.casefold() for n in (reg.name.en, reg.name.native, reg.name.ru or "", *short, *reg.aliases) if n}
    return [reg.name.in_language(lang, native), *(p for p in parts if p.casefold() not in names)]


def render_letter(req: RegulatorRequest, items: list[RequestItem], lang: str,
                  profile: policy.CountryProfile | None, *, number: str = "", dated: datetime | None = None) -> str:
    reg = profile.regulator(req.regulator) if profile else None
    native = profile.languages.official[0] if profile else "en"
    country = profile.name.in_language(lang, native) if profile else req.country
    texts = OUTCOME_TEXT[lang]
    zone = profile.time_zones[0] if profile else "UTC"
    settings = get_settings()
    dated = dated or now()
    kind = letter_kind(req.country, profile)
    context: dict[str, Any] = {
        "entity": _setting(settings.letter_legal_entity, lang), "address": _setting(settings.letter_address, lang),
        "representative": _setting(settings.letter_kz_representative, lang) if kind == "kz_ministry" else "",
        "signatory": _setting(settings.letter_signatory, lang),
        "signatory_title": _setting(settings.letter_signatory_title, lang),
        "attachments": list(_setting(settings.letter_attachments, lang)),
        "number": number, "date": f"{dated.astimezone(ZoneInfo(zone)):%d.%m.%Y}",
        "sender": req.sender, "reference": req.reference, "legal_basis": req.legal_basis,
        "addressee": addressee(req, reg, lang, native),
        "received": policy.local_time_text(req.received_at, zone, lang),
        "items": [{"target": i.target, "reason": i.reason if i.outcome else "",
                   "when": policy.local_time_text(i.decided_at, zone, lang) if i.outcome and i.decided_at else "",
                   "outcome_text": texts[i.outcome or "pending"].format(country=country)} for i in items],
        "pending": sum(1 for i in items if not i.outcome),
    }
    return _env.get_template(template_for(kind, lang)).render(context).strip() + "\n"


def compose(session: Session, req: RegulatorRequest, items: list[RequestItem], *, number: str = "",
            dated: datetime | None = None) -> tuple[list[str], str]:
    profile = policy.load_countries(session).get(req.country)
    langs = letter_languages(req.language, profile)
    return langs, SEPARATOR.join(render_letter(req, items, lang, profile, number=number, dated=dated).strip()
                                 for lang in langs) + "\n"


def draft(session: Session, actor: Actor, request_id: RequestKey) -> ReplyLetter:
    """(Re)draft the reply from the templates with the current outcomes; replaces an unsent draft."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = requests.load(session, actor, request_id)
    letter = requests.reply(session, req)
    _require_unsent(letter)
    if letter is not None and letter.status == "submitted":
        approvals.supersede(session, actor, subject_type=SUBJECT, subject_id=req.id, reason="the reply was redrafted")
    at = now()
    number = outgoing.issue(session, actor, req, at).number
    langs, body = compose(session, req, requests.items(session, req), number=number, dated=at)
    if letter is None:
        letter = ReplyLetter(request_id=req.id, languages=langs, body=body, status="draft", meta={})
        session.add(letter)
    letter.languages, letter.body, letter.status, letter.approval_id = langs, body, "draft", None
    letter.edited_by_id, letter.updated_at, letter.meta = actor.user_id, at, {**(letter.meta or {}), "number": number}
    session.flush()
    requests.record(session, actor, req, ReplyDrafted, languages=langs, sha256=sha256(body))
    return letter


def edit(session: Session, actor: Actor, request_id: RequestKey, body: str) -> ReplyLetter:
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


def submit(session: Session, actor: Actor, request_id: RequestKey) -> ReplyLetter:
    """Ask legal to approve the draft's exact text."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = requests.load(session, actor, request_id)
    letter = requests.reply(session, req)
    if letter is None:
        raise ValidationFailed("draft the reply before submitting it")
    _require_unsent(letter)
    if letter.status == "submitted":
        raise Conflict("the reply already waits for legal approval")
    title = f"{req.ref} ({req.country})"  # words of no language: the pages show the kind beside it
    # A letter that carries its English version (drafted from the templates) needs no translation for legal.
    approval = approvals.request(session, actor, kind="regulator_reply", subject_type=SUBJECT, subject_id=req.id,
                                 title=title, text=letter.body, required_role="legal", incident_id=req.incident_id,
                                 language=None if "en" in letter.languages else req.language)
    letter.status, letter.approval_id, letter.updated_at = "submitted", approval.id, now()
    requests.record(session, actor, req, ReplySubmitted, approval_id=approval.id, sha256=sha256(letter.body))
    return letter


def reply_text(session: Session, actor: Actor, request_id: RequestKey) -> tuple[int, str | None, str]:
    """A request's id, its incident's ref and its reply's text (NotFound before a reply is drafted)."""
    req = requests.load(session, actor, request_id)
    letter = requests.reply(session, req)
    if letter is None:
        raise NotFound(f"{req.ref} has no reply drafted yet")
    return req.id, req.incident_ref, letter.body


# --- what the interfaces call: the request as it now stands ------------------------------------------

def draft_reply(session: Session, actor: Actor, request_id: RequestKey) -> RequestOut:
    """(Re)draft the reply (the request's language and English); returns the request with it."""
    draft(session, actor, request_id)
    return requests.get(session, actor, request_id)


def edit_reply(session: Session, actor: Actor, request_id: RequestKey, body: str) -> RequestOut:
    """Save an edited reply (back to draft if it was submitted); returns the request with it."""
    edit(session, actor, request_id, body)
    return requests.get(session, actor, request_id)


def submit_reply(session: Session, actor: Actor, request_id: RequestKey) -> RequestOut:
    """Ask legal to approve the reply's exact text; returns the request with it."""
    submit(session, actor, request_id)
    return requests.get(session, actor, request_id)


def reply_approval(session: Session, actor: Actor, request_id: int) -> tuple[Any, bool]:
    """The reply's latest approval (or None), and whether this person may decide it."""
    approval = approvals.latest(session, SUBJECT, request_id)
    can_decide = bool(approval and approval.status == "pending" and approvals.may_decide(session, actor, approval))
    return approval, can_decide


def decide_reply(session: Session, actor: Actor, request_id: RequestKey, *, decision: str, text_sha256: str,
                 comment: str = "") -> None:
    """Legal approves or rejects the exact text they read (its SHA-256) of the reply awaiting approval."""
    req = requests.load(session, actor, request_id)
    approval = approvals.latest(session, SUBJECT, req.id)
    if approval is None:
        raise NotFound(f"request {req.ref} has no reply awaiting approval")
    approvals.decide(session, actor, approval.id, decision=decision, text_sha256=text_sha256, comment=comment)
