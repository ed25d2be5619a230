"""Policy pages: the REECA overview map, country profiles (and their correction form), the harm
taxonomy, and the incident page's "applicable rules" panel.

The panel offers two slots of its own to the domains that add to it (the incident's regulator
requests): ``incident.rules.head`` (beside its heading) and ``incident.rules`` (above the rules).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..clock import now
from ..db import unit_of_work
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.forms import FormError, form_action
from ..web.security import PostedDep, WebUser, require_user
from ..web.templating import Translator, render
from . import service
from .helplines import helplines_for
from .overview import rules_for, tile_map
from .profiles import get_country, load_countries
from .taxonomy import load_taxonomy

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.globals_(HELPLINE_KINDS={"crisis": N_("Crisis line"), "child": N_("Child helpline"),
                               "suicide_prevention": N_("Suicide prevention"), "emergency": N_("Emergency number")})
pages.globals_(POLICY_WEEKDAYS={"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"),
                                "fri": N_("Fri"), "sat": N_("Sat"), "sun": N_("Sun")})


@pass_context
def harm_label(context: Context, label: str) -> str | None:
    """An incident's harm label as the taxonomy names it in the page's language (``{{ harm_label(h) }}``;
    ``dangerous-acts`` is the area ``dangerous_acts``); None for a label the taxonomy does not know, which is
    its author's own word."""
    node = load_taxonomy().nodes.get(label.strip().lower().replace("-", "_"))
    if node is None:
        return None
    return node.name.ru if context.get("LOCALE", "en") == "ru" else node.name.en


pages.globals_(harm_label=harm_label)
pages.notices(profile=N_("The correction was saved; new requests use it, running clocks keep theirs."))
Code = Annotated[str, Path(min_length=2, max_length=2)]


def _read(user: WebUser) -> None:
    user.actor.require(Perm.POLICY_READ)


@router.get("/policy")
def overview(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    _read(user)
    with unit_of_work(read_only=True) as s:
        tiles = tile_map(load_countries(s))
    return render(request, "policy/overview.html", {"tiles": tiles})


def _country_page(request: Request, user: WebUser, code: str, *, failed: str = "", error: str = "",
                  status: int = 200) -> Response:
    _read(user)
    with unit_of_work(read_only=True) as s:
        profile = get_country(code, s)
    return render(request, "policy/country.html", {"p": profile, "failed": failed, "error": error,
                                                   "can_manage": user.actor.can(Perm.POLICY_MANAGE),
                                                   "helplines": helplines_for([profile.code]), "today": now().date()},
                  status=status)


@router.get("/policy/countries/{code}")
def country(request: Request, code: Code, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _country_page(request, user, code)


@router.post("/policy/countries/{code}/deadlines/{name}")
def correct_deadline(request: Request, code: Code, name: Annotated[str, Path(max_length=60)],
                     posted: PostedDep) -> Response:
    """A policy team's correction of one statutory deadline, stored for every process to use."""

    def hours() -> float | None:
        raw = posted.get("hours").strip().replace(",", ".")
        try:
            return float(raw) if raw else None
        except ValueError:
            _ = Translator(request_locale(request))
            raise FormError(_("Hours must be a number.")) from None

    def call(s: Session, value: float | None) -> None:
        service.correct_deadline(s, posted.actor, code, name, hours=value, time=posted.get("time"),
                                 confidence=posted.get("confidence"), notes=posted.get("notes")[:2000])

    return form_action(
        request, build=hours, call=call,
        redirect=lambda _s, _r: f"/policy/countries/{code.upper()}?done=profile#deadlines",
        refused=lambda message, status: _country_page(request, posted.user, code, failed=name, error=message,
                                                      status=status))


@router.get("/policy/taxonomy")
def taxonomy(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    _read(user)
    return render(request, "policy/taxonomy.html", {"t": load_taxonomy()})


# --- the incident page's panel ------------------------------------------------------------------

def incident_rules(session: Session, actor: Actor, inc: Any, locale: str) -> dict[str, Any]:
    """The applicable-rules checklist for the incident's countries and harms, with what other domains
    put in the panel's slots."""
    if not actor.can(Perm.POLICY_READ):
        return {"policy": {"rules": None}}
    rules = rules_for(ref=inc.ref, countries=list(inc.countries), harms=list(inc.harm_categories),
                      profiles=load_countries(session))
    head, head_context = pages.panels("incident.rules.head", session, actor, inc, locale)
    parts, parts_context = pages.panels("incident.rules", session, actor, inc, locale)
    return {**head_context, **parts_context, "policy": {"rules": rules, "head": head, "parts": parts}}


pages.panel("incident.side", "policy/_incident_rules.html", incident_rules, order=10)
