"""Signal intake: signals/s through the batch API and through file import, each against a raw bulk
insert of the same rows in the same run.

1. A temporary SQLite database (or ``--database-url``, e.g. PostgreSQL), migrated; an analyst with an
   API token.
2. ``--signals`` synthetic signals (20,000): Russian and Kazakh report texts, a third of them copies of
   a few viral texts with small edits (so trend clustering has work), the rest distinct.
3. Each scenario starts from empty signal tables and stores every row (intake accepts: validates,
   de-duplicates and inserts; the signals are then pending for the pipeline stage):

   * **raw bulk insert (baseline)**: one ``INSERT … VALUES`` executemany of the prepared rows in one
     transaction, no validation, series, trends or events;
   * **service ingest**: ``signals.service.ingest`` in batches of ``--batch`` (validation, idempotent
     insert, series upsert, trends, one event per batch), no HTTP;
   * **batch API**: ``POST /api/v1/signals:batch`` through FastAPI's TestClient (JSON encode/decode,
     authentication) in batches of ``--batch``;
   * **file import (JSONL)** and **file import (CSV)**: ``rapidresponse signals import`` code path.

4. After each intake scenario the pipeline stage runs (``signals.stage.drain``: enrichment, series,
   media matches, trends, one transaction per batch) until nothing is pending; **end to end** is the
   time from the first row sent until every accepted signal is clustered, and the run checks the counts
   (every signal processed once, the series and the trends' counts equal to the signals behind them).

    .venv/bin/python benchmarks/intake.py [--signals 20000] [--batch 5000] [--repeat 3] [--database-url URL]

Prints signals/s and the ratio to the raw insert (accepted, and end to end), then one JSON line.
Bounded: well under a minute on SQLite for the defaults. On PostgreSQL the signal tables of that
database are emptied between scenarios: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

VIRAL = ["Внимание! Завтра в школе №{n} будет как в Керчи, не приходите",
         "Новый челлендж собачий кайф, снимай как друг падает в обморок #кайф{n}",
         "Мектепте ертең қауіпті ойын болады, бәріне жіберіңдер {n}"]
WORDS = ["видео", "канал", "ребёнок", "школа", "челлендж", "аккаунт", "жалоба", "бала", "мектеп", "ойын",
         "қауіпті", "сайт", "ссылка", "группа", "комментарий", "стрим", "подписчик"]


def make_rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    rows = []
    for i in range(n):
        if i % 3 == 0:
            text = rnd.choice(VIRAL).format(n=rnd.randint(1, 9))
        else:
            text = " ".join(rnd.choice(WORDS) for _ in range(12)) + f" {i}"
        rows.append({"external_id": f"bench-{i}", "source": rnd.choice(["user_report", "classifier"]),
                     "occurred_at": (start + timedelta(seconds=i * 3)).isoformat(), "text": text,
                     "harm": rnd.choice(["dangerous_challenge", "violent_threats", "self_harm"]),
                     "country": rnd.choice(["KZ", "RU", "UZ"]), "language": rnd.choice(["ru", "kk"]),
                     "content_type": "video", "content_id": f"c{i}", "reporter_type": "user",
                     "metadata": {"app": "android"}})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--signals", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of every scenario; each one's best is kept")
    args = ap.parse_args()
    n, batch = max(100, min(args.signals, 500_000)), max(1, min(args.batch, 10_000))
    tmp = tempfile.TemporaryDirectory(prefix="rr-intake-bench-")
    os.environ.update({"RAPIDRESPONSE_VAR_DIR": tmp.name, "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
                       "RAPIDRESPONSE_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp.name) / 'b.db'}"})
    from fastapi.testclient import TestClient
    from sqlalchemy import delete, func, insert, select

    from rapidresponse import db, migrate
    from rapidresponse.app import create_app
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.signals import importing, service, stage
    from rapidresponse.signals.models import SeriesBucket, Signal, Trend, TrendBucket

    db.configure()
    migrate.upgrade()
    with db.unit_of_work() as s:
        user, _ = auth.create_user(s, SYSTEM, username=f"bench-analyst-{secrets.token_hex(3)}", role="analyst",
                                   password="correct horse battery staple")
        actor = auth.to_actor(user)
        _, token = auth.create_token(s, actor, name="bench")
    rows = make_rows(n)

    def empty() -> None:
        with db.unit_of_work() as s:
            for model in (Signal, SeriesBucket, Trend, TrendBucket):
                s.execute(delete(model))

    def stored() -> int:
        with db.unit_of_work(read_only=True) as s:
            return int(s.execute(select(func.count()).select_from(Signal)).scalar_one())

    def raw() -> None:
        now = datetime.now(UTC)
        prepared = [{**{k: v for k, v in r.items() if k != "metadata"}, "meta": r["metadata"],
                     "occurred_at": datetime.fromisoformat(r["occurred_at"]), "received_at": now,
                     "text_folded": unicodedata.normalize("NFKC", r["text"]).casefold()} for r in rows]
        with db.unit_of_work() as s:
            s.execute(insert(Signal), prepared)

    def via_service() -> None:
        for i in range(0, n, batch):
            with db.unit_of_work() as s:
                service.ingest(s, actor, rows[i:i + batch])

    client = TestClient(create_app(embedded_worker=False))
    headers = {"Authorization": f"Bearer {token}"}

    # The client's encoding is not the API's work: the bodies are encoded before the clock starts.
    bodies = [json.dumps({"signals": rows[i:i + batch]}, ensure_ascii=False).encode() for i in range(0, n, batch)]
    api_headers = {**headers, "Content-Type": "application/json"}

    def via_api() -> None:
        for body in bodies:
            resp = client.post("/api/v1/signals:batch", content=body, headers=api_headers)
            assert resp.status_code == 200, resp.text

    jsonl, csv_path = Path(tmp.name) / "s.jsonl", Path(tmp.name) / "s.csv"
    with jsonl.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({**r, "metadata": json.dumps(r["metadata"])})

    def file_import(path: Path) -> Callable[[], None]:
        return lambda: importing.import_file(actor, path, batch=batch) and None

    scenarios: list[tuple[str, Callable[[], None]]] = [
        ("raw bulk insert (baseline)", raw), ("service ingest", via_service), ("batch API", via_api),
        ("file import (JSONL)", file_import(jsonl)), ("file import (CSV)", file_import(csv_path))]
    def check_processed(name: str) -> None:
        """Every signal processed once; the series and the trends count exactly the signals behind them."""
        with db.unit_of_work(read_only=True) as s:
            pending = s.execute(select(func.count()).select_from(Signal)
                                .where(Signal.processed_at.is_(None))).scalar_one()
            series_total = s.execute(select(func.coalesce(func.sum(SeriesBucket.count), 0))).scalar_one()
            clustered = s.execute(select(func.count()).select_from(Signal)
                                  .where(Signal.trend_id.is_not(None))).scalar_one()
            trend_total = s.execute(select(func.coalesce(func.sum(Trend.count), 0))).scalar_one()
            bucket_total = s.execute(select(func.coalesce(func.sum(TrendBucket.count), 0))).scalar_one()
        assert (pending, series_total) == (0, n), (name, pending, series_total)
        assert clustered == trend_total == bucket_total > 0, (name, clustered, trend_total, bucket_total)

    rate: dict[str, float] = {}
    cpu: dict[str, float] = {}  # this process's CPU time: what other load on a shared machine disturbs least
    e2e: dict[str, float] = {}
    for round_ in range(max(1, args.repeat)):  # scenarios interleaved, each one's best round kept
        for name, run in scenarios:
            empty()
            t0, c0 = time.perf_counter(), time.process_time()
            run()
            elapsed, used = time.perf_counter() - t0, time.process_time() - c0
            assert stored() == n, (name, stored())
            rate[name] = max(rate.get(name, 0.0), n / elapsed)
            cpu[name] = min(cpu.get(name, float("inf")), used)
            if run is not raw and round_ == 0:  # the stage's end-to-end figure, from the first round
                stage.drain(batch=batch)
                e2e[name] = n / (time.perf_counter() - t0)
                check_processed(name)
    base_name = "raw bulk insert (baseline)"
    base = rate[base_name]
    backend = db.get_engine().dialect.name
    print(f"signal intake on {backend}: {n} signals, batches of {batch}, best of {args.repeat} interleaved rounds")
    if backend == "sqlite":
        print("(SQLite runs in this process, so its CPU time is the whole cost; on PostgreSQL the server's "
              "share is not in it)")
    print(f"{'path':<30}{'accepted/s':>12}{'vs raw insert':>16}{'CPU s':>8}{'vs raw':>8}"
          f"{'end to end/s':>15}{'vs raw insert':>16}")
    for name, r in rate.items():
        whole = f"{e2e[name]:>15.0f}{e2e[name] / base:>15.2f}x" if name in e2e else ""
        print(f"{name:<30}{r:>12.0f}{r / base:>15.2f}x{cpu[name]:>8.2f}{cpu[base_name] / cpu[name]:>7.2f}x{whole}")
    print(json.dumps({"backend": backend, "signals": n, "batch": batch, "repeat": args.repeat,
                      "rates": {k: round(v, 1) for k, v in rate.items()},
                      "ratios": {k: round(v / base, 3) for k, v in rate.items()},
                      "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
                      "cpu_ratios": {k: round(cpu[base_name] / v, 3) for k, v in cpu.items()},
                      "end_to_end_rates": {k: round(v, 1) for k, v in e2e.items()},
                      "end_to_end_ratios": {k: round(v / base, 3) for k, v in e2e.items()}}))
    client.close()
    db.get_engine().dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
