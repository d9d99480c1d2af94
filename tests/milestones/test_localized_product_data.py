"""Data that comes with the product is kept in both languages and read in the reader's: the process template
and its gates, steps, actions, milestones, tasks, payment terms and reasons, and the copies a project takes
of them at creation and kickoff. What a user types is one language for everyone."""

import pytest
from django.urls import reverse
from django.utils import translation

from backend.bids.models import WinLossReason
from backend.core.localized import payment_term_names, split_pair
from backend.core.notifications import render
from backend.core.services import model_update
from backend.milestones.models import Milestone
from backend.payments.models import PaymentTerm
from workflows.models import Gate, ProcessTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(kicked_off):
    return kicked_off["project"]


def columns(obj, field="name"):
    """What the row holds: the Chinese column and its English companion."""
    return type(obj).objects.filter(pk=obj.pk).values_list(field, f"{field}_en").get()


def read(obj, field="name"):
    with translation.override("zh-hans"):
        zh = getattr(obj, field)
    with translation.override("en"):
        en = getattr(obj, field)
    return zh, en


def test_templates_and_reasons_are_stored_in_both_languages(templates, reasons):
    standard = ProcessTemplate.objects.get(code="standard-si")
    assert columns(standard) == ("标准系统集成", "Standard system integration")
    assert read(standard) == ("标准系统集成", "Standard system integration")
    gate = Gate.objects.get(template=standard, kind="initiation")
    assert read(gate) == ("立项评审", "Initiation review")
    assert read(WinLossReason.objects.get(code="relationship")) == ("客户关系", "Relationship")
    # loading the same files again writes nothing new
    from workflows.loader import templates_load_all

    templates_load_all()
    assert Gate.objects.filter(template=standard, kind="initiation", name="立项评审").count() == 1


def test_kickoff_copies_both_languages(project):
    first = project.milestones.order_by("order").first()
    assert columns(first) == ("需求调研与方案设计", "Requirements and design")
    assert read(first) == ("需求调研与方案设计", "Requirements and design")
    terms = list(project.payment_terms.order_by("order"))
    assert [read(t) for t in terms] == [
        ("预付款", "Advance payment"),
        ("设备到货 付款", "Payment on Equipment delivered"),
        ("终验 付款", "Payment on Final acceptance"),
    ]
    # every action the template recommends came with its English
    assert project.checklist.count() > 0 and not project.checklist.filter(text_en="").exists()


def test_a_typed_name_replaces_both_languages(project):
    milestone = project.milestones.order_by("order").first()
    with translation.override("en"):
        model_update(instance=milestone, data={"name": "Requirements and design"}, fields=["name"])
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert columns(milestone) == ("需求调研与方案设计", "Requirements and design")  # unchanged
    model_update(instance=milestone, data={"name": "需求调研（二期）"}, fields=["name"])
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert columns(milestone) == ("需求调研（二期）", "")
    assert read(milestone) == ("需求调研（二期）", "需求调研（二期）")


def test_pages_show_the_readers_language(client, kicked_off):
    client.force_login(kicked_off["pm"])
    url = reverse("milestones:project-milestones", args=[kicked_off["project"].pk])
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "项目启动会" in chinese and "需求调研与方案设计" in chinese
    assert "Kickoff meeting" not in chinese and "Requirements and design" not in chinese
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kickoff meeting" in english and "Requirements and design" in english
    assert "项目启动会" not in english and "需求调研与方案设计" not in english


def test_notifications_name_product_data_in_the_readers_language(project):
    from backend.core.notifications import both_languages, stored

    milestone = project.milestones.order_by("order").first()
    params = {"project": "P-1", "milestone": stored(both_languages(milestone)), "state": "x", "actor": "张伟"}
    with translation.override("zh-hans"):
        assert "需求调研与方案设计" in render("milestone_transition", params)
    with translation.override("en"):
        assert "Requirements and design" in render("milestone_transition", params)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("立项评审 Initiation review", ("立项评审", "Initiation review")),
        ("高管审批（≥500万）Executive (≥ 5,000,000)", ("高管审批（≥500万）", "Executive (≥ 5,000,000)")),
        ("张伟", ("张伟", "")),
        ("Payment on 设备到货", ("Payment on 设备到货", "")),
    ],
)
def test_split_of_rows_that_held_both_languages(text, expected):
    assert split_pair(text) == expected


def test_payment_terms_named_before_the_split():
    assert payment_term_names("Payment on 设备到货 Equipment delivered") == (
        "设备到货 付款",
        "Payment on Equipment delivered",
    )
    assert payment_term_names("设备到货 Equipment delivered 付款") == (
        "设备到货 付款",
        "Payment on Equipment delivered",
    )
    assert PaymentTerm._meta.get_field("name_en").blank


def test_a_raw_load_keeps_both_columns_whatever_the_language(project):
    """loaddata and a restore save raw: they must write the columns as stored, not the reader's language."""
    from django.core import serializers

    milestone = project.milestones.order_by("order").first()
    dumped = serializers.serialize("json", [milestone])
    Milestone.objects.filter(pk=milestone.pk).update(name="x", name_en="y")
    with translation.override("en"):
        for item in serializers.deserialize("json", dumped):
            item.save()
    assert columns(milestone) == ("需求调研与方案设计", "Requirements and design")
