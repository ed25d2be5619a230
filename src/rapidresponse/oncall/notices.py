"""Page messages, queued on the notify outbox: to each person paged, on their contact methods by their
rules (in their language, with a link or buttons that acknowledge the page as them), and a message to
each of the team's webhook endpoints.

Idempotency keys are per page, step, round and recipient, so re-running a step never pages twice.
A restricted incident's title never leaves the platform, and its pages do not go to team channels
(its existence stays inside the platform, as with every other notification about it).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import notify
from ..auth import Person
from ..config import get_settings
from ..errors import Conflict, NotFound
from ..notify import RESTRICTED_TITLE, SEV
from . import tokens
from .models import Page, Team

KIND = "oncall.page"
TEXTS = {
    "en": ("[{sev}] Page for {team}: {summary}",
           "You are being paged for {team}.\n\n{summary}\n{incident}\nAcknowledge (stops the escalation): {ack_url}\n"
           "\nStep {step} of {steps}. Without an acknowledgement the page goes to the next step at {next_at}."),
    "ru": ("[{sev}] Вызов дежурного, {team}: {summary}",
           "Вас вызывают как дежурного команды «{team}».\n\n{summary}\n{incident}\n"
           "Подтвердить (останавливает эскалацию): {ack_url}\n"
           "\nШаг {step} из {steps}. Без подтверждения вызов перейдёт к следующему шагу в {next_at}."),
}
INCIDENT_LINE = {"en": "Incident {ref}: {url}\n", "ru": "Инцидент {ref}: {url}\n"}


def base_url() -> str:
    return get_settings().base_url.rstrip("/")


def ack_url(page_id: int, user_id: int) -> str:
    return f"{base_url()}/oncall/ack/{tokens.sign('page-ack', page_id, user_id)}"


def _facts(page: Page, team: Team, lang: str, *, steps: int) -> dict[str, str]:
    summary = RESTRICTED_TITLE[lang] if page.restricted else page.summary
    incident = ""
    if page.incident_ref:
        incident = INCIDENT_LINE[lang].format(ref=page.incident_ref, url=f"{base_url()}/incidents/{page.incident_ref}")
    next_at = f"{page.next_escalation_at:%Y-%m-%d %H:%M} UTC" if page.next_escalation_at else "—"
    return {"sev": SEV.get(page.severity or 0, "PAGE"), "team": team.name, "summary": summary, "incident": incident,
            "step": str(page.step + 1), "steps": str(steps), "next_at": next_at}


BUTTONS = {"en": ("Acknowledge", "Escalate"), "ru": ("Подтвердить", "Эскалировать")}
SAY = {"en": "rapidresponse page for {team}. {summary}. Acknowledge it in rapidresponse or Telegram.",
       "ru": "Вызов рапид респонс, команда {team}. {summary}. Подтвердите его в rapidresponse или в телеграме."}


def page_key(page: Page) -> str:
    """What every message of a page's current step starts with (and :func:`cancel_pending` drops)."""
    return f"page:{page.id}:s{page.step}:c{page.cycle}:"


def reach_person(session: Session, page: Page, team: Team, user: Person, *, steps: int) -> bool:
    """Queue the page to one person by their contact rules (an email links to acknowledging as them;
    a Telegram message has Acknowledge and Escalate buttons); False when nothing can reach them."""
    lang = user.locale if user.locale in TEXTS else "en"
    facts = _facts(page, team, lang, steps=steps)
    subject_t, body_t = TEXTS[lang]
    subject = " ".join(subject_t.format(**facts).split())[:300]
    body = body_t.format(**facts, ack_url=ack_url(page.id, user.id))
    ack, escalate = BUTTONS[lang]
    queued = notify.page_person(
        session, user, key=f"{page_key(page)}u{user.id}", subject=subject, body=body,
        incident_id=page.incident_id, restricted=page.restricted,
        buttons=[[(ack, f"ack:{page.id}"), (escalate, f"esc:{page.id}")]],
        say=SAY[lang].format(team=team.name, summary=facts["summary"]), short=f"{subject} {ack_url(page.id, user.id)}",
        payload={"page": page.id, "incident": page.incident_ref, "step": page.step})
    return queued > 0


def cancel_pending(session: Session, page: Page) -> int:
    """Drop the page's messages still held back (later contact rules) once it needs nobody any more."""
    return notify.cancel(session, f"page:{page.id}:")


def to_team_channels(session: Session, page: Page, team: Team, *, steps: int, usernames: list[str]) -> int:
    """Queue the page to the team's webhook endpoints (not for restricted incidents); returns how many."""
    if page.restricted:
        return 0
    facts = _facts(page, team, "en", steps=steps)
    subject = " ".join(TEXTS["en"][0].format(**facts).split())[:300]
    who = ", ".join(usernames) or "nobody (no one is on call at this step)"
    body = (f"{facts['summary']}\n{facts['incident']}Paged: {who} (step {facts['step']} of {steps}).\n"
            f"Acknowledge: {base_url()}/oncall/pages")
    queued = 0
    for endpoint_id in team.webhook_endpoint_ids:
        try:
            notify.enqueue(session, kind=KIND, channel="webhook", endpoint_id=endpoint_id, subject=subject, body=body,
                           idempotency_key=f"page:{page.id}:s{page.step}:c{page.cycle}:ep{endpoint_id}",
                           incident_id=page.incident_id,
                           payload={"page": page.id, "team": team.name, "incident": page.incident_ref,
                                    "severity": page.severity, "step": page.step, "paged": usernames})
        except (NotFound, Conflict):  # the endpoint was deleted or disabled: the others still get it
            continue
        queued += 1
    return queued
