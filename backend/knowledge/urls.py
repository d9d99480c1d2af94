"""Pages of the knowledge base and search (mounted at /knowledge/)."""

from django.urls import path

from backend.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("search/", views.search_page, name="search"),
    path("categories/<int:pk>/", views.browser, name="category"),
    path("articles/new/", views.article_create, name="article-create"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("articles/<int:pk>/versions/<int:version>/", views.article_version, name="article-version"),
    path("articles/<int:pk>/transitions/<slug:name>/", views.article_transition, name="article-transition"),
    path("articles/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("preview/", views.article_preview, name="preview"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review-decide"),
    path("propose/<slug:kind>/<int:object_id>/", views.propose, name="propose"),
    path("links/<int:pk>/<slug:decision>/", views.link_decide, name="link-decide"),
]
