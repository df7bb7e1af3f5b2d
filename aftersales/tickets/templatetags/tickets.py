"""Badges for status and priority, the same on every page and in every table."""

from django import template
from django.utils.html import format_html

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
