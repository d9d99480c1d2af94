"""The default templates shipped with sicrm, built in code with python-docx (no binary is committed):
立项申请表, 投标评审表, 报价单, 合同评审表, 里程碑交付确认单, 验收报告, 项目周报, 结项报告 — each in Chinese
and in English. ``sicrm load-templates`` uploads them through the same validation as any upload.
Run ``python -m backend.docs_templates.defaults OUTDIR`` to write them out for editing in Word.

Fit to print: A4 with the GB/T 9704 margins and 宋体/仿宋 (``docx_format``); the English versions write amounts
in figures only (no Chinese capital numerals); the documents two parties sign (delivery confirmation, acceptance
report) end with a signature block for the customer (甲方) and for us (乙方)."""

from __future__ import annotations

import functools
import io
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from backend.docs_templates.docx_format import Properties, set_fonts, set_page, set_page_numbers, set_properties

# (Chinese, English) label pairs; an expression is one for both languages or such a pair.
L = tuple[str, str]
Expr = str | L


def amount(variable: str) -> L:
    """An amount: in figures and Chinese capitals (大写) in Chinese, in figures only in English."""
    return (
        f"¥{{{{ {variable}|money }}}}（大写：{{{{ {variable}|capital }}}}）",
        f"CNY {{{{ {variable}|money }}}}",
    )


@dataclass
class Table:
    caption: L
    loop: str  # e.g. "line in quotation.lines"
    columns: list[tuple[L, str]]  # (label, cell expression)
    totals: list[tuple[L, Expr]] = field(default_factory=list)


@dataclass
class Spec:
    title: L
    fields: list[tuple[L, Expr]]
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[tuple[L, Expr]] = field(default_factory=list)
    signatures: list[L] = field(default_factory=list)
    both_parties: bool = False  # a signature block for the customer (甲方) and for us (乙方)


