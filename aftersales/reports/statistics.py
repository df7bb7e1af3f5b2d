"""Internal monthly statistics (seed 001: 每月对受理的服务项目进行分类统计): what was asked for in a month, by kind,
category, product and customer; what was still unfinished at the month's end and who owns it; and the problems
that kept coming back (categories, products, pieces of equipment, words of the titles), with the known problems
(knowledge base) they are linked to, so they can be fixed at the root.

"Category" is the class of the equipment concerned (hardware, software, network, other: the product's
category), beside the request's kind and how it was solved. A ticket about several pieces of equipment counts
once for each product; tickets without equipment are counted apart.

Everything is aggregated in the database (a handful of GROUP BY queries over the month's tickets); only the
words of the titles are counted in Python, once per distinct title.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import is_cjk
from aftersales.assets.models import Asset
from aftersales.contracts.choices import AssetClass
from aftersales.knowledge.choices import ProblemStatus
from aftersales.knowledge.models import Problem, ProblemIncident
from aftersales.reports.periods import Period
from aftersales.reports.terms import frequent_terms
from aftersales.tickets.choices import Channel, Kind, Priority, ResolutionMethod, Status
from aftersales.tickets.models import Ticket
from aftersales.tickets.sla_report import period_bounds

# The page lists this many unfinished tickets, oldest first; the Excel file has them all.
UNFINISHED_SHOWN = 200
TOP_PRODUCTS = 20
TOP_CUSTOMERS = 30
RECURRING_ASSETS = 20
TOP_TERMS = 20
TOP_PROBLEMS = 20
# Known problems still worth pointing at: not yet closed.
LIVE_PROBLEM_STATUSES = (ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR, ProblemStatus.FIXED)
NO_EQUIPMENT = ""
UNFINISHED_COLUMNS = (
    "id",
    "number",
    "title",
    "status",
    "priority",
    "received_at",
    "customer__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)


@dataclass(frozen=True)
class Share:
    """One line of a breakdown: a code (or id), its label and how many tickets."""

    key: object
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class ProblemRef:
    problem_id: int
    reference: str
    title: str
    status: str
    incidents: int = 0  # tickets of the month linked to it

    @property
    def status_label(self) -> str:
        return str(ProblemStatus(self.status).label)


@dataclass(frozen=True)
class RecurringItem:
    """A product or a piece of equipment several tickets of the month were about."""

    key: int
    label: str
    detail: str  # the vendor of a product; the customer and site of a piece of equipment
    count: int
    problems: tuple[ProblemRef, ...] = ()


@dataclass(frozen=True)
class CategoryKind:
    """Requests of one kind about one category of equipment (e.g. major faults of network equipment)."""

    category: str
    kind: str
    count: int

    @property
    def category_label(self) -> str:
        return str(AssetClass(self.category).label)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass(frozen=True)
class Unfinished:
    ticket_id: int
    number: str
    title: str
    customer: str
    status: str
    priority: int
    received_at: dt.datetime
    age_days: int
    owner: str  # the assignee's name; empty when nobody is assigned

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label)


@dataclass(frozen=True)
class OwnerLoad:
    user_id: int | None
    owner: str
    count: int
    oldest_days: int


@dataclass
class MonthlyStatistics:
    period: Period
    computed_at: dt.datetime
    total: int = 0
    resolved: int = 0  # of the month's tickets, resolved by its end
    by_kind: list[Share] = field(default_factory=list)
    by_priority: list[Share] = field(default_factory=list)
    by_category: list[Share] = field(default_factory=list)
    by_resolution: list[Share] = field(default_factory=list)
    by_channel: list[Share] = field(default_factory=list)
    by_vendor: list[Share] = field(default_factory=list)
    by_product: list[Share] = field(default_factory=list)
    by_customer: list[Share] = field(default_factory=list)
    customers: int = 0  # how many customers asked (by_customer lists the first TOP_CUSTOMERS)
    unfinished_count: int = 0
    unfinished: list[Unfinished] = field(default_factory=list)
    owners: list[OwnerLoad] = field(default_factory=list)
    recurring_categories: list[CategoryKind] = field(default_factory=list)
    recurring_products: list[RecurringItem] = field(default_factory=list)
    recurring_assets: list[RecurringItem] = field(default_factory=list)
    terms: list[tuple[str, int]] = field(default_factory=list)
    problems: list[ProblemRef] = field(default_factory=list)

    @property
    def resolved_percent(self) -> float | None:
        return _percent(self.resolved, self.total) if self.total else None


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _shares(counts: Counter, labels: dict, total: int, *, order: list | None = None) -> list[Share]:
    keys = order if order is not None else [key for key, _count in counts.most_common()]
    return [
        Share(key, str(labels.get(key, key)), counts[key], _percent(counts[key], total)) for key in keys if counts[key]
    ]


def month_tickets(user, period: Period):
    since, until = period_bounds(period.start, period.end)
    return Ticket.objects.visible_to(user).filter(received_at__gte=since, received_at__lt=until)


def monthly_statistics(*, user, period: Period, now: dt.datetime | None = None) -> MonthlyStatistics:
    """The month's figures as `user` may see them (staff: every customer)."""
    now = now or timezone.now()
    stats = MonthlyStatistics(period=period, computed_at=now)
    tickets = month_tickets(user, period)
    until = period_bounds(period.start, period.end)[1]
    _breakdowns(stats, tickets, until)
    _equipment(stats, tickets, user)
    _customers(stats, tickets)
    _unfinished(stats, user, until, min(now, until))
    stats.terms = title_terms(tickets)
    stats.problems = _month_problems(tickets, user)
    return stats


