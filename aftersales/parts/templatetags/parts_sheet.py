"""The task sheet (a dispatch template) shows the parts app's "use a part from stock" form through this tag, since
dispatch sits below parts and cannot build the form itself."""

from django import template

from aftersales.parts.selectors import stock_part_form

register = template.Library()


@register.inclusion_tag("parts/stock_part_form.html", takes_context=True)
def use_part_from_stock(context):
    work_order = context["work_order"]
    return {
        "work_order": work_order,
        "form": stock_part_form(work_order=work_order, bound_form=context.get("stock_part_form")),
    }
