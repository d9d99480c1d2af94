"""Role names. Each role is a Django Group of the same name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BID_MANAGER = "bid_manager", _("Bid manager")
    PRESALES = "presales", _("Presales engineer")
    DIRECTOR = "director", _("Sales director")
    LEGAL = "legal", _("Legal")
    FINANCE = "finance", _("Finance")
    PM = "pm", _("Project manager")
    ENGINEER = "engineer", _("Engineer")
    QUALITY = "quality", _("Quality assurance")
    SERVICE = "service", _("Service desk agent")
    EXECUTIVE = "exec", _("Executive")
    KB_ADMIN = "kbadmin", _("Knowledge admin")
    ADMIN = "admin", _("Administrator")


# Roles that see every customer and project (DESIGN.md §6: sales directors and executives; legal and
# finance review every contract; administrators run the system).
SEE_ALL_ROLES = frozenset({Role.DIRECTOR, Role.EXECUTIVE, Role.LEGAL, Role.FINANCE, Role.ADMIN})
