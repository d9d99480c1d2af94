"""The quotation list (every quotation the user may see, across projects) works like a CRM's (issue 12):
sortable columns, net/tax/gross totals over the filtered rows, Excel export, a constant number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backend.bids.models import Quotation, QuotationLine
from backend.core.models import SavedFilter
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory
from tests.xlsx import column, sheet_rows

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory())


@pytest.fixture
def web(client, seller):
    client.force_login(seller)
    return client


def quotation(project, version, title, status, *lines):
    made = Quotation.objects.create(
        project=project, version=version, title=title, status=status, created_by=project.owner
    )
    for quantity, price, discount in lines:
        QuotationLine.objects.create(
            quotation=made,
            description="服务器",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            unit_cost=Decimal(0),
            discount=Decimal(discount),
            tax_rate=Decimal(13),
        )
    return made


@pytest.fixture
def book(seller, make_user):
    east = ProjectFactory(code="L-001", owner=seller, customer=CustomerFactory(name="华东电网", owner=seller))
    bank = ProjectFactory(code="L-002", owner=seller, customer=CustomerFactory(name="北京银行", owner=seller))
    hidden = ProjectFactory(code="L-009", owner=make_user("stranger", "bid_manager", department=DepartmentFactory()))
    quotation(east, 1, "初版", "draft", (2, 100000, 0))  # net 200,000 tax 26,000 gross 226,000
    quotation(east, 2, "二版", "approved", (1, 150000, 10))  # net 135,000 tax 17,550 gross 152,550
    quotation(bank, 1, "银行报价", "draft", (3, 10000, 0))  # net 30,000 tax 3,900 gross 33,900
    quotation(hidden, 1, "别人的", "draft", (1, 999999, 0))


def titles(response):
    return [row[4]["value"] for row in response.context["rows"]]


def test_sorting_quotations(web, book):
    url = reverse("bids:quotations")
    assert titles(web.get(url)) == ["银行报价", "二版", "初版"]  # usual: newest first
    assert titles(web.get(url, {"sort": "net"})) == ["银行报价", "二版", "初版"]
    assert titles(web.get(url, {"sort": "-gross"})) == ["初版", "二版", "银行报价"]
    assert titles(web.get(url, {"sort": "customer"})) == ["银行报价", "初版", "二版"]  # 北京银行 first; ties by id
    assert titles(web.get(url, {"sort": "-version"})) == ["二版", "银行报价", "初版"]  # ties: newest id first
    bad = web.get(url, {"sort": "notes"})
    assert bad.status_code == 200 and titles(bad) == ["银行报价", "二版", "初版"]
    assert "cannot be sorted by" in bad.content.decode()


def test_totals_over_the_filtered_visible_quotations(web, book):
    response = web.get(reverse("bids:quotations"), {"status": "draft"})
    totals = {key: value.quantize(CENT) for key, value in response.context["listing"].totals.items()}
    assert totals == {"net": Decimal("230000.00"), "tax": Decimal("29900.00"), "gross": Decimal("259900.00")}
    assert 'data-total="gross">259,900.00<' in response.content.decode()
    everything = web.get(reverse("bids:quotations")).context["listing"].totals
    assert everything["gross"].quantize(CENT) == Decimal("412450.00")  # never the stranger's 1,129,998.87


def test_export_and_saved_filter(web, seller, book):
    rows = sheet_rows(web.get(reverse("bids:quotations"), {"status": "draft", "sort": "-net", "export": "xlsx"}))
    assert rows[0][:6] == ["Project", "Project name", "Customer", "Version", "Title", "Status"]
    assert column(rows, "Title") == ["初版", "银行报价"]
    assert column(rows, "Net") == pytest.approx([200000.0, 30000.0])
    assert column(rows, "Gross") == pytest.approx([226000.0, 33900.0])
    assert column(rows, "Status") == ["Draft", "Draft"]
    save = reverse("lists:saved-save", args=["quotations"])
    response = web.post(save, {"name": "草稿", "query": "status=draft&sort=-net"})
    assert response["Location"] == "/bids/quotations/?status=draft&sort=-net"
    assert SavedFilter.objects.get().list_key == "quotations"
    assert 'data-saved-filter="草稿"' in web.get(reverse("bids:quotations")).content.decode()


def test_quotation_list_queries_do_not_grow(web, seller, count_queries):
    def fill(start, n):
        for i in range(start, start + n):
            project = ProjectFactory(code=f"Q-{i:04d}", owner=seller, customer=CustomerFactory(owner=seller))
            quotation(project, 1, f"报价 {i}", "draft", (1, 1000 + i, 0), (2, 10, 0))

    fill(0, 5)
    url = reverse("bids:quotations")
    five = count_queries(lambda: web.get(url, {"sort": "-gross", "status": "draft"}))
    export_five = count_queries(lambda: web.get(url, {"sort": "customer", "export": "xlsx"}))
    fill(5, 45)
    assert count_queries(lambda: web.get(url, {"sort": "-gross", "status": "draft"})) == five
    assert count_queries(lambda: web.get(url, {"sort": "customer", "export": "xlsx"})) == export_five
    assert len(sheet_rows(web.get(url, {"export": "xlsx"}))) == 51
