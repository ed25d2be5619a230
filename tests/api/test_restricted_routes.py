"""The restricted-incident rule, checked against every route the app registers.

A restricted incident (child safety) exists only for its members and for those allowed to see all
(admins). For anyone else every route must behave exactly as if it did not exist: a route with a
``{ref}`` answers the same as for a ref that was never issued (404, or the same 403 that a missing
incident gets), and changes nothing; a route without one (lists, search, counts, dashboards, my
tasks, exports, metrics…) shows the same page as before the incident existed and never its ref,
title, notes or tasks. The same calls as a member and as an admin must see it, which proves the
test can detect a leak.

Routes are discovered from the app at run time. A route the test does not know how to call makes
it fail: teach it below (a body in ``API_BODIES``/``WEB_FORMS``/``NOREF_WRITES``, a value in
``path_value``) rather than letting a new route escape the check.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from apikit import Caller, WebCaller, session_for, snapshot, token_for
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from starlette.routing import Mount

from rapidresponse import analytics, clock, decisions, requests, reviews, risk, translation
from rapidresponse.auth import Actor
from rapidresponse.clock import now as clock_now
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service, work
from rapidresponse.incidents.schemas import (
    IncidentCreate,
    LinkRequest,
    NoteCreate,
    RoleAssign,
    StatusChange,
    TaskCreate,
)
from rapidresponse.notify import endpoints as notify_endpoints
from rapidresponse.notify import service as notify
from rapidresponse.playbooks import updates

MISSING_REF = "INC-2099-0999"

# Routes that cannot touch incidents: operations, API docs, static files, login and account plumbing.
ALLOW_LIST = {
    "/healthz", "/readyz", "/api/docs", "/api/docs/assets", "/api/openapi.json", "/docs/oauth2-redirect", "/static",
    "/login", "/logout", "/account/password", "/account/security", "/auth/oidc", "/locale",
}
# Routes without a ref whose output changes with every request: checked for leaks, not for equality.
VOLATILE = {"/metrics"}
# Reads of one outbox message or webhook endpoint: the id only exists once the restricted incident
# does, so they are checked for leaks (and the message for a 404, below), not for equality.
VOLATILE |= {"/api/v1/notifications/{message_id}", "/api/v1/webhooks/{endpoint_id}",
             "/api/v1/approvals/{approval_id}"}
VOLATILE |= {"/api/v1/notifications/{message_id}", "/api/v1/webhooks/{endpoint_id}"}
# The page that declaring the restricted incident triggers exists only afterwards (checked for a 404 below).
VOLATILE |= {"/api/v1/oncall/pages/{page_id}"}
# Regulator requests and decisions linked to the restricted incident: their ids exist only once it does.
VOLATILE |= {"/api/v1/requests/{request_id}", "/api/v1/decisions/{decision_id}", "/requests/{request_id}"}
# The warehouse's state (how far behind, when it last synced) moves with every event.
VOLATILE |= {"/api/v1/analytics/status", "/api/v1/analytics/overview", "/analytics"}
# A translation request on the restricted incident: its id exists only once the incident does.
VOLATILE |= {"/api/v1/translations/{translation_id}", "/translations/{translation_id}"}
# The audit log lists every event as it is recorded (types and subject ids, never titles or payloads).
VOLATILE |= {"/admin/audit"}
# Searches are asked for a word of the restricted incident's title (not itself a marker, so the page may
# echo it): what they answer must not change once the incident exists.
QUERIES = {"/search": {"q": "CSAM"}, "/api/v1/search": {"q": "CSAM"}}

Body = Callable[["World", "Who"], dict[str, Any]]

# JSON bodies for API writes on a {ref} route: plausible enough that a member's call succeeds.
API_BODIES: dict[tuple[str, str], Body] = {
    ("PATCH", "/api/v1/incidents/{ref}"): lambda w, who: {"summary": f"changed by {who.name}"},
    ("POST", "/api/v1/incidents/{ref}/status"): lambda w, who: {"status": "active"},
    ("POST", "/api/v1/incidents/{ref}/severity"): lambda w, who: {"level": 2, "reason": "probe"},
    ("POST", "/api/v1/incidents/{ref}/roles"): lambda w, who: {"role": "participant", "username": w.bystander},
    ("DELETE", "/api/v1/incidents/{ref}/roles/{role}/{username}"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/links"): lambda w, who: {"ref": w.public, "kind": "related"},
    ("POST", "/api/v1/incidents/{ref}/merge"): lambda w, who: {"into": w.restricted2, "reason": "probe"},
    ("POST", "/api/v1/incidents/{ref}/notes"): lambda w, who: {"body": f"note by {who.name}"},
    ("PATCH", "/api/v1/incidents/{ref}/notes/{note_id}"): lambda w, who: {"pinned": False},
    ("POST", "/api/v1/incidents/{ref}/tasks"): lambda w, who: {"title": f"task by {who.name}"},
    ("PATCH", "/api/v1/incidents/{ref}/tasks/{task_id}"): lambda w, who: {"status": "in_progress"},
    ("POST", "/api/v1/incidents/{ref}/playbook"): lambda w, who: {},
    ("PUT", "/api/v1/incidents/{ref}/playbook/conditions"): lambda w, who: {"conditions": ["minors_involved"]},
    ("POST", "/api/v1/incidents/{ref}/updates/preview"): lambda w, who: {"template_id": "no_such", "language": "ru"},
    ("POST", "/api/v1/incidents/{ref}/updates"): lambda w, who: {"audience": "leadership", "subject": "probe",
                                                                  "body": f"update by {who.name}"},
    ("PATCH", "/api/v1/incidents/{ref}/updates/{update_id}"): lambda w, who: {"subject": "probe", "body": "edited"},
    ("POST", "/api/v1/incidents/{ref}/updates/{update_id}/request-approval"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/updates/{update_id}/send"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/review"): lambda w, who: {},
    ("PATCH", "/api/v1/incidents/{ref}/review"): lambda w, who: {"summary": f"review by {who.name}"},
    ("POST", "/api/v1/incidents/{ref}/review/figures"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/review/moments"): lambda w, who: {"at": "2026-03-01T08:30:00+00:00",
                                                                        "text": f"moment by {who.name}"},
    ("PUT", "/api/v1/incidents/{ref}/review/moments"): lambda w, who: {"ids": list(reversed(w.moment_ids))},
    ("PUT", "/api/v1/incidents/{ref}/review/moments/{moment_id}"): lambda w, who: {
        "at": "2026-03-01T08:30:00+00:00", "text": f"moment by {who.name}"},
    ("DELETE", "/api/v1/incidents/{ref}/review/moments/{moment_id}"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/review/submit"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/review/meeting"): lambda w, who: {"held_at": "2026-03-01T08:00:00+00:00"},
    ("POST", "/api/v1/incidents/{ref}/review/signoffs"): lambda w, who: {"role": "commander"},
    ("POST", "/api/v1/incidents/{ref}/review/publish"): lambda w, who: {},
    ("POST", "/api/v1/incidents/{ref}/review/feedback"): lambda w, who: {"went_well": f"feedback by {who.name}"},
    ("PUT", "/api/v1/incidents/{ref}/review/criteria/{position}"): lambda w, who: {"state": "met"},
    ("POST", "/api/v1/incidents/{ref}/review/action-items"): lambda w, who: {"title": f"item by {who.name}",
                                                                             "kind": "policy"},
    ("POST", "/api/v1/wellness/check-ins/{ref}"): lambda w, who: {"wellbeing": 3, "workload": 4},
    ("POST", "/api/v1/incidents/{ref}/legal-hold"): lambda w, who: {"reason": f"probe by {who.name}"},
    ("POST", "/api/v1/incidents/{ref}/legal-hold/release"): lambda w, who: {},
}
# Form fields for web UI posts on a {ref} route (the CSRF token is added).
WEB_FORMS: dict[tuple[str, str], Body] = {
    ("POST", "/incidents/{ref}/status"): lambda w, who: {"status": "active"},
    ("POST", "/incidents/{ref}/severity"): lambda w, who: {"level": "2", "reason": "probe"},
    ("POST", "/incidents/{ref}/severity/clear"): lambda w, who: {},
    ("POST", "/incidents/{ref}/roles"): lambda w, who: {"role": "participant", "username": w.bystander},
    ("POST", "/incidents/{ref}/roles/{role}/{username}/remove"): lambda w, who: {},
    ("POST", "/incidents/{ref}/details"): lambda w, who: {"title": f"edited by {who.name}", "type": "child_safety",
                                                          "countries": "KZ", "languages": "kk"},
    ("POST", "/incidents/{ref}/links"): lambda w, who: {"other": w.public, "kind": "related"},
    ("POST", "/incidents/{ref}/merge"): lambda w, who: {"into": w.restricted2, "reason": "probe"},
    ("POST", "/incidents/{ref}/notes"): lambda w, who: {"body": f"note by {who.name}"},
    ("POST", "/incidents/{ref}/notes/{note_id}/pin"): lambda w, who: {"pinned": "0"},
    ("POST", "/incidents/{ref}/tasks"): lambda w, who: {"title": f"task by {who.name}"},
    ("POST", "/incidents/{ref}/tasks/{task_id}"): lambda w, who: {"status": "in_progress"},
    ("POST", "/incidents/{ref}/playbook"): lambda w, who: {"playbook_id": "child_safety"},
    ("POST", "/incidents/{ref}/playbook/conditions"): lambda w, who: {"conditions": "minors_involved"},
    ("POST", "/incidents/{ref}/updates"): lambda w, who: {"audience": "leadership", "language": "en",
                                                         "subject": "probe", "body": f"update by {who.name}"},
    ("POST", "/incidents/{ref}/updates/{update_id}"): lambda w, who: {"subject": "probe", "body": "edited"},
    ("POST", "/incidents/{ref}/updates/{update_id}/request-approval"): lambda w, who: {},
    ("POST", "/incidents/{ref}/updates/{update_id}/send"): lambda w, who: {},
    ("POST", "/incidents/{ref}/review/draft"): lambda w, who: {"language": "en"},
    ("POST", "/incidents/{ref}/review/sections"): lambda w, who: {"summary": f"review by {who.name}"},
    ("POST", "/incidents/{ref}/review/figures"): lambda w, who: {},
    ("POST", "/incidents/{ref}/review/moments"): lambda w, who: {"at": "2026-03-01T08:30", "kind": "other",
                                                                 "text": f"moment by {who.name}"},
    ("POST", "/incidents/{ref}/review/moments/{moment_id}"): lambda w, who: {"at": "2026-03-01T08:30",
                                                                             "kind": "other", "text": "edited"},
    ("POST", "/incidents/{ref}/review/moments/{moment_id}/move"): lambda w, who: {"direction": "down"},
    ("POST", "/incidents/{ref}/review/moments/{moment_id}/remove"): lambda w, who: {},
    ("POST", "/incidents/{ref}/review/criteria/{position}"): lambda w, who: {"state": "met"},
    ("POST", "/incidents/{ref}/review/feedback"): lambda w, who: {"went_well": f"feedback by {who.name}"},
    ("POST", "/incidents/{ref}/review/submit"): lambda w, who: {},
    ("POST", "/incidents/{ref}/review/meeting"): lambda w, who: {"held_at": "2026-03-01T08:00"},
    ("POST", "/incidents/{ref}/review/signoff"): lambda w, who: {"role": "commander"},
    ("POST", "/incidents/{ref}/review/publish"): lambda w, who: {},
    ("POST", "/incidents/{ref}/review/action-items"): lambda w, who: {"title": f"item by {who.name}",
                                                                      "kind": "policy"},
    ("POST", "/incidents/{ref}/check-in"): lambda w, who: {"wellbeing": "3", "workload": "4"},
    ("POST", "/incidents/{ref}/legal-hold"): lambda w, who: {"reason": f"web probe by {who.name}"},
    ("POST", "/incidents/{ref}/legal-hold/release"): lambda w, who: {},
    ("POST", "/incidents/{ref}/page"): lambda w, who: {"target": f"{w.oncall['team_id']}:{w.oncall['policy_id']}"},
}
# Everything the warehouse knows of incidents, their timelines and tasks, in one cell.
EVERYTHING = ("SELECT (SELECT coalesce(string_agg(ref || ' ' || title, ','), '') FROM incidents) || "
              "(SELECT coalesce(string_agg(CAST(payload AS VARCHAR), ','), '') FROM timeline) || "
              "(SELECT coalesce(string_agg(ref || ' ' || title, ','), '') FROM tasks) AS everything")
# Writes without a ref (JSON for the API, form fields for the web UI).
NOREF_WRITES: dict[tuple[str, str], Body] = {
    # One's own contact methods and rules (ids 1: someone's first method, another person's for most callers).
    ("POST", "/api/v1/me/contacts"): lambda w, who: {"kind": "email", "address": f"{who.name}@example.org"},
    ("POST", "/api/v1/me/contacts/{contact_id}/verify"): lambda w, who: {"code": "000000"},
    ("POST", "/api/v1/me/contacts/{contact_id}/code"): lambda w, who: {},
    ("DELETE", "/api/v1/me/contacts/{contact_id}"): lambda w, who: {},
    ("POST", "/api/v1/me/contact-rules"): lambda w, who: {"contact_id": 1, "delay_minutes": 5},
    ("DELETE", "/api/v1/me/contact-rules/{rule_id}"): lambda w, who: {},
    ("POST", "/account/contacts"): lambda w, who: {"kind": "email", "address": f"web-{who.name}@example.org"},
    ("POST", "/account/contacts/{contact_id}/verify"): lambda w, who: {"code": "000000"},
    ("POST", "/account/contacts/{contact_id}/code"): lambda w, who: {},
    ("POST", "/account/contacts/{contact_id}/remove"): lambda w, who: {},
    ("POST", "/account/contact-rules"): lambda w, who: {"contact_id": "1", "delay_minutes": "5"},
    ("POST", "/account/contact-rules/{rule_id}/remove"): lambda w, who: {},
    # Sending a page on (the restricted incident's page: a 404 for those who may not see it).
    ("POST", "/api/v1/oncall/pages/{page_id}/escalate"): lambda w, who: {},
    ("POST", "/oncall/pages/{page_id}/escalate"): lambda w, who: {},
    # Telegram's webhook: off without its secret (404 for everyone).
    ("POST", "/api/v1/oncall/telegram/updates"): lambda w, who: {"update_id": 1},
    # Translation: requests without an incident, the restricted incident's request by id, skills, memory, glossary.
    ("POST", "/api/v1/translations"): lambda w, who: {"source_kind": "text", "source_lang": "ru",
                                                      "target_lang": "en", "text": f"probe {who.name}"},
    ("POST", "/api/v1/translations/{translation_id}/start"): lambda w, who: {"confirm": False},
    ("POST", "/api/v1/translations/{translation_id}/draft"): lambda w, who: {"translation": "probe"},
    ("POST", "/api/v1/translations/{translation_id}/submit"): lambda w, who: {"translation": "probe"},
    ("POST", "/api/v1/translations/{translation_id}/review"): lambda w, who: {
        "decision": "return", "translation_sha256": "0" * 64, "comment": "probe"},
    ("PUT", "/api/v1/account/languages"): lambda w, who: {"skills": {"ru": "native", "en": "professional"}},
    ("POST", "/api/v1/translation-memory/lookup"): lambda w, who: {"source_lang": "kk", "target_lang": "en",
                                                                   "text": "Бейне жойылды."},
    ("POST", "/api/v1/translation-memory/import"): lambda w, who: {"document": "<tmx/>"},
    ("POST", "/api/v1/glossary"): lambda w, who: {"concept": f"probe {who.name}"},
    ("DELETE", "/api/v1/glossary/{term_id}"): lambda w, who: {},
    ("POST", "/api/v1/glossary/import"): lambda w, who: {"document": "<tbx/>"},
    ("POST", "/translations"): lambda w, who: {"source_kind": "text", "source_lang": "ru", "target_lang": "en",
                                               "text": f"web probe {who.name}"},
    ("POST", "/translations/{translation_id}/start"): lambda w, who: {},
    ("POST", "/translations/{translation_id}/reveal"): lambda w, who: {},
    ("POST", "/translations/{translation_id}/translation"): lambda w, who: {"translation": "probe",
                                                                             "action": "submit"},
    ("POST", "/translations/{translation_id}/review"): lambda w, who: {"decision": "return", "comment": "probe",
                                                                       "translation_sha256": "0" * 64},
    ("POST", "/account/languages"): lambda w, who: {"level_ru": "native", "level_en": "professional"},
    ("POST", "/glossary"): lambda w, who: {"concept": f"web probe {who.name}", "en_preferred": "probe"},
    ("POST", "/glossary/{term_id}/delete"): lambda w, who: {},
    ("POST", "/glossary/import"): lambda w, who: {},  # no file: the page says so
    ("POST", "/translation-memory/import"): lambda w, who: {},
    # Analytics: the console and the metrics read the warehouse, synced after the incident exists.
    ("POST", "/api/v1/analytics/query"): lambda w, who: {"sql": EVERYTHING},
    ("POST", "/api/v1/analytics/queries"): lambda w, who: {"name": f"probe {who.name}", "sql": EVERYTHING},
    ("PUT", "/api/v1/analytics/queries/{key}"): lambda w, who: {"name": "probe", "sql": "SELECT 1"},
    ("DELETE", "/api/v1/analytics/queries/{key}"): lambda w, who: {},
    ("POST", "/api/v1/analytics/queries/{key}/run"): lambda w, who: {},
    ("POST", "/api/v1/analytics/sync"): lambda w, who: {},
    ("POST", "/analytics/sql"): lambda w, who: {"sql": EVERYTHING, "params": ""},
    ("POST", "/analytics/sql/download"): lambda w, who: {"sql": EVERYTHING, "params": "", "format": "csv"},
    ("POST", "/analytics/queries"): lambda w, who: {"name": f"probe {who.name}", "sql": EVERYTHING},
    ("POST", "/analytics/queries/{key}/delete"): lambda w, who: {},
    ("POST", "/analytics/sync"): lambda w, who: {"next": "/analytics"},
    ("POST", "/api/v1/incidents"): lambda w, who: {"title": f"declared by {who.name}", "type": "other"},
    # The risk register: a risk of the restricted incident's harm and country (child_safety in KZ), whose
    # indicators never count it.
    ("POST", "/api/v1/risks"): lambda w, who: {"harm": "grooming", "country": "KZ", "likelihood": 3, "impact": 5},
    ("PATCH", "/api/v1/risks/{risk_id}"): lambda w, who: {"description": f"by {who.name}"},
    ("POST", "/api/v1/risks/{risk_id}/assessments"): lambda w, who: _assessment_body(),
    ("POST", "/api/v1/risks/{risk_id}/assessments/{number}/submit"): lambda w, who: {},
    ("POST", "/api/v1/risks/{risk_id}/assessments/{number}/review"): lambda w, who: {},
    ("POST", "/api/v1/risks/{risk_id}/assessments/{number}/return"): lambda w, who: {"comment": "probe"},
    ("POST", "/api/v1/risks/{risk_id}/assessments/{number}/approve"): lambda w, who: {},
    ("POST", "/api/v1/risks/{risk_id}/mitigations"): lambda w, who: {"kind": "other", "description": "probe"},
    ("DELETE", "/api/v1/risks/{risk_id}/mitigations/{mitigation_id}"): lambda w, who: {},
    ("POST", "/risks"): lambda w, who: {"harm": "grooming", "country": "KZ", "likelihood": "3", "impact": "5"},
    ("POST", "/risks/{risk_id}/edit"): lambda w, who: {"description": f"by {who.name}"},
    ("POST", "/risks/{risk_id}/assessments"): lambda w, who: _assessment_body(),
    ("POST", "/risks/{risk_id}/assessments/{number}/submit"): lambda w, who: {},
    ("POST", "/risks/{risk_id}/assessments/{number}/review"): lambda w, who: {},
    ("POST", "/risks/{risk_id}/assessments/{number}/return"): lambda w, who: {"comment": "probe"},
    ("POST", "/risks/{risk_id}/assessments/{number}/approve"): lambda w, who: {},
    ("POST", "/risks/{risk_id}/mitigations"): lambda w, who: {"kind": "other", "description": "probe"},
    ("POST", "/risks/{risk_id}/mitigations/{mitigation_id}/remove"): lambda w, who: {},
    # The digest: composed with each recipient's rights, so the member's digest names the incident (by
    # its reference) and an outsider's does not.
    ("PUT", "/api/v1/risks/digest/schedule"): lambda w, who: {"recipients": []},
    ("POST", "/api/v1/risks/digest/send"): lambda w, who: {},
    ("POST", "/risks/digest/schedule"): lambda w, who: {"enabled": "1", "weekday": "0", "hour": "9",
                                                         "timezone": "UTC", "recipients": ""},
    ("POST", "/risks/digest/send"): lambda w, who: {},
    # An action item of the restricted incident's review (the id exists only once the incident does).
    ("PATCH", "/api/v1/action-items/{action_item_id}"): lambda w, who: {"priority": "high"},
    ("POST", "/api/v1/action-items/{action_item_id}/accept-playbook"): lambda w, who: {},
    ("POST", "/action-items/{action_item_id}"): lambda w, who: {"status": "in_progress"},
    ("POST", "/action-items/{action_item_id}/accept-playbook"): lambda w, who: {},
    # Wellness: one's own settings and exposure, the team's budgets, surge and support (no incident in them).
    ("PUT", "/api/v1/wellness/viewing"): lambda w, who: {"general": {"small": True}, "sensitive": {}},
    ("POST", "/api/v1/wellness/me/exposures"): lambda w, who: {"harm": "grooming", "seconds": 60},
    ("PUT", "/api/v1/wellness/budgets"): lambda w, who: {"intensity": "high", "daily_minutes": 60},
    ("PUT", "/api/v1/wellness/budgets/people"): lambda w, who: {"username": w.bystander, "intensity": "high"},
    ("POST", "/api/v1/wellness/surge"): lambda w, who: {"factor": 1.5, "hours": 2, "reason": "probe"},
    ("DELETE", "/api/v1/wellness/surge"): lambda w, who: {},
    ("POST", "/api/v1/wellness/resources"): lambda w, who: {"title": "Helpline", "contact": "+7 800"},
    ("DELETE", "/api/v1/wellness/resources/{resource_id}"): lambda w, who: {},
    ("POST", "/wellness/viewing"): lambda w, who: {"general.blur": "1"},
    ("POST", "/wellness/manage/budgets"): lambda w, who: {"intensity": "high", "daily_minutes": "60"},
    ("POST", "/wellness/manage/surge"): lambda w, who: {"factor": "1.5", "hours": "2", "reason": "probe"},
    ("POST", "/wellness/manage/surge/end"): lambda w, who: {},
    ("POST", "/wellness/manage/resources"): lambda w, who: {"title": "Helpline", "contact": "+7 800"},
    ("POST", "/wellness/manage/resources/{resource_id}/remove"): lambda w, who: {},
    ("POST", "/signals/{signal_id}/reveal"): lambda w, who: {"next": "/signals"},
    ("POST", "/cases/{case_id}/reveal"): lambda w, who: {},
    ("PATCH", "/api/v1/me"): lambda w, who: {"display_name": f"{who.name} again"},
    ("POST", "/api/v1/users"): lambda w, who: {"username": f"new-{who.name}", "role": "viewer"},
    ("POST", "/api/v1/tokens"): lambda w, who: {"name": "probe", "scopes": ["incidents:read"]},
    ("DELETE", "/api/v1/tokens/{token_id}"): lambda w, who: {},
    # Personal settings and API tokens, user administration and the audit view.
    ("POST", "/account/settings"): lambda w, who: {"display_name": f"{who.name} again", "email": "",
                                                   "locale": "en", "timezone": "UTC"},
    ("POST", "/account/tokens"): lambda w, who: {"name": "probe", "scopes": "incidents:read", "days": "30"},
    ("POST", "/account/working-hours"): lambda w, who: {"days": ["0", "1", "2"], "start": "08:00", "end": "17:00"},
    ("POST", "/account/calendar-feed/reissue"): lambda w, who: {},
    ("POST", "/account/calendar-feed/revoke"): lambda w, who: {},
    ("POST", "/account/tokens/{token_id}/revoke"): lambda w, who: {},
    ("POST", "/admin/users"): lambda w, who: {"username": f"web-{who.name}", "role": "viewer"},
    ("POST", "/admin/users/{username}/role"): lambda w, who: {"role": "viewer"},
    ("POST", "/admin/users/{username}/deactivate"): lambda w, who: {},
    ("POST", "/admin/users/{username}/reactivate"): lambda w, who: {},
    ("POST", "/admin/users/{username}/password"): lambda w, who: {},
    ("POST", "/admin/users/{username}/tokens/{token_id}/revoke"): lambda w, who: {},
    ("POST", "/admin/audit/verify"): lambda w, who: {},
    # The data lifecycle: retention on demand and a person's data (privacy:manage, which outsiders lack).
    ("POST", "/api/v1/privacy/retention:run"): lambda w, who: {},
    ("POST", "/api/v1/privacy/subjects:find"): lambda w, who: {"kind": "user", "identifier": w.scribe},
    ("POST", "/api/v1/privacy/subjects:export"): lambda w, who: {"kind": "user", "identifier": w.scribe},
    ("POST", "/api/v1/privacy/subjects:erase"): lambda w, who: {"kind": "user", "identifier": w.bystander},
    ("POST", "/privacy/find"): lambda w, who: {"kind": "user", "identifier": w.scribe},
    ("POST", "/privacy/export"): lambda w, who: {"kind": "user", "identifier": w.scribe},
    ("POST", "/privacy/erase"): lambda w, who: {"kind": "user", "identifier": w.bystander, "confirm": "1"},
    ("POST", "/privacy/retention"): lambda w, who: {},
    ("POST", "/incidents/new"): lambda w, who: {"title": f"declared by {who.name}", "type": "other",
                                                "harm": "2"},
    ("POST", "/api/v1/notifications/{message_id}/retry"): lambda w, who: {},
    ("POST", "/api/v1/notifications/test"): lambda w, who: {"email": "probe@example.org"},
    ("POST", "/api/v1/webhooks"): lambda w, who: {"name": f"probe {who.name}", "url": "http://127.0.0.1:9/x"},
    ("PATCH", "/api/v1/webhooks/{endpoint_id}"): lambda w, who: {"enabled": False},
    ("DELETE", "/api/v1/webhooks/{endpoint_id}"): lambda w, who: {},
    ("PUT", "/api/v1/me/notification-preferences"): lambda w, who: {"preferences": {}},
    ("POST", "/api/v1/playbooks"): lambda w, who: {"text": "id: probe"},
    ("POST", "/api/v1/playbooks/validate"): lambda w, who: {"text": "id: probe"},
    ("POST", "/api/v1/approvals/{approval_id}/decision"): lambda w, who: {"decision": "approved",
                                                                          "text_sha256": "0" * 64},
    ("PUT", "/api/v1/audiences/{slug}"): lambda w, who: {"emails": ["probe@example.org"]},
    ("POST", "/playbooks/{playbook_id}"): lambda w, who: {"text": "id: probe"},
    ("POST", "/approvals/{approval_id}/decision"): lambda w, who: {"decision": "approved", "text_sha256": "0" * 64},
    ("POST", "/settings/audiences/{slug}"): lambda w, who: {"emails": "probe@example.org"},
    ("POST", "/outbox/{message_id}/retry"): lambda w, who: {},
    # On call: a team whose routing rule pages its on-call (the member) for child-safety incidents.
    ("POST", "/api/v1/oncall/teams"): lambda w, who: {"name": f"probe team {who.name}"},
    ("PATCH", "/api/v1/oncall/teams/{team_id}"): lambda w, who: {"description": f"by {who.name}"},
    ("POST", "/api/v1/oncall/teams/{team_id}/schedules"): lambda w, who: {"name": f"probe {who.name}"},
    ("POST", "/api/v1/oncall/schedules/{schedule_id}/layers"): lambda w, who: _layer_body(w, 7),
    ("PUT", "/api/v1/oncall/schedules/{schedule_id}/layers/{layer_id}"): lambda w, who: _layer_body(w, 1),
    ("DELETE", "/api/v1/oncall/schedules/{schedule_id}/layers/{layer_id}"): lambda w, who: {},
    ("POST", "/api/v1/oncall/schedules/{schedule_id}/overrides"): lambda w, who: {
        "username": w.bystander, "starts_at": "2026-03-02T00:00:00Z", "ends_at": "2026-03-02T06:00:00Z"},
    ("DELETE", "/api/v1/oncall/schedules/{schedule_id}/overrides/{override_id}"): lambda w, who: {},
    ("POST", "/api/v1/oncall/teams/{team_id}/policies"): lambda w, who: _policy_body(w, who),
    ("PUT", "/api/v1/oncall/policies/{policy_id}"): lambda w, who: _policy_body(w, who),
    ("POST", "/api/v1/oncall/teams/{team_id}/routes"): lambda w, who: {"policy_id": w.oncall["policy_id"]},
    ("DELETE", "/api/v1/oncall/teams/{team_id}/routes/{route_id}"): lambda w, who: {},
    ("POST", "/api/v1/oncall/pages"): lambda w, who: {"team_id": w.oncall["team_id"],
                                                      "summary": f"probe by {who.name}"},
    ("POST", "/api/v1/oncall/pages/{page_id}/ack"): lambda w, who: {},
    ("POST", "/api/v1/oncall/pages/{page_id}/resolve"): lambda w, who: {},
    ("POST", "/api/v1/oncall/schedules/{schedule_id}/swaps"): lambda w, who: {
        "username": w.bystander, "starts_at": "2026-03-01T12:00:00Z", "ends_at": "2026-03-01T13:00:00Z"},
    ("POST", "/api/v1/oncall/swaps/{swap_id}/{decision}"): lambda w, who: {},
    ("POST", "/oncall/teams"): lambda w, who: {"name": f"probe web team {who.name}", "timezone": "UTC"},
    ("POST", "/oncall/teams/{team_id}/schedules"): lambda w, who: {"name": f"web {who.name}", "timezone": "UTC"},
    ("POST", "/oncall/schedules/{schedule_id}/layers"): lambda w, who: {
        "name": "web", "level": "9", "users": w.bystander, "timezone": "UTC", "start_date": "2026-01-01"},
    ("POST", "/oncall/schedules/{schedule_id}/layers/{layer_id}/delete"): lambda w, who: {},
    ("POST", "/oncall/schedules/{schedule_id}/overrides"): lambda w, who: {
        "username": w.bystander, "starts_at": "2026-03-03T10:00", "ends_at": "2026-03-03T11:00"},
    ("POST", "/oncall/schedules/{schedule_id}/overrides/{override_id}/delete"): lambda w, who: {},
    ("POST", "/oncall/schedules/{schedule_id}/swaps"): lambda w, who: {
        "username": w.bystander, "starts_at": "2026-03-01T12:00", "ends_at": "2026-03-01T13:00"},
    ("POST", "/oncall/swaps/{swap_id}"): lambda w, who: {"decision": "accept"},
    ("POST", "/oncall/teams/{team_id}/policies"): lambda w, who: {
        "name": f"web {who.name}", "step1_kind": "user", "step1_target": w.bystander},
    ("POST", "/oncall/policies/{policy_id}"): lambda w, who: {
        "name": f"web edit {who.name}", "step1_kind": "user", "step1_target": w.bystander},
    ("POST", "/oncall/teams/{team_id}/routes"): lambda w, who: {"policy_id": str(w.oncall["policy_id"])},
    ("POST", "/oncall/teams/{team_id}/routes/{route_id}/delete"): lambda w, who: {},
    ("POST", "/oncall/pages"): lambda w, who: {"team_id": str(w.oncall["team_id"]), "summary": f"web probe {who.name}"},
    ("POST", "/oncall/pages/{page_id}/ack"): lambda w, who: {},
    ("POST", "/oncall/pages/{page_id}/resolve"): lambda w, who: {},
    ("POST", "/oncall/ack/{token}"): lambda w, who: {},
    ("POST", "/api/v1/requests"): lambda w, who: {
        "country": "KZ", "regulator": "mci", "sender": f"probe {who.name}", "legal_basis": "Art. 9",
        "language": "kk", "received_at": "2026-03-01T08:00:00+00:00", "items": ["https://example.org/p"]},
    ("POST", "/api/v1/requests/{request_id}/items/{item_id}/outcome"): lambda w, who: {"outcome": "removed_globally"},
    ("POST", "/api/v1/requests/{request_id}/reply/draft"): lambda w, who: {},
    ("PUT", "/api/v1/requests/{request_id}/reply"): lambda w, who: {"body": f"reply by {who.name}"},
    ("POST", "/api/v1/decisions"): lambda w, who: {
        "puid": f"probe-{who.name}", "content_date": "2026-02-27", "action": "remove", "harm": "grooming",
        "explanation": "probe", "facts": "probe"},
    ("POST", "/api/v1/decisions/{decision_id}/appeals"): lambda w, who: {"appellant": "probe", "reason": "probe"},
    ("POST", "/api/v1/decisions/{decision_id}/appeals/{appeal_id}"): lambda w, who: {"status": "upheld"},
    ("POST", "/requests/new"): lambda w, who: {
        "regulator": "KZ/mci", "sender": f"probe {who.name}", "legal_basis": "Art. 9", "language": "kk",
        "received_at": "2026-03-01T08:00", "items": "https://example.org/p"},
    ("POST", "/requests/{request_id}/items/{item_id}"): lambda w, who: {"outcome": "removed_globally"},
    ("POST", "/requests/{request_id}/reply/draft"): lambda w, who: {},
    ("POST", "/requests/{request_id}/reply"): lambda w, who: {"body": f"reply by {who.name}"},
    ("POST", "/requests/{request_id}/reply/submit"): lambda w, who: {},
    ("POST", "/policy/countries/{code}/deadlines/{name}"): lambda w, who: {"hours": "12", "time": "calendar",
                                                                          "confidence": "verified"},
    ("POST", "/requests/{request_id}/reply/decide"): lambda w, who: {"decision": "approved",
                                                                     "text_sha256": "0" * 64},
    ("POST", "/api/v1/requests/{request_id}/reply/submit"): lambda w, who: {},
    ("POST", "/decisions/new"): lambda w, who: {
        "puid": f"web-probe-{who.name}", "content_date": "2026-02-27", "action": "remove", "harm": "grooming",
        "explanation": "probe", "facts": "probe"},
    ("POST", "/decisions/{decision_id}/appeals"): lambda w, who: {"appellant": "probe", "reason": "probe"},
    ("POST", "/decisions/{decision_id}/appeals/{appeal_id}"): lambda w, who: {"status": "upheld"},
    ("POST", "/api/v1/lexicons/terms"): lambda w, who: {"harm": "suicide_promotion", "language": "ru",
                                                        "term": f"probe {who.name}"},
    ("POST", "/api/v1/lexicons/{lexicon_id}/terms"): lambda w, who: {"term": f"probe two {who.name}"},
    ("DELETE", "/api/v1/lexicons/{lexicon_id}/terms/{term_id}"): lambda w, who: {},
    ("POST", "/api/v1/lexicons/match"): lambda w, who: {"text": "синий кит"},
    ("POST", "/api/v1/lexicons/annotate"): lambda w, who: {"texts": ["синий кит"], "languages": False},
    ("POST", "/lexicons/terms"): lambda w, who: {"harm": "suicide_promotion", "language": "ru",
                                                 "term": f"web probe {who.name}", "kind": "term"},
    ("POST", "/lexicons/{lexicon_id}/terms"): lambda w, who: {"term": f"web probe two {who.name}", "kind": "term"},
    ("POST", "/lexicons/{lexicon_id}/terms/{term_id}/remove"): lambda w, who: {},
    # Detection: ids that do not exist in this world (404 before and after), thresholds and suppressions.
    ("POST", "/api/v1/alerts/{alert_id}/ack"): lambda w, who: {},
    ("POST", "/api/v1/alerts/{alert_id}/snooze"): lambda w, who: {"until": "2026-03-01T12:00:00Z", "reason": "probe"},
    ("POST", "/api/v1/alerts/{alert_id}/suppress"): lambda w, who: {"reason": "probe",
                                                                    "expires_at": "2026-03-02T12:00:00Z"},
    ("POST", "/api/v1/alerts/{alert_id}/dismiss"): lambda w, who: {"reason": "probe"},
    ("POST", "/api/v1/alerts/{alert_id}/case"): lambda w, who: {},
    ("POST", "/api/v1/detection/suppressions"): lambda w, who: {"harm": "phishing", "reason": "probe",
                                                                "expires_at": "2026-03-02T12:00:00Z"},
    ("DELETE", "/api/v1/detection/suppressions/{suppression_id}"): lambda w, who: {},
    ("POST", "/api/v1/cases"): lambda w, who: {"source": "press", "title": f"probe case {who.name}"},
    ("POST", "/api/v1/cases/{case_id}/assign"): lambda w, who: {"username": w.bystander},
    ("POST", "/api/v1/cases/{case_id}/notes"): lambda w, who: {"body": "probe"},
    ("POST", "/api/v1/cases/{case_id}/dismiss"): lambda w, who: {"reason": "probe"},
    ("POST", "/api/v1/cases/{case_id}/escalate"): lambda w, who: {"into": w.restricted or MISSING_REF},
    ("PUT", "/api/v1/detection/thresholds/{family}"): lambda w, who: {"threshold": 0.65},
    ("POST", "/api/v1/detection/thresholds/{family}/backtest"): lambda w, who: {"threshold": 0.65},
    ("POST", "/alerts/{alert_id}"): lambda w, who: {"action": "ack"},
    ("POST", "/cases"): lambda w, who: {"source": "press", "title": f"web probe case {who.name}"},
    ("POST", "/cases/{case_id}"): lambda w, who: {"action": "escalate", "into": w.restricted or MISSING_REF},
    ("POST", "/detection/thresholds"): lambda w, who: {"family": "phishing", "threshold": "0.65"},
    ("POST", "/detection/suppressions"): lambda w, who: {"harm": "phishing", "reason": "probe", "days": "1"},
    ("POST", "/detection/suppressions/{suppression_id}/lift"): lambda w, who: {},
    ("POST", "/api/v1/signals:batch"): lambda w, who: {"signals": [{
        "external_id": f"probe-{who.name}", "source": "user_report", "occurred_at": "2026-03-01T08:00:00Z",
        "text": f"probe signal from {who.name}", "harm": "dangerous_challenge", "country": "KZ"}]},
    ("POST", "/api/v1/hashlists"): lambda w, who: {"name": f"probe {who.name}", "harm": "violent_extremism",
                                                   "source": "probe"},
    ("PATCH", "/api/v1/hashlists/{list_id}"): lambda w, who: {"max_distance": 30},
    ("POST", "/api/v1/hashlists/{list_id}/entries"): lambda w, who: {"hash": "0f" * 32},
    ("DELETE", "/api/v1/hashlists/{list_id}/entries/{entry_id}"): lambda w, who: {},
    ("POST", "/api/v1/hashlists/{list_id}/import"): lambda w, who: {},  # multipart: a JSON body is a 422
    ("POST", "/api/v1/hashes:match"): lambda w, who: {"hashes": ["0f" * 32]},
    ("POST", "/api/v1/hashes:match-image"): lambda w, who: {},  # multipart: a JSON body is a 422
    ("POST", "/hashlists"): lambda w, who: {"name": f"web probe {who.name}", "harm": "violent_extremism",
                                            "source": "probe", "max_distance": "31"},
    ("POST", "/hashlists/check"): lambda w, who: {},  # no image: the page says so
    ("POST", "/hashlists/{list_id}/import"): lambda w, who: {},
    ("POST", "/hashlists/{list_id}/entries"): lambda w, who: {"hash": "f0" * 32},
    ("POST", "/hashlists/{list_id}/entries/{entry_id}/remove"): lambda w, who: {},
    ("POST", "/hashlists/{list_id}/settings"): lambda w, who: {"max_distance": "30"},
}


def _layer_body(w: World, level: int) -> dict[str, Any]:
    return {"name": "probe", "level": level, "users": [w.bystander], "timezone": "Asia/Almaty",
            "start_date": "2026-01-01"}


def _policy_body(w: World, who: Who) -> dict[str, Any]:
    return {"name": f"probe {who.name}", "steps": [{"kind": "user", "target": w.bystander}]}
# Paths of {ref} routes that make the incident final; called last by the members.
FINAL_LAST = ("/merge",)


@dataclass
class Who:
    name: str
    actor: Actor
    api: Caller
    web: WebCaller
    spare_token_id: int


@dataclass
class World:
    restricted: str
    restricted2: str
    public: str
    note_id: int
    task_id: int
    scribe: str
    bystander: str
    endpoint_id: int = 0
    message_id: int = 0  # an outbox message about the restricted incident, to its member
    update_id: int = 0  # a stakeholder update on the restricted incident
    approval_id: int = 0  # an approval of that update, which commanders could decide
    oncall: dict[str, int] = field(default_factory=dict)  # team, schedule, layer… ids; page_id once paged
    request_id: int = 0  # a regulator request linked to the restricted incident
    item_id: int = 0
    decision_id: int = 0  # a content decision linked to the restricted incident
    appeal_id: int = 0
    moment_ids: list[int] = field(default_factory=list)  # the restricted incident's review's key moments
    action_item_id: int = 0
    risk_id: int = 0
    translation_id: int = 0  # a translation request on the restricted incident
    markers: list[str] = field(default_factory=list)


def _spare_token(actor: Actor) -> int:
    from rapidresponse.auth import service as auth

    with unit_of_work() as s:
        token, _ = auth.create_token(s, actor, name="spare")
        return token.id


def _who(name: str, actor: Actor) -> Who:
    cookie, csrf = session_for(actor)
    return Who(name, actor, Caller(actor, token_for(actor)), WebCaller(actor, cookie, csrf), _spare_token(actor))


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, including routes of included routers."""
    try:
        from fastapi.routing import iter_route_contexts

        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: app.routes is already flat
        contexts = list(app.routes)
    found = []
    for route in contexts:
        original = getattr(route, "original_route", route)
        path = route.path
        if isinstance(original, Mount):
            found.append(("MOUNT", path))
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def _allowed(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in ALLOW_LIST)


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _fill(path: str, world: World, who: Who, ref: str) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        values = {"ref": ref, "note_id": str(world.note_id), "task_id": str(world.task_id), "role": "scribe",
                  "username": world.scribe, "token_id": str(who.spare_token_id),
                  "message_id": str(world.message_id), "endpoint_id": str(world.endpoint_id),
                  "update_id": str(world.update_id), "approval_id": str(world.approval_id),
                  "playbook_id": "dangerous_challenge", "slug": "leadership",
                  "request_id": str(world.request_id or 1), "item_id": str(world.item_id or 1),
                  "decision_id": str(world.decision_id or 1), "appeal_id": str(world.appeal_id or 1),
                  "code": "KZ", "name": "authorised_body_request",
                  "decision": "accept", "token": "1-1-not-a-valid-signature",
                  "lexicon_id": "1", "term_id": "1", "number": "0", "trend_id": "1", "list_id": "1",
                  "entry_id": "1", "alert_id": "1", "case_id": "1", "suppression_id": "1", "family": "phishing",
                  "moment_id": str(world.moment_ids[0] if world.moment_ids else 1), "position": "1",
                  "action_item_id": str(world.action_item_id or 1), "metric": "by_country",
                  "key": "challenges_by_country", "risk_id": str(world.risk_id), "mitigation_id": "1",
                  "resource_id": "1", "signal_id": "1", "contact_id": "1", "rule_id": "1",
                  "translation_id": str(world.translation_id or 1),
                  **{k: str(v) for k, v in world.oncall.items()}}
        if name not in values:
            raise _Untaught(f"path parameter {{{name}}}: teach path_value in {__name__} what to put there")
        return values[name]

    return re.sub(r"\{([^}]+)\}", value, path)


