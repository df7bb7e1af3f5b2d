"""Reads for the stock pages: the stock list, a part's page, the supply promise, the sheet's part form."""

import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from aftersales.assets.models import Product
from aftersales.dispatch.models import WorkOrder
from aftersales.parts.forms_stock import MANUAL_KINDS, StockMoveForm, StockPartForm, active_warehouses
from aftersales.parts.models import Part, Stock, StockMovement, Warehouse
from aftersales.parts.services.stock import may_move_stock
from aftersales.parts.supply import ProductSupply, supply_report

LAST_MOVEMENTS = 20
# Available stock (on hand less what is reserved) below the reorder point: time to order.
BELOW_REORDER_POINT = Q(reorder_point__gt=0, on_hand__lt=F("allocated") + F("reorder_point"))


def stock_list(
    *, user, warehouse: Warehouse | None = None, vendor=None, q: str = "", below: bool = False
) -> QuerySet[Stock]:
    """Stock rows by warehouse and part, each marked `is_below` its reorder point; one query per page."""
    rows = (
        Stock.objects.visible_to(user)
        .select_related("warehouse", "part", "part__vendor")
        .annotate(is_below=ExpressionWrapper(BELOW_REORDER_POINT, output_field=BooleanField()))
    )
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    if vendor is not None:
        rows = rows.filter(part__vendor=vendor)
    if q.strip():
        rows = rows.filter(Q(part__part_number__icontains=q.strip()) | Q(part__description__icontains=q.strip()))
    if below:
        rows = rows.filter(BELOW_REORDER_POINT)
    return rows.order_by("warehouse__kind", "warehouse__name", "part__part_number", "pk")


def part_detail(*, user, pk: int) -> Part:
    products = Product.objects.select_related("vendor").order_by("vendor__name", "name")
    return get_object_or_404(
        Part.objects.visible_to(user)
        .select_related("vendor")
        .prefetch_related(Prefetch("compatible_products", queryset=products)),
        pk=pk,
    )


def part_page_context(*, part: Part, user, bound_form: StockMoveForm | None = None) -> dict:
    """The part, its stock per warehouse, its last movements and (for those who may) the movement forms; a form
    the service refused comes back bound, with its errors."""
    forms = {}
    if may_move_stock(user):
        forms = {kind.value: StockMoveForm(kind=kind.value) for kind in MANUAL_KINDS}
        if bound_form is not None and bound_form.kind in forms:
            forms[bound_form.kind] = bound_form
        warehouses = list(active_warehouses())
        for form in forms.values():
            for name in ("warehouse", "to_warehouse"):
                if name in form.fields:
                    with_choices(form.fields[name], warehouses)
    return {
        "part": part,
        "stock": Stock.objects.visible_to(user)
        .filter(part=part)
        .select_related("warehouse")
        .order_by("warehouse__kind", "warehouse__name"),
        "movements": StockMovement.objects.visible_to(user)
        .filter(part=part)
        .select_related("warehouse", "to_warehouse", "actor", "work_order")[:LAST_MOVEMENTS],
        "move_forms": forms,
    }


def supply_promise(*, user, today: dt.date) -> list[ProductSupply]:
    """The supply promise is internal: staff only."""
    if not user.is_authenticated or not user.is_staff_member:
        return []
    return supply_report(today)


def with_choices(field, objects: list) -> None:
    """Render a model choice from rows already read (the form's validation still asks its queryset): one query for
    several selects of the same rows, and no COUNT(*) before each."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [(row.pk, str(row)) for row in objects]


def stock_part_form(*, work_order: WorkOrder, bound_form: StockPartForm | None = None) -> StockPartForm:
    """The sheet's "use a part from stock" in two queries: the catalogue and the open warehouses, the engineer's
    own van chosen first."""
    warehouses = list(active_warehouses())
    van = next((row for row in warehouses if row.engineer_id == work_order.engineer_id), None)
    form = bound_form or StockPartForm(initial={"warehouse": van.pk if van else None, "quantity": 1})
    with_choices(form.fields["warehouse"], warehouses)
    with_choices(form.fields["part"], list(form.fields["part"].queryset))
    return form