PROJECT_FIELDS: list[tuple[L, Expr]] = [
    (("项目编号", "Project code"), "{{ project.code }}"),
    (("项目名称", "Project"), "{{ project.name }}"),
    (("客户名称", "Customer"), "{{ customer.name }}"),
    (("统一社会信用代码", "Credit code"), "{{ customer.credit_code }}"),
    (("行业 / 区域", "Industry / region"), "{{ project.industry }} / {{ project.region }}"),
    (("负责人", "Owner"), "{{ project.owner }}"),
]
AMOUNT: tuple[L, Expr] = (("项目金额", "Amount"), amount("project.amount"))
TEAM = Table(
    ("项目团队", "Team"),
    "m in team",
    [(("姓名", "Name"), "{{ m.name }}"), (("角色", "Role"), "{{ m.role }}"), (("电话", "Phone"), "{{ m.phone }}")],
)
COMPETITORS = Table(
    ("竞争对手分析", "Competitors"),
    "c in competitors",
    [
        (("竞争对手", "Competitor"), "{{ c.name }}"),
        (("威胁程度", "Threat"), "{{ c.threat }}"),
        (("优势", "Strengths"), "{{ c.strengths }}"),
        (("劣势", "Weaknesses"), "{{ c.weaknesses }}"),
    ],
)
QUOTE_LINES = Table(
    ("报价明细", "Quotation lines"),
    "line in quotation.lines",
    [
        (("序号", "No."), "{{ line.no }}"),
        (("名称及规格", "Description"), "{{ line.description }}"),
        (("单位", "Unit"), "{{ line.unit }}"),
        (("数量", "Qty"), "{{ line.quantity }}"),
        (("单价", "Unit price"), "{{ line.unit_price|money }}"),
        (("折扣%", "Disc. %"), "{{ line.discount }}"),
        (("税率%", "Tax %"), "{{ line.tax_rate }}"),
        (("金额（不含税）", "Net"), "{{ line.net|money }}"),
    ],
    totals=[
        (("不含税合计", "Net total"), "{{ quotation.net|money }}"),
        (("税额", "Tax"), "{{ quotation.tax|money }}"),
        (("含税总计", "Total"), amount("quotation.gross")),
    ],
)
REVIEW_STEPS = Table(
    ("评审意见", "Review decisions"),
    "step in review.steps",
    [
        (("评审环节", "Step"), "{{ step.name }}"),
        (("状态", "Status"), "{{ step.status }}"),
        (
            ("意见", "Decisions"),
            "{% for d in step.decisions %}{{ d.approver }}: {{ d.decision }} {{ d.comment }} "
            "({{ d.time }}) {% endfor %}",
        ),
    ],
)
MILESTONES = Table(
    ("里程碑", "Milestones"),
    "m in milestones",
    [
        (("序号", "No."), "{{ m.order }}"),
        (("里程碑", "Milestone"), "{{ m.name }}"),
        (("状态", "Status"), "{{ m.status }}"),
        (("计划完成", "Planned end"), "{{ m.planned_end }}"),
        (("实际完成", "Actual end"), "{{ m.actual_end }}"),
    ],
)
PAYMENTS = Table(
    ("收款计划", "Payment schedule"),
    "p in payments",
    [
        (("款项", "Instalment"), "{{ p.name }}"),
        (("比例%", "%"), "{{ p.percent }}"),
        (("金额", "Amount"), "{{ p.amount|money }}"),
        (("到期日", "Due"), "{{ p.due_date }}"),
        (("已收", "Received"), "{{ p.received|money }}"),
        (("未收", "Outstanding"), "{{ p.outstanding|money }}"),
    ],
    totals=[
        (("合计", "Total"), amount("payments_total")),
        (("已收合计", "Received"), "{{ payments_received|money }}"),
    ],
)
CONTRACT: list[tuple[L, Expr]] = [
    (("合同金额", "Contract amount"), amount("contract.amount")),
    (("付款条件", "Payment terms"), "{{ contract.payment_terms }}"),
    (("交付日期", "Delivery date"), "{{ contract.delivery_date }}"),
    (("违约条款", "Penalties"), "{{ contract.penalties }}"),
    (("质保期（月）", "Warranty (months)"), "{{ contract.warranty_months }}"),
]
ACCEPTANCE: list[tuple[L, Expr]] = [
    (("验收日期", "Acceptance date"), "{{ acceptance.date }}"),
    (("客户签字人", "Customer signatory"), "{{ acceptance.signatory }} {{ acceptance.signatory_title }}"),
    (("验收结论", "Result"), "{{ acceptance.result }}"),
]
SIGN = [("项目经理（签字）", "Project manager (signature)"), ("客户代表（签字/盖章）", "Customer (signature/seal)")]

