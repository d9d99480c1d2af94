"""Demo bids material: bills of materials that become quotation lines, bid opening records priced around our
own bid, and a few tender notices nobody has opened a project from yet.

The projects demo (``backend.demo.deals``) calls the helpers while it plays each deal's history; ``load``
only adds the standalone tenders. Demo-only: application code must not import this module.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.customers.identity import normalize_name
from backend.customers.models import Customer
from backend.tenders.models import Tender
from backend.tenders.services import tender_create

CENT = Decimal("0.01")

# Bills of materials by solution kind: description, unit, quantity, list unit price (CNY, before tax),
# cost category (budget line), tax rate. Quotations take the first 3-12 lines and scale the prices.
BOMS: dict[str, list[tuple[str, str, int, int, str, int]]] = {
    "network": [
        ("核心交换机 Core switch, 2×100G uplinks", "台", 2, 380_000, "hardware", 13),
        ("汇聚交换机 Aggregation switch 48×10G", "台", 8, 68_000, "hardware", 13),
        ("接入交换机 Access switch 48×1G PoE+", "台", 40, 9_800, "hardware", 13),
        ("下一代防火墙 Next-generation firewall", "台", 2, 145_000, "hardware", 13),
        ("网络管理平台 Network management licence", "套", 1, 120_000, "software", 13),
        ("光模块及跳线 Optics and patch cords", "批", 1, 180_000, "hardware", 13),
        ("综合布线 Structured cabling", "项", 1, 260_000, "subcontract", 9),
        ("集成实施服务 Integration services", "人天", 120, 2_200, "labour", 6),
        ("割接方案与夜间割接 Cut-over plan and night cut-over", "次", 6, 18_000, "labour", 6),
        ("用户培训 Training", "人天", 5, 3_000, "labour", 6),
        ("三年原厂维保 3-year vendor support", "年", 3, 90_000, "software", 6),
        ("驻场运维 On-site operations (12 months)", "人月", 12, 22_000, "labour", 6),
    ],
    "datacenter": [
        ("双路服务器 2-socket server, 512 GB", "台", 24, 92_000, "hardware", 13),
        ("全闪存储 All-flash storage, 200 TB", "套", 2, 1_150_000, "hardware", 13),
        ("虚拟化平台许可 Virtualisation licence", "CPU", 48, 16_000, "software", 13),
        ("数据中心交换机 Data-centre switch 25G", "台", 6, 120_000, "hardware", 13),
        ("备份一体机 Backup appliance", "台", 2, 420_000, "hardware", 13),
        ("机柜及 PDU Racks and PDUs", "套", 10, 23_000, "hardware", 13),
        ("云管理平台 Cloud management platform", "套", 1, 380_000, "software", 13),
        ("数据迁移服务 Data migration", "人天", 60, 2_800, "labour", 6),
        ("集成实施服务 Integration services", "人天", 150, 2_200, "labour", 6),
        ("容灾演练 Disaster-recovery drill", "次", 2, 45_000, "labour", 6),
        ("三年原厂维保 3-year vendor support", "年", 3, 260_000, "software", 6),
        ("培训 Training", "人天", 8, 3_000, "labour", 6),
    ],
    "security": [
        ("态势感知平台 Security situational awareness", "套", 1, 980_000, "software", 13),
        ("日志审计系统 Log audit", "台", 2, 160_000, "hardware", 13),
        ("堡垒机 Bastion host", "台", 2, 120_000, "hardware", 13),
        ("Web 应用防火墙 WAF", "台", 2, 210_000, "hardware", 13),
        ("漏洞扫描系统 Vulnerability scanner", "套", 1, 150_000, "software", 13),
        ("终端安全管理 Endpoint security", "点", 2_000, 120, "software", 13),
        ("数据库审计 Database audit", "台", 1, 180_000, "hardware", 13),
        ("等保测评咨询 MLPS 2.0 assessment consulting", "项", 1, 280_000, "subcontract", 6),
        ("安全加固实施 Hardening services", "人天", 80, 2_500, "labour", 6),
        ("应急响应服务 Incident response retainer", "年", 1, 200_000, "labour", 6),
        ("安全培训 Security awareness training", "场", 4, 15_000, "labour", 6),
    ],
    "cloud": [
        ("超融合一体机 Hyper-converged node", "台", 16, 168_000, "hardware", 13),
        ("桌面云许可 Desktop cloud licence", "点", 1_500, 900, "software", 13),
        ("国产化瘦终端 Domestic thin client", "台", 1_500, 2_600, "hardware", 13),
        ("云管理平台 Cloud management platform", "套", 1, 420_000, "software", 13),
        ("数据中心交换机 Data-centre switch 25G", "台", 4, 120_000, "hardware", 13),
        ("信创适配测试 Domestic-stack compatibility testing", "项", 1, 260_000, "labour", 6),
        ("集成实施服务 Integration services", "人天", 180, 2_200, "labour", 6),
        ("桌面迁移服务 Desktop migration", "点", 1_500, 180, "subcontract", 6),
        ("三年原厂维保 3-year vendor support", "年", 3, 320_000, "software", 6),
        ("培训 Training", "人天", 10, 3_000, "labour", 6),
    ],
    "software": [
        ("平台软件许可 Platform licence", "套", 1, 1_600_000, "software", 13),
        ("定制开发 Custom development", "人月", 36, 32_000, "subcontract", 6),
        ("接口开发 Interface development", "个", 24, 28_000, "labour", 6),
        ("数据治理服务 Data governance", "人月", 12, 30_000, "labour", 6),
        ("应用服务器 Application server", "台", 8, 86_000, "hardware", 13),
        ("数据库许可 Database licence", "CPU", 16, 45_000, "software", 13),
        ("等保测评 MLPS assessment", "项", 1, 160_000, "subcontract", 6),
        ("项目管理与实施 Project management and delivery", "人月", 18, 28_000, "labour", 6),
        ("运维服务 Operations (12 months)", "年", 1, 360_000, "labour", 6),
        ("培训 Training", "人天", 10, 3_000, "labour", 6),
    ],
    "video": [
        ("LED 小间距显示屏 Fine-pitch LED wall", "㎡", 60, 42_000, "hardware", 13),
        ("视频会议 MCU Video-conference MCU", "台", 1, 680_000, "hardware", 13),
        ("视频会议终端 Video-conference endpoint", "台", 30, 38_000, "hardware", 13),
        ("视频云存储节点 Video cloud storage node", "台", 20, 150_000, "hardware", 13),
        ("高清网络摄像机 HD IP camera", "台", 400, 2_300, "hardware", 13),
        ("视频管理平台 Video management platform", "套", 1, 560_000, "software", 13),
        ("拼接控制器 Display wall controller", "台", 2, 160_000, "hardware", 13),
        ("音响扩声系统 Audio system", "套", 1, 320_000, "hardware", 13),
        ("安装调试 Installation and commissioning", "人天", 90, 2_000, "labour", 6),
        ("线缆与辅材 Cables and materials", "批", 1, 150_000, "subcontract", 13),
        ("三年维保 3-year support", "年", 3, 120_000, "labour", 6),
    ],
    "wifi": [
        ("Wi-Fi 6 无线接入点 Wi-Fi 6 access point", "台", 180, 3_900, "hardware", 13),
        ("无线控制器 Wireless controller (HA pair)", "台", 2, 98_000, "hardware", 13),
        ("PoE 交换机 PoE switch 24-port", "台", 20, 12_500, "hardware", 13),
        ("工业级 AP Ruggedised AP for cold store", "台", 30, 7_800, "hardware", 13),
        ("无线勘测 Site survey and heat-mapping", "项", 1, 48_000, "labour", 6),
        ("安装与布线 Installation and cabling", "点", 210, 650, "subcontract", 9),
        ("网络准入认证 Network access control licence", "套", 1, 88_000, "software", 13),
        ("集成实施服务 Integration services", "人天", 30, 2_200, "labour", 6),
        ("三年维保 3-year support", "年", 3, 45_000, "software", 6),
    ],
    "facility": [
        ("模块化 UPS Modular UPS 400 kVA", "台", 2, 420_000, "hardware", 13),
        ("蓄电池组 Battery strings", "组", 8, 56_000, "hardware", 13),
        ("精密空调 Precision air conditioning", "台", 6, 138_000, "hardware", 13),
        ("动环监控系统 Environment monitoring", "套", 1, 210_000, "software", 13),
        ("配电柜改造 Power distribution rework", "项", 1, 160_000, "subcontract", 9),
        ("拆旧与搬迁 Decommissioning and removal", "项", 1, 60_000, "subcontract", 9),
        ("安装调试 Installation and commissioning", "人天", 40, 2_000, "labour", 6),
        ("三年维保 3-year support", "年", 3, 60_000, "labour", 6),
    ],
    "iot": [
        ("物联网传感器 IoT sensor (LoRa)", "个", 900, 680, "hardware", 13),
        ("LoRa 网关 LoRa gateway", "台", 24, 9_800, "hardware", 13),
        ("边缘计算网关 Edge gateway", "台", 12, 26_000, "hardware", 13),
        ("物联网平台 IoT platform licence", "套", 1, 260_000, "software", 13),
        ("5G 工业 CPE 5G industrial CPE", "台", 40, 4_200, "hardware", 13),
        ("调度系统接口开发 Dispatch system integration", "人月", 10, 30_000, "subcontract", 6),
        ("安装调试 Installation and commissioning", "人天", 60, 2_000, "labour", 6),
        ("三年维保 3-year support", "年", 3, 40_000, "labour", 6),
    ],
}


def _money(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def quotation_lines(*, rng: random.Random, kind: str, net: Decimal, margin: float, count: int) -> list[dict[str, Any]]:
    """``count`` lines of BOM ``kind`` priced so the net total is about ``net`` at about ``margin`` % gross margin."""
    bom = BOMS[kind][: max(3, min(count, 12, len(BOMS[kind])))]
    raw = sum(Decimal(qty * price) for _d, _u, qty, price, _c, _t in bom)
    scale = Decimal(net) / raw
    lines = []
    for description, unit, qty, price, category, tax in bom:
        unit_price = _money(Decimal(price) * scale)
        line_margin = max(1.0, min(70.0, margin + rng.uniform(-3.0, 3.0)))
        lines.append(
            {
                "description": description,
                "unit": unit,
                "quantity": Decimal(qty),
                "unit_price": unit_price,
                "unit_cost": _money(unit_price * Decimal(str(1 - line_margin / 100))),
                "discount": Decimal(0),
                "tax_rate": Decimal(tax),
                "category": category,
            }
        )
    return lines


def lines_discounted(lines: list[dict[str, Any]], *, rng: random.Random, discount: float) -> list[dict[str, Any]]:
    """A negotiated version: the same lines with about ``discount`` % off the larger ones (costs unchanged)."""
    result = []
    for line in lines:
        off = discount + rng.uniform(-1.5, 1.5) if line["quantity"] * line["unit_price"] > 50_000 else 0
        result.append({**line, "discount": _money(max(0.0, min(30.0, off)))})
    return result


def lines_cost_by_category(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line["category"]] = totals.get(line["category"], Decimal(0)) + line["quantity"] * line["unit_cost"]
    return {k: _money(v) for k, v in totals.items()}


def opening_prices(
    *,
    rng: random.Random,
    our_price: Decimal,
    rivals: list[Any],
    winner: Any,
    price_decided: bool,
) -> list[dict[str, Any]]:
    """Opening-record entries (us + each rival) with prices, technical scores and ranks by overall score.

    ``winner`` is a rival, or None when we won. ``price_decided``: the winner also had the lowest price."""
    rows: list[dict[str, Any]] = [{"is_us": True, "competitor": None, "price": our_price}]
    for rival in rivals:
        if rival == winner:
            factor = rng.uniform(0.84, 0.95) if price_decided else rng.uniform(1.0, 1.09)
        elif winner is None and price_decided:
            factor = rng.uniform(1.03, 1.15)
        else:
            factor = rng.uniform(0.97, 1.18)
        rows.append({"is_us": False, "competitor": rival, "price": round100(our_price * Decimal(str(factor)))})
    for row in rows:
        is_winner = (row["is_us"] and winner is None) or (not row["is_us"] and row["competitor"] == winner)
        row["technical_score"] = _money(rng.uniform(88, 95) if is_winner else rng.uniform(76, 89))
    ordered = sorted(
        rows,
        key=lambda r: (
            not ((r["is_us"] and winner is None) or (not r["is_us"] and r["competitor"] == winner)),
            float(r["price"] / our_price) * 10 - float(r["technical_score"]),
        ),
    )
    for rank, row in enumerate(ordered, start=1):
        row["rank"] = rank
    return rows


def round100(value: Decimal) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100


def bond_for(amount: Decimal | int) -> Decimal:
    """The bid bond (投标保证金): 2 % of the budget, at most 800,000, in round thousands."""
    bond = min(Decimal(amount) * Decimal("0.02"), Decimal(800_000))
    return (bond / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000


# --- standalone tenders: registered, no project opened yet -----------------------------------------------

# number, title, customer name, budget, owner, days since publication, days until the bid deadline, requirements
OPEN_TENDERS = [
    (
        "SGCC-HB-2026-ZB1187",
        "国网华北电力2027年度网络设备框架采购",
        "国网华北电力有限公司",
        8_800_000,
        "bidmgr",
        6,
        24,
        "具备电力行业系统集成业绩三项以上；原厂授权。",
    ),
    (
        "HBJY-2026-0342",
        "河北省教育厅教育考试指挥平台升级",
        "河北省教育厅",
        2_350_000,
        "bidmgr",
        3,
        18,
        "信息系统集成及服务资质二级及以上；近三年类似业绩。",
    ),
    (
        "NW-RFP-2026-07",
        "Northwind Retail China — store POS network security assessment",
        "Northwind Retail China Co., Ltd.",
        650_000,
        "director",
        9,
        12,
        "PCI DSS experience; two reference customers in retail.",
    ),
    (
        "XAMTR-2026-GC-219",
        "西安城市轨道交通集团线网云平台扩容",
        "西安城市轨道交通集团",
        12_600_000,
        "director",
        2,
        30,
        "具备轨道交通行业云平台建设业绩；联合体投标须提交联合体协议。",
    ),
]


def load(*, password: str, log: Callable[[str], None]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in={row[4] for row in OPEN_TENDERS})}
    today = timezone.localdate()
    created = 0
    for number, title, buyer, budget, owner, published, due, requirements in OPEN_TENDERS:
        if Tender.objects.filter(number=number).exists() or owner not in users:
            continue
        customer = Customer.objects.filter(name_key=normalize_name(buyer)).first()
        deadline = _local(today + timedelta(days=due), time(9, 30))
        tender_create(
            actor=customer.owner if customer else users[owner],  # a tender names only a customer its author sees
            owner=users[owner],
            number=number,
            title=title,
            buyer=buyer,
            customer=customer,
            budget=Decimal(budget),
            industry=customer.industry if customer else "other",
            region=customer.region if customer else "",
            publish_date=today - timedelta(days=published),
            registration_deadline=_local(today + timedelta(days=max(1, due - 10)), time(17, 0)),
            bid_deadline=deadline,
            opening_date=deadline,
            qualification_requirements=requirements,
            source_url=f"https://www.ccgp.gov.cn/demo/{number.lower()}.html",
        )
        created += 1
    log(f"bids: {Tender.objects.count()} tenders ({created} new without a project)")


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())
