"""No request can break a list for everyone (issue 11, item 3).

Every number and date a client may write is found in the OpenAPI schema (which drf-spectacular generates
from the serializers, so a new field is covered the day it appears). On the demo data, each is sent at the
extremes its schema admits — the largest and smallest the column syntactically takes, 2⁶⁴, years 1 and
9999 — by POST (a copy of an existing row) and by PATCH/PUT (an existing row). Whatever is refused must be
a 4xx as JSON; then every API list and every page without parameters must still answer 200 to every user.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

BIG = 2**64
# operations whose body is not a copy of a row: a base body per (method, path)
ACTION_BODIES = {
    ("POST", "/api/v1/bids/{id}/opening/"): lambda c: {"entries": [{"is_us": True, "price": "1.00"}]},
    ("POST", "/api/v1/payment-terms/{id}/write-off/"): lambda c: {"amount": "1.00", "reason": "坏账"},
    ("PUT", "/api/v1/quotations/{id}/lines/"): lambda c: {"lines": c.get("/api/v1/quotations/")["results"][0]["lines"]},
    ("POST", "/api/v1/knowledge/articles/{id}/review/"): lambda c: {"decision": "approve"},
    ("POST", "/api/v1/knowledge/proposals/"): lambda c: {"kind": "project", "object_id": 1},
    ("POST", "/api/v1/document-batches/"): lambda c: {"doc_type": "proposal", "project_ids": [1]},
    ("POST", "/api/v1/documents/"): lambda c: {"doc_type": "proposal", "project": 1},
    ("POST", "/api/v1/projects/{id}/transitions/{name}/"): lambda c: {"comment": "x"},
    ("POST", "/api/v1/knowledge/links/"): lambda c: {"article": 1, "project": 1},
    ("POST", "/api/v1/projects/{project_pk}/budget-lines/"): lambda c: {"category": "hardware", "planned_amount": "1"},
    ("POST", "/api/v1/projects/{project_pk}/partners/"): lambda c: {"partner_name": "伙伴", "role": "x", "amount": "1"},
    ("POST", "/api/v1/sharing-rules/preview/"): lambda c: {"industry": "energy", "grantee_role": "pm"},
    ("POST", "/api/v1/routing-rules/test/"): lambda c: {"target": "project", "industry": "energy", "amount": "1"},
}
SKIP = {
    ("POST", "/api/v1/deliverables/"),  # multipart upload: its only number is the milestone id (covered by PATCH ids)
}


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(components: dict, node: dict) -> dict:
    while "$ref" in node:
        node = components[node["$ref"].split("/")[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(components, node["allOf"][0])
    return node


def numeric_fields(components: dict, node: dict, prefix: str = "") -> list[tuple[str, dict]]:
    """(dotted path, property schema) of every writable number or date under ``node``."""
    node = _resolve(components, node)
    found = []
    for name, prop in (node.get("properties") or {}).items():
        prop = _resolve(components, prop)
        if prop.get("readOnly"):
            continue
        kind, fmt = prop.get("type"), prop.get("format")
        if kind == "array":
            item = _resolve(components, prop.get("items", {}))
            if item.get("type") == "object":
                found += numeric_fields(components, item, f"{prefix}{name}[].")
            elif item.get("type") in ("integer", "number"):
                found.append((f"{prefix}{name}[]", item))
        elif kind == "object" and prop.get("properties"):
            found += numeric_fields(components, prop, f"{prefix}{name}.")
        elif kind in ("integer", "number") or fmt in ("decimal", "date", "date-time"):
            found.append((f"{prefix}{name}", prop))
    return found


def extremes(prop: dict) -> list[object]:
    """The values at (and just past) the edges of what ``prop`` admits."""
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt == "decimal":
        match = re.search(r"\\d\{0,(\d+)\}(?:\(\?:\\\.\\d\{0,(\d+)\}\))?", prop.get("pattern", ""))
        whole, frac = (int(match.group(1)), int(match.group(2) or 0)) if match else (14, 2)
        top = "9" * whole + ("." + "9" * frac if frac else "")
        return [top, "-" + top, "999999999999.99", "0"]
    if fmt == "date":
        return ["9999-12-31", "0001-01-01", "0514-03-01"]
    if fmt == "date-time":
        return ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0514-03-01T09:00:00+08:00"]
    if kind == "integer":
        return [prop.get("maximum", 2**63 - 1), prop.get("minimum", -(2**63)), BIG, -BIG]
    return [1e308, -1e308]


def _set(body: dict, dotted: str, value: object) -> dict:
    body = {**body}
    head, _, rest = dotted.partition(".")
    if head.endswith("[]"):
        key = head[:-2]
        items = list(body.get(key) or [])
        if not rest:
            return {**body, key: [value]}
        first = items[0] if items and isinstance(items[0], dict) else {}
        return {**body, key: [_set(first, rest, value), *items[1:]]}
    if rest:
        return {**body, head: _set(body.get(head) or {}, rest, value)}
    return {**body, head: value}


class Api:
    def __init__(self, client: APIClient):
        self.client = client

    def get(self, url: str) -> Any:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.json()


def _first_id(api: Api, list_url: str) -> int | None:
    response = api.client.get(list_url)
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    return rows[0]["id"] if rows and isinstance(rows[0], dict) and "id" in rows[0] else None


def _row(api: Api, list_url: str, row_id: int) -> dict:
    """The row's detail representation (or its list entry, for lists without a detail route), as a body."""
    response = api.client.get(f"{list_url}{row_id}/")
    if response.status_code == 200:
        row = response.json()
    else:
        body = api.get(list_url)
        rows = body["results"] if isinstance(body, dict) else body
        row = next(r for r in rows if r["id"] == row_id)
    row.pop("id", None)
    return row


