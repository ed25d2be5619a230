"""Lexicons: versions, permissions, events, bad input, and matching through the service contract."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rapidresponse.events import Event
from rapidresponse.language import matching, service
from rapidresponse.language.models import Lexicon, LexiconTerm
from rapidresponse.language.service import NewTerm


def _events(kind: str) -> int:
    with unit_of_work(read_only=True) as s:
        return s.scalar(select(func.count()).select_from(Event).where(Event.type == kind)) or 0


def test_each_change_is_a_version_and_history_is_readable(engine: Engine, manager: Actor) -> None:
    with unit_of_work() as s:
        lex, (first,) = service.add_terms(s, manager, harm="suicide_promotion", language="ru",
                                          new=[NewTerm("синий кит")])
        service.add_term(s, manager, harm="suicide_promotion", language="ru", term="f57", kind="coded")
        lex = service.remove_term(s, manager, lex.id, first.id)
        assert lex.version == 3

        def terms(version: int | None = None) -> list[str]:
            return [t.term for t in service.get(s, manager, lex.id, version=version).terms or []]

        assert terms() == ["f57"]
        assert sorted(terms(2)) == ["f57", "синий кит"]
        assert terms(1) == ["синий кит"]
        assert terms(0) == []
        history = service.versions(s, manager, lex.id)
        assert [(v.number, v.change, v.term_count) for v in history] == [
            (3, "removed «синий кит»", 1), (2, "added «f57»", 2), (1, "added «синий кит»", 1)]
        assert history[0].created_by == manager.username
        with pytest.raises(NotFound, match="versions 0 to 3"):
            terms(4)
    assert _events("lexicon.terms_added") == 2 and _events("lexicon.term_removed") == 1


@pytest.mark.parametrize(("fields", "error", "message"), [
    ({"term": "   "}, ValidationFailed, "the term is empty"),
    ({"term": "x" * 201}, ValidationFailed, "201 characters long; at most 200"),
    ({"term": "\u200b\u200b"}, ValidationFailed, "the term is empty|no letters or digits"),
    ({"term": "!!!"}, ValidationFailed, "no letters or digits"),
    ({"harm": "not_a_harm"}, ValidationFailed, "unknown harm category 'not_a_harm'"),
    ({"language": "xx"}, ValidationFailed, "unsupported language 'xx'"),
    ({"kind": "slang"}, ValidationFailed, "unknown kind 'slang'"),
    ({"kind": "hashtag", "term": "#two words"}, ValidationFailed, "is not a hashtag"),
    ({"term": "СИНИЙ  КИТ"}, Conflict, "already in the suicide_promotion/ru lexicon as 'синий кит'"),
    ({"term": "синий кит"}, Conflict, "already in"),  # Latin homoglyphs fold to the same term
])
def test_bad_input_changes_nothing(engine: Engine, manager: Actor, fields: dict[str, str],
                                   error: type[Exception], message: str) -> None:
    with unit_of_work() as s:
        service.add_term(s, manager, harm="suicide_promotion", language="ru", term="синий кит")
    args = {"harm": "suicide_promotion", "language": "ru", "term": "тихий дом", "kind": "term", **fields}
    with pytest.raises(error, match=message), unit_of_work() as s:
        service.add_term(s, manager, **args)  # type: ignore[arg-type]
    with unit_of_work(read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(LexiconTerm)) == 1
        assert s.scalar(select(Lexicon.version)) == 1


def test_permissions(engine: Engine, make_user: Callable[..., Actor], manager: Actor,
                     make_lexicon: Callable[..., int]) -> None:
    responder, viewer, admin = make_user("responder"), make_user("viewer"), make_user("admin")
    lexicon_id = make_lexicon("собачий кайф", harm="dangerous_challenge", language="ru", actor=admin)
    with unit_of_work() as s:
        (row,) = service.get(s, admin, lexicon_id).terms or []
        assert service.list_lexicons(s, responder)[0].harm == "dangerous_challenge"
        with pytest.raises(PermissionDenied):
            service.add_term(s, responder, harm="dangerous_challenge", language="ru", term="игра в обморок")
        with pytest.raises(PermissionDenied):
            service.remove_term(s, responder, lexicon_id, row.id)
        with pytest.raises(PermissionDenied):
            service.list_lexicons(s, viewer)
        service.remove_term(s, manager, lexicon_id, row.id)
        with pytest.raises(NotFound):
            service.remove_term(s, manager, lexicon_id, row.id)  # already gone
        with pytest.raises(NotFound):
            service.get(s, manager, 999_999)


def test_starter_lexicons_match_adversarial_spellings(starter_lexicons: dict[str, int]) -> None:
    assert starter_lexicons["suicide_promotion/ru"] >= 10 and starter_lexicons["dangerous_challenge/kk"] >= 1
    cases = {
        "Я в игре. Разбуди меня в 4:20": {"я в игре", "разбуди меня в 4:20"},
        # one name in Russian, Ukrainian and Belarusian spelling: the same word keys, so all three match
        "СИНИЙ   КИТ ждёт": {"синий кит", "синій кит", "сіні кіт"},
        "синий кит": {"синий кит", "синій кит", "сіні кіт"},  # Latin и-less homoglyphs: с, и are Cyrillic, "c" is Latin
        "#СинийКит #f57": {"синий кит", "синій кит", "сіні кіт", "#синийкит", "#синійкит", "f57", "#f57"},
        "с.о.б.а.ч.и.й к-а-й-ф": {"собачий кайф"},
        "играем в собачий кааайф": {"собачий кайф"},
        "тих1й дом": set(),  # 1 is not a Cyrillic leet letter
        "тихий д0м": {"тихий дом"},
        "Көк кит ойыны": {"көк кит"},
        "Siniy Kit, tikhii dom": {"синий кит", "синій кит", "сіні кіт", "тихий дом"},  # Latin spellings
        "kök kit": {"көк кит"},  # Kazakh 2021 Latin
        "синій кит": {"синий кит", "синій кит", "сіні кіт"},
        # inflected; GOST-style Latin
        "синего кита ищу, sobachij kajf": {"синий кит", "синій кит", "сіні кіт", "собачий кайф"},
        "играют в обморок": {"игра в обморок"},
        "синийкитёнок и f570": set(),  # whole words only
        "перемирие китов в море": set(),
    }
    with unit_of_work(read_only=True) as s:
        for text, terms in cases.items():
            found = matching.match(s, text)
            assert {m.term for m in found} == terms, text
            for m in found:
                assert text[m.start:m.end] == m.text and m.harm in {"suicide_promotion", "dangerous_challenge"}


def test_span_points_into_the_original(starter_lexicons: dict[str, int]) -> None:
    text = "смотри: С.О.Б.А.Ч.И.Й  КАЙФ!!"
    with unit_of_work(read_only=True) as s:
        found = matching.match(s, text)
    # the Russian name is in the lexicon of every language of the region
    assert {m.language for m in found} == {"ru", "uk", "be", "kk", "uz", "ky", "tg"}
    [m] = [m for m in found if m.language == "ru"]
    assert m.text == "С.О.Б.А.Ч.И.Й  КАЙФ" and (m.harm, m.kind) == ("dangerous_challenge", "coded")


def test_substring_terms_match_inside_words(engine: Engine, manager: Actor) -> None:
    with unit_of_work() as s:
        service.add_term(s, manager, harm="self_injury", language="ru", term="селфхарм", substring=True)
        service.add_term(s, manager, harm="self_injury", language="ru", term="порез")
    with unit_of_work(read_only=True) as s:
        # a substring term inside a longer word; a whole-word term in an inflected form, not inside another word
        assert [m.text for m in matching.match(s, "#селфхармчик и порезы")] == ["селфхарм", "порезы"]
        assert [m.text for m in matching.match(s, "запорезано, порезник")] == []


def test_matcher_is_rebuilt_when_a_version_changes(engine: Engine, manager: Actor) -> None:
    with unit_of_work() as s:
        lex = service.add_term(s, manager, harm="suicide_promotion", language="ru", term="тихий дом")
    with unit_of_work(read_only=True) as s:
        first = matching.matcher(s)
        assert matching.matcher(s) is first and len(matching.match(s, "тихий дом")) == 1
    with unit_of_work() as s:
        service.remove_term(s, manager, lex.id, (lex.terms or [])[0].id)
    with unit_of_work(read_only=True) as s:
        assert matching.matcher(s) is not first and matching.match(s, "тихий дом") == []


def test_annotate_batch(starter_lexicons: dict[str, int]) -> None:
    with unit_of_work(read_only=True) as s:
        out = matching.annotate(s, ["Разбуди меня в 4:20, я в игре", "Бүгін көк кит ойыны туралы жазды", ""])
    assert out[0].detection.lang == "ru" and len(out[0].matches) == 2
    assert out[1].detection.lang == "kk" and {(m.term, m.language) for m in out[1].matches} == {
        ("көк кит", "kk"), ("көк кит", "ky")}
    assert out[2].matches == [] and out[2].detection.lang == "und"


def test_import_export_round_trip(starter_lexicons: dict[str, int], manager: Actor) -> None:
    with unit_of_work(read_only=True) as s:
        doc = service.export_document(s, manager)
    with unit_of_work() as s:
        assert set(service.import_document(s, manager, doc).values()) == {0}  # nothing new
    with pytest.raises(ValidationFailed, match="lexicon suicide_promotion/ru: the term is empty"), \
            unit_of_work() as s:
        service.import_document(s, manager, {"harm": "suicide_promotion", "language": "ru",
                                             "terms": ["новый термин", ""]})
    with unit_of_work(read_only=True) as s:
        assert not matching.match(s, "новый термин")


def test_import_keeps_source_confidence_and_native_check(engine: Engine, manager: Actor) -> None:
    defaults = {"source": "made here", "confidence": "low", "check": True}
    doc = {"lexicons": [{"harm": "drug_sales", "language": "uz", "defaults": defaults,
                         "terms": [{"term": "zakladchik", "kind": "coded"},
                                   {"term": "🔌💊", "kind": "coded", "confidence": "medium", "check": False,
                                    "note": "dealer plus pills"}]}]}
    with unit_of_work() as s:
        assert service.import_document(s, manager, doc) == {"drug_sales/uz": 2}
        notes = {t.term: t.note for t in service.find(s, manager, harm="drug_sales", language="uz").terms or []}
    assert notes == {"zakladchik": "source: made here; confidence: low; needs native check",
                     "🔌💊": "dealer plus pills — source: made here; confidence: medium"}
    with unit_of_work(read_only=True) as s:  # an emoji code is a term like any other, and inflection is read
        assert [m.term for m in matching.match(s, "пиши 🔌💊 в лс")] == ["🔌💊"]
        assert [m.text for m in matching.match(s, "ищем закладчиков, zakladchikom")] == ["закладчиков", "zakladchikom"]
    bad = [{"harm": "drug_sales", "language": "uz", "terms": [{"term": "xyz", "confidence": "sure"}]},
           {"harm": "drug_sales", "language": "uz", "terms": [{"term": "xyz", "check": "yes"}]},
           {"harm": "drug_sales", "language": "uz", "defaults": ["x"], "terms": [{"term": "xyz"}]}]
    for doc_bad in bad:
        with unit_of_work() as s, pytest.raises(ValidationFailed, match=r"confidence|check|defaults"):
            service.import_document(s, manager, doc_bad)
    with unit_of_work(read_only=True) as s:
        assert len(service.find(s, manager, harm="drug_sales", language="uz").terms or []) == 2
