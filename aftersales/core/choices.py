from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """Monday is 0, as `date.weekday()` counts."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Tier(models.TextChoices):
    """Support tiers: the service desk, engineers on site or remote, experts and the original vendor."""

    L1 = "L1", _("L1 service desk")
    L2 = "L2", _("L2 engineer")
    L3 = "L3", _("L3 expert or vendor")
