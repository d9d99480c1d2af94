"""Deep pages read ids first (backend.core.pagination): the same rows, in the same order, with the same
totals as plain OFFSET pagination, on the first, a middle and the last page, and from the far end."""

import re
from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from backend.core.pagination import DeferredPaginator
from backend.projects.choices import Status
from backend.projects.models import Project
from backend.tenders.models import Tender
from tests.factories import CustomerFactory, ProjectFactory

pytestmark = pytest.mark.django_db

BASE = timezone.now().replace(microsecond=0) - timedelta(days=10)


@pytest.fixture
def pinned(org):
    """120 projects PIN-001 … PIN-120; creation times collide in groups of four (so the pk breaks the tie)
    and do not follow the pks; every third is left in the tender state, the others in pursuit or bidding."""
    customer = CustomerFactory(owner=org["bidmgr"])
    for i in range(1, 121):
        project = ProjectFactory(code=f"PIN-{i:03d}", name=f"Pinned {i:03d}", customer=customer, owner=org["bidmgr"])
        status = {0: Status.PURSUIT, 1: Status.BIDDING, 2: Status.TENDER}[i % 3]
        Project.objects.filter(pk=project.pk).update(created_at=BASE + timedelta(hours=i * 7 % 30), status=status)


def codes(html: str) -> list[int]:
    seen: list[int] = []
    for number in re.findall(r">PIN-(\d{3})<", html):
        if int(number) not in seen:
            seen.append(int(number))
    return seen


# What ``ORDER BY created_at DESC, id DESC`` gives for ``status IN (pursuit, bidding)``, written out.
PAGE_1 = [94, 64, 34, 4, 111, 81, 51, 21, 115, 85, 55, 25, 102, 72, 42, 12, 106, 76, 46, 16, 93, 63, 33, 3, 97]
PAGE_2 = [67, 37, 7, 114, 84, 54, 24, 118, 88, 58, 28, 105, 75, 45, 15, 109, 79, 49, 19, 96, 66, 36, 6, 100, 70]
PAGE_3 = [40, 10, 117, 87, 57, 27, 91, 61, 31, 1, 108, 78, 48, 18, 112, 82, 52, 22, 99, 69, 39, 9, 103, 73, 43]
PAGE_4 = [13, 120, 90, 60, 30]


def test_filtered_list_pages_pin_their_rows(client, org, pinned):
    client.force_login(org["director"])
    pages = []
    for number in (1, 2, 3, 4):
        response = client.get(reverse("projects:list"), {"status": ["pursuit", "bidding"], "page": number})
        assert response.status_code == 200 and response.templates[0].name == "projects/list.html"
        html = response.content.decode()
        assert "80 projects" in html and f"Page {number} of 4" in html
        pages.append(codes(html))
    assert pages == [PAGE_1, PAGE_2, PAGE_3, PAGE_4]
    # past the end: the last page, as before
    assert (
        codes(client.get(reverse("projects:list"), {"status": ["pursuit", "bidding"], "page": 99}).content.decode())
        == PAGE_4
    )


def test_deferred_pages_equal_offset_pages(org, pinned, count_queries):
    queryset = (
        Project.objects.filter(status__in=["pursuit", "bidding"])
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )
    plain, deferred = Paginator(queryset, 25), DeferredPaginator(queryset, 25)
    assert deferred.count == plain.count == 80 and deferred.num_pages == 4
    for number in (1, 2, 3, 4):
        rows = list(deferred.page(number))
        assert [p.pk for p in rows] == [p.pk for p in plain.page(number)]
        assert all("customer" in p._state.fields_cache for p in rows)  # the joins come with the rows
    # the count, then ids first and the rows: the same for the first page and for the last (read backwards)
    assert count_queries(lambda: list(DeferredPaginator(queryset, 25).page(1))) == 3
    assert count_queries(lambda: list(DeferredPaginator(queryset, 25).page(4))) == 3
    # a second click keeps the count (nothing was written since): ids and rows only
    assert count_queries(lambda: list(DeferredPaginator(queryset, 25).page(4)), keep_cache=True) == 2
    # orphans are folded into the last page as Paginator does
    assert [p.pk for p in DeferredPaginator(queryset, 25, orphans=5).page(3)] == [
        p.pk for p in Paginator(queryset, 25, orphans=5).page(3)
    ]


