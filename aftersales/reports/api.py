"""The reports API: router routes (prefix, viewset, basename) and plain paths under /api/v1/.

Service reports: customers list and read their own organisation's released reports (figures included) and
download their PDF and Excel files; staff read every report. Anything a user may not see is a 404.
"""

import django_filters
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action

from aftersales.core.api import IdFilter
from aftersales.reports.choices import REPORT_PERIOD_CHOICES, ReportStatus
from aftersales.reports.models import ServiceReport

FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ServiceReportSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = ServiceReport
        fields = [
            "id",
            "customer",
            "customer_name",
            "contract",
            "contract_number",
            "period_kind",
            "period_start",
            "period_end",
            "version",
            "status",
            "generated_at",
            "finalised_at",
            "sent_at",
            "recommendations",
            "pdf_url",
            "xlsx_url",
        ]
        read_only_fields = fields

    def _url(self, report: ServiceReport, kind: str) -> str | None:
        if not getattr(report, kind):
            return None
        url = reverse(f"api:service-report-{kind}", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_pdf_url(self, report) -> str | None:
        return self._url(report, "pdf")

    def get_xlsx_url(self, report) -> str | None:
        return self._url(report, "xlsx")


class ServiceReportDetailSerializer(ServiceReportSerializer):
    class Meta(ServiceReportSerializer.Meta):
        fields = [*ServiceReportSerializer.Meta.fields, "figures"]
        read_only_fields = fields


class ServiceReportFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    contract = IdFilter(field_name="contract_id", label=_("Contract"))
    period_kind = django_filters.ChoiceFilter(
        choices=REPORT_PERIOD_CHOICES, label=pgettext_lazy("report period", "Period")
    )
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"))
    period_start = django_filters.DateFilter(field_name="period_start", label=_("From"))

    class Meta:
        model = ServiceReport
        fields = ["customer", "contract", "period_kind", "status", "period_start"]


class ServiceReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Service reports per contract and period; customers see their own organisation's released ones."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ServiceReportFilter
    ordering_fields = ["period_start", "version", "generated_at"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return (
            ServiceReport.objects.visible_to(self.request.user)
            .select_related("customer", "contract")
            .order_by("-period_start", "contract__number", "-version")
        )

    def get_serializer_class(self):
        return ServiceReportDetailSerializer if self.action == "retrieve" else ServiceReportSerializer

    def _file(self, kind: str) -> FileResponse:
        report = self.get_object()
        stored = getattr(report, kind)
        if not stored:
            raise Http404
        return FileResponse(
            stored.open("rb"), as_attachment=True, filename=report.file_name(kind), content_type=FILE_TYPES[kind]
        )

    @extend_schema(responses={(200, FILE_TYPES["pdf"]): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk, format=None):
        """The report as a PDF file."""
        return self._file("pdf")

    @extend_schema(responses={(200, FILE_TYPES["xlsx"]): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk, format=None):
        """The rows under the report as an Excel file."""
        return self._file("xlsx")


routes = [("service-reports", ServiceReportViewSet, "service-report")]
urlpatterns = []
