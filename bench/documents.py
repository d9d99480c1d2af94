"""Document rendering benchmark: the quotation template with N lines, rendered repeatedly through the real
path (context building from the database, sandboxed docxtpl render, file storage). Reports documents per
second and per-document latency; the goal is p95 ≤ 300 ms for 200 lines."""

from __future__ import annotations

import statistics
import time
from decimal import Decimal
from typing import Any


def _setup(lines: int) -> tuple[Any, Any]:
    from backend.accounts.models import User
    from backend.bids.services import quotation_create
    from backend.customers.models import Customer
    from backend.customers.services import customer_create
    from backend.docs_templates.services import defaults_load
    from backend.projects.services import project_create
    from workflows.loader import templates_load_all

    templates_load_all()
    defaults_load(only={("quotation", "zh-hans")})
    user, _ = User.objects.get_or_create(username="bench-docs", defaults={"is_superuser": True})
    name = "基准测试客户 Bench documents customer"
    customer = Customer.objects.filter(name=name).first() or customer_create(actor=user, name=name)
    project = project_create(
        actor=user, name=f"报价基准 {lines} lines", customer=customer, estimated_amount=Decimal("12345678.90")
    )
    quotation_create(
        actor=user,
        project=project,
        lines=[
            {
                "description": f"设备 Device {i} 型号 XYZ-{i:04d}",
                "unit": "台",
                "quantity": 1 + i % 7,
                "unit_price": Decimal(1000 + i * 37),
                "unit_cost": Decimal(700 + i * 20),
                "discount": i % 5,
                "tax_rate": 13,
            }
            for i in range(lines)
        ],
    )
    return user, project


def run(*, lines: int = 200, documents: int = 30) -> list[tuple[str, str]]:
    from django.db import transaction

    from backend.docs_templates.services import document_generate

    with transaction.atomic():
        user, project = _setup(lines)
    timings = []
    started = time.perf_counter()
    for _ in range(documents):
        begin = time.perf_counter()
        document_generate(actor=user, project=project, doc_type="quotation", language="zh-hans")
        timings.append((time.perf_counter() - begin) * 1000)
    total = time.perf_counter() - started
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return [
        ("quotation lines", str(lines)),
        ("documents", str(documents)),
        ("documents / s", f"{documents / total:.1f}"),
        ("p50 ms", f"{statistics.median(timings):.0f}"),
        ("p95 ms (goal ≤ 300)", f"{p95:.0f}"),
        ("max ms", f"{timings[-1]:.0f}"),
    ]
