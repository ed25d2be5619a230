"""Chat-ops in Telegram: what the bot does with a button press or a command it received.

The person behind an update is the user whose confirmed Telegram contact method is that Telegram
account; they act with their own permissions (a viewer cannot declare, nobody sees an incident they
may not see). Someone not linked is told how to link and nothing else happens.

Buttons on a page: ``ack:<page>`` acknowledges it, ``esc:<page>`` sends it to the next step; the page
message is then edited to say who did it. Commands: ``/ack [page]``, ``/oncall [place]``,
``/declare <title>``, ``/status [ref]``, ``/note [ref] <text>``, ``/warroom <ref>`` (this chat follows
the incident: notes and status changes are posted here, and ``/status`` and ``/note`` without a
reference act on it). Replies go through the outbox like every other message; only the short answer
to a button press goes out at once (Telegram drops it after a few seconds), by the caller after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, incidents, notify
from ..auth import Actor, Perm, Person
from ..clock import now
from ..config import get_settings
from ..errors import DomainError
from ..incidents import IncidentCreate, IncidentType, NoteCreate
from . import paging
from .models import Page, PageTarget, WarRoom
from .reach import local_time, on_call_at

TEXTS = {
    "en": {
        "start": "Your Telegram id is {id}. Add it as a Telegram contact method at {url}/account/contacts, then "
                 "type there the code this bot sends you.",
        "unlinked": "This Telegram account is not linked to anyone in rapidresponse. Send /start to the bot "
                    "in a private chat to link it.",
        "help": "/ack [page] — acknowledge a page\n/oncall [place] — who is on call now (e.g. /oncall Almaty)\n"
                "/declare <title> — declare an incident\n/status [ref] — an incident's status\n"
                "/note [ref] <text> — add a note\n/warroom <ref> — this chat follows the incident",
        "acked": "✅ Acknowledged by {name}", "escalated": "⏭ Sent on by {name} to the next step",
        "no_page": "No page waits for your acknowledgement.",
        "declared": "Declared {ref} (SEV{sev}): {title}\n{url}/incidents/{ref}",
        "status": "{ref} · {status} · SEV{sev}\n{title}\n{url}/incidents/{ref}",
        "noted": "Note added to {ref}.", "which": "Which incident? Give its reference, e.g. /status INC-2026-0001.",
        "warroom": "This chat now follows {ref}: notes and status changes are posted here.",
        "warroom_restricted": "A restricted incident is not discussed in group chats: its existence stays "
                              "inside rapidresponse.",
        "nobody": "Nobody is on call{where}.", "unknown": "Unknown command. /help lists them.",
        "refused": "Refused: {reason}",
    },
    "ru": {
        "start": "Ваш Telegram id: {id}. Добавьте его как способ связи «Telegram» на странице "
                 "{url}/account/contacts и введите там код, который пришлёт этот бот.",
        "unlinked": "Этот аккаунт Telegram не связан ни с кем в rapidresponse. Отправьте боту /start в личном "
                    "чате, чтобы связать его.",
        "help": "/ack [вызов] — подтвердить вызов\n/oncall [место] — кто дежурит сейчас (например, /oncall Almaty)\n"
                "/declare <название> — объявить инцидент\n/status [номер] — состояние инцидента\n"
                "/note [номер] <текст> — добавить заметку\n/warroom <номер> — этот чат следит за инцидентом",
        "acked": "✅ Подтвердил(а) {name}", "escalated": "⏭ {name} передал(а) вызов на следующий шаг",
        "no_page": "Нет вызовов, ждущих вашего подтверждения.",
        "declared": "Объявлен {ref} (SEV{sev}): {title}\n{url}/incidents/{ref}",
        "status": "{ref} · {status} · SEV{sev}\n{title}\n{url}/incidents/{ref}",
        "noted": "Заметка добавлена в {ref}.",
        "which": "Какой инцидент? Укажите номер, например /status INC-2026-0001.",
        "warroom": "Этот чат теперь следит за {ref}: сюда приходят заметки и смены статуса.",
        "warroom_restricted": "Инцидент с ограниченным доступом не обсуждают в групповых чатах: его "
                              "существование не выходит за пределы rapidresponse.",
        "nobody": "Никто не дежурит{where}.", "unknown": "Неизвестная команда. /help покажет все.",
        "refused": "Отказано: {reason}",
    },
}


@dataclass
class Handled:
    """What the caller does after commit: answer the button press with this text (when it was one)."""

    callback_id: str = ""
    answer: str = ""


def _base() -> str:
    return get_settings().base_url.rstrip("/")


def _say(session: Session, chat_id: int, update_id: int, text: str, *, edit: int | None = None,
         n: int = 0) -> None:
    payload: dict[str, object] = {"plain": True, **({"edit_message_id": edit} if edit else {})}
    notify.enqueue(session, kind="telegram.reply", channel="telegram", recipient=str(chat_id),
                   subject=" ".join(text.split())[:80] or "-", body=text, idempotency_key=f"tg:{update_id}:{n}",
                   payload=payload)


def _person(session: Session, telegram_id: int) -> Person | None:
    uid = notify.telegram_user(session, telegram_id)
    person = auth.person(session, uid) if uid is not None else None
    return person if person is not None and person.is_active else None


def handle(session: Session, msg: notify.Inbound) -> Handled:
    """Act on one update in the caller's transaction (a refused action changes nothing but the reply)."""
    person = _person(session, msg.user_id)
    lang = person.locale if person and person.locale in TEXTS else "en"
    t = TEXTS[lang]
    command, _, rest = msg.text.strip().partition(" ")
    command = command.split("@", 1)[0].lower()
    if not msg.data and not command.startswith("/"):
        return Handled()  # conversation in a group, not meant for the bot
    if command in ("/start", "/help") or (person is None and not msg.data):
        text = t["start"].format(id=msg.user_id, url=_base()) if command == "/start" or person is None else t["help"]
        _say(session, msg.chat_id, msg.update_id, text)
        return Handled()
    if person is None:
        return Handled(msg.callback_id, t["unlinked"])
    actor = auth.to_actor(person)
    try:
        with session.begin_nested():
            if msg.data:
                return _button(session, msg, actor, t)
            _command(session, msg, actor, t, command, rest.strip())
    except DomainError as exc:
        reason = exc.detail or exc.title
        if msg.data:
            return Handled(msg.callback_id, t["refused"].format(reason=reason))
        _say(session, msg.chat_id, msg.update_id, t["refused"].format(reason=reason), n=9)
    return Handled()


