"""Demo service desk: a service-desk agent (``service``) has logged the last weeks' calls from customers whose
projects are in delivery or warranty — requests in every state, some within their SLA and some breached,
a billable one from a customer with no project in delivery or warranty, three closed with surveys (two answered) — and a routing
rule sends network faults to the implementation engineer. Played on past working days through the services
(``now=``), so the clocks, events and surveys are as they would have been. Idempotent: a request is found by
its subject, the rule by its name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone

from backend.accounts.models import User
from backend.customers.models import Contact, Customer
from backend.knowledge.models import Article
from backend.projects.models import Project
from backend.service import services
from backend.service.models import ServiceRequest
from workflows.models import RoutingRule

RULE = "网络故障派给实施工程师"

# subject, project (demo name), category, priority, channel, logged (working days ago, hour), the story:
# a list of (step, working days ago, hour, minute) with step in assign:<user>, start, wait, resolve, close,
# reopen, note, survey:<score>
PLAN = [
    ("校园网核心交换机端口频繁掉线", "北京交通大学校园网升级", "network", "p2", "hotline", (0, 9), []),
    ("机房 UPS 电池更换咨询", "国网华北电力数据中心扩容", "consultation", "p3", "hotline", (0, 10), []),
    # a customer without a project in delivery or warranty: the work is billable
    ("门禁系统对接报价咨询", "customer:西安城市轨道交通集团", "consultation", "p4", "email", (1, 15), []),
    (
        "无线控制器升级后部分 AP 离线",
        "北京交通大学校园网升级",
        "network",
        "p1",
        "hotline",
        (1, 10),
        [("assign:engineer", 1, 10, 5)],
    ),
    (
        "机房空调告警联动策略咨询",
        "国网华北电力数据中心扩容",
        "consultation",
        "p4",
        "email",
        (2, 14),
        [("assign:engineer", 2, 14, 30), ("start", 2, 15, 0)],
    ),
    (
        "防火墙策略变更申请",
        "建行北京分行核心网络改造",
        "change",
        "p3",
        "web",
        (3, 11),
        [("assign:pm", 3, 11, 20), ("start", 3, 13, 30), ("wait", 3, 14, 0)],
    ),
    (
        "核心路由器 OSPF 邻居反复重建",
        "建行北京分行核心网络改造",
        "network",
        "p2",
        "hotline",
        (6, 9),
        [("start", 6, 9, 40), ("resolve", 6, 15, 0)],
    ),
    (
        "存储阵列硬盘故障告警",
        "国网华北电力数据中心扩容",
        "hardware",
        "p2",
        "hotline",
        (9, 16),
        [("assign:engineer", 9, 16, 10), ("start", 8, 10, 0), ("resolve", 5, 17, 0)],
    ),
    (
        "认证系统证书即将过期",
        "北京交通大学校园网升级",
        "software",
        "p3",
        "email",
        (12, 10),
        [
            ("assign:engineer", 12, 10, 15),
            ("start", 12, 11, 0),
            ("resolve", 11, 16, 0),
            ("close", 10, 10, 0),
            ("survey:5", 10, 15, 0),
        ],
    ),
    (
        "监控平台告警邮件未送达",
        "国网华北电力数据中心扩容",
        "software",
        "p3",
        "web",
        (15, 14),
        [
            ("assign:engineer", 15, 14, 20),
            ("start", 15, 15, 0),
            ("resolve", 9, 11, 0),
            ("close", 8, 10, 0),
            ("survey:3", 8, 16, 0),
        ],
    ),
    (
        "楼层接入交换机更换",
        "北京交通大学校园网升级",
        "hardware",
        "p3",
        "onsite",
        (7, 9),
        [("assign:engineer", 7, 9, 10), ("start", 7, 10, 0), ("resolve", 7, 16, 0), ("close", 6, 10, 0)],
    ),
    (
        "VPN 账号批量开通",
        "建行北京分行核心网络改造",
        "change",
        "p4",
        "email",
        (5, 10),
        [("assign:engineer", 5, 10, 30), ("start", 5, 11, 0), ("resolve", 4, 10, 0), ("reopen", 3, 9, 30)],
    ),
]


def _working_day(days_ago: int) -> datetime:
    """The date ``days_ago`` working days (Monday to Friday) before today."""
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    remaining = days_ago
    while remaining > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return timezone.make_aware(datetime.combine(day, time(0)))


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    moment = _working_day(days_ago) + timedelta(hours=hour, minutes=minute)
    return min(moment, timezone.now() - timedelta(minutes=5))


def _rule(admin: User | None, engineer: User) -> None:
    from workflows.routing.services import routing_rule_create

    if admin is None or RoutingRule.objects.filter(name=RULE).exists():
        return
    routing_rule_create(
        actor=admin,
        name=RULE,
        applies_to="service_request",
        category="network",
        assignee_kind="user",
        assign_owner=engineer,
        order=10,
    )


def load(*, password: str, log: Callable[[str], None]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["service", "engineer", "pm", "admin"])}
    agent = users.get("service")
    if agent is None or "engineer" not in users:
        return
    _rule(users.get("admin"), users["engineer"])
    article = Article.objects.filter(status="published", title__icontains="网络").order_by("pk").first()
    created = 0
    for subject, project_name, category, priority, channel, (days, hour), story in PLAN:
        if ServiceRequest.objects.filter(subject=subject).exists():
            continue
        project = None
        if project_name.startswith("customer:"):
            customer = Customer.objects.filter(name=project_name.split(":", 1)[1]).first()
        else:
            project = Project.objects.filter(name=project_name).first()
            customer = project.customer if project is not None else None
        if customer is None:
            continue
        contact = Contact.objects.filter(customer=customer).order_by("pk").first()
        request = services.request_create(
            actor=agent,
            customer=customer,
            subject=subject,
            description=f"客户来电：{subject}。",
            contact=contact,
            project=project,
            category=category,
            priority=priority,
            channel=channel,
            now=_at(days, hour),
        )
        created += 1
        _play(request, story, users, agent, article)
    log(f"service: {ServiceRequest.objects.count()} service requests ({created} new)")


def _play(request: ServiceRequest, story: list, users: dict[str, User], agent: User, article: Article | None) -> None:
    from backend.service.models import Survey
    from backend.service.survey import survey_answer, survey_token

    engineer = users["engineer"]
    for step, days, hour, minute in story:
        now = _at(days, hour, minute)
        request.refresh_from_db()
        worker = request.assignee or engineer
        if step.startswith("assign:"):
            services.request_assign(actor=agent, request=request, assignee=users[step.split(":")[1]], now=now)
        elif step == "start":
            if request.assignee_id is None:
                services.request_assign(actor=agent, request=request, assignee=engineer, now=now)
            services.request_transition(actor=worker, request_id=request.pk, name="start", now=now)
        elif step == "wait":
            services.request_transition(
                actor=worker, request_id=request.pk, name="wait_for_customer", comment="请客户提供变更窗口", now=now
            )
        elif step == "resolve":
            if article is not None and request.category == "network":
                services.request_link_article(actor=worker, request=request, article=article)
            services.request_transition(
                actor=worker, request_id=request.pk, name="resolve", solution="已定位原因并处理，业务恢复。", now=now
            )
        elif step == "close":
            services.request_transition(actor=agent, request_id=request.pk, name="close", now=now)
        elif step == "reopen":
            comment = "客户反馈问题复现"
            services.request_transition(actor=agent, request_id=request.pk, name="reopen", comment=comment, now=now)
        elif step.startswith("survey:"):
            survey = Survey.objects.filter(request=request).order_by("-pk").first()
            if survey is not None:
                score = int(step.split(":")[1])
                comment = "响应及时，处理专业。" if score >= 4 else "解决了，但等待时间较长。"
                survey_answer(token=survey_token(survey), score=score, comment=comment, now=now)