class _Untaught(Exception):
    pass


def _call(client: TestClient, method: str, path: str, world: World, who: Who, ref: str,
          body: dict[str, Any] | None) -> Response:
    url = _fill(path, world, who, ref)
    client.cookies.clear()
    if _is_api(path) or path in ("/healthz", "/readyz", "/metrics"):
        kw: dict[str, Any] = {"headers": who.api.headers}
        if method != "GET" and body is not None:
            kw["json"] = body
        return client.request(method, url, follow_redirects=False, params=QUERIES.get(path), **kw)
    client.cookies.set("rr_session", who.web.cookie)
    try:
        if method == "GET":
            return client.request(method, url, follow_redirects=False, params=QUERIES.get(path))
        return client.request(method, url, data={**(body or {}), "csrf_token": who.web.csrf},
                              follow_redirects=False)
    finally:
        client.cookies.clear()


def _normalise(resp: Response, ref: str) -> tuple[int, str, str]:
    text = resp.text.replace(ref, "<REF>").replace(ref.lower(), "<REF>")
    text = re.sub(r"/login\?next=[^\"'&\s]*", "/login?next=<X>", text)
    location = resp.headers.get("location", "").replace(ref, "<REF>")
    return resp.status_code, location, text


def _body_for(method: str, path: str) -> Body | None:
    if method == "GET":
        return lambda w, who: {}
    table = API_BODIES if _is_api(path) else WEB_FORMS
    return table.get((method, path))


