"""Demo customers, contacts and interactions in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.accounts.models import User
from backend.customers.identity import credit_code_check_char, normalize_name
from backend.customers.models import Contact, Customer, Interaction

# name, credit code body (17 chars), industry, region, owner, address
CUSTOMERS = [
    ("国网华北电力有限公司", "91110000MA01A0001", "energy", "north", "bidmgr", "北京市西城区西长安街86号"),
    ("中国建设银行北京分行", "91110000MA01A0002", "finance", "north", "bidmgr", "北京市西城区金融大街25号"),
    ("上海市第一人民医院", "12310000MB2A00031", "healthcare", "east", "director", "上海市虹口区海宁路100号"),
    ("浙江省大数据发展管理局", "11330000MB1A00042", "government", "east", "director", "杭州市西湖区省府路8号"),
    ("北京交通大学", "12100000400000051", "education", "north", "presales", "北京市海淀区上园村3号"),
    ("天津港集团有限公司", "91120000MA05A0061", "transport", "north", "bidmgr", "天津市滨海新区津港路99号"),
    ("华东智能制造股份有限公司", "91320500MA1XA0071", "manufacturing", "east", "director", "苏州工业园区星湖街218号"),
    ("中国联通河北省分公司", "91130000MA07A0081", "telecom", "north", "bidmgr", "石家庄市桥西区中山西路"),
    ("成都市公安局", "11510100MB1A00091", "government", "southwest", "director", "成都市锦江区"),
    ("广东省人民医院", "12440000MB2A00101", "healthcare", "south", "director", "广州市越秀区中山二路106号"),
    (
        "Harbour Logistics (Hong Kong) Ltd",
        "91810000MA0HA0111",
        "transport",
        "hk_mo_tw",
        "director",
        "8 Finance Street, Central, Hong Kong",
    ),
    (
        "Northwind Retail China Co., Ltd.",
        "91310000MA1NA0121",
        "retail",
        "east",
        "director",
        "1000 Lujiazui Ring Road, Pudong, Shanghai",
    ),
    (
        "Contoso Semiconductor (Wuxi) Co., Ltd.",
        "91320200MA1CA0131",
        "manufacturing",
        "east",
        "director",
        "88 Xinhua Road, Wuxi",
    ),
    ("河北省教育厅", "11130000MB1A00141", "education", "north", "bidmgr", "石家庄市裕华区"),
    ("西安城市轨道交通集团", "91610100MA6XA0151", "transport", "northwest", "director", "西安市未央区"),
]

# customer index, name, title, decision role, phone, email
CONTACTS = [
    (0, "孙志刚", "信息中心主任", "decision_maker", "010-66591001", "sunzg@example.com"),
    (0, "吴晓燕", "网络安全处处长", "influencer", "010-66591002", "wuxy@example.com"),
    (1, "郑海涛", "科技部总经理", "decision_maker", "010-67596001", "zhenght@example.com"),
    (1, "冯丽", "采购经理", "gatekeeper", "010-67596002", "fengli@example.com"),
    (2, "韩冰", "信息科科长", "influencer", "021-63240001", "hanbing@example.com"),
    (3, "许文", "数据资源处处长", "decision_maker", "0571-87050001", "xuwen@example.com"),
    (4, "何晨", "网络中心主任", "decision_maker", "010-51680001", "hechen@example.com"),
    (5, "马骏", "IT部经理", "influencer", "022-25700001", "majun@example.com"),
    (6, "罗伟", "CIO", "decision_maker", "0512-62880001", "luowei@example.com"),
    (10, "Alice Chan", "Head of IT", "decision_maker", "+852 2100 0001", "alice.chan@example.com"),
    (10, "Kenneth Wong", "Procurement Manager", "gatekeeper", "+852 2100 0002", "kenneth.wong@example.com"),
    (11, "David Miller", "IT Director", "decision_maker", "+86 21 5000 0001", "d.miller@example.com"),
    (12, "Grace Liu", "Infrastructure Lead", "user", "+86 510 8000 0001", "grace.liu@example.com"),
]

# customer index, kind, days ago, summary, author
INTERACTIONS = [
    (0, "visit", 40, "拜访信息中心，了解数据中心扩容需求", "bidmgr"),
    (0, "meeting", 21, "技术交流会：超融合与灾备方案", "presales"),
    (1, "call", 12, "确认核心网络改造项目预算及招标时间", "bidmgr"),
    (2, "meeting", 30, "医院信息平台互联互通测评需求沟通", "director"),
    (10, "meeting", 9, "Warehouse network refresh: requirements workshop", "director"),
    (11, "email", 5, "Sent the store Wi-Fi solution brief and reference list", "director"),
    (5, "visit", 15, "港口智慧调度系统现场调研", "bidmgr"),
]


def load(*, password: str, log: Callable[[str], None]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in={"bidmgr", "director", "presales"})}
    customers: list[Customer] = []
    new = 0
    for name, body, industry, region, owner, address in CUSTOMERS:
        customer, created = Customer.objects.get_or_create(
            name_key=normalize_name(name),
            defaults={
                "name": name,
                "credit_code": body + credit_code_check_char(body),
                "industry": industry,
                "region": region,
                "owner": users[owner],
                "address": address,
            },
        )
        customers.append(customer)
        new += created
    for index, name, title, role, phone, email in CONTACTS:
        Contact.objects.get_or_create(
            customer=customers[index],
            name=name,
            defaults={"title": title, "decision_role": role, "phone": phone, "email": email},
        )
    base = datetime(2026, 11, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for index, kind, days, summary, author in INTERACTIONS:
        interaction, created = Interaction.objects.get_or_create(
            customer=customers[index],
            summary=summary,
            defaults={"kind": kind, "occurred_at": base - timedelta(days=days), "author": users[author]},
        )
        if created:
            interaction.contacts.set(customers[index].contacts.all()[:1])
    log(
        f"customers: {len(customers)} customers ({new} new), {Contact.objects.count()} contacts, "
        f"{Interaction.objects.count()} interactions"
    )
