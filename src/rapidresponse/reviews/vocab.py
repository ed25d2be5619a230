"""The words of reviews: states, sections, sign-off roles, action-item kinds, and what counts as blame."""

from __future__ import annotations

import re

from ..i18n import N_

STATES = ("draft", "in_review", "meeting_held", "published")
STATE_LABELS = {"draft": N_("Draft"), "in_review": N_("In review"), "meeting_held": N_("Meeting held"),
                "published": N_("Published")}
# The order a T&S lead reads a review in.
SECTIONS = ("summary", "impact", "went_well", "went_poorly", "contributing_factors", "decisions", "lessons",
            "wellbeing")
SECTION_LABELS = {"summary": N_("Summary"), "impact": N_("Impact"), "went_well": N_("What went well"),
                  "went_poorly": N_("What went poorly"), "contributing_factors": N_("Contributing factors"),
                  "decisions": N_("Decisions and their reasons"), "lessons": N_("Lessons"),
                  "wellbeing": N_("Responder wellbeing"), "whys": N_("Five whys")}
# Incident roles whose holders sign a review off (the commander always does).
SIGNOFF_ROLES = ("commander", "policy_lead", "legal", "regional_lead")
KINDS = ("policy", "product", "detection", "playbook", "lexicon", "training", "wellness", "legal")
KIND_LABELS = {"policy": N_("Policy"), "product": N_("Product"), "detection": N_("Detection"),
               "playbook": N_("Playbook"), "lexicon": N_("Lexicon"), "training": N_("Training"),
               "wellness": N_("Wellness"), "legal": N_("Legal")}
PRIORITIES = ("high", "medium", "low")
ITEM_STATUSES = ("open", "in_progress", "done", "cancelled")
ITEM_STATUS_LABELS = {"open": N_("Open"), "in_progress": N_("In progress"), "done": N_("Done"),
                      "cancelled": N_("Cancelled")}
ITEM_OPEN = ("open", "in_progress")
MOMENT_KINDS = ("signal", "alert", "case", "declared", "page", "acknowledged", "severity", "status", "mitigated",
                "resolved", "update", "request", "reply", "breach", "note", "other")
MOMENT_KIND_LABELS = {"signal": N_("signal"), "alert": N_("alert"), "case": N_("case"), "declared": N_("declared"),
                      "page": N_("page"), "acknowledged": N_("acknowledged"), "severity": N_("severity"),
                      "status": N_("status"), "mitigated": N_("mitigated"), "resolved": N_("resolved"),
                      "update": N_("update"), "request": N_("request"), "reply": N_("reply"), "breach": N_("breach"),
                      "note": N_("note"), "other": N_("other")}
LANGUAGES = ("en", "ru")

# Named blame: a person (a name, "he", "она") as the cause. A short list of patterns, not a judge:
# the editor shows what matched and asks the author to describe the system instead.
BLAME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (lang, re.compile(p, re.IGNORECASE | re.UNICODE)) for lang, p in (
        ("en", r"\b(?:because|since)\s+(?:he|she|they|\w+)\s+(?:forgot|failed|didn'?t|did not|ignored|missed)\b"),
        ("en", r"\b(?:his|her|their)\s+(?:fault|mistake|error|negligence)\b"),
        ("en", r"\b(?:human error|should have known|careless(?:ness)?|incompetent|negligent|to blame)\b"),
        ("en", r"@\w+\s+(?:forgot|failed|broke|missed|ignored)\b"),
        ("ru", r"\b(?:виноват[аоы]?|по\s+вине|ошибка\s+(?:сотрудника|оператора|модератора))\b"),
        ("ru", r"\b(?:забыл[аи]?|не\s+сделал[аи]?|проигнорировал[аи]?|проспал[аи]?|упустил[аи]?)\b"),
        ("ru", r"\b(?:халатност\w*|небрежност\w*|некомпетентн\w*|человеческий\s+фактор)\b"),
    ))


def blame_flags(text: str) -> list[str]:
    """The phrases in ``text`` that read as blaming a person."""
    found: list[str] = []
    for _lang, pattern in BLAME_PATTERNS:
        found += [m.group(0) for m in pattern.finditer(text)]
    return list(dict.fromkeys(found))
