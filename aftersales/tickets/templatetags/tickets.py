"""Badges for status and priority, the same on every page and in every table; SLA times and timeline words."""

import datetime as dt

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from aftersales.sla.choices import Clock
from aftersales.tickets.choices import EventKind

register = template.Library()

STATUS_COLOURS = {
    "new": "blue",
    "assigned": "azure",
    "in_progress": "indigo",
    "pending_customer": "yellow",
    "pending_vendor": "yellow",
    "pending_parts": "yellow",
    "resolved": "green",
    "confirmed": "teal",
    "closed": "secondary",
    "archived": "secondary",
    "cancelled": "secondary",
}
PRIORITY_COLOURS = {1: "red", 2: "orange", 3: "blue", 4: "secondary"}


@register.filter
def note_for(event, user) -> str:
    return event.note_for(user)


@register.simple_tag
def status_badge(ticket):
    return format_html(
        '<span class="badge bg-{}-lt" data-testid="ticket-status">{}</span>',
        STATUS_COLOURS[ticket.status],
        ticket.get_status_display(),
    )


@register.simple_tag
def priority_badge(ticket):
    return format_html(
        '<span class="badge bg-{}-lt">{}</span>', PRIORITY_COLOURS[ticket.priority], ticket.get_priority_display()
    )


@register.filter
def business_duration(value: dt.timedelta | None) -> str:
    """A clock's time in hours and minutes ("4 小时", "1 小时 30 分钟"); days would mislead on office hours."""
    if value is None:
        return "—"
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if not hours and not minutes:
        return gettext("under a minute")
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)


def _local(value: dt.datetime, same_day_as: dt.datetime | None = None) -> str:
    value = timezone.localtime(value)
    if same_day_as is not None and timezone.localtime(same_day_as).date() == value.date():
        return dateformat.format(value, "H:i")
    return dateformat.format(value, "Y-m-d H:i")


@register.simple_tag
def event_summary(event) -> str:
    """The timeline's words for the SLA events; their data is codes and values, the words are made here."""
    data = event.data
    if event.kind == EventKind.ARRIVED and data.get("arrived_at"):
        arrived_at = dt.datetime.fromisoformat(data["arrived_at"])
        return gettext("Arrived on site at %(time)s") % {"time": _local(arrived_at, same_day_as=event.at)}
    if event.kind == EventKind.EMERGENCY_DECLARED:
        return gettext(
            "Emergency plan started: the duty manager and the L3 expert pool have been told; run the contingency plan."
        )
    if event.kind == EventKind.ESCALATION_ACKNOWLEDGED and data.get("clock") in Clock.values:
        return gettext("Escalation acknowledged (%(clock)s %(percent)s%%)") % {
            "clock": Clock(data["clock"]).label,
            "percent": data.get("percent"),
        }
    return event.get_kind_display()
