from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """Channel partners: a profile for each partner of the catalogue with its grade (金牌/银牌/注册), the
    criteria that grade it, the grade's terms (credit limit, discount ceiling, support level), and the
    periodic re-grading. Reads customers and projects; must not import the apps above (the quotations read
    the discount ceiling from here, not the other way round)."""

    name = "backend.partners"
    label = "partners"
    verbose_name = _("Channel partners")

    def ready(self) -> None:
        from backend.partners import permissions  # noqa: F401  (rules)
