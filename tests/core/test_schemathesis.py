"""Schemathesis over the whole API (issue 11, item 8): every operation of the OpenAPI schema, generated
requests authenticated as two demo roles (a see-all director and a bid manager who sees only his own),
half of them aimed at real rows of the demo data. No answer may be a server error, and every answer must
match the schema the API publishes.

``SCHEMATHESIS_EXAMPLES`` (default 3) bounds the examples per operation and role (139 operations × 2 roles
× 3, about two minutes on two idle cores, the demo load included); ``SCHEMATHESIS_OPERATIONS`` (a regex on
the path) narrows the run and ``SCHEMATHESIS_TRACE=1`` prints each request, to look at one operation.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
import schemathesis
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
TRACE = bool(os.environ.get("SCHEMATHESIS_TRACE"))
ONLY = re.compile(os.environ.get("SCHEMATHESIS_OPERATIONS", ""))  # a regex on the path, to look at a few
ROLES = ("director", "bidmgr")
# operations only an administrator may call (everybody else gets 403) are also fuzzed as the demo's admin
MIN_CHAINED_STEPS = 30  # checked calls a chained run must make before a Hypothesis consistency stop is accepted
ADMIN_ONLY = re.compile(r"^/api/v1/routing-rules/")
CHECKS = [not_a_server_error, response_schema_conformance]


def _model_of(path: str):
    """The model behind the ``{id}`` of a path template, found through the URL conf."""
    probe = re.sub(r"\{[^}]+\}", "1", path)
    try:
        match = resolve(probe)
    except Resolver404:
        return None
    cls = getattr(match.func, "cls", None)
    if cls is None:
        return None
    queryset = getattr(cls, "queryset", None)
    if queryset is not None and queryset.model is not None:
        return queryset.model
    serializer = getattr(cls, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def _real_ids(path: str) -> dict[str, object]:
    """Path parameters that name rows which exist (the first of each kind)."""
    from backend.projects.models import Project

    values: dict[str, object] = {}
    model = _model_of(path)
    for name in re.findall(r"\{([^}]+)\}", path):
        if name == "project_pk":
            values[name] = Project.objects.order_by("pk").values_list("pk", flat=True).first()
        elif name in ("id", "pk") and model is not None:
            values[name] = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def demo_tokens(transactional_db, demo_data):
    from backend.accounts.models import User
    from backend.accounts.tokens import api_token_issue

    return {role: {"Authorization": f"Token {api_token_issue(user=User.objects.get(username=role))[1]}"}
            for role in (*ROLES, "admin")}  # fmt: skip


def _schema(headers):
    from backend.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=headers)


def _fuzz(operation, role: str, headers: dict, real: dict, failures: dict, answered: Counter) -> None:
    """Run the bounded examples of one operation as one role, recording failures instead of stopping."""
    name = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), aim=st.booleans())
    def run(case, aim):
        if aim and real and case.path_parameters:
            case.path_parameters = {**case.path_parameters, **real}
        status = None
        try:
            response = case.call(headers=headers)
            status = response.status_code
            if TRACE:
                print(role, case.method, case.formatted_path, case.query, status, response.text[:150])
            if status < 300:
                answered[name] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # the last (shrunk) failure of each operation and role is kept
            failures[f"{role} {name}"] = f"{case.formatted_path} {case.query} → {status}: {exc}"[:1500]
            raise

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # check failures are recorded already; anything else here
        failures.setdefault(f"{role} {name}", f"{type(exc).__name__}: {exc}"[:1500])


@pytest.mark.timeout(900)  # the bound is the example count; this only stops a hang on a busy machine
def test_every_operation_answers_within_its_schema_and_never_500(demo_tokens):
    schema = _schema(demo_tokens["director"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 130
    operations = [op for op in operations if ONLY.search(op.path)]
    failures: dict[str, str] = {}
    answered: Counter[str] = Counter()  # "GET /api/v1/customers/" → how many 2xx answers
    for operation in operations:
        if operation.path.startswith("/api/v1/auth/"):  # tokens: issuing/revoking would log the fuzzer out
            continue
        real = _real_ids(operation.path)
        for role in (*ROLES, "admin") if ADMIN_ONLY.search(operation.path) else ROLES:
            _fuzz(operation, role, demo_tokens[role], real, failures, answered)
    assert failures == {}
    # the fuzzer reached the application, not just its 401/404s: every list answered, and most operations did
    # (a record's own sub-lists, such as versions/ or history/, answer only for ids the fuzzer may not hit)
    lists = [
        f"GET {op.path}"
        for op in operations
        if op.method.upper() == "GET" and not re.search(r"\{(?!project_pk\})", op.path)
    ]
    assert [name for name in lists if not answered[name]] == []
    assert len(answered) >= len(operations) // 2, sorted(answered)
    print(f"{len(operations)} operations, {sum(answered.values())} answered 2xx")


def _run_chains(role: str, headers: dict) -> list[str]:
    """Bounded sequences of calls as ``role``, each step checked; the failures seen."""
    from hypothesis import settings as hypothesis_settings

    schema = _schema(headers)
    machine = schema.as_state_machine()
    links = sum(len(t.outgoing) for t in machine._transitions.operations.values())
    assert links >= 20, links  # the inference found the API's resources, so the run chains for real
    failures: list[str] = []
    steps = [0]

    class Machine(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            steps[0] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{role} {case.method} {case.formatted_path} → {response.status_code}: {exc}"[:800])
                raise

    try:
        Machine.run(
            settings=hypothesis_settings(
                max_examples=EXAMPLES * 5,
                stateful_step_count=6,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    except FlakyStrategyDefinition as exc:
        # The calls change the database, so the links' preconditions can differ for a sequence Hypothesis has
        # seen before, and it stops generating: the fuzzer's own limit, not an answer of ours. The run counts
        # only if it had chained a fair number of checked calls by then.
        if not failures and steps[0] < MIN_CHAINED_STEPS:
            failures.append(f"{role}: stopped after {steps[0]} calls: {type(exc).__name__}: {exc}"[:1500])
    except (Exception, BaseExceptionGroup) as exc:  # a failed check is recorded already; anything else here
        if not failures:
            failures.append(f"{role}: {type(exc).__name__}: {exc}"[:1500])
    print(f"{role}: {steps[0]} chained calls checked")
    return failures


@pytest.mark.timeout(900)
def test_chained_calls_follow_the_links_schemathesis_infers_and_never_500(demo_tokens):
    """Stateful: Schemathesis links operations by the resources they produce and consume (a created customer's
    id into its detail, update and sub-lists, …) and runs bounded sequences of calls as each role; no step may
    be a server error or answer outside the schema."""
    failures = [failure for role in ROLES for failure in _run_chains(role, demo_tokens[role])]
    assert failures == []
