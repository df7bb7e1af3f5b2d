from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DutyShift, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "customer", "is_active"]
    list_filter = ["role", "is_active", "customer"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Aftersales"), {"fields": ["role", "phone", "customer"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Aftersales"), {"fields": ["role", "customer"]}),
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    filter_horizontal = ["members"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    """The duty roster (值班表): who the SLA ladders mean by "duty manager" and "duty engineer"."""

    list_display = ["weekday", "start", "end", "team", "duty_manager", "duty_engineer"]
    list_filter = ["team", "weekday"]
    list_select_related = ["team", "duty_manager", "duty_engineer"]
