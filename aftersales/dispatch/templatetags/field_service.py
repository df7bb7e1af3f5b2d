"""The ticket page's field-service card: its work orders, dispatching, escalation and vendor cases.

A template tag because the ticket page (tickets) sits below field service (dispatch) in the layers."""

from django import template

from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.services.work_orders import may_dispatch
from aftersales.dispatch.views.tiers import ticket_tier_context

register = template.Library()


@register.inclusion_tag("dispatch/includes/ticket_field_service.html", takes_context=True)
def field_service_card(context, ticket):
    user = context["user"]
    work_orders = WorkOrder.objects.visible_to(user).filter(ticket=ticket).select_related("engineer")
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "ticket": ticket,
        "work_orders": list(work_orders.order_by("dispatched_at", "id")),
        "can_dispatch": ticket.is_open and may_dispatch(user),
        **ticket_tier_context(ticket=ticket, user=user),
    }
