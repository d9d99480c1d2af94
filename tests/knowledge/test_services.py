"""Knowledge workflows: writing, versions, review and publishing, permissions, attachments with
extracted text, proposals from project records, keywords and Markdown sanitizing."""

from __future__ import annotations

import datetime

import pytest

from backend.core.errors import Conflict, NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from backend.knowledge import services
from backend.knowledge.choices import ArticleStatus
from backend.knowledge.extract import extract_text
from backend.knowledge.models import Article, Keyword
from backend.knowledge.rendering import render_markdown
from backend.search.selectors import search_for_user
from tests.knowledge.conftest import titles
from tests.knowledge.files import docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def test_an_article_goes_from_draft_through_review_to_published_and_archived(kb):
    article = services.article_create(author=kb["author"], title="验收指南", body="第一版")
    assert article.status == ArticleStatus.DRAFT and article.version == 1
    services.article_transition(article_id=article.pk, actor=kb["author"], name="submit")
    with pytest.raises(PermissionDenied):
        services.article_transition(article_id=article.pk, actor=kb["author"], name="publish")
    with pytest.raises(ValidationFailed):
        services.article_transition(article_id=article.pk, actor=kb["kbadmin"], name="return")  # needs a comment
    services.article_transition(article_id=article.pk, actor=kb["kbadmin"], name="return", comment="补充截图")
    services.article_transition(article_id=article.pk, actor=kb["author"], name="submit")
    published = services.article_transition(article_id=article.pk, actor=kb["kbadmin"], name="publish")
    assert published.status == ArticleStatus.PUBLISHED and published.published_at is not None
    with pytest.raises(TransitionRefused) as refused:
        services.article_transition(article_id=article.pk, actor=kb["kbadmin"], name="submit")
    assert "Published" in str(refused.value)
    archived = services.article_transition(article_id=article.pk, actor=kb["kbadmin"], name="archive")
    assert archived.status == ArticleStatus.ARCHIVED


def test_content_edits_make_versions_and_classification_edits_do_not(kb):
    article = services.article_create(author=kb["author"], title="验收指南", body="**第一版**")
    services.article_update(article_id=article.pk, actor=kb["author"], data={"body": "第二版"}, comment="改写")
    services.article_update(article_id=article.pk, actor=kb["author"], data={"keywords": ["验收"]})
    article.refresh_from_db()
    assert article.version == 2 and article.body_html == "<p>第二版</p>"
    assert list(article.versions.values_list("version", "body", "comment")) == [
        (2, "第二版", "改写"),
        (1, "**第一版**", ""),
    ]


def test_who_may_edit(kb):
    article = services.article_create(author=kb["author"], title="验收指南")
    with pytest.raises(NotFound):  # a draft is invisible to others
        services.article_update(article_id=article.pk, actor=kb["engineer"], data={"title": "x"})
    services.article_transition(article_id=article.pk, actor=kb["author"], name="submit")
    with pytest.raises(PermissionDenied):  # in review: only the knowledge admin edits
        services.article_update(article_id=article.pk, actor=kb["author"], data={"title": "x"})
    services.article_update(article_id=article.pk, actor=kb["kbadmin"], data={"title": "验收指南（审校）"})


def test_visibility_needs_its_list(kb):
    with pytest.raises(ValidationFailed) as refused:
        services.article_create(author=kb["author"], title="x", visibility="roles", roles=[])
    assert "roles" in refused.value.fields
    with pytest.raises(ValidationFailed):
        services.article_create(author=kb["author"], title="x", visibility="roles", roles=["wizard"])


