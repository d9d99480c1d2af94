"""The project list's text filter (``q=``) finds a project by a piece of its name, its code or its customer's
name, on either database, from an index: trigram indexes on PostgreSQL, an FTS5 trigram table kept by
triggers on SQLite (issue 15). Every change that moves a project in or out of a search shows at once."""

import pytest
from django.db import connection
from django.urls import reverse

from backend.projects import text_index
from backend.projects.models import Project
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("seller", "bid_manager", department=DepartmentFactory())


@pytest.fixture
def web(client, seller):
    client.force_login(seller)
    return client


def found(web, q):
    response = web.get(reverse("projects:list"), {"q": q})
    assert response.status_code == 200
    return sorted(p.code for p in response.context["page"])


def test_name_code_and_customer_name_each_find_the_project(web, seller):
    harbour = CustomerFactory(name="滨海港务集团有限公司", owner=seller)
    ProjectFactory(code="TX-0001", name="智慧港口 Data Center 扩容", customer=harbour, owner=seller)
    ProjectFactory(code="TX-0002", name="财务系统升级", owner=seller)
    assert found(web, "港口 Data") == ["TX-0001"]
    assert found(web, "data center") == ["TX-0001"]  # ASCII case does not matter, as with icontains
    assert found(web, "X-0002") == ["TX-0002"]
    assert found(web, "港务集团") == ["TX-0001"]
    assert found(web, "港") == ["TX-0001"]  # one or two characters: no trigram, the columns are read
    assert found(web, "TX-000") == ["TX-0001", "TX-0002"]
    assert found(web, "50%") == [] and found(web, "TX_0001") == []  # LIKE's wildcards are plain characters
    # a match never spans two fields: the end of the name and the start of the code
    assert found(web, "扩容TX") == []


def test_changes_show_in_the_next_search(web, seller):
    old, new = CustomerFactory(name="甲方科技", owner=seller), CustomerFactory(name="乙方能源", owner=seller)
    project = ProjectFactory(code="TX-0100", name="机房改造", customer=old, owner=seller)
    assert found(web, "甲方科技") == ["TX-0100"]
    Project.objects.filter(pk=project.pk).update(name="云平台迁移", code="TX-0101")
    assert found(web, "机房改造") == [] and found(web, "云平台迁") == ["TX-0101"]
    assert found(web, "TX-0101") == ["TX-0101"]
    Project.objects.filter(pk=project.pk).update(customer=new)
    assert found(web, "甲方科技") == [] and found(web, "乙方能源") == ["TX-0101"]
    new.name = "乙方新能源集团"
    new.save()
    assert found(web, "新能源集团") == ["TX-0101"] and found(web, "乙方能源") == []
    Project.objects.filter(pk=project.pk).delete()
    assert found(web, "云平台迁") == []


def test_the_database_reads_an_index():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm' ORDER BY 1")
            assert [row[0] for row in cursor.fetchall()] == [
                "customers_customer_name_trgm",
                "projects_project_code_trgm",
                "projects_project_name_trgm",
            ]
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'projects_%' ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == sorted(text_index.TRIGGERS)
        cursor.execute(f"EXPLAIN QUERY PLAN {text_index.matching_ids_sql('港口数据')[0]}", ["%港口数据%"])
        assert "VIRTUAL TABLE INDEX" in " ".join(str(row) for row in cursor.fetchall())


def test_triggers_lost_with_a_rebuilt_table_come_back_and_the_index_is_refilled(web, seller):
    ProjectFactory(code="TX-0200", name="视频会议系统", owner=seller)
    if connection.vendor != "sqlite":  # PostgreSQL keeps its indexes through any ALTER TABLE
        assert text_index.ensure() is False
        return
    with connection.cursor() as cursor:  # what SQLite does when a migration rebuilds projects_project
        cursor.execute("DROP TRIGGER projects_project_text_insert")
        cursor.execute(f"DELETE FROM {text_index.TABLE}")
    ProjectFactory(code="TX-0201", name="视频监控平台", owner=seller)
    assert text_index.ensure() is True
    assert found(web, "视频会议") == ["TX-0200"] and found(web, "视频监控") == ["TX-0201"]
    assert text_index.ensure() is False  # nothing missing now


def test_a_rare_term_is_found_by_id_and_a_common_one_along_the_list(web, seller, monkeypatch):
    # given three projects with the same words and one customer with a single project; "few" is two here
    monkeypatch.setattr(text_index, "FEW", 2)
    for n in range(3):
        ProjectFactory(code=f"TX-020{n}", name=f"机房扩容 {n} 期", owner=seller)
    bridge = CustomerFactory(name="云桥数据科技", owner=seller)
    rare = ProjectFactory(code="TX-0300", name="财务系统", customer=bridge, owner=seller)
    # then both kinds of term find every project they match, and only those
    assert found(web, "机房扩容") == ["TX-0200", "TX-0201", "TX-0202"]
    assert found(web, "云桥数据") == ["TX-0300"]
    assert found(web, "TX-02") == ["TX-0200", "TX-0201", "TX-0202"]
    if connection.vendor == "postgresql":
        # the rare term is looked up through the trigram indexes first, in one statement; the common one
        # (more than "few") is left to the list's order
        assert text_index.few_matching_ids("云桥数据", using="default") == [rare.pk]
        assert text_index.few_matching_ids("机房扩容", using="default") is None
        assert text_index.few_matching_ids("云桥", using="default") is None  # too short for a trigram
