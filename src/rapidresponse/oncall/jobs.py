"""The worker jobs of on-call: escalating pages whose step timed out (see :func:`.paging.escalate_due`),
warning people who are on call soon but cannot be reached (:func:`.reach.warn`), and receiving the
Telegram bot's updates by long polling (button presses and chat-ops commands, :mod:`.chatops`).

Long polling holds no transaction while it waits: a thread started by the ``oncall.telegram`` job
asks the Bot API for updates after the position kept in the database, then handles each in its own
unit of work that also moves the position, so a worker killed at any moment neither loses an update
nor handles one twice; the short answer to a button press goes out after that commit.
"""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session

from .. import notify, worker
from ..config import get_settings
from ..db import unit_of_work
from . import chatops, paging, reach

log = structlog.get_logger("rapidresponse.oncall")
LONG_POLL_SECONDS = 25


@worker.job("oncall.escalate", every=10.0)
def escalate(session: Session) -> int:
    return paging.escalate_due(session)


@worker.job("oncall.reachability", every=600.0)
def warn_unreachable(session: Session) -> int:
    return reach.warn(session)


def handle_update(update_id: int, msg: notify.Inbound | None) -> chatops.Handled:
    """Handle one update and move the position past it, in one unit of work; then answer the press."""
    with unit_of_work() as s:
        done = chatops.handle(s, msg) if msg is not None else chatops.Handled()
        notify.telegram.advance(s, update_id)
    if done.callback_id:
        notify.telegram.answer(done.callback_id, done.answer)
    return done


def poll_once(wait_seconds: int = 0) -> int:
    """Fetch the updates after the kept position (waiting up to ``wait_seconds`` for one) and handle
    them; returns how many."""
    with unit_of_work(read_only=True) as s:
        after = notify.telegram.position(s)
    updates = notify.telegram.fetch(after, wait_seconds=wait_seconds)
    for update_id, msg in updates:
        handle_update(update_id, msg)
    return len(updates)


def _poll_forever() -> None:
    while notify.telegram.configured() and get_settings().telegram_poll:
        try:
            poll_once(LONG_POLL_SECONDS)
        except Exception:  # the Bot API or the database went away; the next tick starts again
            log.exception("telegram polling failed")
            return


poller = worker.Runner("rr-telegram-poll", _poll_forever)


@worker.job("oncall.telegram", every=5.0)
def poll_telegram(session: Session) -> str:
    """Keep the long-polling thread running while Telegram is configured (and this worker polls)."""
    settings = get_settings()
    if not settings.telegram_bot_token or not settings.telegram_poll or settings.telegram_webhook_secret:
        return "off"
    return poller.wake()
