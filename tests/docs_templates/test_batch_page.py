"""The document batch page (issue 12 item 8): the projects it offers are narrowed by a search and by state, a
checkbox selects every project shown, and the page's queries do not grow with the projects it lists."""

from __future__ import annotations

import re

import pytest

from backend.docs_templates.models import DocumentBatch
from backend.docs_templates.services import defaults_load
from tests.factories import CustomerFactory, ProjectFactory, set_status

pytestmark = pytest.mark.django_db
URL = "/documents/batches/"


@pytest.fixture
def projects(org):
    owner = org["bidmgr"]
    campus = ProjectFactory(
        code="P-2026-0101", name="智慧校园一卡通", owner=owner, customer=CustomerFactory(owner=owner)
    )
    centre = ProjectFactory(
        code="P-2026-0102", name="数据中心机房建设", owner=owner, customer=CustomerFactory(owner=owner)
    )
    hospital = ProjectFactory(
        code="P-2026-0103", name="医院信息平台", owner=owner, customer=CustomerFactory(owner=owner)
    )
    set_status(centre, "won")
    set_status(hospital, "won")
    return {"campus": campus, "centre": centre, "hospital": hospital}


def checkbox_values(page: str) -> list[str]:
    return re.findall(r'type="checkbox" name="projects" value="(\d+)"', page)


def test_all_projects_and_a_select_all_checkbox(client, org, projects):
    client.force_login(org["bidmgr"])
    page = client.get(URL).content.decode()
    assert checkbox_values(page) == [str(projects[k].pk) for k in ("campus", "centre", "hospital")]
    assert (
        '<input class="form-check-input" type="checkbox" id="select-all-projects" data-select-all="projects">' in page
    )
    assert "3 projects shown." in page


def test_filter_by_project_search(client, org, projects):
    client.force_login(org["bidmgr"])
    page = client.get(URL, {"q": "校园"}).content.decode()
    assert checkbox_values(page) == [str(projects["campus"].pk)]
    assert "1 project shown." in page and 'value="校园"' in page
    assert checkbox_values(client.get(URL, {"q": "P-2026-0103"}).content.decode()) == [str(projects["hospital"].pk)]


def test_filter_by_state_and_both(client, org, projects):
    client.force_login(org["bidmgr"])
    page = client.get(URL, {"status": "won"}).content.decode()
    assert checkbox_values(page) == [str(projects["centre"].pk), str(projects["hospital"].pk)]
    assert '<option value="won" selected>' in page
    both = client.get(URL, {"status": "won", "q": "医院"}).content.decode()
    assert checkbox_values(both) == [str(projects["hospital"].pk)]
    none = client.get(URL, {"status": "closed"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert checkbox_values(none) == [] and "显示 0 个项目。" in none and "select-all-projects" not in none


def test_the_filter_in_chinese(client, org, projects):
    client.force_login(org["bidmgr"])
    page = client.get(URL, {"status": "won"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "全选显示的项目" in page and "显示 2 个项目。" in page and "— 任意状态 —" in page


def test_an_unknown_state_is_refused_on_the_page_not_a_500(client, org, projects):
    client.force_login(org["bidmgr"])
    response = client.get(URL, {"status": "no-such-state"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice. no-such-state is not one of the available choices." in page
    assert len(checkbox_values(page)) == 3  # the filter is ignored, not half-applied


def test_a_batch_of_the_filtered_projects_starts(client, org, projects, django_capture_on_commit_callbacks):
    defaults_load(only={("weekly_report", "zh-hans")})
    client.force_login(org["bidmgr"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            URL + "?status=won",
            {
                "doc_type": "weekly_report",
                "language": "zh-hans",
                # the campus project lies outside the filter but was ticked: still accepted
                "projects": [projects["centre"].pk, projects["hospital"].pk, projects["campus"].pk],
            },
        )
    batch = DocumentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/batches/{batch.pk}/"
    assert sorted(batch.project_ids) == sorted(p.pk for p in projects.values()) and batch.total == 3


def test_the_page_queries_do_not_grow_with_projects(client, org, projects, count_queries):
    client.force_login(org["bidmgr"])
    assert client.get(URL).status_code == 200
    few = count_queries(lambda: client.get(URL))
    owner = org["bidmgr"]
    for _i in range(12):
        ProjectFactory(owner=owner, customer=CustomerFactory(owner=owner))
    pages = []
    many = count_queries(lambda: pages.append(client.get(URL)) or pages[-1])
    assert len(checkbox_values(pages[-1].content.decode())) == 15
    assert few == many
