from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared base every app stands on: the error family, base models, the visibility registry,
    notifications, uploads, the working calendar, backup and the web server command. Must not import any
    other app of the project (they register into it)."""

    name = "backend.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from backend.core.bounds import guard_pre_save
        from backend.core.counts import install
        from backend.core.notifications import notifications_resume
        from backend.core.recovery import register_resumer

        register_resumer("notifications", notifications_resume)

        # Every model, every save: no number or date the database cannot return exactly (bounds.py).
        pre_save.connect(guard_pre_save, dispatch_uid="core.bounds.guard_pre_save")
        # Every write gives its table a new version, so lists' cached counts and totals stay exact (counts.py).
        connection_created.connect(install, dispatch_uid="core.counts.install")
