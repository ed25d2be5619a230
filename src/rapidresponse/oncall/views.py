"""On-call pages: who is on call, the rota of a schedule, a team's schedules, policies and rules, the
page list and the fairness report, and their forms (each posts, calls one service function in one
unit of work and redirects; a refused form shows the reason on an error page and changes nothing);
and the two pages reached without a session: acknowledging a page from the link in its message, and
calendar feeds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import auth
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..http import tokens_match
from ..i18n import N_
from ..incidents import IncidentType, Role
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import FormError, form_action, parse_local_datetime, split_list, subject_action
from ..web.security import (
    CSRF_FIELD,
    CsrfFailed,
    Posted,
    PostedDep,
    WebUser,
    check_login_token,
    current_web_user,
    require_user,
)
from ..web.templating import Translator, format_time, render
from . import feeds, ical, paging, policies, reach, reports, rota, service, swaps
from .engine import zone
from .schemas import WEEKDAYS, LayerIn, OverrideIn, PageIn, PolicyIn, RouteIn, ScheduleIn, SwapIn, TeamIn

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(
    team=N_("The team was created."), schedule=N_("The schedule was created."),
    layer=N_("The layer was saved."), layer_removed=N_("The layer was removed."),
    override=N_("The override was added."), override_removed=N_("The override was removed."),
    swap=N_("The swap was requested."), swap_accepted=N_("The swap was accepted."),
    swap_declined=N_("The swap was declined."), swap_cancelled=N_("The swap was cancelled."),
    policy=N_("The escalation policy was saved."), route=N_("The routing rule was added."),
    route_removed=N_("The routing rule was removed."), ack=N_("The page was acknowledged."),
    resolved=N_("The page was resolved."), paged=N_("The team was paged."),
    escalated=N_("The page went on to its next step."),
)
UserDep = Annotated[WebUser, Depends(require_user)]
MAX_ID = 2**31 - 1
PAGE_STATUS_LABELS = {"triggered": N_("Triggered"), "acknowledged": N_("Acknowledged"), "resolved": N_("Resolved")}
UNIT_LABELS = {"hours": N_("hours"), "days": N_("days"), "weeks": N_("weeks")}
WEEKDAY_LABELS = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"),
                  "sat": N_("Sat"), "sun": N_("Sun")}
POLICY_STEPS = 6  # step rows in the policy forms (a policy keeps up to ten through the API)
STEP_LABELS = {"schedule": N_("On call in schedule"), "user": N_("Person"), "role": N_("Incident role")}


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"POLICY_STEPS": POLICY_STEPS, "PAGE_STATUS_LABELS": PAGE_STATUS_LABELS, "UNIT_LABELS": UNIT_LABELS,
            "WEEKDAY_LABELS": WEEKDAY_LABELS,
            "STEP_LABELS": STEP_LABELS, **extra}


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
        mine = service.shifts_of(s, actor, actor.user_id or 0, at, at + timedelta(days=28))
        schedules = service.list_schedules(s, actor)
        place = request.query_params.get("place", "")[:80]
        board = reach.on_call_at(s, actor, place=place, at=at)
        cannot = reach.unreachable(s, at=at)
        open_pages, _ = paging.list_pages(s, actor, status=["triggered"], limit=20)
        my_swaps = swaps.swaps_out(s, swaps.list_swaps(s, actor, mine=True, open_only=True))
        pages = paging.pages_out(s, open_pages)
        my_feed = feeds.link(s, actor.user_id) if actor.user_id is not None else None
    names = {sc.id: sc.name for sc in schedules}
    team_names = {t.id: t.name for t in teams}
    return render(request, "oncall/overview.html", _ctx(
        teams=teams, board=board, schedules=schedules, team_names=team_names,
        mine=[(team_names.get(sc.team_id, ""), names[sc.id], sh) for sc, sh in mine], open_pages=pages,
        place=place, unreachable=cannot, me_unreachable=[u for u in cannot if u.user_id == actor.user_id],
        local_time=reach.local_time,
        swaps=my_swaps, my_feed=my_feed))


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
        drawing = rota.build(s, actor, sched.id, start=start, days=days, tz=actor.timezone,
                                 fmt=lambda v: format_time(v, actor.timezone))
        overrides = [service.override_out(s, o) for o in service.overrides_of(s, sched.id, now() - timedelta(days=1),
                                                                              now() + timedelta(days=120))]
        sched_swaps = swaps.swaps_out(s, swaps.list_swaps(s, actor, schedule_id=sched.id))
        usernames = [u.username for u in auth.list_users(s, actor) if u.is_active]
        final = service.final_out(s, sched.id, drawing.final) if drawing.final else None
        cannot = reach.unreachable(s, schedule_id=sched.id)
    return render(request, "oncall/schedule.html", _ctx(
        unreachable=cannot,
        sched=out, rota=drawing, overrides=overrides, swaps=sched_swaps, usernames=usernames, days=days,
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
        team=team, schedules=schedules, policies=pols, routes=routes, board=board, usernames=usernames,
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
    return render(request, "oncall/pages.html", _ctx(pages=outs, total=total, status=status, mine=mine,
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
    return render(request, "oncall/fairness.html", _ctx(rows=rows, days=days))


# --- without a session: acknowledgement links and calendar feeds ----------------------------------

def _ack_page(request: Request, token: str, *, done: bool = False, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        page, person = paging.from_token(s, token)
        info = paging.pages_out(s, [page])[0]
    return render(request, "oncall/ack.html", _ctx(page=info, person=person, token=token, done=done,
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


# --- a person's calendar feed, on their settings page -----------------------------------------------

def _feed_panel(s: Session, actor: Actor, person: Any, locale: str) -> dict[str, Any]:
    path = feeds.link(s, actor.user_id) if actor.user_id is not None else None
    return {"feed_url": f"{get_settings().base_url.rstrip('/')}{path}" if path else None}


pages.panel("account.settings", "oncall/_feed.html", _feed_panel, order=10)
pages.notices(feed_reissued=N_("A new calendar feed link was issued; the old one no longer works."),
              feed_revoked=N_("The calendar feed link was revoked."))


@router.post("/account/calendar-feed/reissue")
def reissue_feed(request: Request, posted: PostedDep) -> Response:
    return form_action(request, build=lambda: None, call=lambda s, _: feeds.reissue(s, posted.actor),
                       redirect=_to("/account/settings?done=feed_reissued#calendar"))


@router.post("/account/calendar-feed/revoke")
def revoke_feed(request: Request, posted: PostedDep) -> Response:
    return form_action(request, build=lambda: None, call=lambda s, _: feeds.revoke(s, posted.actor),
                       redirect=_to("/account/settings?done=feed_revoked#calendar"))


# --- the forms ------------------------------------------------------------------------------------

def _to(url: str) -> Callable[[Session, object], str]:
    """Go to ``url`` after the form's call."""
    return lambda _session, _result: url


