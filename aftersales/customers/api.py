"""REST API for customers, sites and contacts.

The small helpers shared by every master-data endpoint live here too, because this is the
lowest app that has an API and the layers only let apps import downward.
"""

import copy

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField as PhoneNumberModelField
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.settings import api_settings

from aftersales.accounts import roles
from aftersales.customers.models import Contact, Customer, Site


class MasterDataPermission(permissions.BasePermission):
    """Anyone signed in reads what `visible_to` lets them see; only master-data editors write.

    On a record's own URL the write check waits until the record is found, so a record the
    user may not see is a 404 whatever the method, exactly like one that does not exist.
    """

    message = _("You do not have permission to change master data.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS or (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return True
        return request.user.has_perm(roles.EDIT_MASTER_DATA)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or request.user.has_perm(roles.EDIT_MASTER_DATA)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key field that only accepts objects the requesting user may see."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if not hasattr(queryset, "visible_to"):  # shared catalogues (products, service levels) are not tenant-owned
            return queryset
        request = self.context.get("request")
        return queryset.visible_to(request.user if request else None)


class MasterDataSerializer(serializers.ModelSerializer):
    """Runs the model's own validation (`full_clean`) so the API and the admin agree on what is valid."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        PhoneNumberModelField: PhoneNumberField,
    }
    serializer_related_field = VisibleRelatedField

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(_field_errors(error)) from error
        return attrs

    def current(self, attrs, name):
        """The value a field will have after this write: the new one, else the stored one."""
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None)


def _field_errors(error: DjangoValidationError) -> dict:
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): list(messages)
        for field, messages in error.message_dict.items()
    }


class MasterDataViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; no deletes through the API (records are referenced by history)."""

    permission_classes = [MasterDataPermission]
    lookup_value_regex = "[0-9]+"
    model = None
    related = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        return queryset.select_related(*self.related) if self.related else queryset


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
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer"))

    class Meta:
        model = Site
        fields = ["customer"]


class SiteViewSet(MasterDataViewSet):
    model = Site
    related = ("customer",)
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    ordering_fields = ["name", "city", "created_at"]


class ContactSerializer(MasterDataSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "site", "name", "phone", "email", "position", "created_at", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        site, customer = self.current(attrs, "site"), self.current(attrs, "customer")
        if site is not None and customer is not None and site.customer_id != customer.id:
            raise serializers.ValidationError({"site": [_("The site belongs to another customer.")]})
        return attrs


class ContactFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer"))
    site = django_filters.NumberFilter(field_name="site_id", label=_("Site"))

    class Meta:
        model = Contact
        fields = ["customer", "site"]


class ContactViewSet(MasterDataViewSet):
    model = Contact
    related = ("customer", "site")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["name", "created_at"]
