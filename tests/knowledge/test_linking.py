"""Auto-linking of articles to projects: ranking on a small fixed corpus, accept/dismiss, dismissed
links never return, recomputation when a project or an article changes, visibility of suggestions."""

from __future__ import annotations

import pytest

from backend.knowledge import linking, services
from backend.knowledge.choices import LinkStatus
from backend.knowledge.models import ArticleLink
from backend.knowledge.selectors import article_projects, project_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(kb, publish):
    return {
        "dr_finance": publish(
            "银行数据中心灾备方案",
            "两地三中心，同城双活，存储同步复制，华为 OceanStor 双活。",
            industry="finance",
            keywords=["灾备"],
        ),
        "dr_energy": publish("数据中心灾备方案（能源）", "两地三中心，同城双活，存储同步复制。", industry="energy"),
        "dr_short": publish("灾备演练记录", "一次同城灾备切换演练。", industry="energy"),
        "unrelated_finance": publish("网络安全整改", "堡垒机与日志审计。", industry="finance", keywords=["安全"]),
        "hidden": publish(
            "灾备内部资料",
            "两地三中心 同城双活 灾备 内部",
            visibility="users",
            user_ids=[kb["kbadmin"].pk],
            industry="finance",
        ),
    }


@pytest.fixture
def project(kb, corpus, django_capture_on_commit_callbacks):
    from backend.projects.models import Competitor, ProjectCompetitor, ProjectMember
    from tests.factories import ProjectFactory

    with django_capture_on_commit_callbacks(execute=True):
        p = ProjectFactory(
            name="某银行数据中心灾备建设",
            description="建设两地三中心灾备体系，同城双活。",
            industry="finance",
            owner=kb["pm"],
        )
        ProjectMember.objects.create(project=p, user=kb["engineer"], role="engineer")
        ProjectCompetitor.objects.create(
            project=p, competitor=Competitor.objects.create(name="华为"), solution="OceanStor 双活存储"
        )
    return p


def suggested_titles(project) -> list[str]:
    return [
        link.article.title
        for link in ArticleLink.objects.filter(project=project, status="suggested")
        .select_related("article")
        .order_by("-score", "pk")
    ]


def test_suggestions_rank_industry_keywords_and_text(project, corpus):
    ranked = suggested_titles(project)
    assert "网络安全整改" not in ranked  # same industry and no text in common: not related
    assert ranked == ["银行数据中心灾备方案", "数据中心灾备方案（能源）", "灾备内部资料"]
    assert "灾备演练记录" not in ranked  # too little in common
    scores = dict(ArticleLink.objects.filter(project=project).values_list("article__title", "score"))
    # the same industry and a shared keyword put the bank's plan far ahead of the same text for energy
    assert scores["银行数据中心灾备方案"] > 2 * scores["数据中心灾备方案（能源）"] > 0
    assert scores["数据中心灾备方案（能源）"] > scores["灾备内部资料"]


def test_the_project_page_shows_only_articles_the_user_may_read(kb, project):
    assert "灾备内部资料" in suggested_titles(project)  # suggested for the project...
    for who in ("pm", "engineer"):
        shown = [link.article.title for link in project_links(user=kb[who], project=project)["suggested"]]
        assert "灾备内部资料" not in shown and "银行数据中心灾备方案" in shown  # ...but not shown to them


def test_dismissed_links_never_come_back_and_accepted_ones_are_listed_on_the_article(
    kb, project, corpus, django_capture_on_commit_callbacks
):
    links = {link.article_id: link for link in ArticleLink.objects.filter(project=project)}
    dismissed = links[corpus["dr_energy"].pk]
    accepted = links[corpus["dr_finance"].pk]
    services.link_decide(link_id=dismissed.pk, actor=kb["pm"], decision="dismiss")
    services.link_decide(link_id=accepted.pk, actor=kb["pm"], decision="accept")
    # the project and the article change: everything is recomputed
    with django_capture_on_commit_callbacks(execute=True):
        project.description += " 增加灾备演练。"
        project.save()
        services.article_update(
            article_id=corpus["dr_energy"].pk,
            actor=kb["kbadmin"],
            data={"body": "两地三中心，同城双活，存储同步复制，灾备演练。"},
        )
    linking.links_recompute_for_project(project_id=project.pk)
    assert ArticleLink.objects.get(pk=dismissed.pk).status == LinkStatus.DISMISSED
    assert ArticleLink.objects.filter(project=project, article=corpus["dr_energy"]).count() == 1
    assert "数据中心灾备方案（能源）" not in [
        link.article.title for link in project_links(user=kb["pm"], project=project)["suggested"]
    ]
    assert ArticleLink.objects.get(pk=accepted.pk).status == LinkStatus.ACCEPTED
    assert [link.project for link in article_projects(user=kb["pm"], article=corpus["dr_finance"])] == [project]
    assert article_projects(user=kb["presales"], article=corpus["dr_finance"]) == []  # cannot see the project


def test_a_new_article_is_suggested_and_an_archived_one_withdrawn(
    kb, project, publish, django_capture_on_commit_callbacks
):
    new = publish(
        "银行灾备建设最佳实践", "两地三中心 同城双活 灾备建设 数据中心 银行", industry="finance", keywords=["灾备"]
    )
    assert "银行灾备建设最佳实践" in suggested_titles(project)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_transition(article_id=new.pk, actor=kb["kbadmin"], name="archive")
    assert "银行灾备建设最佳实践" not in suggested_titles(project)


def test_only_the_project_team_decides(kb, project):
    link = ArticleLink.objects.filter(project=project).first()
    from backend.core.errors import NotFound, PermissionDenied

    with pytest.raises(NotFound):  # cannot see the project
        services.link_decide(link_id=link.pk, actor=kb["presales"], decision="accept")
    with pytest.raises(PermissionDenied):  # sees it, but is not on the team with an editing role
        services.link_decide(link_id=link.pk, actor=kb["engineer"], decision="dismiss")


def test_recomputation_writes_nothing_when_nothing_changed(project):
    before = list(ArticleLink.objects.filter(project=project).values_list("pk", "score", "updated_at"))
    linking.links_recompute_for_project(project_id=project.pk)
    assert list(ArticleLink.objects.filter(project=project).values_list("pk", "score", "updated_at")) == before


def test_manual_links_are_accepted_at_once(kb, project, corpus):
    link = services.link_add(project_id=project.pk, article_id=corpus["unrelated_finance"].pk, actor=kb["pm"])
    assert (link.status, link.source) == ("accepted", "manual")
    linking.links_recompute_for_project(project_id=project.pk)
    assert ArticleLink.objects.get(pk=link.pk).status == "accepted"
