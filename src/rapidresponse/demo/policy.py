"""Compliance in the demo: regulator requests running against the «собачий кайф» incident (the
Kazakhstan authorised body's 24-hour request, its reply awaiting legal approval, and a Roskomnadzor
register notice) and a set of decisions on Polish users' content, each a valid statement of reasons
for the Transparency Database (one on content of an "other" type, described)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import decisions, requests
from .script import Context, Script


def _register(s: Script, active: Script, who: str, at: datetime, received: datetime, data: dict[str, Any],
              outcomes: list[tuple[str, str]], draft: bool) -> None:
    def run(ctx: Context) -> None:
        actor = ctx.actors[who]
        req = requests.register(ctx.session, actor, requests.RequestCreate.model_validate(
            {**data, "received_at": received, "incident": active.ref}))
        for item, (outcome, reason) in zip(req.items, outcomes, strict=False):
            requests.set_outcome(ctx.session, actor, req.id, item.id,
                                 requests.OutcomeIn(outcome=requests.Outcome(outcome), reason=reason))
        if draft:  # drafted and waiting for legal (olena.kovalenko or piotr.wisniewski approve it)
            requests.draft_reply(ctx.session, actor, req.id)
            requests.submit_reply(ctx.session, actor, req.id)

    s.call(at, run)


KZ_REQUEST = {
    "country": "KZ", "regulator": "mci", "language": "kk", "reference": "04-2-13/1187",
    "sender": "Қазақстан Республикасы Мәдениет және ақпарат министрлігінің Ақпарат комитеті",
    "legal_basis": "«Онлайн-платформалар және онлайн-жарнама туралы» Заң, 9-бап 4-тармақ 2-тармақша",
    "summary": "Кәмелетке толмағандар арасында таралып жатқан қауіпті челлендж видеоларын қарау туралы сұрау.",
    "items": ["https://video.example/kz/@aru_2011/clip/7731", "https://video.example/kz/@shym_boys/clip/1204",
              "https://video.example/kz/tag/собачийкайф"],
    "owner": "rustam.ospanov",
}
RU_REQUEST = {
    "country": "RU", "regulator": "rkn", "language": "ru", "reference": "ЕР-15.1/2026-88412",
    "sender": "Роскомнадзор, Управление контроля и надзора в сфере электронных коммуникаций",
    "legal_basis": "149-ФЗ, ст. 15.1 (единый реестр): уведомление о включении в реестр",
    "summary": "Уведомление о материалах, побуждающих несовершеннолетних к опасным действиям.",
    "items": ["https://video.example/ru/@nsk_teen/clip/5510", "https://video.example/ru/@omsk.vibes/clip/902"],
    "owner": "dmitry.volkov",
}


def _decisions(s: Script, at: datetime) -> None:
    base: dict[str, Any] = {"content_type": "video", "content_language": "pl", "harm": "dangerous_challenge",
            "source_type": "notice", "source_identity": "user report", "territorial_scope": ["PL"],
            "explanation": "The video invites minors to imitate the choking challenge.",
            "content_date": (at - timedelta(days=1)).date()}
    rows: list[dict[str, Any]] = [
        {"puid": "pl-vid-88120", "action": "remove", "facts": "Nagranie wyzwania z udziałem nieletnich; "
         "ponowny upload po pierwszym usunięciu."},
        {"puid": "pl-vid-88134", "action": "age_restrict", "territorial_scope": [],
         "facts": "News report on the challenge: kept up, shown to adults only.", "source_type": "voluntary",
         "source_identity": ""},
        {"puid": "pl-acct-5521", "action": "account_suspend", "end_date": (at + timedelta(days=30)).date(),
         "facts": "Account re-uploading the challenge after two strikes.", "automated_detection": True,
         "automated_decision": "partially"},
        {"puid": "pl-live-88177", "action": "remove", "content_type": "other",
         "content_type_other": "Livestream replay with the challenge in the chat overlay",
         "facts": "Replay of a livestream where viewers dared each other to try the challenge."},
    ]

    def run(ctx: Context) -> None:
        actor = ctx.actors["katarzyna.nowak"]
        for n, row in enumerate(rows):
            d = decisions.record_decision(ctx.session, actor, decisions.DecisionCreate.model_validate({**base, **row}))
            if n == 0:
                decisions.file_appeal(ctx.session, actor, d.id, decisions.AppealCreate(
                    appellant="uploader (PL)", reason="To był żart, nikt nie ucierpiał."))

    s.call(at, run)


def compliance(number: int, base: datetime, active: Script) -> Script:
    """Requests on the active incident (declared six hours ago) and the Polish decision set.

    The Roskomnadzor notice reached the RKN personal account overnight (20 h ago) and was found and
    linked when the incident was declared; the Kazakh authorised body's request came 3 h ago."""
    s = Script(number)
    _register(s, active, "dmitry.volkov", base - timedelta(hours=5, minutes=30), base - timedelta(hours=20),
              RU_REQUEST, [("restricted_in_country", "")], draft=False)
    _register(s, active, "rustam.ospanov", base - timedelta(hours=2, minutes=45), base - timedelta(hours=3),
              KZ_REQUEST, [("removed_globally", ""), ("restricted_in_country", "")], draft=True)
    _decisions(s, base - timedelta(hours=3))
    return s
