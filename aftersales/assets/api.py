"""REST API for assets (configuration items at customers' sites)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from aftersales.accounts import roles
from aftersales.assets.models import Asset
from aftersales.core.api import IdFilter, MasterDataSerializer, MasterDataViewSet


class AssetSerializer(MasterDataSerializer):
    product_name = serializers.CharField(source="product.__str__", read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "customer",
            "site",
            "product",
            "product_name",
            "contract",
            "serial_number",
            "software_name",
            "software_version",
            "install_date",
            "acceptance_date",
            "warranty_end",
            "created_at",
            "updated_at",
        ]


class AssetFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    site = IdFilter(field_name="site_id", label=_("Site"))
    contract = IdFilter(field_name="contract_id", label=_("Contract"))
    serial_number = django_filters.CharFilter(lookup_expr="iexact", label=_("Serial number"))

    class Meta:
        model = Asset
        fields = ["customer", "site", "contract", "serial_number"]


class AssetViewSet(MasterDataViewSet):
    write_permission = roles.EDIT_MASTER_DATA
    model = Asset
    related = ("product__vendor",)
    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    ordering_fields = ["serial_number", "install_date", "created_at"]
