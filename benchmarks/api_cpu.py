"""API CPU floor: the CPU time one request costs inside the app, against a trivial FastAPI app.

Calls each app's ASGI entry point directly in one process (no sockets, no HTTP parsing, one request
at a time), so what it measures is the Python work of a request itself: the middleware, routing,
authentication, the endpoint and its database statements. It shows how far a throughput target
relative to the trivial endpoint (``api_load.py``) can be reached at all: under load each request
also costs the HTTP server's own work (the same for both apps), so a request that costs ``a`` ms here
against the trivial endpoint's ``t`` ms runs at most at ``(t + h) / (a + h)`` of its throughput, with
``h`` the server's CPU per request, whatever the concurrency.

    .venv/bin/python benchmarks/api_cpu.py [--requests 500] [--database-url postgresql+psycopg://…/bench]

With ``--database-url`` the benchmark adds its user, token and incidents to that database: use a
throwaway one. Without it, a temporary SQLite database is created and removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import seed_database, trivial_app

ASGI = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]],
                 Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]


async def call(app: ASGI, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> int:
    """One request through ``app``; its status."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if body:
        raw += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": route, "raw_path": route.encode(), "query_string": query.encode(),
             "root_path": "", "headers": raw, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
             "state": {}}
    received, status = False, 0

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never goes away
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(cases: list[tuple[str, ASGI, str, Callable[[int], str], dict[str, str], bool]],
                  requests: int, warmup: int) -> list[dict[str, Any]]:
    rows = []
    for name, app, method, path, headers, with_body in cases:
        def body(i: int, with_body: bool = with_body) -> bytes:
            return json.dumps({"body": f"Обновление {i}: рост замедлился."}).encode() if with_body else b""

        for i in range(warmup):
            status = await call(app, method, path(i), headers, body(i))
            if not 200 <= status < 300:
                raise RuntimeError(f"{name}: status {status}")
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(requests):
            await call(app, method, path(i), headers, body(i))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rows.append({"scenario": name, "requests": requests, "cpu_ms": round(1000 * cpu / requests, 3),
                     "wall_ms": round(1000 * wall / requests, 3)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests before each scenario")
    parser.add_argument("--incidents", type=int, default=300, help="incidents to seed")
    parser.add_argument("--database-url", default=None, help="e.g. postgresql+psycopg://…/bench (default: SQLite)")
    args = parser.parse_args(argv)
    if not (0 < args.requests <= 100_000 and 1 <= args.warmup <= 10_000 and 50 <= args.incidents <= 100_000):
        parser.error("--requests 1..100,000, --warmup 1..10,000, --incidents 50..100,000")
    with tempfile.TemporaryDirectory(prefix="rr-bench-") as tmp:
        world = seed_database(args.database_url, Path(tmp), args.incidents)
        os.environ["RAPIDRESPONSE_LOG_LEVEL"] = "WARNING"
        os.environ["RAPIDRESPONSE_EMBEDDED_WORKER"] = "false"
        from rapidresponse import db
        from rapidresponse.app import create_app
        from rapidresponse.config import get_settings

        get_settings.cache_clear()
        db.configure()
        app: Any = create_app(embedded_worker=False)
        auth = {"Authorization": f"Bearer {world.token}"}
        hot, spread = world.hot_ref, world.refs
        cases: list[tuple[str, ASGI, str, Callable[[int], str], dict[str, str], bool]] = [
            ("trivial GET /ping (baseline)", trivial_app(), "GET", lambda i: "/ping", {}, False),
            ("GET /healthz (app, no auth)", app, "GET", lambda i: "/healthz", {}, False),
            ("GET /api/v1/me (token only)", app, "GET", lambda i: "/api/v1/me", auth, False),
            ("GET /api/v1/incidents?limit=50", app, "GET", lambda i: "/api/v1/incidents?limit=50", auth, False),
            ("POST notes, one incident", app, "POST", lambda i: f"/api/v1/incidents/{hot}/notes", auth, True),
            ("POST notes, 50 incidents", app, "POST",
             lambda i: f"/api/v1/incidents/{spread[i % len(spread)]}/notes", auth, True),
        ]
        rows = asyncio.run(measure(cases, args.requests, args.warmup))
        db.get_engine().dispose()
    database = "postgresql" if args.database_url else "sqlite"
    baseline = rows[0]["cpu_ms"]
    print(f"\nAPI CPU per request on {database}, in process, one at a time "
          "(times = CPU ms ÷ trivial endpoint's CPU ms)")
    print(f"{'scenario':34} {'CPU ms':>8} {'wall ms':>8} {'times':>6}")
    for row in rows:
        row["times_trivial"] = round(row["cpu_ms"] / baseline, 2) if baseline else 0.0
        print(f"{row['scenario']:34} {row['cpu_ms']:8.3f} {row['wall_ms']:8.3f} {row['times_trivial']:6.2f}")
    print(json.dumps({"benchmark": "api_cpu", "database": database, "scenarios": rows}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