SPECS: dict[str, Spec] = {
    "initiation_request": Spec(
        ("立项申请表", "Project initiation request"),
        [
            *PROJECT_FIELDS,
            AMOUNT,
            (("赢单概率", "Probability"), "{{ project.probability }}%"),
            (("预计签约日期", "Expected close"), "{{ project.expected_close_date }}"),
        ],
        [TEAM, COMPETITORS, REVIEW_STEPS],
        [(("项目概述", "Summary"), "{{ project.description }}")],
        [("申请人", "Applicant"), ("部门负责人审批", "Department head"), ("销售总监审批", "Sales director")],
    ),
    "bid_review": Spec(
        ("投标评审表", "Bid review"),
        [
            *PROJECT_FIELDS,
            AMOUNT,
            (("报价版本", "Quotation version"), "V{{ quotation.version }}"),
            (("毛利率", "Margin"), "{{ quotation.margin_pct }}%"),
        ],
        [COMPETITORS, QUOTE_LINES, REVIEW_STEPS],
        [],
        [("投标经理", "Bid manager"), ("评审人", "Reviewer")],
    ),
    "quotation": Spec(
        ("报价单", "Quotation"),
        [
            *PROJECT_FIELDS[:4],
            (("报价版本", "Version"), "V{{ quotation.version }}"),
            (("币种", "Currency"), "{{ quotation.currency }}"),
            (("有效期至", "Valid until"), "{{ quotation.valid_until }}"),
        ],
        [QUOTE_LINES],
        [(("报价说明", "Notes"), "{{ quotation.title }}")],
        [("报价单位（盖章）", "Quoted by (seal)"), ("日期", "Date")],
    ),
    "contract_review": Spec(
        ("合同评审表", "Contract review record"),
        [*PROJECT_FIELDS, *CONTRACT],
        [QUOTE_LINES, PAYMENTS, REVIEW_STEPS],
        [],
        [("法务评审", "Legal"), ("财务评审", "Finance"), ("总经理审批", "Executive")],
    ),
    "delivery_confirmation": Spec(
        ("里程碑交付确认单", "Milestone delivery confirmation"),
        [
            *PROJECT_FIELDS[:3],
            (("里程碑", "Milestone"), "{{ milestone.name }}"),
            (("计划完成", "Planned end"), "{{ milestone.planned_end }}"),
            (("实际完成", "Actual end"), "{{ milestone.actual_end }}"),
            (("负责人", "Owner"), "{{ milestone.owner }}"),
        ],
        [
            Table(
                ("交付物清单", "Deliverables"),
                "d in milestone.deliverables",
                [
                    (("交付物", "Deliverable"), "{{ d.title }}"),
                    (("类型", "Type"), "{{ d.type }}"),
                    (("版本", "Version"), "V{{ d.version }}"),
                    (("状态", "Status"), "{{ d.status }}"),
                ],
            )
        ],
        [
            (
                ("确认意见", "Confirmation"),
                (
                    "以上交付物已按合同要求交付，经双方确认。",
                    "The deliverables above were delivered as the contract requires.",
                ),
            )
        ],
        SIGN,
        both_parties=True,
    ),
    "acceptance_report": Spec(
        ("验收报告", "Acceptance report"),
        [*PROJECT_FIELDS, *CONTRACT[:1], *ACCEPTANCE],
        [
            MILESTONES,
            Table(("遗留问题", "Punch list"), "item in acceptance.punch_list", [(("事项", "Item"), "{{ item }}")]),
            PAYMENTS,
        ],
        [(("验收说明", "Notes"), "{{ acceptance.notes }}")],
        SIGN,
        both_parties=True,
    ),
    "weekly_report": Spec(
        ("项目周报", "Weekly project report"),
        [
            *PROJECT_FIELDS[:3],
            (("报告周期", "Week"), "{{ week.start }} ~ {{ week.end }}"),
            (("里程碑完成度", "Milestones done"), "{{ progress }}%"),
            (("报告人", "Reported by"), "{{ author }}"),
        ],
        [
            MILESTONES,
            Table(
                ("本期任务", "Tasks"),
                "t in tasks",
                [
                    (("任务", "Task"), "{{ t.name }}"),
                    (("负责人", "Assignee"), "{{ t.assignee }}"),
                    (("到期", "Due"), "{{ t.due_date }}"),
                    (("状态", "Status"), "{{ t.status }}"),
                ],
            ),
        ],
        [(("本周进展", "Progress this week"), ""), (("风险与问题", "Risks and issues"), "")],
        [],
    ),
    "closure_report": Spec(
        ("结项报告", "Project closure report"),
        [*PROJECT_FIELDS, *CONTRACT[:1], *ACCEPTANCE],
        [TEAM, MILESTONES, PAYMENTS],
        [(("经验总结", "Lessons learned"), "")],
        [("项目经理", "Project manager"), ("交付中心负责人", "Head of delivery")],
    ),
}


