"""A review as a document: Markdown, and PDF typeset from it (WeasyPrint, fonts with Cyrillic and
Kazakh letters). The product's own words (headings, figure names) come in the language of ``_``;
what people wrote stays as they wrote it."""

from __future__ import annotations

from typing import Any

from .. import documents
from ..i18n import N_, Translate
from .schemas import ReviewOut
from .vocab import KIND_LABELS, SECTION_LABELS, SECTIONS, STATE_LABELS

FIGURES = (
    ("time_to_detect_minutes", N_("Time to detect (first signal → alert)")),
    ("time_to_declare_minutes", N_("Time to declare")),
    ("time_to_acknowledge_minutes", N_("Time to acknowledge pages (median)")),
    ("time_to_mitigate_minutes", N_("Time to mitigate")),
    ("time_to_resolve_minutes", N_("Time to resolve")),
)


def duration(minutes: Any, _: Translate) -> str:
    if minutes is None:
        return "—"
    minutes = float(minutes)
    if minutes < 120:
        return _("%(n)s min", n=round(minutes))
    if minutes < 48 * 60:
        return _("%(n)s h", n=round(minutes / 60, 1))
    return _("%(n)s d", n=round(minutes / 1440, 1))


def markdown(review: ReviewOut, language: str, _: Translate) -> str:
    f = review.figures
    published = review.published_at.strftime("%Y-%m-%d") if review.published_at else None
    out = ["# " + _("Post-incident review: %(ref)s — %(title)s", ref=review.incident, title=review.incident_title),
           "", _("State: %(state)s", state=_(STATE_LABELS.get(review.state, review.state))) + f" · SEV{review.severity}"
           + (" · " + _("published %(date)s", date=published) if published else ""), ""]
    rows = [(_(label), duration(f.get(key), _)) for key, label in FIGURES]
    exposure = f.get("exposure") or {}
    if exposure:
        rows += [(_("Exposure before mitigation (signals)"), str(exposure.get("signals", 0))),
                 (_("of them user reports"), str(exposure.get("reports", 0))),
                 (_("by country"), ", ".join(f"{c}: {n}" for c, n in (exposure.get("by_country") or {}).items())),
                 (_("by language"), ", ".join(f"{c}: {n}" for c, n in (exposure.get("by_language") or {}).items()))]
    tasks, clocks, updates = f.get("tasks") or {}, f.get("clocks") or {}, f.get("updates") or {}
    if tasks:
        rows.append((_("Playbook tasks"), _("%(on_time)s on time, %(late)s late, %(skipped)s skipped, %(overdue)s "
                                            "overdue", **{k: tasks.get(k, 0)
                                                          for k in ("on_time", "late", "skipped", "overdue")})))
    if clocks:
        rows.append((_("Legal clocks"), _("%(met)s met, %(breached)s breached, %(open)s open",
                                          **{k: clocks.get(k, 0) for k in ("met", "breached", "open")})))
    if updates:
        rows.append((_("Stakeholder updates"), _("%(sent)s sent, %(late)s late", sent=updates.get("sent", 0),
                                                 late=updates.get("late", 0))))
    out += ["## " + _("Figures"), "", "| " + _("Measure") + " | " + _("Value") + " |", "|---|---|"]
    out += [f"| {label} | {value or '—'} |" for label, value in rows]
    out += ["", "## " + _("Key moments"), ""]
    out += [f"- **{m.at:%Y-%m-%d %H:%M} UTC** — {m.text}" for m in review.moments] or ["—"]
    for key in SECTIONS:
        out += ["", "## " + _(SECTION_LABELS[key]), "", review.sections.get(key, "").strip() or "—"]
        if key == "wellbeing" and review.check_ins.shown:
            ci = review.check_ins
            out += ["", _("Anonymous check-ins: %(n)s; wellbeing %(w)s of 5, workload %(l)s of 5; %(s)s asked for "
                          "support.", n=ci.count, w=ci.wellbeing_mean, l=ci.workload_mean, s=ci.wants_support)]
        if key == "contributing_factors" and review.whys:
            out += ["", "**" + _("Five whys") + "**", ""] + [f"{i}. {w}" for i, w in enumerate(review.whys, start=1)]
    if review.criteria:
        out += ["", "## " + _("Exit criteria"), ""]
        states = {"met": _("met"), "waived": _("waived"), "open": _("open")}
        for c in review.criteria:
            text = c.text_ru if language == "ru" else c.text_en
            out.append(f"{c.position}. {text} — **{states.get(c.state, c.state)}**" + (f": {c.reason}" if c.reason
                                                                                        else ""))
    if review.action_items:
        out += ["", "## " + _("Action items"), ""]
        for item in review.action_items:
            due = f"{item.due_at:%Y-%m-%d}" if item.due_at else "—"
            done = f" — {item.evidence}" if item.status == "done" and item.evidence else ""
            out.append(f"- [{'x' if item.status == 'done' else ' '}] {item.title} "
                       f"({_(KIND_LABELS.get(item.kind, item.kind))}, {item.owner or '—'}, {due}){done}")
    if review.meeting_at:
        out += ["", "## " + _("Review meeting"), "", f"{review.meeting_at:%Y-%m-%d %H:%M} UTC · "
                + ", ".join(review.meeting_attendees), "", review.meeting_notes.strip()]
    if review.signoffs:
        out += ["", "## " + _("Sign-offs"), ""]
        out += [f"- {s.role.replace('_', ' ')}: {s.username or '—'}, {s.signed_at:%Y-%m-%d}" for s in review.signoffs]
    return "\n".join(out).rstrip() + "\n"


def pdf(review: ReviewOut, language: str, _: Translate) -> bytes:
    """The Markdown export typeset as an A4 PDF."""
    return documents.pdf(markdown(review, language, _), title=review.incident, language=language)
