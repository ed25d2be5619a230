"""API load: the real app under concurrent HTTP load, against a trivial FastAPI app as the baseline.

The app runs as ``rapidresponse serve --workers N``, the baseline under uvicorn with as many
processes and the same settings, each on a free 127.0.0.1 port; once with one process each and once
with two (``--processes``). A bounded number of requests is driven at each from threads (keep-alive
connections) after a warm-up. Prints a table per process count (requests/s, p50/p99 latency,
errors, and requests/s as a ratio of the trivial endpoint's with as many processes in the same
run) and a final JSON line.

    .venv/bin/python benchmarks/api_load.py [--requests 2000] [--concurrency 200] [--processes 1,2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

With ``--database-url`` the benchmark adds its user, token and incidents to that database: use a
throwaway one. Without it, a temporary SQLite database is created and removed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

HOST = "127.0.0.1"
DEFAULT_THREADS = 40  # the app's own default for one process
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
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_server(name: str, cmd: list[str], env: dict[str, str], health: str, port: int) -> Server:
    process = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    server = Server(name, port, process)
    deadline = time.monotonic() + 90
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
    raise RuntimeError(f"{name} server did not become ready within 90 s")


def trivial_command(port: int, processes: int) -> list[str]:
    """The baseline under uvicorn with what ``serve`` gives uvicorn: the same processes, log level and
    proxy headers."""
    return [sys.executable, "-m", "uvicorn", "--factory", "api_load:trivial_app", "--host", HOST,
            "--port", str(port), "--workers", str(processes), "--log-level", "warning", "--proxy-headers",
            "--app-dir", str(HERE)]


def app_command(port: int, processes: int) -> list[str]:
    """The product as an operator runs it: ``rapidresponse serve --workers N`` (no job process)."""
    return [sys.executable, "-m", "rapidresponse", "serve", "--host", HOST, "--port", str(port),
            "--workers", str(processes), "--no-worker"]


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)  # uvicorn's supervisor stops its web processes too
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@contextmanager
def servers(env: dict[str, str], processes: int) -> Iterator[tuple[Server, Server]]:
    started: list[Server] = []
    try:
        port = free_port()
        started.append(start_server("trivial", trivial_command(port, processes), env, "/ping", port))
        port = free_port()
        started.append(start_server("rapidresponse", app_command(port, processes), env, "/healthz", port))
        yield started[0], started[1]
    finally:
        for server in started:
            stop_server(server)


# --- load -------------------------------------------------------------------------------------
# Threads with one keep-alive ``http.client`` connection each: the stdlib client costs a fraction
# of a millisecond of CPU per request, so the load generator (which shares the CPU with the
# servers) does not flatten the baseline.

Request = Callable[[int], tuple[str, str, dict[str, Any] | None]]  # i -> (method, path, JSON body)


@dataclass
class Result:
    scenario: str
    processes: int
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


def _drive(port: int, make: Request, headers: dict[str, str], total: int, concurrency: int
           ) -> tuple[float, list[float], int]:
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                method, path, body = make(i)
                payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
                hdrs = {**headers, "Content-Type": "application/json"} if payload else headers
                started = time.perf_counter()
                try:
                    conn.request(method, path, body=payload, headers=hdrs)
                    response = conn.getresponse()
                    response.read()
                    ok = 200 <= response.status < 300
                except (OSError, http.client.HTTPException):
                    conn.close()  # reconnects on the next request
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return time.perf_counter() - started, latencies, errors[0]


def run_scenario(name: str, port: int, make: Request, *, requests: int, warmup: int, concurrency: int,
                 headers: dict[str, str], processes: int) -> Result:
    _drive(port, make, headers, warmup, concurrency)
    seconds, latencies, errors = _drive(port, make, headers, requests, concurrency)
    return Result(name, processes, requests, seconds, latencies, errors)


def scenarios(world: World) -> list[tuple[str, str, Request]]:
    """(name, which server, request) — the trivial endpoint first: it is the baseline."""
    hot, spread = world.hot_ref, world.refs
    return [
        ("trivial GET /ping (baseline)", "trivial", lambda i: ("GET", "/ping", None)),
        ("GET /healthz (app, no auth)", "app", lambda i: ("GET", "/healthz", None)),
        ("GET /api/v1/me (token only)", "app", lambda i: ("GET", "/api/v1/me", None)),
        ("GET /api/v1/incidents?limit=50", "app", lambda i: ("GET", "/api/v1/incidents?limit=50", None)),
        ("POST notes, one incident", "app",
         lambda i: ("POST", f"/api/v1/incidents/{hot}/notes", {"body": f"Обновление {i}: рост замедлился."})),
        ("POST notes, 50 incidents", "app",
         lambda i: ("POST", f"/api/v1/incidents/{spread[i % len(spread)]}/notes", {"body": f"Update {i}"})),
    ]


# --- report -----------------------------------------------------------------------------------

def report(results: list[Result], *, database: str, concurrency: int) -> dict[str, Any]:
    """A table per process count; each ratio is to the trivial endpoint served with as many processes."""
    rows = []
    for processes in sorted({r.processes for r in results}):
        runs = [r for r in results if r.processes == processes]
        baseline = runs[0].rps
        print(f"\nAPI load on {database}, {processes} process(es) each, concurrency {concurrency} "
              "(ratio = requests/s ÷ trivial endpoint's)")
        print(f"{'scenario':34} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'ratio':>6}")
        for r in runs:
            ratio = r.rps / baseline if baseline else 0.0
            p50, p99 = r.percentile(50), r.percentile(99)
            print(f"{r.scenario:34} {r.requests:8d} {r.rps:9.1f} {p50:8.1f} {p99:8.1f} {r.errors:6d} {ratio:6.2f}")
            rows.append({"scenario": r.scenario, "processes": processes, "requests": r.requests,
                         "rps": round(r.rps, 1), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                         "errors": r.errors, "ratio_to_trivial": round(ratio, 3)})
    return {"benchmark": "api_load", "database": database, "concurrency": concurrency, "scenarios": rows}


def process_counts(text: str) -> list[int]:
    counts = sorted({int(part) for part in text.split(",") if part.strip()})
    if not counts or not all(1 <= n <= 16 for n in counts):
        raise argparse.ArgumentTypeError("a comma-separated list of process counts, each 1..16")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each scenario")
    parser.add_argument("--concurrency", type=int, default=200, help="connections (requests in flight at once)")
    parser.add_argument("--threads", type=int, default=None,
                        help="request threads per app process (RAPIDRESPONSE_THREADS; default: "
                             f"{DEFAULT_THREADS} shared among the processes)")
    parser.add_argument("--incidents", type=int, default=300, help="incidents to seed")
    parser.add_argument("--database-url", default=None, help="e.g. postgresql+psycopg://…/bench (default: SQLite)")
    parser.add_argument("--processes", type=process_counts, default=[1, 2],
                        help="web processes of both servers, one run per count (default: 1,2)")
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
        for processes in args.processes:
            # the same request threads (and database connections) in all, however many processes share them
            env["RAPIDRESPONSE_THREADS"] = str(args.threads or max(4, DEFAULT_THREADS // processes))
            with servers(env, processes) as (trivial, app):
                targets = {"trivial": trivial, "app": app}
                for name, target, make in scenarios(world):
                    headers = {"Authorization": f"Bearer {world.token}"} if target == "app" else {}
                    results.append(run_scenario(name, targets[target].port, make, requests=args.requests,
                                                warmup=args.warmup, concurrency=args.concurrency, headers=headers,
                                                processes=processes))
        summary = report(results, database=database, concurrency=args.concurrency)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
