"""On-call pages: who is on call, the rota of a schedule, a team's schedules, policies and rules, the
page list, the fairness report; and the two pages reached without a session: acknowledging a page
from the link in its message, and calendar feeds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from .. import auth
from ..auth import Perm
from ..clock import now
from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..http import tokens_match
from ..i18n import N_
from ..incidents.vocab import IncidentType, Role
from ..oncall import ical, paging, policies, reports, service, swaps
from ..oncall.engine import zone
from ..oncall.schemas import WEEKDAYS
from . import oncall_rota
from .security import CSRF_FIELD, CsrfFailed, WebUser, check_login_token, current_web_user, require_user
from .templating import format_time, render

router = APIRouter(include_in_schema=False)
UserDep = Annotated[WebUser, Depends(require_user)]
MAX_ID = 2**31 - 1

NOTICES = {
    "team": N_("The team was created."), "schedule": N_("The schedule was created."),
    "layer": N_("The layer was saved."), "layer_removed": N_("The layer was removed."),
    "override": N_("The override was added."), "override_removed": N_("The override was removed."),
    "swap": N_("The swap was requested."), "swap_accepted": N_("The swap was accepted."),
    "swap_declined": N_("The swap was declined."), "swap_cancelled": N_("The swap was cancelled."),
    "policy": N_("The escalation policy was saved."), "route": N_("The routing rule was added."),
    "route_removed": N_("The routing rule was removed."), "ack": N_("The page was acknowledged."),
    "resolved": N_("The page was resolved."), "paged": N_("The team was paged."),
}
PAGE_STATUS_LABELS = {"triggered": N_("Triggered"), "acknowledged": N_("Acknowledged"), "resolved": N_("Resolved")}
UNIT_LABELS = {"hours": N_("hours"), "days": N_("days"), "weeks": N_("weeks")}
STEP_LABELS = {"schedule": N_("On call in schedule"), "user": N_("Person"), "role": N_("Incident role")}


def _ctx(request: Request, **extra: Any) -> dict[str, Any]:
    done = request.query_params.get("done", "")
    base: dict[str, Any] = {"PAGE_STATUS_LABELS": PAGE_STATUS_LABELS, "UNIT_LABELS": UNIT_LABELS,
                            "STEP_LABELS": STEP_LABELS}
    if done in NOTICES:
        base["notice"] = NOTICES[done]
    return {**base, **extra}


def _id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise NotFound("not found")
    return value


@router.get("/oncall")
def overview(request: Request, user: UserDep) -> Response:
    actor = user.actor
    at = now()
    with unit_of_work(read_only=True) as s:
        teams = service.list_teams(s, actor)
        board = service.on_call(s, actor)
        mine = service.shifts_of(s, actor, actor.user_id or 0, at, at + timedelta(days=28))
        schedules = service.list_schedules(s, actor)
        open_pages, _ = paging.list_pages(s, actor, status=["triggered"], limit=20)
        my_swaps = swaps.swaps_out(s, swaps.list_swaps(s, actor, mine=True, open_only=True))
        pages = paging.pages_out(s, open_pages)
    names = {sc.id: sc.name for sc in schedules}
    team_names = {t.id: t.name for t in teams}
    return render(request, "oncall/overview.html", _ctx(
        request, teams=teams, board=board, schedules=schedules, team_names=team_names,
        mine=[(team_names.get(sc.team_id, ""), names[sc.id], sh) for sc, sh in mine], open_pages=pages,
        swaps=my_swaps, my_feed=f"/oncall/feed/{ical.feed_token(ical.FEED_USER, actor.user_id or 0)}"))


@router.get("/oncall/schedules/{schedule_id}")
def schedule_page(request: Request, schedule_id: int, user: UserDep) -> Response:
    actor = user.actor
    qp = request.query_params
    try:
        days = max(1, min(int(qp.get("days", "14")), 42))
        offset = max(-52, min(int(qp.get("week", "0")), 52))
    except ValueError:
        days, offset = 14, 0
    tz = zone(actor.timezone)
    today = now().astimezone(tz).date() + timedelta(weeks=offset)
    start = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    with unit_of_work(read_only=True) as s:
        sched = service.get_schedule(s, actor, _id(schedule_id))
        out = service.schedule_out(s, sched)
        rota = oncall_rota.build(s, actor, sched.id, start=start, days=days, tz=actor.timezone,
                                 fmt=lambda v: format_time(v, actor.timezone))
        overrides = [service.override_out(s, o) for o in service.overrides_of(s, sched.id, now() - timedelta(days=1),
                                                                              now() + timedelta(days=120))]
        sched_swaps = swaps.swaps_out(s, swaps.list_swaps(s, actor, schedule_id=sched.id))
        usernames = [u.username for u in auth.list_users(s, actor) if u.is_active]
        final = service.final_out(s, sched.id, rota.final) if rota.final else None
    return render(request, "oncall/schedule.html", _ctx(
        request, sched=out, rota=rota, overrides=overrides, swaps=sched_swaps, usernames=usernames, days=days,
        week=offset, final=final, weekdays=WEEKDAYS, can_manage=actor.can(Perm.ONCALL_MANAGE),
        feed=f"/oncall/feed/{ical.feed_token(ical.FEED_SCHEDULE, sched.id)}"))


@router.get("/oncall/teams/{team_id}")
def team_page(request: Request, team_id: int, user: UserDep) -> Response:
    actor = user.actor
    with unit_of_work(read_only=True) as s:
        team = service.get_team(s, actor, _id(team_id))
        schedules = service.list_schedules(s, actor, team.id)
        pols = [policies.policy_out(p) for p in policies.list_policies(s, actor, team.id)]
        routes = [policies.route_out(r) for r in policies.list_routes(s, actor, team.id)]
        board = service.on_call(s, actor, team_id=team.id)
        usernames = [u.username for u in auth.list_users(s, actor) if u.is_active]
    return render(request, "oncall/team.html", _ctx(
        request, team=team, schedules=schedules, policies=pols, routes=routes, board=board, usernames=usernames,
        policy_names={p.id: p.name for p in pols}, incident_types=list(IncidentType), roles=list(Role),
        can_manage=actor.can(Perm.ONCALL_MANAGE)))


@router.get("/oncall/pages")
def pages_page(request: Request, user: UserDep) -> Response:
    actor = user.actor
    status = [v for v in request.query_params.getlist("status") if v in paging.STATUSES]
    mine = request.query_params.get("mine") == "1"
    with unit_of_work(read_only=True) as s:
        pages, total = paging.list_pages(s, actor, status=status, mine=mine, limit=100)
        outs = paging.pages_out(s, pages)
        teams = service.list_teams(s, actor)
    return render(request, "oncall/pages.html", _ctx(request, pages=outs, total=total, status=status, mine=mine,
                                                     teams=teams))


@router.get("/oncall/fairness")
def fairness_page(request: Request, user: UserDep) -> Response:
    actor = user.actor
    try:
        days = max(7, min(int(request.query_params.get("days", "30")), 365))
    except ValueError:
        days = 30
    end = now()
    with unit_of_work(read_only=True) as s:
        rows = reports.fairness(s, actor, end - timedelta(days=days), end)
    return render(request, "oncall/fairness.html", _ctx(request, rows=rows, days=days))


# --- without a session: acknowledgement links and calendar feeds ----------------------------------

def _ack_page(request: Request, token: str, *, done: bool = False, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        page, person = paging.from_token(s, token)
        info = paging.pages_out(s, [page])[0]
    return render(request, "oncall/ack.html", _ctx(request, page=info, person=person, token=token, done=done,
                                                   error=error, restricted=page.restricted), status=status)


@router.get("/oncall/ack/{token}")
def ack_confirm(request: Request, token: str) -> Response:
    """The link in a page's message: a confirmation page (a GET changes nothing)."""
    return _ack_page(request, token)


