"""Page forms of the knowledge base: the article editor, the review of a proposal, an attachment upload.
Forms check shape; the services decide (their refusals are attached to the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.accounts.choices import Role
from backend.accounts.models import Department, User
from backend.core.choices import Industry
from backend.knowledge.choices import ReviewDecision, Visibility
from backend.knowledge.models import Article, Category
from backend.knowledge.search import category_chain, category_tree


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories labelled with their path (技术方案 / 数据中心)."""

    def __init__(self, **kwargs: Any):
        super().__init__(queryset=Category.objects.all(), **kwargs)
        self._tree: dict[int, tuple[int | None, str]] | None = None

    def label_from_instance(self, obj: Category) -> str:
        if self._tree is None:
            self._tree = category_tree()
        return " / ".join(self._tree[c][1] for c in reversed(category_chain(self._tree, obj.pk)))


def split_keywords(value: str) -> list[str]:
    """Keywords typed as one line, separated by commas (either width), semicolons or 、."""
    for separator in ("，", "；", ";", "、"):
        value = value.replace(separator, ",")
    return list(dict.fromkeys(k.strip() for k in value.split(",") if k.strip()))


class VisibilityFields(forms.Form):
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments (and those below them)"), queryset=Department.objects.all(), required=False
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False)
    users = forms.ModelMultipleChoiceField(
        label=_("Users"), queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )

    def initial_from(self, article: Article) -> None:
        self.initial.update(
            visibility=article.visibility,
            departments=list(article.departments.all()),
            roles=[g.name for g in article.roles.all()],
            users=list(article.users.all()),
        )


class ArticleForm(VisibilityFields):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(
        label=_("Body (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"})
    )
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "—"), *Industry.choices], required=False)
    category = CategoryChoiceField(label=_("Category"), required=False)
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separated by commas, e.g. 验收, acceptance, 数据中心")
    )
    comment = forms.CharField(label=_("What changed"), required=False, max_length=300)

    field_order = [
        "title",
        "summary",
        "body",
        "industry",
        "category",
        "keywords",
        "visibility",
        "departments",
        "roles",
        "users",
        "comment",
    ]

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if article is not None:
            self.initial.update(
                title=article.title,
                summary=article.summary,
                body=article.body,
                industry=article.industry,
                category=article.category_id,
                keywords=", ".join(k.name for k in article.keywords.all()),
            )
            self.initial_from(article)

    def clean_keywords(self) -> list[str]:
        return split_keywords(self.cleaned_data.get("keywords", ""))


class ReviewForm(VisibilityFields):
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices, initial=ReviewDecision.PUBLISH)
    category = CategoryChoiceField(label=_("Category"), required=False)
    keywords = forms.CharField(label=_("Keywords"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=[("", "—"), *Industry.choices], required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, article: Article, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.initial.update(
            category=article.category_id,
            keywords=", ".join(k.name for k in article.keywords.all()),
            industry=article.industry,
        )
        self.initial_from(article)

    def clean_keywords(self) -> list[str]:
        return split_keywords(self.cleaned_data.get("keywords", ""))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (.docx, .pdf, .txt …)"))
