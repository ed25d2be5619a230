"""Real receivers for the notification tests and the benchmark: an aiosmtpd SMTP server and a
threaded HTTP server on 127.0.0.1, both on free ports."""

from __future__ import annotations

import email
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    raw: bytes
    mail_from: str
    rcpt_tos: list[str]

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.raw, policy=default)
        assert isinstance(msg, EmailMessage)
        return msg


class SmtpInbox:
    """aiosmtpd handler: keeps every message; ``fail_code`` makes it refuse DATA (e.g. 554)."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.fail_code: int | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_code:
            return f"{self.fail_code} 5.7.1 Message rejected by policy"
        raw = envelope.original_content or envelope.content
        with self.lock:
            self.messages.append(Received(bytes(raw), envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = SmtpInbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Records every POST, then (after ``delay`` seconds) answers ``status``; ``unique`` de-duplicates by
    the Idempotency-Key header, as a real receiver would."""

    status: int = 200
    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def unique(self) -> dict[str, Request]:
        with self.lock:
            return {r.headers.get("idempotency-key", ""): r for r in self.requests}

    def __enter__(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.lock:
                    receiver.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                     body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                reply = b'{"ok":true}' if receiver.status < 300 else b'{"error":"receiver is down"}'
                self.send_response(receiver.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def validate_chat(body: Any) -> None:
    """What Slack's incoming webhooks require of a message (text and/or blocks within their limits)."""
    assert isinstance(body, dict)
    assert isinstance(body.get("text"), str) and 0 < len(body["text"]) <= 40_000
    blocks = body.get("blocks", [])
    assert isinstance(blocks, list) and len(blocks) <= 50
    for block in blocks:
        assert block["type"] in ("header", "section", "context", "divider")
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and 0 < len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert block["text"]["type"] in ("mrkdwn", "plain_text") and 0 < len(block["text"]["text"]) <= 3000
