"""Risk pages: the register with its likelihood × impact heatmap and harm × country matrix (both
server-drawn SVG, each cell a link to the risks in it), a risk with its indicators, assessments and
their review workflow, mitigations, and the annual report. Nothing needs JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session

from .. import markup
from ..db import unit_of_work
from ..errors import DomainError
from ..http import Id, document
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import form_action, split_list, subject_action
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import Translator, render
from . import digest, report, service, vocab
from .schemas import AssessmentIn, DigestSettingsIn, MitigationIn, Register, ReturnIn, RiskCreate, RiskFilter

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(risk_added=N_("The risk was added; its first assessment is a draft."),
              risk_saved=N_("The risk was saved."),
              risk_assessed=N_("The new assessment was drafted."),
              risk_submitted=N_("The assessment was sent to policy and legal."),
              risk_reviewed=N_("Your review was recorded."),
              risk_returned=N_("The assessment was returned to its author."),
              risk_approved=N_("The assessment was approved: its ratings are now the risk's."),
              risk_mitigation=N_("The mitigations were changed."),
              risk_schedule=N_("The digest's schedule was saved."),
              risk_digest_sent=N_("The digest was queued for its recipients."))
pages.globals_(RISK_AREAS=vocab.AREAS, RISK_AREA_LABELS=vocab.AREA_LABELS, RISK_BANDS=vocab.BANDS,
               RISK_BAND_LABELS=vocab.BAND_LABELS, RISK_STATE_LABELS=vocab.STATE_LABELS,
               RISK_LIKELIHOOD_LABELS=vocab.LIKELIHOOD_LABELS, RISK_IMPACT_LABELS=vocab.IMPACT_LABELS,
               RISK_MITIGATION_KINDS=vocab.MITIGATION_KINDS, RISK_MITIGATION_LABELS=vocab.MITIGATION_LABELS,
               RISK_INDICATOR_LABELS=vocab.INDICATOR_LABELS, RISK_SCALE=vocab.SCALE,
               WEEKDAY_LABELS=vocab.WEEKDAY_LABELS)

CELL = 44  # the heatmap's cell, in SVG units


def heatmap_cells(register: Register) -> list[dict[str, Any]]:
    """The 5 × 5 grid as the template draws it: likelihood up the side (5 at the top), impact along."""
    return [{"x": (c.impact - 1) * CELL, "y": (5 - c.likelihood) * CELL, "band": c.band, "risks": c.risks,
             "likelihood": c.likelihood, "impact": c.impact} for c in register.heatmap]


def matrix_grid(register: Register) -> dict[str, Any]:
    """The harm × country matrix as the template draws it: a row per harm, a column per country, each
    risk a coloured cell that links to it."""
    harms = sorted({c.harm for c in register.matrix})
    countries = sorted({c.country for c in register.matrix})
    label, width, height = 190, 44, 22
    cells = [{"x": label + countries.index(c.country) * width, "y": 20 + harms.index(c.harm) * height,
              "cell": c} for c in register.matrix]
    return {"harms": [{"name": h, "y": 20 + i * height} for i, h in enumerate(harms)],
            "countries": [{"code": c, "x": label + i * width + width / 2} for i, c in enumerate(countries)],
            "cells": cells, "w": width - 2, "h": height - 2, "label": label,
            "width": label + len(countries) * width, "height": 20 + len(harms) * height}


def _filter(request: Request) -> tuple[RiskFilter, dict[str, str], str]:
    raw = {k: v for k, v in request.query_params.items() if k in RiskFilter.model_fields and v}
    try:
        return RiskFilter.model_validate(raw), raw, ""
    except ValidationError as exc:
        return RiskFilter(), {}, "; ".join(str(e["msg"]) for e in exc.errors())


def register_page(request: Request, user: WebUser, _key: str = "", *, failed: str = "", error: str = "",
                  values: dict[str, str] | None = None, status: int = 200) -> Response:
    flt, raw, filter_error = _filter(request)
    try:
        with unit_of_work(read_only=True) as s:
            out = service.register(s, user.actor, flt)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "risk/register.html", {
        "r": out, "heat": heatmap_cells(out), "cell": CELL, "matrix": matrix_grid(out), "f": raw,
        "filter_error": filter_error, "failed": failed, "error": error, "values": values or {}}, status=status)


pages.page("risks", register_page)


@router.get("/risks")
def risks(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return register_page(request, user)


@router.post("/risks")
def add_risk(request: Request, posted: PostedDep) -> Response:
    def build() -> RiskCreate:
        form = {k: v for k, v in posted.form.items() if k != "csrf_token" and v != ""}
        return RiskCreate.model_validate(form)

    return subject_action(request, posted, slot="risks", key="", form="add", build=build,
                          call=lambda s, data: service.create(s, posted.actor, data),
                          redirect=lambda _s, out: f"/risks/{out.id}?done=risk_added")


def risk_page(request: Request, user: WebUser, key: str, *, failed: str = "", error: str = "",
              values: dict[str, str] | None = None, status: int = 200) -> Response:
    try:
        risk_id = int(key)
        with unit_of_work(read_only=True) as s:
            out = service.get(s, user.actor, risk_id)
    except ValueError:
        return html_error(request, 404, "Not found", f"no risk {key}")
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    actor = user.actor
    open_one = next((a for a in out.assessments if a.state in ("draft", "in_review", "returned")), None)
    return render(request, "risk/risk.html", {
        "risk": out, "open": open_one, "failed": failed, "error": error, "values": values or {},
        "can_review": actor.role in vocab.REVIEW_ROLES, "reviewer_role": actor.role}, status=status)


pages.page("risk", risk_page)


def _language(request: Request) -> str:
    language = request.query_params.get("language", request_locale(request))
    return language if language in ("en", "ru") else "en"


@router.get("/risks/report")
def report_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """The annual systemic-risk assessment, to download as Markdown or PDF."""
    language = _language(request)
    try:
        with unit_of_work(read_only=True) as s:
            text = report.annual_markdown(s, user.actor, Translator(language))
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return document(text, request.query_params.get("format", "markdown"), title="Systemic risk assessment",
                     language=language, name=f"systemic-risks-{language}")


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: no text of the users' holds them (they are dropped)


def _marked(text: str) -> str:
    """A title the digest quotes, between marks that survive Markdown and its sanitising, so that the preview
    shows it as the users' own words."""
    return _OPEN + _markdown_literal(text.replace(_OPEN, "").replace(_CLOSE, "")) + _CLOSE


