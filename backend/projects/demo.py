"""Demo projects: 45 deals on the demo customers, spread over every presales state, each played through the
real services (transitions, gate decisions by the demo approvers, quotations, bids and opening records,
contract terms, win/loss records) so that events, reviews and reports are genuine.

History is backdated by playing each deal on a simulated clock: while a deal plays, ``timezone.now`` returns
the moment of the story (up to 18 months back), so codes, events, reviews, approvals and quotations carry
plausible dates; the few columns whose default captured the real clock are corrected with ``update()``.
Idempotent: a deal whose project name already exists is skipped, so a second run writes nothing.
Demo-only: application code must not import this module.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

from backend.accounts.models import Department, User
from backend.accounts.services import user_set_roles
from backend.bids import demo as bids_demo
from backend.bids.choices import BidResult, QuotationStatus
from backend.bids.models import Bid, Quotation, Tender
from backend.bids.selectors import quotation_totals
from backend.bids.services import (
    bid_create,
    bid_opening_record,
    bid_update,
    contract_terms_save,
    quotation_create,
    quotation_submit,
    tender_create,
)
from backend.core import notifications
from backend.customers.identity import normalize_name
from backend.customers.models import Customer
from backend.projects import services
from backend.projects.choices import CostCategory, MemberRole, PartnerKind, Status
from backend.projects.models import (
    Competitor,
    CompetitorNote,
    Partner,
    Project,
    ProjectCompetitor,
    ProjectEvent,
)
from workflows.choices import ReviewStatus, StepStatus
from workflows.models import ProcessTemplate, Review, StageTemplate
from workflows.services import review_decide

# --- catalogues ------------------------------------------------------------------------------------------

# alias: name, website, strengths, weaknesses, typical solution
COMPETITORS = {
    "huawei": (
        "华为 Huawei",
        "https://www.huawei.com",
        "全栈自有产品，品牌强，原厂服务网络覆盖全国 Full own stack, strong brand, nationwide service",
        "价格偏高，集成与定制开发依赖合作伙伴 Premium prices; relies on partners for integration",
        "CloudEngine 交换机 + OceanStor 存储 + FusionCompute 虚拟化",
    ),
    "h3c": (
        "新华三 H3C",
        "https://www.h3c.com",
        "网络产品线完整，渠道覆盖广 Complete networking line, wide channel",
        "服务器与存储竞争力一般 Weaker in servers and storage",
        "S12500 核心 + 紫光云 / H3C UniServer",
    ),
    "inspur": (
        "浪潮 Inspur",
        "https://www.inspur.com",
        "服务器价格优势明显，信创产品齐全 Aggressive server pricing, full domestic stack",
        "网络与安全需外采 Networking and security bought in",
        "NF 系列服务器 + InCloud OS 云平台",
    ),
    "sugon": (
        "中科曙光 Sugon",
        "https://www.sugon.com",
        "高性能计算与液冷数据中心经验 HPC and liquid-cooled DC experience",
        "行业应用集成能力弱 Limited application integration",
        "曙光 HPC 集群 + ParaStor 存储 + 液冷机柜",
    ),
    "dcits": (
        "神州数码 Digital China",
        "https://www.digitalchina.com",
        "分销体系强，能低价拿货 Strong distribution, low purchase prices",
        "本地实施团队薄弱 Thin local delivery teams",
        "多品牌集成（思科 / 华为 / 戴尔）",
    ),
    "taiji": (
        "太极股份 Taiji",
        "https://www.taiji.com.cn",
        "政务与公安行业关系深厚，资质齐全 Deep government relationships, full qualifications",
        "交付周期长，价格不灵活 Slow delivery, rigid pricing",
        "政务云 + 数据共享交换平台",
    ),
    "neusoft": (
        "东软 Neusoft",
        "https://www.neusoft.com",
        "医疗与社保行业软件强 Strong healthcare and social-security software",
        "基础设施集成经验有限 Limited infrastructure integration",
        "东软医疗信息平台 + 互联网医院",
    ),
    "ibm": (
        "IBM 中国 IBM China",
        "https://www.ibm.com/cn-zh",
        "金融核心系统与存储经验，国际品牌 Banking core and storage experience",
        "信创合规劣势，价格高 Weak on domestic-stack compliance, expensive",
        "IBM FlashSystem + Power 服务器 + 咨询服务",
    ),
}

# alias: name, kind, contact, notes
PARTNERS = {
    "sangfor": (
        "深信服科技 Sangfor Technologies",
        PartnerKind.VENDOR,
        "王磊 138-0000-1101",
        "超融合与安全产品，报备价格",
    ),
    "qianxin": ("奇安信 QI-ANXIN", PartnerKind.VENDOR, "刘洋 139-0000-2202", "态势感知、终端安全"),
    "lenovo": ("联想（北京）有限公司 Lenovo", PartnerKind.VENDOR, "陈晨 136-0000-3303", "服务器与终端供货"),
    "vertiv": ("维谛技术 Vertiv", PartnerKind.VENDOR, "赵亮 135-0000-4404", "UPS 与精密空调"),
    "cabling": (
        "北京恒信通综合布线工程有限公司",
        PartnerKind.SUBCONTRACTOR,
        "孙强 137-0000-5505",
        "综合布线与机房施工分包",
    ),
    "softdev": (
        "上海云桥软件有限公司 Cloudbridge Software",
        PartnerKind.SUBCONTRACTOR,
        "Lily Xu 133-0000-6606",
        "定制开发与接口开发分包",
    ),
    "telecom": (
        "中国电信北京分公司 China Telecom Beijing",
        PartnerKind.CONSORTIUM,
        "政企部 010-0000-7707",
        "联合体投标",
    ),
    "cisco": ("Cisco Systems (HK) Ltd", PartnerKind.VENDOR, "Jason Lee +852 0000 8808", "Wireless and campus network"),
}

# Account managers who own deals alongside the users of DESIGN.md §1: username, first, last, title,
# department, manager.
ACCOUNT_MANAGERS = [
    ("sales_north", "涛", "周", "客户经理 Account Manager", "华北销售部 North China Sales", "bidmgr"),
    ("sales_east", "悦", "孙", "客户经理 Account Manager", "华东销售部 East China Sales", "director"),
]

CUSTOMERS = {
    "sgcc": "国网华北电力有限公司",
    "ccb": "中国建设银行北京分行",
    "sh1": "上海市第一人民医院",
    "zjdata": "浙江省大数据发展管理局",
    "bjtu": "北京交通大学",
    "tjport": "天津港集团有限公司",
    "ecim": "华东智能制造股份有限公司",
    "unicom": "中国联通河北省分公司",
    "cdpsb": "成都市公安局",
    "gdph": "广东省人民医院",
    "harbour": "Harbour Logistics (Hong Kong) Ltd",
    "northwind": "Northwind Retail China Co., Ltd.",
    "contoso": "Contoso Semiconductor (Wuxi) Co., Ltd.",
    "hbedu": "河北省教育厅",
    "xametro": "西安城市轨道交通集团",
}

# --- the deals -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deal:
    """One demo project and how its story goes. ``days_ago``: when it entered its current state."""

    name: str
    customer: str
    owner: str
    source: str
    amount: int
    state: str
    days_ago: int
    kind: str
    rivals: tuple[str, ...] = ()
    template: str = "standard-si"
    margin: float = 22.0  # gross margin of the first quotation, %
    margin_decision: str = "approve"  # the director on a below-threshold quotation: approve / reject / pending
    # won / lost / abandoned: (primary reason, secondary reasons, winning competitor alias, lessons)
    outcome: tuple[str, tuple[str, ...], str, str] | None = None
    abandon_from: str = ""  # the state a deal was abandoned in
    initiation_returned: str = ""  # the initiation review sent it back once, with this comment
    contract_returned: str = ""  # the contract review sent it back once, with this comment
    contract_approved: tuple[str, ...] = ()  # in contract review: who has approved so far
    bid_status: str = "opened"  # in bidding: quoting / bond_paid / submitted / opened
    void_round: bool = False  # the first bid round was void (流标)
    partners: tuple[str, ...] = ()
    poc_cost: int = 0  # extra presales cost (PoC equipment, demo centre)


D = Deal
DEALS: list[Deal] = [
    # --- won ---
    D("国网华北电力数据中心扩容", "sgcc", "bidmgr", "tender", 12_800_000, "won", 300, "datacenter",
      ("huawei", "inspur", "sugon"), outcome=("technology", ("relationship", "service"), "",
      "液冷与双活方案得到技术评审专家一致认可；提前三个月做需求引导是关键。"),
      initiation_returned="请补充竞争对手分析和毛利测算后再提交。 Add the competitor analysis and margin estimate.",
      partners=("lenovo", "cabling"), poc_cost=48_000),
    D("建行北京分行核心网络改造", "ccb", "bidmgr", "tender", 8_600_000, "won", 210, "network",
      ("h3c", "huawei", "dcits"), outcome=("relationship", ("technology",), "",
      "科技部对我司驻场运维团队满意；割接方案细化到分钟赢得信任。"),
      contract_returned="违约金条款需按我行合同范本修改。 Align the penalty clause with the bank's template.",
      void_round=True, partners=("cabling",)),
    D("北京交通大学校园网升级", "bjtu", "presales", "tender", 2_400_000, "won", 400, "network",
      ("h3c", "dcits"), margin=11.0, outcome=("price", ("service",), "",
      "低毛利报价换取标杆客户，后续运维合同补足利润。"), partners=("cabling",)),
    D("Harbour Logistics warehouse Wi-Fi refresh", "harbour", "director", "existing_customer", 1_350_000, "won",
      250, "wifi", ("dcits", "ibm"), outcome=("service", ("technology",), "",
      "Cold-store survey with ruggedised APs convinced the operations team; local HK support was decisive."),
      partners=("cisco",)),
    D("天津港智慧调度平台二期", "tjport", "sales_north", "existing_customer", 5_600_000, "won", 120, "iot",
      ("taiji", "neusoft"),
      outcome=("service", ("relationship",), "", "一期交付质量好，二期顺理成章；注意控制定制开发范围。"),
      partners=("softdev",)),
    D("华东智能制造 MES 与工业网络集成", "ecim", "sales_east", "referral", 3_900_000, "won", 75, "network",
      ("neusoft", "inspur"), outcome=("technology", ("brand",), "", "工业网络 OT/IT 融合案例打动了 CIO。")),
    D("浙江省政务云安全等保整改", "zjdata", "sales_east", "tender", 1_800_000, "won", 160, "security",
      ("taiji", "h3c"), margin=12.0,
      outcome=("price", ("qualification",), "", "价格最低且资质齐全；等保测评分包商配合好。"),
      partners=("qianxin",)),
    D("Contoso Semiconductor fab network segmentation", "contoso", "sales_east", "partner", 6_200_000, "won", 35,
      "network", ("ibm", "huawei"), outcome=("technology", ("service",), "",
      "Micro-segmentation PoC in the fab proved zero downtime; keep the PoC kit ready for similar deals."),
      partners=("cisco",), poc_cost=36_000),
    # --- lost ---
    D("广东省人民医院互联网医院平台", "gdph", "director", "tender", 7_500_000, "lost", 330, "software",
      ("neusoft", "taiji"),
      outcome=("price", ("relationship",), "neusoft", "东软低价切入并承诺免费二次开发；医疗软件需找生态伙伴。"),
      partners=("softdev",)),
    D("成都市公安局视频云存储扩容", "cdpsb", "director", "tender", 15_600_000, "lost", 260, "video",
      ("huawei", "h3c", "dcits"), margin=10.0, outcome=("price", ("brand",), "huawei",
      "华为原厂直签，价格低于我方 12%；纯硬件项目难以竞争。")),
    D("联通河北 IDC 机房动环监控", "unicom", "bidmgr", "tender", 2_900_000, "lost", 190, "facility",
      ("sugon", "inspur"), outcome=("price", ("timing",), "sugon", "曙光打包液冷改造降价；我方报价晚于对手确认。"),
      partners=("vertiv",)),
    D("河北省教育厅教育专网安全加固", "hbedu", "sales_north", "tender", 4_200_000, "lost", 140, "security",
      ("taiji", "h3c"), outcome=("relationship", ("price",), "taiji", "太极长期服务教育厅，客户关系薄弱时不宜重投入。"),
      partners=("qianxin",)),
    D("西安地铁5号线通信系统集成", "xametro", "director", "tender", 18_500_000, "lost", 95, "network",
      ("huawei", "h3c", "taiji"), outcome=("qualification", ("price",), "huawei",
      "缺少轨道交通通信业绩，技术分落后；需联合体方式补齐资质。"), void_round=True, partners=("telecom",)),
    D("上海一院数据中心虚拟化平台", "sh1", "sales_east", "tender", 3_300_000, "lost", 230, "datacenter",
      ("h3c", "inspur"), outcome=("price", ("technology",), "h3c", "新华三以超融合低价方案中标，比我方低 9%。"),
      partners=("sangfor",)),
    D("Northwind Retail store SD-WAN rollout", "northwind", "sales_east", "marketing", 2_200_000, "lost", 60,
      "network", ("dcits", "huawei"), outcome=("price", ("service",), "dcits",
      "Digital China undercut us by 11% with distributor pricing; lead with managed services next time.")),
    D("国网华北电力调度数据网设备采购", "sgcc", "bidmgr", "tender", 6_800_000, "lost", 45, "network",
      ("inspur", "huawei", "h3c"), template="hardware-supply", margin=6.0,
      outcome=("price", (), "inspur", "纯设备采购，厂商直供价格优势明显；此类项目只在有授权价时参与。")),
    D("建行北京分行灾备中心存储替换", "ccb", "bidmgr", "tender", 9_200_000, "lost", 425, "datacenter",
      ("ibm", "huawei"), outcome=("technology", ("brand",), "ibm", "客户坚持与主中心同构的存储复制方案，IBM 占优。")),
    # --- abandoned ---
    D("浙江省大数据局数据共享交换平台", "zjdata", "sales_east", "tender", 11_000_000, "abandoned", 280, "software",
      ("taiji", "neusoft"), abandon_from="pursuit",
      outcome=("scope", ("qualification",), "", "需求以定制软件开发为主，超出我司能力范围，及时止损。"),
      poc_cost=65_000),
    D("Contoso Semiconductor MES data lake PoC", "contoso", "sales_east", "referral", 600_000, "abandoned", 170,
      "software", ("ibm",), abandon_from="tender",
      outcome=("timing", (), "", "Budget frozen after the fab expansion was postponed; revisit next fiscal year.")),
    D("天津港集团办公网无线覆盖", "tjport", "sales_north", "existing_customer", 480_000, "abandoned", 110, "wifi",
      ("dcits", "h3c"), abandon_from="bidding",
      outcome=("price", (), "", "控制价过低，投标即亏损，放弃投标并申请退还保证金。")),
    D("广东省人民医院 HIS 灾备建设", "gdph", "director", "tender", 5_200_000, "abandoned", 20, "datacenter",
      ("huawei", "neusoft"), abandon_from="negotiation",
      outcome=("scope", ("timing",), "", "客户要求无上限违约责任和十年免费维保，风险不可控，终止谈判。")),
    # --- rejected at initiation ---
    D("成都市公安局警务大数据平台运维外包", "cdpsb", "director", "tender", 3_600_000, "rejected", 230, "software",
      ("taiji",)),
    D("西安地铁 OA 系统国产化迁移", "xametro", "director", "referral", 1_200_000, "rejected", 130, "cloud",
      ("inspur", "taiji")),
    D("Northwind Retail POS hardware supply", "northwind", "sales_east", "marketing", 900_000, "rejected", 40,
      "datacenter", ("dcits",), template="hardware-supply"),
    # --- negotiation ---
    D("上海市第一人民医院互联互通测评改造", "sh1", "director", "tender", 4_600_000, "negotiation", 12, "software",
      ("neusoft", "taiji"), partners=("softdev",)),
    D("北京交通大学高性能计算集群", "bjtu", "presales", "tender", 7_900_000, "negotiation", 8, "datacenter",
      ("sugon", "inspur"), partners=("lenovo",), poc_cost=22_000),
    D("Harbour Logistics DC colocation migration", "harbour", "director", "existing_customer", 3_100_000,
      "negotiation", 25, "datacenter", ("ibm", "dcits"),
      contract_returned="Payment milestones must follow the customer's cut-over dates.", partners=("cisco",)),
    # --- contract review ---
    D("中国联通河北 5G 边缘云节点集成", "unicom", "bidmgr", "tender", 13_500_000, "contract_review", 6, "cloud",
      ("huawei", "inspur"), contract_approved=("legal",), partners=("sangfor",)),
    D("华东智能制造工厂数据中心建设", "ecim", "sales_east", "existing_customer", 4_400_000, "contract_review", 3,
      "datacenter", ("inspur", "h3c")),
    D("河北省教育厅智慧教室二期", "hbedu", "sales_north", "tender", 6_100_000, "contract_review", 9, "video",
      ("h3c", "taiji"), contract_approved=("legal", "finance")),
    # --- bidding ---
    D("国网华北电力网络安全态势感知平台", "sgcc", "bidmgr", "tender", 5_800_000, "bidding", 16, "security",
      ("h3c", "taiji", "huawei"), margin=12.0, margin_decision="pending", bid_status="bond_paid",
      partners=("qianxin",)),
    D("成都市公安局指挥中心大屏与视频会议", "cdpsb", "director", "tender", 2_700_000, "bidding", 30, "video",
      ("huawei", "dcits"), bid_status="opened"),
    D("西安城市轨道交通集团乘客信息系统", "xametro", "director", "tender", 9_900_000, "bidding", 10, "video",
      ("huawei", "taiji", "h3c"), bid_status="quoting", partners=("telecom",)),
    D("Northwind Retail China data center consolidation", "northwind", "sales_east", "referral", 4_800_000,
      "bidding", 21, "datacenter", ("ibm", "dcits"), margin=7.0, margin_decision="reject", bid_status="submitted"),
    # --- pursuit ---
    D("建行北京分行信创桌面云", "ccb", "bidmgr", "existing_customer", 16_800_000, "pursuit", 40, "cloud",
      ("huawei", "inspur", "h3c"), partners=("sangfor",), poc_cost=380_000),
    D("天津港集团 5G 专网", "tjport", "sales_north", "tender", 7_200_000, "pursuit", 20, "iot",
      ("huawei", "h3c"), partners=("telecom",)),
    D("广东省人民医院影像云 PACS 存储", "gdph", "director", "referral", 3_800_000, "pursuit", 14, "datacenter",
      ("huawei", "neusoft")),
    D("Contoso Semiconductor zero-trust remote access", "contoso", "sales_east", "partner", 2_100_000, "pursuit",
      33, "security", ("ibm", "huawei")),
    # --- initiation review ---
    D("浙江省大数据局公共数据平台运维", "zjdata", "sales_east", "tender", 6_500_000, "initiation_review", 2,
      "software", ("taiji",)),
    D("联通河北政企专线网管系统", "unicom", "bidmgr", "tender", 1_600_000, "initiation_review", 4, "software",
      ("h3c", "neusoft"),
      initiation_returned="投标资格条件未核实，请补充。 Check the qualification requirements first."),
    D("Harbour Logistics container yard IoT sensors", "harbour", "director", "partner", 950_000,
      "initiation_review", 1, "iot", ("dcits",)),
    # --- tender ---
    D("河北省教育厅考试中心标准化考点改造", "hbedu", "sales_north", "tender", 3_000_000, "tender", 5, "video",
      ("h3c", "taiji")),
    D("上海市第一人民医院网络安全等级保护 2.0", "sh1", "sales_east", "tender", 1_100_000, "tender", 9, "security",
      ("h3c",)),
    D("北京交通大学数据中心 UPS 与精密空调更换", "bjtu", "presales", "tender", 750_000, "tender", 3, "facility",
      ("sugon",), template="hardware-supply"),
    D("华东智能制造 ERP 服务器替换", "ecim", "sales_east", "existing_customer", 320_000, "tender", 12, "datacenter",
      (), template="hardware-supply"),
]  # fmt: skip

MAIN_PATH = [
    Status.TENDER,
    Status.INITIATION_REVIEW,
    Status.PURSUIT,
    Status.BIDDING,
    Status.NEGOTIATION,
    Status.CONTRACT_REVIEW,
    Status.WON,
]
# Probability by the state a deal is in now.
PROBABILITY = {
    Status.TENDER: 10,
    Status.INITIATION_REVIEW: 15,
    Status.PURSUIT: 30,
    Status.BIDDING: 45,
    Status.NEGOTIATION: 70,
    Status.CONTRACT_REVIEW: 85,
    Status.WON: 100,
}
# How far ahead an open deal is expected to close, in days (min, max).
CLOSE_AHEAD = {
    Status.TENDER: (150, 360),
    Status.INITIATION_REVIEW: (120, 330),
    Status.PURSUIT: (60, 270),
    Status.BIDDING: (25, 120),
    Status.NEGOTIATION: (10, 60),
    Status.CONTRACT_REVIEW: (5, 30),
}
STAGE_NOTES = {
    Status.TENDER: [
        "已购买招标文件，预计参与投标。 Bought the tender documents.",
        "在客户处频繁出现，正在做需求引导。 Seen often at the customer, shaping requirements.",
    ],
    Status.PURSUIT: [
        "组织了原厂技术交流会，与信息中心关系较好。 Ran a vendor tech day; close to the IT centre.",
        "提出免费试用三个月。 Offered a free three-month trial.",
    ],
    Status.BIDDING: [
        "报价策略激进，预计低于预算 10% 以上。 Aggressive pricing expected, >10 % under budget.",
        "组成联合体投标，资质分有优势。 Bidding as a consortium; stronger on qualification score.",
    ],
    Status.NEGOTIATION: ["仍在接触客户高层，试图以补充协议介入。 Still lobbying for a supplementary contract."],
}


# --- the clock -------------------------------------------------------------------------------------------


class _Clock:
    """What ``timezone.now`` returns while a deal plays."""

    def __init__(self) -> None:
        self.current: datetime | None = None

    def __call__(self) -> datetime:
        assert self.current is not None
        return self.current


class _Muted:
    """Stands in for ``transaction`` inside ``backend.core.notifications`` while history is replayed: the
    notifications of a story months old would only flood the inboxes (pending reviews are re-announced)."""

    @staticmethod
    def on_commit(func: Callable[[], None], using: str | None = None, robust: bool = False) -> None:
        return None


@contextmanager
def _simulated(clock: _Clock) -> Iterator[None]:
    with mock.patch.object(timezone, "now", clock), mock.patch.object(notifications, "transaction", _Muted):
        yield


def _announce_pending_reviews(projects: list[Project]) -> None:
    """Tell the approvers of the reviews still waiting (the one notification of the replayed story that matters)."""
    reviews = Review.objects.filter(project__in=projects, status=ReviewStatus.PENDING).select_related("gate", "project")
    for review in reviews:
        step = review.steps.filter(status=StepStatus.ACTIVE).first()
        if step is not None:
            notifications.notify(
                recipients=step.approvers.all(),
                kind="review_requested",
                params={"project": review.project, "gate": review.gate.name, "step": step.name},
                url=f"/reviews/{review.pk}/",
            )


# --- playing one deal ------------------------------------------------------------------------------------


@dataclass
class _Context:
    now: datetime
    users: dict[str, User]
    customers: dict[str, Customer]
    competitors: dict[str, Competitor]
    partners: dict[str, Partner]
    templates: dict[str, ProcessTemplate]
    standard_days: dict[tuple[str, str], int]
    clock: _Clock


def _path(deal: Deal) -> list[str]:
    """The states the deal goes through, as plain strings (they key the plan's dictionaries)."""
    if deal.state == Status.REJECTED:
        path = [Status.TENDER, Status.INITIATION_REVIEW, Status.REJECTED]
    elif deal.state == Status.LOST:
        path = [*MAIN_PATH[:4], Status.LOST]
    elif deal.state == Status.ABANDONED:
        path = [*MAIN_PATH[: MAIN_PATH.index(Status(deal.abandon_from)) + 1], Status.ABANDONED]
    else:
        path = MAIN_PATH[: MAIN_PATH.index(Status(deal.state)) + 1]
    return [str(state) for state in path]


@dataclass
class _Plan:
    deal: Deal
    path: list[str]
    starts: dict[str, datetime] = field(default_factory=dict)
    lengths: dict[str, timedelta] = field(default_factory=dict)

    @property
    def created(self) -> datetime:
        return self.starts[self.path[0]]


def _plan(deal: Deal, ctx: _Context) -> _Plan:
    rng = random.Random(f"plan:{deal.name}")
    path = _path(deal)
    entered = ctx.now - timedelta(days=deal.days_ago, hours=rng.randint(2, 9))
    lengths: dict[str, timedelta] = {}
    for stage in path[:-1]:
        standard = ctx.standard_days.get((deal.template, stage), 7) or 7
        days = max(1.0, standard * rng.uniform(0.6, 1.8))
        if stage == Status.NEGOTIATION and deal.contract_returned:
            days += 10
        if stage == Status.TENDER and deal.initiation_returned:
            days += 5
        lengths[stage] = timedelta(days=days, hours=rng.randint(0, 8))
    # The current state: open deals are worked on until a few hours ago; closed ones see a little follow-up.
    closed = deal.state in (Status.WON, Status.LOST, Status.ABANDONED, Status.REJECTED)
    end = min(entered + timedelta(days=20), ctx.now - timedelta(hours=3)) if closed else ctx.now - timedelta(hours=3)
    lengths[path[-1]] = max(end - entered, timedelta(hours=1))
    starts: dict[str, datetime] = {}
    moment = entered - sum(lengths.values(), timedelta()) + lengths[path[-1]]
    for stage in path:
        starts[stage] = moment
        moment += lengths[stage]
    return _Plan(deal=deal, path=path, starts=starts, lengths=lengths)


class _Story:
    """Plays one deal through the services on the simulated clock."""

    def __init__(self, plan: _Plan, ctx: _Context) -> None:
        self.plan, self.deal, self.ctx = plan, plan.deal, ctx
        self.rng = random.Random(f"story:{plan.deal.name}")
        self.owner = ctx.users[self.deal.owner]
        self.cursor = plan.created
        self.stage = plan.path[0]
        self.project: Project
        self.entries: dict[str, ProjectCompetitor] = {}
        self.lines: list[dict[str, Any]] = []
        self.quotation: Quotation | None = None
        self.bid: Bid | None = None
        self.our_price: Decimal | None = None
        self.last_event = ProjectEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # --- time --------------------------------------------------------------------------------------------
    def at(self, fraction: float) -> datetime:
        """Move the clock to ``fraction`` of the current stage (in office hours, never backwards)."""
        start, length = self.plan.starts[self.stage], self.plan.lengths[self.stage]
        moment = timezone.localtime(start + length * fraction, timezone.get_current_timezone())
        office = moment.replace(hour=self.rng.randint(9, 17), minute=self.rng.randint(0, 59))
        if length > timedelta(days=1) and start <= office <= start + length:
            moment = office
        moment = max(moment, self.cursor + timedelta(minutes=self.rng.randint(5, 40)))
        moment = min(moment, self.ctx.now - timedelta(minutes=1))
        self.cursor = moment
        self.ctx.clock.current = moment
        return moment

    def _stamp_events(self) -> None:
        """ProjectEvent.created_at defaults to the real clock: give new events the story's time."""
        ProjectEvent.objects.filter(pk__gt=self.last_event, project=self.project).update(created_at=self.cursor)
        self.last_event = ProjectEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # --- services ----------------------------------------------------------------------------------------
    def transition(self, name: str, comment: str = "", win_loss: dict[str, Any] | None = None) -> None:
        services.project_transition(
            project_id=self.project.pk, name=name, actor=self.owner, comment=comment, win_loss=win_loss
        )
        self._stamp_events()
        self.project.refresh_from_db()

    def decide(self, username: str, decision: str, comment: str = "", review: Review | None = None) -> None:
        """``username`` decides ``review`` (default: the pending initiation or contract review)."""
        if review is None:
            pending = self.project.reviews.filter(status=ReviewStatus.PENDING)
            review = pending.exclude(gate__kind="quotation_margin").get()
        review_decide(review_id=review.pk, actor=self.ctx.users[username], decision=decision, comment=comment)
        self._stamp_events()
        self.project.refresh_from_db()

    def tick(self, everything: bool = False) -> None:
        items = self.project.checklist.filter(stage=self.project.status, done=False)
        for item in items if everything else items.filter(required=True):
            services.checklist_set_done(actor=self.owner, item=item, done=True)

    def note(self, alias: str, stage: str) -> None:
        entry = self.entries.get(alias)
        if entry is None:
            return
        text = self.rng.choice(STAGE_NOTES[Status(stage)])
        note = services.competitor_note_add(actor=self.owner, entry=entry, note=text, stage=stage)
        CompetitorNote.objects.filter(pk=note.pk).update(created_at=self.cursor)

    def expense(self, category: str, low: int, high: int, description: str) -> None:
        services.expense_add(
            actor=self.owner,
            project=self.project,
            category=category,
            amount=Decimal(self.rng.randrange(low, high, 100)),
            spent_on=timezone.localdate(),
            description=description,
        )

    def quote(self, *, lines: list[dict[str, Any]], title: str, submit: bool = True) -> Quotation:
        self.lines = lines
        quotation = quotation_create(
            actor=self.owner,
            project=self.project,
            lines=[{k: v for k, v in line.items() if k != "category"} for line in lines],
            title=title,
            valid_until=timezone.localdate() + timedelta(days=90),
        )
        if submit:
            quotation = quotation_submit(actor=self.owner, quotation=quotation, comment="请审批报价。 Please approve.")
        totals = quotation_totals(quotation_id=quotation.pk)
        self.our_price = bids_demo.round100(totals["gross"])
        self.quotation = quotation
        return quotation

    # --- the story ---------------------------------------------------------------------------------------
    def play(self) -> Project:
        for index, stage in enumerate(self.plan.path):
            self.stage = stage
            following = self.plan.path[index + 1] if index + 1 < len(self.plan.path) else None
            getattr(self, f"_{stage}_handler")(following)
        return self.project

    def _create(self) -> None:
        deal, ctx = self.deal, self.ctx
        customer = ctx.customers[deal.customer]
        self.at(0.0)
        tender = None
        if deal.source == "tender":
            tender = self._tender(customer)
            self.at(0.02)
        if deal.state in CLOSE_AHEAD:
            low, high = CLOSE_AHEAD[Status(deal.state)]
            close = ctx.now.date() + timedelta(days=self.rng.randint(low, high))
        else:
            close = (self.plan.starts[self.plan.path[-1]] + timedelta(days=self.rng.randint(-10, 10))).date()
        self.project = services.project_create(
            actor=self.owner,
            name=deal.name,
            customer=customer,
            owner=self.owner,
            source=deal.source,
            estimated_amount=Decimal(deal.amount),
            probability=PROBABILITY.get(Status(deal.state), 0),
            expected_close_date=close,
            process_template=ctx.templates[deal.template],
            description=f"{customer.name}：{deal.name}",
            tender=tender,
        )
        Project.objects.filter(pk=self.project.pk).update(status_changed_at=self.cursor)
        self._stamp_events()

    def _tender(self, customer: Customer) -> Tender:
        deal = self.deal
        number = f"{deal.customer.upper()}-{self.cursor.year}-ZB{random.Random(deal.name).randint(1000, 9999)}"
        existing = Tender.objects.filter(number=number).first()
        if existing is not None:
            return existing
        bidding = self.plan.starts.get("bidding")
        deadline = (
            bidding + self.plan.lengths["bidding"] * 0.9
            if bidding and self.plan.path[-1] != "bidding"
            else self.cursor + timedelta(days=self.rng.randint(35, 70))
        )
        deadline = timezone.localtime(deadline).replace(hour=9, minute=30, second=0, microsecond=0)
        return tender_create(
            actor=self.owner,
            owner=self.owner,
            number=number,
            title=deal.name,
            buyer=customer.name,
            customer=customer,
            budget=Decimal(deal.amount),
            industry=customer.industry,
            region=customer.region,
            publish_date=(self.cursor - timedelta(days=2)).date(),
            registration_deadline=self.cursor + timedelta(days=7),
            bid_deadline=deadline,
            opening_date=deadline,
            qualification_requirements="具备信息系统集成及服务资质；近三年同类项目业绩不少于两项；原厂授权。",
            source_url=f"https://www.ccgp.gov.cn/demo/{number.lower()}.html",
        )

    def _tender_stage_work(self) -> None:
        deal = self.deal
        if self.owner.username != "presales" and self.rng.random() < 0.85:
            self.at(0.1)
            services.member_add(
                actor=self.owner, project=self.project, user=self.ctx.users["presales"], role=MemberRole.PRESALES
            )
        if self.owner.username != "bidmgr" and deal.source == "tender":
            services.member_add(
                actor=self.owner, project=self.project, user=self.ctx.users["bidmgr"], role=MemberRole.BID_MANAGER
            )
        self.at(0.25)
        for position, alias in enumerate(deal.rivals):
            competitor = self.ctx.competitors[alias]
            _name, _site, strengths, weaknesses, solution = COMPETITORS[alias]
            threat = "high" if position == 0 else self.rng.choice(["medium", "medium", "low"])
            self.entries[alias] = services.competitor_add(
                actor=self.owner,
                project=self.project,
                competitor=competitor,
                solution=solution,
                strengths=strengths.split(" ")[0],
                weaknesses=weaknesses.split(" ")[0],
                threat_level=threat,
                estimated_price=bids_demo.round100(Decimal(deal.amount) * Decimal(str(self.rng.uniform(0.85, 1.1)))),
            )
        for alias in deal.rivals[:2]:
            self.at(0.3)
            self.note(alias, Status.TENDER)
        self.at(0.4)
        self.expense(CostCategory.TRAVEL, 1_500, 9_000, "拜访客户信息中心 Customer visit")

    # Each stage handler does the work of the stage, then (unless the deal stays here) leaves it for
    # ``following``.
    def _tender_handler(self, following: str | None) -> None:
        self._create()
        self._tender_stage_work()
        deal = self.deal
        if deal.initiation_returned:
            self.at(0.5)
            self.tick()
            self.transition("submit_initiation", "申请立项。 Requesting initiation.")
            self.at(0.6)
            self.decide(self._initiation_approver(), "return", deal.initiation_returned)
        if following is None:
            if self.rng.random() < 0.5:
                self.at(0.6)
                self.tick()
            return
        if following == Status.ABANDONED:
            self._abandon()
            return
        self.at(0.8)
        self.tick(everything=self.rng.random() < 0.4)
        self.at(1.0)
        self.transition("submit_initiation", "申请立项，预计毛利 20% 以上。 Requesting initiation.")

    def _initiation_approver(self) -> str:
        department = self.project.department
        head = department.head if department and department.head_id else None
        if head is not None and head.pk != self.owner.pk and head.username != "exec":
            return head.username
        return "director"

    def _initiation_review_handler(self, following: str | None) -> None:
        if following is None:
            return
        self.at(1.0)
        if following == Status.REJECTED:
            reasons = {
                "成都市公安局警务大数据平台运维外包": "运维外包毛利低且需驻场 30 人，不符合战略。 Low-margin staffing.",
                "西安地铁 OA 系统国产化迁移": "我司无信创适配认证，资格不满足。 No domestic-stack certification.",
            }
            comment = reasons.get(self.deal.name, "纯硬件供货毛利过低，不予立项。 Hardware-only margin too thin.")
            self.decide("director", "reject", comment)
        else:
            self.decide(self._initiation_approver(), "approve", "同意立项。 Approved.")

    def _pursuit_handler(self, following: str | None) -> None:
        deal = self.deal
        for alias in deal.partners:
            self.at(0.15)
            _name, kind, _contact, notes = PARTNERS[alias]
            services.partner_add(
                actor=self.owner,
                project=self.project,
                partner=self.ctx.partners[alias],
                role=kind,
                scope=notes,
                amount=bids_demo.round100(Decimal(deal.amount) * Decimal(str(self.rng.uniform(0.08, 0.3)))),
            )
        for alias in deal.rivals[:2]:
            self.at(0.3)
            self.note(alias, Status.PURSUIT)
        self.at(0.4)
        self.expense(CostCategory.PRESALES, 3_000, 20_000, "方案演示与技术交流 Solution demo")
        if deal.poc_cost:
            self.at(0.5)
            services.expense_add(
                actor=self.owner,
                project=self.project,
                category=CostCategory.PRESALES,
                amount=Decimal(deal.poc_cost),
                spent_on=timezone.localdate(),
                description="PoC 测试环境与设备租赁 PoC environment and equipment rental",
            )
        if following is None:
            if self.rng.random() < 0.5:
                self.at(0.7)
                self.tick()
            if deal.amount > 5_000_000:
                self.at(0.8)
                self._first_quotation(submit=False)
            return
        self.at(0.8)
        self.tick(everything=self.rng.random() < 0.5)
        if following == Status.ABANDONED:
            self._abandon()
            return
        self.at(1.0)
        self.transition("start_bidding", "投标资格已确认，开始编制标书。 Qualified; preparing the bid.")

    def _first_quotation(self, submit: bool = True) -> Quotation:
        deal = self.deal
        net = Decimal(deal.amount) / Decimal("1.1")
        lines = bids_demo.quotation_lines(
            rng=self.rng, kind=deal.kind, net=net, margin=deal.margin, count=self.rng.randint(3, 12)
        )
        return self.quote(lines=lines, title=f"{deal.name} 报价", submit=submit)

    def _margin_review(self, quotation: Quotation) -> Review | None:
        return Review.objects.filter(quotation=quotation, status=ReviewStatus.PENDING).first()

    def _bidding_handler(self, following: str | None) -> None:
        deal = self.deal
        status = deal.bid_status if following is None else "opened"
        bond = bids_demo.bond_for(deal.amount)
        if deal.void_round:
            self.at(0.05)
            void = bid_create(actor=self.owner, project=self.project, bond_amount=bond, bond_paid_on=self._today())
            self.at(0.2)
            bid_update(actor=self.owner, bid=void, data={"submitted_on": self._today()})
            self.at(0.25)
            bid_update(
                actor=self.owner,
                bid=void,
                data={"result": BidResult.VOID, "notes": "投标人不足三家，流标后重新招标。 Fewer than three bidders."},
            )
        self.at(0.3)
        self.quotation = self._first_quotation()
        review = self._margin_review(self.quotation)
        if review is not None and deal.margin_decision != "pending":
            self.at(0.38)
            if deal.margin_decision == "reject":
                self.decide(
                    "director", "reject", "毛利过低，请重新核算成本。 Margin too low; rework the costs.", review
                )
                self.at(0.45)
                lines = bids_demo.quotation_lines(
                    rng=self.rng, kind=deal.kind, net=Decimal(deal.amount) / Decimal("1.08"), margin=17.0, count=9
                )
                self.quote(lines=lines, title=f"{deal.name} 报价（修订）")
            else:
                self.decide("director", "approve", "战略客户，同意低毛利报价。 Strategic account: approved.", review)
        if status == "quoting" and following is None:
            return
        self.at(0.5)
        self.bid = bid_create(
            actor=self.owner, project=self.project, bond_amount=bond, bond_paid_on=self._today(), notes=""
        )
        for alias in deal.rivals[:2]:
            self.at(0.55)
            self.note(alias, Status.BIDDING)
        self.at(0.7)
        self.tick(everything=self.rng.random() < 0.5)
        if following == Status.ABANDONED:  # cut losses before submitting
            self._abandon()
            return
        if status == "bond_paid":
            return
        self.at(0.85)
        bid_update(actor=self.owner, bid=self.bid, data={"submitted_on": self._today(), "our_price": self.our_price})
        if status == "submitted":
            return
        self.at(0.95)
        self._opening(following)
        if following is None:
            return
        self.at(1.0)
        if following == Status.NEGOTIATION:
            bid_update(actor=self.owner, bid=self.bid, data={"result": BidResult.AWARDED})
            self.transition("award", "收到中标通知书。 Notice of award received.")
        else:
            bid_update(actor=self.owner, bid=self.bid, data={"result": BidResult.LOST})
            self.transition("lose", "未中标。 Not awarded.", win_loss=self._win_loss())

    def _opening(self, following: str | None) -> None:
        assert self.bid is not None and self.our_price is not None
        outcome = self.deal.outcome
        winner_alias = outcome[2] if outcome and following == Status.LOST else ""
        winner = self.ctx.competitors[winner_alias] if winner_alias else None
        rivals = [self.ctx.competitors[a] for a in self.deal.rivals]
        price_decided = bool(outcome and outcome[0] == "price") or (following is None and self.rng.random() < 0.5)
        rows = bids_demo.opening_prices(
            rng=self.rng, our_price=self.our_price, rivals=rivals, winner=winner, price_decided=price_decided
        )
        bid_opening_record(actor=self.owner, bid=self.bid, entries=rows)
        by_competitor = {row["competitor"].pk: row["price"] for row in rows if not row["is_us"]}
        for alias, entry in self.entries.items():
            price = by_competitor.get(self.ctx.competitors[alias].pk)
            if price is not None:
                services.competitor_update(actor=self.owner, entry=entry, data={"bid_price": price})

    def _win_loss(self) -> dict[str, Any]:
        assert self.deal.outcome is not None
        primary, secondary, winner_alias, lessons = self.deal.outcome
        winner = self.ctx.competitors[winner_alias] if winner_alias else None
        winning_price = None
        if winner is not None and winner_alias in self.entries:
            self.entries[winner_alias].refresh_from_db()
            winning_price = self.entries[winner_alias].bid_price
        return {
            "primary_reason": primary,
            "secondary_reasons": list(secondary),
            "winning_competitor": winner,
            "winning_price": winning_price if winner is not None else self.our_price,
            "our_price": self.our_price,
            "lessons": lessons,
        }

    def _negotiation_handler(self, following: str | None) -> None:
        deal = self.deal
        self.at(0.1)
        if self.bid is not None and deal.rivals and self.rng.random() < 0.6:
            self.note(deal.rivals[0], Status.NEGOTIATION)
        self.at(0.2)
        negotiated = bids_demo.lines_discounted(self.lines, rng=self.rng, discount=self.rng.uniform(2.0, 6.0))
        self.quote(lines=negotiated, title=f"{deal.name} 报价（谈判）")
        review = self._margin_review(self.quotation) if self.quotation else None
        if review is not None:
            self.at(0.25)
            self.decide("director", "approve", "同意按谈判价签约。 Approved at the negotiated price.", review)
        terms_now = following is not None or deal.contract_returned or self.rng.random() < 0.6
        if terms_now:
            self.at(0.35)
            self._terms()
        self.at(0.4)
        self._budget()
        if deal.contract_returned:
            self.at(0.45)
            self.tick()
            self.transition("submit_contract_review", "合同草案提交评审。 Contract draft for review.", self._won())
            self.at(0.6)
            self.decide("legal", "return", deal.contract_returned)
            self.at(0.75)
            self._terms(revised=True)
        if following is None:
            return
        self.at(0.9)
        self.tick(everything=True)
        if following == Status.ABANDONED:
            self._abandon()
            return
        self.at(1.0)
        self.transition(
            "submit_contract_review",
            "谈判完成，提交合同评审。 Negotiation done; contract review requested.",
            None if deal.contract_returned else self._won(),
        )

    def _won(self) -> dict[str, Any]:
        """The win record sent with submit_contract_review (deals still in review get a plausible one)."""
        primary, secondary, _winner, lessons = self.deal.outcome or (
            self.rng.choice(["technology", "relationship", "service", "price"]),
            ("relationship",),
            "",
            "",
        )
        return {
            "primary_reason": primary,
            "secondary_reasons": list(secondary),
            "winning_competitor": None,
            "winning_price": self.our_price,
            "our_price": self.our_price,
            "lessons": lessons,
        }

    def _terms(self, revised: bool = False) -> None:
        assert self.our_price is not None
        contract_terms_save(
            actor=self.owner,
            project=self.project,
            amount=self.our_price,
            payment_terms=(
                "合同签订后支付 30%，到货验收后支付 40%，终验后支付 25%，质保期满支付 5%。"
                if not revised
                else "按客户割接节点分期：签约 20%，首批割接 30%，全部割接 40%，终验 10%。"
            ),
            delivery_date=timezone.localdate() + timedelta(days=self.rng.randint(60, 150)),
            penalties="逾期交付每日按合同金额 0.5‰ 计违约金，累计不超过 5%。",
            warranty_months=self.rng.choice([12, 24, 36, 36]),
        )

    def _budget(self) -> None:
        categories = bids_demo.lines_cost_by_category(self.lines)
        for category, amount in sorted(categories.items()):
            services.budget_line_add(
                actor=self.owner,
                project=self.project,
                category=category,
                planned_amount=amount,
                description=str(CostCategory(category).label),
            )
        services.budget_line_add(
            actor=self.owner,
            project=self.project,
            category=CostCategory.TRAVEL,
            planned_amount=Decimal(self.rng.randrange(20_000, 80_000, 1000)),
            description="实施差旅 Delivery travel",
        )

    def _contract_review_handler(self, following: str | None) -> None:
        approvers = ["legal", "finance"]
        if self.project.contract_terms.amount >= 5_000_000:
            approvers.append("exec")
        if following is None:
            approvers = list(self.deal.contract_approved)
        comments = {
            "legal": "合同条款合规。 Terms compliant.",
            "finance": "付款条件可接受，毛利符合要求。 Payment terms and margin acceptable.",
            "exec": "同意签约。 Approved.",
        }
        for position, username in enumerate(approvers, start=1):
            self.at(position / (len(approvers) + 0.5))
            self.decide(username, "approve", comments[username])

    def _won_handler(self, following: str | None) -> None:
        self.at(0.15)
        services.member_add(actor=self.owner, project=self.project, user=self.ctx.users["pm"], role=MemberRole.PM)
        self.at(0.2)
        services.member_add(
            actor=self.owner, project=self.project, user=self.ctx.users["engineer"], role=MemberRole.ENGINEER
        )
        self._refund_bond(0.5)

    def _lost_handler(self, following: str | None) -> None:
        self._refund_bond(0.4)

    def _abandoned_handler(self, following: str | None) -> None:
        self._refund_bond(0.3)

    def _rejected_handler(self, following: str | None) -> None:
        return

    def _refund_bond(self, fraction: float) -> None:
        if self.bid is not None and self.bid.bond_paid_on and not self.bid.bond_refunded_on:
            self.at(fraction)
            bid_update(actor=self.owner, bid=self.bid, data={"bond_refunded_on": self._today()})

    def _abandon(self) -> None:
        assert self.deal.outcome is not None
        self.at(1.0)
        primary, secondary, _winner, lessons = self.deal.outcome
        if self.bid is not None and self.bid.result == BidResult.PENDING:
            bid_update(actor=self.owner, bid=self.bid, data={"result": BidResult.VOID})
        self.transition(
            "abandon",
            lessons,
            win_loss={"primary_reason": primary, "secondary_reasons": list(secondary), "lessons": lessons},
        )

    def _today(self) -> Any:
        return timezone.localdate()


# --- load ------------------------------------------------------------------------------------------------


def _account_managers(password: str) -> None:
    departments = {d.name: d for d in Department.objects.all()}
    managers = {u.username: u for u in User.objects.filter(username__in=["bidmgr", "director"])}
    for username, first, last, title, department, manager in ACCOUNT_MANAGERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            title=title,
            department=departments.get(department),
            manager=managers.get(manager),
            email=f"{username}@example.com",
        )
        user.set_password(password)
        user.save()
        user_set_roles(user=user, roles=["bid_manager"])


