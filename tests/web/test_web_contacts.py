"""How pages reach a person, through the HTML forms: adding a method, the code it receives, a wrong
code (refused beside the form, counted), rules; the Page the on-call button on an incident; who is on
call in a place; the warning about someone on call who cannot be reached."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from webkit import login

from factories.oncall import Rota
from protocol_servers import BotApiServer
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents.schemas import IncidentCreate
from rapidresponse.notify import delivery
from rapidresponse.notify.channels import Channel
from rapidresponse.notify.models import ContactMethod
from rapidresponse.oncall.models import Page


def post(client: TestClient, url: str, csrf: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)


def test_adding_and_confirming_a_telegram_method_in_the_browser_forms(
        client: TestClient, make_user: Callable[..., Actor], bot: BotApiServer, channels: dict[str, Channel]) -> None:
    make_user("responder", username="aigerim", locale="ru", email=None)
    csrf = login(client, "aigerim")
    page = client.get("/account/contacts")
    assert page.status_code == 200 and "Ни один вызов" in page.text  # nobody can reach her: said first
    assert 'href="/account/contacts"' in client.get("/account/settings").text

    refused = post(client, "/account/contacts", csrf, kind="telegram", address="@aigerim")
    assert refused.status_code == 422 and "Telegram" in refused.text
    assert post(client, "/account/contacts", csrf, kind="telegram", address="5001").status_code == 303
    delivery.drain(using=channels)
    code = re.findall(r"\b\d{6}\b", bot.sent_to(5001)[-1]["text"])[-1]
    with unit_of_work(read_only=True) as s:
        cid = s.execute(select(ContactMethod.id)).scalar_one()

    wrong = post(client, f"/account/contacts/{cid}/verify", csrf, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422 and "role=\"alert\"" in wrong.text
    with unit_of_work(read_only=True) as s:
        assert s.get(ContactMethod, cid).code_attempts == 1  # type: ignore[union-attr]
    assert post(client, f"/account/contacts/{cid}/verify", csrf, code=code).status_code == 303
    assert post(client, "/account/contact-rules", csrf, contact_id=str(cid), delay_minutes="0").status_code == 303
    assert post(client, "/account/contact-rules", csrf, contact_id=str(cid), delay_minutes="-3").status_code == 422
    page = client.get("/account/contacts")
    assert "Ни один вызов" not in page.text and "сразу" in page.text


def test_page_the_on_call_from_an_incident_and_who_is_on_call_in_almaty(
        client: TestClient, make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    with unit_of_work() as s:
        ref = incidents.declare(s, rota.lead, IncidentCreate.model_validate(
            {"title": "Viral challenge in Almaty schools", "type": "dangerous_challenge", "countries": ["KZ"],
             "restricted": False})).ref
    csrf = login(client, rota.lead.username)
    detail = client.get(f"/incidents/{ref}")
    assert "Page the on-call" in detail.text and "Nobody was paged about this incident." in detail.text
    assert post(client, f"/incidents/{ref}/page", csrf, target="").status_code == 422
    resp = post(client, f"/incidents/{ref}/page", csrf, target=f"{rota.team_id}:{rota.policy_id}")
    assert resp.status_code == 303
    with unit_of_work(read_only=True) as s:
        page = s.execute(select(Page).where(Page.incident_ref == ref)).scalar_one()
    assert page.summary == "Viral challenge in Almaty schools" and page.created_by_id == rota.lead.user_id

    almaty = client.get("/oncall?place=Almaty, now")
    assert "Айгерим" in almaty.text and "14:00" in almaty.text  # 09:00 UTC is 14:00 in Almaty
    assert "Айгерим" not in client.get("/oncall?place=Tbilisi").text
    assert "Айгерим" in client.get("/oncall?place=KZ").text
    assert "Айгерим" in client.get("/oncall?place=Алматы").text  # the city as the Russian speaker names it
    assert "Айгерим" not in client.get("/oncall?place=Тбилиси").text
    assert 'title="Asia/Almaty">Almaty</span>' in almaty.text  # the zone named by its city, its name at hand


def test_someone_on_call_who_cannot_be_reached_is_shown_before_the_shift(
        client: TestClient, make_rota: Callable[..., Rota], make_user: Callable[..., Actor], fake_clock: Any) -> None:
    rota = make_rota()
    nomail = make_user("responder", username="nomail", email=None, display_name="Без почты")
    with unit_of_work() as s:
        from rapidresponse import oncall
        oncall.add_override(s, rota.admin, rota.schedule_id, oncall.OverrideIn.model_validate({
            "username": nomail.username, "starts_at": "2026-03-01T18:00:00+00:00",
            "ends_at": "2026-03-01T20:00:00+00:00"}))
    csrf = login(client, rota.admin.username)
    assert csrf
    schedule = client.get(f"/oncall/schedules/{rota.schedule_id}")
    assert "Без почты" in schedule.text and "no working contact method" in schedule.text
    assert "Без почты" in client.get("/oncall").text
    client.cookies.clear()
    login(client, "nomail")
    assert "no page can reach you" in client.get("/oncall").text