@pytest.fixture
def world(client: TestClient, make_user: Callable[..., Actor], fake_clock: Any, tmp_path: Any,
          env: Callable[..., None]) -> tuple[World, dict[str, Who]]:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))
    people = {
        "member": _who("member", make_user("commander")),
        "admin": _who("admin", make_user("admin")),
        "outsider": _who("outsider", make_user("responder")),
        "viewer": _who("viewer", make_user("viewer")),
        "outsider-commander": _who("outsider-commander", make_user("commander")),
    }
    scribe, bystander = make_user("responder"), make_user("responder")
    member = people["member"].actor
    with unit_of_work() as s:
        public = service.declare(s, member, IncidentCreate(title="Public choking challenge",
                                                           type="dangerous_challenge"))
        public_ref = public.ref
        endpoint = notify_endpoints.create_endpoint(s, people["admin"].actor, name="partner hook",
                                                    url="http://127.0.0.1:9/hook")
        endpoint_id = endpoint.id
    ids = _oncall_world(people["admin"].actor, member, bystander)
    with unit_of_work() as s:
        risk_id = risk.create(s, people["admin"].actor, risk.RiskCreate(
            harm="child_safety", country="KZ", likelihood=3, impact=5)).id
    with unit_of_work(read_only=True) as s:
        analytics.sync_tick(s)
    return World(restricted="", restricted2="", public=public_ref, note_id=0, task_id=0, scribe=scribe.username,
                 bystander=bystander.username, endpoint_id=endpoint_id, oncall=ids, risk_id=risk_id), people


