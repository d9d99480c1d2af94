"""The delivery API: milestone transitions, deliverable uploads and downloads, acceptance, payments,
permissions for engineers on other projects, and query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.milestones.models import Deliverable
from tests.milestones.conftest import PDF_BYTES, docx_bytes

pytestmark = pytest.mark.django_db


def upload(client, milestone, name="design.docx", data=None, doc_type="design"):
    return client.post(
        "/api/v1/deliverables/",
        {
            "milestone": milestone.pk,
            "doc_type": doc_type,
            "title": "方案设计",
            "file": SimpleUploadedFile(name, data if data is not None else docx_bytes()),
        },
        format="multipart",
    )


def test_engineer_uploads_submits_and_pm_accepts(kicked_off, client_for):
    project, engineer, pm = kicked_off["project"], kicked_off["engineer"], kicked_off["pm"]
    first = project.milestones.order_by("order").first()
    eng = client_for(engineer)
    assert eng.post(f"/api/v1/milestones/{first.pk}/transitions/start/", {}, format="json").status_code == 200
    refused = eng.post(f"/api/v1/milestones/{first.pk}/transitions/submit/", {}, format="json")
    assert refused.status_code == 409 and "In progress" in refused.json()["detail"]
    assert refused.json()["missing"] == ["design"]
    created = upload(eng, first)
    assert created.status_code == 201, created.json()
    deliverable = created.json()
    download = eng.get(deliverable["versions"][0]["download_url"])
    assert (
        download.status_code == 200
        and b"".join(download.streaming_content)
        == Deliverable.objects.get(pk=deliverable["id"]).versions.get().file.open("rb").read()
    )
    assert eng.post(f"/api/v1/deliverables/{deliverable['id']}/submit/").status_code == 200
    assert (
        eng.post(f"/api/v1/deliverables/{deliverable['id']}/review/", {"approve": True}, format="json").status_code
        == 403
    )
    pm_client = client_for(pm)
    assert (
        pm_client.post(f"/api/v1/deliverables/{deliverable['id']}/review/", {"approve": True}, format="json").json()[
            "status"
        ]
        == "approved"
    )
    assert eng.post(f"/api/v1/milestones/{first.pk}/transitions/submit/", {}, format="json").status_code == 200
    accepted = pm_client.post(f"/api/v1/milestones/{first.pk}/transitions/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


@pytest.mark.parametrize(("name", "data"), [("x.docx", b"not a docx at all \x00\x01"), ("empty.pdf", b"")])
def test_bad_upload_is_400_and_writes_nothing(kicked_off, client_for, name, data):
    first = kicked_off["project"].milestones.order_by("order").first()
    response = upload(client_for(kicked_off["engineer"]), first, name=name, data=data)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Deliverable.objects.exists()


def test_engineer_on_another_project_sees_nothing(kicked_off, client_for, make_user):
    first = kicked_off["project"].milestones.order_by("order").first()
    deliverable = upload(client_for(kicked_off["engineer"]), first).json()
    stranger = make_user("other_engineer", "engineer")
    client = client_for(stranger)
    for url in (
        f"/api/v1/milestones/{first.pk}/",
        f"/api/v1/deliverables/{deliverable['id']}/",
        f"/api/v1/deliverables/{deliverable['id']}/download/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/api/v1/milestones/",
        "/api/v1/deliverables/",
        "/api/v1/payment-terms/",
        "/api/v1/tasks/",
        "/api/v1/acceptances/",
    ):
        assert client.get(url).json()["count"] == 0, url
    assert upload(client, first).status_code == 404
    assert client.post(f"/api/v1/milestones/{first.pk}/transitions/start/", {}, format="json").status_code == 404


def test_payments_through_the_api(kicked_off, client_for):
    project = kicked_off["project"]
    finance = client_for(kicked_off["finance"])
    terms = finance.get(f"/api/v1/payment-terms/?project={project.pk}").json()["results"]
    advance = terms[0]
    assert advance["outstanding"] == "600000.00" and advance["received"] == "0.00"
    too_much = finance.post(
        "/api/v1/receipts/",
        {"payment_term": advance["id"], "amount": "700000", "received_on": "2026-11-20"},
        format="json",
    )
    assert too_much.status_code == 400 and "outstanding" in too_much.json()["detail"]
    ok = finance.post(
        "/api/v1/receipts/",
        {"payment_term": advance["id"], "amount": "200000", "received_on": "2026-11-20"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert finance.get(f"/api/v1/payment-terms/{advance['id']}/").json()["outstanding"] == "400000.00"
    aging = finance.get("/api/v1/payment-terms/aging/").json()
    assert [b["label"] for b in aging["buckets"]] == ["0-30", "31-90", "91-180", ">180"]


def test_pm_records_acceptance_with_certificate(kicked_off, client_for):
    from backend.milestones.services import milestone_transition
    from backend.projects import services

    project, pm = kicked_off["project"], kicked_off["pm"]
    for milestone in project.milestones.all():
        milestone_transition(milestone_id=milestone.pk, name="cancel", actor=pm, comment="scope change")
    services.project_transition(project_id=project.pk, name="request_acceptance", actor=pm)
    response = client_for(pm).post(
        "/api/v1/acceptances/",
        {
            "project": project.pk,
            "accepted_on": "2026-11-30",
            "signatory": "王主任",
            "result": "passed",
            "certificate_file": SimpleUploadedFile("cert.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["certificate"]


def _grow(kind: str, kicked_off, client) -> None:
    """Add the rows the endpoint lists: 8 deliverables, 8 milestones or 8 payment terms."""
    from datetime import date
    from decimal import Decimal

    from backend.milestones.models import Milestone
    from backend.payments.services import payment_term_add

    project = kicked_off["project"]
    first, second = project.milestones.order_by("order")[:2]
    for number in range(8):
        if kind == "deliverables":
            doc_type = ("test_report", "training_record", "weekly_report", "other")[number % 4]
            created = upload(client, (first, second)[number // 4], name="more.pdf", data=PDF_BYTES, doc_type=doc_type)
            assert created.status_code == 201, created.json()
        elif kind == "milestones":
            Milestone.objects.create(
                project=project,
                name=f"追加里程碑 {number}",
                order=100 + number,
                planned_start=date(2027, 1, 1),
                planned_end=date(2027, 2, 1),
                owner=kicked_off["engineer"],
            )
        else:
            payment_term_add(actor=kicked_off["pm"], project=project, name=f"追加款 {number}", percent=Decimal(1))


@pytest.mark.parametrize("kind", ["milestones", "deliverables", "payment-terms"])
def test_delivery_lists_do_not_grow(kicked_off, client_for, count_queries, kind):
    """The same number of queries however many rows the list holds; the rows are really there (a refused
    or empty answer would also count few queries)."""
    from django.contrib.auth import get_user_model

    project, pm = kicked_off["project"], kicked_off["pm"]
    client = client_for(pm)
    answers = []

    def request():
        client.force_authenticate(get_user_model().objects.get(pk=pm.pk))
        response = client.get(f"/api/v1/{kind}/?page_size=100")
        assert response.status_code == 200, response.content[:300]
        answers.append(response.json())

    upload(client, project.milestones.order_by("order").first())
    if kind == "payment-terms":  # room for 8 more terms of 1 %: keep only the first of the kickoff's terms
        terms = project.payment_terms.order_by("order")
        terms.exclude(pk=terms.first().pk).delete()
    few = count_queries(request)
    before = answers[-1]["count"]
    assert before >= 1
    _grow(kind, kicked_off, client)
    many = count_queries(request)
    assert answers[-1]["count"] == before + 8
    assert len(answers[-1]["results"]) == before + 8
    assert few == many


def test_budget_expenses_and_cut_losses(org, client_for):
    from backend.projects import services
    from tests.factories import CustomerFactory

    project = services.project_create(
        actor=org["bidmgr"],
        name="Cut losses",
        customer=CustomerFactory(owner=org["bidmgr"]),
        estimated_amount=1_000_000,
        probability=20,
    )
    client = client_for(org["bidmgr"])
    base = f"/api/v1/projects/{project.pk}"
    assert (
        client.post(
            f"{base}/budget-lines/", {"category": "presales", "planned_amount": "20000"}, format="json"
        ).status_code
        == 201
    )
    bad = client.post(
        f"{base}/expenses/", {"category": "presales", "amount": "-5", "spent_on": "2026-11-01"}, format="json"
    )
    assert bad.status_code == 400
    # expected margin 1,000,000 × 20% × 20% = 40,000; 30% of it is 12,000
    assert (
        client.post(
            f"{base}/expenses/", {"category": "presales", "amount": "15000", "spent_on": "2026-11-01"}, format="json"
        ).status_code
        == 201
    )
    summary = client.get(f"{base}/expenses/summary/").json()
    assert summary["cut_losses"]["raised"] == "True" and summary["cut_losses"]["threshold"] == "12000.00"
    assert client_for(org["outsider"]).get(f"{base}/expenses/").status_code == 404


def test_a_zip_bomb_is_refused_as_a_deliverable_and_as_a_certificate(kicked_off, client_for, settings, tmp_path):
    """238 KB on disk, 200 MB unpacked: refused by the one upload check, nothing stored (issue 11 item 6)."""
    from backend.milestones.models import Acceptance, DeliverableVersion
    from backend.milestones.services import milestone_transition
    from backend.projects import services
    from tests.uploads import docx_bomb

    settings.MEDIA_ROOT = tmp_path
    project, engineer, pm = kicked_off["project"], kicked_off["engineer"], kicked_off["pm"]
    bomb = docx_bomb(200)
    refused = upload(client_for(engineer), project.milestones.order_by("order").first(), name="设计.docx", data=bomb)
    assert refused.status_code == 400 and refused.json()["code"] == "zip_bomb", refused.json()
    assert "210.5 MB" in refused.json()["detail"]
    assert DeliverableVersion.objects.count() == 0 and not any(tmp_path.rglob("*.docx"))

    for milestone in project.milestones.all():
        milestone_transition(milestone_id=milestone.pk, name="cancel", actor=pm, comment="scope change")
    services.project_transition(project_id=project.pk, name="request_acceptance", actor=pm)
    certificate = client_for(pm).post(
        "/api/v1/acceptances/",
        {
            "project": project.pk,
            "accepted_on": "2026-11-30",
            "signatory": "王主任",
            "result": "passed",
            "certificate_file": SimpleUploadedFile("验收证书.docx", bomb),
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert certificate.status_code == 400 and certificate.json()["code"] == "zip_bomb", certificate.json()
    assert "解压后为 210.5 MB" in certificate.json()["detail"]
    assert Acceptance.objects.count() == 0 and not any(tmp_path.rglob("*.docx"))
