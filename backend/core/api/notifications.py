"""Notification endpoints: my notifications (rendered in my language), mark read, mark all read."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.core.models import Notification
from backend.core.notifications import render


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "params", "text", "url", "created_at", "read_at", "read"]

    def get_text(self, obj: Notification) -> str:
        return render(obj.kind, obj.params)

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Only the requesting user's own notifications exist here."""

    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = Notification.objects.filter(recipient_id=self.request.user.pk)  # behind IsAuthenticated
        unread = self.request.query_params.get("unread")
        return qs.filter(read_at__isnull=True) if unread in ("1", "true") else qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked_read": count})
