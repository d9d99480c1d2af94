from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Projects (opportunities through delivery): the lifecycle state machine, members, competitors, partners,
    checklists, budget and expenses, and the event log. It fires every project transition and offers the
    registry (``transitions``) through which the apps above contribute their preconditions and effects; it must
    not import bids, tenders, milestones, payments, docs_templates or knowledge."""

    name = "backend.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from backend.projects import permissions, services, timeline, visibility  # noqa: F401  (rules, stream sources)

        services.register()  # the gate outcome handlers and the project's own transition checks
        from django.db.models.signals import post_migrate, pre_migrate

        from backend.projects import text_index

        # the text filter's index on SQLite: its triggers stand aside while projects or customers migrate
        pre_migrate.connect(
            lambda sender, using="default", plan=None, **kwargs: text_index.before_migrate(using, plan),
            sender=self,
            dispatch_uid="projects.text_index.before_migrate",
            weak=False,
        )
        post_migrate.connect(
            lambda sender, using="default", **kwargs: text_index.ensure(using),
            sender=self,
            dispatch_uid="projects.text_index.ensure",
            weak=False,
        )
        from backend.projects.choices import MemberRole, Source
        from backend.projects.selectors import project_routing_record
        from workflows.routing.services import routing_project_roles, routing_record, routing_values

        routing_record("project")(project_routing_record)
        routing_project_roles(MemberRole.choices)
        routing_values("source", Source.choices)
        from backend.customers.panels import customer_panel

        customer_panel(
            "projects",
            "backend.projects.views.customer.customer_projects_context",
            "projects/_customer_projects.html",
            order=10,
        )
