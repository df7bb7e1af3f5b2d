from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.contracts.models import Contract, HandoverDocument, ProjectRecord, ServiceLevel, WarrantyTerm
from aftersales.sla.admin import RecomputesClocks


@admin.register(ServiceLevel)
class ServiceLevelAdmin(RecomputesClocks, admin.ModelAdmin):
    list_display = ["name", "code", "rank", "sla_policy"]


class WarrantyTermInline(admin.TabularInline):
    model = WarrantyTerm
    extra = 0


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "customer", "service_level", "coverage", "start_date", "end_date", "status"]
    list_filter = ["status", "service_level", "coverage", "lifetime_maintenance"]
    search_fields = ["number", "name", "customer__name"]
    list_select_related = ["customer", "service_level"]
    filter_horizontal = ["sites"]
    inlines = [WarrantyTermInline]


class HandoverDocumentInline(admin.TabularInline):
    model = HandoverDocument
    extra = 0
    fields = ["kind", "file", "name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["name", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False  # uploaded on the project page, which checks the file and records who uploaded it


@admin.register(ProjectRecord)
class ProjectRecordAdmin(admin.ModelAdmin):
    """For corrections: the project page (and its services) is where the handover is done."""

    list_display = ["contract", "initial_acceptance_date", "service_started_at", "service_started_by"]
    list_select_related = ["contract", "service_started_by"]
    search_fields = ["contract__number", "contract__name", "contract__customer__name"]
    readonly_fields = ["service_started_at", "service_started_by"]
    raw_id_fields = ["contract"]
    inlines = [HandoverDocumentInline]
