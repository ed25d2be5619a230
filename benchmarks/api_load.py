"""API load: the real app under concurrent HTTP load, against a trivial FastAPI app as the baseline.

Both apps run in their own ``uvicorn`` subprocess on a free 127.0.0.1 port with the same settings;
a bounded number of requests is driven at each with ``httpx.AsyncClient`` after a warm-up. Prints a
table (requests/s, p50/p99 latency, errors, and requests/s as a ratio of the trivial endpoint's in
the same run) and a final JSON line.

    .venv/bin/python benchmarks/api_load.py [--requests 2000] [--concurrency 16]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

With ``--database-url`` the benchmark adds its user, token and incidents to that database: use a
throwaway one. Without it, a temporary SQLite database is created and removed.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent


def trivial_app() -> FastAPI:
    """The baseline: one endpoint returning a small JSON (sync, like the real app's endpoints)."""
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"status": "ok"}

    return app


# --- setup ------------------------------------------------------------------------------------

@dataclass
class World:
    token: str
    hot_ref: str
    refs: list[str]


def seed_database(database_url: str | None, var_dir: Path, incidents: int) -> World:
    """Migrate and seed through the services: a commander, an API token and ``incidents`` incidents."""
    os.environ["RAPIDRESPONSE_VAR_DIR"] = str(var_dir)
    if database_url:
        os.environ["RAPIDRESPONSE_DATABASE_URL"] = database_url
    from rapidresponse import db, migrate
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.config import get_settings
    from rapidresponse.incidents import service, work
    from rapidresponse.incidents.schemas import IncidentCreate, NoteCreate

    get_settings.cache_clear()
    db.configure()
    migrate.upgrade()
    kinds = ("dangerous_challenge", "hate_speech_wave", "self_harm", "crisis_misinformation", "regulator_order")
    with db.unit_of_work() as s:
        user, _ = auth.create_user(s, SYSTEM, username=f"bench-{secrets.token_hex(4)}", role="commander",
                                   password=secrets.token_urlsafe(16))
        actor = auth.to_actor(user)
        _, token = auth.create_token(s, actor, name="api load benchmark", days=1)
        refs = []
        for i in range(incidents):
            inc = service.declare(s, actor, IncidentCreate(
                title=f"Benchmark incident {i}: «собачий кайф» wave", type=kinds[i % len(kinds)],
                countries=["KZ", "RU"], languages=["ru", "kk"], summary="Synthetic load-test data."))
            if i % 10 == 0:
                work.add_note(s, actor, inc.ref, NoteCreate(body="Первичная оценка: рост жалоб ×4."))
            refs.append(inc.ref)
    db.get_engine().dispose()
    return World(token=token, hot_ref=refs[-1], refs=refs[-50:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]


def start_server(name: str, factory: str, env: dict[str, str], health: str) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", HOST, "--port", str(port),
           "--log-level", "warning", "--no-access-log", "--app-dir", str(HERE)]
    process = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)
    server = Server(name, f"http://{HOST}:{port}", process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} server exited with code {process.returncode}")
        try:
            if httpx.get(server.base_url + health, timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"{name} server did not become ready within 60 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@contextmanager
def servers(env: dict[str, str]) -> Iterator[tuple[Server, Server]]:
    started: list[Server] = []
    try:
        started.append(start_server("trivial", "api_load:trivial_app", env, "/ping"))
        started.append(start_server("rapidresponse", "rapidresponse.app:create_app", env, "/healthz"))
        yield started[0], started[1]
    finally:
        for server in started:
            stop_server(server)


# --- load -------------------------------------------------------------------------------------

Request = Callable[[httpx.AsyncClient, int], Any]


@dataclass
class Result:
    scenario: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def _drive(client: httpx.AsyncClient, send: Request, total: int, concurrency: int
                 ) -> tuple[float, list[float], int]:
    counter = iter(range(total))
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        for i in counter:
            started = time.perf_counter()
            try:
                response = await send(client, i)
                ok = 200 <= response.status_code < 300
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, errors


async def run_scenario(name: str, base_url: str, send: Request, *, requests: int, warmup: int,
                       concurrency: int, headers: dict[str, str]) -> Result:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as client:
        await _drive(client, send, warmup, concurrency)
        seconds, latencies, errors = await asyncio.wait_for(_drive(client, send, requests, concurrency),
                                                            timeout=600)
    return Result(name, requests, seconds, latencies, errors)


def scenarios(world: World) -> list[tuple[str, str, Request]]:
    """(name, which server, request) — the trivial endpoint first: it is the baseline."""
    spread = world.refs

    def ping(c: httpx.AsyncClient, i: int) -> Any:
        return c.get("/ping")

    def list_incidents(c: httpx.AsyncClient, i: int) -> Any:
        return c.get("/api/v1/incidents", params={"limit": 50})

    def note_hot(c: httpx.AsyncClient, i: int) -> Any:
        return c.post(f"/api/v1/incidents/{world.hot_ref}/notes", json={"body": f"Обновление {i}: рост замедлился."})

    def note_spread(c: httpx.AsyncClient, i: int) -> Any:
        return c.post(f"/api/v1/incidents/{spread[i % len(spread)]}/notes", json={"body": f"Update {i}"})

    return [
        ("trivial GET /ping (baseline)", "trivial", ping),
        ("GET /api/v1/incidents?limit=50", "app", list_incidents),
        ("POST notes, one incident", "app", note_hot),
        ("POST notes, 50 incidents", "app", note_spread),
    ]


# --- report -----------------------------------------------------------------------------------

def report(results: list[Result], *, database: str, concurrency: int) -> dict[str, Any]:
    baseline = results[0].rps
    rows = []
    print(f"\nAPI load on {database}, concurrency {concurrency} (ratio = requests/s ÷ trivial endpoint's)")
    print(f"{'scenario':34} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'ratio':>6}")
    for r in results:
        ratio = r.rps / baseline if baseline else 0.0
        p50, p99 = r.percentile(50), r.percentile(99)
        print(f"{r.scenario:34} {r.requests:8d} {r.rps:9.1f} {p50:8.1f} {p99:8.1f} {r.errors:6d} {ratio:6.2f}")
        rows.append({"scenario": r.scenario, "requests": r.requests, "rps": round(r.rps, 1),
                     "p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "errors": r.errors,
                     "ratio_to_trivial": round(ratio, 3)})
    return {"benchmark": "api_load", "database": database, "concurrency": concurrency, "scenarios": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each scenario")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    parser.add_argument("--incidents", type=int, default=300, help="incidents to seed")
    parser.add_argument("--database-url", default=None, help="e.g. postgresql+psycopg://…/bench (default: SQLite)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers are stopped on the way out
    if not (0 < args.requests <= 1_000_000 and 0 < args.concurrency <= 1024 and 0 <= args.warmup <= 100_000):
        parser.error("--requests 1..1,000,000, --concurrency 1..1024, --warmup 0..100,000")
    with tempfile.TemporaryDirectory(prefix="rr-bench-") as tmp:
        var_dir = Path(tmp)
        world = seed_database(args.database_url, var_dir, args.incidents)
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPIDRESPONSE_")}
        env.update(RAPIDRESPONSE_VAR_DIR=str(var_dir), RAPIDRESPONSE_EMBEDDED_WORKER="false",
                   RAPIDRESPONSE_LOG_LEVEL="WARNING")
        if args.database_url:
            env["RAPIDRESPONSE_DATABASE_URL"] = args.database_url
        database = "postgresql" if args.database_url else "sqlite"
        results = []
        with servers(env) as (trivial, app):
            targets = {"trivial": trivial, "app": app}
            for name, target, send in scenarios(world):
                headers = {"Authorization": f"Bearer {world.token}"} if target == "app" else {}
                results.append(asyncio.run(run_scenario(
                    name, targets[target].base_url, send, requests=args.requests, warmup=args.warmup,
                    concurrency=args.concurrency, headers=headers)))
        summary = report(results, database=database, concurrency=args.concurrency)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
