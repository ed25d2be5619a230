"""Contract: generated requests against the app's own OpenAPI schema.

For every operation in the schema (GET, POST, PUT, PATCH and DELETE alike), schemathesis generates
valid and invalid requests (the real database, the app called in-process): the app never answers
5xx, its responses conform to the schema (status codes, content types, bodies), and every error is
an RFC 9457 problem+json document. Each generated request carries a Bearer token of its own, so a
request that revokes its own token (``DELETE /api/v1/tokens/{id}``) blinds no other. The schema is
the app's ``openapi()`` document, read in-process: nothing is fetched over HTTP before the first case.
Bounded and deterministic: a few examples per operation, derandomised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from apikit import Caller, token_for
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Invalid input may also be refused as too large (413: a body over the app's limit) before it is read.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
CONFIG = {"checks": {"negative_data_rejection": {"expected-statuses": REJECTED}}}


def errors_are_problems(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx is application/problem+json with type, title, status and detail."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/problem+json"), \
        f"{response.status_code} answered with {content_type!r}, not application/problem+json"
    body = json.loads(response.content)
    missing = {"type", "title", "status", "detail"} - set(body)
    assert not missing, f"problem without {sorted(missing)}: {body}"
    assert body["status"] == response.status_code, body
    return True


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    """The schema the app serves at /api/openapi.json, as a copy (the loader rewrites what it is given),
    with the app itself as the transport."""
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(app.openapi())),
                                            config=SchemathesisConfig.from_dict(CONFIG))
    schema.app = app
    schema.location = "/api/openapi.json"
    return schema


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _detection_world(actor: Any) -> None:
    """An alert (id 1) and a case (id 1) for generated requests to find."""
    from datetime import timedelta

    from rapidresponse import clock
    from rapidresponse.db import unit_of_work
    from rapidresponse.detection import alerts, cases

    at = clock.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    with unit_of_work() as s:
        alerts.on_crossing(s, ("dangerous_challenge", "KZ", "kk"), bucket=at, score=0.9, threshold=0.6, observed=40)
        cases.open_manual(s, actor, source="press", title="Press report: a challenge in Almaty schools")


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_generated_requests_honour_the_contract(api_schema: Any, login: Callable[..., Caller],
                                                declare: Callable[..., dict[str, Any]], mode: GenerationMode) -> None:
    admin = login("admin")
    # Something to find: generated refs are mostly unknown, but real ones exist too.
    declare(admin)
    declare(admin, type="child_safety")
    _detection_world(admin.actor)
    operations = _operations(api_schema)
    methods = {op.method.upper() for op in operations}
    assert len(operations) == sum(len(item) for item in api_schema.raw_schema["paths"].values())
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= methods, methods
    failures: list[str] = []
    checks = [*CHECKS, errors_are_problems]
    if mode == GenerationMode.NEGATIVE:
        checks.append(negative_data_rejection)
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            token = token_for(admin.actor, days=1)  # its own: revoking it blinds no other case
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=checks)

        try:
            run()
        except Unsatisfiable:
            # No invalid input exists for this operation (no parameters, or free-form strings only).
            assert mode == GenerationMode.NEGATIVE, operation.label
        except (Exception, FailureGroup) as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
