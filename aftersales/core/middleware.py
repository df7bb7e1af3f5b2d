from django.http import Http404
from django.shortcuts import render

from aftersales.core.errors import DomainError, NotFound


class DomainErrorMiddleware:
    """A DomainError that escapes a page view becomes a page with the right status; 404 stays a 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404 from exception
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status)
        return None
