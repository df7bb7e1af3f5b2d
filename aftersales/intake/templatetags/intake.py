"""Intake on other apps' pages (which sit below intake in the layers):

- `{% load intake %}{% incoming_calls %}` in the base template: the hotline pop-up on every page, for those
  who answer calls (not on the hotline page, which shows the calls itself);
- `{% load intake %}{% intake_origin_card ticket %}` on the ticket page: the fax, calls and alerts behind it.
"""

from django import template
from django.template.loader import render_to_string

from aftersales.intake.hotline import POLL_SECONDS, may_answer_calls
from aftersales.intake.models import Alert, FaxReceipt, IncomingCall

register = template.Library()


@register.simple_tag(takes_context=True)
def incoming_calls(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or context.get("hotline_page") or not may_answer_calls(user):
        return ""
    # Rendered empty and filled by its first poll: the pop-up costs every page of the desk no query.
    empty = {"cards": [], "shown": "", "poll_seconds": POLL_SECONDS, "floating": True, "poll_at_once": True}
    return render_to_string("intake/includes/ringing.html", empty, request=request)


@register.inclusion_tag("intake/includes/ticket_origin.html", takes_context=True)
def intake_origin_card(context, ticket):
    """On the ticket page, for staff: the fax, calls and monitoring alerts behind the ticket (three queries).

    Customers see nothing here (the registers are the service desk's own), and no query is made for them."""
    user = context["user"]
    if not user.is_staff_member:
        return {"shown": False}
    fax = FaxReceipt.objects.visible_to(user).filter(ticket=ticket).first()
    calls = list(IncomingCall.objects.visible_to(user).filter(ticket=ticket).select_related("handled_by")[:10])
    alerts = list(Alert.objects.visible_to(user).filter(ticket=ticket).select_related("source"))
    return {"shown": bool(fax or calls or alerts), "fax": fax, "calls": calls, "alerts": alerts}