def _catalogues() -> tuple[dict[str, Competitor], dict[str, Partner]]:
    competitors = {}
    for alias, (name, website, strengths, weaknesses, solution) in COMPETITORS.items():
        competitors[alias], _ = Competitor.objects.get_or_create(
            name=name,
            defaults={
                "website": website,
                "strengths": strengths,
                "weaknesses": weaknesses,
                "notes": f"典型方案 Typical offer: {solution}",
            },
        )
    partners = {}
    for alias, (name, kind, contact, notes) in PARTNERS.items():
        partners[alias], _ = Partner.objects.get_or_create(
            name=name, defaults={"kind": kind, "contact": contact, "notes": notes}
        )
    return competitors, partners


def load(*, password: str, log: Callable[[str], None]) -> None:
    _account_managers(password)
    competitors, partners = _catalogues()
    todo = [deal for deal in DEALS if not Project.objects.filter(name=deal.name).exists()]
    if todo:
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        ctx = _Context(
            now=timezone.now(),
            users=users,
            customers={alias: Customer.objects.get(name_key=normalize_name(name)) for alias, name in CUSTOMERS.items()},
            competitors=competitors,
            partners=partners,
            templates={t.code: t for t in ProcessTemplate.objects.all()},
            standard_days={
                (s.template.code, s.stage): s.standard_days for s in StageTemplate.objects.select_related("template")
            },
            clock=_Clock(),
        )
        plans = sorted((_plan(deal, ctx) for deal in todo), key=lambda plan: plan.created)
        with _simulated(ctx.clock):
            played = [_Story(plan, ctx).play() for plan in plans]
        _announce_pending_reviews(played)
    log(
        f"projects: {Project.objects.count()} projects ({len(todo)} new), {len(competitors)} competitors, "
        f"{len(partners)} partners, {ProjectEvent.objects.count()} events, "
        f"{Quotation.objects.filter(status=QuotationStatus.APPROVED).count()} approved quotations"
    )
