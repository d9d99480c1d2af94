"""``/api/v1/threads/`` and the posts of a thread. Thin: visibility through the selectors (``visible_to``), so a
thread or post the user may not see is a 404; writes through the services; errors as ``{"detail", "code"}``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleQuerysetMixin
from backend.core.errors import NotFound, ValidationFailed
from backend.discussions import selectors, services
from backend.discussions.api.serializers import (
    PostAttachmentInputSerializer,
    PostAttachmentSerializer,
    PostCreateJSONSerializer,
    PostCreateSerializer,
    PostPageSerializer,
    PostRevisionSerializer,
    PostSerializer,
    PostUpdateSerializer,
    ThreadCreateJSONSerializer,
    ThreadCreateSerializer,
    ThreadReadInputSerializer,
    ThreadReadSerializer,
    ThreadSerializer,
)
from backend.discussions.models import Post, Thread

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _uploads(files: list[Any]) -> list[tuple[str, bytes]]:
    return [(upload.name, upload.read()) for upload in files]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("project", int, description="threads of this project"),
            OpenApiParameter("tender", int, description="threads of this tender"),
        ]
    )
)
class ThreadViewSet(
    VisibleQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Threads of the project and tender boards the user sees, newest activity first, each with the requesting
    user's unread count. ``POST`` starts a thread (``project`` or ``tender``, ``title``, ``body``, ``files``)."""

    serializer_class = ThreadSerializer
    parser_classes = PARSERS
    filter_backends: list = []  # filtered by the selector (?project=, ?tender=)

    def base_queryset(self) -> QuerySet[Thread]:
        return Thread.objects.all()

    def _int_param(self, name: str) -> int | None:
        value = self.request.query_params.get(name, "")
        if not value:
            return None
        if not value.isdigit():
            raise ValidationFailed(
                _("%(name)s must be an id.") % {"name": name}, fields={name: [_("not an id")]}, code="invalid_filter"
            )
        return int(value)

    def get_queryset(self) -> QuerySet[Thread]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Thread.objects.none()
        user = acting_user(self.request)
        if self.action != "list":
            return selectors.thread_list(user=user)
        return selectors.thread_list(
            user=user, project_id=self._int_param("project"), tender_id=self._int_param("tender")
        )

    @extend_schema(
        request={"application/json": ThreadCreateJSONSerializer, "multipart/form-data": ThreadCreateSerializer},
        responses={201: ThreadSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ThreadCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = acting_user(request)
        thread = services.thread_create(
            actor=user,
            title=data["title"],
            body=data["body"],
            project_id=data.get("project"),
            tender_id=data.get("tender"),
            files=_uploads(data["files"]),
        )
        fresh = selectors.thread_detail(user=user, pk=thread.pk)
        return Response(ThreadSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def _post_of(self, thread: Thread, post_id: str) -> Post:
        post = selectors.post_detail(user=acting_user(self.request), pk=int(post_id))
        if post.thread_id != thread.pk:
            raise NotFound(_("Post %(id)s does not exist or is not visible to you.") % {"id": post_id})
        return post

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=PostPageSerializer,
    )
    @extend_schema(
        methods=["POST"],
        request={"application/json": PostCreateJSONSerializer, "multipart/form-data": PostCreateSerializer},
        responses={201: PostSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=PARSERS)
    def posts(self, request: Request, pk: str) -> Response:
        """The posts of the thread, oldest first (paginated); ``POST`` replies (``body``, ``quote``, ``files``)."""
        thread = self.get_object()
        user = acting_user(request)
        if request.method == "POST":
            body = PostCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            post = services.post_create(
                actor=user,
                thread_id=thread.pk,
                body=data["body"],
                quote_id=data.get("quote"),
                files=_uploads(data["files"]),
            )
            fresh = selectors.post_list(user=user, thread=thread).get(pk=post.pk)
            return Response(PostSerializer(fresh).data, status=status.HTTP_201_CREATED)
        posts = selectors.post_list(user=user, thread=thread)
        page = self.paginate_queryset(posts)
        if page is not None:
            return self.get_paginated_response(PostSerializer(page, many=True).data)
        return Response(PostSerializer(posts, many=True).data)

    @extend_schema(methods=["GET"], responses=PostSerializer, operation_id="v1_threads_post_retrieve")
    @extend_schema(
        methods=["PATCH"],
        request=PostUpdateSerializer,
        responses=PostSerializer,
        operation_id="v1_threads_post_partial_update",
    )
    @action(detail=True, methods=["get", "patch"], url_path=r"posts/(?P<post_id>[0-9]+)", url_name="post")
    def post_detail(self, request: Request, pk: str, post_id: str) -> Response:
        """One post; ``PATCH {"body"}`` edits it (its author only; the previous text goes to its history)."""
        thread = self.get_object()
        post = self._post_of(thread, post_id)
        user = acting_user(request)
        if request.method == "PATCH":
            body = PostUpdateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            services.post_update(actor=user, post_id=post.pk, body=body.validated_data["body"])
        fresh = selectors.post_list(user=user, thread=thread).get(pk=post.pk)
        return Response(PostSerializer(fresh).data)

    @extend_schema(responses=PostRevisionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path=r"posts/(?P<post_id>[0-9]+)/history", pagination_class=None)
    def history(self, request: Request, pk: str, post_id: str) -> Response:
        """The earlier texts of a post, newest edit first, with who edited and when."""
        post = self._post_of(self.get_object(), post_id)
        revisions = selectors.post_history(user=acting_user(request), post=post)
        return Response(PostRevisionSerializer(revisions, many=True).data)

    @extend_schema(
        request={"multipart/form-data": PostAttachmentInputSerializer}, responses={201: PostAttachmentSerializer}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"posts/(?P<post_id>[0-9]+)/attachments",
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request: Request, pk: str, post_id: str) -> Response:
        """Attach a file to a post (its author only), with the upload checks of every file."""
        post = self._post_of(self.get_object(), post_id)
        body = PostAttachmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        attachment = services.post_attachment_add(
            actor=acting_user(request), post_id=post.pk, name=upload.name, data=upload.read()
        )
        return Response(PostAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ThreadReadInputSerializer, responses=ThreadReadSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Mark the thread read (up to ``up_to``, default its latest post) for the requesting user."""
        thread = self.get_object()
        body = ThreadReadInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        upto = services.thread_mark_read(user=user, thread_id=thread.pk, up_to=body.validated_data.get("up_to"))
        fresh = selectors.thread_detail(user=user, pk=thread.pk)
        unread = getattr(fresh, "unread_count", 0)
        return Response(ThreadReadSerializer({"thread": thread.pk, "read_up_to": upto, "unread_count": unread}).data)
