"""Entitlement: which contract applies to a request, and whether it is free, billable or advice only."""

import datetime as dt

import pytest
from django.utils import translation

from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.contracts.choices import ContractStatus, Entitlement
from aftersales.contracts.entitlement import EntitlementResult, add_years, describe_entitlement, entitlement_check
from aftersales.contracts.models import ServiceLevel
from aftersales.contracts.tests.factories import ContractFactory, WarrantyTermFactory
from aftersales.customers.tests.factories import CustomerFactory, SiteFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def level(code: str) -> ServiceLevel:
    """The service levels seeded by migration tickets/0002."""
    return ServiceLevel.objects.get(code=code)


def contract_for(customer, *, start=DAY - dt.timedelta(days=365), end=DAY + dt.timedelta(days=365), **fields):
    return ContractFactory(customer=customer, start_date=start, end_date=end, **fields)


def test_no_contract_means_advice_only():
    customer = CustomerFactory()

    result = entitlement_check(customer_id=customer.id, on=DAY)

    assert result == EntitlementResult(Entitlement.ADVICE_ONLY, "no_contract")
    assert result.reason == "No contract in force covers this site on this day."
    assert result.label == "Outside scope (advice only)"


def test_contract_in_force_without_an_asset_is_warranty():
    site = SiteFactory()
    contract = contract_for(site.customer, number="HT-2026-0001")

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, on=DAY)

    assert result == EntitlementResult(Entitlement.WARRANTY, "contract_in_force", contract)
    assert result.facts == {"reason": "contract_in_force", "contract": "HT-2026-0001"}
    assert result.reason == "Contract HT-2026-0001 is in force."


def test_contract_in_force_on_its_first_and_last_day():
    customer = CustomerFactory()
    contract = contract_for(customer, start=DAY, end=DAY + dt.timedelta(days=30))

    first = entitlement_check(customer_id=customer.id, on=DAY)
    last = entitlement_check(customer_id=customer.id, on=DAY + dt.timedelta(days=30))
    after = entitlement_check(customer_id=customer.id, on=DAY + dt.timedelta(days=31))
    before = entitlement_check(customer_id=customer.id, on=DAY - dt.timedelta(days=1))

    assert (first.contract, last.contract, after.contract, before.contract) == (contract, contract, None, None)
    assert (first.kind, after.kind) == (Entitlement.WARRANTY, Entitlement.ADVICE_ONLY)


def test_contract_limited_to_other_sites_does_not_cover_this_site():
    covered = SiteFactory()
    uncovered = SiteFactory(customer=covered.customer)
    contract = contract_for(covered.customer)
    contract.sites.set([covered])

    at_covered = entitlement_check(customer_id=covered.customer_id, site_id=covered.id, on=DAY)
    at_uncovered = entitlement_check(customer_id=covered.customer_id, site_id=uncovered.id, on=DAY)

    assert (at_covered.kind, at_covered.contract) == (Entitlement.WARRANTY, contract)
    assert (at_uncovered.kind, at_uncovered.contract) == (Entitlement.ADVICE_ONLY, None)


def test_contract_without_sites_covers_every_site():
    site = SiteFactory()
    contract = contract_for(site.customer)

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, on=DAY)

    assert result.contract == contract


def test_another_customers_contract_does_not_count():
    site = SiteFactory()
    contract_for(CustomerFactory())

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, on=DAY)

    assert (result.kind, result.contract) == (Entitlement.ADVICE_ONLY, None)


@pytest.mark.parametrize("status", [ContractStatus.DRAFT, ContractStatus.EXPIRED, ContractStatus.TERMINATED])
def test_contracts_not_active_are_ignored(status):
    customer = CustomerFactory()
    contract_for(customer, status=status)

    result = entitlement_check(customer_id=customer.id, on=DAY)

    assert (result.kind, result.contract) == (Entitlement.ADVICE_ONLY, None)


def test_contract_whose_dates_have_passed_is_ignored_even_if_still_marked_active():
    customer = CustomerFactory()
    contract_for(customer, start=DAY - dt.timedelta(days=400), end=DAY - dt.timedelta(days=1))

    result = entitlement_check(customer_id=customer.id, on=DAY)

    assert (result.kind, result.contract) == (Entitlement.ADVICE_ONLY, None)


def test_best_service_level_comes_first():
    customer = CustomerFactory()
    contract_for(customer, service_level=level("standard"))
    gold = contract_for(customer, service_level=level("gold"))
    contract_for(customer, service_level=level("silver"))

    result = entitlement_check(customer_id=customer.id, on=DAY)

    assert result.contract == gold


def test_the_assets_own_contract_is_preferred_to_a_better_one():
    site = SiteFactory()
    contract_for(site.customer, service_level=level("gold"))
    own = contract_for(site.customer, service_level=level("standard"))
    asset = AssetFactory(site=site, contract=own, warranty_end=DAY)

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)

    assert result.contract == own


def test_the_assets_own_contract_out_of_force_gives_way_to_another_in_force():
    site = SiteFactory()
    lapsed = contract_for(site.customer, status=ContractStatus.EXPIRED)
    other = contract_for(site.customer, service_level=level("silver"))
    asset = AssetFactory(site=site, contract=lapsed, warranty_end=DAY)

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)

    assert result.contract == other


