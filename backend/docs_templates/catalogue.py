"""The variable catalogue: which placeholders each document type may use, what they mean, and a sample
context for test renders at upload. Leaves are descriptions; a one-element list describes list items.
Placeholders are plain data built by ``backend.docs_templates.context`` — never model objects."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.docs_templates.choices import DocType

MONEY = _("amount in figures (use |money for 1,234.50 and |capital for 大写)")

SECTIONS: dict[str, dict[str, Any]] = {
    "meta": {
        "today": _("today's date (use |cn_date for 2026年11月23日)"),
        "author": _("the user generating the document"),
        "company": _("our company name"),
    },
    "project": {
        "project": {
            "code": _("project code, e.g. P-2026-0001"),
            "name": _("project name"),
            "status": _("current state"),
            "industry": _("industry"),
            "region": _("region"),
            "source": _("source"),
            "description": _("description"),
            "owner": _("owner's name"),
            "department": _("department"),
            "estimated_amount": MONEY,
            "contract_amount": MONEY,
            "amount": MONEY,
            "probability": _("win probability (%)"),
            "expected_close_date": _("expected close date"),
            "template": _("process template"),
        }
    },
    "customer": {
        "customer": {
            "name": _("customer name"),
            "credit_code": _("unified social credit code"),
            "address": _("address"),
            "industry": _("industry"),
            "region": _("region"),
            "contacts": [
                {
                    "name": _("name"),
                    "title": pgettext_lazy("job title", "title"),
                    "phone": _("phone"),
                    "email": _("e-mail"),
                    "decision_role": _("decision role"),
                }
            ],
        }
    },
    "team": {
        "team": [{"name": _("member name"), "role": _("project role"), "phone": _("phone"), "email": _("e-mail")}]
    },
    "competitors": {
        "competitors": [
            {
                "name": _("competitor"),
                "threat": _("threat level"),
                "strengths": _("strengths"),
                "weaknesses": _("weaknesses"),
                "solution": _("their solution"),
                "bid_price": MONEY,
            }
        ]
    },
    "quotation": {
        "quotation": {
            "version": _("version number"),
            "title": _("title"),
            "currency": _("currency"),
            "valid_until": _("valid until"),
            "net": MONEY,
            "tax": MONEY,
            "gross": MONEY,
            "margin_pct": _("margin (%)"),
            "lines": [
                {
                    "no": _("line number"),
                    "description": _("description"),
                    "unit": _("unit"),
                    "quantity": _("quantity"),
                    "unit_price": MONEY,
                    "discount": _("discount (%)"),
                    "tax_rate": _("tax rate (%)"),
                    "net": MONEY,
                    "tax": MONEY,
                    "gross": MONEY,
                }
            ],
        }
    },
    "contract": {
        "contract": {
            "amount": MONEY,
            "payment_terms": _("payment terms"),
            "delivery_date": _("delivery date"),
            "penalties": _("penalties"),
            "warranty_months": _("warranty (months)"),
        }
    },
    "milestones": {
        "milestones": [
            {
                "order": _("order"),
                "name": _("name"),
                "status": _("status"),
                "planned_start": _("planned start"),
                "planned_end": _("planned end"),
                "actual_start": _("actual start"),
                "actual_end": _("actual end"),
                "owner": _("owner"),
            }
        ]
    },
    "milestone": {
        "milestone": {
            "name": _("milestone name"),
            "status": _("status"),
            "planned_end": _("planned end"),
            "actual_end": _("actual end"),
            "owner": _("owner"),
            "deliverables": [
                {"title": _("title"), "type": _("type"), "version": _("latest version"), "status": _("status")}
            ],
        }
    },
    "acceptance": {
        "acceptance": {
            "date": _("acceptance date"),
            "signatory": _("customer signatory"),
            "signatory_title": pgettext_lazy("job title", "title"),
            "result": _("result"),
            "punch_list": [_("open item")],
            "notes": _("notes"),
        }
    },
    "payments": {
        "payments": [
            {
                "name": _("instalment"),
                "percent": _("percent"),
                "amount": MONEY,
                "due_date": _("due date"),
                "received": MONEY,
                "outstanding": MONEY,
            }
        ],
        "payments_total": MONEY,
        "payments_received": MONEY,
    },
    "review": {
        "review": {
            "gate": _("gate name"),
            "status": _("review status"),
            "submitted_by": _("submitted by"),
            "steps": [
                {
                    "name": _("step"),
                    "status": _("status"),
                    "decisions": [
                        {
                            "approver": _("approver"),
                            "decision": _("decision"),
                            "comment": _("comment"),
                            "time": _("time"),
                        }
                    ],
                }
            ],
        }
    },
    "week": {
        "week": {"start": _("week start"), "end": _("week end")},
        "progress": _("milestones done (%)"),
        "tasks": [{"name": _("task"), "assignee": _("assignee"), "due_date": _("due date"), "status": _("status")}],
    },
}

DOC_SECTIONS: dict[str, list[str]] = {
    DocType.INITIATION_REQUEST: ["meta", "project", "customer", "team", "competitors", "review"],
    DocType.BID_REVIEW: ["meta", "project", "customer", "competitors", "quotation", "review"],
    DocType.QUOTATION: ["meta", "project", "customer", "quotation"],
    DocType.CONTRACT_REVIEW: ["meta", "project", "customer", "contract", "quotation", "payments", "review"],
    DocType.DELIVERY_CONFIRMATION: ["meta", "project", "customer", "milestone"],
    DocType.ACCEPTANCE_REPORT: ["meta", "project", "customer", "contract", "milestones", "acceptance", "payments"],
    DocType.WEEKLY_REPORT: ["meta", "project", "customer", "milestones", "week"],
    DocType.CLOSURE_REPORT: ["meta", "project", "customer", "team", "contract", "milestones", "acceptance", "payments"],
}


def schema_for(doc_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for section in DOC_SECTIONS[doc_type]:
        schema.update(SECTIONS[section])
    return schema


def flatten(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """``[("project.name", "project name"), ("quotation.lines[].net", ...)]`` for the catalogue page."""
    rows: list[tuple[str, str]] = []
    for key, value in schema.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, path + "."))
        elif isinstance(value, list):
            item = value[0]
            if isinstance(item, dict):
                rows.extend(flatten(item, path + "[]."))
            else:
                rows.append((path + "[]", str(item)))
        else:
            rows.append((path, str(value)))
    return rows


def sample_context(doc_type: str) -> dict[str, Any]:
    """A plausible context for a test render at upload: every leaf filled, every list with two items."""
    return _sample(schema_for(doc_type))


def _sample(node: Any, name: str = "") -> Any:
    if isinstance(node, dict):
        return {key: _sample(value, key) for key, value in node.items()}
    if isinstance(node, list):
        return [_sample(node[0], name), _sample(node[0], name)]
    if name in {
        "amount",
        "net",
        "tax",
        "gross",
        "unit_price",
        "bid_price",
        "estimated_amount",
        "contract_amount",
        "received",
        "outstanding",
        "payments_total",
        "payments_received",
    }:
        return "1000001.05"
    return f"<{name}>"
