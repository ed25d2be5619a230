"""Near-duplicate trends: copies with small edits join one trend across batches, unrelated texts do
not, growth compares the last hour with the hour before (on the injected clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from signalkit import signal_row
from sqlalchemy import select

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.signals import service, trends
from rapidresponse.signals.models import Signal

THREAT = "Внимание! Завтра в школе №{n} будет как в Керчи, не приходите. Всем разослать!!!"
CHALLENGE = "Новый челлендж собачий кайф, снимай как друг падает в обморок и выкладывай с тегом {n}"


def _at(minutes: float) -> str:
    return (datetime.fromisoformat("2026-03-01T09:00:00+00:00") + timedelta(minutes=minutes)).isoformat()


def test_copies_join_one_trend_across_batches(make_user: Callable[..., Actor], fake_clock: Any) -> None:
    admin = make_user("admin")
    first = [signal_row(i, text=THREAT.format(n=i % 4), occurred_at=_at(-100 + i)) for i in range(20)]
    other = [signal_row(100 + i, text=CHALLENGE.format(n=f"#кайф{i % 3}"), occurred_at=_at(-30 + i))
             for i in range(6)]
    noise = [signal_row(200, text="Подскажите, как поменять пароль в приложении?", occurred_at=_at(-5)),
             signal_row(201, text="ок", occurred_at=_at(-5))]
    with unit_of_work() as s:
        service.ingest(s, admin, first + other + noise)
        service.process_pending(s)
    later = [signal_row(300 + i, text=THREAT.format(n=7).upper(), occurred_at=_at(-20 + i)) for i in range(10)]
    with unit_of_work() as s:
        service.ingest(s, admin, later)
        service.process_pending(s)
    with unit_of_work(read_only=True) as s:
        found = trends.list_trends(s, admin)
        singles = trends.list_trends(s, admin, min_count=1)
        short = s.execute(select(Signal.trend_id).where(Signal.external_id == "r-201")).scalar_one()
    assert [t.count for t in found] == [30, 6]  # the threat was active last (09:00 - 11 min)
    threat, challenge = found
    assert "Керчи" in threat.label and threat.harm == "dangerous_challenge"
    assert threat.first_seen.isoformat() == _at(-100) and threat.last_seen.isoformat() == _at(-11)
    assert (threat.last_hour, threat.previous_hour, threat.growth) == (10, 20, 0.5)
    assert (challenge.last_hour, challenge.previous_hour, challenge.growth) == (6, 0, None)
    assert len(threat.samples) == 5 and len(singles) == 3 and short is None
    fake_clock.advance(hours=1)
    with unit_of_work(read_only=True) as s:
        moved = trends.get_trend(s, admin, threat.id)
    assert (moved.last_hour, moved.previous_hour) == (0, 10)


def test_a_trend_that_went_quiet_starts_afresh(make_user: Callable[..., Actor], fake_clock: Any) -> None:
    admin = make_user("admin")
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(i, text=THREAT.format(n=1), occurred_at=_at(-3000 + i))
                                  for i in range(3)])
        service.process_pending(s)
        service.ingest(s, admin, [signal_row(10 + i, text=THREAT.format(n=1), occurred_at=_at(i)) for i in range(3)])
        service.process_pending(s)
    with unit_of_work(read_only=True) as s:
        assert sorted(t.count for t in trends.list_trends(s, admin)) == [3, 3]


def test_one_trend_across_scripts_languages_and_media(make_user: Callable[..., Actor], fake_clock: Any) -> None:
    """Cyrillic and Latin copies are near duplicates; a Kazakh post naming the same lexicon term joins
    them; a post sharing a media hash with the trend joins it; an unrelated text with no shared hit does
    not; the trend says how its signals split by language and script."""
    from rapidresponse import language

    admin, policy = make_user("admin"), make_user("policy")
    with unit_of_work() as s:
        language.add_term(s, policy, harm="dangerous_challenge", language="ru", term="собачий кайф", kind="coded")
        language.add_term(s, policy, harm="dangerous_challenge", language="kk", term="собачий кайф", kind="coded")
    ru = "Дети снимают собачий кайф челлендж и выкладывают видео, в комментариях просят повторить"
    latin = "Deti snimayut sobachij kajf chellendzh i vykladyvayut video, v kommentariyakh prosyat povtorit"
    kk = "Балалар «собачьего кайфа» челленджін түсіріп жатыр, видео мектеп чаттарында тарап жатыр"
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(i, text=ru, occurred_at=_at(-60 + i), media_hash="a" * 64)
                                  for i in range(3)])
        service.process_pending(s)
    with unit_of_work() as s:  # later batches: the index's anchors and the stored media hash link them
        service.ingest(s, admin, [signal_row(10 + i, text=latin, occurred_at=_at(-50 + i)) for i in range(2)]
                       + [signal_row(20 + i, text=kk, language="kk", occurred_at=_at(-40 + i)) for i in range(2)]
                       + [signal_row(30, text="Совсем другой текст про погоду в Алматы сегодня", occurred_at=_at(-30),
                                     media_hash="a" * 64),
                          signal_row(31, text="Подскажите, как поменять пароль в приложении банка?",
                                     occurred_at=_at(-30), harm=None)])
        service.process_pending(s)
    with unit_of_work(read_only=True) as s:
        by_ext = dict(s.execute(select(Signal.external_id, Signal.trend_id)).all())
        tid = by_ext["r-0"]
        assert tid is not None
        assert {by_ext[f"r-{i}"] for i in (0, 1, 2, 10, 11, 20, 21, 30)} == {tid}
        assert by_ext["r-31"] != tid
        trend = trends.get_trend(s, admin, tid)
        assert trend.count == 8
        split = {(x.language, x.script): x.count for x in trend.languages}
        assert split == {("ru", "cyrillic"): 4, ("ru", "latin"): 2, ("kk", "cyrillic"): 2}
        [listed] = [t for t in trends.list_trends(s, admin) if t.id == tid]
        assert {(x.language, x.script): x.count for x in listed.languages} == {("ru", None): 6, ("kk", None): 2}
