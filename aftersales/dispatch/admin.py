"""Field service in the admin: certifications are kept here; work orders and what hangs off them are read-only,
because they change only through the services, which check the rules and write the timeline."""

import datetime as dt

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.core.time import local_date
from aftersales.dispatch.models import (
    Certification,
    ChangeApproval,
    CredentialReveal,
    RemoteCredential,
    VendorCase,
    VendorCaseUpdate,
    WorkOrder,
    WorkOrderEvent,
)

EXPIRY_WARNING_DAYS = 60


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("expired", _("Expired")),
            ("soon", _("Expires within 60 days")),
            ("valid", _("Valid for more than 60 days")),
        ]

    def queryset(self, request, queryset):
        today = local_date()
        warn_until = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "soon":
            return queryset.filter(valid_until__gte=today, valid_until__lte=warn_until)
        if self.value() == "valid":
            return queryset.filter(valid_until__gt=warn_until)
        return queryset


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["engineer", "vendor", "name", "number", "valid_until", "expired"]
    list_filter = [ExpiryFilter, "vendor"]
    list_select_related = ["engineer", "vendor"]
    search_fields = ["name", "number", "engineer__username", "engineer__first_name", "engineer__last_name"]
    filter_horizontal = ["products"]
    ordering = ["engineer__last_name", "engineer__first_name", "vendor__name", "name"]

    @admin.display(boolean=True, description=_("expired"), ordering="valid_until")
    def expired(self, certification):
        return not certification.is_valid_on(local_date())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "engineer":
            kwargs["queryset"] = User.objects.exclude(role=Role.CUSTOMER).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WorkOrderEventInline(ReadOnly, admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    fields = readonly_fields = ["at", "kind", "actor", "from_status", "to_status", "note"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "ticket", "customer", "kind", "status", "engineer", "dispatched_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["ticket", "customer", "engineer"]
    search_fields = ["number", "ticket__number"]
    date_hierarchy = "dispatched_at"
    show_full_result_count = False
    inlines = [WorkOrderEventInline]


class VendorCaseUpdateInline(ReadOnly, admin.TabularInline):
    model = VendorCaseUpdate
    extra = 0
    fields = readonly_fields = ["at", "author", "note"]


@admin.register(VendorCase)
class VendorCaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["case_number", "vendor", "ticket", "status", "opened_at", "promised_resolution_at", "resolved_at"]
    list_filter = ["status", "vendor"]
    list_select_related = ["vendor", "ticket"]
    search_fields = ["case_number", "ticket__number"]
    inlines = [VendorCaseUpdateInline]


class CredentialRevealInline(ReadOnly, admin.TabularInline):
    model = CredentialReveal
    extra = 0
    fields = readonly_fields = ["at", "user", "reason", "ip_address"]


@admin.register(RemoteCredential)
class RemoteCredentialAdmin(ReadOnly, admin.ModelAdmin):
    """The password is revealed only on the ticket, where each reveal is audited; here not even its ciphertext."""

    list_display = ["system", "username", "customer", "ticket", "valid_until", "rotation_due", "rotated_at"]
    list_filter = ["rotation_due"]
    list_select_related = ["customer", "ticket"]
    search_fields = ["system", "ticket__number"]
    fields = [
        "customer",
        "ticket",
        "work_order",
        "system",
        "address",
        "username",
        "lent_by",
        "valid_until",
        "rotation_due",
        "rotated_at",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [CredentialRevealInline]


@admin.register(CredentialReveal)
class CredentialRevealAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "credential", "user", "reason", "ip_address"]
    list_select_related = ["credential", "user"]
    search_fields = ["reason", "credential__system"]
    date_hierarchy = "at"


@admin.register(ChangeApproval)
class ChangeApprovalAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["work_order", "status", "requested_by", "requested_at", "decided_by_name", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["work_order", "requested_by"]
    search_fields = ["work_order__number"]
