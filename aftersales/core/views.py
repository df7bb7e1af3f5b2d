"""Helpers shared by the page views."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

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


def flash_form_errors(request, form) -> None:
    """A form that came back invalid from a page showing several forms: its problems as one message."""
    problems = [
        _("%(field)s: %(error)s") % {"field": form.fields[name].label or name, "error": error}
        if name in form.fields and form.fields[name].label
        else error
        for name, errors in form.errors.items()
        for error in errors
    ]
    messages.error(request, " ".join(str(problem) for problem in problems))


def submit_and_return(request, target, form, service, success: str):
    """Run `service(cleaned_data)` on valid input; either way go back to `target` with a message.

    For the small forms of a page with many (escalate, lend access, ask for approval): a refusal is flashed,
    and the page is shown again fresh."""
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            service(form.cleaned_data)
        except DomainError as error:
            flash_domain_error(request, error)
        else:
            messages.success(request, success)
    return redirect(target)
