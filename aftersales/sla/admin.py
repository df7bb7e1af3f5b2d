from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.notifications.choices import ChannelKind
from aftersales.sla.choices import ExceptionSource, Recipient
from aftersales.sla.models import (
    BusinessCalendar,
    CalendarException,
    EscalationLadder,
    LadderStep,
    SlaPolicy,
    SlaTarget,
    WorkingInterval,
)
from aftersales.sla.signals import sla_rules_changed


class RecomputesClocks:
    """Any change to the rules recomputes the open tickets' clocks (from their events, nothing lost)."""

    def changed(self):
        sla_rules_changed.send(sender=self.model)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self.changed()


class WorkingIntervalFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept and not self.instance.is_24x7:
            # Clocks on a calendar without working time could never come due.
            raise forms.ValidationError(_("A calendar that is not 7x24 needs at least one working interval."))


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = WorkingIntervalFormSet
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RecomputesClocks, admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_24x7", "observes_public_holidays"]
    inlines = [WorkingIntervalInline]


@admin.register(CalendarException)
class CalendarExceptionAdmin(RecomputesClocks, admin.ModelAdmin):
    list_display = ["day", "kind", "name", "confirmed", "source"]
    list_filter = ["kind", "confirmed", "source"]
    date_hierarchy = "day"
    search_fields = ["name"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        # An administrator's entry always wins: reseeding the holiday table never overwrites it.
        obj.source = ExceptionSource.ADMIN
        super().save_model(request, obj, form, change)


class LadderStepForm(forms.ModelForm):
    recipients = forms.MultipleChoiceField(
        label=_("who is told"), choices=Recipient.choices, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=ChannelKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = LadderStep
        fields = ["percent", "recipients", "channels", "urgent"]


class LadderStepInline(admin.TabularInline):
    model = LadderStep
    form = LadderStepForm
    extra = 0


@admin.register(EscalationLadder)
class EscalationLadderAdmin(RecomputesClocks, admin.ModelAdmin):
    inlines = [LadderStepInline]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RecomputesClocks, admin.ModelAdmin):
    list_display = ["name", "calendar", "ladder", "is_default"]
    inlines = [SlaTargetInline]
