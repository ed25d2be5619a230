"""Notifications: messages/s delivered through the durable outbox, against sending the same messages
directly (no outbox), to local SMTP (aiosmtpd) and webhook (threaded http.server) receivers.

1. Starts an aiosmtpd server and an HTTP receiver on free 127.0.0.1 ports, and a temporary SQLite
   database (or ``--database-url``), migrated.
2. **Direct, sequential**: ``channel.send`` for each message in a loop, what a service that called
   SMTP or the webhook inline would do.
3. **Direct, concurrent**: the same with ``--concurrency`` threads (the outbox's own sending pool size).
4. **Outbox**: ``--messages`` messages enqueued through ``notify.service.enqueue`` (timed: the cost a
   request pays), then delivered by ``delivery.drain`` (claim → commit → send concurrently → record),
   the worker's loop. Every message is checked as delivered and received.

    .venv/bin/python benchmarks/notify_throughput.py [--messages 600] [--concurrency 8]

Half the messages are email, half signed webhooks; subjects and bodies are Russian and Kazakh.
Prints a table, then one JSON line. Bounded: a few seconds to a minute; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        with Hook.lock:
            Hook.count += 1
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=600)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    n = max(2, min(args.messages, 20_000))

    tmp = tempfile.TemporaryDirectory(prefix="rr-notify-bench-")
    smtp_port = free_port()
    os.environ.update({
        "RAPIDRESPONSE_VAR_DIR": tmp.name, "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
        "RAPIDRESPONSE_SMTP_HOST": "127.0.0.1", "RAPIDRESPONSE_SMTP_PORT": str(smtp_port),
        "RAPIDRESPONSE_NOTIFY_CONCURRENCY": str(args.concurrency),
        "RAPIDRESPONSE_NOTIFY_BATCH_SIZE": str(args.batch_size),
        "RAPIDRESPONSE_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}",
    })
    from rapidresponse import db, migrate
    from rapidresponse.auth import SYSTEM
    from rapidresponse.notify import delivery, endpoints, service
    from rapidresponse.notify.channels import Endpoint, Envelope

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    http = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    http.daemon_threads = True
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}/hook"
    tag = secrets.token_hex(3)  # a second run on the same database queues its own messages
    try:
        db.configure()
        migrate.upgrade()
        with db.unit_of_work() as s:
            ep = endpoints.create_endpoint(s, SYSTEM, name=f"bench {tag}", url=url)
            ep_id, secret = ep.id, ep.secret
        chans = delivery.channels()

        def message(i: int, run: str) -> dict[str, Any]:
            email = i % 2 == 0
            return dict(kind="test", channel="email" if email else "webhook",
                        recipient=f"user{i}@rapidresponse.example" if email else None,
                        endpoint_id=None if email else ep_id, idempotency_key=f"bench:{tag}:{run}:{i}",
                        subject=f"[SEV2] INC-2026-{i:04d} объявлен: қауіпті челлендж",
                        body="Инцидент объявлен. Жағдай бақылауда: ә ғ қ ң ө ұ ү һ і.\n\n" * 5)

        def envelope(i: int, run: str) -> Envelope:
            m = message(i, run)
            return Envelope(id=i, idempotency_key=m["idempotency_key"], kind="test",
                            channel=m["channel"], subject=m["subject"], body=m["body"], recipient=m["recipient"],
                            endpoint=None if m["recipient"] else Endpoint(ep_id, "bench", url, "json", secret))

        def received() -> int:
            return inbox.count + Hook.count

        # warm-up (connections, imports, caches)
        for i in range(4):
            e = envelope(i, "warm")
            chans[e.channel].send(e)

        before = received()
        t0 = time.perf_counter()
        for i in range(n):
            e = envelope(i, "seq")
            chans[e.channel].send(e)
        direct_seq = time.perf_counter() - t0
        assert received() - before == n

        before = received()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(lambda i: chans[envelope(i, "par").channel].send(envelope(i, "par")), range(n)))
        direct_par = time.perf_counter() - t0
        assert received() - before == n

        before = received()
        t0 = time.perf_counter()
        with db.unit_of_work() as s:
            for i in range(n):
                service.enqueue(s, **message(i, "outbox"))
        enqueue = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = delivery.drain(max_batches=100_000)
        drain = time.perf_counter() - t1
        assert result.delivered == n and received() - before == n, result
        delivery.reset()
    finally:
        controller.stop()
        http.shutdown()
        tmp.cleanup()

    rate = {"direct_sequential": n / direct_seq, "direct_concurrent": n / direct_par,
            "outbox_delivery": n / drain, "outbox_end_to_end": n / (enqueue + drain), "enqueue": n / enqueue}
    print(f"notify throughput: {n} messages (half email, half signed webhooks), concurrency {args.concurrency}, "
          f"batch {args.batch_size}, {db.get_engine().dialect.name}")
    print(f"{'path':<22}{'msg/s':>10}{'vs direct seq':>16}{'vs direct conc':>16}")
    for name, r in rate.items():
        print(f"{name:<22}{r:>10.0f}{r / rate['direct_sequential']:>15.2f}x{r / rate['direct_concurrent']:>15.2f}x")
    seq, par = rate["direct_sequential"], rate["direct_concurrent"]
    print(json.dumps({"messages": n, "rates": {k: round(v, 1) for k, v in rate.items()},
                      "ratio_outbox_vs_direct_sequential": round(rate["outbox_delivery"] / seq, 3),
                      "ratio_outbox_vs_direct_concurrent": round(rate["outbox_delivery"] / par, 3),
                      "ratio_end_to_end_vs_direct_sequential": round(rate["outbox_end_to_end"] / seq, 3)}))


if __name__ == "__main__":
    main()
