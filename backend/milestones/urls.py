"""Delivery pages (mounted at ``/delivery/``): the milestones tab on a page of its own, the actions posted
from it and file downloads."""

from django.urls import path

from backend.milestones import alarm_views, views

app_name = "milestones"
urlpatterns = [
    path("project/<int:pk>/milestones/", views.project_milestones, name="project-milestones"),
    # milestones tab
    path(
        "project/<int:pk>/milestones/<int:milestone_pk>/transition/",
        views.milestone_transition,
        name="milestone-transition",
    ),
    path("project/<int:pk>/milestones/<int:milestone_pk>/plan/", views.milestone_plan, name="milestone-plan"),
    path(
        "project/<int:pk>/milestones/<int:milestone_pk>/deliverables/",
        views.deliverable_upload,
        name="deliverable-upload",
    ),
    path(
        "project/<int:pk>/deliverables/<int:deliverable_pk>/versions/",
        views.deliverable_version_add,
        name="deliverable-version-add",
    ),
    path(
        "project/<int:pk>/deliverables/<int:deliverable_pk>/submit/",
        views.deliverable_submit,
        name="deliverable-submit",
    ),
    path(
        "project/<int:pk>/deliverables/<int:deliverable_pk>/review/",
        views.deliverable_review,
        name="deliverable-review",
    ),
    path("project/<int:pk>/acceptances/", views.acceptance_add, name="acceptance-add"),
    path("project/<int:pk>/tasks/<int:task_pk>/", views.task_status, name="task-status"),
    # alarms
    path("alarms/", alarm_views.alarm_list, name="alarms"),
    path("alarms/<int:pk>/acknowledge/", alarm_views.alarm_acknowledge, name="alarm-acknowledge"),
    # downloads
    path("versions/<int:pk>/download/", views.version_download, name="version-download"),
    path("acceptances/<int:pk>/certificate/", views.certificate_download, name="certificate-download"),
]
