"""Forms for part requests on a ticket and for RMA cases. They parse input; the services decide.

The drop-downs of parts and warehouses are read once per page and handed to every form on it (`with_choices`),
so a ticket with many requests does not read the catalogue once per form. Posted values are still checked
against the database by the model choice fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledForm
from aftersales.parts.choices import Destination, RmaOutcome
from aftersales.parts.models import Part, Warehouse

TEXT_LIMIT = 2000


def _moment_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _part_field(**kwargs):
    return forms.ModelChoiceField(label=_("Part"), queryset=Part.objects.all(), **kwargs)


def _warehouse_field(label=None, **kwargs):
    return forms.ModelChoiceField(
        label=label or _("Warehouse"), queryset=Warehouse.objects.filter(is_active=True), **kwargs
    )


def part_choices() -> list[tuple[str, str]]:
    return [("", "---------"), *((str(part.pk), str(part)) for part in Part.objects.all())]


def warehouse_choices() -> list[tuple[str, str]]:
    return [
        ("", "---------"),
        *((str(pk), name) for pk, name in Warehouse.objects.filter(is_active=True).values_list("pk", "name")),
    ]


class ChoicesOnce:
    """`with_choices(parts=…, warehouses=…)`: the form to show, with drop-downs read once for the whole page."""

    @classmethod
    def with_choices(cls, *, parts=None, warehouses=None, **kwargs):
        form = cls(**kwargs)
        if parts is not None and "part" in form.fields:
            form.fields["part"].choices = parts
        for name, field in form.fields.items():
            if warehouses is not None and name.endswith("warehouse"):
                field.choices = warehouses
        return form


class PartRequestForm(ChoicesOnce, StyledForm):
    prefix = "part_request"

    part = _part_field()
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)
    destination = forms.ChoiceField(label=_("Delivery"), choices=Destination.choices, initial=Destination.DOMESTIC)
    warehouse = _warehouse_field(
        label=_("From warehouse"),
        required=False,
        help_text=_("When it holds the part, the part is reserved at once."),
    )
    advance_replacement = forms.BooleanField(
        label=_("Advance replacement (备件先行): send the good part first, the faulty one comes back"), required=False
    )
    faulty_serial = forms.CharField(label=_("Serial of the faulty part"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note for the parts keepers"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PartShipForm(ChoicesOnce, StyledForm):
    prefix = "ship"

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    warehouse = _warehouse_field(
        label=_("From warehouse"),
        required=False,
        help_text=_("Leave empty for the reserved stock, or when the part does not come from our stock."),
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)


class PartCancelForm(StyledForm):
    prefix = "cancel"

    reason = forms.CharField(
        label=_("Why is the part no longer needed?"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )


class FaultyReturnForm(ChoicesOnce, StyledForm):
    prefix = "faulty"

    serial_number = forms.CharField(
        label=_("Serial number of the faulty part"),
        max_length=100,
        required=False,
        help_text=_("Leave empty if it is the one recorded with the request."),
    )
    warehouse = _warehouse_field(label=_("Kept in warehouse until it goes to the vendor"))


class RmaOpenForm(ChoicesOnce, StyledForm):
    prefix = "rma"

    part = _part_field()
    warehouse = _warehouse_field(label=_("Warehouse it is taken from"))
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    vendor_case_number = forms.CharField(label=_("Vendor's case number"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Fault"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RmaShipForm(StyledForm):
    prefix = "rma_ship"

    vendor_case_number = forms.CharField(label=_("Vendor's case number"), max_length=100)
    shipped_at = _moment_field(_("Shipped at"), _("Leave empty for now."))


class RmaCloseForm(StyledForm):
    prefix = "rma_close"

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[choice for choice in RmaOutcome.choices if choice[0] != RmaOutcome.PENDING]
    )
    replacement_serial = forms.CharField(
        label=_("Serial of the replacement"),
        max_length=100,
        required=False,
        help_text=_("Needed when the vendor replaced the unit free of charge."),
    )
    returned_at = _moment_field(_("Back from the vendor at"), _("Leave empty for now."))
