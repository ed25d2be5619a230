"""`rapidresponse risks …`: the register, one risk, assessments and their review, mitigations, and
the annual systemic-risk report."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from . import digest, report, service, vocab
from .schemas import AssessmentIn, DigestSettingsIn, MitigationIn, ReturnIn, RiskCreate, RiskDetail, RiskFilter

app = typer.Typer(help="The risk register: risks per harm × country, assessments, mitigations, reports.",
                  no_args_is_help=True)
JsonOption = typer.Option(False, "--json", help="Print JSON")


def _detail(out: RiskDetail, as_json: bool) -> None:
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    flag = f"  [red]flagged: {escape(out.flagged_reason)}[/red]" if out.flagged_reason else ""
    console.print(f"[bold]#{out.id} {escape(out.title)}[/bold]  {out.harm} · {out.country} · {out.area}{flag}")
    console.print(f"rating {out.band} (likelihood {out.likelihood} × impact {out.impact}), residual "
                  f"{out.residual_band}; version {out.version}, owner {out.owner or '—'}", highlight=False)
    table = Table("indicator", "last window", "window before", "when assessed")
    for ind in out.indicators:
        table.add_row(ind.name, *(("—" if v is None else f"{v:g}") for v in (ind.value, ind.previous,
                                                                            ind.at_assessment)))
    console.print(table)
    for a in out.assessments:
        reviews = ", ".join(f"{role}: {r['by']}" for role, r in a.reviews.items()) or "no reviews"
        console.print(f"assessment {a.number} ({a.state}) L{a.likelihood}×I{a.impact} {a.band} — {escape(a.why)} "
                      f"({escape(reviews)})", highlight=False)
    for m in out.mitigations:
        console.print(f"mitigation {m.id}: {m.kind} {escape(m.ref)} {escape(m.description)}", highlight=False)


@app.command("list")
@handle_errors
def list_command(harm: str | None = None, country: str | None = None, area: str | None = None,
                 band: str | None = typer.Option(None, help="low, medium, high or critical"),
                 flagged: bool | None = typer.Option(None, "--flagged/--not-flagged"),
                 as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """The register, highest rated first."""
    flt = RiskFilter.model_validate({k: v for k, v in {"harm": harm, "country": country, "area": area,
                                                       "band": band, "flagged": flagged}.items() if v is not None})
    with unit_of_work(read_only=True) as s:
        out = service.register(s, actor_for(as_user), flt)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    if not out.items:
        console.print("No risks match. Add one with `rapidresponse risks add HARM COUNTRY -l 3 -i 4`.")
        return
    table = Table("#", "risk", "harm", "country", "rating", "L×I", "residual", "v", "flag")
    for r in out.items:
        table.add_row(str(r.id), escape(r.title), r.harm, r.country, r.band, f"{r.likelihood}×{r.impact}",
                      r.residual_band, str(r.version), "⚑" if r.flagged_reason else "")
    console.print(table)
    console.print(f"{out.total} risks", highlight=False)


@app.command("show")
@handle_errors
def show(risk_id: int, as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """One risk: its indicators, assessments and mitigations."""
    with unit_of_work(read_only=True) as s:
        out = service.get(s, actor_for(as_user), risk_id)
    _detail(out, as_json)


@app.command("add")
@handle_errors
def add(harm: str, country: str,
        likelihood: int = typer.Option(..., "--likelihood", "-l", min=1, max=5),
        impact: int = typer.Option(..., "--impact", "-i", min=1, max=5),
        title: str | None = None, description: str = "", area: str | None = None, owner: str | None = None,
        likelihood_reason: str = "", impact_reason: str = "", as_json: bool = JsonOption,
        as_user: str | None = AsOption) -> None:
    """Add a risk (its first assessment is a draft: submit it for review)."""
    data = RiskCreate.model_validate({k: v for k, v in {
        "harm": harm, "country": country, "likelihood": likelihood, "impact": impact, "title": title,
        "description": description, "area": area, "owner": owner, "likelihood_reason": likelihood_reason,
        "impact_reason": impact_reason}.items() if v is not None})
    with unit_of_work() as s:
        out = service.create(s, actor_for(as_user), data)
    _detail(out, as_json)


@app.command("assess")
@handle_errors
def assess(risk_id: int, likelihood: int = typer.Option(..., "--likelihood", "-l", min=1, max=5),
           impact: int = typer.Option(..., "--impact", "-i", min=1, max=5),
           residual_likelihood: int | None = typer.Option(None, min=1, max=5),
           residual_impact: int | None = typer.Option(None, min=1, max=5),
           why: str = typer.Option(..., help="What changed since the last assessment, and why"),
           likelihood_reason: str = "", impact_reason: str = "",
           submit: bool = typer.Option(False, "--submit", help="Send it for review at once"),
           as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """Draft a new version of a risk's assessment."""
    data = AssessmentIn(likelihood=likelihood, impact=impact, residual_likelihood=residual_likelihood or likelihood,
                        residual_impact=residual_impact or impact, why=why, likelihood_reason=likelihood_reason,
                        impact_reason=impact_reason)
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = service.assess(s, actor, risk_id, data)
        if submit:
            out = service.submit(s, actor, risk_id, out.assessments[0].number)
    _detail(out, as_json)


