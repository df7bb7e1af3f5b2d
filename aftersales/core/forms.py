from django import forms

LARGEST_ID = 2**63 - 1  # a bigint primary key; SQLite cannot even bind a larger number


def as_id(value) -> int | None:
    """A row id from user input (a query string, a posted field), or None when it cannot name one."""
    text = str(value).strip() if value is not None else ""
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= LARGEST_ID else None


def style_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget Tabler's classes so templates can render fields plainly."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
