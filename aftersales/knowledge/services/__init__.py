from aftersales.knowledge.services.articles import (
    ARTICLE_FIELDS,
    article_create,
    article_feedback,
    article_from_ticket,
    article_publish,
    article_update,
    article_withdraw,
)
from aftersales.knowledge.services.problems import (
    PROBLEM_FIELDS,
    problem_create,
    problem_link_incident,
    problem_transition,
    problem_unlink_incident,
    problem_update,
)

__all__ = [
    "ARTICLE_FIELDS",
    "PROBLEM_FIELDS",
    "article_create",
    "article_feedback",
    "article_from_ticket",
    "article_publish",
    "article_update",
    "article_withdraw",
    "problem_create",
    "problem_link_incident",
    "problem_transition",
    "problem_unlink_incident",
    "problem_update",
]
