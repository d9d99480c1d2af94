"""Knowledge and search endpoints. Thin: visibility from the base viewsets and selectors, writes from
the services, search from ``backend.search.selectors``."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from backend.accounts.http import acting_user
from backend.core.api.audit import AuditHistoryMixin
from backend.core.api.viewsets import VisibleModelViewSet, VisibleQuerysetMixin
from backend.knowledge import selectors, services
from backend.knowledge.api.serializers import (
    ArticleListSerializer,
    ArticleSerializer,
    ArticleTransitionInputSerializer,
    AttachmentInputSerializer,
    AttachmentSerializer,
    CategorySerializer,
    KeywordSerializer,
    LinkSerializer,
    ProposalInputSerializer,
    ReviewInputSerializer,
    SearchParamsSerializer,
    SearchResponseSerializer,
    VersionSerializer,
)
from backend.knowledge.models import Article, ArticleLink, Category, Keyword
from backend.search.selectors import search_for_user


class ArticleViewSet(AuditHistoryMixin, VisibleModelViewSet):
    """Articles the user may read; drafts only for their author and the knowledge admins."""

    filterset_fields = ["status", "industry", "category", "author"]
    ordering_fields = ["updated_at", "published_at", "title"]
    ordering = ["-updated_at"]

    def base_queryset(self) -> QuerySet[Article]:
        return Article.objects.all()

    def get_queryset(self) -> QuerySet[Article]:
        return (
            super()
            .get_queryset()
            .select_related("author")
            .prefetch_related("keywords", "roles", "users", "departments", "attachments")
        )

    def get_serializer_class(self):
        return ArticleListSerializer if self.action == "list" else ArticleSerializer

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.article_create(
            author=self.request.user,
            title=data.get("title", ""),
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            industry=data.get("industry", ""),
            category_id=data.get("category"),
            keywords=data.get("keywords", []),
            visibility=data.get("visibility", "public"),
            department_ids=data.get("departments", []),
            roles=data.get("roles", []),
            user_ids=data.get("users", []),
        )

    def perform_update(self, serializer: BaseSerializer) -> None:
        article = cast(Article, serializer.instance)  # an update has its instance
        serializer.instance = services.article_update(
            article_id=article.pk, actor=self.request.user, data=dict(serializer.validated_data)
        )

    def _fresh(self, article_id: int) -> Response:
        article = self.get_queryset().get(pk=article_id)
        return Response(ArticleSerializer(article, context=self.get_serializer_context()).data)

    @extend_schema(request=ArticleTransitionInputSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request: Request, pk: str, name: str) -> Response:
        body = ArticleTransitionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        article = services.article_transition(
            article_id=self.get_object().pk,
            actor=acting_user(request),
            name=name,
            comment=body.validated_data["comment"],
        )
        return self._fresh(article.pk)

    @extend_schema(request=ReviewInputSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        body = ReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        article = services.article_review(
            article_id=self.get_object().pk,
            actor=acting_user(request),
            decision=data["decision"],
            category_id=data.get("category"),
            keywords=data.get("keywords"),
            industry=data.get("industry"),
            visibility=data.get("visibility"),
            department_ids=data["departments"],
            roles=data["roles"],
            user_ids=data["users"],
            comment=data["comment"],
        )
        return self._fresh(article.pk)

    @extend_schema(request={"multipart/form-data": AttachmentInputSerializer}, responses=AttachmentSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str) -> Response:
        body = AttachmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        attachment = services.article_attachment_add(
            article_id=self.get_object().pk, actor=acting_user(request), name=upload.name, data=upload.read()
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        article = self.get_object()
        versions = article.versions.select_related("edited_by").order_by("-version")
        return Response(VersionSerializer(versions, many=True).data)


class CategoryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The category tree (every user reads it; knowledge admins add to it)."""

    serializer_class = CategorySerializer
    queryset = Category.objects.all()
    pagination_class = None

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        parent = data.get("parent")
        serializer.instance = services.category_create(
            actor=acting_user(self.request),
            name=data["name"],
            parent_id=parent.pk if parent else None,
            order=data.get("order", 0),
            description=data.get("description", ""),
        )


class KeywordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = KeywordSerializer
    queryset = Keyword.objects.all()
    filterset_fields = ["name"]

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.keyword_ensure(name=serializer.validated_data["name"])


class ProposalViewSet(viewsets.GenericViewSet):
    """``POST knowledge/proposals/`` proposes a project record to the knowledge base (知识文档 → 知识库)."""

    serializer_class = ProposalInputSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(request=ProposalInputSerializer, responses={201: ArticleSerializer})
    def create(self, request: Request) -> Response:
        body = ProposalInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        article = services.article_propose(
            actor=acting_user(request),
            kind=data["kind"],
            object_id=data["object_id"],
            title=data["title"],
            note=data["note"],
        )
        article = selectors.article_detail(user=acting_user(request), pk=article.pk)
        return Response(ArticleSerializer(article, context={"request": request}).data, status=status.HTTP_201_CREATED)


class LinkViewSet(
    VisibleQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Links between articles and projects the user may see both of; accept/dismiss suggestions, or add a
    link by hand (``POST {"project", "article"}``)."""

    serializer_class = LinkSerializer
    filterset_fields = ["project", "article", "status", "source"]

    def base_queryset(self) -> QuerySet[ArticleLink]:
        return ArticleLink.objects.select_related("article", "project")

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.link_add(
            project_id=data["project"].pk, article_id=data["article"].pk, actor=self.request.user
        )

    def _decide(self, decision: str) -> Response:
        link = services.link_decide(link_id=self.get_object().pk, actor=self.request.user, decision=decision)
        return Response(LinkSerializer(link).data)

    @extend_schema(request=None, responses=LinkSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._decide("accept")

    @extend_schema(request=None, responses=LinkSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        return self._decide("dismiss")


class SearchView(APIView):
    """Global search over articles, projects, customers and tenders the user may see: BM25 ranking,
    highlighted title and snippet, facet counts (type, category, keyword, industry) over the same
    permission-filtered set, pagination."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="words in Chinese (简体/繁體) or English"),
            OpenApiParameter("type", str, description="article, project, customer or tender (comma-separated)"),
            OpenApiParameter("category", str, description="category id or name (includes sub-categories)"),
            OpenApiParameter("keyword", str, description="keyword id or name"),
            OpenApiParameter("industry", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=SearchResponseSerializer,
    )
    def get(self, request: Request) -> Response:
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        page = search_for_user(
            user=request.user,
            text=p["q"],
            types=[t.strip() for t in p["type"].split(",") if t.strip()],
            category=p["category"],
            keyword=p["keyword"],
            industry=p["industry"],
            page=p["page"],
            page_size=p["page_size"],
        )

        def link(number: int) -> str:
            query = request.query_params.copy()
            query["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        body = {
            "count": page.result.total,
            "next": link(page.page + 1) if page.has_next else None,
            "previous": link(page.page - 1) if page.has_previous else None,
            "results": page.result.hits,
            "facets": page.result.facets,
        }
        return Response(SearchResponseSerializer(body).data)
