"""Entitlement: is a request free, billable or outside the contract's scope?"""

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.choices import Entitlement
from aftersales.contracts.models import Contract

# Reasons are stored as a code with values and put into words when read, in the reader's language.
REASONS = {
    "no_contract": _("No contract in force covers this site on this day."),
    "contract_in_force": _("Contract %(number)s is in force."),
    "in_warranty": _("Asset is under warranty until %(date)s."),
    "paid_maintenance": _("Warranty has ended; contract %(number)s covers paid maintenance."),
    "no_paid_maintenance": _("Warranty has ended and contract %(number)s has no paid maintenance."),
}


def describe_entitlement(facts: dict) -> str:
    """The reason for an entitlement, in the active language, from its stored facts."""
    template = REASONS.get(facts.get("reason", ""))
    if template is None:
        return ""
    warranty_end = facts.get("warranty_end")
    return str(template) % {
        "number": facts.get("contract", ""),
        "date": date_format(dt.date.fromisoformat(warranty_end)) if warranty_end else "",
    }


@dataclass(frozen=True)
class EntitlementResult:
    kind: str
    reason_code: str
    contract: Contract | None = None
    warranty_end: dt.date | None = None

    @property
    def label(self) -> str:
        return Entitlement(self.kind).label

    @property
    def facts(self) -> dict:
        """What a ticket stores: codes and values, never translated text."""
        facts = {"reason": self.reason_code}
        if self.contract is not None:
            facts["contract"] = self.contract.number
        if self.warranty_end is not None:
            facts["warranty_end"] = self.warranty_end.isoformat()
        return facts

    @property
    def reason(self) -> str:
        return describe_entitlement(self.facts)


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
        return EntitlementResult(Entitlement.ADVICE_ONLY, "no_contract")
    if asset is None:
        return EntitlementResult(Entitlement.WARRANTY, "contract_in_force", contract)
    warranty_end = asset_warranty_end(asset, contract)
    if warranty_end and on <= warranty_end:
        return EntitlementResult(Entitlement.WARRANTY, "in_warranty", contract, warranty_end)
    if contract.lifetime_maintenance:
        return EntitlementResult(Entitlement.BILLABLE, "paid_maintenance", contract, warranty_end)
    return EntitlementResult(Entitlement.ADVICE_ONLY, "no_paid_maintenance", contract, warranty_end)
