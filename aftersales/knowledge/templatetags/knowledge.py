"""The ticket page's knowledge card: suggested articles, the problems the ticket is linked to, and (for staff)
"link to a problem" and "write an article from this ticket".

A template tag because the ticket page (tickets) sits below the knowledge base in the layers."""

from django import template

from aftersales.knowledge.forms import LinkProblemForm
from aftersales.knowledge.rules import may_manage_problems, may_read_problems, may_write_articles
from aftersales.knowledge.selectors import suggested_articles, ticket_problems_and_choices
from aftersales.knowledge.services.articles import ANSWERED_STATUSES

register = template.Library()
# Active problems offered in the "link to a problem" field.
PROBLEM_CHOICES = 20


@register.inclusion_tag("knowledge/includes/ticket_knowledge.html", takes_context=True)
def knowledge_card(context, ticket):
    user = context["user"]
    reads_problems = may_read_problems(user)
    manages_problems = may_manage_problems(user)
    problems, choices = (
        ticket_problems_and_choices(user=user, ticket=ticket, choices=PROBLEM_CHOICES if manages_problems else 0)
        if reads_problems
        else ([], [])
    )
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "ticket": ticket,
        "articles": suggested_articles(user=user, ticket=ticket),
        "problems": problems,
        "reads_problems": reads_problems,
        "link_form": LinkProblemForm() if manages_problems else None,
        "problem_choices": choices,
        "can_write_article": may_write_articles(user) and ticket.status in ANSWERED_STATUSES,
    }
