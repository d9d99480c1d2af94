"""Demo discussion board: on the first projects with a team, a thread started by the owner with replies by
members (one quoting, one @mentioning the owner, one edited afterwards), and a thread on an open tender. Written
through the services (so unread markers and mention notifications are real). Idempotent: a thread is found by
its project or tender and title."""

from __future__ import annotations

from collections.abc import Callable

from backend.discussions import services
from backend.discussions.models import Thread
from backend.projects.models import Project, ProjectMember
from backend.tenders.models import Tender

PROJECT_THREADS = 3


def load(*, password: str, log: Callable[[str], None]) -> None:
    created = 0
    started = 0
    for project in Project.objects.select_related("owner").filter(owner__is_active=True).order_by("pk")[:30]:
        if started == PROJECT_THREADS:
            break
        members = [
            m.user
            for m in ProjectMember.objects.filter(project=project, user__is_active=True)
            .exclude(user=project.owner)
            .select_related("user")
            .order_by("pk")[:2]
        ]
        if not members:
            continue
        started += 1
        title = "方案评审与分工"
        if Thread.objects.filter(project=project, title=title).exists():
            continue
        thread = services.thread_create(
            actor=project.owner,
            project_id=project.pk,
            title=title,
            body="各位好，**技术方案**初稿已上传，请在周五前提出意见：\n\n1. 网络拓扑\n2. 存储容量\n3. 实施计划",
        )
        first = thread.posts.get()
        for index, member in enumerate(members):
            reply = services.post_create(
                actor=member,
                thread_id=thread.pk,
                body=f"@{project.owner.username} 存储容量建议按三年增长预留 30%。"
                if index == 0
                else "同意，实施计划我来细化。",
                quote_id=first.pk if index == 0 else None,
            )
            if index == 1:
                services.post_update(actor=member, post_id=reply.pk, body="同意，实施计划我来细化，下周一给初稿。")
        created += 1
    tender = Tender.objects.filter(projects__isnull=True).order_by("pk").select_related("owner").first()
    if tender is not None and not Thread.objects.filter(tender=tender, title="是否参与投标？").exists():
        services.thread_create(
            actor=tender.owner,
            tender_id=tender.pk,
            title="是否参与投标？",
            body="资格要求基本满足，报名截止前需要确认是否参与。",
        )
        created += 1
    log(f"discussions: {Thread.objects.count()} threads ({created} new)")
