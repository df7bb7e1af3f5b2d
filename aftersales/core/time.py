"""Time helpers: datetimes are stored in UTC and shown in the installation's zone."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar date of `moment` (default now) in the installation's zone."""
    return timezone.localtime(moment or timezone.now(), local_zone()).date()
