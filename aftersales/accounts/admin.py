from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DutyException, DutyShift, EngineerProfile, Region, Skill, Team, User
from aftersales.accounts.roles import Role


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


class StaffChoices:
    """People on the roster and engineer profiles are staff: customers' users are not offered."""

    staff_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.staff_fields:
            kwargs["queryset"] = User.objects.exclude(role=Role.CUSTOMER).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.staff_fields:
            kwargs["queryset"] = User.objects.exclude(role=Role.CUSTOMER).filter(is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    filter_horizontal = ["members"]


@admin.register(DutyShift)
class DutyShiftAdmin(StaffChoices, admin.ModelAdmin):
    """The duty roster (值班表): who the SLA ladders mean by "duty manager" and "duty engineer"."""

    list_display = ["weekday", "start", "end", "team", "duty_manager", "duty_engineer"]
    list_filter = ["team", "weekday"]
    list_select_related = ["team", "duty_manager", "duty_engineer"]
    filter_horizontal = ["standby_engineers"]
    staff_fields = ("duty_manager", "duty_engineer", "standby_engineers")


@admin.register(DutyException)
class DutyExceptionAdmin(StaffChoices, admin.ModelAdmin):
    """Dated changes to the roster (holiday swaps, sick leave): while one runs it replaces its scope's shifts."""

    list_display = ["day", "start", "end", "team", "duty_manager", "duty_engineer", "reason"]
    list_filter = ["team"]
    list_select_related = ["team", "duty_manager", "duty_engineer"]
    date_hierarchy = "day"
    search_fields = ["reason"]
    staff_fields = ("duty_manager", "duty_engineer")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "provinces", "travel_speed_kmh"]
    search_fields = ["name", "provinces"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(EngineerProfile)
class EngineerProfileAdmin(StaffChoices, admin.ModelAdmin):
    list_display = ["user", "tier", "team", "region", "home_city", "status", "max_jobs"]
    list_filter = ["tier", "team", "region", "status", "skills"]
    list_select_related = ["user", "team", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "home_city"]
    filter_horizontal = ["skills"]
    readonly_fields = ["last_latitude", "last_longitude", "last_seen_at"]
    staff_fields = ("user",)
    fieldsets = [
        (None, {"fields": ["user", "tier", "team", "region", "skills", "max_jobs", "status"]}),
        (_("Home base"), {"fields": ["home_city", "home_latitude", "home_longitude"]}),
        (_("Last known position"), {"fields": ["last_latitude", "last_longitude", "last_seen_at"]}),
    ]