def _assessment_body() -> dict[str, Any]:
    return {"likelihood": 4, "impact": 5, "residual_likelihood": 3, "residual_impact": 5, "why": "probe"}


def _oncall_world(admin: Actor, member: Actor, bystander: Actor) -> dict[str, int]:
    """A team whose on-call is the member and whose rule pages it for child-safety incidents."""
    from rapidresponse.oncall import policies as oncall_policies
    from rapidresponse.oncall import service as oncall
    from rapidresponse.oncall import swaps as oncall_swaps
    from rapidresponse.oncall.schemas import LayerIn, OverrideIn, PolicyIn, RouteIn, ScheduleIn, SwapIn, TeamIn

    with unit_of_work() as s:
        team = oncall.create_team(s, admin, TeamIn(name="Central Asia child safety", timezone="Asia/Almaty",
                                                   webhook_endpoint_ids=[]))
        sched = oncall.create_schedule(s, admin, team.id, ScheduleIn(name="Primary", timezone="Asia/Almaty"))
        layer = oncall.add_layer(s, admin, sched.id, LayerIn.model_validate({
            "name": "Daily", "level": 1, "users": [member.username], "timezone": "Asia/Almaty",
            "start_date": "2026-01-01", "shift_unit": "days"}))
        start = clock.now()
        ov = oncall.add_override(s, admin, sched.id, OverrideIn(username=member.username, starts_at=start,
                                                                ends_at=start + timedelta(hours=1)))
        policy = oncall_policies.create_policy(s, admin, team.id, PolicyIn.model_validate({
            "name": "Default", "steps": [{"kind": "schedule", "target": str(sched.id)},
                                         {"kind": "role", "target": "commander"}]}))
        route = oncall_policies.add_route(s, admin, team.id, RouteIn.model_validate({
            "policy_id": policy.id, "incident_types": ["child_safety"], "min_severity": 4}))
        swap = oncall_swaps.request_swap(s, member, sched.id, SwapIn(
            username=bystander.username, starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=3)))
        return {"team_id": team.id, "schedule_id": sched.id, "layer_id": layer.id, "override_id": ov.id,
                "policy_id": policy.id, "route_id": route.id, "swap_id": swap.id, "page_id": 2**31 - 2}


