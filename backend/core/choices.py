"""Classifications shared by several apps (customers, projects, knowledge)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Industry(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    FINANCE = "finance", pgettext_lazy("industry", "Finance")
    ENERGY = "energy", _("Energy and utilities")
    TELECOM = "telecom", _("Telecommunications")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    TRANSPORT = "transport", _("Transport and logistics")
    RETAIL = "retail", _("Retail")
    INTERNET = "internet", _("Internet")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    NORTH = "north", _("North China")
    EAST = "east", _("East China")
    SOUTH = "south", _("South China")
    CENTRAL = "central", _("Central China")
    SOUTHWEST = "southwest", _("Southwest China")
    NORTHWEST = "northwest", _("Northwest China")
    NORTHEAST = "northeast", _("Northeast China")
    HK_MO_TW = "hk_mo_tw", _("Hong Kong, Macao and Taiwan")
    OVERSEAS = "overseas", _("Overseas")
