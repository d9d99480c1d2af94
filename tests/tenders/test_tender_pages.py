"""Tender pages: list with search, filters and deadlines; detail with attachments; create/edit with
permissions; the import page; and "create project from tender" carrying buyer, budget, deadlines and files."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from backend.projects.models import Project, ProjectAttachment
from backend.tenders import importer as tender_import
from backend.tenders import services
from backend.tenders.models import Tender, TenderAttachment
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n% a tender notice\n" + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def browser(client, bidmgr):
    client.force_login(bidmgr)
    return client


def make_tender(actor, number="ZB-2026-001", **fields) -> Tender:
    values = {"title": "数据中心扩容项目", "buyer": "某市大数据局", "industry": "government", "region": "east"}
    return services.tender_create(actor=actor, number=number, **{**values, **fields})


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_login_required(client):
    response = client.get(reverse("tenders:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_searches_filters_paginates_and_shows_upcoming_deadlines(browser, bidmgr):
    soon = timezone.now() + timedelta(days=2)
    make_tender(bidmgr, "ZB-A", title="Alpha core banking", buyer="Alpha Bank", industry="finance", bid_deadline=soon)
    make_tender(bidmgr, "ZB-B", title="Beta PACS", buyer="Beta Hospital", industry="healthcare", region="south")
    make_tender(bidmgr, "ZB-C", title="Old tender", bid_deadline=timezone.now() - timedelta(days=5))
    for i in range(30):
        make_tender(
            bidmgr, f"ZB-Z{i:02d}", title=f"Zeta {i:02d}", industry="retail", publish_date=f"2026-10-{i + 1:02d}"
        )
    page = browser.get(reverse("tenders:list"), {"q": "alpha bank"}).content.decode()
    assert "Alpha core banking" in page and "Beta PACS" not in page
    page = browser.get(reverse("tenders:list"), {"industry": "healthcare"}).content.decode()
    assert "Beta PACS" in page and "Alpha core banking" not in page
    page = browser.get(reverse("tenders:list"), {"region": "south"}).content.decode()
    assert "Beta PACS" in page and "Zeta" not in page
    page = browser.get(reverse("tenders:list"), {"deadline": "upcoming"}).content.decode()
    assert "Alpha core banking" in page and "Old tender" not in page
    first = browser.get(reverse("tenders:list")).content.decode()
    assert "Next bid deadlines" in first and "(in 1\xa0day, 23\xa0hours)" in first  # the upcoming deadline is shown
    assert "Zeta 29" in first and "Zeta 05" in first and "Zeta 04" not in first
    second = browser.get(reverse("tenders:list"), {"page": 2}).content.decode()
    assert "Zeta 04" in second
    partial = browser.get(reverse("tenders:list"), {"q": "beta"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Beta PACS" in partial and '<nav class="navbar' not in partial
    bad = browser.get(reverse("tenders:list"), {"industry": "astrology", "page": "x"})
    assert bad.status_code == 200 and "astrology" in bad.content.decode()


def test_list_page_queries_do_not_grow(browser, bidmgr, make_user, count_queries):
    owners = [bidmgr, make_user("other", "bid_manager")]

    def fill(start, n):
        for i in range(start, start + n):
            tender = make_tender(owners[i % 2], f"ZB-{i:03d}", bid_deadline=timezone.now() + timedelta(days=i + 1))
            ProjectFactory(owner=bidmgr, tender=tender)

    fill(0, 5)
    five = count_queries(lambda: browser.get(reverse("tenders:list")))
    fill(5, 25)  # 30 rows: more than a page
    thirty = count_queries(lambda: browser.get(reverse("tenders:list")))
    assert five == thirty


def test_detail_shows_every_field(browser, bidmgr):
    tender = make_tender(
        bidmgr,
        budget=Decimal("1234567.80"),
        publish_date="2026-11-01",
        registration_deadline=datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI),
        bid_deadline=datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI),
        opening_date=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI),
        qualification_requirements="具有CMMI3资质",
        source_url="https://www.ccgp.gov.cn/x",
        notes="联系人张三",
    )
    page = browser.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    for text in (
        "ZB-2026-001",
        "数据中心扩容项目",
        "某市大数据局",
        "1,234,567.80",
        "2026-11-01",
        "2026-11-20 17:00",
        "2026-11-30 09:30",
        "2026-11-30 10:00",
        "具有CMMI3资质",
        "https://www.ccgp.gov.cn/x",
        "联系人张三",
        "Create project from tender",
    ):
        assert text in page, text
    assert browser.get(reverse("tenders:detail", args=[99999])).status_code == 404


def test_create_validates_and_refuses_duplicate_numbers(browser, bidmgr):
    make_tender(bidmgr, "ZB-1", title="The first one")
    data = {"number": "ZB-1", "title": "Again", "buyer": "B", "currency": "CNY", "industry": "finance"}
    response = browser.post(reverse("tenders:create"), data)
    assert response.status_code == 400 and "The first one" in response.content.decode()
    response = browser.post(reverse("tenders:create"), {**data, "number": "", "budget": "-5"})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    response = browser.post(
        reverse("tenders:create"),
        {**data, "number": "ZB-2", "registration_deadline": "2026-12-02T10:00", "bid_deadline": "2026-12-01T09:30"},
    )
    assert (
        response.status_code == 400 and "registration deadline is after the bid deadline" in response.content.decode()
    )
    response = browser.post(reverse("tenders:create"), {**data, "number": "ZB-2", "bid_deadline": "2026-12-01T09:30"})
    created = Tender.objects.get(number="ZB-2")
    assert response.status_code == 302 and response["Location"] == reverse("tenders:detail", args=[created.pk])
    assert created.owner == bidmgr and created.bid_deadline == datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)


def test_edit_by_owner_and_roles_others_get_403(client, bidmgr, make_user):
    tender = make_tender(bidmgr)
    presales = make_user("presales", "presales")
    client.force_login(presales)
    assert client.get(reverse("tenders:detail", args=[tender.pk])).status_code == 200  # a public notice
    assert "Create project from tender" not in client.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    for name in ("tenders:edit", "tenders:create-project", "tenders:attachment-add", "tenders:delete"):
        assert client.post(reverse(name, args=[tender.pk]), {}).status_code == 403, name
    assert client.get(reverse("tenders:create")).status_code == 403
    assert client.get(reverse("tenders:import")).status_code == 403
    # the owner may edit without an editing role; so may a director
    owner = make_user("owner", "presales")
    mine = make_tender(bidmgr, "ZB-OWN", owner=owner)
    client.force_login(owner)
    form = {"number": "ZB-OWN", "title": "Renamed", "buyer": "B", "currency": "CNY", "industry": "other"}
    assert client.post(reverse("tenders:edit", args=[mine.pk]), form).status_code == 302
    client.force_login(make_user("dir", "director"))
    form["title"] = "Renamed by director"
    assert client.post(reverse("tenders:edit", args=[mine.pk]), form).status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Renamed by director"
    response = client.post(reverse("tenders:edit", args=[mine.pk]), {**form, "number": tender.number})
    assert response.status_code == 400 and "already registered" in response.content.decode()


def test_attachment_upload_download_and_size_limit(browser, bidmgr, settings):
    tender = make_tender(bidmgr)
    upload = SimpleUploadedFile("招标文件.pdf", PDF, content_type="application/pdf")
    response = browser.post(reverse("tenders:attachment-add", args=[tender.pk]), {"attachment-file": upload})
    assert response.status_code == 302
    attachment = TenderAttachment.objects.get(tender=tender)
    assert attachment.name == "招标文件.pdf"
    download = browser.get(reverse("tenders:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "招标文件.pdf" in browser.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    settings.UPLOAD_MAX_BYTES = 100  # the installation's one upload limit applies to tender attachments
    big = SimpleUploadedFile("big.pdf", PDF + b" " * 100)
    response = browser.post(reverse("tenders:attachment-add", args=[tender.pk]), {"attachment-file": big})
    assert response.status_code == 400 and "attachments may be at most" in response.content.decode()
    settings.UPLOAD_MAX_BYTES = 10
    huge = SimpleUploadedFile("huge.pdf", PDF * 100)  # refused from its length, before the body is read
    response = browser.post(reverse("tenders:attachment-add", args=[tender.pk]), {"attachment-file": huge})
    assert response.status_code == 400 and "Attachments may be at most" in response.content.decode()
    empty = browser.post(reverse("tenders:attachment-add", args=[tender.pk]), {"attachment-name": "x"})
    assert empty.status_code == 400
    assert TenderAttachment.objects.count() == 1


def test_attachment_content_is_checked_not_its_name(bidmgr):
    """A program renamed to .pdf, an empty file and an oversized one are refused by the service, whatever
    calls it, and nothing is stored."""
    from django.test import override_settings

    from backend.core.errors import ValidationFailed
    from backend.tenders.services import tender_attachment_add

    tender = make_tender(bidmgr)
    with pytest.raises(ValidationFailed) as refused:
        tender_attachment_add(
            actor=bidmgr, tender=tender, file=SimpleUploadedFile("招标文件.pdf", b"MZ\x90\x00\x03 a program")
        )
    assert refused.value.code == "file_type_not_allowed" and "招标文件.pdf" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        tender_attachment_add(actor=bidmgr, tender=tender, file=SimpleUploadedFile("empty.pdf", b""))
    assert "empty" in refused.value.message
    with override_settings(UPLOAD_MAX_BYTES=len(PDF) - 1), pytest.raises(ValidationFailed) as refused:
        tender_attachment_add(actor=bidmgr, tender=tender, file=SimpleUploadedFile("notice.pdf", PDF))
    assert refused.value.code == "file_too_large"
    assert TenderAttachment.objects.count() == 0
    with override_settings(UPLOAD_MAX_BYTES=len(PDF)):
        stored = tender_attachment_add(actor=bidmgr, tender=tender, file=SimpleUploadedFile("notice.pdf", PDF))
    assert stored.file.open("rb").read() == PDF and TenderAttachment.objects.count() == 1


def test_missing_attachment_file_is_404(browser, bidmgr):
    tender = make_tender(bidmgr)
    attachment = TenderAttachment.objects.create(tender=tender, name="gone.pdf", file="tenders/gone.pdf")
    assert browser.get(reverse("tenders:attachment", args=[attachment.pk])).status_code == 404


def test_create_project_from_tender_carries_buyer_budget_deadlines_and_files(browser, bidmgr, templates):
    # given a tender with a budget, deadlines and an attachment
    tender = make_tender(
        bidmgr,
        budget=Decimal("3000000.00"),
        registration_deadline=datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI),
        bid_deadline=datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI),
        opening_date=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI),
        qualification_requirements="具有CMMI3资质",
    )
    attachment = TenderAttachment(tender=tender, name="招标文件.pdf")
    attachment.file.save("notice.pdf", ContentFile(PDF), save=True)
    # when the button is pressed
    response = browser.post(reverse("tenders:create-project", args=[tender.pk]))
    # then a project exists with the buyer as customer, the budget, the deadlines and the file's bytes
    project = Project.objects.get(tender=tender)
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.customer.name == "某市大数据局" and project.estimated_amount == Decimal("3000000.00")
    assert project.name == tender.title and project.industry == "government"
    assert project.expected_close_date.isoformat() == "2026-11-30"
    assert "2026-11-20" in project.description and "2026-11-30" in project.description
    assert "具有CMMI3资质" in project.description
    copy = ProjectAttachment.objects.get(project=project)
    assert copy.name == "招标文件.pdf"
    with copy.file.open("rb") as handle:
        assert handle.read() == PDF
    tender.refresh_from_db()
    assert tender.customer == project.customer
    detail = browser.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    assert project.code in detail
    # a tender with projects cannot be deleted
    response = browser.post(reverse("tenders:delete", args=[tender.pk]))
    assert response.status_code == 302 and Tender.objects.filter(pk=tender.pk).exists()


def test_project_description_shows_deadlines_in_local_time(bidmgr, templates):
    tender = make_tender(bidmgr, bid_deadline=datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI))
    tender.refresh_from_db()  # as a page would load it
    project = services.tender_create_project(actor=bidmgr, tender=tender)
    assert "2026-11-30 09:30" in project.description


def test_delete_a_tender_without_projects(browser, bidmgr):
    tender = make_tender(bidmgr)
    response = browser.post(reverse("tenders:delete", args=[tender.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("tenders:list")
    assert not Tender.objects.exists()


def test_import_page_imports_a_good_file(browser, bidmgr):
    assert browser.get(reverse("tenders:import")).status_code == 200
    content = xlsx_bytes(
        [
            ["招标编号", "项目名称", "采购人", "预算金额", "投标截止", "联系人"],
            ["ZB-1", "一", "甲", 100, "2026/11/30 09:30", "x"],
        ]
        + [["ZB-2", "二", "乙", "", "", ""]]
    )
    upload = SimpleUploadedFile("tenders.xlsx", content)
    response = browser.post(reverse("tenders:import"), {"file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenders:list")
    page = response.content.decode()
    assert "2 tenders imported." in page and "Columns not used: 联系人." in page
    assert Tender.objects.count() == 2


def test_import_page_lists_each_bad_line_and_imports_nothing(browser, bidmgr):
    make_tender(bidmgr, "ZB-OLD", title="Existing")
    content = "number,title,buyer,budget\r\nZB-1,One,Buyer,1\r\nZB-2,,Buyer,\r\nZB-OLD,Again,Buyer,\r\nZB-3,T,B,x\r\n"
    upload = SimpleUploadedFile("tenders.csv", content.encode("utf-8-sig"))
    response = browser.post(reverse("tenders:import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "3 rows have errors; nothing was imported." in page
    assert "line 3: title is required" in page
    assert "line 4: tender number ZB-OLD is already registered: Existing" in page
    assert "line 5: budget &#x27;x&#x27; is not an amount" in page
    assert Tender.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.csv", b"", "The submitted file is empty."),
        ("t.xlsx", b"PK\x03\x04garbage", "could not be read as an Excel workbook"),
        ("t.csv", b"a,b\r\n1,2\r\n", "No header row with known column names"),
        ("t.doc", b"hello", "Unsupported file type .doc"),
    ],
)
def test_import_page_file_problems_are_400_not_500(browser, name, content, message):
    response = browser.post(reverse("tenders:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.content.decode()


def test_import_page_refuses_an_oversized_file(browser, monkeypatch):
    monkeypatch.setattr(tender_import, "MAX_FILE_BYTES", 10)
    upload = SimpleUploadedFile("t.csv", b"number,title,buyer\r\n" + b"x" * 200_000)
    response = browser.post(reverse("tenders:import"), {"file": upload})
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert browser.post(reverse("tenders:import"), {}).status_code == 400  # no file at all


def test_import_template_is_a_valid_import_file(browser, bidmgr):
    response = browser.get(reverse("tenders:import-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    result = tender_import.tenders_import(actor=bidmgr, filename="template.csv", content=response.content)
    assert result.count == 1 and result.ignored_columns == []
