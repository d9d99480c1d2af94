"""Channel partner endpoints: partners with grade, terms, figures and reasons (filter ``?grade=``, ``?search=``),
their trainings and certifications, and the grades. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts.http import acting_user
from backend.core.api.viewsets import VisibleModelViewSet, VisibleQuerysetMixin
from backend.core.errors import ValidationFailed
from backend.partners import selectors, services
from backend.partners.api.serializers import (
    PartnerCertificationSerializer,
    PartnerGradeSerializer,
    PartnerSerializer,
    PartnerTrainingSerializer,
)
from backend.partners.models import PartnerCertification, PartnerGrade, PartnerTraining
from backend.projects.models import Partner


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("grade", str, description="a grade code (gold, silver, registered) or none"),
            OpenApiParameter("search", str, description="part of the partner's name"),
        ]
    )
)
class PartnerViewSet(VisibleModelViewSet):
    serializer_class = PartnerSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        grade = params.get("grade", "")
        if grade and grade != "none" and not PartnerGrade.objects.filter(code=grade).exists():
            codes = ", ".join(g.code for g in selectors.grades())
            raise ValidationFailed(
                _("%(code)s is not a partner grade; choose one of %(codes)s, or none.")
                % {"code": grade, "codes": codes},
                fields={"grade": [grade]},
                code="invalid_grade",
            )
        return selectors.partner_list(grade=grade, search=params.get("search", ""))

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["grades"] = {g.code: g for g in selectors.grades()}
        return context

    def _answer(self, partner: Partner, status: int = 200) -> Response:
        fresh = selectors.partner_list().get(pk=partner.pk)
        return Response(self.get_serializer(fresh).data, status=status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("grade_lock", None)
        data.update(data.pop("profile", {}))
        partner = services.partner_create(actor=acting_user(request), **data)
        return self._answer(partner, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partner = self.get_object()
        body = self.get_serializer(partner, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = {}
        data.update(body.validated_data.get("profile", {}))
        if "grade_lock" in body.validated_data:
            data["grade"] = body.validated_data["grade_lock"]
        services.partner_profile_save(actor=acting_user(request), partner=partner, data=data)
        return self._answer(partner)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(methods=["get"], responses=PartnerTrainingSerializer(many=True))
    @extend_schema(methods=["post"], request=PartnerTrainingSerializer, responses={201: PartnerTrainingSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def trainings(self, request: Request, pk: str) -> Response:
        partner = self.get_object()
        if request.method == "GET":
            rows = PartnerTraining.objects.filter(partner=partner)
            return Response(PartnerTrainingSerializer(rows, many=True).data)
        body = PartnerTrainingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        training = services.partner_training_add(actor=acting_user(request), partner=partner, **body.validated_data)
        return Response(PartnerTrainingSerializer(training).data, status=201)

    @extend_schema(methods=["get"], responses=PartnerCertificationSerializer(many=True))
    @extend_schema(
        methods=["post"], request=PartnerCertificationSerializer, responses={201: PartnerCertificationSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def certifications(self, request: Request, pk: str) -> Response:
        partner = self.get_object()
        if request.method == "GET":
            rows = PartnerCertification.objects.filter(partner=partner)
            return Response(PartnerCertificationSerializer(rows, many=True).data)
        body = PartnerCertificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certification = services.partner_certification_add(
            actor=acting_user(request), partner=partner, **body.validated_data
        )
        return Response(PartnerCertificationSerializer(certification).data, status=201)


class PartnerGradeViewSet(
    VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The grades with their thresholds and terms (administrators edit them in the admin)."""

    serializer_class = PartnerGradeSerializer
    pagination_class = None

    def base_queryset(self):
        return PartnerGrade.objects.order_by("-rank")