def _page_urls() -> list[str]:
    """Every page of the URL conf that takes no parameter (not the API, admin, logout or language switch)."""
    urls = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                urls.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    skip = ("/api/", "/admin/", "/logout/", "/i18n/", "/login/", "/static/", "/media/")
    return sorted({u for u in urls if not u.startswith(skip)})


@pytest.mark.timeout(900)
def test_extremes_of_every_writable_number_and_date_never_break_a_list(transactional_db, demo_data):
    from backend.accounts.models import User

    admin = APIClient()
    admin.force_authenticate(User.objects.get(username="admin"))
    admin.raise_request_exception = False
    api = Api(admin)
    schema = _schema()
    components = schema["components"]["schemas"]
    project_id = _first_id(api, "/api/v1/projects/")

    covered, missing, server_errors = 0, [], []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = content.get("application/json", {}).get("schema")
            if not body_schema or (method, path) in SKIP:
                continue
            fields = numeric_fields(components, body_schema)
            if not fields:
                continue
            list_path = re.sub(r"\{id\}/.*$", "", path)
            list_url = list_path.replace("{project_pk}", str(project_id))
            row_id = _first_id(api, list_url) if "{id}" in path else None
            url = path.replace("{project_pk}", str(project_id)).replace("{id}", str(row_id or 1))
            url = url.replace("{name}", "kickoff")
            if (method, path) in ACTION_BODIES:
                base = ACTION_BODIES[(method, path)](api)
            elif row_id is not None or method == "POST":
                source_id = row_id or _first_id(api, list_url)
                if source_id is None:
                    missing.append(f"{method} {path}: no row to copy")
                    continue
                base = _row(api, list_url, source_id)
            else:
                missing.append(f"{method} {path}: no base body")
                continue
            for dotted, prop in fields:
                for value in extremes(prop):
                    response = admin.generic(method, url, data=_json(_set(base, dotted, value)),
                                             content_type="application/json")  # fmt: skip
                    covered += 1
                    if response.status_code >= 500 or not response["Content-Type"].startswith("application/json"):
                        server_errors.append(f"{method} {url} {dotted}={value!r} → {response.status_code}")
    assert server_errors == [], "\n".join(server_errors)
    assert missing == [], missing
    assert covered > 500

    # every list still answers, to every demo user
    lists = [p for p, ops in schema["paths"].items() if "get" in ops and "{id}" not in p and "{name}" not in p]
    pages = _page_urls()
    assert "/projects/" in pages and "/" in pages
    broken = []
    for username in ("admin", "director", "bidmgr", "pm", "finance"):
        user = User.objects.get(username=username)
        client = APIClient()
        client.force_authenticate(user)
        client.raise_request_exception = False
        for path in lists:
            url = path.replace("{project_pk}", str(project_id))
            status = client.get(url).status_code
            if status >= 500 or (status != 200 and "{project_pk}" not in path):
                broken.append(f"{username} {url} → {status}")
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            if response.status_code >= 500 or (response.status_code == 302 and "/login/" in response["Location"]):
                broken.append(f"{username} {url} → {response.status_code}")
    assert broken == []
    # the largest amount that is allowed was stored somewhere, and reads back exactly
    from backend.projects.models import Project

    assert Project.objects.filter(estimated_amount=Decimal("999999999999.99")).exists()


def _json(body: dict) -> str:
    import json

    return json.dumps(body, default=str)
