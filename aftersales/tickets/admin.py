from django.contrib import admin

from aftersales.sla.admin import SlaPolicyAdmin
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.models import PriorityRule, SlaEscalation, SlaPauseRule, Ticket, TicketEvent


class SlaPauseRuleInline(admin.TabularInline):
    model = SlaPauseRule
    extra = 0


# The pause rules name ticket statuses, so they join the policy's page from here (tickets sit above sla).
admin.site.unregister(SlaPolicy)


@admin.register(SlaPolicy)
class SlaPolicyWithPausesAdmin(SlaPolicyAdmin):
    inlines = [*SlaPolicyAdmin.inlines, SlaPauseRuleInline]


@admin.register(SlaEscalation)
class SlaEscalationAdmin(admin.ModelAdmin):
    """Read-only: escalations are written by the sweep and acknowledged on the ticket page."""

    list_display = ["ticket", "clock", "percent", "reached_at", "notified", "acknowledged_by", "acknowledged_at"]
    list_filter = ["clock", "percent", "notified"]
    list_select_related = ["ticket", "acknowledged_by"]
    search_fields = ["ticket__number"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["service_level", "urgency", "impact", "priority"]
    list_filter = ["service_level"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "kind", "actor", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the services, which check rules and write the timeline."""

    list_display = ["number", "title", "customer", "status", "priority", "received_at"]
    list_filter = ["status", "priority", "kind", "channel"]
    search_fields = ["number", "title"]
    list_select_related = ["customer"]
    show_full_result_count = False
    inlines = [TicketEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
