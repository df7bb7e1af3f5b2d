"""Entitlement: is a request free, billable or outside the contract's scope?"""

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales.contracts.choices import Entitlement
from aftersales.contracts.models import Contract


@dataclass(frozen=True)
class EntitlementResult:
    kind: str
    reason: str
    contract: Contract | None = None
    warranty_end: dt.date | None = None

    @property
    def label(self) -> str:
        return Entitlement(self.kind).label


def contracts_in_force(*, customer_id: int, site_id: int | None, on: dt.date) -> list[Contract]:
    """The customer's active contracts covering the site on that day, best service level first."""
    contracts = (
        Contract.objects.filter(customer_id=customer_id, status="active", start_date__lte=on, end_date__gte=on)
        .select_related("service_level")
        .prefetch_related("sites", "warranty_terms")
        .order_by("-service_level__rank", "-start_date")
    )
    return [c for c in contracts if site_id is None or not c.sites.all() or any(s.id == site_id for s in c.sites.all())]


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def asset_warranty_end(asset, contract: Contract | None) -> dt.date | None:
    """The asset's own warranty end wins; otherwise the contract's term for its class from acceptance."""
    if asset.warranty_end:
        return asset.warranty_end
    start = asset.acceptance_date or asset.install_date
    if contract is None or start is None:
        return None
    term = next((t for t in contract.warranty_terms.all() if t.asset_class == asset.product.category), None)
    return add_years(start, term.years) if term else None


def entitlement_check(*, customer_id: int, site_id: int | None = None, asset=None, on: dt.date) -> EntitlementResult:
    """Answer for a customer, site, optional asset and day. `asset` needs product, dates and contract_id."""
    contracts = contracts_in_force(customer_id=customer_id, site_id=site_id, on=on)
    if asset is not None and asset.contract_id:
        contracts.sort(key=lambda c: c.id != asset.contract_id)
    contract = contracts[0] if contracts else None
    if contract is None:
        return EntitlementResult(Entitlement.ADVICE_ONLY, _("No contract in force covers this site on this day."))
    if asset is None:
        return EntitlementResult(
            Entitlement.WARRANTY, _("Contract %(number)s is in force.") % {"number": contract.number}, contract
        )
    warranty_end = asset_warranty_end(asset, contract)
    if warranty_end and on <= warranty_end:
        reason = _("Asset is under warranty until %(date)s.") % {"date": date_format(warranty_end)}
        return EntitlementResult(Entitlement.WARRANTY, reason, contract, warranty_end)
    if contract.lifetime_maintenance:
        reason = _("Warranty has ended; contract %(number)s covers paid maintenance.") % {"number": contract.number}
        return EntitlementResult(Entitlement.BILLABLE, reason, contract, warranty_end)
    reason = _("Warranty has ended and contract %(number)s has no paid maintenance.") % {"number": contract.number}
    return EntitlementResult(Entitlement.ADVICE_ONLY, reason, contract, warranty_end)
