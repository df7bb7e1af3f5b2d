"""Preventive maintenance in the admin: checklists and plans are kept here; inspections and their results come
from the plans and the engineers' pages, so they are read-only (an inspection's status may be corrected)."""

from types import SimpleNamespace

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.maintenance.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    MaintenancePlan,
    TrainingAttendee,
    TrainingMaterial,
    TrainingSession,
    WeeklyPlan,
    WeeklyPlanSignature,
    WeeklyReport,
)
from aftersales.maintenance.recurrence import rule_errors

RULE_FIELDS = ("recurrence", "weekday", "day_of_month", "week_of_month", "starts_on", "ends_on")


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["position", "label", "kind", "expected", "unit", "minimum", "maximum"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    inlines = [ChecklistItemInline]


class MaintenancePlanForm(forms.ModelForm):
    """The plan's rule must be able to produce dates; the site and assets must be the contract's customer's."""

    class Meta:
        model = MaintenancePlan
        fields = [
            "contract",
            "site",
            "title",
            "scope",
            "assets",
            "checklist",
            "recurrence",
            "weekday",
            "day_of_month",
            "week_of_month",
            "engineer",
            "team",
            "starts_on",
            "ends_on",
            "lead_days",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        rule = SimpleNamespace(**{name: data.get(name) for name in RULE_FIELDS})
        for field, messages in rule_errors(rule).items():
            if field not in self.errors:
                self.add_error(field, messages)
        contract, site = data.get("contract"), data.get("site")
        if contract and site and site.customer_id != contract.customer_id:
            self.add_error("site", _("The site belongs to another customer than the contract."))
        if contract and any(asset.customer_id != contract.customer_id for asset in data.get("assets") or ()):
            self.add_error("assets", _("Every asset must belong to the contract's customer."))
        if not data.get("engineer") and not data.get("team"):
            self.add_error("engineer", _("Choose an engineer or a team."))
        return data


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    form = MaintenancePlanForm
    list_display = ["title", "contract", "site", "recurrence", "engineer", "team", "starts_on", "ends_on", "is_active"]
    list_filter = ["is_active", "recurrence"]
    search_fields = ["title", "contract__number", "contract__customer__name", "site__name"]
    list_select_related = ["contract", "site__customer", "engineer", "team"]
    autocomplete_fields = ["contract", "site"]
    filter_horizontal = ["assets"]


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InspectionResultInline(ReadOnly, admin.TabularInline):
    model = InspectionResult
    extra = 0
    fields = ["item", "outcome", "reading", "text", "ticket", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["plan", "scheduled_for", "engineer", "status", "completed_at"]
    list_filter = ["status"]
    search_fields = ["plan__title", "plan__contract__customer__name"]
    date_hierarchy = "scheduled_for"
    list_select_related = ["plan", "engineer"]
    readonly_fields = ["plan", "scheduled_for", "engineer", "started_at", "completed_at", "summary"]
    inlines = [InspectionResultInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspectionResult)
class InspectionResultAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["inspection", "item", "outcome", "reading", "ticket", "recorded_at"]
    list_filter = ["outcome"]
    list_select_related = ["inspection__plan", "item", "ticket"]


# Weekly plans, reports and training are written through their pages (signatures, generated drafts,
# uploads); the admin shows them read-only for support.
class WeeklyPlanSignatureInline(ReadOnly, admin.TabularInline):
    model = WeeklyPlanSignature
    extra = 0
    fields = ["role", "signer_name", "signed_at", "user"]
    readonly_fields = fields


@admin.register(WeeklyPlan)
class WeeklyPlanAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["customer", "engineer", "week_start", "status"]
    list_filter = ["status"]
    list_select_related = ["customer", "engineer"]
    inlines = [WeeklyPlanSignatureInline]


@admin.register(WeeklyReport)
class WeeklyReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["customer", "engineer", "week_start", "status", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "engineer"]


class TrainingMaterialInline(ReadOnly, admin.TabularInline):
    model = TrainingMaterial
    extra = 0
    fields = ["name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class TrainingAttendeeInline(ReadOnly, admin.TabularInline):
    model = TrainingAttendee
    extra = 0
    fields = ["name", "department", "phone", "signed_at", "signed_via"]
    readonly_fields = fields


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["topic", "customer", "starts_at", "place"]
    list_select_related = ["customer"]
    search_fields = ["topic", "customer__name"]
    exclude = ["trainer_signature_png"]
    inlines = [TrainingMaterialInline, TrainingAttendeeInline]