def test_deferred_pages_with_nulls_ordered_last(org):
    """The tender list's ordering: publish date newest first with undated tenders last, then the pk."""
    today = timezone.localdate()
    for i in range(23):
        Tender.objects.create(
            number=f"T-{i:02d}",
            title=f"Tender {i}",
            buyer="某局",
            owner=org["bidmgr"],
            publish_date=None if i % 4 == 0 else today - timedelta(days=i % 5),
        )
    queryset = Tender.objects.order_by(F("publish_date").desc(nulls_last=True), "-pk")
    plain, deferred = Paginator(queryset, 5), DeferredPaginator(queryset, 5)
    for number in range(1, 6):
        assert [t.number for t in deferred.page(number)] == [t.number for t in plain.page(number)]
    assert [t.number for t in deferred.page(5)] == ["T-08", "T-04", "T-00"]  # undated, newest pk first


def _next_link(html: str, rel: str) -> str:
    """The href of the "Next" or "Previous" link of the list's pager."""
    match = re.search(r'href="\?([^"]*)">' + rel + "<", html)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


def test_keyset_next_never_skips_or_repeats_when_rows_arrive(client, org, pinned):
    """Walk the filtered list by its Next links while new projects arrive (and one goes) between clicks:
    every row that was there from the start is seen exactly once, in order."""
    client.force_login(org["director"])
    customer = CustomerFactory(owner=org["bidmgr"])
    html = client.get(reverse("projects:list"), {"status": ["pursuit", "bidding"]}).content.decode()
    seen = codes(html)
    assert seen == PAGE_1
    for click in range(3):
        for n in range(4):  # newer than everything: with page numbers they would push rows onto the next page
            fresh = ProjectFactory(code=f"NEW-{click}{n}", customer=customer, owner=org["bidmgr"])
            Project.objects.filter(pk=fresh.pk).update(status=Status.PURSUIT)
        if click == 1:  # and one already seen disappears: with page numbers a row would be skipped
            Project.objects.filter(code="PIN-094").delete()
        link = _next_link(html, "Next")
        assert "after=" in link and f"page={click + 2}" in link
        response = client.get(reverse("projects:list") + "?" + link)
        assert response.status_code == 200
        html = response.content.decode()
        seen += codes(html)
    assert seen == PAGE_1 + PAGE_2 + PAGE_3 + PAGE_4
    assert "NEW-" not in "".join(re.findall(r">[A-Z]+-\d+<", html))
    assert "Next<" not in html  # the end
    # and back: Previous gives the rows just before, whatever arrived at the top meanwhile
    back = client.get(reverse("projects:list") + "?" + _next_link(html, "Previous")).content.decode()
    assert codes(back) == PAGE_3


def test_a_broken_cursor_is_a_numbered_page(client, org, pinned):
    client.force_login(org["director"])
    for junk in ("x", "bm90IGpzb24", "WyJub3QgYSBkYXRlIiwgMV0", "WzEsMiwzXQ", "%00"):
        response = client.get(reverse("projects:list"), {"status": ["pursuit", "bidding"], "page": 2, "after": junk})
        assert response.status_code == 200 and codes(response.content.decode()) == PAGE_2


def test_api_pages_of_tied_rows_partition_them(client, org, pinned):
    """The API orders projects by creation time alone, and the pinned projects tie in fours: the primary key
    breaks the ties, so the pages (the last ones read from the far end) hold every project exactly once."""
    client.force_login(org["director"])
    seen = []
    for number in (1, 2, 3, 4, 5):
        response = client.get("/api/v1/projects/", {"page": number, "page_size": 25})
        assert response.status_code == 200 and response.json()["count"] == 120
        seen += [int(row["code"][4:]) for row in response.json()["results"]]
    assert len(seen) == 120 and sorted(seen) == list(range(1, 121))
    assert seen[:10] == [107, 77, 47, 17, 94, 64, 34, 4, 111, 81]
    assert seen[50:55] == [41, 11, 118, 88, 58]
    assert seen[-5:] == [13, 120, 90, 60, 30]
