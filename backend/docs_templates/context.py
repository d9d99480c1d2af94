"""Context builders: one per catalogue section, each turning database rows into plain data (strings,
numbers, lists, dicts) that is safe to render and to keep as the document's JSON snapshot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.docs_templates.catalogue import DOC_SECTIONS


def _d(value: Any) -> str:
    return value.isoformat() if value else ""


def _m(value: Any) -> str:
    return f"{Decimal(value):.2f}" if value is not None else ""


def meta(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    author = ctx["author"]
    return {"today": timezone.localdate().isoformat(), "author": str(author), "company": settings.SICRM_COMPANY_NAME}


def project(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    p = ctx["project"]
    return {
        "project": {
            "code": p.code,
            "name": p.name,
            "status": str(p.get_status_display()),
            "industry": str(p.get_industry_display()),
            "region": str(p.get_region_display()),
            "source": str(p.get_source_display()),
            "description": p.description,
            "owner": str(p.owner),
            "department": str(p.department or ""),
            "estimated_amount": _m(p.estimated_amount),
            "contract_amount": _m(p.contract_amount),
            "amount": _m(p.amount),
            "probability": p.probability,
            "expected_close_date": _d(p.expected_close_date),
            "template": str(p.process_template or ""),
        }
    }


def customer(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    c = ctx["project"].customer
    return {
        "customer": {
            "name": c.name,
            "credit_code": c.credit_code or "",
            "address": c.address,
            "industry": str(c.get_industry_display()),
            "region": str(c.get_region_display()),
            "contacts": [
                {
                    "name": x.name,
                    "title": x.title,
                    "phone": x.phone,
                    "email": x.email,
                    "decision_role": str(x.get_decision_role_display()),
                }
                for x in c.contacts.all()
            ],
        }
    }


def team(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    members = ctx["project"].members.select_related("user").order_by("role", "user__username")
    return {
        "team": [
            {"name": str(m.user), "role": str(m.get_role_display()), "phone": m.user.phone, "email": m.user.email}
            for m in members
        ]
    }


def competitors(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    rows = ctx["project"].competitors.select_related("competitor")
    return {
        "competitors": [
            {
                "name": r.competitor.name,
                "threat": str(r.get_threat_level_display()),
                "strengths": r.strengths,
                "weaknesses": r.weaknesses,
                "solution": r.solution,
                "bid_price": _m(r.bid_price),
            }
            for r in rows
        ]
    }


def quotation(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    from backend.bids.selectors import quotation_lines_with_amounts, with_totals

    q = with_totals(ctx["project"].quotations.order_by("-version")).first()
    if q is None:
        return {
            "quotation": {
                "version": "",
                "title": "",
                "currency": ctx["project"].currency,
                "valid_until": "",
                "net": _m(0),
                "tax": _m(0),
                "gross": _m(0),
                "margin_pct": "",
                "lines": [],
            }
        }
    lines = [
        {
            "no": i,
            "description": line.description,
            "unit": line.unit,
            "quantity": f"{line.quantity:g}",
            "unit_price": _m(line.unit_price),
            "discount": f"{line.discount:g}",
            "tax_rate": f"{line.tax_rate:g}",
            "net": _m(line.net),
            "tax": _m(line.tax),
            "gross": _m(line.net + line.tax),
        }
        for i, line in enumerate(quotation_lines_with_amounts(quotation=q), start=1)
    ]
    return {
        "quotation": {
            "version": q.version,
            "title": q.title,
            "currency": q.currency,
            "valid_until": _d(q.valid_until),
            "net": _m(q.net),
            "tax": _m(q.tax),
            "gross": _m(q.gross),
            "margin_pct": f"{q.margin_pct:.1f}" if q.margin_pct is not None else "",
            "lines": lines,
        }
    }


def contract(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    terms = getattr(ctx["project"], "contract_terms", None)
    if terms is None:
        return {
            "contract": {
                "amount": _m(ctx["project"].amount),
                "payment_terms": "",
                "delivery_date": "",
                "penalties": "",
                "warranty_months": "",
            }
        }
    return {
        "contract": {
            "amount": _m(terms.amount),
            "payment_terms": terms.payment_terms,
            "delivery_date": _d(terms.delivery_date),
            "penalties": terms.penalties,
            "warranty_months": terms.warranty_months,
        }
    }


def milestones(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    rows = ctx["project"].milestones.select_related("owner").order_by("order")
    return {
        "milestones": [
            {
                "order": m.order,
                "name": m.name,
                "status": str(m.get_status_display()),
                "planned_start": _d(m.planned_start),
                "planned_end": _d(m.planned_end),
                "actual_start": _d(m.actual_start),
                "actual_end": _d(m.actual_end),
                "owner": str(m.owner or ""),
            }
            for m in rows
        ]
    }


def milestone(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    m = ctx.get("milestone")
    if m is None:
        return {
            "milestone": {
                "name": "",
                "status": "",
                "planned_end": "",
                "actual_end": "",
                "owner": "",
                "deliverables": [],
            }
        }
    deliverables = []
    for d in m.deliverables.prefetch_related("versions"):
        latest = d.versions.all()[:1]
        deliverables.append(
            {
                "title": d.title,
                "type": str(d.get_doc_type_display()),
                "version": latest[0].version if latest else "",
                "status": str(d.get_status_display()),
            }
        )
    return {
        "milestone": {
            "name": m.name,
            "status": str(m.get_status_display()),
            "planned_end": _d(m.planned_end),
            "actual_end": _d(m.actual_end),
            "owner": str(m.owner or ""),
            "deliverables": deliverables,
        }
    }


def acceptance(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    record = ctx["project"].acceptances.filter(milestone=None).order_by("-accepted_on", "-pk").first()
    if record is None:
        return {
            "acceptance": {
                "date": "",
                "signatory": "",
                "signatory_title": "",
                "result": "",
                "punch_list": [],
                "notes": "",
            }
        }
    return {
        "acceptance": {
            "date": _d(record.accepted_on),
            "signatory": record.signatory,
            "signatory_title": record.signatory_title,
            "result": str(record.get_result_display()),
            "punch_list": list(record.punch_list),
            "notes": record.notes,
        }
    }


def payments(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    from backend.payments.selectors import payment_terms_with_amounts

    rows = list(payment_terms_with_amounts(ctx["project"].payment_terms.order_by("order")))
    return {
        "payments": [
            {
                "name": t.name,
                "percent": f"{t.percent:g}",
                "amount": _m(t.amount),
                "due_date": _d(t.due_date),
                "received": _m(t.received),
                "outstanding": _m(t.outstanding),
            }
            for t in rows
        ],
        "payments_total": _m(sum((t.amount for t in rows), Decimal(0))),
        "payments_received": _m(sum((t.received for t in rows), Decimal(0))),
    }


def review(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    r = ctx.get("review")
    if r is None:
        r = ctx["project"].reviews.select_related("gate", "submitted_by").order_by("-created_at").first()
    if r is None:
        return {"review": {"gate": "", "status": "", "submitted_by": "", "steps": []}}
    steps = [
        {
            "name": s.name,
            "status": str(s.get_status_display()),
            "decisions": [
                {
                    "approver": str(a.approver),
                    "decision": str(a.get_decision_display()),
                    "comment": a.comment,
                    "time": timezone.localtime(a.decided_at).strftime("%Y-%m-%d %H:%M"),
                }
                for a in s.approvals.select_related("approver")
            ],
        }
        for s in r.steps.all()
    ]
    return {
        "review": {
            "gate": r.gate.name,
            "status": str(r.get_status_display()),
            "submitted_by": str(r.submitted_by),
            "steps": steps,
        }
    }


def week(ctx: dict[str, Any], **_: Any) -> dict[str, Any]:
    from backend.milestones.selectors import milestone_progress

    today = timezone.localdate()
    start = today - timedelta(days=today.weekday())
    tasks = ctx["project"].tasks.select_related("assignee").filter(due_date__lte=start + timedelta(days=13))
    return {
        "week": {"start": start.isoformat(), "end": (start + timedelta(days=6)).isoformat()},
        "progress": milestone_progress(project=ctx["project"])["percent"],
        "tasks": [
            {
                "name": t.name,
                "assignee": str(t.assignee or ""),
                "due_date": _d(t.due_date),
                "status": str(t.get_status_display()),
            }
            for t in tasks.order_by("due_date")
        ],
    }


BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "meta": meta,
    "project": project,
    "customer": customer,
    "team": team,
    "competitors": competitors,
    "quotation": quotation,
    "contract": contract,
    "milestones": milestones,
    "milestone": milestone,
    "acceptance": acceptance,
    "payments": payments,
    "review": review,
    "week": week,
}


def missing_data(*, doc_type: str, project: Any, milestone: Any = None) -> list[str]:
    """What ``doc_type`` needs from ``project`` that is not there (each said in a few words), so that such a
    document is refused instead of rendered with empty fields; [] when nothing is missing."""
    from backend.docs_templates.choices import DocType

    missing: list[str] = []
    if doc_type in (DocType.QUOTATION, DocType.BID_REVIEW) and not project.quotations.exists():
        missing.append(_("a quotation (the project has none yet; add one on the Bids tab)"))
    if doc_type == DocType.CONTRACT_REVIEW and getattr(project, "contract_terms", None) is None:
        missing.append(_("the contract terms (record them on the Bids tab)"))
    if doc_type == DocType.DELIVERY_CONFIRMATION and milestone is None:
        missing.append(_("a milestone (choose the milestone whose delivery is confirmed)"))
    if doc_type == DocType.ACCEPTANCE_REPORT and not project.acceptances.filter(milestone=None).exists():
        missing.append(_("the customer's acceptance of the project (record it on the Milestones tab)"))
    return missing


def build_context(
    *, doc_type: str, project: Any, author: Any, milestone: Any = None, review: Any = None, language: str = "zh-hans"
) -> dict[str, Any]:
    """The full context of ``doc_type`` for a project, built in ``language`` (labels, state names)."""
    from django.utils.translation import override

    ctx = {"project": project, "author": author, "milestone": milestone, "review": review}
    out: dict[str, Any] = {}
    with override(language):
        for section in DOC_SECTIONS[doc_type]:
            out.update(BUILDERS[section](ctx))
    return out
