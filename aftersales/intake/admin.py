"""Integrations in the admin: telephone systems with their agents' extensions, alert sources with their hosts.

A system's token is made when it is created (or renewed by the action) and shown once in the message; only
its hash is stored. The registers (faxes, calls, alerts) are read-only here: they change through the services.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.accounts.roles import LOG, ROLE_PERMISSIONS, VIEW_INTERNAL
from aftersales.intake.models import (
    Alert,
    AlertHost,
    AlertSource,
    FaxReceipt,
    FaxSender,
    IncomingCall,
    PhoneExtension,
    TelephoneSystem,
)
from aftersales.intake.tokens import token_hash, token_hint, token_new

AGENT_ROLES = [role for role, granted in ROLE_PERMISSIONS.items() if {LOG, VIEW_INTERNAL} <= granted]


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _give_token(request, integration) -> None:
    token = token_new()
    integration.token_hash, integration.token_hint = token_hash(token), token_hint(token)
    integration.save()
    messages.warning(
        request,
        _("The token of %(name)s is %(token)s. Copy it now: it is not shown again.")
        % {"name": integration, "token": token},
    )


class TokenAdmin(admin.ModelAdmin):
    readonly_fields = ("token_hint",)
    actions = ["renew_token"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            _give_token(request, obj)

    @admin.action(description=gettext_lazy("Issue a new token (the old one stops working)"))
    def renew_token(self, request, queryset):
        for integration in queryset:
            _give_token(request, integration)


class PhoneExtensionInline(admin.TabularInline):
    model = PhoneExtension
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True, role__in=AGENT_ROLES).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TelephoneSystem)
class TelephoneSystemAdmin(TokenAdmin):
    list_display = ("name", "is_active", "token_hint", "last_call_at")
    readonly_fields = ("token_hint", "last_call_at")
    inlines = [PhoneExtensionInline]


class AlertHostInline(admin.TabularInline):
    model = AlertHost
    extra = 1
    raw_id_fields = ("asset",)


@admin.register(AlertSource)
class AlertSourceAdmin(TokenAdmin):
    list_display = ("name", "kind", "customer", "run_as", "is_active", "token_hint", "last_received_at")
    list_filter = ("kind", "is_active")
    readonly_fields = ("token_hint", "last_received_at")
    raw_id_fields = ("contact",)
    inlines = [AlertHostInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "run_as":
            kwargs["queryset"] = User.objects.filter(is_active=True, role__in=AGENT_ROLES).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Alert)
class AlertAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "source", "status", "repeat_count", "ticket", "last_received_at")
    list_filter = ("source", "status", "is_current")


@admin.register(IncomingCall)
class IncomingCallAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("rang_at", "caller", "agent_ref", "agent", "outcome", "ticket")
    list_filter = ("system", "outcome")


@admin.register(FaxReceipt)
class FaxReceiptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("number", "received_at", "fax_number", "customer", "ticket", "waiting_reason")
    search_fields = ("number", "fax_number", "summary")


@admin.register(FaxSender)
class FaxSenderAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "remembered_by", "remembered_at")
    search_fields = ("number", "customer__name")
    readonly_fields = ("remembered_by", "remembered_at")

    def save_model(self, request, obj, form, change):
        obj.remembered_by = request.user
        super().save_model(request, obj, form, change)
