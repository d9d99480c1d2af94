"""Demo knowledge base: a category tree, keywords and ~30 articles in Simplified Chinese, English, mixed and
Traditional Chinese, with every kind of visibility, a draft, an article in review and a proposal from a
project's lessons. Idempotent (articles by title, categories by path). After the demo transaction
commits, the search index is rebuilt and project links are computed, so search works at once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from backend.accounts.models import Department, User
from backend.knowledge import services
from backend.knowledge.choices import ArticleStatus, SourceKind, Visibility
from backend.knowledge.models import Article, Category

log_ = logging.getLogger(__name__)

CATEGORIES = [
    ("技术方案 Solutions", None),
    ("数据中心 Data centre", "技术方案 Solutions"),
    ("网络与安全 Network & security", "技术方案 Solutions"),
    ("云与虚拟化 Cloud & virtualisation", "技术方案 Solutions"),
    ("交付与验收 Delivery & acceptance", None),
    ("项目管理 Project management", "交付与验收 Delivery & acceptance"),
    ("验收 Acceptance", "交付与验收 Delivery & acceptance"),
    ("投标与商务 Bidding", None),
    ("经验教训 Lessons learned", None),
    ("行业资料 Industry notes", None),
]

Audience = tuple[str, list[str]]
PUBLIC: Audience = ("public", [])
DELIVERY: Audience = ("department", ["交付中心 Delivery Center"])
SALES: Audience = ("department", ["销售中心 Sales Center"])
PRESALES_ROLES: Audience = ("roles", ["presales", "bid_manager", "director"])
PM_USERS: Audience = ("users", ["pm", "engineer"])

# title, category, keywords, industry, visibility, author, status, summary, body
ARTICLES: list[tuple[str, str, list[str], str, tuple[str, list[str]], str, str, str, str]] = [
    (
        "数据中心机房建设验收清单",
        "验收 Acceptance",
        ["验收", "数据中心", "机房"],
        "government",
        PUBLIC,
        "pm",
        "published",
        "机房建设项目初验、终验前逐项检查的清单。",
        "## 适用范围\n\n适用于政府、金融客户的**数据中心机房**新建与改造项目，在初验和终验前使用。\n\n"
        "## 检查项\n\n1. UPS 配电：带载切换测试记录、蓄电池放电测试报告。\n2. 精密空调：冷通道温度 18–27 ℃，"
        "湿度 40%–60%。\n3. 综合布线：光纤 OTDR 测试报告、铜缆 Fluke 认证报告。\n4. 动环监控：告警联动短信、"
        "门禁日志保存 180 天。\n\n## 验收资料\n\n竣工图、设备清单、测试记录、培训签到表和《验收报告》需在验收会前"
        "三个工作日提交客户。",
    ),
    (
        "Acceptance testing checklist for network upgrades",
        "验收 Acceptance",
        ["acceptance", "network"],
        "finance",
        PUBLIC,
        "engineer",
        "published",
        "What to test and record before a bank accepts a network upgrade.",
        "## Before the test window\n\nAgree the acceptance criteria with the customer's network team and freeze"
        " the configuration baseline. Every test case names its expected result.\n\n## Tests\n\n- Failover of"
        " each core switch pair (Cisco Nexus or Huawei CE series) under load.\n- Routing convergence below 1 s.\n"
        "- QoS marking for the trading VLANs.\n\n## After\n\nCollect signed test records; the customer accepts"
        " the milestone only when the punch list is closed.",
    ),
    (
        "里程碑计划编制指南",
        "项目管理 Project management",
        ["里程碑", "项目计划"],
        "",
        PUBLIC,
        "pm",
        "published",
        "如何把合同交付物拆成里程碑，并与收款节点对齐。",
        "里程碑应与合同付款条件一一对应：到货验收、初验、终验、质保期满。每个里程碑写清交付物、负责人、计划日期"
        "和验收标准。\n\n常见问题：里程碑过粗导致回款延迟；里程碑过细导致客户签字次数过多。建议一个项目 4–7 个"
        "里程碑。",
    ),
    (
        "Milestone planning for system integration projects",
        "项目管理 Project management",
        ["milestones", "project plan"],
        "",
        PUBLIC,
        "pm",
        "published",
        "Cut the scope into milestones that match payment terms.",
        "Plan milestones around what the customer signs: delivery of goods, preliminary acceptance, final"
        " acceptance and the end of the warranty period. Each milestone lists its deliverables, an owner and a"
        " date. Milestones that are too coarse delay collections; too fine ones exhaust the customer.",
    ),
    (
        "系統整合專案驗收報告範本說明",
        "验收 Acceptance",
        ["验收", "系统集成"],
        "telecom",
        PUBLIC,
        "kbadmin",
        "published",
        "香港、台灣客戶使用的繁體驗收報告填寫說明。",
        "本範本適用於香港及台灣電信客戶的系統整合專案。驗收報告應包括：專案範圍、測試結果、遺留問題清單（punch"
        " list）及客戶簽署欄。\n\n注意：客戶要求以繁體中文提交，金額以新台幣或港幣列示。",
    ),
    (
        "两地三中心灾备方案要点",
        "数据中心 Data centre",
        ["数据中心", "灾备", "两地三中心"],
        "finance",
        PRESALES_ROLES,
        "presales",
        "published",
        "银行核心系统两地三中心架构的售前讲解要点。",
        "生产中心与同城灾备中心采用同城双活，距离 30–50 公里，存储同步复制；异地灾备中心采用异步复制。RPO、RTO "
        "指标需与客户的监管要求对应。数据库可选 Oracle RAC 或国产数据库达梦、人大金仓。",
    ),
    (
        "Data centre migration runbook",
        "数据中心 Data centre",
        ["data centre", "migration"],
        "energy",
        PUBLIC,
        "engineer",
        "published",
        "A step-by-step runbook for moving racks between data centres.",
        "Freeze changes two weeks before the move. Inventory every server, label cables, and rehearse the"
        " shutdown sequence. Move storage last. After power-on, run the acceptance tests agreed with the"
        " customer and keep the old site ready for rollback for 72 hours.",
    ),
    (
        "超融合平台选型对比：华为 FusionCube、深信服 aCloud、Nutanix",
        "云与虚拟化 Cloud & virtualisation",
        ["超融合", "虚拟化"],
        "healthcare",
        PUBLIC,
        "presales",
        "published",
        "三种超融合产品在医院场景下的对比。",
        "医院 HIS、PACS 系统对存储性能要求高。华为 FusionCube 适合已有华为服务器的客户；深信服 aCloud 价格优势"
        "明显，运维简单；Nutanix 功能成熟但价格较高。VMware vSphere 授权变化后，很多客户考虑迁移。",
    ),
    (
        "VMware to KVM migration lessons",
        "云与虚拟化 Cloud & virtualisation",
        ["virtualisation", "migration"],
        "education",
        PUBLIC,
        "engineer",
        "published",
        "What went wrong and right when a university left VMware vSphere.",
        "Test every guest driver before the cut-over weekend. Windows guests needed virtio drivers; Linux"
        " guests moved cleanly. Backup software licences were tied to vCenter and had to be renegotiated.",
    ),
    (
        "等保 2.0 三级测评整改清单",
        "网络与安全 Network & security",
        ["等保", "安全"],
        "government",
        PUBLIC,
        "presales",
        "published",
        "等级保护三级测评常见问题与整改措施。",
        "常见扣分项：日志留存不足 6 个月、缺少堡垒机、数据库审计未覆盖、重要数据未加密传输。整改建议：部署深信服或"
        "奇安信的安全设备，建立安全管理制度并完成年度演练。",
    ),
    (
        "Zero-trust network access for branch offices",
        "网络与安全 Network & security",
        ["security", "network"],
        "retail",
        PUBLIC,
        "presales",
        "published",
        "Replacing site-to-site VPNs with ZTNA in a retail chain.",
        "Identity-aware proxies replaced 300 branch VPNs. The pilot covered ten stores; acceptance criteria were"
        " login latency below two seconds and no change to the point-of-sale network.",
    ),
    (
        "投标文件编制规范",
        "投标与商务 Bidding",
        ["投标", "标书"],
        "",
        SALES,
        "bidmgr",
        "published",
        "商务标、技术标的结构与常见废标原因。",
        "技术偏离表逐条响应，不得漏项；资质证明文件需加盖公章；投标保证金在截止前到账。常见废标原因：报价超过最高"
        "限价、签字盖章缺失、未按要求密封。",
    ),
    (
        "Bid review checklist",
        "投标与商务 Bidding",
        ["bidding", "review"],
        "",
        SALES,
        "bidmgr",
        "published",
        "Questions the bid review board asks before we submit.",
        "Is the margin above the threshold? Are all qualification requirements met? Which competitors are"
        " bidding, and what did they price last time? Is the bid bond paid?",
    ),
    (
        "报价策略：如何应对低价竞争",
        "投标与商务 Bidding",
        ["报价", "竞争对手"],
        "",
        PRESALES_ROLES,
        "director",
        "published",
        "面对华为、新华三直签和低价代理商时的报价思路。",
        "不要在第一轮就降到底价。先强调服务能力和本地化团队，再用分阶段报价和可选项控制总价。低于成本的项目需走"
        "低毛利审批。",
    ),
    (
        "Lessons learned: lost bid on provincial e-government cloud",
        "经验教训 Lessons learned",
        ["lessons learned", "bidding", "cloud"],
        "government",
        SALES,
        "director",
        "published",
        "We lost on price and on a late qualification certificate.",
        "The winning bid was 12% below ours. Our cloud security certificate arrived after the deadline, so the"
        " technical score suffered. Start qualification renewals six months before a major tender.",
    ),
    (
        "经验教训：某银行数据中心项目延期验收",
        "经验教训 Lessons learned",
        ["经验教训", "验收", "数据中心"],
        "finance",
        DELIVERY,
        "pm",
        "published",
        "设备到货延迟与客户需求变更导致终验推迟三个月。",
        "根因：合同未约定需求变更流程；设备厂商交期未提前锁定。改进：签约时明确变更控制，关键设备下单后每周跟踪"
        "交期；里程碑延期需提前两周与客户沟通。",
    ),
    (
        "项目周报模板使用说明",
        "项目管理 Project management",
        ["项目周报", "项目管理"],
        "",
        PUBLIC,
        "pm",
        "published",
        "周报应包含进度、风险、下周计划和需要客户配合的事项。",
        "周报每周五发送，进度用里程碑完成百分比表示，风险按高、中、低分级并给出应对措施。",
    ),
    (
        "Change request handling in fixed-price projects",
        "项目管理 Project management",
        ["change request", "project management"],
        "",
        PUBLIC,
        "pm",
        "published",
        "How to price and approve scope changes without hurting the margin.",
        "Every change request gets an impact estimate on cost, schedule and acceptance. The customer signs"
        " before work starts. Small changes are batched monthly.",
    ),
    (
        "智慧医院网络建设方案",
        "行业资料 Industry notes",
        ["医疗", "网络"],
        "healthcare",
        PUBLIC,
        "presales",
        "published",
        "三级医院内外网隔离、无线覆盖与物联网接入方案。",
        "内网承载 HIS、LIS、PACS，外网用于互联网医院；无线采用 Wi-Fi 6，覆盖病房和门诊；物联网终端单独划分 "
        "VLAN，接入需准入认证。",
    ),
    (
        "Smart grid substation monitoring: integration notes",
        "行业资料 Industry notes",
        ["energy", "monitoring"],
        "energy",
        PUBLIC,
        "engineer",
        "published",
        "Integrating substation sensors with the utility's data platform.",
        "Use IEC 61850 gateways, buffer data locally for 72 hours, and agree the data dictionary with the"
        " utility before the factory acceptance test.",
    ),
    (
        "信创适配测试经验：麒麟操作系统 + 达梦数据库",
        "云与虚拟化 Cloud & virtualisation",
        ["信创", "国产化", "数据库"],
        "government",
        PUBLIC,
        "engineer",
        "published",
        "应用迁移到国产软硬件平台时的适配要点。",
        "先做兼容性清单：中间件东方通、数据库达梦、操作系统麒麟或统信。字符集统一为 UTF-8；存储过程需改写；性能"
        "压测至少覆盖峰值 1.5 倍并发。",
    ),
    (
        "Mixed-language glossary 中英术语对照",
        "行业资料 Industry notes",
        ["glossary", "术语"],
        "",
        PUBLIC,
        "kbadmin",
        "published",
        "常用项目术语的中英文对照 / Common project terms in both languages.",
        "验收 acceptance · 初验 preliminary acceptance · 终验 final acceptance · 里程碑 milestone · 交付物"
        " deliverable · 立项 project initiation · 合同评审 contract review · 系统集成 system integration · 质保"
        " warranty · 回款 collection.",
    ),
    (
        "機房搬遷作業規範（繁體）",
        "数据中心 Data centre",
        ["数据中心", "机房", "迁移"],
        "transport",
        PUBLIC,
        "engineer",
        "published",
        "台灣客戶機房搬遷的作業流程與驗收要求。",
        "搬遷前需完成資產盤點與備份驗證；搬遷當日依序關機、拆線、裝箱；到達新機房後依網路、儲存、伺服器順序上電，"
        "並執行驗收測試。",
    ),
    (
        "交付团队内部：现场实施安全规范",
        "项目管理 Project management",
        ["安全", "实施"],
        "",
        DELIVERY,
        "pm",
        "published",
        "现场实施人员的安全与保密要求（仅交付中心）。",
        "进入客户机房须登记；禁止使用个人 U 盘；变更操作需双人复核；客户数据不得带离现场。",
    ),
    (
        "PM handbook: escalation paths",
        "项目管理 Project management",
        ["escalation", "project management"],
        "",
        PM_USERS,
        "pm",
        "published",
        "Who to call when a milestone slips (PM and engineers only).",
        "A milestone overdue by one day goes to the PM; by three days to the delivery head; by a week to the"
        " executive sponsor. Keep the customer informed at every step.",
    ),
    (
        "Presales demo environment booking",
        "技术方案 Solutions",
        ["demo", "presales"],
        "",
        PRESALES_ROLES,
        "presales",
        "published",
        "How to book the lab for customer demonstrations.",
        "Book the lab two days ahead; reset the environment afterwards; record which products were shown so the"
        " follow-up proposal matches the demo.",
    ),
    (
        "存储双活方案比较（草稿）",
        "数据中心 Data centre",
        ["存储", "双活"],
        "finance",
        PUBLIC,
        "presales",
        "draft",
        "华为 OceanStor HyperMetro 与 NetApp MetroCluster 对比，尚未完成。",
        "待补充：性能测试数据、价格区间、客户案例。",
    ),
    (
        "Warranty period service levels",
        "交付与验收 Delivery & acceptance",
        ["warranty", "service level"],
        "",
        PUBLIC,
        "pm",
        "in_review",
        "Proposed standard service levels during the warranty period.",
        "Severity 1: four-hour on-site response; severity 2: next business day; spare parts kept at the regional"
        " warehouse.",
    ),
    (
        "教育行业校园网改造案例",
        "行业资料 Industry notes",
        ["教育", "网络", "系统集成"],
        "education",
        PUBLIC,
        "presales",
        "published",
        "某大学校园网核心与无线改造的系统集成案例。",
        "核心交换采用锐捷，无线覆盖 12 栋宿舍楼，统一认证对接学校门户；分三期实施，每期独立验收。",
    ),
    (
        "Archived: legacy SAN zoning guide",
        "数据中心 Data centre",
        ["storage"],
        "",
        PUBLIC,
        "engineer",
        "archived",
        "Superseded by the storage dual-active comparison.",
        "Kept for reference only.",
    ),
]


def _categories() -> dict[str, Category]:
    found: dict[str, Category] = {}
    for order, (name, parent_name) in enumerate(CATEGORIES):
        parent = found.get(parent_name) if parent_name else None
        category = Category.objects.filter(name=name, parent=parent).first()
        if category is None:
            category = Category.objects.create(name=name, parent=parent, order=order)
        found[name] = category
    return found


def load(*, password: str, log: Callable[[str], None]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in={row[5] for row in ARTICLES} | {"kbadmin"})}
    departments = {d.name: d for d in Department.objects.all()}
    categories = _categories()
    created = 0
    for title, category, keywords, industry, (visibility, targets), author, status, summary, body in ARTICLES:
        if Article.objects.filter(title=title).exists() or author not in users:
            continue
        extra: dict = {}
        if visibility == Visibility.DEPARTMENT:
            extra["department_ids"] = [departments[t].pk for t in targets if t in departments]
        elif visibility == Visibility.ROLES:
            extra["roles"] = targets
        elif visibility == Visibility.USERS:
            extra["user_ids"] = [users[t].pk for t in targets if t in users] or [
                u.pk for u in User.objects.filter(username__in=targets)
            ]
        if visibility != Visibility.PUBLIC and not any(extra.values()):
            visibility, extra = Visibility.PUBLIC, {}
        services.article_create(
            author=users[author],
            title=title,
            summary=summary,
            body=body,
            industry=industry,
            category_id=categories[category].pk,
            keywords=keywords,
            visibility=visibility,
            status=ArticleStatus.PUBLISHED if status == "archived" else status,
            **extra,
        )
        if status == "archived":
            Article.objects.filter(title=title).update(status=ArticleStatus.ARCHIVED, search_dirty=False)
        created += 1
    created += _proposal(users)
    log(f"knowledge: {Article.objects.count()} articles ({created} new), {Category.objects.count()} categories")
    transaction.on_commit(lambda: _index_everything(log))


def _proposal(users: dict[str, User]) -> int:
    """A lessons-learned proposal from a lost project, waiting in the review queue."""
    from backend.bids.models import WinLossRecord

    record = WinLossRecord.objects.exclude(lessons="").order_by("pk").first()
    proposer = User.objects.filter(username="presales").first()
    if record is None or proposer is None:
        return 0
    if Article.objects.filter(source_kind=SourceKind.LESSON, source_object_id=record.pk).exists():
        return 0
    services.article_create(
        author=proposer,
        title=f"经验教训 Lessons learned: {record.project.name}",
        summary=str(record.primary_reason),
        body=record.lessons,
        industry=record.project.industry,
        visibility=Visibility.USERS,
        user_ids=[proposer.pk],
        status=ArticleStatus.IN_REVIEW,
        source_kind=SourceKind.LESSON,
        source_project_id=record.project_id,
        source_object_id=record.pk,
        proposed_by=proposer,
    )
    return 1


def _index_everything(log: Callable[[str], None]) -> None:
    """Rebuild the index and compute project links (after the demo data is committed)."""
    from backend.knowledge.linking import links_recompute_for_project
    from backend.projects.models import Project
    from backend.search.services import search_reindex

    try:
        count = search_reindex()
        for project_id in Project.objects.values_list("pk", flat=True):
            links_recompute_for_project(project_id=project_id)
    except Exception as exc:  # the demo data stays; `sicrm reindex` can be run later
        log_.warning("demo: indexing failed", exc_info=True)
        log(f"knowledge: search index not built ({exc}); run `sicrm reindex`")
        return
    log(f"knowledge: search index rebuilt with {count} documents")
