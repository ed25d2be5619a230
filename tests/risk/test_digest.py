"""The weekly leadership digest and the annual report as documents: each recipient's digest in their
language and with their rights, sent once on the admin's schedule through a real SMTP server, its
PDF read back, and the schedule's validation."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from rapidresponse import analytics, risk
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import PermissionDenied, ValidationFailed
from rapidresponse.risk import digest, jobs
from rapidresponse.web.templating import Translator

RESTRICTED_TITLE = "Закрытый инцидент DIG-7Q"


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> Path:
    path = tmp_path / "warehouse.duckdb"
    env(analytics_path=str(path))
    return path


@pytest.fixture
def week(fake_clock: Any, make_user: Callable[..., Actor], make_incident: Callable[..., str],
         make_risk: Callable[..., risk.RiskDetail], approve_risk: Callable[..., risk.RiskDetail]) -> dict[str, Any]:
    """A commander (English) who is a member of a restricted incident, a comms lead (Russian) who is
    not, an open public incident, and a risk added and approved this week (2026-03-01 is a Sunday)."""
    cmd = make_user("commander", email="cmd@example.org")
    comms = make_user("comms", email="comms@example.org", locale="ru")
    public = make_incident(cmd, title="Public choking wave", countries=["KZ"])
    hidden = make_incident(cmd, title=RESTRICTED_TITLE, type="child_safety", countries=["KZ"], restricted=True)
    created = make_risk(likelihood_reason="spreads in schools")
    approve_risk(created.id)
    with unit_of_work(read_only=True) as s:
        analytics.sync_now(s, SYSTEM)
    return {"cmd": cmd, "comms": comms, "public": public, "hidden": hidden, "risk": created}


def test_each_reader_gets_their_own_digest(week: dict[str, Any]) -> None:
    with unit_of_work(read_only=True) as s:
        mine = digest.compose(s, week["cmd"], Translator("en"), language="en")
        theirs = digest.compose(s, week["comms"], Translator("ru"), language="ru")
    assert mine.subject.startswith("Weekly risk and incident digest, 2026-02-23 – 2026-03-01")
    # A member finds the restricted incident by its reference; its title never leaves the product.
    assert week["hidden"] in mine.markdown and RESTRICTED_TITLE not in mine.markdown
    assert "restricted incident (details only in rapidresponse)" in mine.markdown
    assert "2 open." in mine.markdown and week["public"] in mine.markdown
    assert "New: Dangerous viral challenge in KZ (Dangerous viral challenge, KZ), rated Critical" in mine.markdown
    assert "| Incidents declared | 2 | 0 |" in mine.markdown
    # The comms lead may not see the restricted incident: not named, not counted, in Russian.
    assert week["hidden"] not in theirs.markdown and RESTRICTED_TITLE not in theirs.markdown
    assert week["public"] in theirs.markdown and "Еженедельная сводка" in theirs.subject
    assert "| Объявлено инцидентов | 1 | 0 |" in theirs.markdown
    assert "(Опасный вирусный челлендж, KZ)" in theirs.markdown  # the harm by its name in the reader's language
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(digest.pdf(theirs, "ru"))).pages)
    assert "Еженедельная сводка" in text and week["public"] in text and RESTRICTED_TITLE not in text


def test_the_schedule_sends_once_a_week_through_smtp(week: dict[str, Any], fake_clock: Any,
                                                     make_user: Callable[..., Actor], channels: Any,
                                                     smtp: Any) -> None:
    from rapidresponse.notify import delivery

    admin = make_user("admin")
    with unit_of_work() as s:
        risk.set_digest_schedule(s, admin, risk.DigestSettingsIn(
            weekday=6, hour=10, timezone="UTC", recipients=[week["cmd"].username, week["comms"].username]))
    with unit_of_work() as s:
        assert jobs.weekly_digest(s) == 0  # Sunday 09:00: not yet
    fake_clock.advance(hours=1)
    with unit_of_work() as s:
        assert jobs.weekly_digest(s) == 2
        assert jobs.weekly_digest(s) == 0  # sent for this week
        assert risk.send_digest(s, admin, Translator) == 0  # sending again by hand queues nothing new
    delivery.drain(using=channels)
    mail = {m.rcpt_tos[0]: m.message for m in smtp.inbox.messages
            if m.message["X-RapidResponse-Kind"] == "risk.digest"}
    assert set(mail) == {"cmd@example.org", "comms@example.org"}
    ru = mail["comms@example.org"]
    assert "Еженедельная сводка" in str(ru["Subject"]) or "=?utf-8?" in str(ru["Subject"]).lower()
    html = ru.get_body(("html",)).get_content()
    assert "<h1>" in html and "<table>" in html and RESTRICTED_TITLE not in html
    assert week["hidden"] in mail["cmd@example.org"].get_body(("html",)).get_content()
    fake_clock.advance(days=7)
    with unit_of_work() as s:
        assert jobs.weekly_digest(s) == 2  # the next Sunday
        assert risk.digest_settings(s, admin).last_week == "2026-W10"


def test_the_schedule_refuses_what_cannot_be_sent(week: dict[str, Any], make_user: Callable[..., Actor]) -> None:
    admin, viewer, mute = make_user("admin"), make_user("viewer", email="v@example.org"), make_user("commander")
    with unit_of_work() as s:
        with pytest.raises(ValidationFailed, match="may not read the risk register"):
            risk.set_digest_schedule(s, admin, risk.DigestSettingsIn(recipients=[viewer.username]))
        with pytest.raises(ValidationFailed, match="no email address"):
            risk.set_digest_schedule(s, admin, risk.DigestSettingsIn(recipients=[mute.username]))
        with pytest.raises(ValidationFailed, match="no active user"):
            risk.set_digest_schedule(s, admin, risk.DigestSettingsIn(recipients=["nobody"]))
        with pytest.raises(PermissionDenied):
            risk.set_digest_schedule(s, week["comms"], risk.DigestSettingsIn(recipients=[]))
        assert risk.digest_settings(s, admin).enabled is False
    with pytest.raises(ValueError):
        risk.DigestSettingsIn(timezone="Mars/Olympus")
    with pytest.raises(ValueError):
        risk.DigestSettingsIn(hour=24)


def test_the_annual_report_as_pdf(week: dict[str, Any]) -> None:
    from rapidresponse import documents

    with unit_of_work(read_only=True) as s:
        text = risk.annual_markdown(s, week["cmd"], Translator("ru"))
    pdf = documents.pdf(text, title="report", language="ru")
    read = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF") and "spreads in schools" in read and "34(1)(d)" in read
    assert week["hidden"] not in read  # the report counts incidents, never names them


def test_the_cli_schedules_sends_and_writes_documents(week: dict[str, Any], tmp_path: Path,
                                                      make_user: Callable[..., Actor]) -> None:
    from typer.testing import CliRunner

    from rapidresponse.cli import app

    runner = CliRunner()
    admin = make_user("admin").username
    done = runner.invoke(app, ["risks", "schedule", week["comms"].username, "--weekday", "4", "--hour", "8",
                               "--timezone", "Asia/Almaty", "--send-now", "--as", admin])
    assert done.exit_code == 0, done.output
    assert "every weekday 4 at 8:00 (Asia/Almaty), 1 recipients; 1 queued now" in done.output
    target = tmp_path / "digest.pdf"
    written = runner.invoke(app, ["risks", "report", "digest", "--language", "ru", "--format", "pdf", "-o",
                                  str(target), "--as", week["comms"].username])
    assert written.exit_code == 0, written.output
    text = "".join(p.extract_text() for p in PdfReader(str(target)).pages)
    assert "Еженедельная сводка" in text
    refused = runner.invoke(app, ["risks", "report", "annual", "--format", "pdf"])
    assert refused.exit_code == 2 and "--output" in refused.output
    off = runner.invoke(app, ["risks", "schedule", "--off", "--as", admin])
    assert off.exit_code == 0 and "digest: off" in off.output
