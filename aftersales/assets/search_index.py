"""Assets in the search box: by serial number, product, model, vendor and software.

Renaming a product or a vendor reindexes its assets (rare, admin-only edits).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Asset, Product, Vendor
from aftersales.search.registry import Dependent, register


def asset_text(asset: Asset) -> list[str]:
    product = asset.product
    return [
        asset.serial_number,
        product.vendor.name,
        product.name,
        product.model,
        asset.software_name,
        asset.software_version,
    ]


register(
    "asset",
    Asset,
    label=_("Assets"),
    position=40,
    text_of=asset_text,
    title_of=str,
    ordered_at_of=lambda asset: asset.created_at,
    customer_id_of=lambda asset: asset.customer_id,
    url_of=lambda asset_id, customer_id: reverse("customer_archive", args=[customer_id]),
    fields=["serial_number", "software_name", "software_version", "product", "customer"],
    prepare=lambda assets: assets.select_related("product__vendor"),
    dependents=[
        Dependent(
            Product,
            frozenset({"name", "model", "vendor"}),
            lambda product: product.assets.values_list("pk", flat=True),
        ),
        Dependent(
            Vendor,
            frozenset({"name"}),
            lambda vendor: Asset.objects.filter(product__vendor=vendor).values_list("pk", flat=True),
        ),
    ],
)