def _breakdowns(stats: MonthlyStatistics, tickets, until: dt.datetime) -> None:
    rows = (
        tickets.order_by()
        .values_list("kind", "priority", "resolution_method", "channel")
        .annotate(n=Count("id"), resolved=Count("id", filter=Q(resolved_at__lt=until)))
    )
    kinds, priorities, methods, channels = Counter(), Counter(), Counter(), Counter()
    for kind, priority, method, channel, count, resolved in rows:
        kinds[kind] += count
        priorities[priority] += count
        methods[method] += count
        channels[channel] += count
        stats.total += count
        stats.resolved += resolved
    total = stats.total
    stats.by_kind = _shares(kinds, dict(Kind.choices), total, order=list(Kind.values))
    stats.by_priority = _shares(priorities, dict(Priority.choices), total, order=list(Priority.values))
    method_labels = {**dict(ResolutionMethod.choices), "": _("Not solved yet")}
    stats.by_resolution = _shares(methods, method_labels, total, order=[*ResolutionMethod.values, ""])
    stats.by_channel = _shares(channels, dict(Channel.choices), total)


def _equipment(stats: MonthlyStatistics, tickets, user) -> None:
    """Products, vendors, categories and recurring categories from the tickets' equipment."""
    links = Ticket.assets.through.objects.filter(ticket__in=tickets.values("pk"))
    rows = (
        links.order_by()
        .values_list(
            "asset__product_id",
            "asset__product__name",
            "asset__product__model",
            "asset__product__vendor__name",
            "asset__product__category",
            "ticket__kind",
        )
        .annotate(n=Count("ticket_id", distinct=True))
    )
    with_equipment = links.aggregate(n=Count("ticket_id", distinct=True))["n"]
    products, product_labels, product_vendors = Counter(), {}, {}
    vendors, categories, category_kinds = Counter(), Counter(), Counter()
    for product_id, name, model, vendor, category, kind, count in rows:
        products[product_id] += count
        product_labels[product_id] = " ".join(part for part in (vendor, name, model) if part)
        product_vendors[product_id] = vendor
        vendors[vendor] += count
        categories[category] += count
        category_kinds[category, kind] += count
    categories[NO_EQUIPMENT] = stats.total - with_equipment
    category_labels = {**dict(AssetClass.choices), NO_EQUIPMENT: _("No equipment recorded")}
    stats.by_category = _shares(categories, category_labels, stats.total, order=[*AssetClass.values, NO_EQUIPMENT])
    stats.by_vendor = _shares(vendors, {}, stats.total)
    stats.by_product = _shares(products, product_labels, stats.total)[:TOP_PRODUCTS]
    stats.recurring_categories = [
        CategoryKind(category, kind, count) for (category, kind), count in category_kinds.most_common() if count >= 2
    ][:TOP_PRODUCTS]
    recurring = [share for share in stats.by_product if share.count >= 2]
    by_product = _problems_of_products([share.key for share in recurring], user)
    stats.recurring_products = [
        RecurringItem(
            share.key, share.label, product_vendors[share.key], share.count, tuple(by_product.get(share.key, ()))
        )
        for share in recurring
    ]
    stats.recurring_assets = recurring_assets(tickets, user)


def title_terms(tickets, *, limit: int = TOP_TERMS) -> list[tuple[str, int]]:
    """The frequent words of the tickets' titles (Latin words in capitals, as product names are written)."""
    titles = tickets.order_by().values("title").annotate(n=Count("id")).values_list("title", "n")
    return [(term.upper() if term.isascii() else term, count) for term, count in frequent_terms(titles, limit=limit)]


def _problems_of_products(product_ids: list[int], user) -> dict[int, list[ProblemRef]]:
    """The known problems, not yet closed, recorded against each product."""
    if not product_ids:
        return {}
    rows = (
        Problem.objects.visible_to(user)
        .filter(products__in=product_ids, status__in=LIVE_PROBLEM_STATUSES)
        .values_list("products", "id", "title", "status")
        .order_by("id")
    )
    found = defaultdict(list)
    for product_id, problem_id, title, status in rows:
        found[product_id].append(ProblemRef(problem_id, Problem(pk=problem_id).reference, title, status))
    return found


