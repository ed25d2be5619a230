"""Hash lists over the REST API: create, import a CSV upload, export, match hashes and images, and
matching at intake through the batch API."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from apikit import Caller
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hashkit import encode, flip, picture, random_hashes, variants
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event
from rapidresponse.hashes import pdq
from rapidresponse.hashes.models import HashMatch
from rapidresponse.signals import service as signals_service
from rapidresponse.signals.models import Signal

HASHES = random_hashes(5, seed=7)


def _create(client: TestClient, who: Caller, name: str = "Partner TVEC") -> int:
    resp = client.post("/api/v1/hashlists", headers=who.headers, json={
        "name": name, "harm": "violent_extremism", "source": "GIFCT", "description": "shared hashes"})
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def _upload(client: TestClient, who: Caller, lid: int, data: bytes, **params: str) -> Any:
    return client.post(f"/api/v1/hashlists/{lid}/import", headers=who.headers, params=params,
                       files={"file": ("partner.csv", data, "text/csv")})


def test_create_import_export_and_versions(client: TestClient, login: Callable[..., Caller]) -> None:
    curator = login("policy")
    lid = _create(client, curator)
    data = ("hash,label\n" + "\n".join(f"{h},tvec" for h in HASHES) + "\nnot-a-hash,x\n").encode()
    first = _upload(client, curator, lid, data)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["accepted"], body["duplicates"], body["rejected_count"]) == (5, 0, 1)
    assert body["rejected"][0]["line"] == 7 and "64 hex digits" in body["rejected"][0]["reason"]
    assert _upload(client, curator, lid, data).json()["duplicates"] == 5
    bad = _upload(client, curator, lid, data, mode="all_or_nothing")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    page = client.get(f"/api/v1/hashlists/{lid}", headers=curator.headers, params={"q": HASHES[2][:10]}).json()
    assert page["total"] == 1 and page["items"][0]["hash"] == HASHES[2] and page["hash_list"]["entry_count"] == 5
    export = client.get(f"/api/v1/hashlists/{lid}/export", headers=curator.headers)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.text.splitlines()[0] == "hash,label,source,added,note" and HASHES[4] in export.text
    versions = client.get(f"/api/v1/hashlists/{lid}/versions", headers=curator.headers).json()
    assert [v["entry_count"] for v in versions] == [5, 0]
    # what each version did: an English sentence, and the change itself for a client to say in its own words
    assert [v["change"] for v in versions] == ["imported from partner.csv: 5 new hashes", "created"]
    assert versions[0]["did"] == {"did": "imported", "unit": "hash", "count": 5, "item": "", "source": "partner.csv",
                                  "fields": {}}


def test_a_reader_cannot_change_lists(client: TestClient, login: Callable[..., Caller]) -> None:
    lid = _create(client, login("policy"))
    reader = login("analyst")
    assert client.get("/api/v1/hashlists", headers=reader.headers).status_code == 200
    assert _upload(client, reader, lid, f"hash\n{HASHES[0]}\n".encode()).status_code == 403
    resp = client.post(f"/api/v1/hashlists/{lid}/entries", headers=reader.headers, json={"hash": HASHES[0]})
    assert resp.status_code == 403
    assert client.get("/api/v1/hashlists", headers=login("viewer").headers).status_code == 403


def test_match_hashes_and_an_image(client: TestClient, login: Callable[..., Caller]) -> None:
    curator = login("policy")
    lid = _create(client, curator)
    img = picture(3)
    listed = pdq.hash_image(variants(img)["resized"]).hash
    resp = client.post(f"/api/v1/hashlists/{lid}/entries", headers=curator.headers,
                       json={"hash": listed, "label": "attack footage"})
    assert resp.status_code == 201
    reader = login("analyst")
    got = client.post("/api/v1/hashes:match", headers=reader.headers, json={
        "hashes": [flip(listed, 20), HASHES[0]], "image": base64.b64encode(encode(img, "JPEG")).decode()})
    assert got.status_code == 200, got.text
    results = got.json()["results"]
    assert [r["origin"] for r in results] == ["given", "given", "image"]
    assert [(m["label"], m["distance"]) for m in results[0]["matches"]] == [("attack footage", 20)]
    assert results[1]["matches"] == []
    assert results[2]["quality"] >= 50 and results[2]["matches"][0]["list_id"] == lid
    upload = client.post("/api/v1/hashes:match-image", headers=reader.headers,
                         files={"image": ("still.webp", encode(img, "WEBP"), "image/webp")})
    assert upload.status_code == 200, upload.text
    assert upload.json()["results"][0]["matches"][0]["label"] == "attack footage"
    junk = client.post("/api/v1/hashes:match-image", headers=reader.headers,
                       files={"image": ("x.png", b"GIF89a-not-really", "image/png")})
    assert junk.status_code == 422 and "image" in junk.json()["detail"]
    for bad in ({"hashes": ["abc"]}, {}, {"image": "***"}, {"image": base64.b64encode(b"text").decode()},
                {"hashes": ["a" * 63 + "\u0000"]}):
        resp = client.post("/api/v1/hashes:match", headers=reader.headers, json=bad)
        assert resp.status_code == 422, (bad, resp.text)


def test_oversize_import_is_413(client: TestClient, login: Callable[..., Caller]) -> None:
    curator = login("policy")
    lid = _create(client, curator)
    resp = client.post(f"/api/v1/hashlists/{lid}/import", headers={**curator.headers,
                                                                  "content-length": str(200 * 1_048_576)},
                       content=b"x")
    assert resp.status_code == 413


def _batch(client: TestClient, headers: dict[str, str], signals: list[dict[str, Any]]) -> dict[str, Any]:
    """Send a batch, then run the pipeline stage (which matches media) as the worker does behind intake."""
    resp = client.post("/api/v1/signals:batch", json={"signals": signals}, headers=headers)
    assert resp.status_code == 200, resp.text
    with unit_of_work() as s:
        signals_service.process_pending(s)
    return dict(resp.json())


def test_intake_matches_media_hashes_through_the_batch_api(client: TestClient, login: Callable[..., Caller]) -> None:
    curator, analyst = login("policy"), login("analyst")
    lid = _create(client, curator)

    def sig(i: int, media_hash: str | None) -> dict[str, Any]:
        return {"external_id": f"m-{i}", "source": "hash_match", "occurred_at": "2026-03-01T08:00:00Z",
                "media_hash": media_hash, "harm": "violent_extremism", "country": "RU"}

    # Before any list has entries: intake works and stores no match.
    assert _batch(client, analyst.headers, [sig(0, HASHES[0])])["inserted"] == 1
    assert _upload(client, curator, lid, f"hash\n{HASHES[0]}\n{HASHES[1]}\n".encode()).json()["accepted"] == 2
    batch = [sig(1, flip(HASHES[0], 12).upper()), sig(2, HASHES[1]), sig(3, flip(HASHES[1], 40)),
             sig(4, "md5:0123456789abcdef"), sig(5, None), sig(6, HASHES[1]), sig(7, flip(HASHES[0], 31)),
             sig(8, flip(HASHES[0], 32))]
    assert _batch(client, analyst.headers, batch)["inserted"] == 8
    assert _batch(client, analyst.headers, batch)["duplicates"] == 8  # resent: no second match either
    with unit_of_work(read_only=True) as s:
        ids = dict(s.execute(select(Signal.external_id, Signal.id)).all())
        matches = {(m.signal_id, m.distance) for m in s.scalars(select(HashMatch))}
        assert s.scalar(select(func.count()).select_from(Event).where(Event.type == "signals.hash_matched")) == 1
    assert matches == {(ids["m-1"], 12), (ids["m-2"], 0), (ids["m-6"], 0), (ids["m-7"], 31)}
    listed = client.get(f"/api/v1/hashlists/{lid}/matches", headers=analyst.headers).json()
    assert {(m["signal_id"], m["distance"]) for m in listed} == matches
