"""REST API for customers, sites and contacts."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from aftersales.accounts import roles
from aftersales.core.api import IdFilter, MasterDataSerializer, MasterDataViewSet
from aftersales.customers.models import Contact, Customer, Site


class CustomerSerializer(MasterDataSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "industry",
            "address",
            "phone",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_customer_user", False):
            fields.pop("notes")  # the provider's own notes about the customer
        return fields


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Customer
        fields = ["q", "is_active"]


class CustomerViewSet(MasterDataViewSet):
    write_permission = roles.EDIT_MASTER_DATA
    model = Customer
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["name", "code", "created_at"]


class SiteSerializer(MasterDataSerializer):
    full_address = serializers.CharField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "customer",
            "name",
            "province",
            "city",
            "district",
            "address",
            "full_address",
            "latitude",
            "longitude",
            "created_at",
            "updated_at",
        ]


class SiteFilter(django_filters.FilterSet):
    # Plain ids, not model choices: filtering by a customer you cannot see gives an empty list, not an error.
    customer = IdFilter(field_name="customer_id", label=_("Customer"))

    class Meta:
        model = Site
        fields = ["customer"]


class SiteViewSet(MasterDataViewSet):
    write_permission = roles.EDIT_MASTER_DATA
    model = Site
    related = ("customer",)
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    ordering_fields = ["name", "city", "created_at"]


class ContactSerializer(MasterDataSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "site", "name", "phone", "email", "position", "created_at", "updated_at"]


class ContactFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    site = IdFilter(field_name="site_id", label=_("Site"))

    class Meta:
        model = Contact
        fields = ["customer", "site"]


class ContactViewSet(MasterDataViewSet):
    write_permission = roles.EDIT_MASTER_DATA
    model = Contact
    related = ("customer", "site")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["name", "created_at"]