def _make_restricted(world: World, people: dict[str, Who]) -> None:
    member = people["member"].actor
    title = "Restricted CSAM-7Q3X Դեպք ბავშვები Қазақстан"
    with unit_of_work() as s:
        r = service.declare(s, member, IncidentCreate(title=title, type="child_safety", countries=["KZ"],
                                                      languages=["kk"], summary="summary-marker-7Q3X"))
        r2 = service.declare(s, member, IncidentCreate(title="Second restricted 8W2Z", type="child_safety"))
        world.restricted, world.restricted2 = r.ref, r2.ref
        note = work.add_note(s, member, r.ref, NoteCreate(body="note-marker-7Q3X", pinned=True))
        task = work.add_task(s, member, r.ref, TaskCreate(title="task-marker-7Q3X",
                                                          owner=people["outsider"].actor.username))
        work.add_task(s, member, r.ref, TaskCreate(title="task-marker-7Q3X-viewer",
                                                   owner=people["viewer"].actor.username))
        world.note_id, world.task_id = note.id, task.id
        service.assign_role(s, member, r.ref, RoleAssign(role="scribe", username=world.scribe))
        service.link(s, member, r.ref, LinkRequest(ref=world.public))
        msg, _ = notify.enqueue(s, kind="incident.declared", channel="email", recipient="member@example.org",
                                subject=f"{title} 7Q3X", body="note-marker-7Q3X", user_id=member.user_id,
                                incident_id=r.id, restricted=True)
        world.message_id = msg.id
        upd = updates.create(s, member, r.ref, audience="leadership", language="en", subject=f"{title} update",
                             body="update-marker-7Q3X")
        upd = updates.request_approval(s, member, r.ref, upd.id)
        world.update_id, world.approval_id = upd.id, upd.approval_id or 0
        world.oncall["page_id"] = _page_of(s, r.id)
        admin = people["admin"].actor
        req = requests.register(s, admin, requests.RequestCreate(
            country="KZ", regulator="mci", sender="MCI request-marker-7Q3X", legal_basis="Art. 9(4)(2)",
            language="kk", received_at=clock_now(), items=["https://example.org/item-marker-7Q3X"],
            incident=r.ref))
        world.request_id, world.item_id = req.id, req.items[0].id
        decision = decisions.record_decision(s, admin, decisions.DecisionCreate(
            puid="decision-marker-7Q3X", content_date=date(2026, 2, 27), action="remove", harm="grooming",
            explanation="explanation-marker-7Q3X", facts="facts-marker-7Q3X", incident=r.ref))
        world.decision_id = decision.id
        world.appeal_id = decisions.file_appeal(s, admin, decision.id,
                                                decisions.AppealCreate(appellant="a", reason="r")).appeals[0].id
        service.change_status(s, member, r.ref, StatusChange(status="active"))
        review = reviews.draft(s, member, r.ref)
        reviews.edit(s, member, r.ref, reviews.ReviewEdit(summary="review-marker-7Q3X"))
        world.moment_ids = [m.id for m in review.moments]
        world.action_item_id = reviews.add_action_item(s, member, r.ref, reviews.ActionItemIn(
            title="action-marker-7Q3X", kind="policy")).id
        world.translation_id = translation.request(
            s, member, source_kind="evidence", source_lang="kk", target_lang="en", incident=r.ref,
            text="translation-marker-7Q3X Бейне жойылды.", harm="csam").id
    with unit_of_work(read_only=True) as s:
        analytics.sync_tick(s)
    world.markers = [world.restricted, title, "7Q3X", world.restricted2, "8W2Z"]