def _button(session: Session, msg: notify.Inbound, actor: Actor, t: dict[str, str]) -> Handled:
    action, _, raw = msg.data.partition(":")
    if action not in ("ack", "esc") or not raw.isdigit():
        return Handled(msg.callback_id, t["unknown"])
    if action == "ack":
        paging.acknowledge(session, actor, int(raw), via="telegram")
        text = t["acked"].format(name=actor.display_name)
    else:
        paging.escalate_now(session, actor, int(raw))
        text = t["escalated"].format(name=actor.display_name)
    if msg.message_id:
        _say(session, msg.chat_id, msg.update_id, text, edit=msg.message_id)
    return Handled(msg.callback_id, text)


def _command(session: Session, msg: notify.Inbound, actor: Actor, t: dict[str, str], command: str,
             rest: str) -> None:
    say = lambda text: _say(session, msg.chat_id, msg.update_id, text)  # noqa: E731
    if command == "/ack":
        page_id = int(rest) if rest.isdigit() else _waiting_page(session, actor)
        if page_id is None:
            say(t["no_page"])
            return
        paging.acknowledge(session, actor, page_id, via="telegram")
        say(t["acked"].format(name=actor.display_name))
    elif command == "/oncall":
        say(_on_call_text(session, actor, rest, t))
    elif command == "/declare":
        try:
            data = IncidentCreate(title=rest, type=IncidentType.OTHER)
        except ValidationError as exc:
            say(t["refused"].format(reason=exc.errors()[0]["msg"]))
            return
        inc = incidents.declare(session, actor, data)
        say(t["declared"].format(ref=inc.ref, sev=inc.severity, title=inc.title, url=_base()))
    elif command in ("/status", "/note", "/warroom"):
        _on_incident(session, msg, actor, t, command, rest)
    else:
        say(t["unknown"])


def _ref_and_rest(session: Session, chat_id: int, rest: str) -> tuple[str | None, str]:
    first, _, after = rest.partition(" ")
    if first.upper().startswith("INC-"):
        return first.upper(), after.strip()
    room = session.execute(select(WarRoom.incident_ref).where(WarRoom.chat_id == str(chat_id))
                           .order_by(WarRoom.id.desc())).scalars().first()
    return room, rest


def _on_incident(session: Session, msg: notify.Inbound, actor: Actor, t: dict[str, str], command: str,
                 rest: str) -> None:
    say = lambda text: _say(session, msg.chat_id, msg.update_id, text)  # noqa: E731
    ref, text = _ref_and_rest(session, msg.chat_id, rest)
    if ref is None:
        say(t["which"])
        return
    inc = incidents.get(session, actor, ref)
    if inc.restricted and msg.chat_type != "private":  # others in the chat may not know of it
        say(t["warroom_restricted"])
        return
    if command == "/status":
        say(t["status"].format(ref=inc.ref, status=inc.status, sev=inc.severity, title=inc.title, url=_base()))
    elif command == "/note":
        try:
            note = NoteCreate(body=text)
        except ValidationError as exc:
            say(t["refused"].format(reason=exc.errors()[0]["msg"]))
            return
        incidents.add_note(session, actor, inc.ref, note)
        say(t["noted"].format(ref=inc.ref))
    else:
        if inc.restricted:
            say(t["warroom_restricted"])
            return
        actor.require(Perm.INCIDENTS_UPDATE)
        exists = session.execute(select(WarRoom.id).where(WarRoom.incident_id == inc.id,
                                                          WarRoom.chat_id == str(msg.chat_id))).first()
        if not exists:
            session.add(WarRoom(incident_id=inc.id, incident_ref=inc.ref, chat_id=str(msg.chat_id),
                                created_by_id=actor.user_id, created_at=now()))
        say(t["warroom"].format(ref=inc.ref))


def _waiting_page(session: Session, actor: Actor) -> int | None:
    """The newest triggered page that reached this person."""
    return session.execute(
        select(Page.id).join(PageTarget, PageTarget.page_id == Page.id)
        .where(PageTarget.user_id == actor.user_id, Page.status == "triggered")
        .order_by(Page.triggered_at.desc(), Page.id.desc())).scalars().first()


def _on_call_text(session: Session, actor: Actor, place: str, t: dict[str, str]) -> str:
    rows = on_call_at(session, actor, place=place)
    lines = []
    for row in rows:
        if row.now is None:
            continue
        local = f" ({local_time(row.now.timezone)} {row.now.timezone})" if row.now.timezone else ""
        lines.append(f"{row.team} · {row.schedule}: {row.now.display_name}{local}")
    return "\n".join(lines) or t["nobody"].format(where=f" ({place})" if place else "")
