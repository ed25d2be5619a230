"""REST API for reviews: draft, read, edit, moments, workflow, feedback, exit criteria, exports;
action items; recurrences; the learning overview."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from ..db import unit_of_work
from ..http import ActorDep, Id, document
from ..web.templating import Translator
from . import actions, export, service
from .schemas import (
    ActionItemFilter,
    ActionItemIn,
    ActionItemOut,
    ActionItemPage,
    ActionItemUpdate,
    CriterionIn,
    FeedbackIn,
    LearningOut,
    MeetingIn,
    MomentIn,
    MomentOrder,
    RecurrenceOut,
    ReviewEdit,
    ReviewOut,
    ReviewPage,
    SignoffIn,
)

router = APIRouter(prefix="/api/v1", tags=["reviews"])
State = Literal["draft", "in_review", "meeting_held", "published"]


@router.get("/reviews", response_model=ReviewPage)
def list_reviews(actor: ActorDep, state: Annotated[State | None, Query()] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> ReviewPage:
    """Reviews of the incidents you may see, most recently changed first."""
    with unit_of_work(read_only=True) as s:
        items, total = service.list_reviews(s, actor, state=state, limit=limit, offset=offset)
    return ReviewPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/learning", response_model=LearningOut)
def learning(actor: ActorDep) -> LearningOut:
    """Reviews this quarter, open and overdue action items, recurrences per harm and country."""
    with unit_of_work(read_only=True) as s:
        return service.learning(s, actor)


@router.post("/incidents/{ref}/review", status_code=201, response_model=ReviewOut)
def draft(actor: ActorDep, ref: str, response: Response,
          language: Annotated[Literal["en", "ru"], Query()] = "en") -> ReviewOut:
    """Draft the incident's review from its timeline and the figures of the response."""
    with unit_of_work() as s:
        out = service.draft(s, actor, ref, language=language, _=Translator(language))
    response.headers["Location"] = f"/api/v1/incidents/{out.incident}/review"
    return out


@router.get("/incidents/{ref}/review", response_model=ReviewOut)
def get_review(actor: ActorDep, ref: str) -> ReviewOut:
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, ref)


@router.patch("/incidents/{ref}/review", response_model=ReviewOut)
def edit_review(actor: ActorDep, ref: str, body: ReviewEdit) -> ReviewOut:
    """Change sections, the five whys or the language (not once published)."""
    with unit_of_work() as s:
        return service.edit(s, actor, ref, body)


@router.post("/incidents/{ref}/review/figures", response_model=ReviewOut)
def refresh_figures(actor: ActorDep, ref: str) -> ReviewOut:
    """Compute the figures again from what the product knows now."""
    with unit_of_work() as s:
        return service.refresh(s, actor, ref)


@router.post("/incidents/{ref}/review/moments", status_code=201, response_model=ReviewOut)
def add_moment(actor: ActorDep, ref: str, body: MomentIn) -> ReviewOut:
    with unit_of_work() as s:
        return service.add_moment(s, actor, ref, body)


@router.put("/incidents/{ref}/review/moments", response_model=ReviewOut)
def reorder_moments(actor: ActorDep, ref: str, body: MomentOrder) -> ReviewOut:
    """Put the key moments in this order (every id once)."""
    with unit_of_work() as s:
        return service.reorder_moments(s, actor, ref, body)


@router.put("/incidents/{ref}/review/moments/{moment_id}", response_model=ReviewOut)
def edit_moment(actor: ActorDep, ref: str, moment_id: Id, body: MomentIn) -> ReviewOut:
    with unit_of_work() as s:
        return service.edit_moment(s, actor, ref, moment_id, body)


@router.delete("/incidents/{ref}/review/moments/{moment_id}", response_model=ReviewOut)
def remove_moment(actor: ActorDep, ref: str, moment_id: Id) -> ReviewOut:
    with unit_of_work() as s:
        return service.remove_moment(s, actor, ref, moment_id)


@router.post("/incidents/{ref}/review/submit", response_model=ReviewOut)
def submit(actor: ActorDep, ref: str) -> ReviewOut:
    """Draft → in review."""
    with unit_of_work() as s:
        return service.submit(s, actor, ref)