# The two parties' signature block: (party, its name); then a line to sign on and a date for each.
PARTIES: list[tuple[L, str]] = [
    (("甲方（客户）", "Customer"), "{{ customer.name }}"),
    (("乙方", "Contractor"), "{{ company }}"),
]
PARTY_LINES: list[L] = [
    ("单位名称（盖章）", "Name (company seal)"),
    ("授权代表（签字）", "Authorised representative (signature)"),
    ("日期", "Date"),
]


def build(doc_type: str, language: str) -> bytes:
    """One default template as .docx bytes."""
    spec = SPECS[doc_type]
    zh = language.startswith("zh")

    def t(label: Expr) -> str:
        if isinstance(label, str):
            return label
        return label[0] if zh else label[1]

    colon = "：" if zh else ": "
    document = Document()
    set_page(document)
    set_fonts(document, language=language)
    set_page_numbers(document, language=language)
    document.add_paragraph("{{ company }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = document.add_heading(t(spec.title), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_line = "日期：{{ today|cn_date }}" if zh else "Date: {{ today }}"
    document.add_paragraph(date_line).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    info = document.add_table(rows=0, cols=2)
    info.style = "Table Grid"
    for label, value in spec.fields:
        cells = info.add_row().cells
        cells[0].text, cells[1].text = t(label), t(value)

    for table in spec.tables:
        document.add_heading(t(table.caption), level=2)
        grid = document.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, (label, _expr) in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = t(label)
        grid.add_row().cells[0].text = "{%tr for " + table.loop + " %}"
        row = grid.add_row().cells
        for cell, (_label, expr) in zip(row, table.columns, strict=True):
            cell.text = expr
        grid.add_row().cells[0].text = "{%tr endfor %}"
        for label, total in table.totals:
            cells = grid.add_row().cells
            cells[0].text = t(label)
            cells[-1].text = t(total)

    for label, text in spec.paragraphs:
        document.add_heading(t(label), level=2)
        document.add_paragraph(t(text), style="Body Text")

    if spec.both_parties:
        document.add_paragraph()
        block = document.add_table(rows=1 + len(PARTY_LINES), cols=len(PARTIES))
        block.style = "Table Grid"
        for index, (party, name) in enumerate(PARTIES):
            block.rows[0].cells[index].text = t(party)
            for line_no, line in enumerate(PARTY_LINES, start=1):
                if line_no == 1:
                    value = name
                elif line[1] == "Date":
                    value = "____年__月__日" if zh else "____-__-__"
                else:
                    value = "________________"
                block.rows[line_no].cells[index].text = t(line) + colon + value
    elif spec.signatures:
        document.add_paragraph()
        signatures = document.add_table(rows=2, cols=len(spec.signatures))
        for index, label in enumerate(spec.signatures):
            signatures.rows[0].cells[index].text = t(label) + colon.rstrip()
            signatures.rows[1].cells[index].text = "日期：____年__月__日" if zh else "Date: __________"
    set_properties(
        document,
        Properties(
            author="sicrm",
            company="",
            title=t(spec.title),
            category=doc_type,
            comments="sicrm default template" if not zh else "sicrm 默认模板",
            language="zh-CN" if zh else "en-GB",
        ),
        now=TEMPLATE_DATE,
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# A fixed date in the templates' properties, so that building them again gives the same parts (``content_hash``).
TEMPLATE_DATE = datetime(2026, 1, 1)


@functools.cache
def default_templates() -> list[tuple[str, str, str, bytes]]:
    """(doc_type, language, name, bytes) for every shipped template (built once per process)."""
    rows = []
    for doc_type, spec in SPECS.items():
        for language in ("zh-hans", "en"):
            name = spec.title[0] if language == "zh-hans" else spec.title[1]
            rows.append((doc_type, language, name, build(doc_type, language)))
    return rows


if __name__ == "__main__":  # python -m backend.docs_templates.defaults OUTDIR
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "default-templates")
    target.mkdir(parents=True, exist_ok=True)
    for doc_type, language, _name, data in default_templates():
        (target / f"{doc_type}.{language}.docx").write_bytes(data)
