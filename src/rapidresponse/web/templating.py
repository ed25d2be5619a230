"""The Jinja2 environment, UI translations (gettext catalogs via Babel) and display helpers.

There is one Jinja environment per UI locale, each with its own gettext translations installed,
so that concurrent requests in different languages never share state. English is the source
language; Russian comes from ``locale/ru/LC_MESSAGES/messages.mo`` (compiled by ``make catalogs``).
When the .mo is missing or older than the .po, the .po is compiled in memory; when both are
missing the UI falls back to English.
"""

from __future__ import annotations

import gettext as gettext_module
import io
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from babel import Locale
from babel.dates import format_timedelta
from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .. import markup
from ..auth import LOCALES
from ..clock import now
from ..config import get_settings

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
TEMPLATES_DIR = HERE / "templates"
DOMAIN = "messages"
log = structlog.get_logger("rapidresponse.web")

# Strict by default: no inline script or style, no framing, forms post only to us.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HTML_HEADERS = {"content-security-policy": CSP, "x-frame-options": "DENY", "cache-control": "no-store"}


def _compile_po(po_path: Path) -> Translations | None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    try:
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    except Exception as exc:  # a broken catalog must not take the UI down
        log.warning("cannot compile UI catalog", path=str(po_path), error=str(exc))
        return None


def compile_catalogs(force: bool = False) -> list[Path]:
    """Compile every ``.po`` under ``locale/`` into its ``.mo`` when missing or stale; returns those written.

    ``make catalogs`` does the same with ``pybabel compile``; tests call this so the UI is translated.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name, domain=DOMAIN)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    translations.cache_clear()
    environment.cache_clear()
    return written


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The gettext translations for a UI locale (English: the identity)."""
    if locale == "en":
        return NullTranslations()
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if po.exists():
        compiled = _compile_po(po)
        if compiled is not None:
            return compiled
    log.warning("no UI catalog; falling back to English", locale=locale)
    return NullTranslations()


def gettext(locale: str, message: str, /, **variables: Any) -> str:
    """Translate ``message`` for ``locale`` and fill ``%(name)s`` placeholders."""
    text = translations(locale).gettext(message)
    return text % variables if variables else text


class Translator:
    """``_ = Translator(locale)``; then ``_("Hello %(name)s", name=...)`` (found by the extractor)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, message: str, /, **variables: Any) -> str:
        return gettext(self.locale, message, **variables)

    def ngettext(self, singular: str, plural: str, n: int, /, **variables: Any) -> str:
        return ngettext(self.locale, singular, plural, n, **variables)


def ngettext(locale: str, singular: str, plural: str, n: int, /, **variables: Any) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LOCALES else None


def negotiate_locale(accept_language: str | None) -> str:
    """The best UI locale for an Accept-Language header, else the configured default."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = normalise_locale(tag)
        if code and q > 0:
            choices.append((-q, i, code))
    if choices:
        return sorted(choices)[0][2]
    return normalise_locale(get_settings().default_locale) or "en"


# --- display helpers (registered as Jinja filters) -------------------------------------------

def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_time(value: datetime | str | None, tz: str, *, with_zone: bool = True) -> str:
    """A UTC time in the viewer's zone: ``2026-03-01 12:00 MSK``."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone(tz))
    text = local.strftime("%Y-%m-%d %H:%M")
    abbr = local.strftime("%Z")
    if abbr[:1] in "+-":  # zones without an abbreviation (Asia/Almaty): "UTC+05"
        abbr = f"UTC{abbr}"
    return f"{text} {abbr}" if with_zone else text


def format_ago(value: datetime | None, locale: str) -> str:
    if value is None:
        return ""
    delta = value - now()
    return format_timedelta(delta, add_direction=True, locale=Locale.parse(locale), threshold=1.1)


def local_input_value(value: datetime | None, tz: str) -> str:
    """The value of a ``datetime-local`` input for a UTC time."""
    return value.astimezone(zone(tz)).strftime("%Y-%m-%dT%H:%M") if value else ""


EXTRA_LANGUAGES = {"cnr": {"en": "Montenegrin", "ru": "черногорский"}}
"""Languages of the country profiles that the CLDR data Babel ships does not name yet."""


def _language_name(code: str, locale: str) -> str:
    """A language tag named in ``locale``: ``русский``, with its script or region if it has them
    (``сербский (латиница)``, ``сербский (кириллица, Сербия)``); the tag itself when the language has no name."""
    try:
        names = Locale.parse(locale)
    except Exception:
        return code
    language, *subtags = code.split("-")
    name = names.languages.get(language) or EXTRA_LANGUAGES.get(language, {}).get(locale)
    if not name:
        return code
    if not subtags:
        return name
    parts = [(names.scripts.get(tag.title()) if len(tag) == 4 else names.territories.get(tag.upper())) or tag
             for tag in subtags]
    return f"{name} ({', '.join(parts)})"


def _zone_city(zone: str, locale: str) -> str:
    """The city a time zone is named for, in the page's language (``Asia/Almaty`` → «Алматы»); the zone's
    name itself when it is not one."""
    from babel.dates import get_timezone_location

    try:
        return str(get_timezone_location(zone, locale=locale, return_city=True))
    except LookupError:
        return zone


def _country_name(code: str, locale: str) -> str:
    name = Locale.parse(locale).territories.get(code)
    return f"{name} ({code})" if name else code


@cache
def environment(locale: str) -> Environment:
    from . import pages

    env = Environment(
        loader=FileSystemLoader([str(folder) for folder in pages.TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["language_name"] = lambda code: _language_name(code, locale)
    env.filters["country_name"] = lambda code: _country_name(code, locale)
    env.filters["zone_city"] = lambda zone: _zone_city(zone, locale)
    env.filters["ago"] = lambda value: format_ago(value, locale)
    env.filters["markdown"] = lambda text: Markup(markup.render(text))  # sanitised by nh3
    env.globals.update(pages.GLOBALS)
    env.globals["LOCALE"] = locale
    return env


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200,
           locale: str | None = None) -> HTMLResponse:
    """Render ``template`` in the request's locale with the page context."""
    from .context import page_context
    from .security import LOGIN_CSRF_COOKIE, set_cookie

    base = page_context(request, locale=locale)
    html = environment(base["locale"]).get_template(template).render({**base, **context})
    response = HTMLResponse(html, status_code=status, headers=HTML_HEADERS)
    nonce = getattr(request.state, "login_nonce", None)
    if nonce:
        set_cookie(response, LOGIN_CSRF_COOKIE, nonce)
    return response
