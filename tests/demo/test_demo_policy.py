"""The demo's compliance picture: running regulator clocks on the active incident, a decision set."""

from __future__ import annotations

from sqlalchemy import Engine

from rapidresponse import decisions, requests
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed


def test_demo_has_kazakh_and_russian_clocks_and_a_polish_decision_set(engine: Engine) -> None:
    report = seed(history_size=5)
    with unit_of_work(read_only=True) as s:
        legal = auth.to_actor(auth.find_person(s, "rustam.ospanov"))
        page = requests.list_requests(s, legal, requests.RequestFilter(status="open"), full=True)
        reqs, total = page.items, page.total
        assert total == 2 and {r.incident_ref for r in reqs} == {report.active_ref}
        by_country = {r.country: r for r in reqs}
        kz, ru = by_country["KZ"], by_country["RU"]
        assert kz.regulator == "mci" and ru.regulator == "rkn"
        assert kz.clock.level == "ok" and ru.clock.level == "75"
        letter = kz.reply
        assert letter is not None and "Ақпарат комитеті" in letter.body and letter.status == "submitted"
        rows = decisions.list_decisions(s, legal, decisions.DecisionFilter()).items
        assert len(rows) == 4
        sor = decisions.build_sor(s, legal)
        assert len(sor.valid) == 4 and sor.rejected == []
        assert {st.puid: st.content_type_other for _, st in sor.valid}["pl-live-88177"]
