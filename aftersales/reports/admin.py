from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.reports.models import ServiceReport, ServiceReportSchedule


@admin.register(ServiceReportSchedule)
class ServiceReportScheduleAdmin(SimpleHistoryAdmin):
    """Which reports a contract gets by itself, and for whom (without a schedule: monthly, every contact)."""

    list_display = ["contract", "monthly", "quarterly", "yearly", "send_automatically"]
    list_filter = ["monthly", "quarterly", "yearly", "send_automatically"]
    search_fields = ["contract__number", "contract__customer__name"]
    autocomplete_fields = ["contract"]
    filter_horizontal = ["recipients"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "recipients":
            kwargs["queryset"] = db_field.related_model.objects.exclude(email="").select_related("customer")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ServiceReport)
class ServiceReportAdmin(admin.ModelAdmin):
    """Read-only: reports are generated, edited, released and sent on their own pages, which keep the timeline."""

    list_display = ["contract", "customer", "period_kind", "period_start", "version", "status", "sent_at"]
    list_filter = ["status", "period_kind", "automatic"]
    search_fields = ["contract__number", "customer__name"]
    date_hierarchy = "period_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
