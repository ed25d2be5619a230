"""Hash-list manager: PDQ lists from sharing partners, their entries (hashes only), CSV import with its
report, export, and a form that checks an uploaded image (hashed in memory, never stored or shown)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from .. import policy
from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError, ValidationFailed
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.forms import domain_message, form_action
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import render
from . import csvfile, matching, pdq, service
from .service import ImportReport

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.globals_(HASHLIST_SETTINGS={"max_distance": N_("Match distance"), "harm": N_("Harm"),
                                  "source": N_("Source partner"), "description": N_("Description")})
UserDep = Annotated[WebUser, Depends(require_user)]
EntryId = Annotated[int, Path(ge=1, le=2**62)]
PER_PAGE = 100


def _harm_names(locale: str) -> dict[str, str]:
    return {h.slug: (h.name.ru if locale == "ru" else h.name.en) for h in policy.load_taxonomy().harms()
            if not h.is_area}


async def _upload(posted: Posted, name: str, limit: int) -> bytes:
    """The bytes of an uploaded file field (an empty or missing field is a clear error)."""
    field = posted.form.get(name)
    if not isinstance(field, UploadFile) or not field.filename:
        raise ValidationFailed("choose a file to upload", field=name)
    data = await field.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"the file is over {limit} bytes")
    return data


def _index(request: Request, user: WebUser, *, values: dict[str, str] | None = None, error: str = "",
           check: dict[str, Any] | None = None, status: int = 200) -> Response:
    locale = request_locale(request)
    with unit_of_work(read_only=True) as s:
        lists = service.list_lists(s, user.actor)
    return render(request, "hashes/index.html", {
        "lists": lists, "harms": _harm_names(locale), "can_manage": user.actor.can(Perm.HASHLISTS_MANAGE),
        "values": values or {}, "error": error, "check": check, "default_distance": pdq.DEFAULT_DISTANCE,
        "min_quality": pdq.MIN_QUALITY}, status=status)


@router.get("/hashlists")
def index(request: Request, user: UserDep) -> Response:
    """Every hash list with its counts and last import, a form for a new list, and the image check."""
    user.actor.require(Perm.SIGNALS_READ)
    return _index(request, user)


@router.post("/hashlists")
def create(request: Request, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in ("name", "harm", "source", "description", "max_distance")}
    try:
        distance = int(values["max_distance"] or pdq.DEFAULT_DISTANCE)
    except ValueError:
        distance = -1

    def refused(message: str, status: int) -> Response:
        return _index(request, posted.user, values=values, error=message, status=status)

    return form_action(
        request, build=lambda: values, refused=refused, not_found="refuse",
        call=lambda s, v: service.create_list(s, posted.actor, name=v["name"][:500], harm=v["harm"][:100],
                                              source=v["source"][:500], description=v["description"][:5000],
                                              max_distance=distance),
        redirect=lambda s, hl: f"/hashlists/{hl.id}?done=created")


@router.post("/hashlists/check")
async def check_image(request: Request, posted: PostedDep) -> Response:
    """Hash an uploaded image in memory and show the matching entries (the image is not kept nor shown)."""
    try:
        posted.actor.require(Perm.SIGNALS_READ)
        data = await _upload(posted, "image", pdq.MAX_IMAGE_BYTES)
        computed = pdq.hash_image(data)
        del data
        with unit_of_work(read_only=True) as s:
            hits = matching.search(s, posted.actor, [computed.hash])
    except DomainError as exc:
        return _index(request, posted.user, error=domain_message(request_locale(request), exc), status=exc.status)
    return _index(request, posted.user, check={"hash": computed.hash, "quality": computed.quality,
                                               "width": computed.width, "height": computed.height, "hits": hits})


def _list_page(request: Request, user: WebUser, list_id: int, *, report: ImportReport | None = None,
               error: str = "", status: int = 200) -> Response:
    locale = request_locale(request)
    q = request.query_params.get("q", "")[:64].replace("\x00", "")
    try:
        page = max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    with unit_of_work(read_only=True) as s:
        found = service.entries(s, user.actor, list_id, q=q, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        history = service.versions(s, user.actor, list_id)[:20]
        matches = service.recent_matches(s, user.actor, list_id)
    hl, total = found.hash_list, found.total
    return render(request, "hashes/list.html", {
        "hl": hl, "rows": found.items, "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)),
        "q": q, "history": history, "matches": matches, "harm_name": _harm_names(locale).get(hl.harm, hl.harm),
        "can_manage": user.actor.can(Perm.HASHLISTS_MANAGE), "report": report, "error": error,
        "done": request.query_params.get("done", ""), "max_csv": csvfile.MAX_CSV_BYTES}, status=status)


@router.get("/hashlists/{list_id}")
def hash_list(request: Request, list_id: Id, user: UserDep, q: Annotated[str, Query(max_length=64)] = "",
              page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    """One list: its entries (hashes in monospace, no images), import form and report, versions."""
    return _list_page(request, user, list_id)


@router.post("/hashlists/{list_id}/import")
async def import_csv(request: Request, list_id: Id, posted: PostedDep) -> Response:
    try:
        data = await _upload(posted, "file", csvfile.MAX_CSV_BYTES)
        field = posted.form.get("file")
        name = field.filename if isinstance(field, UploadFile) and field.filename else ""
        with unit_of_work() as s:
            report = service.import_csv(s, posted.actor, list_id, data, filename=name)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _list_page(request, posted.user, list_id, error=domain_message(request_locale(request), exc),
                          status=exc.status)
    return _list_page(request, posted.user, list_id, report=report)


def _change_list(request: Request, posted: Posted, list_id: int, change: Callable[[Session], object],
                 done: str) -> Response:
    """Run one change of a list; back to the list with ``?done=`` or, on a refusal, the list with the error
    (an unknown list stays a 404)."""

    def refused(message: str, status: int) -> Response:
        return _list_page(request, posted.user, list_id, error=message, status=status)

    return form_action(request, build=lambda: None, call=lambda s, _: change(s), refused=refused,
                       redirect=lambda s, _: f"/hashlists/{list_id}?done={done}")


@router.post("/hashlists/{list_id}/entries")
def add_entry(request: Request, list_id: Id, posted: PostedDep) -> Response:
    return _change_list(request, posted, list_id, lambda s: service.add_hash(
        s, posted.actor, list_id, hash=posted.get("hash")[:200], label=posted.get("label")[:200],
        note=posted.get("note")[:2000]), "added")


@router.post("/hashlists/{list_id}/entries/{entry_id}/remove")
def remove_entry(request: Request, list_id: Id, entry_id: EntryId, posted: PostedDep) -> Response:
    return _change_list(request, posted, list_id,
                        lambda s: service.remove_entry(s, posted.actor, list_id, entry_id), "removed")


@router.post("/hashlists/{list_id}/settings")
def update(request: Request, list_id: Id, posted: PostedDep) -> Response:
    try:
        distance = int(posted.get("max_distance"))
    except ValueError:
        distance = -1
    description = posted.get("description")[:5000] if "description" in posted.form else None
    return _change_list(request, posted, list_id, lambda s: service.update_list(
        s, posted.actor, list_id, max_distance=distance, description=description), "updated")


@router.get("/hashlists/{list_id}/export.csv")
def export_csv(list_id: Id, user: UserDep) -> Response:
    with unit_of_work(read_only=True) as s:
        chunks = list(service.export_csv(s, user.actor, list_id))
    return StreamingResponse(iter(chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="hashlist-{list_id}.csv"'})
