"""Demo organisation: the department tree and one user per role of DESIGN.md §1."""

from __future__ import annotations

from collections.abc import Callable

from backend.accounts.choices import Role
from backend.accounts.models import Department, User
from backend.accounts.services import roles_ensure, user_set_roles
from backend.projects.models import ProjectSharingRule

# name, parent, region
DEPARTMENTS = [
    ("总部 Headquarters", None, ""),
    ("销售中心 Sales Center", "总部 Headquarters", ""),
    ("华北销售部 North China Sales", "销售中心 Sales Center", "north"),
    ("华东销售部 East China Sales", "销售中心 Sales Center", "east"),
    ("交付中心 Delivery Center", "总部 Headquarters", ""),
    ("实施一部 Implementation 1", "交付中心 Delivery Center", ""),
    ("法务部 Legal", "总部 Headquarters", ""),
    ("财务部 Finance", "总部 Headquarters", ""),
    ("知识管理部 Knowledge Management", "总部 Headquarters", ""),
]

# username, first, last, title, department, manager, roles, superuser
USERS = [
    ("exec", "建国", "王", "总经理 CEO", "总部 Headquarters", None, [Role.EXECUTIVE], False),
    ("director", "丽华", "李", "销售总监 Sales Director", "销售中心 Sales Center", "exec", [Role.DIRECTOR], False),
    (
        "bidmgr",
        "伟",
        "张",
        "投标经理 Bid Manager",
        "华北销售部 North China Sales",
        "director",
        [Role.BID_MANAGER],
        False,
    ),
    (
        "presales",
        "敏",
        "刘",
        "售前工程师 Presales Engineer",
        "华北销售部 North China Sales",
        "bidmgr",
        [Role.PRESALES],
        False,
    ),
    ("pm", "强", "陈", "项目经理 Project Manager", "实施一部 Implementation 1", "exec", [Role.PM], False),
    ("engineer", "磊", "杨", "实施工程师 Engineer", "实施一部 Implementation 1", "pm", [Role.ENGINEER], False),
    ("quality", "慧", "吴", "质量经理 Quality Manager", "交付中心 Delivery Center", "exec", [Role.QUALITY], False),
    ("service", "婷", "孙", "服务台坐席 Service Desk Agent", "交付中心 Delivery Center", "pm", [Role.SERVICE], False),
    ("legal", "静", "赵", "法务经理 Legal Counsel", "法务部 Legal", "exec", [Role.LEGAL], False),
    ("finance", "芳", "黄", "财务经理 Finance Manager", "财务部 Finance", "exec", [Role.FINANCE], False),
    (
        "kbadmin",
        "洋",
        "周",
        "知识管理员 Knowledge Admin",
        "知识管理部 Knowledge Management",
        "exec",
        [Role.KB_ADMIN],
        False,
    ),
    ("admin", "System", "Admin", "系统管理员 Administrator", "总部 Headquarters", None, [Role.ADMIN], True),
]

HEADS = {
    "总部 Headquarters": "exec",
    "销售中心 Sales Center": "director",
    "华北销售部 North China Sales": "bidmgr",
    "交付中心 Delivery Center": "pm",
    "实施一部 Implementation 1": "pm",
    "法务部 Legal": "legal",
    "财务部 Finance": "finance",
    "知识管理部 Knowledge Management": "kbadmin",
}


def load(*, password: str, log: Callable[[str], None]) -> None:
    roles_ensure()
    departments: dict[str, Department] = {}
    for name, parent, region in DEPARTMENTS:
        departments[name], _ = Department.objects.get_or_create(
            name=name, defaults={"parent": departments.get(parent) if parent else None, "region": region}
        )
    users: dict[str, User] = {}
    created = 0
    for username, first, last, title, dept, manager, roles, superuser in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                title=title,
                department=departments[dept],
                manager=users.get(manager) if manager else None,
                email=f"{username}@example.com",
                is_staff=superuser,
                is_superuser=superuser,
            )
            user.set_password(password)
            user.save()
            user_set_roles(user=user, roles=[r.value for r in roles])
            created += 1
        users[username] = user
    for dept_name, username in HEADS.items():
        department = departments[dept_name]
        if department.head_id is None:
            department.head = users[username]
            department.save(update_fields=["head", "updated_at"])
    # the quality manager reads every project of a tier-A customer (a sharing rule; read only)
    ProjectSharingRule.objects.get_or_create(
        grantee_role=Role.QUALITY, customer_tier="A", defaults={"note": "质量抽查：A类客户的全部项目"}
    )
    log(f"accounts: {len(departments)} departments, {len(users)} demo users ({created} new)")