def _window(posted: Posted, tz: str) -> dict[str, Any]:
    return {"starts_at": parse_local_datetime(posted.get("starts_at"), tz),
            "ends_at": parse_local_datetime(posted.get("ends_at"), tz)}


@router.post("/oncall/teams")
def create_team(request: Request, posted: PostedDep) -> Response:
    return form_action(request, build=lambda: TeamIn(name=posted.get("name"), timezone=posted.get("timezone") or "UTC",
                                                     description=posted.get("description")),
                       call=lambda s, d: service.create_team(s, posted.actor, d),
                       redirect=lambda s, team: f"/oncall/teams/{team.id}?done=team")


@router.post("/oncall/teams/{team_id}/schedules")
def create_schedule(request: Request, team_id: int, posted: PostedDep) -> Response:
    _id(team_id)
    return form_action(request, build=lambda: ScheduleIn(name=posted.get("name"),
                                                         timezone=posted.get("timezone") or "UTC",
                                                         country=posted.get("country").strip().upper() or None),
                       call=lambda s, d: service.create_schedule(s, posted.actor, team_id, d),
                       redirect=lambda s, sched: f"/oncall/schedules/{sched.id}?done=schedule")


def _layer(posted: Posted) -> LayerIn:
    days = [d for d in posted.getlist("days") if d in WEEKDAYS]
    restrictions = []
    if days and posted.get("window_start") and posted.get("window_end"):
        restrictions = [{"days": days, "start": posted.get("window_start"), "end": posted.get("window_end")}]
    return LayerIn.model_validate({
        "name": posted.get("name"), "level": posted.get("level") or "1", "users": split_list(posted.get("users")),
        "timezone": posted.get("timezone"), "start_date": posted.get("start_date"),
        "handoff_time": posted.get("handoff_time") or "09:00", "shift_length": posted.get("shift_length") or "1",
        "shift_unit": posted.get("shift_unit") or "weeks", "restrictions": restrictions,
        "country": posted.get("country").strip().upper() or None})


