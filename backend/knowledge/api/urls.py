"""``/api/v1/knowledge/...`` and ``/api/v1/search/``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.knowledge.api import views

router = SimpleRouter()
router.register("knowledge/articles", views.ArticleViewSet, basename="knowledge-article")
router.register("knowledge/categories", views.CategoryViewSet, basename="knowledge-category")
router.register("knowledge/keywords", views.KeywordViewSet, basename="knowledge-keyword")
router.register("knowledge/links", views.LinkViewSet, basename="knowledge-link")
router.register("knowledge/proposals", views.ProposalViewSet, basename="knowledge-proposal")
urlpatterns = [path("search/", views.SearchView.as_view(), name="api-search"), *router.urls]
