"""REST API for work orders: read the task sheets one may see, and move one through its lifecycle."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales.core.api import IdFilter
from aftersales.dispatch.choices import WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.services.work_orders import work_order_act
from aftersales.dispatch.transitions import TRANSITIONS

SIMPLE_ACTIONS = sorted({row.action for row in TRANSITIONS} - {"check_in", "complete", "sign"})


class WorkOrderSerializer(serializers.ModelSerializer):
    engineer_name = serializers.CharField(source="engineer.__str__", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "ticket",
            "ticket_number",
            "customer",
            "site",
            "kind",
            "status",
            "version",
            "dispatcher",
            "dispatched_at",
            "basis",
            "engineer",
            "engineer_name",
            "accept_by",
            "accepted_at",
            "address",
            "contact_name",
            "contact_phone",
            "software_name",
            "software_version",
            "problem_description",
            "task_description",
            "method",
            "resolution",
            "started_at",
            "ended_at",
            "labour_hours",
            "travel_km",
            "travel_cost",
            "archived_at",
            "updated_at",
        ]
        read_only_fields = fields


class WorkOrderActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=SIMPLE_ACTIONS)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class WorkOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WorkOrderStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=WorkOrderKind.choices, label=_("Kind"))
    ticket = IdFilter(field_name="ticket_id", label=_("Ticket"))
    engineer = IdFilter(field_name="engineer_id", label=_("Engineer"))

    class Meta:
        model = WorkOrder
        fields = ["status", "kind", "ticket", "engineer"]


class WorkOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Task sheets: customers read their organisation's, staff everyone's; engineers act on their own."""

    serializer_class = WorkOrderSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = WorkOrderFilter
    ordering_fields = ["dispatched_at", "number", "status"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return WorkOrder.objects.visible_to(self.request.user).select_related("ticket", "engineer")

    def get_serializer_class(self):
        return WorkOrderActionSerializer if self.action == "act" else WorkOrderSerializer

    @extend_schema(request=WorkOrderActionSerializer, responses={200: WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def act(self, request, pk, format=None):
        """Accept (领单), decline with a reason, set off, start remote work, resume, cancel or archive."""
        work_order = self.get_object()
        serializer = WorkOrderActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        work_order = work_order_act(actor=request.user, work_order=work_order, **serializer.validated_data)
        return Response(WorkOrderSerializer(self.get_queryset().get(pk=work_order.pk)).data)