@router.post("/oncall/schedules/{schedule_id}/layers")
def add_layer(request: Request, schedule_id: int, posted: PostedDep) -> Response:
    _id(schedule_id)
    return form_action(request, build=lambda: _layer(posted),
                       call=lambda s, d: service.add_layer(s, posted.actor, schedule_id, d),
                       redirect=_to(f"/oncall/schedules/{schedule_id}?done=layer"))


@router.post("/oncall/schedules/{schedule_id}/layers/{layer_id}/delete")
def remove_layer(request: Request, schedule_id: int, layer_id: int, posted: PostedDep) -> Response:
    _id(schedule_id), _id(layer_id)
    return form_action(request, build=lambda: None,
                       call=lambda s, _: service.remove_layer(s, posted.actor, schedule_id, layer_id),
                       redirect=_to(f"/oncall/schedules/{schedule_id}?done=layer_removed"))


@router.post("/oncall/schedules/{schedule_id}/overrides")
def add_override(request: Request, schedule_id: int, posted: PostedDep) -> Response:
    _id(schedule_id)
    tz = posted.actor.timezone
    return form_action(request, build=lambda: OverrideIn.model_validate({
        **_window(posted, tz), "username": posted.get("username"), "reason": posted.get("reason")}),
        call=lambda s, d: service.add_override(s, posted.actor, schedule_id, d),
        redirect=_to(f"/oncall/schedules/{schedule_id}?done=override#overrides"))


@router.post("/oncall/schedules/{schedule_id}/overrides/{override_id}/delete")
def remove_override(request: Request, schedule_id: int, override_id: int, posted: PostedDep) -> Response:
    _id(schedule_id), _id(override_id)
    return form_action(request, build=lambda: None,
                       call=lambda s, _: service.remove_override(s, posted.actor, schedule_id, override_id),
                       redirect=_to(f"/oncall/schedules/{schedule_id}?done=override_removed#overrides"))


@router.post("/oncall/schedules/{schedule_id}/swaps")
def request_swap(request: Request, schedule_id: int, posted: PostedDep) -> Response:
    _id(schedule_id)
    return form_action(request, build=lambda: SwapIn.model_validate({
        **_window(posted, posted.actor.timezone), "username": posted.get("username"), "note": posted.get("note")}),
        call=lambda s, d: swaps.request_swap(s, posted.actor, schedule_id, d),
        redirect=_to(f"/oncall/schedules/{schedule_id}?done=swap#swaps"))


@router.post("/oncall/swaps/{swap_id}")
def decide_swap(request: Request, swap_id: int, posted: PostedDep) -> Response:
    _id(swap_id)
    acts = {"accept": (swaps.accept, "swap_accepted"), "decline": (swaps.decline, "swap_declined"),
            "cancel": (swaps.cancel, "swap_cancelled")}
    if posted.get("decision") not in acts:
        return html_error(request, 422, "Validation failed", "decision: accept, decline or cancel")
    decide, done = acts[posted.get("decision")]
    return form_action(request, build=lambda: None, call=lambda s, _: decide(s, posted.actor, swap_id),
                       redirect=_to(f"/oncall?done={done}"))


def _policy(posted: Posted) -> PolicyIn:
    steps = []
    for i in range(1, POLICY_STEPS + 1):
        kind, target = posted.get(f"step{i}_kind"), posted.get(f"step{i}_target").strip()
        if kind and target:
            steps.append({"kind": kind, "target": target, "delay_minutes": posted.get(f"step{i}_delay") or "15"})
    return PolicyIn.model_validate({"name": posted.get("name"), "repeat": posted.get("repeat") or "0",
                                    "steps": steps})


@router.post("/oncall/teams/{team_id}/policies")
def create_policy(request: Request, team_id: int, posted: PostedDep) -> Response:
    _id(team_id)
    return form_action(request, build=lambda: _policy(posted),
                       call=lambda s, d: policies.create_policy(s, posted.actor, team_id, d),
                       redirect=_to(f"/oncall/teams/{team_id}?done=policy#policies"))


