"""The ticket page's knowledge card: suggested articles, the problems the ticket is linked to, and (for staff)
"link to a problem" and "write an article from this ticket".

A template tag because the ticket page (tickets) sits below the knowledge base in the layers."""

from django import template

from aftersales.knowledge.forms import LinkProblemForm
from aftersales.knowledge.rules import may_manage_problems, may_read_problems, may_write_articles
from aftersales.knowledge.selectors import problem_choices_for, suggested_articles, ticket_problems
from aftersales.knowledge.services.articles import ANSWERED_STATUSES

register = template.Library()


@register.inclusion_tag("knowledge/includes/ticket_knowledge.html", takes_context=True)
def knowledge_card(context, ticket):
    user = context["user"]
    reads_problems = may_read_problems(user)
    manages_problems = may_manage_problems(user)
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "ticket": ticket,
        "articles": suggested_articles(user=user, ticket=ticket),
        "problem_links": ticket_problems(user=user, ticket=ticket) if reads_problems else [],
        "reads_problems": reads_problems,
        "link_form": LinkProblemForm() if manages_problems else None,
        "problem_choices": problem_choices_for(user=user, ticket=ticket) if manages_problems else [],
        "can_write_article": may_write_articles(user) and ticket.status in ANSWERED_STATUSES,
    }
