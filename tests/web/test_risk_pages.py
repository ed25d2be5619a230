"""The risk pages: the register with its heatmap and matrix, adding a risk, the assessment workflow by
role, mitigations, the digest page with its schedule and downloads, refusals that keep the input, and
the Russian UI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webkit import declare, login

from rapidresponse.auth import Actor


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> None:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))


def _as(client: TestClient, who: Actor) -> str:
    client.cookies.clear()
    return login(client, who.username)


def _post(client: TestClient, path: str, csrf: str, **data: str) -> tuple[int, str]:
    resp = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
    return resp.status_code, resp.headers.get("location", resp.text)


def test_the_register_from_adding_a_risk_to_approving_it(client: TestClient, make_user: Callable[..., Actor],
                                                         logged_in: Callable[..., tuple[Actor, str]]) -> None:
    reviewer, legal, commander = make_user("policy"), make_user("legal"), make_user("commander")
    _, csrf = logged_in("policy")
    empty = client.get("/risks")
    assert empty.status_code == 200 and "No risks match" in empty.text and "The matrix fills in" in empty.text

    status, body = _post(client, "/risks", csrf, harm="no_such_harm", country="KZ", likelihood="3", impact="3",
                         title="kept title")
    assert status == 422 and "not a harm of the taxonomy" in body and 'value="kept title"' in body
    status, where = _post(client, "/risks", csrf, harm="dangerous_challenge", country="KZ", likelihood="4",
                          impact="5", likelihood_reason="spreads in schools")
    assert status == 303 and where.startswith("/risks/") and "done=risk_added" in where
    page = client.get(where)
    assert page.status_code == 200 and "first assessment is a draft" in page.text
    assert "Send for review" in page.text and "spreads in schools" in page.text
    risk_path = where.split("?")[0]

    register = client.get("/risks").text
    assert 'href="/risks?likelihood=4&amp;impact=5"' in register and f'href="{risk_path}"' in register
    assert "band-critical" in register and "<svg" in register
    assert "Dangerous viral challenge in KZ" in client.get("/risks?likelihood=4&impact=5").text
    assert "No risks match" in client.get("/risks?band=low").text
    assert "Input should be" in client.get("/risks?likelihood=9").text  # a bad filter is said, not a 500

    assert _post(client, f"{risk_path}/assessments/1/submit", csrf)[0] == 303
    status, body = _post(client, f"{risk_path}/assessments/1/approve", csrf)
    assert status == 403  # policy reviews; a commander approves
    for who in (reviewer, legal):
        csrf = _as(client, who)
        assert "Record my review as" in client.get(risk_path).text
        assert _post(client, f"{risk_path}/assessments/1/review", csrf)[0] == 303
    csrf = _as(client, commander)
    assert _post(client, f"{risk_path}/assessments/1/approve", csrf)[0] == 303
    approved = client.get(risk_path).text
    assert "Approved" in approved and f"approved by {commander.username}" in approved

    status, body = _post(client, f"{risk_path}/mitigations", csrf, kind="playbook", ref="")
    assert status == 422 and "names what it is" in body
    assert _post(client, f"{risk_path}/mitigations", csrf, kind="playbook", ref="dangerous_challenge",
                 description="the challenge playbook")[0] == 303
    assert "the challenge playbook" in client.get(risk_path).text
    status, body = _post(client, f"{risk_path}/assessments", csrf, likelihood="3", impact="5", why="")
    assert status == 422 and 'name="why"' in body
    assert _post(client, f"{risk_path}/assessments", csrf, likelihood="3", impact="5",
                 why="takedowns slowed it")[0] == 303
    assert "takedowns slowed it" in client.get(risk_path).text
    assert client.get("/risks/999999").status_code == 404

    client.post("/locale", data={"locale": "ru", "csrf_token": csrf, "next": "/risks"})
    ru = client.get("/risks").text
    assert "Реестр рисков" in ru and "Вероятность × воздействие" in ru and "Критический" in ru


def test_readers_without_the_register_are_refused(client: TestClient,
                                                  logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("viewer")
    assert client.get("/risks").status_code == 403
    assert ">Risks<" not in client.get("/incidents").text  # no link in the navigation either
    assert _post(client, "/risks", csrf, harm="grooming", country="RU", likelihood="1", impact="1")[0] == 403


def test_the_digest_page_schedules_and_downloads(client: TestClient, make_user: Callable[..., Actor],
                                                 logged_in: Callable[..., tuple[Actor, str]]) -> None:
    lead = make_user("comms", email="lead@example.org")
    _, csrf = logged_in("commander")
    page = client.get("/risks/digest")
    assert page.status_code == 200 and "Weekly risk and incident digest" in page.text
    assert "The digest is not scheduled" in page.text
    status, body = _post(client, "/risks/digest/schedule", csrf, enabled="1", weekday="0", hour="9",
                         timezone="Asia/Almaty", recipients="nobody")
    assert status == 422 and "no active user" in body and 'value="nobody"' in body
    status, where = _post(client, "/risks/digest/schedule", csrf, enabled="1", weekday="0", hour="9",
                          timezone="Asia/Almaty", recipients=lead.username)
    assert status == 303 and "done=risk_schedule" in where
    assert "Sent every Monday at 9:00 (Asia/Almaty) to 1 recipients." in client.get("/risks/digest").text
    pdf = client.get("/risks/digest?format=pdf&language=ru")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    md = client.get("/risks/digest?format=markdown")
    assert md.status_code == 200 and md.text.startswith("# Weekly risk and incident digest")
    report = client.get("/risks/report?format=pdf")
    assert report.status_code == 200 and report.content[:4] == b"%PDF"
    assert _post(client, "/risks/digest/send", csrf)[0] == 303


def test_the_digest_preview_marks_the_titles_it_quotes_as_the_users_words(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander", locale="ru")
    declare(client, csrf, title="Choking *challenge* in [Almaty] <b>schools</b>")
    page = client.get("/risks/digest").text
    assert "<span data-user-text>Choking *challenge* in [Almaty] &lt;b&gt;schools&lt;/b&gt;</span>" in page
    assert "\ue000" not in page and "\ue001" not in page
    md = client.get("/risks/digest?format=markdown&language=ru").text  # the file quotes the title as written
    assert "Choking *challenge* in [Almaty] <b>schools</b>" in md and "data-user-text" not in md
