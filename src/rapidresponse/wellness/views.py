"""Wellness pages: my wellness (my exposure, budgets, breaks, support, check-ins; mine alone), my
safe-viewing settings, the team's aggregate view, the settings leads manage (budgets, surge, support
resources), and the anonymous check-in after an incident. Nothing needs JavaScript."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .. import incidents
from ..auth import Perm
from ..clock import now
from ..db import unit_of_work
from ..errors import DomainError
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.charts import bars
from ..web.errors import html_error
from ..web.forms import kept_values, subject_action
from ..web.security import PostedDep, WebUser, require_user
from ..web.templating import render, zone
from . import service, vocab
from .schemas import BudgetIn, CheckInIn, ResourceIn, SurgeIn, Viewing, ViewSettings

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(viewing_saved=N_("Your safe-viewing settings were saved."),
              budget_saved=N_("The budget was saved."),
              surge_started=N_("Surge mode is on until it expires or is ended."),
              surge_ended=N_("Surge mode ended: limits are back to normal."),
              resources_saved=N_("The support resources were changed."),
              checked_in=N_("Thank you. Your check-in was recorded without your name."))
pages.globals_(WELLNESS_SETTINGS=vocab.SETTINGS, WELLNESS_SETTING_LABELS=vocab.SETTING_LABELS,
               WELLNESS_INTENSITIES=vocab.INTENSITIES, WELLNESS_INTENSITY_LABELS=vocab.INTENSITY_LABELS,
               WELLNESS_KIND_LABELS=vocab.KIND_LABELS, WELLNESS_MIN_GROUP=vocab.MIN_GROUP, MASK=service.MASK)
UserDep = Annotated[WebUser, Depends(require_user)]
CHECK_IN_DAYS = 30  # incidents resolved this recently are offered for a check-in


def _daily(exposures: list[Any], tz: str, days: int = 14) -> dict[str, Any] | None:
    """Minutes a day over the last ``days`` days, in the person's own time zone, for a bar chart."""
    local = zone(tz)
    today = now().astimezone(local).date()
    minutes: dict[Any, float] = defaultdict(float)
    for e in exposures:
        minutes[e.occurred_at.astimezone(local).date()] += e.seconds / 60
    counts = [((today - timedelta(days=i)).strftime("%d.%m"), round(minutes[today - timedelta(days=i)], 1))
              for i in range(days - 1, -1, -1)]
    return bars(counts) if any(n for _, n in counts) else None


