"""Helpers shared by the page views."""

from django.contrib import messages

from aftersales.core.errors import DomainError


def _field_messages(error: DomainError) -> dict[str, list]:
    """Per-field messages; other detail (such as a conflict's current version) is data, not text."""
    return {field: value for field, value in error.detail.items() if isinstance(value, list)}


def add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal on the form: field errors where the field is shown, the rest on top."""
    field_messages = _field_messages(error)
    for field, field_errors in field_messages.items():
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        for message in field_errors:
            form.add_error(field if visible else None, str(message))
    if not field_messages:
        form.add_error(None, str(error.message))


def flash_domain_error(request, error: DomainError) -> None:
    details = [str(message) for field_errors in _field_messages(error).values() for message in field_errors]
    messages.error(request, " ".join([str(error.message), *details]))
