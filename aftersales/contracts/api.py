"""REST API for contracts."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from aftersales.accounts import roles
from aftersales.contracts.choices import ContractStatus
from aftersales.contracts.models import Contract
from aftersales.core.api import IdFilter, MasterDataSerializer, MasterDataViewSet


class ContractSerializer(MasterDataSerializer):
    service_level_name = serializers.CharField(source="service_level.name", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "name",
            "customer",
            "sites",
            "start_date",
            "end_date",
            "service_level",
            "service_level_name",
            "coverage",
            "lifetime_maintenance",
            "hourly_rate",
            "travel_rate",
            "status",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        customer = self.current(attrs, "customer")
        sites = attrs["sites"] if "sites" in attrs else (self.instance.sites.all() if self.instance else [])
        if customer is not None and any(site.customer_id != customer.id for site in sites):
            raise serializers.ValidationError({"sites": [_("Every site must belong to the contract's customer.")]})
        return attrs


class ContractFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("Status"))

    class Meta:
        model = Contract
        fields = ["customer", "status"]


class ContractViewSet(MasterDataViewSet):
    write_permission = roles.EDIT_MASTER_DATA
    model = Contract
    related = ("service_level",)
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    ordering_fields = ["start_date", "end_date", "number"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("sites")