def me_page(request: Request, user: WebUser, _key: str = "", *, failed: str = "", error: str = "",
            values: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    with unit_of_work(read_only=True) as s:
        standing = service.standing(s, actor)
        exposures = service.my_exposures(s, actor, days=14)
        budgets = service.my_budgets(s, actor)
        support = service.resources(s)
        recent = incidents.member_of(s, actor, resolved_since=now() - timedelta(days=CHECK_IN_DAYS))
        due = [i for i in recent if not service.checked_in(s, actor, i.ref)]
    by_harm: dict[str, float] = defaultdict(float)
    for e in exposures:
        by_harm[e.harm] += e.seconds / 60
    return render(request, "wellness/me.html", {
        "standing": standing, "exposures": exposures[:50], "budgets": budgets, "resources": support,
        "chart": _daily(exposures, actor.timezone),
        "harm_chart": bars(sorted(((h, round(m, 1)) for h, m in by_harm.items()), key=lambda x: -x[1])),
        "due": due, "failed": failed, "error": error, "values": values or {}}, status=status)


pages.page("wellness", me_page)


@router.get("/wellness")
def me(request: Request, user: UserDep) -> Response:
    return me_page(request, user)


def viewing_page(request: Request, user: WebUser, _key: str = "", *, failed: str = "", error: str = "",
                 values: dict[str, str] | None = None, status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        current = service.viewing(s, user.actor)
    return render(request, "wellness/viewing.html", {"v": current, "failed": failed, "error": error},
                  status=status)


pages.page("wellness-viewing", viewing_page)


@router.get("/wellness/viewing")
def viewing(request: Request, user: UserDep) -> Response:
    return viewing_page(request, user)


@router.post("/wellness/viewing")
def save_viewing(request: Request, posted: PostedDep) -> Response:
    def build() -> Viewing:
        def part(prefix: str) -> ViewSettings:
            return ViewSettings(**{k: posted.form.get(f"{prefix}.{k}") == "1" for k in vocab.SETTINGS})
        return Viewing(general=part("general"), sensitive=part("sensitive"))

    return subject_action(request, posted, slot="wellness-viewing", key="", form="viewing", build=build,
                          call=lambda s, data: service.set_viewing(s, posted.actor, data),
                          redirect=lambda _s, _out: "/wellness/viewing?done=viewing_saved")


@router.get("/wellness/team")
def team(request: Request, user: UserDep) -> Response:
    try:
        days = int(request.query_params.get("days", "28"))
        with unit_of_work(read_only=True) as s:
            view = service.team_view(s, user.actor, days=days)
    except ValueError:
        return html_error(request, 422, "Invalid", "days must be a whole number")
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    chart = bars([(str(g.key), g.hours or 0.0) for g in view.by_intensity if g.people is not None])
    return render(request, "wellness/team.html", {"t": view, "chart": chart})


def manage_page(request: Request, user: WebUser, _key: str = "", *, failed: str = "", error: str = "",
                values: dict[str, str] | None = None, status: int = 200) -> Response:
    if not user.actor.can(Perm.WELLNESS_MANAGE):
        return html_error(request, 403, "Forbidden", "your role does not allow wellness:manage")
    with unit_of_work(read_only=True) as s:
        budgets = service.team_budgets(s)
        surge = service.active_surge(s)
        support = service.resources(s)
    return render(request, "wellness/manage.html", {
        "budgets": budgets, "surge": surge, "resources": support, "failed": failed, "error": error,
        "values": values or {}}, status=status)


pages.page("wellness-manage", manage_page)


@router.get("/wellness/manage")
def manage(request: Request, user: UserDep) -> Response:
    return manage_page(request, user)


def _minutes(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


@router.post("/wellness/manage/budgets")
def save_budget(request: Request, posted: PostedDep) -> Response:
    form = kept_values(posted.form)
    username = (form.get("username") or "").strip() or None

    def build() -> BudgetIn:
        return BudgetIn(intensity=form.get("intensity") or "", daily_minutes=_minutes(form.get("daily_minutes")),
                        weekly_minutes=_minutes(form.get("weekly_minutes")))

    return subject_action(request, posted, slot="wellness-manage", key="", form="budget", build=build,
                          call=lambda s, data: service.set_budget(s, posted.actor, data, username=username,
                                                                  clear=form.get("clear") == "1"),
                          redirect=lambda _s, _out: "/wellness/manage?done=budget_saved")


@router.post("/wellness/manage/surge")
def start_surge(request: Request, posted: PostedDep) -> Response:
    form = kept_values(posted.form)

    def build() -> SurgeIn:
        return SurgeIn.model_validate({k: v for k, v in form.items() if v != ""})

    return subject_action(request, posted, slot="wellness-manage", key="", form="surge", build=build,
                          call=lambda s, data: service.start_surge(s, posted.actor, data),
                          redirect=lambda _s, _out: "/wellness/manage?done=surge_started")


@router.post("/wellness/manage/surge/end")
def end_surge(request: Request, posted: PostedDep) -> Response:
    return subject_action(request, posted, slot="wellness-manage", key="", form="surge", build=lambda: None,
                          call=lambda s, _data: service.end_surge(s, posted.actor),
                          redirect=lambda _s, _out: "/wellness/manage?done=surge_ended")


@router.post("/wellness/manage/resources")
def add_resource(request: Request, posted: PostedDep) -> Response:
    form = kept_values(posted.form)
    return subject_action(request, posted, slot="wellness-manage", key="", form="resource",
                          build=lambda: ResourceIn.model_validate(form),
                          call=lambda s, data: service.add_resource(s, posted.actor, data),
                          redirect=lambda _s, _out: "/wellness/manage?done=resources_saved")


@router.post("/wellness/manage/resources/{resource_id}/remove")
def remove_resource(request: Request, resource_id: Id, posted: PostedDep) -> Response:
    return subject_action(request, posted, slot="wellness-manage", key="", form="resource", build=lambda: None,
                          call=lambda s, _data: service.remove_resource(s, posted.actor, resource_id),
                          redirect=lambda _s, _out: "/wellness/manage?done=resources_saved")


def check_in_page(request: Request, user: WebUser, ref: str, *, failed: str = "", error: str = "",
                  values: dict[str, str] | None = None, status: int = 200) -> Response:
    try:
        with unit_of_work(read_only=True) as s:
            inc = incidents.get(s, user.actor, ref)
            done = service.checked_in(s, user.actor, inc.ref)
            summary = service.check_ins(s, user.actor, inc.ref)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "wellness/check_in.html", {
        "inc": inc, "done": done, "summary": summary, "failed": failed, "error": error, "values": values or {}},
        status=status)


pages.page("wellness-check-in", check_in_page)


@router.get("/incidents/{ref}/check-in")
def check_in(request: Request, ref: str, user: UserDep) -> Response:
    return check_in_page(request, user, ref)


@router.post("/incidents/{ref}/check-in")
def save_check_in(request: Request, ref: str, posted: PostedDep) -> Response:
    form = kept_values(posted.form)

    def build() -> CheckInIn:
        return CheckInIn(wellbeing=int(form.get("wellbeing") or 0), workload=int(form.get("workload") or 0),
                         wants_support=form.get("wants_support") == "1")

    return subject_action(request, posted, slot="wellness-check-in", key=ref, form="check-in", build=build,
                          call=lambda s, data: service.check_in(s, posted.actor, ref, data),
                          redirect=lambda _s, done: f"/incidents/{done}/check-in?done=checked_in")
