"""Document templates: capital numerals, upload validation, the sandbox, and every default template
rendered for a real project, opened back with python-docx."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from docx import Document

from backend.core.errors import ValidationFailed
from backend.docs_templates.numerals import cn_date, money, rmb_capital
from backend.docs_templates.services import defaults_load, document_generate, template_upload


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("100000", "壹拾万元整"),
        ("1000001.05", "壹佰万零壹元零伍分"),
        ("101", "壹佰零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("120030.40", "壹拾贰万零叁拾元肆角"),
        ("0.05", "伍分"),
        ("100000000", "壹亿元整"),
        ("20000000", "贰仟万元整"),
        ("-3", "负叁元整"),
    ],
)
def test_capital_numerals(amount, expected):
    assert rmb_capital(Decimal(amount)) == expected


def test_figures_and_dates():
    assert money("1000001.05") == "1,000,001.05" and money(None) == "" and money("n/a") == "n/a"
    assert cn_date(date(2026, 11, 23)) == "2026年11月23日" and cn_date("2026-01-05") == "2026年1月5日"


def docx_with(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(data: bytes, doc_type: str = "quotation", user=None):
    return template_upload(actor=user, doc_type=doc_type, language="zh-hans", name="t", file_name="t.docx", data=data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ ''.__class__ }}", "__class__"),
        ("{{ project.__class__.__mro__ }}", "__class__"),
        ("{{ project.name.upper() }}", "call"),
        ("{% include 'x' %}", "include"),
        ("{{ project.secret }}", "project.secret"),
        ("{{ payroll }}", "payroll"),
        ("{{ project.name|attr('x') }}", "attr"),
        ("{% set x = 1 %}", "set"),
        ("{{ project.name ", "syntax"),
    ],
)
def test_unsafe_or_unknown_placeholders_are_refused_at_upload(source, problem):
    with pytest.raises(ValidationFailed) as err:
        upload(docx_with("报价单", source))
    assert problem in err.value.message


@pytest.mark.django_db
def test_bad_files_are_refused(settings):
    with pytest.raises(ValidationFailed, match="not an allowed file type \\(allowed: docx\\)"):
        upload(b"plain text, not a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValidationFailed, match="not an allowed file type"):
        upload(buffer.getvalue())
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("word/document.xml", "0" * (settings.UPLOAD_MAX_UNPACKED_BYTES + 1))
    assert len(bomb.getvalue()) < 200_000  # tiny on disk, huge unpacked
    with pytest.raises(ValidationFailed, match="unpack"):
        upload(bomb.getvalue())
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationFailed, match="the limit is 0.0 MB"):
        upload(docx_with("x"))


@pytest.mark.django_db
def test_a_valid_upload_is_a_new_version_and_older_versions_stay():
    first = upload(docx_with("{{ project.name }} {{ quotation.gross|capital }}"))
    second = upload(docx_with("V2 {{ project.name }}"))
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_active and second.is_active
    assert first.file.open("rb").read() != second.file.open("rb").read()
    assert "project.name" in second.placeholders


@pytest.mark.django_db
def test_sandbox_stops_escapes_at_render_time_too():
    from backend.docs_templates.rendering import render_docx

    with pytest.raises(ValidationFailed, match="unsafe"):
        render_docx(data=docx_with("{{ x.__class__.__mro__ }}"), context={"x": "text"})


@pytest.fixture
def demo_project(org, templates, make_user):
    """A project with a customer, team, competitor, a 3-line quotation, contract terms, milestones and
    payments — every section of the catalogue has something to show."""
    from backend.bids.services import contract_terms_save, quotation_create, win_loss_save
    from backend.projects import services
    from backend.projects.choices import Status
    from tests.factories import ContactFactory, CustomerFactory, set_status

    customer = CustomerFactory(name="上海市第一人民医院", owner=org["bidmgr"])
    ContactFactory(customer=customer, name="韩冰")
    project = services.project_create(
        actor=org["bidmgr"], name="医院信息平台互联互通", customer=customer, estimated_amount=1_000_001
    )
    pm = make_user("pm", "pm")
    services.member_add(actor=org["bidmgr"], project=project, user=pm, role="pm")
    services.competitor_add(actor=org["bidmgr"], project=project, competitor_name="东软 Neusoft", threat_level="high")
    quotation_create(
        actor=org["bidmgr"],
        project=project,
        lines=[
            {"description": "集成平台软件", "unit": "套", "quantity": 1, "unit_price": 600_000, "unit_cost": 300_000},
            {
                "description": "服务器 Server",
                "unit": "台",
                "quantity": 4,
                "unit_price": 80_000,
                "unit_cost": 60_000,
                "discount": 10,
            },
            {"description": "实施服务", "unit": "人天", "quantity": 100, "unit_price": 1_500, "unit_cost": 800},
        ],
    )
    contract_terms_save(actor=org["bidmgr"], project=project, amount=Decimal("1000001.05"), payment_terms="3/3/3/1")
    win_loss_save(project=project, actor=org["bidmgr"], outcome="won", data={"primary_reason": "technology"})
    set_status(project, Status.WON)
    project.contract_amount = Decimal("1000001.05")
    project.save(update_fields=["contract_amount"])
    services.project_transition(project_id=project.pk, name="kickoff", actor=pm, kickoff_date=date(2026, 11, 2))
    from backend.milestones.models import Acceptance

    Acceptance.objects.create(  # the customer's sign-off: an acceptance report needs one
        project=project,
        accepted_on=date(2026, 11, 20),
        signatory="韩冰",
        signatory_title="信息科主任",
        result="passed",
        recorded_by=pm,
    )
    return project, pm


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "doc_type",
    [
        "initiation_request",
        "bid_review",
        "quotation",
        "contract_review",
        "delivery_confirmation",
        "acceptance_report",
        "weekly_report",
        "closure_report",
    ],
)
def test_every_default_template_renders_for_a_project(demo_project, doc_type, language):
    project, pm = demo_project
    defaults_load(only={(doc_type, language)})
    milestone = project.milestones.order_by("order").first() if doc_type == "delivery_confirmation" else None
    document = document_generate(actor=pm, project=project, doc_type=doc_type, language=language, milestone=milestone)
    text = text_of(document.file.open("rb").read())
    assert project.name in text and project.code in text and "上海市第一人民医院" in text
    assert "{{" not in text and "{%" not in text
    if doc_type in ("contract_review", "acceptance_report", "closure_report"):
        assert "1,000,001.05" in text
        # Chinese capital numerals (大写) in the Chinese version only
        assert ("壹佰万零壹元零伍分" in text) is (language == "zh-hans")
    if language == "en":
        assert "大写" not in text and "壹" not in text
    if doc_type in ("quotation", "bid_review", "contract_review"):
        for line in ("集成平台软件", "服务器 Server", "实施服务"):
            assert line in text
        assert "1,038,000.00" in text  # net: 600,000 + 288,000 + 150,000
    # milestones come with the product: named in the document's language
    first_milestone = {"zh-hans": "需求调研与方案设计", "en": "Requirements and design"}[language]
    if doc_type in ("acceptance_report", "closure_report", "weekly_report", "delivery_confirmation"):
        assert first_milestone in text
    assert document.context["project"]["code"] == project.code  # the snapshot is kept
    assert document.version == 1


@pytest.mark.django_db
def test_regenerate_is_a_new_version_and_milestone_documents_become_deliverables(demo_project):
    project, pm = demo_project
    defaults_load(only={("delivery_confirmation", "zh-hans")})
    milestone = project.milestones.order_by("order").first()
    first = document_generate(actor=pm, project=project, doc_type="delivery_confirmation", milestone=milestone)
    second = document_generate(actor=pm, project=project, doc_type="delivery_confirmation", milestone=milestone)
    assert (first.version, second.version) == (1, 2)
    deliverable = milestone.deliverables.get(doc_type="delivery_confirmation")
    assert deliverable.versions.count() == 2
    assert second.deliverable_version.deliverable == deliverable


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source",
    [
        "{{ 9**10000000 }}",
        "{{ 'A'*50000000 }}",
        "{{ ['A']*50000000 }}",
        "{{ ('A'*10000)|replace('A', 'A'*10000) }}",
        "{{ '%099999999d' % 1 }}",
        "{{ '%099999999d'|format(1) }}",
        "{{ (2**4000) * (2**4000) }}",
    ],
)
def test_a_template_that_would_build_a_huge_value_is_refused_at_once(source):
    import time

    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        upload(docx_with(source))
    assert time.monotonic() - started < 3
    assert refused.value.code == "template_too_large"
    assert "MB of text, or a number too large to write" in refused.value.message


@pytest.mark.django_db
def test_loops_nested_four_deep_are_refused():
    source = "{% for a in quotation.lines %}{% for b in quotation.lines %}{% for c in quotation.lines %}"
    source += "{% for d in quotation.lines %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
    with pytest.raises(ValidationFailed, match="nested at most 3 deep"):
        upload(docx_with(source))


def test_a_render_is_stopped_at_its_deadline_and_at_its_output_cap(settings):
    import time

    from backend.docs_templates.rendering import render_docx

    source = "{% for a in items %}{% for b in items %}{% for c in items %}{{ a }}{% endfor %}{% endfor %}{% endfor %}"
    settings.DOCUMENT_RENDER_SECONDS = 0.5
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as slow:
        render_docx(data=docx_with(source), context={"items": list(range(400))})
    assert slow.value.code == "template_too_slow" and time.monotonic() - started < 3
    settings.DOCUMENT_RENDER_SECONDS = 60
    settings.DOCUMENT_MAX_OUTPUT_CHARS = 100_000
    with pytest.raises(ValidationFailed) as large:
        render_docx(data=docx_with(source), context={"items": list(range(100))})
    assert large.value.code == "template_too_large"
    settings.DOCUMENT_MAX_OUTPUT_CHARS = 20_000_000
    rendered = Document(io.BytesIO(render_docx(data=docx_with(source), context={"items": [1, 2]})))
    assert rendered.paragraphs[0].text == "11112222"  # a within b within c: 2 × 2 × 2 figures
