"""The annual systemic-risk assessment, in the structure of a DSA art. 34 report: the method, the
register by systemic-risk area (art. 34(1)(a)–(d)), each risk's rating and reasons, its indicators,
its mitigations (art. 35) and their effect, and the history of its assessments. Incidents are
counted, never named: nothing in it depends on what a restricted incident's members may see."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..events import label
from ..i18n import N_, Translate
from . import service, vocab
from .schemas import RiskDetail, RiskFilter

PARAGRAPHS = {
    "a": N_("Art. 34(1)(a): dissemination of illegal content"),
    "b": N_("Art. 34(1)(b): negative effects on fundamental rights"),
    "c": N_("Art. 34(1)(c): civic discourse, electoral processes and public security"),
    "d": N_("Art. 34(1)(d): gender-based violence, public health, minors, physical and mental well-being"),
}


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def annual_markdown(session: Session, actor: Actor, _: Translate) -> str:
    """The register as the annual systemic-risk assessment, in Markdown."""
    actor.require(Perm.RISK_READ)
    register = service.register(session, actor, RiskFilter(limit=1000))
    risks = [service.get(session, actor, r.id) for r in register.items]
    at = now()
    lines = ["# " + _("Systemic risk assessment %(year)s", year=at.year), "",
             _("Generated %(at)s (UTC). %(n)s risks in the register.", at=at.strftime("%Y-%m-%d %H:%M"),
               n=len(risks)), ""]
    lines += ["## 1. " + _("Method"), "",
              _("Each risk is a harm of the taxonomy in a country. Likelihood and impact are rated from 1 to 5; "
                "their product gives the rating: 1–4 low, 5–9 medium, 10–16 high, 20–25 critical. The residual "
                "rating is the one that remains with the mitigations in place. Indicators count the last "
                "%(days)s days and the %(days)s days before them; an assessment is reviewed by policy and "
                "legal, then approved.", days=get_settings().risk_window_days), ""]
    lines += ["## 2. " + _("Summary"), "", _row(_("Rating"), _("Risks"), _("Residual")), "|---|---|---|"]
    for band in vocab.BANDS:
        lines.append(_row(label(_, vocab.BAND_LABELS, band), str(sum(r.band == band for r in risks)),
                          str(sum(r.residual_band == band for r in risks))))
    flagged = [r for r in risks if r.flagged_reason]
    lines += ["", _("Flagged for re-assessment: %(n)s.", n=len(flagged)), ""]
    lines += ["## 3. " + _("Risks by systemic-risk area"), ""]
    for paragraph, title in PARAGRAPHS.items():
        mine = [r for r in risks if vocab.AREA_PARAGRAPH.get(r.area) == paragraph]
        lines += ["### " + _(title), ""]
        if not mine:
            lines += [_("No risk in the register falls under this paragraph."), ""]
        for risk in mine:
            lines += _risk(risk, _)
    return "\n".join(lines).rstrip() + "\n"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _risk(risk: RiskDetail, _: Translate) -> list[str]:
    approved = next((a for a in risk.assessments if a.state == "approved"), None)
    when = (_("approved %(date)s", date=f"{approved.approved_at:%Y-%m-%d}") if approved and approved.approved_at
            else _("not yet approved"))
    lines = [f"#### {risk.title} ({risk.harm}, {risk.country})", "",
             "- " + _("Area: %(area)s", area=label(_, vocab.AREA_LABELS, risk.area)),
             "- " + _("Rating: %(band)s (likelihood %(l)s × impact %(i)s); residual: %(residual)s",
                      band=label(_, vocab.BAND_LABELS, risk.band), l=risk.likelihood, i=risk.impact,
                      residual=label(_, vocab.BAND_LABELS, risk.residual_band)),
             "- " + _("Owner: %(owner)s; version %(n)s, %(when)s", owner=risk.owner or "—", n=risk.version,
                      when=when)]
    if approved and approved.likelihood_reason:
        lines.append("- " + _("Likelihood: %(reason)s", reason=approved.likelihood_reason))
    if approved and approved.impact_reason:
        lines.append("- " + _("Impact: %(reason)s", reason=approved.impact_reason))
    if risk.flagged_reason:
        lines.append("- " + _("Flagged for re-assessment: %(reason)s", reason=risk.flagged_reason))
    if risk.description:
        lines += ["", risk.description]
    lines += ["", _row(_("Indicator"), _("Last window"), _("Window before"), _("When assessed")), "|---|---|---|---|"]
    lines += [_row(label(_, vocab.INDICATOR_LABELS, ind.name), _num(ind.value), _num(ind.previous),
                   _num(ind.at_assessment)) for ind in risk.indicators]
    lines += ["", "**" + _("Mitigations (art. 35)") + "**", ""]
    lines += [("- " + label(_, vocab.MITIGATION_LABELS, m.kind) + f" {m.ref}"
               + (f": {m.description}" if m.description else "")) for m in risk.mitigations]
    if not risk.mitigations:
        lines.append("- " + _("none recorded"))
    lines += ["", "**" + _("Assessments") + "**", ""]
    lines += [f"- {a.number}. {a.created_at:%Y-%m-%d} {label(_, vocab.STATE_LABELS, a.state)}: "
              f"{label(_, vocab.BAND_LABELS, a.band)} (L{a.likelihood}×I{a.impact}) — {a.why}"
              for a in reversed(risk.assessments)]
    return [*lines, ""]
