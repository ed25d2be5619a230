"""The demo's lexicons: the starter set loaded, with a version history and working matches."""

from __future__ import annotations

from sqlalchemy import Engine

from rapidresponse import language
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed


def test_demo_loads_the_starter_lexicons_with_history(engine: Engine) -> None:
    seed(history_size=5)
    with unit_of_work(read_only=True) as s:
        reader = auth.to_actor(auth.find_person(s, "nurlan.akhmetov"))
        lexicons = {(lex.harm, lex.language): lex for lex in language.list_lexicons(s, reader)}
        assert set(lexicons) >= {("suicide_promotion", lang) for lang in ("ru", "kk", "uk")}
        kk = lexicons[("dangerous_challenge", "kk")]
        assert [v.change for v in language.versions(s, reader, kk.id)][:2] == ["removed «#иткайф»", "added «#иткайф»"]
        found = language.match(s, "Новый челлендж обморок и #СинийКит")
        assert {(m.harm, m.language) for m in found} >= {("dangerous_challenge", "ru"), ("suicide_promotion", "ru")}
