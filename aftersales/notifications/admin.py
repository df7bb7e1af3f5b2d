"""The delivery log, channel configurations, preferences and in-app notifications: for administrators only."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersales.core.errors import DomainError
from aftersales.notifications.choices import OutboxStatus
from aftersales.notifications.forms import ChannelConfigAdminForm, TestMessageForm
from aftersales.notifications.models import ChannelConfig, InAppNotification, NotificationPreference, Outbox
from aftersales.notifications.services import (
    channel_config_send_test,
    default_test_recipient,
    is_administrator,
    outbox_retry,
)


class AdministratorsOnly:
    """Hidden from every other staff role: messages name customers and people, configurations hold secrets."""

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


@admin.register(Outbox)
class OutboxAdmin(ReadOnly, admin.ModelAdmin):
    """The delivery log: every message, what the provider answered, and why a failed one failed."""

    list_display = ["created_at", "channel", "recipient", "user", "subject", "urgent", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "urgent"]
    search_fields = ["key", "recipient"]
    list_select_related = ["user"]
    show_full_result_count = False
    actions = ["retry_now"]
    readonly_fields = [field.name for field in Outbox._meta.fields]

    @admin.action(description=gettext_lazy("Retry the selected failed messages now"))
    def retry_now(self, request, queryset):
        count = outbox_retry(actor=request.user, ids=queryset.values_list("pk", flat=True))
        skipped = queryset.exclude(status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING]).count()
        text = ngettext("%(count)s message will be sent again.", "%(count)s messages will be sent again.", count)
        messages.success(request, text % {"count": count})
        if skipped:
            messages.warning(request, _("Only failed messages can be retried; the others were left as they are."))


@admin.register(ChannelConfig)
class ChannelConfigAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = ChannelConfigAdminForm
    list_display = ["name", "kind", "enabled", "has_secret", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    fields = ["kind", "name", "enabled", "settings", "has_secret", "secret", "clear_secret"]
    readonly_fields = ["has_secret"]
    actions = ["send_test_message"]

    @admin.display(boolean=True, description=gettext_lazy("secret stored"))
    def has_secret(self, obj):
        return obj.has_secret

    @admin.action(description=gettext_lazy("Send a test message"))
    def send_test_message(self, request, queryset):
        configs = list(queryset)
        form = TestMessageForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Send a test message"),
                "opts": self.model._meta,
                "configs": configs,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "notifications/admin/send_test_message.html", context)
        for config in configs:
            recipient = form.cleaned_data["recipient"] or default_test_recipient(actor=request.user, config=config)
            try:
                answer = channel_config_send_test(actor=request.user, config=config, recipient=recipient)
            except DomainError as error:
                messages.error(request, _("%(name)s failed: %(error)s") % {"name": config.name, "error": error.message})
            else:
                messages.success(request, _("%(name)s sent it: %(answer)s") % {"name": config.name, "answer": answer})
        return None


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["user", "language", "quiet_hours_start", "quiet_hours_end"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(InAppNotification)
class InAppNotificationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "user__username"]
    list_select_related = ["user"]
    show_full_result_count = False
    readonly_fields = [field.name for field in InAppNotification._meta.fields]
