"""Quality in the admin: follow-up rules and the complaint escalation contacts are kept here. Follow-ups,
complaints and QC reviews are read-only: they change only through the services, which write the ticket events."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.quality.choices import Method
from aftersales.quality.models import Complaint, FollowUp, FollowUpRule, ManagementContact, QcReview
from aftersales.tickets.choices import Kind


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FollowUpRuleAdminForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple)
    methods = forms.MultipleChoiceField(choices=Method.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = FollowUpRule
        fields = ["contract", "enabled", "kinds", "delay_hours", "sample_percent", "low_score_threshold", "methods"]

    def clean_methods(self):
        return [value for value in Method.values if value in self.cleaned_data["methods"]]


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(SimpleHistoryAdmin):
    form = FollowUpRuleAdminForm
    list_display = ["__str__", "enabled", "delay_hours", "sample_percent", "low_score_threshold"]
    list_select_related = ["contract"]
    autocomplete_fields = ["contract"]


@admin.register(ManagementContact)
class ManagementContactAdmin(SimpleHistoryAdmin):
    list_display = ["user", "position", "active"]
    list_filter = ["position", "active"]
    autocomplete_fields = ["user"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "due_at", "status", "method", "outcome", "score_overall", "answered_at"]
    list_filter = ["status", "method", "outcome"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "escalated_at", "registered_by", "created_at"]
    list_select_related = ["ticket", "registered_by"]
    search_fields = ["ticket__number", "ticket__title"]


@admin.register(QcReview)
class QcReviewAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "sample_reason", "engineer", "score", "reviewed_at"]
    list_filter = ["sample_reason"]
    list_select_related = ["ticket", "engineer"]
    search_fields = ["ticket__number"]
