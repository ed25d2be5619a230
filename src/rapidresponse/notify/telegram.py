"""Telegram through its Bot API (python-telegram-bot), at the address ``RAPIDRESPONSE_TELEGRAM_API_URL``:
the outbox channel (a message, with inline buttons when the payload has ``buttons``; an edit of an
earlier message when it has ``edit_message_id``) and what the worker reads back (``fetch``: button
presses and commands as :class:`Inbound`, after the position kept in ``notify_cursors``).

Like every channel it does network I/O only. Each call runs its own short event loop, so the outbox's
sender threads can call it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import now
from ..config import get_settings
from .channels import DeliveryError, Envelope
from .models import Cursor

if TYPE_CHECKING:
    from telegram import Bot, Update

T = TypeVar("T")
CURSOR = "telegram"
MAX_TEXT = 4096  # the Bot API's limit for one message


@dataclass(frozen=True)
class Inbound:
    """One update the bot received: a command or text (``text``) or a button press (``data``)."""

    update_id: int
    chat_id: int
    chat_type: str  # private | group | supergroup | channel
    user_id: int
    user_name: str
    text: str = ""
    data: str = ""
    callback_id: str = ""
    message_id: int | None = None


def configured() -> bool:
    return bool(get_settings().telegram_bot_token)


def _bot() -> Bot:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    settings = get_settings()
    if not settings.telegram_bot_token:
        raise DeliveryError("Telegram is not configured (RAPIDRESPONSE_TELEGRAM_BOT_TOKEN)", permanent=True)
    api = settings.telegram_api_url.rstrip("/")
    request = HTTPXRequest(connect_timeout=10, read_timeout=15)
    return Bot(settings.telegram_bot_token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot",
               request=request, get_updates_request=HTTPXRequest(read_timeout=35))


def call(action: Callable[[Bot], Awaitable[T]]) -> T:
    """Run one Bot API call (or a few) on a bot of its own; Telegram's errors become DeliveryError."""
    from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError

    async def run() -> T:
        async with _bot() as bot:
            return await action(bot)

    try:
        return asyncio.run(run())
    except (Forbidden, InvalidToken) as exc:  # blocked by the user, chat gone, bad token: retrying won't help
        raise DeliveryError(f"Telegram: {exc.message}", permanent=True) from None
    except BadRequest as exc:
        raise DeliveryError(f"Telegram: {exc.message}", permanent="not found" in exc.message.lower()) from None
    except (NetworkError, TelegramError) as exc:
        raise DeliveryError(f"Telegram: {type(exc).__name__}: {exc}") from None


def _markup(buttons: Any) -> Any:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(str(text), callback_data=str(data)) for text, data in row]
                                 for row in buttons])


def text_of(msg: Envelope) -> str:
    """The subject over the body, or the body alone when the payload says ``plain`` (a chat reply)."""
    text = msg.body if msg.payload.get("plain") else f"{msg.subject}\n\n{msg.body}"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 2] + " …"


class TelegramChannel:
    """Messages to a Telegram chat (the recipient is its numeric id)."""

    name = "telegram"

    def send(self, msg: Envelope) -> None:
        if not msg.recipient:
            raise DeliveryError("a Telegram message without a chat", permanent=True)
        chat, text, markup = msg.recipient, text_of(msg), _markup(msg.payload.get("buttons"))
        edit = msg.payload.get("edit_message_id")

        async def send(bot: Bot) -> object:
            if edit:
                return await bot.edit_message_text(text, chat_id=chat, message_id=int(edit), reply_markup=markup)
            return await bot.send_message(chat, text, reply_markup=markup)

        call(send)


def answer(callback_id: str, text: str) -> None:
    """Answer a button press at once (Telegram shows ``text`` briefly; the press expires in seconds, so
    this does not wait for the outbox)."""
    async def run(bot: Bot) -> bool:
        return await bot.answer_callback_query(callback_id, text=text[:200])

    with contextlib.suppress(DeliveryError):  # the press is handled anyway; only the little notice is lost
        call(run)


def inbound(update: Update) -> Inbound | None:
    """What an update says, or None for the kinds the bot ignores."""
    query = update.callback_query
    if query is not None and query.message is not None:
        return Inbound(update_id=update.update_id, chat_id=query.message.chat.id,
                       chat_type=query.message.chat.type, user_id=query.from_user.id,
                       user_name=query.from_user.full_name, data=query.data or "", callback_id=query.id,
                       message_id=query.message.message_id)
    message = update.message
    if message is not None and message.text and message.from_user is not None:
        return Inbound(update_id=update.update_id, chat_id=message.chat.id, chat_type=message.chat.type,
                       user_id=message.from_user.id, user_name=message.from_user.full_name, text=message.text,
                       message_id=message.message_id)
    return None


def parse(body: dict[str, Any]) -> Inbound | None:
    """An update pushed to the webhook route, as the Bot API sends it."""
    from telegram import Update

    update = Update.de_json(body, None)
    return inbound(update) if update is not None else None


def position(session: Session) -> int:
    row = session.get(Cursor, CURSOR)
    return row.position if row else 0


def advance(session: Session, update_id: int) -> None:
    """Remember that updates up to ``update_id`` were handled (in the caller's transaction)."""
    row = session.execute(select(Cursor).where(Cursor.name == CURSOR).with_for_update()).scalar_one_or_none()
    if row is None:
        session.add(Cursor(name=CURSOR, position=update_id, updated_at=now()))
    elif update_id > row.position:
        row.position, row.updated_at = update_id, now()


def fetch(after: int, *, wait_seconds: int = 0, limit: int = 100) -> list[tuple[int, Inbound | None]]:
    """The updates after ``after`` (update id and what it says), waiting up to ``wait_seconds`` for one."""
    async def run(bot: Bot) -> tuple[Update, ...]:
        return await bot.get_updates(offset=after + 1, timeout=wait_seconds, limit=limit,
                                     allowed_updates=["message", "callback_query"])

    return [(u.update_id, inbound(u)) for u in call(run)]
