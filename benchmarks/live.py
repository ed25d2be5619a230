"""Live pages: how long a note takes from its commit to the server-sent event on every open incident page.

Starts the real app (``uvicorn``, one or ``--workers`` processes) on a free 127.0.0.1 port with a
temporary SQLite database (or ``--database-url``), opens ``--clients`` (500) server-sent event streams on
one incident's ``/incidents/{ref}/live`` as a commander, then adds ``--notes`` (20) notes one after the
other and records, per client, when each note's event arrives. Two ways of writing the note:

* ``through the app``: ``POST /api/v1/incidents/{ref}/notes`` (a process that committed events reads the
  log at once); the delay is measured from the request's start, since the commit happens inside it.
* ``another process``: the benchmark commits the note itself through the services (like a worker or
  another ``serve`` process would), so the app sees it on its next read of the log; measured from commit.

The baseline is a plain in-process broadcast: one asyncio queue per client in this process, the same
number of clients and messages, measured from the put to each consumer's get. Prints a table (p50/p99
delay, and each as a ratio to the baseline's) and, last, one JSON line.

    .venv/bin/python benchmarks/live.py [--clients 500] [--notes 20] [--workers 1]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"


@dataclass
class World:
    ref: str
    cookie: str
    token: str
    username: str


def seed(database_url: str | None, var_dir: Path) -> World:
    os.environ["RAPIDRESPONSE_VAR_DIR"] = str(var_dir)
    if database_url:
        os.environ["RAPIDRESPONSE_DATABASE_URL"] = database_url
    from rapidresponse import db, domains, migrate
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.config import get_settings
    from rapidresponse.incidents import service
    from rapidresponse.incidents.schemas import IncidentCreate

    get_settings.cache_clear()
    db.configure()
    migrate.upgrade()
    domains.load()
    with db.unit_of_work() as s:
        user, _ = auth.create_user(s, SYSTEM, username=f"bench-{secrets.token_hex(4)}", role="commander",
                                   password=secrets.token_urlsafe(16))
        actor = auth.to_actor(user)
        inc = service.declare(s, actor, IncidentCreate(title="Live benchmark", type="other"))
        cookie, _csrf = auth.start_session(s, auth.find_person(s, actor.username), ip="bench", user_agent="bench")
        _out, token = auth.create_token(s, actor, name="bench")
        return World(ref=inc.ref, cookie=cookie, token=token, username=actor.username)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_app(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "rapidresponse.app:create_app", "--factory", "--host", HOST,
           "--port", str(port), "--log-level", "warning", "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the app did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --- the streams ------------------------------------------------------------------------------

class Clients:
    def __init__(self, url: str, world: World, n: int) -> None:
        self.url, self.world, self.n = url, world, n
        self.ready = 0
        self.arrivals: dict[int, list[float]] = defaultdict(list)  # event id -> arrival times
        self.tasks: list[asyncio.Task[None]] = []
        self.client = httpx.AsyncClient(limits=httpx.Limits(max_connections=n + 10), timeout=None,
                                        cookies={"rr_session": world.cookie})

    async def _one(self) -> None:
        headers = {"accept": "text/event-stream"}
        async with self.client.stream("GET", f"{self.url}/incidents/{self.world.ref}/live", headers=headers) as r:
            kind = ""
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    if kind == "ready":
                        self.ready += 1
                    elif kind == "change":
                        data = json.loads(line[5:])
                        if data["type"] == "incident.note_added":
                            self.arrivals[data["id"]].append(time.perf_counter())

    async def open(self) -> None:
        self.tasks = [asyncio.create_task(self._one()) for _ in range(self.n)]
        deadline = time.monotonic() + 120
        while self.ready < self.n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.ready < self.n:
            raise SystemExit(f"only {self.ready} of {self.n} streams opened")

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()

    async def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.arrivals) >= count and all(len(v) >= self.n for v in self.arrivals.values()):
                return
            await asyncio.sleep(0.01)


def _newest_note_event(ref: str) -> int:
    from sqlalchemy import select

    from rapidresponse import events
    from rapidresponse.db import unit_of_work

    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(events.Event.id).where(events.Event.type == "incident.note_added")
                             .order_by(events.Event.id.desc()).limit(1)).scalar_one())


async def through_app(url: str, world: World, clients: Clients, notes: int) -> list[float]:
    started: dict[int, float] = {}
    async with httpx.AsyncClient(timeout=30) as api:
        for i in range(notes):
            t0 = time.perf_counter()
            r = await api.post(f"{url}/api/v1/incidents/{world.ref}/notes", json={"body": f"note {i}"},
                               headers={"authorization": f"Bearer {world.token}"})
            r.raise_for_status()
            started[await asyncio.to_thread(_newest_note_event, world.ref)] = t0
            await clients.wait_for(len(started))
    return [t - started[i] for i, times in clients.arrivals.items() if i in started for t in times]


def _commit_note(world: World, body: str) -> tuple[int, float]:
    from rapidresponse.auth import service as auth
    from rapidresponse.db import unit_of_work
    from rapidresponse.incidents import work
    from rapidresponse.incidents.schemas import NoteCreate

    with unit_of_work() as s:
        actor = auth.to_actor(auth.find_person(s, world.username))
        work.add_note(s, actor, world.ref, NoteCreate(body=body))
    committed = time.perf_counter()
    return _newest_note_event(world.ref), committed


async def another_process(world: World, clients: Clients, notes: int) -> list[float]:
    committed: dict[int, float] = {}
    before = set(clients.arrivals)
    for i in range(notes):
        event_id, at = await asyncio.to_thread(_commit_note, world, f"direct note {i}")
        committed[event_id] = at
        await clients.wait_for(len(before) + len(committed))
    return [t - committed[i] for i, times in clients.arrivals.items() if i in committed for t in times]


async def baseline(n: int, messages: int) -> list[float]:
    """A plain in-process broadcast: a put into each of n queues, n consumers awaiting them."""
    queues: list[asyncio.Queue[float]] = [asyncio.Queue() for _ in range(n)]
    delays: list[float] = []

    async def consume(q: asyncio.Queue[float]) -> None:
        for _ in range(messages):
            sent = await q.get()
            delays.append(time.perf_counter() - sent)

    consumers = [asyncio.create_task(consume(q)) for q in queues]
    for _ in range(messages):
        at = time.perf_counter()
        for q in queues:
            q.put_nowait(at)
        await asyncio.sleep(0.01)
    await asyncio.gather(*consumers)
    return delays


async def run(args: argparse.Namespace, world: World, url: str) -> dict[str, Any]:
    base = await baseline(args.clients, args.notes)
    clients = Clients(url, world, args.clients)
    await clients.open()
    try:
        app = await through_app(url, world, clients, args.notes)
        other = await another_process(world, clients, args.notes)
    finally:
        await clients.close()
    return {"baseline": base, "through the app": app, "another process": other}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes serving the app")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rr-live-") as tmp:
        world = seed(args.database_url, Path(tmp))
        env = {**os.environ, "RAPIDRESPONSE_EMBEDDED_WORKER": "false", "RAPIDRESPONSE_LOG_LEVEL": "WARNING"}
        proc, url = start_app(env, args.workers)
        try:
            results = asyncio.run(run(args, world, url))
        finally:
            stop(proc)
    base50, base99 = percentile(results["baseline"], 0.5), percentile(results["baseline"], 0.99)
    rows = []
    print(f"{args.clients} streams on one incident, {args.notes} notes, {args.workers} web process(es)")
    print(f"{'scenario':<34}{'deliveries':>11}{'p50 ms':>10}{'p99 ms':>10}{'p50 ×':>10}{'p99 ×':>10}")
    for name, delays in results.items():
        p50, p99 = percentile(delays, 0.5), percentile(delays, 0.99)
        row = {"scenario": name, "deliveries": len(delays), "p50_ms": round(p50 * 1000, 3),
               "p99_ms": round(p99 * 1000, 3), "p50_ratio": round(p50 / base50, 1), "p99_ratio": round(p99 / base99, 1)}
        rows.append(row)
        print(f"{name:<34}{len(delays):>11}{p50 * 1000:>10.2f}{p99 * 1000:>10.2f}{p50 / base50:>10.1f}"
              f"{p99 / base99:>10.1f}")
    print(json.dumps({"clients": args.clients, "notes": args.notes, "workers": args.workers, "results": rows}))


if __name__ == "__main__":
    main()
