"""The demo deals: competitors, partners, account managers, customers, and the 45 deals with how each story
goes."""

from __future__ import annotations

from dataclasses import dataclass

from backend.projects.choices import PartnerKind, Status

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
