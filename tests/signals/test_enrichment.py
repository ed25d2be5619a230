"""Enrichment at intake: the language domain's fold, language identification and lexicon matches are
stored with each signal and usable in filters, whatever spelling the reporter used."""

from __future__ import annotations

from collections.abc import Callable

from signalkit import signal_row
from sqlalchemy import select

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.signals import service
from rapidresponse.signals.models import SeriesBucket, Signal
from rapidresponse.signals.schemas import SignalFilter


def _by_ext() -> dict[str, Signal]:
    with unit_of_work(read_only=True) as s:
        return {sig.external_id: sig for sig in s.execute(select(Signal)).scalars()}


def test_language_is_detected_and_kept(make_user: Callable[..., Actor]) -> None:
    admin = make_user("admin")
    rows = [
        signal_row(1, language=None, text="Дети снимают на видео, как душат друг друга до потери сознания"),
        signal_row(2, language="kk", text="Дети снимают на видео, как душат друг друга до потери сознания"),
        signal_row(3, language=None, text="Балалар бір-бірін есінен танғанша тұншықтырып, видеоға түсіреді"),
        signal_row(4, language=None, text="ок"),
        signal_row(5, language=None, text="ბავშვები ერთმანეთს ახრჩობენ და ვიდეოს იღებენ"),
        signal_row(6, language=None, text="Bolalar bir-birini boʻgʻib, videoga olishmoqda, bu juda xavfli"),
    ]
    with unit_of_work() as s:
        service.ingest(s, admin, rows)
        service.process_pending(s)
    got = _by_ext()
    assert (got["r-1"].language, got["r-1"].language_detected) == ("ru", "ru")
    assert got["r-1"].language_confidence is not None and 0 < got["r-1"].language_confidence <= 1
    assert (got["r-2"].language, got["r-2"].language_detected) == ("kk", "ru")  # the reporter's word stays
    assert (got["r-3"].language, got["r-3"].language_detected) == ("kk", "kk")
    assert (got["r-4"].language, got["r-4"].language_detected, got["r-4"].language_confidence) == (None, None, None)
    assert (got["r-5"].language, got["r-5"].language_detected) == ("ka", "ka")
    assert (got["r-6"].language, got["r-6"].language_detected) == ("uz", "uz")
    with unit_of_work(read_only=True) as s:  # the series counts the filled-in language
        langs = set(s.execute(select(SeriesBucket.language)).scalars())
    assert {"ru", "kk", "ka", "uz", ""} <= langs


def test_lexicon_matches_are_stored_in_any_spelling(make_user: Callable[..., Actor],
                                                    make_lexicon: Callable[..., int]) -> None:
    admin = make_user("admin")
    make_lexicon("собачий кайф", harm="dangerous_challenge", language="ru")
    make_lexicon("choking challenge", harm="dangerous_challenge", language="en")
    make_lexicon("синий кит", harm="suicide_promotion", language="ru")
    texts = {
        "plain": "Опять этот собачий кайф в комментариях",
        "mixed": "Новый сhоkіng сhаllеngе у школьников",  # Latin word typed with Cyrillic look-alikes
        "leet": "ch0k1ng ch4ll3ng3 is back, watch out",
        "cyr-leet": "с0бачий к@йф снова в тренде",
        "hashtag": "смотри #СинийКит и #собачийкайф",
        "translit": "vse pishut pro siniy kit v chatah",
        "clean": "Подскажите, как сменить пароль",
    }
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(i, external_id=k, text=t) for i, (k, t) in enumerate(texts.items())])
        service.process_pending(s)
    got = _by_ext()

    def terms(ext: str) -> set[str]:
        return {m["term"] for m in got[ext].lexicon_matches}

    assert terms("plain") == {"собачий кайф"} and got["plain"].lexicon_harm == "dangerous_challenge"
    assert terms("mixed") == {"choking challenge"} and terms("leet") == {"choking challenge"}
    assert terms("cyr-leet") == {"собачий кайф"}
    assert terms("hashtag") == {"синий кит", "собачий кайф"}
    assert terms("translit") == {"синий кит"} and got["translit"].lexicon_harm == "suicide_promotion"
    assert terms("clean") == set() and got["clean"].lexicon_harm is None
    match = got["mixed"].lexicon_matches[0]  # the span points into the original text
    assert got["mixed"].text[match["start"]:match["end"]] == "сhоkіng сhаllеngе"
    assert match["harm"] == "dangerous_challenge" and match["language"] == "en" and match["kind"] == "term"
    assert got["mixed"].text_folded == "новый choking challenge у школьников"

    with unit_of_work(read_only=True) as s:
        _, matched = service.list_signals(s, admin, SignalFilter(matched=True))
        _, unmatched = service.list_signals(s, admin, SignalFilter(matched=False))
        suicide, _ = service.list_signals(s, admin, SignalFilter(lexicon_harm="suicide_promotion"))
        found, n_found = service.list_signals(s, admin, SignalFilter(q="Choking Challenge"))
        _, n_cyr = service.list_signals(s, admin, SignalFilter(q="с0бачий"))
    assert (matched, unmatched) == (6, 1)
    assert {x.external_id for x in suicide} == {"hashtag", "translit"}
    assert n_found == 2 and {x.external_id for x in found} == {"mixed", "leet"}
    assert n_cyr == 3  # "собачий" in the plain, leet and hashtag-free spellings


