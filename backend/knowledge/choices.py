"""Statuses and kinds of the knowledge base."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    DEPARTMENT = "department", _("Departments")
    ROLES = "roles", _("Roles")
    USERS = "users", _("Named users")


class SourceKind(models.TextChoices):
    """Where an article came from: written here, or proposed from a project record (知识文档 → 知识库)."""

    MANUAL = "manual", _("Written in the knowledge base")
    DOCUMENT = "document", _("Project document")
    ATTACHMENT = "attachment", _("Project attachment")
    DELIVERABLE = "deliverable", _("Deliverable")
    LESSON = "lesson", _("Win/loss lesson")
    POST = "post", _("Discussion post")
    SERVICE_REQUEST = "service_request", _("Service request")


PROPOSABLE = (
    SourceKind.DOCUMENT,
    SourceKind.ATTACHMENT,
    SourceKind.DELIVERABLE,
    SourceKind.LESSON,
    SourceKind.POST,
    SourceKind.SERVICE_REQUEST,
)


class LinkStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class LinkSource(models.TextChoices):
    AUTO = "auto", _("Automatic")
    MANUAL = "manual", _("Manual")


class ReviewDecision(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    RETURN = "return", _("Return to the author")
    REJECT = "reject", _("Reject")


# The role that curates the knowledge base (DESIGN.md §1) and sees every article.
KB_ADMIN_ROLE = "kbadmin"