def _markdown_literal(text: str) -> str:
    """Text that Markdown reads as it is (its markup characters escaped), so a mark never ends inside a tag."""
    return re.sub(r"([\\`*_{}\[\]()#+!<>|~-])", r"\\\1", text)


def digest_page(request: Request, user: WebUser, _key: str = "", *, failed: str = "", error: str = "",
                values: dict[str, str] | None = None, status: int = 200) -> Response:
    language = _language(request)
    try:
        with unit_of_work(read_only=True) as s:
            out = digest.compose(s, user.actor, Translator(language), language=language, words=_marked)
            schedule = digest.settings(s, user.actor)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    preview = markup.render(out.markdown).replace(_OPEN, '<span data-user-text>').replace(_CLOSE, "</span>")
    return render(request, "risk/digest.html", {
        "digest": out, "preview": Markup(preview), "schedule": schedule, "language": language,
        "failed": failed, "error": error, "values": values or {}}, status=status)


pages.page("risk_digest", digest_page)


@router.get("/risks/digest")
def digest_view(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    fmt = request.query_params.get("format", "")
    if fmt not in ("markdown", "pdf"):
        return digest_page(request, user)
    language = _language(request)
    try:
        with unit_of_work(read_only=True) as s:
            out = digest.compose(s, user.actor, Translator(language), language=language)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return document(out.markdown, fmt, title=out.subject, language=language, name=f"digest-{language}")


@router.post("/risks/digest/schedule")
def set_schedule(request: Request, posted: PostedDep) -> Response:
    def build() -> DigestSettingsIn:
        return DigestSettingsIn.model_validate({
            "enabled": posted.get("enabled") == "1", "weekday": posted.get("weekday") or "0",
            "hour": posted.get("hour") or "9", "timezone": posted.get("timezone") or "Europe/Moscow",
            "recipients": split_list(posted.get("recipients", ""))})

    return subject_action(request, posted, slot="risk_digest", key="", form="schedule", build=build,
                          call=lambda s, data: digest.set_schedule(s, posted.actor, data),
                          redirect=lambda _s, _r: "/risks/digest?done=risk_schedule")


@router.post("/risks/digest/send")
def send_now(request: Request, posted: PostedDep) -> Response:
    return subject_action(request, posted, slot="risk_digest", key="", form="send", build=lambda: None,
                          call=lambda s, _d: digest.send(s, posted.actor, Translator),
                          redirect=lambda _s, _r: "/risks/digest?done=risk_digest_sent")


@router.get("/risks/{risk_id}")
def risk(request: Request, risk_id: Id, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return risk_page(request, user, str(risk_id))


def _act(request: Request, posted: Posted, risk_id: int, *, form: str, build: Callable[[], Any],
         call: Callable[[Session, Any], object], done: str) -> Response:
    return subject_action(request, posted, slot="risk", key=str(risk_id), form=form, build=build, call=call,
                          redirect=lambda _s, _r: f"/risks/{risk_id}?done={done}")


def _fields(posted: Posted, *names: str) -> dict[str, str]:
    return {n: posted.get(n) for n in names if posted.get(n) not in (None, "")}


@router.post("/risks/{risk_id}/edit")
def edit(request: Request, risk_id: Id, posted: PostedDep) -> Response:
    from .schemas import RiskEdit

    return _act(request, posted, risk_id, form="edit", done="risk_saved",
                build=lambda: RiskEdit.model_validate(_fields(posted, "title", "description", "area", "owner")),
                call=lambda s, data: service.edit(s, posted.actor, risk_id, data))


@router.post("/risks/{risk_id}/assessments")
def assess(request: Request, risk_id: Id, posted: PostedDep) -> Response:
    def build() -> AssessmentIn:
        form = _fields(posted, "likelihood", "impact", "residual_likelihood", "residual_impact",
                       "likelihood_reason", "impact_reason", "why")
        form.setdefault("residual_likelihood", form.get("likelihood", ""))
        form.setdefault("residual_impact", form.get("impact", ""))
        return AssessmentIn.model_validate(form)

    return _act(request, posted, risk_id, form="assess", done="risk_assessed", build=build,
                call=lambda s, data: service.assess(s, posted.actor, risk_id, data))


def _step(name: str, done: str) -> Callable[[Request, int, int, Posted], Response]:
    def step(request: Request, risk_id: Id, number: Id, posted: PostedDep) -> Response:
        return _act(request, posted, risk_id, form="workflow", done=done, build=lambda: number,
                    call=lambda s, n: getattr(service, name)(s, posted.actor, risk_id, n))

    router.post(f"/risks/{{risk_id}}/assessments/{{number}}/{name}", name=f"risk_{name}")(step)
    return step


_step("submit", "risk_submitted")
_step("review", "risk_reviewed")
_step("approve", "risk_approved")


@router.post("/risks/{risk_id}/assessments/{number}/return")
def return_assessment(request: Request, risk_id: Id, number: Id, posted: PostedDep) -> Response:
    return _act(request, posted, risk_id, form="workflow", done="risk_returned",
                build=lambda: ReturnIn.model_validate(_fields(posted, "comment")),
                call=lambda s, data: service.return_assessment(s, posted.actor, risk_id, number, data))


@router.post("/risks/{risk_id}/mitigations")
def add_mitigation(request: Request, risk_id: Id, posted: PostedDep) -> Response:
    return _act(request, posted, risk_id, form="mitigation", done="risk_mitigation",
                build=lambda: MitigationIn.model_validate(_fields(posted, "kind", "ref", "description")),
                call=lambda s, data: service.add_mitigation(s, posted.actor, risk_id, data))


@router.post("/risks/{risk_id}/mitigations/{mitigation_id}/remove")
def remove_mitigation(request: Request, risk_id: Id, mitigation_id: Id, posted: PostedDep) -> Response:
    return form_action(request, build=lambda: mitigation_id,
                       call=lambda s, m: service.remove_mitigation(s, posted.actor, risk_id, m),
                       redirect=lambda _s, _r: f"/risks/{risk_id}?done=risk_mitigation")
