from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.assets.models import Asset, Product, Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "support_phone"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor", "model", "category"]
    list_filter = ["category", "vendor"]
    search_fields = ["name", "model"]


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
    list_display = ["product", "serial_number", "customer", "site", "acceptance_date", "warranty_end"]
    list_filter = ["product__category", "product__vendor"]
    search_fields = ["serial_number", "customer__name", "product__name"]
    list_select_related = ["product__vendor", "customer", "site"]
    autocomplete_fields = ["customer", "site", "product"]
