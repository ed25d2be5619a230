from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import ValidationFailed
from rapidresponse.incidents import service
from rapidresponse.incidents.schemas import IncidentCreate, IncidentFilter


def test_refs_are_sequential_per_year_and_unique_under_concurrency(make_incident: Callable[..., str],
                                                                   make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    with ThreadPoolExecutor(4) as pool:
        refs = list(pool.map(lambda i: make_incident(cmd, title=f"wave {i}"), range(12)))
    year = datetime.now(UTC).year
    assert sorted(refs) == [f"INC-{year}-{n:04d}" for n in range(1, 13)]


def test_codes_are_normalised_and_child_safety_is_restricted(make_incident: Callable[..., str],
                                                             make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd, type="child_safety", countries=["kz", "KZ", "ru"], languages=["KK", "uz-latn"])
    with unit_of_work(read_only=True) as s:
        inc = service.get(s, cmd, ref)
        assert inc.countries == ["KZ", "RU"] and inc.languages == ["kk", "uz-Latn"]
        assert inc.restricted and inc.severity == 1  # critical harm to minors: always SEV1
        assert inc.severity_inputs["vulnerable"] is True  # child safety implies minors
        assert service.list_incidents(s, cmd, IncidentFilter(language="uz-Latn"))[1] == 1
        assert service.list_incidents(s, cmd, IncidentFilter(language="uz"))[1] == 0


@pytest.mark.parametrize("field,value", [
    ("countries", ["XX"]), ("countries", ["KAZ"]), ("languages", ["klingon"]), ("languages", ["ru-"]),
    ("title", ""), ("title", "x" * 201), ("type", "outage"), ("harm_categories", ["Bad Slug!"]),
    ("detected_at", "2026-01-01T00:00:00"),  # naive: which zone?
])
def test_invalid_fields_are_refused(field: str, value: object) -> None:
    data = {"title": "t", "type": "other", field: value}
    with pytest.raises(ValidationError) as err:
        IncidentCreate.model_validate(data)
    assert err.value.errors()[0]["loc"][0] == field


def test_detected_in_the_future_is_refused(make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    future = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(ValidationFailed, match="future"), unit_of_work() as s:
        service.declare(s, cmd, IncidentCreate(title="t", type="other", detected_at=future))  # type: ignore[arg-type]


def test_search_folds_cyrillic_and_kazakh(make_incident: Callable[..., str], make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd, title="«Собачий кайф» в школах Қарағанды", summary="ӘҒҚҢӨҰҮҺІ")
    make_incident(cmd, title="Something else")
    with unit_of_work(read_only=True) as s:
        for q in ("собачий", "ҚАРАҒАНДЫ", "әғқңөұүһі", "кайф школах"):
            items, total = service.list_incidents(s, cmd, IncidentFilter(q=q))
            assert [i.ref for i in items] == [ref] and total == 1, q
        assert service.list_incidents(s, cmd, IncidentFilter(q="100%_"))[1] == 0  # LIKE wildcards are literal
