"""Texts of the notifications the platform sends on its own, in the recipient's language."""

from __future__ import annotations

from typing import Any

from ..config import get_settings

SEV = {1: "SEV1", 2: "SEV2", 3: "SEV3", 4: "SEV4"}

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "incident.declared": {
        "en": ("[{sev}] {ref} declared: {title}",
               "Incident {ref} ({type}, {sev}) was declared by {actor}.\n\n{title}\n\nOpen it: {url}"),
        "ru": ("[{sev}] {ref} объявлен: {title}",
               "Инцидент {ref} ({type}, {sev}) объявлен пользователем {actor}.\n\n{title}\n\nОткрыть: {url}"),
    },
    "incident.member_added": {
        "en": ("{ref}: you are now {role} — {title}",
               "{actor} added you to incident {ref} as {role}.\n\n{title}\n\nOpen it: {url}"),
        "ru": ("{ref}: ваша роль — {role}. {title}",
               "{actor} добавил(а) вас в инцидент {ref} в роли «{role}».\n\n{title}\n\nОткрыть: {url}"),
    },
}
RESTRICTED_TITLE = {"en": "restricted incident (details only in rapidresponse)",
                    "ru": "инцидент с ограниченным доступом (подробности только в rapidresponse)"}


def render(kind: str, locale: str, *, restricted: bool, **facts: Any) -> tuple[str, str]:
    """Subject and body. A restricted incident's title never leaves the platform."""
    lang = locale if locale in TEXTS[kind] else "en"
    facts = dict(facts)
    if restricted:
        facts["title"] = RESTRICTED_TITLE[lang]
    facts.setdefault("sev", SEV.get(int(facts.get("severity") or 0), "SEV?"))
    facts.setdefault("url", f"{get_settings().base_url.rstrip('/')}/incidents/{facts.get('ref', '')}")
    subject, body = TEXTS[kind][lang]
    subject = " ".join(subject.format(**facts).split())[:300]
    return subject, body.format(**facts)
