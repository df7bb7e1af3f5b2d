"""One error shape for the whole API: {"code": ..., "message": ..., "detail": ...}."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aftersales.core.errors import DomainError


def error_response(code: str, message, detail, http_status: int) -> Response:
    return Response({"code": code, "message": str(message), "detail": detail}, status=http_status)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(
            exc.code,
            exc.message,
            {k: [str(m) for m in v] if isinstance(v, list) else v for k, v in exc.detail.items()},
            exc.status,
        )
    if isinstance(exc, Http404):
        return error_response("not_found", _("Not found."), {}, status.HTTP_404_NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_response("invalid", _("Some fields are invalid."), detail, response.status_code)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    return error_response(
        code if isinstance(code, str) else "error",
        exc.detail if hasattr(exc, "detail") else exc,
        {},
        response.status_code,
    )
