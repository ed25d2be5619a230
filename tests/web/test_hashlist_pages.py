"""The hash-list manager through its HTML forms: create a list, import a CSV and read its report,
add and remove hashes, export, settings, and check an uploaded image."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from hashkit import encode, picture, random_hashes, variants
from rapidresponse.auth import Actor
from rapidresponse.hashes import pdq

HASHES = random_hashes(4, seed=11)


def _create(client: TestClient, csrf: str, name: str = "Partner CSAM list") -> str:
    resp = client.post("/hashlists", data={"csrf_token": csrf, "name": name, "harm": "violent_extremism",
                                           "source": "Partner", "description": "", "max_distance": "31"},
                       follow_redirects=False)
    assert resp.status_code == 303, resp.text
    assert re.fullmatch(r"/hashlists/\d+\?done=created", resp.headers["location"])
    return resp.headers["location"].split("?")[0]


def test_import_report_entries_and_export(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("policy")
    page = _create(client, csrf)
    data = ("hash,label,added\n" + "".join(f"{h},tvec,2026-03-01\n" for h in HASHES[:3]) +
            f"{HASHES[0]},dup,\n{HASHES[3][:-2]},short,\n").encode()
    resp = client.post(f"{page}/import", data={"csrf_token": csrf}, files={"file": ("partner.csv", data, "text/csv")})
    assert resp.status_code == 200
    html = resp.text
    report = re.search(r'<section class="card import-report".*?</section>', html, re.S)
    assert report is not None
    text = re.sub(r"<[^>]+>", "", report.group(0))
    assert "Accepted: 3" in text and "Duplicates: 1" in text and "Rejected: 1" in text
    assert "64 hex digits" in text and "62 characters" in text
    assert all(f'<code class="pdq">{h}</code>' in html for h in HASHES[:3])
    assert "<img" not in html
    again = client.post(f"{page}/import", data={"csrf_token": csrf},
                        files={"file": ("partner.csv", data, "text/csv")}).text
    assert "Accepted: <strong>0</strong>" in again and "Duplicates: <strong>4</strong>" in again
    missing = client.post(f"{page}/import", data={"csrf_token": csrf})
    assert missing.status_code == 422 and "choose a file" in missing.text
    export = client.get(f"{page}/export.csv")
    assert export.status_code == 200 and export.text.count("\n") == 4 and HASHES[2] in export.text
    listing = client.get("/hashlists").text
    assert "Partner CSAM list" in listing and ">3</td>" in listing


def test_add_remove_settings_and_bad_input(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("admin")
    page = _create(client, csrf)
    resp = client.post(f"{page}/entries", data={"csrf_token": csrf, "hash": HASHES[0].upper(), "label": "x"},
                       follow_redirects=False)
    assert resp.status_code == 303
    bad = client.post(f"{page}/entries", data={"csrf_token": csrf, "hash": "xyz\x00"})
    assert bad.status_code == 422 and "64 hex digits" in bad.text
    dup = client.post(f"{page}/entries", data={"csrf_token": csrf, "hash": HASHES[0]})
    assert dup.status_code == 409
    html = client.get(page).text
    removes = re.findall(rf'action="({page}/entries/\d+/remove)"', html)
    assert len(removes) == 1
    assert client.post(removes[0], data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert client.post(removes[0], data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"{page}/settings", data={"csrf_token": csrf, "max_distance": "99"}).status_code == 422
    assert client.post(f"{page}/settings", data={"csrf_token": csrf, "max_distance": "20"},
                       follow_redirects=False).status_code == 303
    html = client.get(page).text
    assert "≤ 20" in html and "No hashes." in html
    history = re.sub(r"<[^>]+>", "", html)
    assert "v4 · Match distance: 31 → 20 · 0 hashes" in history
    assert f"v3 · removed «{HASHES[0][:16]}…» · 0 hashes" in history
    assert f"v2 · added «{HASHES[0][:16]}…» · 1 hash" in history and "v1 · created · 0 hashes" in history
    assert client.post("/hashlists", data={"csrf_token": csrf, "name": "Partner CSAM list", "harm": "violent_extremism",
                                           "source": "P", "max_distance": "31"}).status_code == 409
    assert client.get("/hashlists/999999").status_code == 404


def test_check_an_image(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                        make_user: Callable[..., Actor]) -> None:
    _, csrf = logged_in("policy")
    page = _create(client, csrf)
    img = picture(31)
    listed = pdq.hash_image(variants(img)["jpeg"]).hash
    client.post(f"{page}/entries", data={"csrf_token": csrf, "hash": listed, "label": "listed still"})
    resp = client.post("/hashlists/check", data={"csrf_token": csrf},
                       files={"image": ("upload.png", encode(img), "image/png")})
    assert resp.status_code == 200
    assert "listed still" in resp.text and f'<code class="pdq">{listed}</code>' in resp.text
    assert "<img" not in resp.text and "data:image" not in resp.text
    other = client.post("/hashlists/check", data={"csrf_token": csrf},
                        files={"image": ("other.png", encode(picture(32)), "image/png")})
    assert "No list has this image." in other.text
    junk = client.post("/hashlists/check", data={"csrf_token": csrf},
                       files={"image": ("x.png", b"<html>not an image", "image/png")})
    assert junk.status_code == 422 and "not an image" in junk.text


def test_russian_pages_and_a_reader(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("analyst", locale="ru")
    html = client.get("/hashlists").text
    assert "Списки хешей" in html and "Проверить изображение" in html
    assert 'action="/hashlists"' not in html  # a reader has no form for a new list
    resp = client.post("/hashlists", data={"csrf_token": csrf, "name": "x", "harm": "violent_extremism",
                                           "source": "P", "max_distance": "31"})
    assert resp.status_code == 403
