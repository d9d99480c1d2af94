"""Search as the application uses it: signals → after-commit tasks → index; visibility mirrored for every
type (results, counts and facets); rollbacks; bulk updates; reconcile; the reindex command; the API."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from backend.core.permissions import visible_to
from backend.knowledge import services
from backend.knowledge.models import Article
from backend.search import services as search_services
from backend.search.documents import SearchQuery
from backend.search.selectors import search_for_user
from tests.knowledge.conftest import titles

pytestmark = pytest.mark.django_db


def test_a_published_article_is_indexed_after_commit_and_a_draft_is_not(
    kb, publish, search_backend, django_capture_on_commit_callbacks
):
    publish("数据中心验收规范", "机房验收步骤")
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.article_create(author=kb["author"], title="验收草稿")
    assert titles(search_for_user(user=kb["kbadmin"], text="验收")) == ["数据中心验收规范"]
    with django_capture_on_commit_callbacks(execute=True):
        services.article_transition(article_id=draft.pk, actor=kb["kbadmin"], name="publish")
    assert set(titles(search_for_user(user=kb["kbadmin"], text="验收"))) == {"数据中心验收规范", "验收草稿"}
    with django_capture_on_commit_callbacks(execute=True):
        services.article_transition(article_id=draft.pk, actor=kb["kbadmin"], name="archive")
    assert titles(search_for_user(user=kb["kbadmin"], text="验收")) == ["数据中心验收规范"]


@pytest.mark.django_db(transaction=True)
def test_index_work_is_one_task_per_service_call(kb, monkeypatch):
    sent = []
    monkeypatch.setattr("backend.search.tasks.index_documents.delay", lambda keys: sent.append(keys))
    article = services.article_create(  # the row, its keywords, departments... many signals
        author=kb["author"],
        title="验收",
        status="published",
        keywords=["验收", "里程碑"],
        visibility="department",
        department_ids=[kb["delivery"].pk],
    )
    assert sent == [[f"article:{article.pk}"]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_indexes_nothing(kb, search_backend, monkeypatch):
    sent = []
    monkeypatch.setattr("backend.search.tasks.index_documents.delay", lambda keys: sent.append(keys))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.article_create(author=kb["author"], title="回滚的验收文章", status="published")
        raise RuntimeError("rollback")
    with transaction.atomic():
        kept = services.article_create(author=kb["author"], title="保留的验收文章", status="published")
        try:
            with transaction.atomic():  # a savepoint that rolls back inside a committed transaction
                services.article_create(author=kb["author"], title="存档点回滚", status="published")
                raise RuntimeError("savepoint")
        except RuntimeError:
            pass
    assert sent == [[f"article:{kept.pk}"]]
    assert search_backend.count() == 0  # nothing ran for the rollback (the kept one went to the mocked task)


def _visibility_corpus(kb, publish):
    publish("验收 公开", keywords=["验收", "公开"], industry="finance")
    publish(
        "验收 交付部门",
        visibility="department",
        department_ids=[kb["delivery"].pk],
        keywords=["验收", "部门"],
        industry="energy",
        category_id=kb["datacentre"].pk,
    )
    publish("验收 售前角色", visibility="roles", roles=["presales"], keywords=["验收", "角色"], industry="telecom")
    publish(
        "验收 指定用户",
        visibility="users",
        user_ids=[kb["finance"].pk],
        keywords=["验收", "个人"],
        category_id=kb["lessons"].pk,
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("engineer", {"验收 公开", "验收 交付部门"}),  # Implementation is below Delivery
        ("pm", {"验收 公开", "验收 交付部门"}),
        ("presales", {"验收 公开", "验收 售前角色"}),
        ("finance", {"验收 公开", "验收 指定用户"}),
        ("director", {"验收 公开"}),  # sees every project, not every article
        ("kbadmin", {"验收 公开", "验收 交付部门", "验收 售前角色", "验收 指定用户"}),
        ("author", {"验收 公开", "验收 交付部门", "验收 售前角色", "验收 指定用户"}),  # their own articles
    ],
)
def test_article_visibility_in_results_counts_and_facets(kb, publish, client_for, who, expected):
    _visibility_corpus(kb, publish)
    user = kb[who]
    body = client_for(user).get("/api/v1/search/", {"q": "验收", "type": "article"}).json()
    assert {hit["title"] for hit in body["results"]} == expected
    assert body["count"] == len(expected)
    facets = body["facets"]
    assert sum(f["count"] for f in facets["type"]) == len(expected)
    keyword_labels = {f["label"] for f in facets["keyword"]}
    assert ("部门" in keyword_labels) == ("验收 交付部门" in expected)
    assert ("角色" in keyword_labels) == ("验收 售前角色" in expected)
    assert ("个人" in keyword_labels) == ("验收 指定用户" in expected)
    assert next(f["count"] for f in facets["keyword"] if f["label"] == "验收") == len(expected)
    industries = {f["value"] for f in facets["industry"]}
    assert ("energy" in industries) == ("验收 交付部门" in expected)
    assert ("telecom" in industries) == ("验收 售前角色" in expected)
    categories = {f["label"] for f in facets["category"]}
    assert ("技术方案 Solutions / 数据中心 Data centre" in categories) == ("验收 交付部门" in expected)
    # and the database agrees with the index
    visible = set(visible_to(user, Article.objects.filter(status="published")).values_list("title", flat=True))
    assert visible == expected


def test_inactive_users_find_nothing(kb, publish, client_for):
    _visibility_corpus(kb, publish)
    user = kb["engineer"]
    user.is_active = False
    user.save()
    assert search_for_user(user=user, text="验收").result.total == 0


@pytest.fixture
def org_projects(kb, make_user, search_backend, django_capture_on_commit_callbacks):
    """Projects with owners, members, a department head, a sharing rule and a review approver."""
    from backend.projects.models import ProjectMember, ProjectSharingRule
    from backend.tenders.models import Tender
    from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory

    east = DepartmentFactory(name="East sales")
    people = {
        "head": make_user("easthead", "bid_manager"),
        "owner": make_user("eastowner", "bid_manager", department=east),
        "member": make_user("member", "engineer"),
        "shared": make_user("energyreader", "pm", department=kb["implementation"]),
        "nobody": make_user("nobody", "engineer"),
        "exec": make_user("boss", "exec"),
    }
    east.head = people["head"]
    east.save()
    with django_capture_on_commit_callbacks(execute=True):
        ProjectSharingRule.objects.create(grantee_department=kb["implementation"], industry="energy")
        customer = CustomerFactory(name="华北电力数据中心客户", owner=people["owner"])
        p1 = ProjectFactory(name="数据中心扩容一期", owner=people["owner"], customer=customer, industry="finance")
        p2 = ProjectFactory(name="数据中心能源监控", owner=people["member"], industry="energy")
        p3 = ProjectFactory(name="数据中心网络改造", owner=kb["pm"], industry="finance")
        ProjectMember.objects.create(project=p3, user=people["member"], role="engineer")
        Tender.objects.create(number="ZB-1", title="数据中心招标", buyer="某局", owner=people["owner"])
    people.update(p1=p1, p2=p2, p3=p3, customer=customer)
    return people


def test_projects_customers_and_tenders_in_the_index_mirror_the_visibility_rules(kb, org_projects):
    from backend.customers.models import Customer
    from backend.projects.models import Project
    from backend.tenders.models import Tender

    users = [org_projects[k] for k in ("head", "owner", "member", "shared", "nobody", "exec")] + [kb["pm"]]
    for user in users:
        for type_, model in (("project", Project), ("customer", Customer), ("tender", Tender)):
            page = search_for_user(user=user, text="", types=[type_], page_size=100)
            found = {hit.pk for hit in page.result.hits}
            assert found == set(visible_to(user, model.objects.all()).values_list("pk", flat=True)), (user, type_)
            assert page.result.total == len(found)


def test_a_new_member_finds_the_project_after_commit(kb, org_projects, django_capture_on_commit_callbacks):
    from backend.projects.models import ProjectMember

    nobody = org_projects["nobody"]
    assert search_for_user(user=nobody, text="扩容").result.total == 0
    with django_capture_on_commit_callbacks(execute=True):
        ProjectMember.objects.create(project=org_projects["p1"], user=nobody, role="observer")
    assert titles(search_for_user(user=nobody, text="扩容", types=["project"])) == [str(org_projects["p1"])]
    assert search_for_user(user=nobody, text="华北电力", types=["customer"]).result.total == 1


def test_review_approvers_see_the_project(kb, org_projects, templates, django_capture_on_commit_callbacks):
    from workflows.models import GateStep, Review, ReviewStep

    approver = org_projects["nobody"]
    step = GateStep.objects.select_related("gate").first()
    gate = step.gate
    with django_capture_on_commit_callbacks(execute=True):
        review = Review.objects.create(gate=gate, project=org_projects["p2"], submitted_by=org_projects["member"])
        ReviewStep.objects.create(review=review, gate_step=step, order=1, name="check", mode="any").approvers.add(
            approver
        )
    assert {h.pk for h in search_for_user(user=approver, text="监控").result.hits} == {org_projects["p2"].pk}


def test_bulk_updates_are_flagged_dirty_and_flushed(kb, publish, search_backend):
    article = publish("旧标题 验收")
    Article.objects.filter(pk=article.pk).update(title="新标题 巡检")  # no signals
    assert Article.objects.get(pk=article.pk).search_dirty
    assert search_for_user(user=kb["kbadmin"], text="巡检").result.total == 0
    assert search_services.search_flush_dirty() == 1
    assert titles(search_for_user(user=kb["kbadmin"], text="巡检")) == ["新标题 巡检"]
    assert not Article.objects.get(pk=article.pk).search_dirty


def test_bulk_updates_of_projects_customers_and_tenders_are_searchable_after_the_dirty_flag_pass(kb, org_projects):
    """Not after the hourly reconcile: the few-minute flush of dirty rows picks up a bulk update."""
    from backend.customers.models import Customer
    from backend.projects.models import Project
    from backend.tenders.models import Tender

    owner = org_projects["owner"]
    Project.objects.filter(pk=org_projects["p1"].pk).update(name="数据中心扩容二期")  # no signals
    Customer.objects.filter(pk=org_projects["customer"].pk).update(name="华北电网调度中心")
    Tender.objects.filter(number="ZB-1").update(title="智算中心招标")
    tender = Tender.objects.get(number="ZB-1")
    assert tender.search_dirty
    assert list(Project.objects.filter(search_dirty=True).values_list("pk", flat=True)) == [org_projects["p1"].pk]
    assert list(Customer.objects.filter(search_dirty=True).values_list("pk", flat=True)) == [
        org_projects["customer"].pk
    ]
    assert search_for_user(user=owner, text="二期").result.total == 0
    assert search_for_user(user=owner, text="调度").result.total == 0
    assert search_for_user(user=owner, text="智算").result.total == 0

    assert search_services.search_flush_dirty() == 3
    assert [h.pk for h in search_for_user(user=owner, text="智算", types=["tender"]).result.hits] == [tender.pk]
    assert [h.pk for h in search_for_user(user=owner, text="二期", types=["project"]).result.hits] == [
        org_projects["p1"].pk
    ]
    assert [h.pk for h in search_for_user(user=owner, text="调度", types=["customer"]).result.hits] == [
        org_projects["customer"].pk
    ]
    assert not Project.objects.filter(search_dirty=True).exists()
    assert not Customer.objects.filter(search_dirty=True).exists()
    assert not Tender.objects.filter(search_dirty=True).exists()
    assert search_services.search_flush_dirty() == 0


def test_reconcile_repairs_a_deliberately_corrupted_index(kb, publish, org_projects, search_backend):
    from backend.projects.models import Project

    kept = publish("机房验收清单", "UPS 配电")
    lost = publish("里程碑计划", "付款节点")
    # corrupt: lose a document, invent one, and let a bulk update bypass the signals
    search_backend.apply(deletes=[f"article:{lost.pk}"])
    from backend.search.documents import SearchDocument

    search_backend.apply(upserts=[SearchDocument(type="article", pk=999_999, title="幽灵文章", acl=["article:*"])])
    Project.objects.filter(pk=org_projects["p1"].pk).update(name="数据中心扩容二期")
    Article.objects.filter(pk=kept.pk).update(search_dirty=False, title="机房验收清单（修订）")
    assert search_for_user(user=kb["kbadmin"], text="幽灵").result.total == 1

    report = search_services.search_reconcile()
    assert report.missing == [f"article:{lost.pk}"]
    assert set(report.stale) == {f"article:{kept.pk}", f"project:{org_projects['p1'].pk}"}
    assert report.extra == ["article:999999"]
    assert search_for_user(user=kb["kbadmin"], text="幽灵").result.total == 0
    assert titles(search_for_user(user=kb["kbadmin"], text="里程碑")) == ["里程碑计划"]
    assert titles(search_for_user(user=kb["kbadmin"], text="修订")) == ["机房验收清单（修订）"]
    assert search_for_user(user=org_projects["exec"], text="二期").result.total == 1
    assert search_services.search_reconcile().repaired == 0  # nothing left to repair


def test_reindex_command_rebuilds_from_the_database(kb, publish, search_backend):
    publish("验收 一")
    publish("验收 二")
    search_backend.clear()
    out = io.StringIO()
    call_command("reindex", "--no-progress", stdout=out, stderr=io.StringIO())
    assert "Indexed 2 documents" in out.getvalue()
    assert search_for_user(user=kb["kbadmin"], text="验收").result.total == 2
    check = io.StringIO()
    call_command("reindex", "--check", stdout=check)
    assert "repaired 0" in check.getvalue()


def test_search_api_shape_highlights_and_pagination(kb, publish, client_for):
    for n in range(3):
        publish(f"驗收報告 第{n}版", "本項目已通過驗收。", keywords=["验收"])
    client = client_for(kb["engineer"])
    body = client.get("/api/v1/search/", {"q": "验收", "page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["previous"] is None
    assert "page=2" in body["next"]
    hit = body["results"][0]
    assert set(hit) == {
        "type",
        "id",
        "score",
        "title",
        "title_highlight",
        "snippet",
        "url",
        "subtitle",
        "industry",
        "category",
        "keywords",
    }
    assert "<mark>驗收</mark>" in hit["title_highlight"] and "<mark>驗收</mark>" in hit["snippet"]
    assert hit["url"] == f"/knowledge/articles/{hit['id']}/"
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    by_name = client.get("/api/v1/search/", {"q": "验收", "keyword": "驗收"}).json()  # a keyword by name
    assert by_name["count"] == 3


@pytest.mark.parametrize(
    "params",
    [{"type": "invoice"}, {"page_size": 1000}, {"page": 0}, {"industry": "mining"}, {"page": 600, "page_size": 20}],
)
def test_search_api_refuses_bad_input_with_400(kb, client_for, params):
    response = client_for(kb["engineer"]).get("/api/v1/search/", {"q": "验收", **params})
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


def test_search_api_needs_authentication(api_client, db):
    assert api_client.get("/api/v1/search/", {"q": "验收"}).status_code in (401, 403)


@pytest.mark.parametrize("rows", [3, 30])
def test_search_query_count_does_not_grow_with_results(kb, publish, client_for, rows, django_assert_max_num_queries):
    for n in range(rows):
        publish(f"验收 {n}", keywords=[f"关键词{n % 5}"], category_id=kb["datacentre"].pk)
    client = client_for(kb["engineer"])
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/search/", {"q": "验收", "page_size": 50}).json()
    assert body["count"] == rows


def test_a_superuser_sees_everything(kb, publish, make_user):
    _visibility_corpus(kb, publish)
    root = make_user("root", is_superuser=True)
    assert search_for_user(user=root, text="验收").result.total == 4
    assert SearchQuery().acl is None
