"""Documents fit to print (issue 12 item 7): the 16 default templates on A4 with the GB/T 9704 margins and 宋体/仿宋,
the generated file's properties naming its author and our company, signature blocks for both parties, English
without Chinese capital numerals, documents refused when their data is missing, and "Also make a PDF" offered
only where LibreOffice is installed. Every document is opened again with python-docx."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from backend.docs_templates.defaults import SPECS, build
from backend.docs_templates.docx_format import company_of
from backend.docs_templates.models import GeneratedDocument
from backend.docs_templates.services import defaults_load, document_generate
from backend.milestones.models import Acceptance
from backend.projects import services
from tests.docs_templates.test_rendering import demo_project, text_of  # noqa: F401 - a fixture
from tests.factories import CustomerFactory

COMPANY = "示例系统集成有限公司 Example Systems Integration Co., Ltd."
DEFAULTS = [(doc_type, language) for doc_type in SPECS for language in ("zh-hans", "en")]


def reopen(data: bytes):
    return Document(io.BytesIO(data))


def fonts_of(element) -> dict[str, str]:
    rfonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return {name.split("}")[1]: value for name, value in rfonts.attrib.items()}


# --- the default templates -----------------------------------------------------------------------------------


def test_there_are_sixteen_default_templates():
    assert len(DEFAULTS) == 16


@pytest.mark.parametrize(("doc_type", "language"), DEFAULTS)
def test_every_default_template_is_a4_with_chinese_margins_and_fonts(doc_type, language):
    document = reopen(build(doc_type, language))
    for section in document.sections:  # twentieths of a point, as Word stores them
        assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # 210 × 297 mm
        assert (section.top_margin.twips, section.bottom_margin.twips) == (2098, 1984)  # 37 mm, 35 mm
        assert (section.left_margin.twips, section.right_margin.twips) == (1587, 1474)  # 28 mm, 26 mm
        assert round(section.top_margin.mm) == 37 and round(section.right_margin.mm) == 26
    styles = document.styles
    expected = {"Normal": "宋体", "Heading 1": "宋体", "Heading 2": "宋体", "Body Text": "仿宋"}
    for name, east_asia in expected.items():
        fonts = fonts_of(styles[name].element)
        assert fonts == {
            "ascii": "Times New Roman",
            "hAnsi": "Times New Roman",
            "cs": "Times New Roman",
            "eastAsia": east_asia,
            "hint": "eastAsia",
        }, name  # no theme font left to override them
    assert styles["Normal"].font.size.pt == 10.5 and styles["Heading 1"].font.size.pt == 18
    assert str(styles["Heading 1"].font.color.rgb) == "000000"
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert fonts_of(defaults)["eastAsia"] == "宋体"
    font_table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    xml = font_table.blob.decode()
    assert '<w:font w:name="宋体"><w:altName w:val="SimSun"/>' in xml
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in xml
    footer = document.sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert xml.count('w:instr=" PAGE "') == 1 and xml.count('w:instr=" NUMPAGES "') == 1
    runs = [run.text for run in footer.runs]
    assert runs == (["第 ", " 页 共 ", " 页"] if language == "zh-hans" else ["Page ", " of "])
    core = document.core_properties
    assert core.author == "sicrm" and core.last_modified_by == "sicrm"
    assert "python-docx" not in " ".join([core.author, core.comments, core.title, core.last_modified_by])
    assert core.title == SPECS[doc_type].title[0 if language == "zh-hans" else 1]


@pytest.mark.parametrize("doc_type", list(SPECS))
def test_english_templates_write_amounts_in_figures_only(doc_type):
    english = text_of(build(doc_type, "en"))
    assert "capital" not in english and "大写" not in english and "（" not in english
    chinese = text_of(build(doc_type, "zh-hans"))
    assert ("|capital" in chinese) is ("|money" in chinese)  # every Chinese amount has its 大写


def test_the_english_quotation_total_is_in_cny_figures():
    text = text_of(build("quotation", "en"))
    assert "CNY {{ quotation.gross|money }}" in text
    chinese = text_of(build("quotation", "zh-hans"))
    assert "¥{{ quotation.gross|money }}（大写：{{ quotation.gross|capital }}）" in chinese


# --- generated documents ------------------------------------------------------------------------------------


def signature_block(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[-1].rows]


@pytest.mark.django_db
def test_acceptance_report_properties_and_both_parties_signature(demo_project):  # noqa: F811
    project, pm = demo_project
    pm.first_name, pm.last_name = "伟", "张"
    pm.save()
    defaults_load(only={("acceptance_report", "zh-hans"), ("acceptance_report", "en")})
    chinese = document_generate(actor=pm, project=project, doc_type="acceptance_report", language="zh-hans")
    document = reopen(chinese.file.open("rb").read())
    core = document.core_properties
    assert str(pm) == "张伟"
    assert (core.author, core.last_modified_by) == ("张伟", "张伟")
    assert core.title == f"验收报告 {project.code}"
    assert core.subject == f"{project.code} 医院信息平台互联互通"
    assert core.keywords == COMPANY
    assert core.comments == f"由 张伟 使用 sicrm 为 {COMPANY} 生成。"
    assert core.language == "zh-CN" and core.revision == 1
    assert company_of(document) == COMPANY
    app = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/docProps/app.xml").blob
    assert b"<Application>sicrm</Application>" in app and b"python-docx" not in app
    assert signature_block(document) == [
        ["甲方（客户）", "乙方"],
        ["单位名称（盖章）：上海市第一人民医院", f"单位名称（盖章）：{COMPANY}"],
        ["授权代表（签字）：________________", "授权代表（签字）：________________"],
        ["日期：____年__月__日", "日期：____年__月__日"],
    ]
    assert document.sections[0].page_width.twips == 11906 and document.sections[0].left_margin.twips == 1587
    assert 'w:instr=" NUMPAGES "' in document.sections[0].footer.paragraphs[0]._p.xml  # survives the render
    text = text_of(chinese.file.open("rb").read())
    assert "韩冰 信息科主任" in text and "¥1,000,001.05（大写：壹佰万零壹元零伍分）" in text

    english = document_generate(actor=pm, project=project, doc_type="acceptance_report", language="en")
    document = reopen(english.file.open("rb").read())
    assert document.core_properties.author == "张伟"
    assert document.core_properties.comments == f"Generated by 张伟 for {COMPANY} with sicrm."
    assert signature_block(document) == [
        ["Customer", "Contractor"],
        ["Name (company seal): 上海市第一人民医院", f"Name (company seal): {COMPANY}"],
        [
            "Authorised representative (signature): ________________",
            "Authorised representative (signature): ________________",
        ],
        ["Date: ____-__-__", "Date: ____-__-__"],
    ]
    text = text_of(english.file.open("rb").read())
    assert "CNY 1,000,001.05" in text and "大写" not in text and "壹" not in text


@pytest.mark.django_db
def test_delivery_confirmation_has_both_parties_and_the_quotation_has_one(demo_project):  # noqa: F811
    project, pm = demo_project
    defaults_load(only={("delivery_confirmation", "zh-hans"), ("quotation", "zh-hans")})
    milestone = project.milestones.order_by("order").first()
    confirmation = document_generate(actor=pm, project=project, doc_type="delivery_confirmation", milestone=milestone)
    block = signature_block(reopen(confirmation.file.open("rb").read()))
    assert block[0] == ["甲方（客户）", "乙方"] and block[1][0] == "单位名称（盖章）：上海市第一人民医院"
    quotation = document_generate(actor=pm, project=project, doc_type="quotation")
    block = signature_block(reopen(quotation.file.open("rb").read()))
    assert block == [["报价单位（盖章）：", "日期："], ["日期：____年__月__日", "日期：____年__月__日"]]


# --- missing data is refused --------------------------------------------------------------------------------


@pytest.fixture
def bare_project(org):
    return services.project_create(
        actor=org["bidmgr"],
        name="智慧校园一卡通",
        customer=CustomerFactory(name="北京交通大学", owner=org["bidmgr"]),
        estimated_amount=880_000,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("doc_type", "needs"),
    [
        ("quotation", "it needs a quotation (the project has none yet; add one on the Bids tab)"),
        ("bid_review", "it needs a quotation (the project has none yet"),
        ("contract_review", "it needs the contract terms (record them on the Bids tab)"),
        ("delivery_confirmation", "it needs a milestone (choose the milestone whose delivery is confirmed)"),
        ("acceptance_report", "it needs the customer's acceptance of the project"),
    ],
)
def test_a_document_whose_data_is_missing_is_refused_with_409(client_for, org, bare_project, doc_type, needs):
    defaults_load(only={(doc_type, "en")})
    response = client_for(org["bidmgr"]).post(
        "/api/v1/documents/", {"project": bare_project.pk, "doc_type": doc_type, "language": "en"}, format="json"
    )
    assert response.status_code == 409, response.content[:300]
    body = response.json()
    assert body["code"] == "document_data_missing"
    assert f"cannot be generated for {bare_project.code}: {needs}" in body["detail"]
    assert not GeneratedDocument.objects.exists()


@pytest.mark.django_db
def test_the_page_names_what_is_missing_in_chinese(client, org, bare_project):
    defaults_load(only={("quotation", "zh-hans")})
    client.force_login(org["bidmgr"])
    response = client.post(
        f"/documents/project/{bare_project.pk}/generate/",
        {"gen-doc_type": "quotation", "gen-language": "zh-hans"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="zh-hans">' in page
    assert f"无法为 {bare_project.code} 生成" in page and "需要报价单（项目尚无报价，请在投标页签中添加）" in page
    assert not GeneratedDocument.objects.exists()


@pytest.mark.django_db
def test_an_acceptance_report_is_made_once_the_acceptance_is_recorded(org, bare_project):
    defaults_load(only={("acceptance_report", "zh-hans")})
    Acceptance.objects.create(
        project=bare_project,
        accepted_on=date(2026, 11, 20),
        signatory="李娜",
        result="passed",
        recorded_by=org["bidmgr"],
    )
    document = document_generate(actor=org["bidmgr"], project=bare_project, doc_type="acceptance_report")
    assert "李娜" in text_of(document.file.open("rb").read())


# --- "Also make a PDF" only with LibreOffice ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pdf_choice_is_offered_only_when_libreoffice_is_installed(client, org, bare_project, settings, tmp_path):
    defaults_load(only={("initiation_request", "zh-hans")})
    client.force_login(org["bidmgr"])
    tab = f"/projects/{bare_project.pk}/?tab=documents"
    empty = tmp_path / "empty"
    empty.mkdir()
    settings.LIBREOFFICE_BINARY = "soffice"
    old_path = os.environ["PATH"]
    try:
        os.environ["PATH"] = str(empty)  # no soffice, no libreoffice
        page = client.get(tab).content.decode()
        assert 'id="generate-form"' in page and 'name="gen-pdf"' not in page and "Also make a PDF" not in page
        # a PDF asked for anyway is not made, and no note about it is kept
        client.post(
            f"/documents/project/{bare_project.pk}/generate/",
            {"gen-doc_type": "initiation_request", "gen-language": "zh-hans", "gen-pdf": "on"},
        )
        document = GeneratedDocument.objects.get()
        assert (bool(document.pdf), document.pdf_note) == (False, "")

        installed = tmp_path / "office"
        installed.mkdir()
        soffice = installed / "soffice"
        soffice.write_text("#!/bin/sh\nexit 0\n")
        soffice.chmod(0o755)
        os.environ["PATH"] = str(installed)
        page = client.get(tab).content.decode()
        assert 'name="gen-pdf"' in page and "Also make a PDF" in page
    finally:
        os.environ["PATH"] = old_path
