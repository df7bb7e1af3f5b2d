"""Filters for ticket lists, shared by the HTML queue and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team, User
from aftersales.accounts.roles import STAFF_ROLES
from aftersales.customers.models import Customer
from aftersales.tickets.choices import OPEN_STATUSES, Channel, Kind, Priority, SlaHealth, Status, Tier
from aftersales.tickets.models import Ticket


def visible_customers(request):
    """Only customers the user may see can be chosen, so the filter never confirms another's id."""
    if request is None:
        return Customer.objects.none()
    return Customer.objects.visible_to(request.user)


def assignable_users(request):
    """Staff who can hold tickets; customer users may not enumerate the provider's people."""
    if request is None or not request.user.is_authenticated or not request.user.is_staff_member:
        return User.objects.none()
    return User.objects.filter(role__in=STAFF_ROLES)


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Number or title contains"))
    # distinct=False: status is the ticket's own column, so no row can repeat; DISTINCT would sort every match.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, label=_("Customer"))
    assignee = django_filters.ModelChoiceFilter(queryset=assignable_users, label=_("Assignee"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))

    class Meta:
        model = Ticket
        fields = ["q", "status", "priority", "customer", "assignee", "kind", "tier", "channel"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class QueueFilter(TicketFilter):
    """The HTML queue: one status list that starts on the open tickets, with "all" a click away."""

    OPEN, ALL = "open", "all"
    status = django_filters.ChoiceFilter(
        choices=[(OPEN, _("All open")), *Status.choices, (ALL, _("All statuses"))],
        method="filter_status",
        empty_label=None,
        label=_("Status"),
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and not data.get("status"):
            # Staff work the open queue; customers also need what waits for their confirmation.
            customer = request is not None and request.user.is_customer_user
            data["status"] = self.ALL if customer else self.OPEN
        super().__init__(data, *args, request=request, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == self.ALL:
            return queryset
        if value == self.OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)


def staff_teams(request):
    """Teams to filter by; customer users may not enumerate the provider's teams."""
    if request is None or not request.user.is_authenticated or not request.user.is_staff_member:
        return Team.objects.none()
    return Team.objects.all()


class SlaBoardFilter(django_filters.FilterSet):
    """The SLA board: open tickets narrowed to one customer, tier, team, engineer or SLA health."""

    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, label=_("Customer"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    team = django_filters.ModelChoiceFilter(queryset=staff_teams, label=_("Team"))
    assignee = django_filters.ModelChoiceFilter(queryset=assignable_users, label=_("Engineer"))
    health = django_filters.ChoiceFilter(field_name="sla_health", choices=SlaHealth.choices, label=_("SLA"))

    class Meta:
        model = Ticket
        fields = ["customer", "tier", "team", "assignee", "health"]
