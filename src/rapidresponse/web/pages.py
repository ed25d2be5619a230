"""How a domain adds to the web UI without the UI knowing the domain.

A domain's ``views.py`` calls these when it is imported:

- :func:`templates` adds its ``templates/`` folder (its templates are named ``<domain>/<page>.html``);
- :func:`globals_` makes labels and constants available to every template (``TYPE_LABELS`` …);
- :func:`notices` adds the confirmations shown after a form post redirects (``?done=<code>``);
- :func:`badge` counts something for the navigation (approvals waiting, open alerts);
- :func:`panel` adds a section to another domain's page (the playbook checklist on the incident
  page), and :func:`page` lets other domains re-render a page after a refused form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.responses import Response
from sqlalchemy.orm import Session

from ..auth import Actor

TEMPLATE_DIRS: list[Path] = [Path(__file__).parent / "templates"]
GLOBALS: dict[str, Any] = {}
NOTICES: dict[str, str] = {}
BADGES: dict[str, Callable[[Session, Actor], int]] = {}
PANELS: dict[str, list[Panel]] = {}
PAGES: dict[str, Callable[..., Response]] = {}


def _changed() -> None:
    from .templating import environment

    environment.cache_clear()


def templates(module_file: str) -> None:
    """Add the ``templates/`` folder beside ``module_file`` (a domain's ``views.py``)."""
    folder = Path(module_file).parent / "templates"
    if folder not in TEMPLATE_DIRS:
        TEMPLATE_DIRS.append(folder)
        _changed()


def globals_(**values: Any) -> None:
    """Names every template can use."""
    GLOBALS.update(values)
    _changed()


def notices(**texts: str) -> None:
    """Confirmations by ``?done=`` code: fixed texts marked with ``N_``, never user input."""
    NOTICES.update(texts)


def badge(name: str, count: Callable[[Session, Actor], int]) -> None:
    """A number beside a navigation entry; the layout asks for it with ``badge(name)``."""
    BADGES[name] = count


@dataclass(frozen=True)
class Panel:
    """A section of another domain's page: ``template`` rendered with ``context(session, actor, subject,
    locale)`` merged into the page's own context."""

    template: str
    context: Callable[[Session, Actor, Any, str], dict[str, Any]]
    order: int = 100


def panel(slot: str, template: str, context: Callable[[Session, Actor, Any, str], dict[str, Any]],
          *, order: int = 100) -> None:
    """Add a section to the page that renders ``slot`` (e.g. ``"incident"``)."""
    found = PANELS.setdefault(slot, [])
    if all(p.template != template for p in found):
        found.append(Panel(template, context, order))
        found.sort(key=lambda p: p.order)


def panels(slot: str, session: Session, actor: Actor, subject: Any, locale: str) -> tuple[list[str], dict[str, Any]]:
    """The templates of ``slot``'s panels, in order, and their merged context."""
    context: dict[str, Any] = {}
    for p in PANELS.get(slot, ()):
        context.update(p.context(session, actor, subject, locale))
    return [p.template for p in PANELS.get(slot, ())], context


def page(slot: str, render: Callable[..., Response] | None = None) -> Callable[..., Response]:
    """Register (with ``render``) or look up the renderer of ``slot``'s page, e.g. to show the incident
    page again with a panel form's error: ``page("incident")(request, user, ref, failed=…, error=…)``."""
    if render is not None:
        PAGES[slot] = render
    return PAGES[slot]
