"""What the SLA tests share: Beijing times, a clock moved by hand, and a P1 fault logged by phone."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from aftersales.customers.tests.factories import CustomerFactory
from aftersales.tickets.choices import Channel, Kind, Level
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_create

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def beijing(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


class FrozenClock:
    """`timezone.now()` for the services and the pages, moved by hand."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment


def catastrophic_fault(actor, *, on_site: bool = True, **overrides) -> Ticket:
    """P1 under the default policy: response 30 minutes, on site 2 hours, fixed in 4, all on a 7x24 calendar."""
    values = {
        "actor": actor,
        "customer": CustomerFactory(),
        "title": "视频专网核心交换机宕机",
        "description": "全市监控中断。",
        "contact_name": "赵科长",
        "contact_phone": "+8613911112222",
        "kind": Kind.CATASTROPHIC_FAULT,
        "channel": Channel.PHONE,
        "urgency": Level.HIGH,
        "impact": Level.HIGH,
        "on_site_required": on_site,
    }
    return ticket_create(**{**values, **overrides})