def _step(name: str, help_text: str) -> None:
    def command(risk_id: int, number: int, as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
        with unit_of_work() as s:
            out = getattr(service, name)(s, actor_for(as_user), risk_id, number)
        _detail(out, as_json)

    command.__doc__ = help_text
    app.command(name)(handle_errors(command))


_step("submit", "Send a draft assessment for review by policy and legal.")
_step("review", "Record your review (as policy or legal) of an assessment in review.")
_step("approve", "Approve an assessment that policy and legal reviewed.")


@app.command("return")
@handle_errors
def return_command(risk_id: int, number: int, comment: str = typer.Option(..., help="What to change"),
                   as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """Send an assessment in review back to its author."""
    with unit_of_work() as s:
        out = service.return_assessment(s, actor_for(as_user), risk_id, number, ReturnIn(comment=comment))
    _detail(out, as_json)


@app.command("mitigate")
@handle_errors
def mitigate(risk_id: int, kind: str = typer.Argument(..., help=", ".join(vocab.MITIGATION_KINDS)),
             ref: str = typer.Argument("", help="The playbook slug, lexicon, hash list, threshold or item id"),
             description: str = "", as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """Link a mitigation to a risk."""
    data = MitigationIn.model_validate({"kind": kind, "ref": ref, "description": description})
    with unit_of_work() as s:
        out = service.add_mitigation(s, actor_for(as_user), risk_id, data)
    _detail(out, as_json)


@app.command("report")
@handle_errors
def report_command(kind: str = typer.Argument("annual", help="annual (the DSA art. 34 assessment) or digest "
                                                             "(this week's, as you would receive it)"),
                   fmt: str = typer.Option("markdown", "--format", "-f", help="markdown or pdf"),
                   language: str = typer.Option("en", help="en or ru"),
                   output: Path | None = typer.Option(None, "--output", "-o", help="Write it here"),
                   as_user: str | None = AsOption) -> None:
    """The annual systemic-risk assessment or the weekly digest, as Markdown or PDF."""
    from .. import documents
    from ..web.templating import Translator

    if kind not in ("annual", "digest") or fmt not in ("markdown", "pdf") or language not in ("en", "ru"):
        raise fail("report annual|digest, --format markdown|pdf, --language en|ru")
    if fmt == "pdf" and output is None:
        raise fail("--format pdf needs --output FILE")
    with unit_of_work(read_only=True) as s:
        actor = actor_for(as_user)
        if kind == "annual":
            title, text = "Systemic risk assessment", report.annual_markdown(s, actor, Translator(language))
        else:
            found = digest.compose(s, actor, Translator(language), language=language)
            title, text = found.subject, found.markdown
    if output is None:
        sys.stdout.write(text)
        return
    if fmt == "pdf":
        output.write_bytes(documents.pdf(text, title=title, language=language))
    else:
        output.write_text(text, encoding="utf-8")
    console.print(f"written to {output}", highlight=False)


@app.command("schedule")
@handle_errors
def schedule(recipients: list[str] = typer.Argument(None, help="Usernames who get the digest"),
             weekday: int = typer.Option(0, min=0, max=6, help="0 Monday … 6 Sunday"),
             hour: int = typer.Option(9, min=0, max=23), timezone: str = "Europe/Moscow",
             off: bool = typer.Option(False, "--off", help="Stop sending the digest"),
             send_now: bool = typer.Option(False, "--send-now", help="Also send this week's digest now"),
             as_user: str | None = AsOption) -> None:
    """When the weekly leadership digest goes out, and to whom."""
    from ..web.templating import Translator

    data = DigestSettingsIn.model_validate({"enabled": not off, "weekday": weekday, "hour": hour,
                                            "timezone": timezone, "recipients": recipients or []})
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = digest.set_schedule(s, actor, data)
        queued = digest.send(s, actor, Translator) if send_now else 0
    state = f"every weekday {out.weekday} at {out.hour}:00 ({out.timezone})" if out.enabled else "off"
    console.print(f"digest: {state}, {len(out.recipients)} recipients" + (f"; {queued} queued now" if send_now else ""),
                  highlight=False)
