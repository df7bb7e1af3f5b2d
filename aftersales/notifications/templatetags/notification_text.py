"""Filters for the message templates: times in the installation's zone, and time left or overdue in words."""

import datetime as dt
import math

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.time import local_zone

register = template.Library()


@register.filter
def local_minute(value: dt.datetime | None) -> str:
    """YYYY-MM-DD HH:MM in settings.TIME_ZONE, whatever zone the datetime is in."""
    if not value:
        return ""
    return timezone.localtime(value, local_zone()).strftime("%Y-%m-%d %H:%M")


@register.filter
def time_left(remaining: dt.timedelta | None) -> str:
    """ "12 min left", "1 h 5 min left", or "3 min overdue" when negative (whole minutes, rounded up)."""
    if remaining is None:
        return ""
    seconds = remaining.total_seconds()
    minutes = math.ceil(abs(seconds) / 60)
    hours, rest = divmod(minutes, 60)
    values = {"hours": hours, "minutes": rest if hours else minutes}
    if seconds < 0:
        text = _("%(hours)s h %(minutes)s min overdue") if hours else _("%(minutes)s min overdue")
    else:
        text = _("%(hours)s h %(minutes)s min left") if hours else _("%(minutes)s min left")
    return text % values