def recurring_assets(tickets, user, *, limit: int = RECURRING_ASSETS) -> list[RecurringItem]:
    """Pieces of equipment two or more of the tickets were about (the repeat failures), with the known
    problems those tickets are linked to (only for users who may read problems)."""
    links = Ticket.assets.through.objects.filter(ticket__in=tickets.values("pk"))
    counts = list(
        links.order_by()
        .values_list("asset_id")
        .annotate(n=Count("ticket_id", distinct=True))
        .filter(n__gte=2)
        .order_by("-n", "asset_id")[:limit]
    )
    if not counts:
        return []
    ids = [asset_id for asset_id, _count in counts]
    assets = Asset.objects.select_related("product__vendor", "site", "customer").in_bulk(ids)
    problems = defaultdict(dict)
    linked = (
        ProblemIncident.objects.filter(problem__in=Problem.objects.visible_to(user))
        .filter(ticket__in=tickets.values("pk"), ticket__assets__in=ids)
        .values_list("ticket__assets", "problem_id", "problem__title", "problem__status")
        .annotate(n=Count("ticket_id", distinct=True))
    )
    for asset_id, problem_id, title, status, count in linked:
        problems[asset_id][problem_id] = ProblemRef(problem_id, Problem(pk=problem_id).reference, title, status, count)
    return [
        RecurringItem(
            asset_id,
            str(assets[asset_id]),
            f"{assets[asset_id].customer.name} · {assets[asset_id].site.name}",
            count,
            tuple(problems[asset_id].values()),
        )
        for asset_id, count in counts
    ]


def _customers(stats: MonthlyStatistics, tickets) -> None:
    rows = list(
        tickets.order_by()
        .values_list("customer_id", "customer__name")
        .annotate(n=Count("id"))
        .order_by("-n", "customer__name")
    )
    stats.customers = len(rows)
    stats.by_customer = [
        Share(customer_id, name, count, _percent(count, stats.total)) for customer_id, name, count in rows
    ][:TOP_CUSTOMERS]


def unfinished_tickets(user, until: dt.datetime):
    """Tickets received before `until` and not resolved by then (cancelled ones left out)."""
    return (
        Ticket.objects.visible_to(user)
        .filter(received_at__lt=until)
        .exclude(status=Status.CANCELLED)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=until))
    )


def _unfinished(stats: MonthlyStatistics, user, until: dt.datetime, at: dt.datetime) -> None:
    """What was still open at the month's end, its owners, and the oldest first; ages are counted to then."""
    unfinished = unfinished_tickets(user, until)
    owners = (
        unfinished.order_by()
        .values_list("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(n=Count("id"), oldest=Min("received_at"))
    )
    loads = []
    for user_id, first_name, last_name, username, count, oldest in owners:
        name = _person(first_name, last_name, username) if user_id else ""
        loads.append(OwnerLoad(user_id, name, count, (at - oldest).days))
        stats.unfinished_count += count
    stats.owners = sorted(loads, key=lambda load: (-load.count, load.owner))
    rows = unfinished.select_related("customer", "assignee").only(*UNFINISHED_COLUMNS).order_by("received_at", "id")
    stats.unfinished = [unfinished_row(ticket, at) for ticket in rows[:UNFINISHED_SHOWN]]


def unfinished_row(ticket: Ticket, at: dt.datetime) -> Unfinished:
    return Unfinished(
        ticket_id=ticket.pk,
        number=ticket.number,
        title=ticket.title,
        customer=ticket.customer.name,
        status=ticket.status,
        priority=ticket.priority,
        received_at=ticket.received_at,
        age_days=(at - ticket.received_at).days,
        owner=str(ticket.assignee) if ticket.assignee_id else "",
    )


def _person(first_name: str, last_name: str, username: str) -> str:
    """A user's name as `User.__str__` writes it, from the columns (Chinese names family name first)."""
    if is_cjk(first_name) or is_cjk(last_name):
        return f"{last_name}{first_name}".strip() or username
    return f"{first_name} {last_name}".strip() or username


def _month_problems(tickets, user) -> list[ProblemRef]:
    """The known problems the month's tickets were linked to, by how many."""
    rows = (
        ProblemIncident.objects.filter(problem__in=Problem.objects.visible_to(user), ticket__in=tickets.values("pk"))
        .values_list("problem_id", "problem__title", "problem__status")
        .annotate(n=Count("ticket_id"))
        .order_by("-n", "problem_id")[:TOP_PROBLEMS]
    )
    return [
        ProblemRef(problem_id, Problem(pk=problem_id).reference, title, status, n)
        for problem_id, title, status, n in rows
    ]
