"""The hotline pop-up for any page: `{% load intake %}{% incoming_calls %}` in the base template.

It renders nothing for people who do not answer calls, and nothing on the hotline page, which shows the
calls itself.
"""

from django import template
from django.template.loader import render_to_string

from aftersales.intake.hotline import may_answer_calls, ringing_context

register = template.Library()


@register.simple_tag(takes_context=True)
def incoming_calls(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or context.get("hotline_page") or not may_answer_calls(user):
        return ""
    return render_to_string("intake/includes/ringing.html", ringing_context(user, floating=True), request=request)
