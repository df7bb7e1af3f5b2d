from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.contracts.models import Contract, ServiceLevel, WarrantyTerm
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
