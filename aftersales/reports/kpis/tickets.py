"""The tickets behind an engineer's figures: what they handled in the period, newest resolution first."""

from django.db.models import BooleanField, ExpressionWrapper

from aftersales.reports.kpis.durations import elapsed
from aftersales.reports.kpis.figures import reopened_condition, started_visits
from aftersales.reports.periods import Period
from aftersales.tickets.models import Ticket

SHOWN = 100


def handled_tickets(*, user, period: Period, engineer, limit: int = SHOWN) -> list[Ticket]:
    """At most `limit` + 1 tickets (one more tells the page there are others), each with its times,
    its started visits and whether it was reopened."""
    since, until = period.bounds
    tickets = (
        Ticket.objects.visible_to(user)
        .filter(assignee=engineer, resolved_at__gte=since, resolved_at__lt=until)
        .select_related("customer")
        .only("id", "number", "title", "priority", "received_at", "resolved_at", "customer__id", "customer__name")
        .annotate(
            visits=started_visits(),
            was_reopened=ExpressionWrapper(reopened_condition(), output_field=BooleanField()),
            response_time=elapsed("responded_at"),
            arrival_time=elapsed("arrived_at"),
            resolution_time=elapsed("resolved_at"),
        )
        .order_by("-resolved_at", "-id")
    )
    return list(tickets[: limit + 1])
