"""REST API for PDQ hash lists: lists, entries, CSV import and export, versions; matching."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import StreamingResponse

from ..db import unit_of_work
from ..http import ActorDep, Id
from . import csvfile, matching, pdq, service
from .schemas import (
    EntryIn,
    EntryOut,
    EntryPage,
    HashListCreate,
    HashListOut,
    HashListPatch,
    ImportOut,
    IntakeMatchOut,
    MatchIn,
    MatchOut,
    VersionOut,
)

router = APIRouter(prefix="/api/v1", tags=["hash lists"])
EntryId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/hashlists", response_model=list[HashListOut])
def list_lists(actor: ActorDep) -> list[HashListOut]:
    """Every hash list with its harm, partner, matching distance, version and entry count."""
    with unit_of_work(read_only=True) as s:
        return service.list_lists(s, actor)


@router.post("/hashlists", status_code=201, response_model=HashListOut)
def create_list(actor: ActorDep, body: HashListCreate, response: Response) -> HashListOut:
    with unit_of_work() as s:
        out = service.create_list(s, actor, name=body.name, harm=body.harm, source=body.source,
                                  description=body.description, max_distance=body.max_distance)
    response.headers["Location"] = f"/api/v1/hashlists/{out.id}"
    return out


@router.get("/hashlists/{list_id}", response_model=EntryPage)
def get_list(actor: ActorDep, list_id: Id, version: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
             q: Annotated[str, Query(max_length=64, pattern=r"^[^\x00]*$")] = "",
             limit: Annotated[int, Query(ge=1, le=1000)] = 100,
             offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> EntryPage:
    """A list and a page of its entries (latest version, or an earlier one); ``q`` filters by hash prefix or label."""
    with unit_of_work(read_only=True) as s:
        return service.entries(s, actor, list_id, version=version, q=q, limit=limit, offset=offset)


@router.patch("/hashlists/{list_id}", response_model=HashListOut)
def update_list(actor: ActorDep, list_id: Id, body: HashListPatch) -> HashListOut:
    """Change the harm, partner, description or matching distance (a new version)."""
    with unit_of_work() as s:
        return service.update_list(s, actor, list_id, **body.model_dump())


@router.post("/hashlists/{list_id}/entries", status_code=201, response_model=EntryOut)
def add_entry(actor: ActorDep, list_id: Id, body: EntryIn) -> EntryOut:
    """Add one hash (409 if the list has it); a new version."""
    with unit_of_work() as s:
        return service.add_hash(s, actor, list_id, hash=body.hash, label=body.label, source=body.source,
                                note=body.note)


@router.delete("/hashlists/{list_id}/entries/{entry_id}", response_model=HashListOut)
def remove_entry(actor: ActorDep, list_id: Id, entry_id: EntryId) -> HashListOut:
    """Remove a hash from the latest version (earlier versions keep it); a new version."""
    with unit_of_work() as s:
        return service.remove_entry(s, actor, list_id, entry_id)


@router.post("/hashlists/{list_id}/import", response_model=ImportOut)
def import_csv(actor: ActorDep, list_id: Id, file: Annotated[UploadFile, File(description="CSV of hashes")],
               mode: Literal["partial", "all_or_nothing"] = "partial") -> ImportOut:
    """Import a partner's CSV (a hash column, optional label, source, added, note). Hashes already in the list
    are duplicates, not new entries; bad rows are listed with their line and reason (``partial`` keeps the
    good ones, ``all_or_nothing`` adds nothing if any row is bad)."""
    data = file.file.read(csvfile.MAX_CSV_BYTES + 1)
    with unit_of_work() as s:
        report = service.import_csv(s, actor, list_id, data, filename=file.filename or "", mode=mode)
    return ImportOut.model_validate(report.as_dict())


@router.get("/hashlists/{list_id}/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "The entries as CSV"}})
def export_csv(actor: ActorDep, list_id: Id,
               version: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None) -> StreamingResponse:
    """The entries as CSV (hash, label, source, added, note), the format import reads."""
    with unit_of_work(read_only=True) as s:
        chunks = list(service.export_csv(s, actor, list_id, version))
    return StreamingResponse(iter(chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="hashlist-{list_id}.csv"'})


@router.get("/hashlists/{list_id}/versions", response_model=list[VersionOut])
def versions(actor: ActorDep, list_id: Id) -> list[VersionOut]:
    with unit_of_work(read_only=True) as s:
        return service.versions(s, actor, list_id)


@router.get("/hashlists/{list_id}/matches", response_model=list[IntakeMatchOut])
def intake_matches(actor: ActorDep, list_id: Id, limit: Annotated[int, Query(ge=1, le=1000)] = 100
                   ) -> list[IntakeMatchOut]:
    """Signals matched against this list at intake, newest first."""
    with unit_of_work(read_only=True) as s:
        return service.recent_matches(s, actor, list_id, limit=limit)


@router.post("/hashes:match", response_model=MatchOut)
def match(actor: ActorDep, body: MatchIn) -> MatchOut:
    """Match PDQ hashes, or an image (base64; hashed here, not stored), against every list within each list's
    distance: the matching entries with their list, label and distance, nearest first."""
    with unit_of_work(read_only=True) as s:
        return matching.match_queries(s, actor, hashes=body.hashes, image_base64=body.image)


@router.post("/hashes:match-image", response_model=MatchOut)
def match_image(actor: ActorDep, image: Annotated[UploadFile, File(description="An image (JPEG, PNG, WebP, GIF…)")]
                ) -> MatchOut:
    """The same as ``hashes:match`` for an image uploaded as multipart/form-data: hashed in memory, not stored."""
    data = image.file.read(pdq.MAX_IMAGE_BYTES + 1)
    with unit_of_work(read_only=True) as s:
        return matching.match_queries(s, actor, image=data)
