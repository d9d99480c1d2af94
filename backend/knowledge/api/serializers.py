"""Shapes of the knowledge and search API. Validation of shape only: the services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.api.fields import IdField, IdListField
from backend.core.choices import Industry
from backend.knowledge.choices import PROPOSABLE, ArticleStatus, LinkSource, LinkStatus, ReviewDecision, Visibility
from backend.knowledge.models import Article, ArticleAttachment, ArticleLink, ArticleVersion, Category, Keyword


def described_choice(values: list[str]):
    """A choice field documented as a string listing its values. Names such as status, source and decision
    are used by other apps with other values; an enum component would collide with theirs in the schema."""

    @extend_schema_field({"type": "string", "description": "One of: " + ", ".join(values)})
    class DescribedChoiceField(serializers.ChoiceField):
        pass

    return DescribedChoiceField


ReviewDecisionField = described_choice(ReviewDecision.values)
ArticleStatusField = described_choice(ArticleStatus.values)
LinkStatusField = described_choice(LinkStatus.values)
LinkSourceField = described_choice(LinkSource.values)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent", "order", "description"]


class KeywordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Keyword
        fields = ["id", "name"]
        read_only_fields = ["id"]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    text_chars = serializers.SerializerMethodField()

    class Meta:
        model = ArticleAttachment
        fields = ["id", "name", "content_type", "size", "text_chars", "text_pending", "uploaded_at", "download_url"]

    def get_download_url(self, obj: ArticleAttachment) -> str:
        from django.urls import reverse

        return reverse("knowledge:attachment", args=[obj.pk])

    def get_text_chars(self, obj: ArticleAttachment) -> int:
        return len(obj.text)


class ArticleSerializer(serializers.ModelSerializer):
    """An article; ``keywords`` are names (created when new), ``roles`` role names, ``users`` and
    ``departments`` ids; they apply to the chosen ``visibility``."""

    # written as names/ids, read back by ``to_representation``
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), required=False, write_only=True)
    roles = serializers.ListField(child=serializers.CharField(max_length=50), required=False, write_only=True)
    users = IdListField(required=False, write_only=True)
    departments = IdListField(required=False, write_only=True)
    category = IdField(required=False, allow_null=True, write_only=True)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    author = serializers.CharField(source="author.username", read_only=True)
    status = ArticleStatusField(choices=ArticleStatus.choices, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id", "title", "summary", "body", "body_html", "industry", "category", "keywords", "status",
            "visibility", "departments", "roles", "users", "author", "version", "published_at", "source_kind",
            "source_project", "proposed_by", "review_comment", "attachments", "created_at", "updated_at", "url",
        ]  # fmt: skip
        read_only_fields = [
            "body_html", "status", "author", "version", "published_at", "source_kind", "source_project",
            "proposed_by", "review_comment", "created_at", "updated_at",
        ]  # fmt: skip

    def get_url(self, obj: Article) -> str:
        from django.urls import reverse

        return reverse("knowledge:article", args=[obj.pk])

    def to_representation(self, instance: Article) -> dict:
        data = super().to_representation(instance)
        data["category"] = instance.category_id
        data["keywords"] = [k.name for k in instance.keywords.all()]
        data["roles"] = [g.name for g in instance.roles.all()]
        data["users"] = [u.pk for u in instance.users.all()]
        data["departments"] = [d.pk for d in instance.departments.all()]
        return data


class ArticleListSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [f for f in ArticleSerializer.Meta.fields if f not in ("body", "body_html", "attachments")]


class VersionSerializer(serializers.ModelSerializer):
    edited_by = serializers.CharField(source="edited_by.username", read_only=True)

    class Meta:
        model = ArticleVersion
        fields = ["version", "title", "summary", "body", "edited_by", "comment", "created_at"]


class ArticleTransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewInputSerializer(serializers.Serializer):
    decision = ReviewDecisionField(choices=ReviewDecision.choices)
    category = IdField(required=False, allow_null=True)
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    departments = IdListField(required=False, default=list)
    roles = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    users = IdListField(required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ProposalInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in PROPOSABLE])
    object_id = IdField()
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LinkSerializer(serializers.ModelSerializer):
    article_title = serializers.CharField(source="article.title", read_only=True)
    project_code = serializers.CharField(source="project.code", read_only=True)
    status = LinkStatusField(choices=LinkStatus.choices, read_only=True)
    source = LinkSourceField(choices=LinkSource.choices, read_only=True)

    class Meta:
        model = ArticleLink
        fields = [
            "id",
            "article",
            "article_title",
            "project",
            "project_code",
            "source",
            "status",
            "score",
            "decided_at",
        ]
        read_only_fields = ["source", "status", "score", "decided_at"]
        validators: list = []  # an existing pair is not an error: the service accepts it


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    type = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="")
    keyword = serializers.CharField(required=False, allow_blank=True, default="")
    industry = serializers.CharField(required=False, allow_blank=True, default="")
    page = serializers.IntegerField(required=False, default=1, min_value=1)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class HitSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField(source="pk")
    score = serializers.FloatField()
    title = serializers.CharField()
    title_highlight = serializers.CharField(source="title_html")
    snippet = serializers.CharField(source="snippet_html")
    url = serializers.CharField()
    subtitle = serializers.CharField()
    industry = serializers.CharField()
    category = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label (metaclass)
    count = serializers.IntegerField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = HitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