def test_keywords_fold_script_width_and_case(kb):
    a = services.article_create(author=kb["author"], title="a", keywords=["驗收", "ＵＰＳ", " Acceptance "])
    b = services.article_create(author=kb["author"], title="b", keywords=["验收", "ups", "acceptance"])
    assert set(a.keywords.all()) == set(b.keywords.all())
    assert Keyword.objects.count() == 3


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown(
        "# 标题\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.com)"
        "\n\n<img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h1>标题</h1>" in html and "<table>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert 'href="https://example.com"' in html and "noopener" in html


def test_attachment_text_is_extracted_and_searchable(kb, publish, django_capture_on_commit_callbacks):
    article = publish("施工规范")
    with django_capture_on_commit_callbacks(execute=True):
        docx_attachment = services.article_attachment_add(
            article_id=article.pk,
            actor=kb["author"],
            name="机房验收报告.docx",
            data=docx_bytes(["机房终验报告", "UPS 放电测试通过"], table=[["项目", "结果"], ["精密空调", "合格"]]),
        )
        pdf_attachment = services.article_attachment_add(
            article_id=article.pk,
            actor=kb["author"],
            name="report.pdf",
            data=pdf_bytes(["Final acceptance of the cabling", "All milestones signed"]),
        )
    docx_attachment.refresh_from_db()
    pdf_attachment.refresh_from_db()
    assert "UPS 放电测试通过" in docx_attachment.text and "精密空调 | 合格" in docx_attachment.text
    assert "Final acceptance of the cabling" in pdf_attachment.text
    assert docx_attachment.content_type.endswith("wordprocessingml.document")
    assert titles(search_for_user(user=kb["engineer"], text="放电测试")) == ["施工规范"]
    assert titles(search_for_user(user=kb["engineer"], text="cabling milestones")) == ["施工规范"]


def test_extraction_never_fails_an_upload():
    assert extract_text(kind="pdf", data=b"%PDF-1.4 broken") == ""
    assert extract_text(kind="txt", data="验收".encode()) == "验收"
    assert extract_text(kind="png", data=b"\x89PNG") == ""


def test_a_disallowed_file_is_refused(kb):
    article = services.article_create(author=kb["author"], title="x")
    with pytest.raises(ValidationFailed):
        services.article_attachment_add(article_id=article.pk, actor=kb["author"], name="a.exe", data=b"MZ\x00\x01")


@pytest.fixture
def lost_project(kb, reasons):
    from backend.bids.models import WinLossRecord
    from tests.factories import ProjectFactory

    project = ProjectFactory(name="省政务云平台", owner=kb["pm"], industry="government", department=kb["delivery"])
    record = WinLossRecord.objects.create(
        project=project,
        outcome="lost",
        primary_reason=reasons["price"],
        recorded_by=kb["pm"],
        lessons="资质证书续期太晚，技术分被扣。提前六个月准备资质。",
    )
    return project, record


def test_a_lesson_is_proposed_reviewed_and_published(kb, lost_project, django_capture_on_commit_callbacks):
    project, record = lost_project
    with pytest.raises(NotFound):  # cannot propose what one cannot see
        services.article_propose(actor=kb["presales"], kind="lesson", object_id=record.pk)
    article = services.article_propose(actor=kb["pm"], kind="lesson", object_id=record.pk, note="投标前必读")
    assert (article.status, article.source_kind, article.source_project_id) == ("in_review", "lesson", project.pk)
    assert "资质证书续期太晚" in article.body and article.body.startswith("投标前必读")
    assert article.visibility == "department" and list(article.departments.all()) == [kb["delivery"]]
    with pytest.raises(Conflict):
        services.article_propose(actor=kb["pm"], kind="lesson", object_id=record.pk)
    with pytest.raises(ValidationFailed):  # a category is required to publish
        services.article_review(article_id=article.pk, actor=kb["kbadmin"], decision="publish")
    with pytest.raises(PermissionDenied):
        services.article_review(article_id=article.pk, actor=kb["pm"], decision="publish", category_id=kb["lessons"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        published = services.article_review(
            article_id=article.pk,
            actor=kb["kbadmin"],
            decision="publish",
            category_id=kb["lessons"].pk,
            keywords=["资质", "经验教训"],
            visibility="public",
            comment="好",
        )
    assert published.status == "published" and published.category == kb["lessons"]
    assert published.visibility == "public" and published.reviewed_by == kb["kbadmin"]
    assert titles(search_for_user(user=kb["engineer"], text="资质证书")) == [published.title]


def test_a_proposal_can_be_returned_or_rejected(kb, lost_project):
    _project, record = lost_project
    article = services.article_propose(actor=kb["pm"], kind="lesson", object_id=record.pk)
    returned = services.article_review(
        article_id=article.pk, actor=kb["kbadmin"], decision="return", comment="请补充报价对比"
    )
    assert (returned.status, returned.review_comment) == ("draft", "请补充报价对比")
    services.article_transition(article_id=article.pk, actor=kb["pm"], name="submit")
    rejected = services.article_review(article_id=article.pk, actor=kb["kbadmin"], decision="reject")
    assert rejected.status == "archived"


def test_a_deliverable_is_proposed_with_its_file(
    kb, lost_project, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from backend.milestones.models import Deliverable, DeliverableVersion, Milestone

    settings.MEDIA_ROOT = tmp_path
    project, _record = lost_project
    today = datetime.date(2026, 3, 1)
    milestone = Milestone.objects.create(project=project, name="初验", order=1, planned_start=today, planned_end=today)
    deliverable = Deliverable.objects.create(
        milestone=milestone,
        doc_type=Deliverable._meta.get_field("doc_type").choices[0][0],
        title="初验报告",
        created_by=kb["pm"],
    )
    data = docx_bytes(["初验报告", "综合布线测试全部通过"])
    version = DeliverableVersion(
        deliverable=deliverable,
        version=1,
        original_name="初验报告.docx",
        content_type="application/docx",
        size=len(data),
        sha256="0" * 64,
        uploaded_by=kb["pm"],
    )
    version.file.save("v1.docx", ContentFile(data), save=False)
    version.save()
    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_propose(actor=kb["pm"], kind="deliverable", object_id=deliverable.pk)
    attachment = article.attachments.get()
    assert article.title == "初验报告" and "综合布线测试全部通过" in attachment.text and not attachment.text_pending


def test_unknown_kinds_cannot_be_proposed(kb):
    with pytest.raises(ValidationFailed):
        services.article_propose(actor=kb["pm"], kind="manual", object_id=1)


def test_the_database_rule_for_drafts(kb):
    from backend.core.permissions import visible_to

    draft = services.article_create(author=kb["author"], title="草稿")
    assert list(visible_to(kb["author"], Article.objects.all())) == [draft]
    assert list(visible_to(kb["kbadmin"], Article.objects.all())) == [draft]
    assert list(visible_to(kb["engineer"], Article.objects.all())) == []