async def _checked_form(request: Request) -> None:
    """The confirmation form's CSRF token: the session's when logged in, else the signed double-submit
    token of anonymous forms (as on the login page). A cross-site post cannot acknowledge for anyone."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    user = current_web_user(request)
    ok = tokens_match(sent, user.csrf_token) if user and isinstance(sent, str) else \
        check_login_token(request, sent if isinstance(sent, str) else None)
    if not ok:
        raise CsrfFailed()


@router.post("/oncall/ack/{token}", dependencies=[Depends(_checked_form)])
def ack_with_link(request: Request, token: str) -> Response:
    """Acknowledge as the person the link was sent to; the signed token is the only authority needed."""
    try:
        with unit_of_work() as s:
            paging.acknowledge_with_token(s, token)
    except NotFound:
        raise
    except DomainError as exc:  # already acknowledged or resolved: say so on the page
        return _ack_page(request, token, error=exc.detail, status=exc.status)
    return RedirectResponse(f"/oncall/ack/{token}?done=ack", status_code=303)


@router.get("/oncall/feed/{token}")
def calendar_feed(token: str) -> Response:
    with unit_of_work(read_only=True) as s:
        filename, body = ical.feed_by_token(s, token)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"content-disposition": f'inline; filename="{filename}"', "cache-control": "no-store"})