def _page_of(session: Any, incident_id: int) -> int:
    from sqlalchemy import select

    from rapidresponse.oncall.models import Page

    return session.execute(select(Page.id).where(Page.incident_id == incident_id)).scalar_one()


def test_restricted_incident_is_invisible_on_every_route(app: FastAPI, client: TestClient,
                                                         world: tuple[World, dict[str, Who]]) -> None:
    w, people = world
    outsiders = [people["outsider"], people["viewer"], people["outsider-commander"]]
    routes = [(m, p) for m, p in _routes(app) if not _allowed(p)]
    problems: list[str] = []
    for method, path in routes:
        if method == "MOUNT":
            problems.append(f"mounted app at {path}: teach {__name__} how to check it (or allow-list it)")
    routes = [(m, p) for m, p in routes if m != "MOUNT"]
    ref_routes = [(m, p) for m, p in routes if "{ref}" in p]
    noref_reads = [(m, p) for m, p in routes if "{ref}" not in p and m == "GET"]
    noref_writes = [(m, p) for m, p in routes if "{ref}" not in p and m != "GET"]
    assert ref_routes and noref_reads, "route discovery found nothing: the test is broken"

    # What outsiders see before the restricted incident exists.
    before = {(who.name, p): _call(client, "GET", p, w, who, "", None) for who in outsiders for _, p in noref_reads}
    _make_restricted(w, people)
    for path in QUERIES:  # the searches find it for its member, so their check below can tell
        if w.restricted not in _call(client, "GET", path, w, people["member"], "", None).text:
            problems.append(f"GET {path}?q=CSAM as member: does not find the restricted incident")

    # 1. Routes with {ref}: the same answer as for a ref that does not exist, and nothing changes.
    for method, path in ref_routes:
        body_for = _body_for(method, path)
        if body_for is None:
            problems.append(f"{method} {path}: unknown route; teach {__name__} a plausible body for it "
                            f"(API_BODIES or WEB_FORMS)")
            continue
        for who in outsiders:
            body = body_for(w, who)
            try:
                state = snapshot()
                got = _call(client, method, path, w, who, w.restricted, body)
                changed = snapshot() != state
                missing = _call(client, method, path, w, who, MISSING_REF, body)
            except _Untaught as exc:
                problems.append(f"{method} {path}: {exc}")
                break
            where = f"{method} {path} as {who.name}"
            if changed:
                problems.append(f"{where}: changed the database")
            if got.status_code not in (403, 404) or (method == "GET" and got.status_code != 404):
                problems.append(f"{where}: answered {got.status_code}, expected 404: {got.text[:200]}")
            if _normalise(got, w.restricted) != _normalise(missing, MISSING_REF):
                problems.append(f"{where}: answers differently than for a missing ref "
                                f"({got.status_code} vs {missing.status_code}): {got.text[:200]!r} vs "
                                f"{missing.text[:200]!r}")

    # 2. Routes without {ref}: the same page as before, never a trace of the incident.
    for _, path in noref_reads:
        for who in outsiders:
            got = _call(client, "GET", path, w, who, "", None)
            leaked = [m for m in w.markers if m in got.text]
            if leaked:
                problems.append(f"GET {path} as {who.name}: shows {leaked}")
            elif path not in VOLATILE and got.text != before[(who.name, path)].text:
                problems.append(f"GET {path} as {who.name}: differs from before the restricted incident "
                                f"existed (a count or an entry includes it)")
    for method, path in noref_writes:
        body_for = NOREF_WRITES.get((method, path))
        if body_for is None:
            problems.append(f"{method} {path}: unknown route; teach {__name__} a plausible body for it "
                            f"(NOREF_WRITES)")
            continue
        for who in outsiders:
            got = _call(client, method, path, w, who, "", body_for(w, who))
            leaked = [m for m in w.markers if m in got.text or m in got.headers.get("location", "")]
            if leaked:
                problems.append(f"{method} {path} as {who.name}: shows {leaked}")

    # 3. Other incidents' pages do not point at it (links, timelines).
    for method, path in ref_routes:
        if method != "GET":
            continue
        for who in outsiders:
            got = _call(client, method, path, w, who, w.public, None)
            leaked = [m for m in w.markers if m in got.text]
            if leaked:
                problems.append(f"GET {path} with the linked public incident as {who.name}: shows {leaked}")

    # 4. Members and admins see it: the checks above can tell.
    ordered = sorted(ref_routes, key=lambda mp: mp[1].endswith(FINAL_LAST))
    for method, path in ordered:
        body_for = _body_for(method, path)
        if body_for is None:
            continue
        for who in (people["member"], people["admin"]):
            try:
                got = _call(client, method, path, w, who, w.restricted, body_for(w, who))
                missing = _call(client, method, path, w, who, MISSING_REF, body_for(w, who))
            except _Untaught:
                break
            if _normalise(got, w.restricted) == _normalise(missing, MISSING_REF):
                problems.append(f"{method} {path} as {who.name}: does not find the restricted incident "
                                f"({got.status_code}): {got.text[:200]!r}")
            if got.status_code >= 500:
                problems.append(f"{method} {path} as {who.name}: {got.status_code}")
    listing = [p for _, p in noref_reads if p in ("/api/v1/incidents", "/incidents", "/api/v1/me/tasks")]
    assert "/api/v1/incidents" in listing
    for path in listing:
        who = people["member"]
        if path == "/api/v1/me/tasks":
            continue
        got = _call(client, "GET", path, w, who, "", None)
        if w.restricted2 not in got.text:
            problems.append(f"GET {path} as member: does not list the restricted incident")
    admin_list = _call(client, "GET", "/api/v1/incidents", w, people["admin"], "", None).json()
    outsider_list = _call(client, "GET", "/api/v1/incidents", w, people["outsider"], "", None).json()
    assert w.restricted2 in [i["ref"] for i in admin_list["items"]]
    assert admin_list["total"] > outsider_list["total"]

    message = f"/api/v1/notifications/{w.message_id}"
    for who in outsiders:
        status = _call(client, "GET", message, w, who, "", None).status_code
        if status not in (403, 404):
            problems.append(f"GET {message} (about the restricted incident) as {who.name}: {status}")
    if _call(client, "GET", message, w, people["member"], "", None).status_code != 200:
        problems.append(f"GET {message} as its member recipient: not found, so the check above proves nothing")
    approval = f"/api/v1/approvals/{w.approval_id}"
    for who in outsiders:
        status = _call(client, "GET", approval, w, who, "", None).status_code
        if status != 404:
            problems.append(f"GET {approval} (about the restricted incident) as {who.name}: {status}")
    if _call(client, "GET", approval, w, people["admin"], "", None).status_code != 200:
        problems.append(f"GET {approval} as admin: not found, so the check above proves nothing")
    page = f"/api/v1/oncall/pages/{w.oncall['page_id']}"
    for who in outsiders:
        status = _call(client, "GET", page, w, who, "", None).status_code
        if status not in (403, 404):  # 403: no oncall:read at all (viewer), the same for every page
            problems.append(f"GET {page} (paged for the restricted incident) as {who.name}: {status}")
    if _call(client, "GET", page, w, people["member"], "", None).status_code != 200:
        problems.append(f"GET {page} as the on-call it reached: not found, so the check above proves nothing")
    for linked in (f"/api/v1/requests/{w.request_id}", f"/api/v1/decisions/{w.decision_id}",
                   f"/requests/{w.request_id}"):
        for who in outsiders:
            got = _call(client, "GET", linked, w, who, "", None)
            if got.status_code not in (403, 404):
                problems.append(f"GET {linked} (linked to the restricted incident) as {who.name}: {got.status_code}")
        if _call(client, "GET", linked, w, people["member"], "", None).status_code != 200:
            problems.append(f"GET {linked} as a member: not found, so the check above proves nothing")

    assert not problems, "restricted incident leaks or untested routes:\n  " + "\n  ".join(problems)


