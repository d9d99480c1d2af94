"""Shapes of the discussion API. Validation of shape only: the services decide (who may, the text, the files)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from backend.accounts.models import User
from backend.discussions.models import Post, PostAttachment, PostRevision, Thread


class PostPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class ThreadSerializer(serializers.ModelSerializer):
    created_by = PostPersonSerializer(read_only=True)
    post_count = serializers.IntegerField(read_only=True)
    unread_count = serializers.IntegerField(
        read_only=True, help_text="Posts by others the requesting user has not read yet."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "project",
            "tender",
            "title",
            "created_by",
            "created_at",
            "last_post_at",
            "post_count",
            "unread_count",
            "url",
        ]

    def get_url(self, obj: Thread) -> str:
        return reverse("discussions:thread", args=[obj.pk])


class ThreadCreateJSONSerializer(serializers.Serializer):
    project = serializers.IntegerField(required=False, allow_null=True, help_text="Give a project or a tender.")
    tender = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text="The first post, in Markdown.")


class ThreadCreateSerializer(ThreadCreateJSONSerializer):
    """As multipart form data, with files attached to the first post."""

    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PostAttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PostAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at", "download_url"]

    def get_download_url(self, obj: PostAttachment) -> str:
        return reverse("discussions:attachment", args=[obj.pk])


class QuotedPostSerializer(serializers.ModelSerializer):
    author = PostPersonSerializer(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "author", "body_html"]


class PostSerializer(serializers.ModelSerializer):
    author = PostPersonSerializer(read_only=True)
    quote = QuotedPostSerializer(
        read_only=True, allow_null=True, help_text="The post this one quotes (same thread), rendered."
    )
    attachments = PostAttachmentSerializer(many=True, read_only=True)
    edited = serializers.SerializerMethodField()
    revision_count = serializers.IntegerField(read_only=True, default=0)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author",
            "body",
            "body_html",
            "quote",
            "attachments",
            "created_at",
            "edited",
            "edited_at",
            "revision_count",
            "can_edit",
        ]

    def get_edited(self, obj: Post) -> bool:
        return obj.edited_at is not None

    def get_can_edit(self, obj: Post) -> bool:
        return bool(getattr(obj, "may_change", False))


class PostPageSerializer(serializers.Serializer):
    """One page of a thread's posts (the shape of every paginated list)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PostSerializer(many=True)


class PostCreateJSONSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="Markdown; @username notifies that colleague if they see the thread.")
    quote = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a post of the same thread.")


class PostCreateSerializer(PostCreateJSONSerializer):
    """As multipart form data, with files."""

    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PostUpdateSerializer(serializers.Serializer):
    body = serializers.CharField()


class PostRevisionSerializer(serializers.ModelSerializer):
    edited_by = PostPersonSerializer(read_only=True)

    class Meta:
        model = PostRevision
        fields = ["id", "body", "body_html", "edited_by", "edited_at"]


class PostAttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ThreadReadInputSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(required=False, allow_null=True, help_text="A post id; default the latest.")


class ThreadReadSerializer(serializers.Serializer):
    thread = serializers.IntegerField()
    read_up_to = serializers.IntegerField()
    unread_count = serializers.IntegerField()