@router.post("/incidents/{ref}/review/meeting", response_model=ReviewOut)
def record_meeting(actor: ActorDep, ref: str, body: MeetingIn) -> ReviewOut:
    """Record the review meeting (date, attendees, notes): in review → meeting held."""
    with unit_of_work() as s:
        return service.record_meeting(s, actor, ref, body)


@router.post("/incidents/{ref}/review/signoffs", response_model=ReviewOut)
def sign_off(actor: ActorDep, ref: str, body: SignoffIn) -> ReviewOut:
    """Sign the review off for a role you hold on the incident."""
    with unit_of_work() as s:
        return service.sign_off(s, actor, ref, body)


@router.post("/incidents/{ref}/review/publish", response_model=ReviewOut)
def publish(actor: ActorDep, ref: str) -> ReviewOut:
    """Publish (409 saying what is missing: the meeting, a summary, a sign-off)."""
    with unit_of_work() as s:
        return service.publish(s, actor, ref)


@router.post("/incidents/{ref}/review/feedback", status_code=201, response_model=ReviewOut)
def give_feedback(actor: ActorDep, ref: str, body: FeedbackIn) -> ReviewOut:
    """Short feedback on the response; anonymous when you choose."""
    with unit_of_work() as s:
        return service.give_feedback(s, actor, ref, body)


@router.put("/incidents/{ref}/review/criteria/{position}", response_model=ReviewOut)
def decide_criterion(actor: ActorDep, ref: str, position: Annotated[int, Path(ge=1, le=500)],
                     body: CriterionIn) -> ReviewOut:
    """Mark an exit criterion met, waive it with a reason, or open it again."""
    with unit_of_work() as s:
        return service.decide_criterion(s, actor, ref, position, body)


@router.get("/incidents/{ref}/review/export")
def export_review(actor: ActorDep, ref: str, format: Annotated[Literal["md", "pdf"], Query()] = "md",
                  language: Annotated[Literal["en", "ru"] | None, Query()] = None) -> Response:
    """The review as Markdown or PDF, with the product's labels in English or Russian."""
    with unit_of_work(read_only=True) as s:
        review = service.get(s, actor, ref)
    lang = language or review.language
    return document(export.markdown(review, lang, Translator(lang)), format, title=review.incident, language=lang,
                    name=f"{review.incident}-review")


@router.get("/incidents/{ref}/recurrences", response_model=list[RecurrenceOut])
def recurrences(actor: ActorDep, ref: str) -> list[RecurrenceOut]:
    """Earlier reviewed incidents of the same harm and country, with their unfinished action items."""
    with unit_of_work(read_only=True) as s:
        return actions.recurrences(s, actor, ref)


@router.get("/action-items", response_model=ActionItemPage)
def list_items(actor: ActorDep, flt: Annotated[ActionItemFilter, Query()]) -> ActionItemPage:
    """Action items across incidents (unfinished by default), soonest due first."""
    with unit_of_work(read_only=True) as s:
        items, total = actions.list_items(s, actor, flt)
    return ActionItemPage(items=items, total=total, limit=flt.limit, offset=flt.offset)


@router.post("/incidents/{ref}/review/action-items", status_code=201, response_model=ActionItemOut)
def add_item(actor: ActorDep, ref: str, body: ActionItemIn, response: Response) -> ActionItemOut:
    with unit_of_work() as s:
        out = actions.add(s, actor, ref, body)
    response.headers["Location"] = f"/api/v1/action-items/{out.id}"
    return out


@router.get("/action-items/{action_item_id}", response_model=ActionItemOut)
def get_item(actor: ActorDep, action_item_id: Id) -> ActionItemOut:
    with unit_of_work(read_only=True) as s:
        return actions.get(s, actor, action_item_id)


@router.patch("/action-items/{action_item_id}", response_model=ActionItemOut)
def update_item(actor: ActorDep, action_item_id: Id, body: ActionItemUpdate) -> ActionItemOut:
    """Change an item; done needs evidence, cancelled a reason."""
    with unit_of_work() as s:
        return actions.update(s, actor, action_item_id, body)


@router.post("/action-items/{action_item_id}/accept-playbook", response_model=ActionItemOut)
def accept_playbook(actor: ActorDep, action_item_id: Id) -> ActionItemOut:
    """Save the item's proposed playbook as a new version and mark the item done."""
    with unit_of_work() as s:
        return actions.accept_playbook(s, actor, action_item_id)
