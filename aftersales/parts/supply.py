"""The supply promise after a product is discontinued (by default 10 years after its end of sale): which contracts
still rely on it, how much stock covers the installed base, and a daily alert when it does not.

`supply_positions` is the pure core (no database); `supply_report` loads what it needs in a fixed number of
queries; `supply_alert` is the periodic job that tells the parts keepers and managers about every shortage.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Prefetch, Sum, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.assets.models import Asset, Product
from aftersales.contracts.choices import ContractStatus
from aftersales.core.time import local_date
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import enqueue, user_messages
from aftersales.parts.models import Part, Stock

ALERT_ROLES = (Role.PARTS_KEEPER, Role.MANAGER)
ALERT_CHANNELS = (ChannelKind.IN_APP, ChannelKind.EMAIL)


@dataclass(frozen=True)
class PartPosition:
    """One spare part against the installed base it serves: every product in its supply window it fits."""

    part: Part
    products: tuple[Product, ...]
    installed: int  # units of those products under contracts in force
    needed: int  # ceil(installed × spares per hundred / 100)
    on_hand: int  # across the active warehouses

    @property
    def short(self) -> bool:
        return self.on_hand < self.needed

    @property
    def shortfall(self) -> int:
        return max(self.needed - self.on_hand, 0)


@dataclass(frozen=True)
class ContractReliance:
    """A contract in force that covers installed units of a discontinued product."""

    contract_id: int
    number: str
    name: str
    customer: str
    assets: int


@dataclass(frozen=True)
class ProductSupply:
    product: Product
    supply_ends: dt.date  # the last day the promise runs
    installed: int
    parts: tuple[PartPosition, ...]
    contracts: tuple[ContractReliance, ...] = field(default=())

    @property
    def short(self) -> bool:
        return any(position.short for position in self.parts)


def supply_ends(product: Product) -> dt.date | None:
    """End of sale plus the promised years (29 February falls back to the 28th); None when still on sale."""
    if product.end_of_sale is None:
        return None
    year = product.end_of_sale.year + product.supply_years_after_end_of_sale
    if year > dt.date.max.year:
        return dt.date.max
    try:
        return product.end_of_sale.replace(year=year)
    except ValueError:
        return product.end_of_sale.replace(year=year, day=28)


def in_supply_window(product: Product, today: dt.date) -> bool:
    ends = supply_ends(product)
    return ends is not None and today <= ends


def spares_needed(installed: int, spares_per_hundred: Decimal) -> int:
    return math.ceil(Decimal(installed) * Decimal(spares_per_hundred) / 100)


def supply_positions(
    products: Iterable[Product],
    installed_counts: Mapping[int, int],
    stock_by_part: Mapping[int, int],
    today: dt.date,
) -> list[ProductSupply]:
    """Every product in its supply window with its compatible parts' positions, the soonest end first.

    `products` carry their parts (`product.spare_parts.all()`, prefetched); `installed_counts` maps a product id to
    its units under contracts in force; `stock_by_part` maps a part id to its stock on hand. A part that fits
    several discontinued products is needed for all of them together, so it reads the same under each.
    """
    in_window = [product for product in products if in_supply_window(product, today)]
    served: dict[int, list[Product]] = defaultdict(list)
    parts: dict[int, Part] = {}
    for product in in_window:
        for part in product.spare_parts.all():
            served[part.pk].append(product)
            parts[part.pk] = part
    positions = {}
    for part_id, part in parts.items():
        installed = sum(installed_counts.get(product.pk, 0) for product in served[part_id])
        positions[part_id] = PartPosition(
            part=part,
            products=tuple(served[part_id]),
            installed=installed,
            needed=spares_needed(installed, part.spares_per_hundred),
            on_hand=stock_by_part.get(part_id, 0),
        )
    rows = [
        ProductSupply(
            product=product,
            supply_ends=supply_ends(product),
            installed=installed_counts.get(product.pk, 0),
            parts=tuple(positions[part.pk] for part in product.spare_parts.all()),
        )
        for product in in_window
    ]
    return sorted(rows, key=lambda row: (row.supply_ends, row.product.pk))


def shortages(rows: Iterable[ProductSupply]) -> list[PartPosition]:
    """Each short part once, however many products it serves."""
    found = {}
    for row in rows:
        for position in row.parts:
            if position.short:
                found.setdefault(position.part.pk, position)
    return list(found.values())


def supply_report(today: dt.date) -> list[ProductSupply]:
    """The supply positions with the contracts behind them, in four queries (none but the first when nothing
    is discontinued): products, their parts, installed units per contract in force, stock on hand."""
    products = [
        product
        for product in Product.objects.filter(end_of_sale__isnull=False).select_related("vendor")
        if in_supply_window(product, today)
    ]
    if not products:
        return []
    parts = Part.objects.select_related("vendor").order_by("vendor__name", "part_number")
    prefetch_related_objects(products, Prefetch("spare_parts", queryset=parts))
    reliance = _reliance(products, today)
    installed = {product_id: sum(row.assets for row in rows) for product_id, rows in reliance.items()}
    part_ids = {part.pk for product in products for part in product.spare_parts.all()}
    stock = dict(
        Stock.objects.filter(part_id__in=part_ids, warehouse__is_active=True)
        .values("part_id")
        .annotate(total=Sum("on_hand"))
        .order_by()
        .values_list("part_id", "total")
    )
    rows = supply_positions(products, installed, stock, today)
    return [replace(row, contracts=tuple(reliance.get(row.product.pk, ()))) for row in rows]


def _reliance(products: list[Product], today: dt.date) -> dict[int, list[ContractReliance]]:
    counted = (
        Asset.objects.filter(
            product__in=products,
            contract__status=ContractStatus.ACTIVE,
            contract__start_date__lte=today,
            contract__end_date__gte=today,
        )
        .values("product_id", "contract_id", "contract__number", "contract__name", "contract__customer__name")
        .annotate(assets=Count("id"))
        .order_by("contract__number")
    )
    reliance = defaultdict(list)
    for row in counted:
        reliance[row["product_id"]].append(
            ContractReliance(
                contract_id=row["contract_id"],
                number=row["contract__number"],
                name=row["contract__name"],
                customer=row["contract__customer__name"],
                assets=row["assets"],
            )
        )
    return reliance


@transaction.atomic
def supply_alert(*, now: dt.datetime | None = None) -> int:
    """Tell every parts keeper and manager, in the app and by email, about each part whose stock is below what
    the installed base needs: once per part, person, channel and day (the outbox key), however often it runs.
    Returns how many messages were queued."""
    now = now or timezone.now()
    today = local_date(now)
    short = shortages(supply_report(today))
    if not short:
        return 0
    recipients = list(User.objects.filter(is_active=True, role__in=ALERT_ROLES).order_by("pk"))
    url = reverse("supply_promise")
    messages = [
        message
        for position in short
        for user in recipients
        for message in user_messages(
            user=user,
            key=f"supply:{position.part.pk}:{today.isoformat()}:{user.pk}",
            template="supply_shortage",
            context={
                "part_number": position.part.part_number,
                "description": position.part.description,
                "products": ", ".join(str(product) for product in position.products),
                "installed": position.installed,
                "needed": position.needed,
                "on_hand": position.on_hand,
                "shortfall": position.shortfall,
            },
            url=url,
            channels=ALERT_CHANNELS,
            urgent=False,
        )
    ]
    return enqueue(messages, now=now)
