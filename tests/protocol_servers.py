"""Local servers that speak third-party protocols, for the paging tests and the browser test:

- :class:`BotApiServer`, the Telegram Bot API (``/bot<token>/<method>``: getMe, sendMessage,
  editMessageText, answerCallbackQuery, getUpdates with long polling), plus what a Telegram user does
  (``say`` a command, ``press`` an inline button), which become updates for ``getUpdates``;
- :class:`TwilioServer`, Twilio's REST API for SMS and calls (``Messages.json``, ``Calls.json``), with
  basic auth, its error shape for bad numbers and its idempotency token.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "rapidresponse", "username": "rr_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


def _form(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    raw = handler.rfile.read(int(handler.headers.get("content-length") or 0)).decode()
    if "json" in (handler.headers.get("content-type") or ""):
        return dict(json.loads(raw or "{}"))
    out: dict[str, Any] = {}
    for key, values in parse_qs(raw, keep_blank_values=True).items():
        try:
            out[key] = json.loads(values[0])
        except ValueError:
            out[key] = values[0]
    return out


class _Server:
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _start(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def _reply(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    handler.send_response(status)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@dataclass
class BotApiServer(_Server):
    """The Bot API as a bot sees it; ``blocked`` chats answer 403 like a user who blocked the bot."""

    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # message_id -> the message as sent
    answers: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    updates: list[dict[str, Any]] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    update_ids: Any = field(default_factory=lambda: itertools.count(1001))

    @property
    def api_url(self) -> str:
        return self.url

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        with self.cond:
            return [m for m in self.messages.values() if m["chat"]["id"] == chat_id]

    # --- what a Telegram user does ------------------------------------------------------------------

    def _push(self, update: dict[str, Any]) -> int:
        with self.cond:
            update["update_id"] = next(self.update_ids)
            self.updates.append(update)
            self.cond.notify_all()
            return int(update["update_id"])

    def say(self, chat_id: int, user_id: int, text: str, *, chat_type: str = "private",
            name: str = "Айгерім") -> int:
        chat = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "War room"
        else:
            chat["first_name"] = name
        return self._push({"message": {"message_id": next(self.ids), "date": int(time.time()), "chat": chat,
                                       "from": {"id": user_id, "is_bot": False, "first_name": name},
                                       "text": text}})

    def press(self, message_id: int, user_id: int, data: str, *, name: str = "Айгерім") -> int:
        with self.cond:
            message = self.messages[message_id]
        return self._push({"callback_query": {"id": f"cb{next(self.ids)}", "chat_instance": "1", "data": data,
                                              "from": {"id": user_id, "is_bot": False, "first_name": name},
                                              "message": message}})

    # --- the API ------------------------------------------------------------------------------------

    def _message(self, chat_id: int, text: str, markup: Any, message_id: int | None = None) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": message_id or next(self.ids), "date": int(time.time()),
                               "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                               "from": BOT, "text": text}
        if markup:
            msg["reply_markup"] = markup
        self.messages[msg["message_id"]] = msg
        return msg

    def call(self, method: str, p: dict[str, Any]) -> tuple[int, Any]:
        with self.cond:
            self.calls.append(method)
            if method == "getMe":
                return 200, BOT
            if method in ("sendMessage", "editMessageText"):
                chat = int(p["chat_id"])
                if chat in self.blocked:
                    return 403, "Forbidden: bot was blocked by the user"
                if method == "editMessageText":
                    if int(p["message_id"]) not in self.messages:
                        return 400, "Bad Request: message to edit not found"
                    return 200, self._message(chat, p["text"], p.get("reply_markup"), int(p["message_id"]))
                return 200, self._message(chat, p["text"], p.get("reply_markup"))
            if method == "answerCallbackQuery":
                self.answers.append(p)
                return 200, True
            if method == "getUpdates":
                offset, wait = int(p.get("offset") or 0), float(p.get("timeout") or 0)
                self.cond.wait_for(lambda: any(u["update_id"] >= offset for u in self.updates), timeout=wait)
                self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones go
                return 200, self.updates[: int(p.get("limit") or 100)]
            return 404, "Not Found: method not found"

    def __enter__(self) -> BotApiServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                prefix, _, method = self.path.lstrip("/").partition("/")
                if prefix != f"bot{TOKEN}":
                    _reply(self, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                status, result = server.call(method, _form(self))
                if status == 200:
                    _reply(self, 200, {"ok": True, "result": result})
                else:
                    _reply(self, status, {"ok": False, "error_code": status, "description": result})

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self._start(Handler)
        return self


@dataclass
class TwilioServer(_Server):
    """Twilio's Messages and Calls resources for one account; numbers in ``invalid`` are refused with
    error 21211, as Twilio does; a repeated idempotency token returns the first resource."""

    sid: str = "AC0123456789abcdef0123456789abcdef"
    token: str = "secret-token"
    messages: list[dict[str, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    status: int = 201
    seen: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> TwilioServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                expected = "Basic " + base64.b64encode(f"{server.sid}:{server.token}".encode()).decode()
                if self.headers.get("authorization") != expected:
                    _reply(self, 401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return
                form = {k: str(v) for k, v in _form(self).items()}
                base = f"/2010-04-01/Accounts/{server.sid}/"
                what = self.path.removeprefix(base)
                if not self.path.startswith(base) or what not in ("Messages.json", "Calls.json"):
                    _reply(self, 404, {"code": 20404, "message": "not found", "status": 404})
                    return
                if server.status >= 500:
                    _reply(self, server.status, {"code": 20500, "message": "Internal Server Error"})
                    return
                if form.get("To") in server.invalid:
                    _reply(self, 400, {"code": 21211, "message": f"The 'To' number {form['To']} is not a valid "
                                       "phone number.", "status": 400})
                    return
                key = self.headers.get("i-twilio-idempotency-token", "")
                with server.lock:
                    if key and key in server.seen:
                        _reply(self, 201, {"sid": server.seen[key], "status": "queued"})
                        return
                    kind = server.messages if what == "Messages.json" else server.calls
                    kind.append(form)
                    sid = ("SM" if what == "Messages.json" else "CA") + f"{len(kind):032x}"
                    if key:
                        server.seen[key] = sid
                _reply(self, 201, {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From")})

            def log_message(self, *args: Any) -> None:
                pass

        self._start(Handler)
        return self
