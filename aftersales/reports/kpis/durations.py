"""Elapsed times between two of a ticket's timestamps, and their 90th percentile on either database.

PostgreSQL computes the percentile itself (percentile_cont, an ordered-set aggregate); SQLite has no such
aggregate, so there the durations of the period are fetched and interpolated here the same way: linearly
between the two closest ranks, as percentile_cont does. Tests hold both to the same answer.
"""

import datetime as dt
from collections.abc import Sequence

from django.db.models import Aggregate, DurationField, ExpressionWrapper, F

PERCENTILE = 0.9


def elapsed(end: str, start: str = "received_at") -> ExpressionWrapper:
    """`end` minus `start` as a duration (NULL when `end` is empty)."""
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


class PercentileCont(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression): PostgreSQL only."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = DurationField()
    allow_distinct = False

    def __init__(self, expression, *, fraction: float = PERCENTILE, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction from 0 to 1.")
        # The fraction is ours, never the user's: a number written into the SQL, not a parameter.
        self.template = f"%(function)s({float(fraction)!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        super().__init__(expression, **extra)


def database_percentiles(connection) -> bool:
    return connection.vendor == "postgresql"


def percentile(durations: Sequence[dt.timedelta], fraction: float = PERCENTILE) -> dt.timedelta | None:
    """The `fraction` percentile of `durations` with linear interpolation (percentile_cont); None when empty."""
    if not durations:
        return None
    ordered = sorted(durations)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def whole_seconds(duration: dt.timedelta | None) -> dt.timedelta | None:
    """Rounded to the second: the databases average and interpolate to different fractions of a microsecond."""
    if duration is None:
        return None
    return dt.timedelta(seconds=round(duration.total_seconds()))
