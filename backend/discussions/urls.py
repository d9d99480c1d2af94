"""Pages of the discussion board under ``/discussions/``."""

from django.urls import path

from backend.discussions import views

app_name = "discussions"
urlpatterns = [
    path("threads/<int:pk>/", views.thread_page, name="thread"),
    path("threads/<int:pk>/reply/", views.thread_reply, name="reply"),
    path("projects/<int:project_id>/new/", views.thread_new, name="new-on-project"),
    path("tenders/<int:tender_id>/new/", views.thread_new, name="new-on-tender"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:pk>/history/", views.post_history, name="post-history"),
    path("posts/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