def test_the_assets_own_warranty_end_is_used_up_to_and_including_that_day():
    site = SiteFactory()
    contract = contract_for(site.customer, number="HT-A")
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=10)
    asset = AssetFactory(site=site, warranty_end=DAY, acceptance_date=DAY - dt.timedelta(days=365))

    on_the_day = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)
    next_day = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY + dt.timedelta(1))

    assert on_the_day == EntitlementResult(Entitlement.WARRANTY, "in_warranty", contract, DAY)
    assert on_the_day.reason == "Asset is under warranty until June 15, 2026."
    assert next_day == EntitlementResult(Entitlement.ADVICE_ONLY, "no_paid_maintenance", contract, DAY)
    assert next_day.reason == "Warranty has ended and contract HT-A has no paid maintenance."


def test_warranty_term_counts_from_the_acceptance_date_for_the_products_class():
    site = SiteFactory()
    contract = contract_for(site.customer)
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=3)
    WarrantyTermFactory(contract=contract, asset_class="software", years=1)
    asset = AssetFactory(
        site=site,
        product=ProductFactory(category="hardware"),
        install_date=dt.date(2023, 1, 10),
        acceptance_date=dt.date(2023, 6, 15),
    )

    last_day = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)
    day_after = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY + dt.timedelta(1))

    assert (last_day.kind, last_day.warranty_end) == (Entitlement.WARRANTY, dt.date(2026, 6, 15))
    assert (day_after.kind, day_after.warranty_end) == (Entitlement.ADVICE_ONLY, dt.date(2026, 6, 15))


def test_warranty_term_falls_back_to_the_install_date_without_acceptance():
    site = SiteFactory()
    contract = contract_for(site.customer)
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=2)
    asset = AssetFactory(site=site, install_date=dt.date(2024, 7, 1))

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)

    assert (result.kind, result.warranty_end) == (Entitlement.WARRANTY, dt.date(2026, 7, 1))


def test_warranty_term_for_another_class_does_not_apply():
    site = SiteFactory()
    contract = contract_for(site.customer, lifetime_maintenance=True)
    WarrantyTermFactory(contract=contract, asset_class="software", years=5)
    asset = AssetFactory(site=site, product=ProductFactory(category="hardware"), acceptance_date=dt.date(2025, 1, 1))

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)

    assert (result.kind, result.warranty_end) == (Entitlement.BILLABLE, None)


@pytest.mark.parametrize(
    ("years", "on", "kind"),
    [
        (1, dt.date(2025, 2, 28), Entitlement.WARRANTY),
        (1, dt.date(2025, 3, 1), Entitlement.BILLABLE),
        (4, dt.date(2028, 2, 29), Entitlement.WARRANTY),
        (4, dt.date(2028, 3, 1), Entitlement.BILLABLE),
    ],
)
def test_warranty_from_29_february_ends_on_28_february_in_common_years(years, on, kind):
    site = SiteFactory()
    contract = contract_for(
        site.customer, start=dt.date(2024, 1, 1), end=dt.date(2029, 12, 31), lifetime_maintenance=True
    )
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=years)
    asset = AssetFactory(site=site, acceptance_date=dt.date(2024, 2, 29))

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=on)

    assert result.kind == kind


def test_expired_warranty_with_lifetime_maintenance_is_billable():
    site = SiteFactory()
    contract = contract_for(site.customer, number="HT-LIFE", lifetime_maintenance=True)
    asset = AssetFactory(site=site, warranty_end=DAY - dt.timedelta(days=1))

    result = entitlement_check(customer_id=site.customer_id, site_id=site.id, asset=asset, on=DAY)

    assert result == EntitlementResult(Entitlement.BILLABLE, "paid_maintenance", contract, DAY - dt.timedelta(days=1))
    assert result.reason == "Warranty has ended; contract HT-LIFE covers paid maintenance."


def test_asset_in_warranty_without_any_contract_in_force_is_advice_only():
    asset = AssetFactory(warranty_end=DAY + dt.timedelta(days=100))

    result = entitlement_check(customer_id=asset.customer_id, site_id=asset.site_id, asset=asset, on=DAY)

    assert (result.kind, result.contract) == (Entitlement.ADVICE_ONLY, None)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2023, 6, 15), 3, dt.date(2026, 6, 15)),
        (dt.date(2024, 2, 29), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 4, dt.date(2028, 2, 29)),
        (dt.date(2024, 2, 28), 1, dt.date(2025, 2, 28)),
        (dt.date(2023, 12, 31), 0, dt.date(2023, 12, 31)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected


def test_the_reason_is_worded_in_the_readers_language_from_stored_facts():
    facts = {"reason": "in_warranty", "contract": "HT-A", "warranty_end": "2026-06-15"}
    with translation.override("zh-hans"):
        chinese = describe_entitlement(facts)
    with translation.override("en"):
        english = describe_entitlement(facts)
    assert english == "Asset is under warranty until June 15, 2026."
    assert chinese != english and "2026" in chinese
    assert describe_entitlement({}) == ""
