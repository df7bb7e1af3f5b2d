"""Domain errors: services raise these; views and the API turn them into answers."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the operation. `code` is stable; `message` is for people."""

    code = "domain_error"
    status = 400
    default_message = _("The operation is not allowed.")

    def __init__(self, message=None, *, detail=None):
        self.message = message or self.default_message
        self.detail = detail or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    """Input is invalid; `detail` maps field names to lists of messages."""

    code = "invalid"
    default_message = _("Some fields are invalid.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    """Somebody else changed the record since it was read (optimistic concurrency)."""

    code = "conflict"
    status = 409
    default_message = _("This record was changed by someone else. Reload it and try again.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_message = _("This status change is not allowed now.")


def validation_failed_from(error) -> ValidationFailed:
    """Turn Django's ValidationError into our ValidationFailed, keeping the field names."""
    if hasattr(error, "message_dict"):
        return ValidationFailed(detail={field: list(msgs) for field, msgs in error.message_dict.items()})
    return ValidationFailed(detail={"__all__": list(error.messages)})
