from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KNOWN_ERROR = "known_error", _("Known error")
    FIXED = "fixed", _("Fixed")
    CLOSED = "closed", _("Closed")


# The one table of allowed problem status changes. A fix that did not hold sends a problem back to
# "known error"; a closed problem may be reopened when its incidents come back.
PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.OPEN: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.FIXED, ProblemStatus.CLOSED}),
    ProblemStatus.KNOWN_ERROR: frozenset({ProblemStatus.OPEN, ProblemStatus.FIXED, ProblemStatus.CLOSED}),
    ProblemStatus.FIXED: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.CLOSED}),
    ProblemStatus.CLOSED: frozenset({ProblemStatus.OPEN}),
}

# Problems still to be worked on (the monthly statistics count them as unresolved common problems).
ACTIVE_PROBLEM_STATUSES = frozenset({ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR})
