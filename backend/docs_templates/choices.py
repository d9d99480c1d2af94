from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    INITIATION_REQUEST = "initiation_request", _("Initiation request (立项申请表)")
    BID_REVIEW = "bid_review", _("Bid review (投标评审表)")
    QUOTATION = "quotation", _("Quotation (报价单)")
    CONTRACT_REVIEW = "contract_review", _("Contract review record (合同评审表)")
    DELIVERY_CONFIRMATION = "delivery_confirmation", _("Milestone delivery confirmation (里程碑交付确认单)")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report (验收报告)")
    WEEKLY_REPORT = "weekly_report", _("Weekly report (项目周报)")
    CLOSURE_REPORT = "closure_report", _("Closure report (结项报告)")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
