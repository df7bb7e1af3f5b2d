"""Forms for the stock pages and the task sheet's "use a part from stock". They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Vendor
from aftersales.core.forms import StyledForm, as_id
from aftersales.parts.choices import MovementKind
from aftersales.parts.models import Part, Warehouse

MAX_QUANTITY = 1_000_000
# What a keeper does by hand on a part's page; reserving, issuing and consuming belong to tickets and jobs.
MANUAL_KINDS = (MovementKind.RECEIVE, MovementKind.TRANSFER, MovementKind.SCRAP, MovementKind.RETURN)


class IdChoiceField(forms.ModelChoiceField):
    """A model choice that answers "not a valid choice" to garbage (huge numbers, letters) instead of failing."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if as_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def active_warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("kind", "name")


class StockFilterForm(StyledForm):
    q = forms.CharField(label=_("Part number or description"), max_length=100, required=False)
    warehouse = IdChoiceField(
        Warehouse.objects.order_by("kind", "name"), label=_("Warehouse"), required=False, empty_label=_("All")
    )
    vendor = IdChoiceField(
        Vendor.objects.filter(pk__in=Part.objects.values("vendor_id")),
        label=_("Vendor"),
        required=False,
        empty_label=_("All"),
    )
    below = forms.BooleanField(label=_("Only below the reorder point"), required=False)


class StockMoveForm(StyledForm):
    """One of the part page's movement forms: receive, transfer, scrap or return (the kind is fixed per form)."""

    kind = forms.ChoiceField(choices=[(kind.value, kind.label) for kind in MANUAL_KINDS], widget=forms.HiddenInput)
    warehouse = IdChoiceField(active_warehouses(), label=_("Warehouse"))
    to_warehouse = IdChoiceField(active_warehouses(), label=_("To warehouse"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str | None = None, **kwargs):
        kind = kind or (args[0].get("kind") if args and args[0] else None)
        super().__init__(*args, auto_id=f"id_{kind or 'move'}_%s", initial={"kind": kind}, **kwargs)
        self.kind = kind
        if kind != MovementKind.TRANSFER:
            del self.fields["to_warehouse"]
        else:
            self.fields["to_warehouse"].required = True


class StockPartForm(StyledForm):
    """The task sheet's "use a part from stock"."""

    part = IdChoiceField(Part.objects.order_by("part_number"), label=_("Part"))
    warehouse = IdChoiceField(active_warehouses(), label=_("From warehouse"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_stock_%s", **kwargs)
