"""The playbook file format: a versioned YAML document validated against this schema.

A playbook says when it applies, which roles to fill, which tasks to do by when (relative to the
declaration or to another task), how often stakeholders hear from us per severity, which
conditions pull in whom, which messages need whose sign-off, the message templates (English and
Russian, Kazakh or Ukrainian where the type needs them) and when the incident may close.

Durations are written ``90m``, ``2h``, ``1d`` or ``1h30m``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from jinja2 import TemplateSyntaxError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..incidents import IncidentType, Role
from .rendering import sandbox

LANGS = ("en", "ru", "kk", "uk", "uz", "ky", "be", "ro", "pl", "ka", "hy", "az", "tg")
SLUG = r"^[a-z][a-z0-9_]{1,60}$"
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class LocatedError(ValueError):
    """A problem found across fields, with the path inside the playbook where it is."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def parse_duration(value: Any) -> timedelta:
    """``90m``, ``2h``, ``1d``, ``1h30m`` (or a number of minutes) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    elif isinstance(value, str) and value.strip() and (m := _DURATION.match(value.strip())):
        d, h, mins = (int(g) if g else 0 for g in m.groups())
        minutes = d * 1440 + h * 60 + mins
    else:
        raise ValueError(f"not a duration like 30m, 4h, 1d or 1h30m: {value!r}")
    if not 0 < minutes <= 60 * 24 * 90:
        raise ValueError("a duration must be between 1 minute and 90 days")
    return timedelta(minutes=minutes)


def format_duration(td: timedelta) -> str:
    minutes = int(td.total_seconds() // 60)
    d, rest = divmod(minutes, 1440)
    h, m = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((d, "d"), (h, "h"), (m, "m")) if n) or "0m"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Slug = Annotated[str, Field(pattern=SLUG)]


class Text(BaseModel):
    """A text in several languages; English and Russian are required."""

    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1, max_length=4000)
    ru: str = Field(min_length=1, max_length=4000)
    kk: str | None = Field(default=None, max_length=4000)
    uk: str | None = Field(default=None, max_length=4000)

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None) if lang in ("en", "ru", "kk", "uk") else None
        return value or (self.ru if lang in ("kk", "uk", "be", "ky", "tg", "uz") else self.en)

    @property
    def languages(self) -> list[str]:
        return [lang for lang in ("en", "ru", "kk", "uk") if getattr(self, lang)]


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


Condition = Literal["minors_involved", "regulator_involved", "imminent_threat_to_life", "law_enforcement_involved",
                    "livestream", "cross_border", "media_attention", "election_period", "staff_safety"]
CONDITIONS: tuple[str, ...] = Condition.__args__  # type: ignore[attr-defined]
Severity = Annotated[int, Field(ge=1, le=4)]
GateKind = Literal["external_statement", "law_enforcement_referral", "regulator_reply", "leadership_update"]
GATE_KINDS: tuple[str, ...] = GateKind.__args__  # type: ignore[attr-defined]
Audience = Literal["leadership", "policy", "pr", "regional", "partners", "law_enforcement", "regulator"]
AUDIENCES: tuple[str, ...] = Audience.__args__  # type: ignore[attr-defined]


class RoleSpec(Base):
    role: Role
    required: bool = True
    min_severity: Severity | None = Field(default=None, description="fill only at this severity or worse")
    why: Text


class Due(Base):
    """``within`` a duration ``after`` the declaration (``declared``) or another task's completion."""

    after: str = "declared"
    within: Duration


class TaskSpec(Base):
    id: Slug
    title: Text
    owner_role: Role
    due: Due | None = None
    done_when: Text
    severities: list[Severity] | None = Field(default=None, description="only at these severities")
    conditions: list[Condition] = Field(default_factory=list, description="only when all these hold")
    description: Text | None = None
    wellbeing: bool = Field(default=False, description="looks after the responders exposed to harmful content "
                            "(breaks, rotation, debrief, support line); every playbook that exposes them has one")


class Escalation(Base):
    id: Slug
    when: Condition
    pull_in_role: Role | None = None
    pull_in_team: str | None = Field(default=None, max_length=120)
    within: Duration
    note: Text

    @model_validator(mode="after")
    def _target(self) -> Escalation:
        if (self.pull_in_role is None) == (self.pull_in_team is None):
            raise ValueError("an escalation pulls in either a role (pull_in_role) or a team (pull_in_team)")
        return self


