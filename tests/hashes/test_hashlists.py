"""Hash lists through the service: creation, CSV import (good, duplicates, malformed), versions, export,
and matching with per-list distances (intake and the API: tests/api/test_hashlists_api.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from hashkit import encode, flip, picture, random_hashes, variants
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rapidresponse.events import Event
from rapidresponse.hashes import csvfile, matching, pdq, service
from rapidresponse.hashes.models import HashEntry

HASHES = random_hashes(10, seed=42)
ListMaker = Callable[..., int]


def _import(actor: Actor, list_id: int, data: bytes, **kw: Any) -> service.ImportReport:
    with unit_of_work() as s:
        return service.import_csv(s, actor, list_id, data, filename="partner.csv", **kw)


def _csv(*rows: str, header: str = "hash,label,source,added") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def curator(make_user: Callable[..., Actor]) -> Actor:
    return make_user("policy")


def test_import_is_idempotent_and_versioned(curator: Actor, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    data = _csv(*(f"{h},tvec,partner-{i},2026-03-0{i % 9 + 1}" for i, h in enumerate(HASHES)))
    first = _import(curator, lid, data)
    assert (first.read, first.accepted, first.duplicates, first.rejected_count) == (10, 10, 0, 0)
    again = _import(curator, lid, data)
    assert (again.accepted, again.duplicates) == (0, 10)
    with unit_of_work(read_only=True) as s:
        hl = service.get(s, curator, lid)
        assert (hl.version, hl.entry_count) == (2, 10)  # created, imported; the second import changed nothing
        assert hl.last_import_at is not None
        page = service.entries(s, curator, lid)
        rows, total = page.items, page.total
        assert total == 10 and rows[0].label == "tvec" and rows[0].source == "partner-0"
        assert rows[0].added_on is not None and rows[0].added_on.isoformat().startswith("2026-03-01")
        types = list(s.scalars(select(Event.type).where(Event.subject_type == "hash_list").order_by(Event.id)))
    assert types == ["hashlist.created", "hashlist.imported", "hashlist.imported"]


def test_malformed_rows_get_reasons_and_lose_no_good_row(curator: Actor, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    good = HASHES[:3]
    data = b"\n".join([
        b"Hash;Label;Partner;Date",
        good[0].upper().encode() + b";self-harm;A;2026-03-01",
        b"abc123;x;A;2026-03-01",                                   # too short
        (good[1][:-1] + "z").encode() + b";x;A;2026-03-01",          # not hex
        good[1].encode() + b";caf\xc3;A;2026-03-01",                  # bad UTF-8
        good[2].encode() + b";x\x00y;A;2026-03-01",                  # NUL byte
        b";no hash;A;2026-03-01",                                  # empty hash
        good[1].encode() + b";ok;A;yesterday",                       # unreadable date
        good[1].encode() + b";" + b"x" * 20_000,                     # over-long line
        good[1].encode() + b";\xd0\xba\xd0\xb8\xd1\x82;B;1772352000",  # Cyrillic label, Unix time
        good[2].encode() + b";ok;C;01.03.2026",
        good[0].encode() + b";dup;A;",                               # duplicate inside the file
    ]) + b"\r\n"
    report = _import(curator, lid, data)
    assert (report.read, report.accepted, report.duplicates, report.rejected_count) == (11, 3, 1, 7)
    reasons = {r.line: r.reason for r in report.rejected}
    assert "64 hex digits" in reasons[3] and "'z'" in reasons[4] and "UTF-8" in reasons[5]
    assert "NUL" in reasons[6] and "no hash" in reasons[7] and "date" in reasons[8] and "long" in reasons[9]
    with unit_of_work(read_only=True) as s:
        rows = service.entries(s, curator, lid).items
    assert [r.hash for r in rows] == [good[0], good[1], good[2]]
    assert rows[1].label == "кит" and rows[1].added_on is not None


def test_all_or_nothing_adds_nothing_when_a_row_is_bad(curator: Actor, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    with pytest.raises(ValidationFailed) as exc:
        _import(curator, lid, _csv(HASHES[0], "xyz"), mode="all_or_nothing")
    assert exc.value.extra["rejected"][0]["line"] == 3
    with unit_of_work(read_only=True) as s:
        assert service.get(s, curator, lid).entry_count == 0


@pytest.mark.parametrize(("data", "why"), [
    (b"", "empty"), (b"label,source\nx,y\n", "no hash column"), (b"\xff\xfe,h\n", "UTF-8"),
])
def test_files_without_hashes_are_refused_whole(curator: Actor, data: bytes, why: str,
                                                make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    with pytest.raises(ValidationFailed, match=why):
        _import(curator, lid, data)


def test_oversize_file_is_refused(curator: Actor, monkeypatch: pytest.MonkeyPatch, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 500)
    with pytest.raises(ValidationFailed, match="at most 500"):
        _import(curator, lid, _csv(*HASHES))


def test_a_headerless_file_is_read_in_the_documented_column_order(curator: Actor, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    report = _import(curator, lid, f"{HASHES[0]}\tgore\tpartner\n{HASHES[1]}\n".encode())
    assert report.accepted == 2
    with unit_of_work(read_only=True) as s:
        rows = service.entries(s, curator, lid).items
    assert (rows[0].label, rows[0].source) == ("gore", "partner")


def test_export_round_trips_and_versions_are_readable(curator: Actor, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    _import(curator, lid, _csv(f"{HASHES[0]},\"label, with comma\",Ωmega,2026-03-01", HASHES[1], HASHES[2]))
    with unit_of_work() as s:
        rows = service.entries(s, curator, lid).items
        service.remove_entry(s, curator, lid, rows[1].id)
    with unit_of_work(read_only=True) as s:
        text = "".join(service.export_csv(s, curator, lid))
        old = "".join(service.export_csv(s, curator, lid, version=2))
        assert [v.entry_count for v in service.versions(s, curator, lid)] == [2, 3, 0]
    assert HASHES[1] not in text and HASHES[1] in old
    other = make_hash_list(curator, name="copy")
    report = _import(curator, other, text.encode())
    assert report.accepted == 2
    with unit_of_work(read_only=True) as s:
        rows = service.entries(s, curator, other).items
    assert rows[0].label == "label, with comma" and rows[0].source == "Ωmega"


def test_rules_and_permissions(curator: Actor, make_user: Callable[..., Actor], make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator, name="GIFCT TVEC")
    with pytest.raises(Conflict):
        make_hash_list(curator, name="GIFCT TVEC")
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="harm"):
        service.create_list(s, curator, name="x", harm="no_such_harm", source="p")
    with unit_of_work() as s, pytest.raises(ValidationFailed):
        service.create_list(s, curator, name="x\x00", harm="violent_extremism", source="p")
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="max_distance"):
        service.update_list(s, curator, lid, max_distance=65)
    responder = make_user("responder")
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        service.import_csv(s, responder, lid, _csv(HASHES[0]))
    with unit_of_work() as s, pytest.raises(NotFound):
        service.remove_entry(s, curator, lid, 999)
    with unit_of_work() as s:
        service.add_hash(s, curator, lid, hash=HASHES[0])
    with unit_of_work() as s, pytest.raises(Conflict):
        service.add_hash(s, curator, lid, hash=HASHES[0].upper())


def test_matching_honours_each_lists_distance_and_follows_changes(curator: Actor,
                                                                  make_hash_list: ListMaker) -> None:
    wide = make_hash_list(curator, name="wide", max_distance=31)
    narrow = make_hash_list(curator, name="narrow", max_distance=10)
    _import(curator, wide, _csv(HASHES[0], HASHES[1]))
    _import(curator, narrow, _csv(HASHES[0]))
    near, edge, far = flip(HASHES[0], 8), flip(HASHES[0], 31), flip(HASHES[0], 32)
    with unit_of_work(read_only=True) as s:
        hits = matching.match(s, [near, edge, far])
    got = sorted((h.query_index, h.list_name, h.distance) for h in hits)
    assert got == [(0, "narrow", 8), (0, "wide", 8), (1, "wide", 31)]
    with unit_of_work() as s:
        service.update_list(s, curator, narrow, max_distance=31)
    with unit_of_work(read_only=True) as s:  # the index is rebuilt: the list's version moved
        assert sorted(h.list_name for h in matching.match(s, [edge])) == ["narrow", "wide"]
        entry = s.scalar(select(HashEntry).where(HashEntry.list_id == wide, HashEntry.hash == HASHES[0]))
        assert entry is not None
    with unit_of_work() as s:
        service.remove_entry(s, curator, wide, entry.id)
    with unit_of_work(read_only=True) as s:
        assert [h.list_name for h in matching.match(s, [edge])] == ["narrow"]


def test_an_image_matches_its_listed_copy(curator: Actor, make_hash_list: ListMaker) -> None:
    img = picture(7)
    lid = make_hash_list(curator)
    listed = pdq.hash_image(variants(img)["jpeg"]).hash
    _import(curator, lid, _csv(f"{listed},beheading video still,partner,2026-03-01"))
    with unit_of_work(read_only=True) as s:
        hits = matching.match(s, [pdq.hash_image(encode(img)).hash, pdq.hash_image(encode(picture(8))).hash])
    assert [(h.query_index, h.label) for h in hits] == [(0, "beheading video still")]


def test_at_most_the_nearest_hundred_entries_per_hash(curator: Actor, make_hash_list: ListMaker) -> None:
    lid = make_hash_list(curator)
    base = HASHES[0]
    listed = [flip(base, 1 + i % 20, seed=i) for i in range(150)]
    _import(curator, lid, _csv(*listed))
    with unit_of_work(read_only=True) as s:
        hits = matching.match(s, [base])
    distances = [h.distance for h in hits]
    assert len(hits) == matching.MAX_HITS and distances == sorted(distances)
    assert max(distances) <= sorted(pdq.distance(base, h) for h in listed)[99]
