"""Roles and the permissions they grant. Services check these; views only hide buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..errors import PermissionDenied


class Perm(StrEnum):
    INCIDENTS_READ = "incidents:read"
    INCIDENTS_DECLARE = "incidents:declare"
    INCIDENTS_UPDATE = "incidents:update"
    INCIDENTS_NOTE = "incidents:note"
    INCIDENTS_COMMAND = "incidents:command"
    INCIDENTS_RESTRICTED = "incidents:restricted"
    USERS_MANAGE = "users:manage"
    AUDIT_VERIFY = "audit:verify"
    NOTIFY_READ = "notify:read"  # the outbox: who was sent what, and its delivery state
    NOTIFY_MANAGE = "notify:manage"  # webhook endpoints, retrying dead messages, test messages
    PLAYBOOKS_MANAGE = "playbooks:manage"  # save a team's playbook versions
    UPDATES_SEND = "updates:send"  # compose and send stakeholder updates
    ONCALL_READ = "oncall:read"  # rotas, who is on call, pages (and acknowledging them)
    ONCALL_MANAGE = "oncall:manage"  # teams, schedules, overrides, escalation policies, routing
    POLICY_READ = "policy:read"  # taxonomy, country profiles, regulator requests, the decision log
    POLICY_MANAGE = "policy:manage"  # record content decisions and appeals, export statements of reasons
    REQUESTS_MANAGE = "requests:manage"  # register regulator requests, record outcomes, draft replies
    LEXICONS_READ = "lexicons:read"  # harm lexicons, their versions, the test-a-text box
    LEXICONS_MANAGE = "lexicons:manage"  # add and remove lexicon terms, import lexicons
    SIGNALS_READ = "signals:read"  # signals, series and trends
    SIGNALS_WRITE = "signals:write"  # send signals (batch API, file import, stream consumer)
    HASHLISTS_MANAGE = "hashlists:manage"  # create hash lists, import partner CSVs, add and remove hashes
    ALERTS_READ = "alerts:read"  # detection alerts, triage cases, thresholds and their backtests
    ALERTS_TRIAGE = "alerts:triage"  # acknowledge, snooze, dismiss alerts; open, assign, escalate cases
    DETECTION_MANAGE = "detection:manage"  # change thresholds, add and lift suppression rules
    ANALYTICS_READ = "analytics:read"  # the team's metrics and charts
    ANALYTICS_QUERY = "analytics:query"  # the SQL console: run, save and share queries on the warehouse
    RISK_READ = "risk:read"  # the risk register, its indicators, heatmap and reports
    RISK_MANAGE = "risk:manage"  # add and edit risks, draft assessments, record mitigations
    RISK_APPROVE = "risk:approve"  # approve an assessment that policy and legal reviewed
    WELLNESS_MANAGE = "wellness:manage"  # the team's exposure budgets, surge mode, support resources
    LEGAL_HOLD = "legal:hold"  # place and release legal holds on incidents (retention stops for them)
    PRIVACY_MANAGE = "privacy:manage"  # find, export and erase a person's data; run retention by hand


_ALL = frozenset(Perm)
_WORK = frozenset({Perm.INCIDENTS_READ, Perm.INCIDENTS_DECLARE, Perm.INCIDENTS_UPDATE, Perm.INCIDENTS_NOTE,
                   Perm.ONCALL_READ, Perm.LEXICONS_READ, Perm.SIGNALS_READ, Perm.ALERTS_READ, Perm.ALERTS_TRIAGE})

ROLES: dict[str, frozenset[Perm]] = {
    "admin": _ALL,
    "commander": _WORK | {Perm.INCIDENTS_COMMAND, Perm.NOTIFY_READ, Perm.PLAYBOOKS_MANAGE, Perm.UPDATES_SEND,
                          Perm.ONCALL_MANAGE, Perm.POLICY_READ, Perm.REQUESTS_MANAGE, Perm.DETECTION_MANAGE,
                          Perm.ANALYTICS_READ, Perm.ANALYTICS_QUERY, Perm.RISK_READ, Perm.RISK_MANAGE,
                          Perm.RISK_APPROVE, Perm.WELLNESS_MANAGE},
    "responder": _WORK | {Perm.POLICY_READ, Perm.SIGNALS_WRITE},
    "policy": _WORK | {Perm.PLAYBOOKS_MANAGE, Perm.POLICY_READ, Perm.POLICY_MANAGE, Perm.REQUESTS_MANAGE,
                       Perm.LEXICONS_MANAGE, Perm.HASHLISTS_MANAGE, Perm.ANALYTICS_READ, Perm.ANALYTICS_QUERY,
                       Perm.RISK_READ, Perm.RISK_MANAGE},
    "legal": _WORK | {Perm.POLICY_READ, Perm.POLICY_MANAGE, Perm.REQUESTS_MANAGE, Perm.ANALYTICS_READ,
                      Perm.RISK_READ, Perm.LEGAL_HOLD, Perm.PRIVACY_MANAGE},
    "comms": frozenset({Perm.INCIDENTS_READ, Perm.INCIDENTS_NOTE, Perm.INCIDENTS_UPDATE, Perm.NOTIFY_READ,
                        Perm.UPDATES_SEND, Perm.ONCALL_READ, Perm.POLICY_READ, Perm.LEXICONS_READ,
                        Perm.SIGNALS_READ, Perm.ANALYTICS_READ, Perm.RISK_READ}),
    "analyst": frozenset({Perm.INCIDENTS_READ, Perm.INCIDENTS_NOTE, Perm.AUDIT_VERIFY, Perm.ONCALL_READ,
                          Perm.POLICY_READ, Perm.LEXICONS_READ, Perm.SIGNALS_READ, Perm.SIGNALS_WRITE,
                          Perm.ALERTS_READ, Perm.ALERTS_TRIAGE, Perm.DETECTION_MANAGE, Perm.ANALYTICS_READ,
                          Perm.ANALYTICS_QUERY, Perm.RISK_READ, Perm.RISK_MANAGE}),
    "viewer": frozenset({Perm.INCIDENTS_READ}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user through a web session or an API token, or the system itself."""

    user_id: int | None
    username: str
    role: str
    scopes: frozenset[str] | None = None
    locale: str = "en"
    timezone: str = "UTC"
    display_name: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def permissions(self) -> frozenset[Perm]:
        perms = ROLES.get(self.role, frozenset())
        if self.scopes is not None:
            perms = frozenset(p for p in perms if p.value in self.scopes)
        return perms

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def require(self, perm: Perm) -> None:
        if self.can(perm):
            return
        if perm in ROLES.get(self.role, frozenset()):  # the role allows it; the token's scope does not
            raise PermissionDenied(f"this token's scope does not include {perm.value}")
        raise PermissionDenied(f"your role ({self.role}) does not allow {perm.value}")

    @property
    def label(self) -> str:
        return self.username


SYSTEM = Actor(user_id=None, username="system", role="admin")
