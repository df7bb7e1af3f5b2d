"""Spare parts in the admin: the catalogue and warehouses are kept here. Stock quantities, movements, part requests,
their escalations and RMA cases are read-only, because they change only through the services (stock_move and the
request services), which lock the rows and keep every movement as a row."""

from django.contrib import admin

from aftersales.parts.models import Part, PartEscalation, PartRequest, RmaCase, Stock, StockMovement, Warehouse


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["part_number", "description", "vendor", "unit_cost", "serialised", "spares_per_hundred"]
    list_filter = ["vendor", "serialised"]
    list_select_related = ["vendor"]
    search_fields = ["part_number", "description", "vendor__name"]
    filter_horizontal = ["compatible_products"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "engineer", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["engineer"]
    search_fields = ["name", "city", "address"]
    autocomplete_fields = ["engineer"]


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    """Only the reorder point is set here; quantities move through stock movements."""

    list_display = ["warehouse", "part", "on_hand", "allocated", "reorder_point"]
    list_filter = ["warehouse"]
    list_select_related = ["warehouse", "part"]
    search_fields = ["part__part_number", "part__description", "warehouse__name"]
    fields = ["warehouse", "part", "on_hand", "allocated", "reorder_point"]
    readonly_fields = ["warehouse", "part", "on_hand", "allocated"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "kind", "part", "warehouse", "to_warehouse", "quantity", "serial_number", "actor"]
    list_filter = ["kind", "warehouse"]
    list_select_related = ["part", "warehouse", "to_warehouse", "actor"]
    search_fields = ["part__part_number", "serial_number", "note"]
    date_hierarchy = "at"


class PartEscalationInline(ReadOnly, admin.TabularInline):
    model = PartEscalation
    extra = 0


@admin.register(PartRequest)
class PartRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "part", "quantity", "status", "due_at", "advance_replacement"]
    list_filter = ["status", "destination", "advance_replacement"]
    list_select_related = ["ticket", "part"]
    search_fields = ["ticket__number", "part__part_number", "tracking_number", "faulty_serial"]
    inlines = [PartEscalationInline]


@admin.register(RmaCase)
class RmaCaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "part", "serial_number", "vendor_case_number", "outcome", "shipped_at", "returned_at"]
    list_filter = ["outcome"]
    list_select_related = ["part"]
    search_fields = ["part__part_number", "serial_number", "vendor_case_number", "replacement_serial"]
