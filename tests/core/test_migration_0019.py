"""Migration 0019 numbers the requests registered before references existed, per year of registration,
and counts a breached one's escalation; new requests go on from there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from rapidresponse import domains
from rapidresponse.migrate import alembic_config

REQUEST = ("INSERT INTO policy_requests (id, country, regulator, sender, reference, legal_basis, language, summary, "
           "received_at, deadline_name, deadline_instrument, deadline_hours, deadline_time, deadline_confidence, "
           "deadline_defaulted, due_at, status, warned, breached_at, created_at, updated_at) VALUES (:id, 'KZ', "
           "'mci', 's', '', 'b', 'kk', '', :at, 'd', 'i', 24, 'calendar', 'verified', 0, :at, 'open', '[]', "
           ":breached, :at, :at)")


def test_existing_requests_get_references(tmp_path: Path) -> None:
    domains.load()
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    cfg = alembic_config()
    cfg.attributes["connection"] = engine  # migrations connect to this database, not the configured one
    command.upgrade(cfg, "0018")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, username, email, display_name, password_hash, role, locale, "
                                "timezone, is_active, must_change_password, created_at) VALUES (1, 'aigerim', NULL, "
                                "'', 'x', 'legal', 'ru', 'Asia/Almaty', 1, 0, '2025-12-30 10:00:00+00:00')"))
        for request_id, at, breached in ((1, "2025-12-30 10:00:00+00:00", "2025-12-31 10:00:00+00:00"),
                                         (2, "2026-01-02 10:00:00+00:00", None),
                                         (3, "2026-01-03 10:00:00+00:00", None)):
            connection.execute(text(REQUEST), {"id": request_id, "at": at, "breached": breached})
    command.upgrade(cfg, "0019")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, ref, escalations FROM policy_requests ORDER BY id")).all()
        counters = connection.execute(text("SELECT year, last FROM request_counters ORDER BY year")).all()
        hours = connection.execute(text("SELECT work_days, work_start, work_end FROM users")).one()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "REQ-2025-0001", 1), (2, "REQ-2026-0001", 0), (3, "REQ-2026-0002", 0)]
    assert [tuple(c) for c in counters] == [(2025, 1), (2026, 2)]
    assert (hours[1], hours[2]) == ("09:00", "18:00") and str(hours[0]).replace(" ", "") == "[0,1,2,3,4]"
