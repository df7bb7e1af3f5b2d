"""The ticket page's spare-parts card: the part requests, their delivery clocks and, for staff, their forms.

A template tag because the ticket page (tickets) sits below spare parts (parts) in the layers."""

from django import template

from aftersales.parts.views.requests import ticket_parts_context

register = template.Library()


@register.inclusion_tag("parts/includes/ticket_parts.html", takes_context=True)
def ticket_parts_card(context, ticket):
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        **ticket_parts_context(ticket=ticket, user=context["user"]),
    }