def test_a_resent_batch_is_not_enriched_twice(make_user: Callable[..., Actor],
                                              make_lexicon: Callable[..., int]) -> None:
    admin = make_user("admin")
    make_lexicon("собачий кайф", harm="dangerous_challenge", language="ru")
    with unit_of_work() as s:
        first = service.ingest(s, admin, [signal_row(1, text="собачий кайф")])
        service.process_pending(s)
    with unit_of_work() as s:
        again = service.ingest(s, admin, [signal_row(1, text="собачий кайф")])
        service.process_pending(s)
    assert (first.inserted, again.inserted, again.duplicates) == (1, 0, 1)
    assert len(_by_ext()["r-1"].lexicon_matches) == 1


def test_search_and_trends_commands(make_user: Callable[..., Actor], fake_clock: object,
                                    make_lexicon: Callable[..., int]) -> None:
    import json

    from typer.testing import CliRunner

    from rapidresponse.cli import app

    analyst = make_user("analyst", username="searcher")
    make_lexicon("собачий кайф", harm="dangerous_challenge", language="ru")
    copies = [signal_row(i, text=f"Новый челлендж с0бачий кайф, снимай как друг падает в обморок {i}",
                         occurred_at=f"2026-03-01T08:{10 + i:02d}:00+00:00") for i in range(4)]
    with unit_of_work() as s:
        service.ingest(s, analyst, [*copies, signal_row(9, text="как сменить пароль", country="RU")])
        service.process_pending(s)
    runner = CliRunner()
    found = runner.invoke(app, ["signals", "search", "СОБАЧИЙ", "--matched", "--json", "--as", "searcher"])
    assert found.exit_code == 0, found.output
    body = json.loads(found.output)
    assert body["total"] == 4 and all(i["lexicon_matches"][0]["term"] == "собачий кайф" for i in body["items"])
    none = runner.invoke(app, ["signals", "search", "--unmatched", "--country", "ru", "--json", "--as", "searcher"])
    assert json.loads(none.output)["total"] == 1
    table = runner.invoke(app, ["signals", "search", "пароль", "--as", "searcher"])
    assert table.exit_code == 0 and "1 signals match" in table.output
    bad = runner.invoke(app, ["signals", "search", "x", "--country", "Russia", "--as", "searcher"])
    assert bad.exit_code == 2 and "country" in bad.output
    ranked = runner.invoke(app, ["signals", "trends", "--order", "growth", "--json", "--as", "searcher"])
    assert ranked.exit_code == 0 and json.loads(ranked.output)[0]["count"] == 4
    assert runner.invoke(app, ["signals", "trends", "--order", "sideways", "--as", "searcher"]).exit_code == 2