class Gate(Base):
    kind: GateKind
    required_role: Literal["legal", "policy", "comms", "commander", "admin"] = "legal"
    why: Text


class TemplateSpec(Base):
    id: Slug
    name: Text
    audience: Audience
    gate: GateKind | None = Field(default=None, description="the approval this message needs before it goes out")
    subject: Text
    body: Text

    @field_validator("subject", "body")
    @classmethod
    def _compiles(cls, value: Text) -> Text:
        for lang in value.languages:
            source = getattr(value, lang)
            try:
                sandbox().parse(source)
            except TemplateSyntaxError as exc:
                raise ValueError(f"template ({lang}) line {exc.lineno}: {exc.message}") from None
        return value


class Playbook(Base):
    id: Slug
    version: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int | float) else v),
                       Field(pattern=r"^\d+(\.\d+){0,2}$")]
    title: Text
    incident_types: list[IncidentType] = Field(min_length=1)
    when_to_use: Text
    severity_guidance: dict[Severity, Text] = Field(min_length=1)
    restricted: bool = Field(default=False, description="incidents run with it are restricted to their members")
    languages: list[str] = Field(default_factory=lambda: ["en", "ru"],
                                 description="languages every message template must be written in")
    roles: list[RoleSpec] = Field(min_length=1)
    tasks: list[TaskSpec] = Field(min_length=1)
    update_cadence: dict[Severity, Duration | None] = Field(
        description="how often stakeholders hear from us, per severity (null: no fixed cadence)")
    escalations: list[Escalation] = Field(default_factory=list)
    approval_gates: list[Gate] = Field(default_factory=list)
    templates: list[TemplateSpec] = Field(min_length=1)
    exit_criteria: list[Text] = Field(min_length=1)

    @field_validator("languages")
    @classmethod
    def _langs(cls, value: list[str]) -> list[str]:
        for lang in value:
            if lang not in ("en", "ru", "kk", "uk"):
                raise ValueError(f"templates can be written in en, ru, kk and uk, not {lang!r}")
        return list(dict.fromkeys(["en", "ru", *value]))

    @model_validator(mode="after")
    def _references(self) -> Playbook:
        _unique("tasks", [t.id for t in self.tasks])
        _unique("templates", [t.id for t in self.templates])
        _unique("escalations", [e.id for e in self.escalations])
        _unique("approval_gates", [g.kind for g in self.approval_gates])
        ids = {t.id for t in self.tasks}
        for i, task in enumerate(self.tasks):
            if task.due and task.due.after != "declared":
                if task.due.after not in ids:
                    raise LocatedError(("tasks", i, "due", "after"),
                                       f"names no task ({task.due.after!r}); use 'declared' or a task id")
                if task.due.after == task.id:
                    raise LocatedError(("tasks", i, "due", "after"), "a task cannot wait for itself")
        _no_cycle({t.id: t.due.after for t in self.tasks if t.due and t.due.after != "declared"})
        gates = {g.kind for g in self.approval_gates}
        for i, tpl in enumerate(self.templates):
            if tpl.gate and tpl.gate not in gates:
                raise LocatedError(("templates", i, "gate"), f"{tpl.gate!r} is not among approval_gates")
            for part in ("subject", "body"):
                missing = [lang for lang in self.languages if not getattr(getattr(tpl, part), lang)]
                if missing:
                    raise LocatedError(("templates", i, part), f"no {', '.join(missing)} text "
                                       f"(the playbook's languages are {', '.join(self.languages)})")
        return self

    def gate(self, kind: str | None) -> Gate | None:
        return next((g for g in self.approval_gates if g.kind == kind), None)

    def template(self, template_id: str) -> TemplateSpec | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def cadence(self, severity: int) -> timedelta | None:
        return self.update_cadence.get(severity)


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for n, i in enumerate(ids):
        if i in seen:
            raise LocatedError((what, n), f"{i!r} appears twice")
        seen.add(i)


def _no_cycle(after: dict[str, str]) -> None:
    for start in after:
        seen, node = {start}, after.get(start)
        while node is not None:
            if node in seen:
                raise ValueError(f"tasks: due.after makes a cycle through {node!r}")
            seen.add(node)
            node = after.get(node)
