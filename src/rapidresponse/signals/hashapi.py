"""REST API for PDQ hash lists: lists, entries, CSV import and export, versions; matching."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import StreamingResponse

from ..auth import Perm
from ..db import unit_of_work
from ..errors import ValidationFailed
from ..http import ActorDep
from . import hashcsv, hashlists, pdq
from .hashmodels import HashEntry, HashList
from .hashschemas import (
    EntryIn,
    EntryOut,
    EntryPage,
    HashListCreate,
    HashListOut,
    HashListPatch,
    HashMatchOut,
    ImportOut,
    IntakeMatchOut,
    MatchIn,
    MatchOut,
    QueryResult,
    VersionOut,
)

router = APIRouter(tags=["hash lists"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
EntryId = Annotated[int, Path(ge=1, le=2**62)]


def list_out(hl: HashList) -> HashListOut:
    return HashListOut(id=hl.id, name=hl.name, harm=hl.harm, source=hl.source, description=hl.description,
                       max_distance=hl.max_distance, version=hl.version, entry_count=hl.entry_count,
                       last_import_at=hl.last_import_at, updated_at=hl.updated_at)


def entry_out(e: HashEntry) -> EntryOut:
    return EntryOut(id=e.id, hash=e.hash, label=e.label, source=e.source, added_on=e.added_on, note=e.note,
                    added_in=e.added_in, removed_in=e.removed_in)


@router.get("/hashlists", response_model=list[HashListOut])
def list_lists(actor: ActorDep) -> list[HashListOut]:
    """Every hash list with its harm, partner, matching distance, version and entry count."""
    with unit_of_work(read_only=True) as s:
        return [list_out(hl) for hl in hashlists.list_lists(s, actor)]


@router.post("/hashlists", status_code=201, response_model=HashListOut)
def create_list(actor: ActorDep, body: HashListCreate, response: Response) -> HashListOut:
    with unit_of_work() as s:
        hl = hashlists.create_list(s, actor, name=body.name, harm=body.harm, source=body.source,
                                   description=body.description, max_distance=body.max_distance)
        out = list_out(hl)
    response.headers["Location"] = f"/api/v1/hashlists/{out.id}"
    return out


@router.get("/hashlists/{list_id}", response_model=EntryPage)
def get_list(actor: ActorDep, list_id: Id, version: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
             q: Annotated[str, Query(max_length=64, pattern=r"^[^\x00]*$")] = "",
             limit: Annotated[int, Query(ge=1, le=1000)] = 100,
             offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> EntryPage:
    """A list and a page of its entries (latest version, or an earlier one); ``q`` filters by hash prefix or label."""
    with unit_of_work(read_only=True) as s:
        hl = hashlists.get(s, actor, list_id)
        items, total = hashlists.entries(s, hl, version=version, q=q, limit=limit, offset=offset)
        return EntryPage(hash_list=list_out(hl), version=hl.version if version is None else version,
                         items=[entry_out(e) for e in items], total=total, limit=limit, offset=offset)


@router.patch("/hashlists/{list_id}", response_model=HashListOut)
def update_list(actor: ActorDep, list_id: Id, body: HashListPatch) -> HashListOut:
    """Change the harm, partner, description or matching distance (a new version)."""
    with unit_of_work() as s:
        return list_out(hashlists.update_list(s, actor, list_id, **body.model_dump()))


@router.post("/hashlists/{list_id}/entries", status_code=201, response_model=EntryOut)
def add_entry(actor: ActorDep, list_id: Id, body: EntryIn) -> EntryOut:
    """Add one hash (409 if the list has it); a new version."""
    with unit_of_work() as s:
        return entry_out(hashlists.add_hash(s, actor, list_id, hash=body.hash, label=body.label,
                                            source=body.source, note=body.note))


@router.delete("/hashlists/{list_id}/entries/{entry_id}", response_model=HashListOut)
def remove_entry(actor: ActorDep, list_id: Id, entry_id: EntryId) -> HashListOut:
    """Remove a hash from the latest version (earlier versions keep it); a new version."""
    with unit_of_work() as s:
        return list_out(hashlists.remove_entry(s, actor, list_id, entry_id))


@router.post("/hashlists/{list_id}/import", response_model=ImportOut)
def import_csv(actor: ActorDep, list_id: Id, file: Annotated[UploadFile, File(description="CSV of hashes")],
               mode: Literal["partial", "all_or_nothing"] = "partial") -> ImportOut:
    """Import a partner's CSV (a hash column, optional label, source, added, note). Hashes already in the list
    are duplicates, not new entries; bad rows are listed with their line and reason (``partial`` keeps the
    good ones, ``all_or_nothing`` adds nothing if any row is bad)."""
    data = file.file.read(hashcsv.MAX_CSV_BYTES + 1)
    with unit_of_work() as s:
        report = hashlists.import_csv(s, actor, list_id, data, filename=file.filename or "", mode=mode)
    return ImportOut.model_validate(report.as_dict())


@router.get("/hashlists/{list_id}/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "The entries as CSV"}})
def export_csv(actor: ActorDep, list_id: Id,
               version: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None) -> StreamingResponse:
    """The entries as CSV (hash, label, source, added, note), the format import reads."""
    with unit_of_work(read_only=True) as s:
        chunks = list(hashlists.export_csv(s, actor, list_id, version))
    return StreamingResponse(iter(chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="hashlist-{list_id}.csv"'})


@router.get("/hashlists/{list_id}/versions", response_model=list[VersionOut])
def versions(actor: ActorDep, list_id: Id) -> list[VersionOut]:
    with unit_of_work(read_only=True) as s:
        return [VersionOut(number=v.number, change=v.change, entry_count=v.entry_count, created_by=v.created_by,
                           created_at=v.created_at) for v in hashlists.versions(s, hashlists.get(s, actor, list_id))]


@router.get("/hashlists/{list_id}/matches", response_model=list[IntakeMatchOut])
def intake_matches(actor: ActorDep, list_id: Id, limit: Annotated[int, Query(ge=1, le=1000)] = 100
                   ) -> list[IntakeMatchOut]:
    """Signals matched against this list at intake, newest first."""
    with unit_of_work(read_only=True) as s:
        rows = hashlists.recent_matches(s, hashlists.get(s, actor, list_id), limit=limit)
        return [IntakeMatchOut(signal_id=m.signal_id, list_id=m.list_id, entry_id=m.entry_id, distance=m.distance,
                               matched_at=m.matched_at) for m in rows]


@router.post("/hashes:match", response_model=MatchOut)
def match(actor: ActorDep, body: MatchIn) -> MatchOut:
    """Match PDQ hashes, or an image (base64; hashed here, not stored), against every list within each list's
    distance: the matching entries with their list, label and distance, nearest first."""
    actor.require(Perm.SIGNALS_READ)
    if not body.hashes and body.image is None:
        raise ValidationFailed("give hashes or an image")
    queries: list[tuple[str, str, int | None]] = []
    for i, value in enumerate(body.hashes):
        try:
            queries.append((pdq.parse_hash(value), "given", None))
        except ValidationFailed as exc:
            raise ValidationFailed(f"hashes[{i}]: {exc.detail}", field=f"hashes.{i}") from None
    if body.image is not None:
        try:
            data = base64.b64decode(body.image, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("image: not base64", field="image") from None
        computed = pdq.hash_image(data)
        queries.append((computed.hash, "image", computed.quality))
    return _results(queries)


@router.post("/hashes:match-image", response_model=MatchOut)
def match_image(actor: ActorDep, image: Annotated[UploadFile, File(description="An image (JPEG, PNG, WebP, GIF…)")]
                ) -> MatchOut:
    """The same as ``hashes:match`` for an image uploaded as multipart/form-data: hashed in memory, not stored."""
    actor.require(Perm.SIGNALS_READ)
    data = image.file.read(pdq.MAX_IMAGE_BYTES + 1)
    computed = pdq.hash_image(data)
    return _results([(computed.hash, "image", computed.quality)])


def _results(queries: list[tuple[str, str, int | None]]) -> MatchOut:
    with unit_of_work(read_only=True) as s:
        hits = hashlists.match(s, [q for q, _, _ in queries])
    results = []
    for i, (value, origin, quality) in enumerate(queries):
        mine = [HashMatchOut(list_id=h.list_id, list_name=h.list_name, harm=h.harm, entry_id=h.entry_id,
                             hash=h.hash, label=h.label, distance=h.distance) for h in hits if h.query_index == i]
        results.append(QueryResult(hash=value, origin=origin, quality=quality, matches=mine))
    return MatchOut(results=results)
