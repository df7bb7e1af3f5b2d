"""API building blocks shared by every app's endpoints (the apps depend on core, never on each other's API)."""

import copy

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField as PhoneNumberModelField
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.settings import api_settings


class MasterDataPermission(permissions.BasePermission):
    """Anyone signed in reads what `visible_to` lets them see; only holders of the view's `write_permission` write.

    On a record's own URL the write check waits until the record is found, so a record the
    user may not see is a 404 whatever the method, exactly like one that does not exist.
    """

    message = _("You do not have permission to change master data.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS or (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return True
        return request.user.has_perm(view.write_permission)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or request.user.has_perm(view.write_permission)


class IdFilter(django_filters.NumberFilter):
    """A related record's id: a whole number, and one past the largest id matches nothing.

    Filtering a foreign key by a number beyond 64 bits made SQLite raise OverflowError (a 500).
    """

    field_class = forms.IntegerField
    largest_id = 2**63 - 1

    def filter(self, qs, value):
        if value is not None and not 0 < value <= self.largest_id:
            return qs.none()
        return super().filter(qs, value)


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
    write_permission: str  # the Django permission that allows create and update
    lookup_value_regex = "[0-9]+"
    model = None
    related = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        return queryset.select_related(*self.related) if self.related else queryset
