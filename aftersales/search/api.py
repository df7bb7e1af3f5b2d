"""The search API: GET /api/v1/search/?q=…[&kind=…][&limit=…], the search box for integrations.

Mounted by `aftersales/api/urls.py` (APP_APIS); the answer holds only what the caller may see.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.search.query import search
from aftersales.search.registry import registrations

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text=_("Words, a number, a phone number or a serial number."))
    kind = serializers.ChoiceField(choices=[], required=False, help_text=_("Search only this kind."))
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [registration.kind for registration in registrations()]


class HitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    url = serializers.CharField()
    at = serializers.DateTimeField(source="ordered_at")


class GroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Matches, counted up to 1000."))
    count_is_capped = serializers.BooleanField()
    results = HitSerializer(many=True, source="hits")


class ResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    groups = GroupSerializer(many=True)


class SearchView(APIView):
    """Newest matches first in each kind the caller may see; every word must appear."""

    @extend_schema(parameters=[SearchQuerySerializer], responses={200: ResultsSerializer})
    def get(self, request):
        parameters = SearchQuerySerializer(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        kind = parameters.validated_data.get("kind")
        results = search(
            request.user,
            parameters.validated_data["q"],
            kinds=[kind] if kind else None,
            limit_per_kind=parameters.validated_data["limit"],
        )
        return Response(ResultsSerializer(results).data)


routes = []
urlpatterns = [path("search/", SearchView.as_view(), name="search")]
