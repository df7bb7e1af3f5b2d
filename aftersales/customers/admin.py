from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.customers.models import Contact, Customer, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "province", "city", "district", "address"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "phone", "email", "position", "site"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "industry", "is_active"]
    list_filter = ["is_active", "industry"]
    search_fields = ["name", "code"]
    inlines = [SiteInline, ContactInline]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "customer", "province", "city", "district"]
    list_filter = ["province"]
    search_fields = ["name", "customer__name", "address"]
    list_select_related = ["customer"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "customer", "phone", "email", "position"]
    search_fields = ["name", "phone", "email", "customer__name"]
    list_select_related = ["customer"]