def test_body_refs_to_a_restricted_incident_are_404(client: TestClient, world: tuple[World, dict[str, Who]]) -> None:
    """Naming the restricted incident in a body (link to it, merge into it) is the same as a missing ref."""
    w, people = world
    _make_restricted(w, people)
    who = people["outsider-commander"]
    page = {"team_id": w.oncall["team_id"], "policy_id": w.oncall["policy_id"]}
    for path, field_name, extra in (("/api/v1/incidents/{ref}/links", "ref", {}),
                                    ("/api/v1/incidents/{ref}/merge", "into", {"reason": "probe"}),
                                    ("/api/v1/oncall/pages", "incident_ref", page)):
        state = snapshot()
        got = _call(client, "POST", path, w, who, w.public, {field_name: w.restricted, **extra})
        missing = _call(client, "POST", path, w, who, w.public, {field_name: MISSING_REF, **extra})
        assert snapshot() == state
        assert got.status_code == 404
        assert _normalise(got, w.restricted) == _normalise(missing, MISSING_REF)
    for path, field_name, extra in (("/incidents/{ref}/links", "other", {}),
                                    ("/incidents/{ref}/merge", "into", {"reason": "probe"})):
        state = snapshot()
        got = _call(client, "POST", path, w, who, w.public, {field_name: w.restricted, **extra})
        missing = _call(client, "POST", path, w, who, w.public, {field_name: MISSING_REF, **extra})
        assert snapshot() == state
        assert got.status_code == missing.status_code
        a, b = _normalise(got, w.restricted), _normalise(missing, MISSING_REF)
        assert a == b, "\n".join(difflib.unified_diff(a[2].splitlines(), b[2].splitlines(), lineterm=""))


def test_public_incident_merged_into_restricted_does_not_name_it(client: TestClient,
                                                                 world: tuple[World, dict[str, Who]]) -> None:
    w, people = world
    _make_restricted(w, people)
    member = people["member"]
    resp = client.post(f"/api/v1/incidents/{w.public}/merge", headers=member.api.headers,
                       json={"into": w.restricted, "reason": "same case"})
    assert resp.status_code == 200 and resp.json()["merged_into"] == w.restricted
    for who in (people["outsider"], people["viewer"]):
        for path in ("/api/v1/incidents/{ref}", "/api/v1/incidents/{ref}/timeline", "/api/v1/incidents",
                     "/incidents/{ref}", "/incidents", "/"):
            got = _call(client, "GET", path, w, who, w.public, None)
            assert got.status_code == 200, (path, got.status_code)
            leaked = [m for m in w.markers if m in got.text]
            assert not leaked, f"GET {path} as {who.name} shows {leaked}"
