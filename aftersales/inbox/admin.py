"""Mailboxes (password write-only) and, read-only, the mail received and sent: for administrators only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.inbox.models import InboundMessage, Mailbox, OutgoingMail
from aftersales.notifications.services import is_administrator


class AdministratorsOnly:
    """Mailbox settings hold credentials; mail names customers and people."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request, *args):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class ReadOnly(AdministratorsOnly):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MailboxAdminForm(forms.ModelForm):
    """The password is write-only: typed here, stored encrypted, never rendered back."""

    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "address",
            "display_name",
            "team",
            "owner",
            "host",
            "port",
            "username",
            "folder",
            "ca_certificate",
            "after_processing",
            "processed_folder",
            "default_customer",
            "ticket_kind",
            "is_active",
            "is_fax_gateway",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password"):
            self.instance.set_password(cleaned["new_password"])
        elif not self.instance.has_password:
            self.add_error("new_password", _("Give the mailbox's password."))
        return cleaned


@admin.register(Mailbox)
class MailboxAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = MailboxAdminForm
    list_display = ["address", "team", "owner", "host", "is_active", "is_fax_gateway", "last_polled_at", "has_error"]
    list_filter = ["is_active", "is_fax_gateway", "team"]
    search_fields = ["address", "host", "username"]
    list_select_related = ["team", "owner"]
    autocomplete_fields = ["default_customer"]
    raw_id_fields = ["owner"]
    readonly_fields = ["has_password", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["address", "display_name", "team", "owner", "is_active"]}),
        (
            _("Server"),
            {"fields": ["host", "port", "username", "has_password", "new_password", "folder", "ca_certificate"]},
        ),
        (
            _("Processing"),
            {"fields": ["after_processing", "processed_folder", "default_customer", "ticket_kind", "is_fax_gateway"]},
        ),
        (_("Last check"), {"fields": ["last_polled_at", "last_error"]}),
    ]

    @admin.display(boolean=True, description=_("password stored"))
    def has_password(self, obj):
        return obj.has_password

    @admin.display(boolean=True, description=_("error"))
    def has_error(self, obj):
        return bool(obj.last_error)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["recorded_at", "mailbox", "sender_address", "subject", "outcome", "needs_review", "ticket"]
    list_filter = ["outcome", "needs_review", "mailbox"]
    search_fields = ["sender_address", "subject", "message_id"]
    list_select_related = ["mailbox", "ticket"]
    show_full_result_count = False
    exclude = ["body_html"]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "ticket", "kind", "recipient", "message_id"]
    list_filter = ["kind"]
    search_fields = ["recipient", "message_id", "outbox_key"]
    list_select_related = ["ticket"]
    show_full_result_count = False
