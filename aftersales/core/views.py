"""Helpers shared by the page views."""

from django.contrib import messages

from aftersales.core.errors import DomainError


def add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal on the form: field errors where the field is shown, the rest on top."""
    for field, field_messages in error.detail.items():
        for message in field_messages if isinstance(field_messages, list) else [field_messages]:
            form.add_error(field if field in form.fields else None, str(message))
    if not error.detail:
        form.add_error(None, str(error.message))


def flash_domain_error(request, error: DomainError) -> None:
    details = [str(m) for msgs in error.detail.values() if isinstance(msgs, list) for m in msgs]
    messages.error(request, " ".join([str(error.message), *details]))
