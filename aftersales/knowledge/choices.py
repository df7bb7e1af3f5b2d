from django.db import models
from django.utils.translation import pgettext_lazy


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("article status", "Draft")
    PUBLISHED = "published", pgettext_lazy("article status", "Published")


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem status", "Open")
    KNOWN_ERROR = "known_error", pgettext_lazy("problem status", "Known error")
    FIXED = "fixed", pgettext_lazy("problem status", "Fixed")
    CLOSED = "closed", pgettext_lazy("problem status", "Closed")


# The one table of allowed problem status changes. A fix that did not hold sends a problem back to
# "known error"; a closed problem may be reopened when its incidents come back.
PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.OPEN: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.FIXED, ProblemStatus.CLOSED}),
    ProblemStatus.KNOWN_ERROR: frozenset({ProblemStatus.OPEN, ProblemStatus.FIXED, ProblemStatus.CLOSED}),
    ProblemStatus.FIXED: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.CLOSED}),
    ProblemStatus.CLOSED: frozenset({ProblemStatus.OPEN}),
}

# The order a status form offers the next statuses in: forward first, reopening last.
PROBLEM_STATUS_ORDER = (ProblemStatus.KNOWN_ERROR, ProblemStatus.FIXED, ProblemStatus.CLOSED, ProblemStatus.OPEN)

# Problems still to be worked on (the monthly statistics count them as unresolved common problems).
ACTIVE_PROBLEM_STATUSES = frozenset({ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR})
