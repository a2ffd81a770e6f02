"""Schemathesis against /api/v1/openapi.json, in process: no 500 and no response that breaks the schema.

Every operation of the document gets a few generated cases (bounded so the run stays well under a minute).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import demo_api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_server_error_and_responses_match_the_schema(databases):  # noqa: ANN001
    with demo_api(databases, 'sqlite') as api:
        _run(api.app, api.tokens)


def _run(app, tokens: dict) -> None:  # noqa: ANN001
    schema = schemathesis.openapi.from_wsgi('/api/v1/openapi.json', app)
    headers = {'Authorization': f'Bearer {tokens["member25"]}'}
    failures, ran = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case) -> None:  # noqa: ANN001
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
            ran += 1
        except Exception as exc:  # noqa: BLE001  (collect every operation's failure, then report them all)
            failures.append(f'{operation.label}: {str(exc)[:800]}')
    assert ran > 25
    assert not failures, '\n\n'.join(failures)