@router.post("/oncall/policies/{policy_id}")
def update_policy(request: Request, policy_id: int, posted: PostedDep) -> Response:
    """Change a policy's name, steps (a step left without a target is dropped), delays and repeats."""
    _id(policy_id)
    return form_action(request, build=lambda: _policy(posted),
                       call=lambda s, d: policies.update_policy(s, posted.actor, policy_id, d),
                       redirect=lambda s, p: f"/oncall/teams/{p.team_id}?done=policy#policy-{p.id}")


@router.post("/oncall/teams/{team_id}/routes")
def add_route(request: Request, team_id: int, posted: PostedDep) -> Response:
    _id(team_id)
    return form_action(request, build=lambda: RouteIn.model_validate({
        "policy_id": posted.get("policy_id") or "0", "position": posted.get("position") or "0",
        "incident_types": posted.getlist("incident_types"), "countries": split_list(posted.get("countries")),
        "languages": split_list(posted.get("languages")), "min_severity": posted.get("min_severity") or "2"}),
        call=lambda s, d: policies.add_route(s, posted.actor, team_id, d),
        redirect=_to(f"/oncall/teams/{team_id}?done=route#routes"))


@router.post("/oncall/teams/{team_id}/routes/{route_id}/delete")
def remove_route(request: Request, team_id: int, route_id: int, posted: PostedDep) -> Response:
    _id(team_id), _id(route_id)
    return form_action(request, build=lambda: None,
                       call=lambda s, _: policies.remove_route(s, posted.actor, team_id, route_id),
                       redirect=_to(f"/oncall/teams/{team_id}?done=route_removed#routes"))


@router.post("/oncall/pages")
def page_team(request: Request, posted: PostedDep) -> Response:
    return form_action(request, build=lambda: PageIn.model_validate({"team_id": posted.get("team_id") or "0",
                                                                     "summary": posted.get("summary")}),
                       call=lambda s, d: paging.page_team(s, posted.actor, d), redirect=_to("/oncall/pages?done=paged"))


@router.post("/oncall/pages/{page_id}/ack")
def acknowledge(request: Request, page_id: int, posted: PostedDep) -> Response:
    _id(page_id)
    return form_action(request, build=lambda: None,
                       call=lambda s, _: paging.acknowledge(s, posted.actor, page_id, via="ui"),
                       redirect=_to("/oncall/pages?done=ack"))


@router.post("/oncall/pages/{page_id}/resolve")
def resolve(request: Request, page_id: int, posted: PostedDep) -> Response:
    _id(page_id)
    return form_action(request, build=lambda: None, call=lambda s, _: paging.resolve(s, posted.actor, page_id),
                       redirect=_to("/oncall/pages?done=resolved"))


# --- "Page the on-call" on an incident ------------------------------------------------------------

def incident_paging(session: Session, actor: Any, inc: Any, locale: str) -> dict[str, Any]:
    """The incident's pages, and the teams and policies one may page about it."""
    if not actor.can(Perm.ONCALL_READ):
        return {"oncall_panel": None}
    teams = {t.id: t.name for t in service.list_teams(session, actor)}
    choices = [(f"{p.team_id}:{p.id}", f"{teams.get(p.team_id, '')} — {p.name}")
               for p in policies.list_policies(session, actor)]
    found = paging.pages_about(session, actor, inc.id)
    return {"oncall_panel": {"choices": choices, "pages": paging.pages_out(session, found),
                             "open": inc.status not in ("resolved", "closed", "cancelled", "merged")}}


pages.panel("incident.side", "oncall/_incident_paging.html", incident_paging, order=3)


@router.post("/incidents/{ref}/page")
def page_on_call(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> PageIn:
        team, _, policy = posted.get("target").partition(":")
        if not team.isdigit() or not policy.isdigit():
            raise FormError(Translator(request_locale(request))("Choose a team and its escalation policy."))
        return PageIn(team_id=int(team), policy_id=int(policy), incident_ref=ref[:20],
                      summary=posted.get("summary").strip()[:300])

    return subject_action(request, posted, slot="incident", key=ref, form="page-oncall", build=build,
                          call=lambda s, data: paging.page_team(s, posted.actor, data),
                          redirect=lambda s, page: f"/incidents/{page.incident_ref}?done=paged#oncall-panel")


@router.post("/oncall/pages/{page_id}/escalate")
def escalate_page(request: Request, page_id: int, posted: PostedDep) -> Response:
    _id(page_id)
    return form_action(request, build=lambda: None, call=lambda s, _: paging.escalate_now(s, posted.actor, page_id),
                       redirect=_to("/oncall/pages?done=escalated"))
