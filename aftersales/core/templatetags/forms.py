from django import template

register = template.Library()


@register.filter
def selected_values(field) -> set[str]:
    """The bound field's current value(s) as strings, to mark <option>s without Django's per-option templates."""
    value = field.value()
    values = value if isinstance(value, (list, tuple)) else [value]
    return {str(item) for item in values if item not in (None, "")}
