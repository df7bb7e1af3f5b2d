"""Viewsets of the tickets API: reads go through the selectors, writes through the services.

A ticket's routes take its id or its number (`/api/v1/tickets/SR202611220001/`), so an integration that
only knows the number reads, edits, comments on and moves a ticket without a search first. Its comments and
status changes are nested under it (`…/comments/`, `…/transitions/`) as well as listed on their own.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales.accounts import roles
from aftersales.core.api import IdFilter
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.tickets import services
from aftersales.tickets.api.serializers import (
    TICKET_LOOKUP_REGEX,
    CommentCreateSerializer,
    CommentSerializer,
    EscalationAcknowledgeSerializer,
    SlaEscalationSerializer,
    TicketAssignSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketListSerializer,
    TicketTransitionSerializer,
    TicketUpdateSerializer,
    TransitionRequestSerializer,
    TransitionResultSerializer,
    TransitionSerializer,
    _visible_ticket,
)
from aftersales.tickets.choices import EventKind
from aftersales.tickets.filters import TicketFilter
from aftersales.tickets.models import Comment, SlaEscalation, Ticket, TicketEvent
from aftersales.tickets.selectors import ticket_detail, ticket_list

TICKET_REFERENCE = OpenApiParameter(
    "id",
    str,
    OpenApiParameter.PATH,
    pattern=f"^{TICKET_LOOKUP_REGEX}$",
    description=_("The ticket's id, or its number (such as SR202611220001)."),
)
BY_REFERENCE = extend_schema(parameters=[TICKET_REFERENCE])


def _transition_response(request, ticket: Ticket, data: dict) -> Response:
    """Ask the service for a status change; answer with the timeline entry it wrote and the new version."""
    ticket = services.ticket_transition(actor=request.user, ticket=ticket, **data)
    event = (
        TicketEvent.objects.visible_to(request.user)
        .filter(ticket=ticket, kind=EventKind.STATUS_CHANGED)
        .select_related("actor")
        .latest("at", "id")
    )
    event.ticket = ticket
    return Response(TransitionResultSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=BY_REFERENCE,
    partial_update=BY_REFERENCE,
    assign=BY_REFERENCE,
    escalations=BY_REFERENCE,
    acknowledge_escalation=BY_REFERENCE,
    comments=BY_REFERENCE,
    transitions=BY_REFERENCE,
)
class TicketViewSet(viewsets.GenericViewSet):
    """The ticket queue, one ticket (by id or number) with its timeline, intake, edits and assignment."""

    lookup_value_regex = TICKET_LOOKUP_REGEX
    filterset_class = TicketFilter
    ordering_fields = ["priority", "received_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_classes = {
        "list": TicketListSerializer,
        "create": TicketCreateSerializer,
        "partial_update": TicketUpdateSerializer,
        "assign": TicketAssignSerializer,
        "escalations": SlaEscalationSerializer,
        "acknowledge_escalation": EscalationAcknowledgeSerializer,
        "comments": CommentCreateSerializer,
        "transitions": TicketTransitionSerializer,
    }

    def get_queryset(self):
        return ticket_list(user=self.request.user)

    def get_serializer_class(self):
        return self.serializer_classes.get(self.action, TicketDetailSerializer)

    def detail_response(self, ticket_id, http_status=status.HTTP_200_OK) -> Response:
        try:
            ticket = ticket_detail(user=self.request.user, ticket_id=ticket_id)
        except Ticket.DoesNotExist:
            raise Http404 from None
        return Response(TicketDetailSerializer(ticket, context=self.get_serializer_context()).data, status=http_status)

    def list(self, request, format=None):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def ticket_id(self, reference) -> int:
        """The id of the ticket a URL names; a number is looked up among the tickets this user may see."""
        if str(reference).isdecimal():
            return int(reference)
        return _visible_ticket(self.request.user, reference).pk

    def retrieve(self, request, pk, format=None):
        return self.detail_response(self.ticket_id(pk))

    @extend_schema(responses={201: TicketDetailSerializer})
    def create(self, request, format=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_create(actor=request.user, **serializer.validated_data)
        return self.detail_response(ticket.pk, status.HTTP_201_CREATED)

    @extend_schema(responses={200: TicketDetailSerializer})
    def partial_update(self, request, pk, format=None):
        ticket = _visible_ticket(request.user, pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        services.ticket_update(actor=request.user, ticket=ticket, version=changes.pop("version"), **changes)
        return self.detail_response(ticket.pk)

    @extend_schema(responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk, format=None):
        ticket = _visible_ticket(request.user, pk)
        if not request.user.has_perm(roles.DISPATCH):
            # Refuse before reading the body, so the answer says nothing about which staff ids exist.
            raise PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_assign(actor=request.user, ticket=ticket, **serializer.validated_data)
        return self.detail_response(ticket.pk)

    def staff_ticket(self, pk) -> Ticket:
        """A ticket whose escalations this user may see: staff only; for customers they do not exist."""
        ticket = _visible_ticket(self.request.user, pk)
        if not self.request.user.is_staff_member:
            raise Http404
        return ticket

    @extend_schema(responses={200: SlaEscalationSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"])
    def escalations(self, request, pk, format=None):
        """The rungs of the SLA ladders this ticket reached, newest first (staff only)."""
        ticket = self.staff_ticket(pk)
        escalations = (
            SlaEscalation.objects.visible_to(request.user)
            .filter(ticket=ticket)
            .select_related("acknowledged_by")
            .order_by("-reached_at", "-id")
        )
        page = self.paginate_queryset(escalations)
        return self.get_paginated_response(SlaEscalationSerializer(page, many=True).data)

    @extend_schema(responses={200: SlaEscalationSerializer})
    @action(detail=True, methods=["post"], url_path="acknowledge-escalation")
    def acknowledge_escalation(self, request, pk, format=None):
        """ "I've got it": the rest of that clock's ladder is recorded but no longer sent."""
        ticket = self.staff_ticket(pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        escalation_id = serializer.validated_data["escalation"]
        if not SlaEscalation.objects.visible_to(request.user).filter(pk=escalation_id, ticket=ticket).exists():
            raise NotFound()
        escalation = services.escalation_acknowledge(actor=request.user, escalation_id=escalation_id)
        return Response(SlaEscalationSerializer(escalation).data)

    @extend_schema(methods=["GET"], responses={200: CommentSerializer(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=CommentCreateSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk, format=None):
        """This ticket's replies and internal notes (customers: public ones), oldest first; or add one."""
        ticket = _visible_ticket(request.user, pk)
        if request.method == "POST":
            serializer = CommentCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = services.comment_add(actor=request.user, ticket=ticket, **serializer.validated_data)
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = (
            Comment.objects.visible_to(request.user)
            .filter(ticket=ticket)
            .select_related("author")
            .order_by("created_at", "id")
        )
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses={200: TransitionSerializer(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=TicketTransitionSerializer, responses={201: TransitionResultSerializer})
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request, pk, format=None):
        """This ticket's status changes, oldest first; or ask for one (accept, resolve, close, ...)."""
        ticket = _visible_ticket(request.user, pk)
        if request.method == "POST":
            serializer = TicketTransitionSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            return _transition_response(request, ticket, dict(serializer.validated_data))
        changes = (
            TicketEvent.objects.visible_to(request.user)
            .filter(ticket=ticket, kind=EventKind.STATUS_CHANGED)
            .select_related("actor")
            .order_by("at", "id")
        )
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(TransitionSerializer(page, many=True).data)


class TicketChildFilter(django_filters.FilterSet):
    # A plain id: asking about a ticket you cannot see gives an empty list, not a different error.
    ticket = IdFilter(field_name="ticket_id", label=_("Ticket"))


class CommentFilter(TicketChildFilter):
    class Meta:
        model = Comment
        fields = ["ticket", "is_public"]


class CommentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Replies and internal notes; customers see and write public ones only."""

    lookup_value_regex = "[0-9]+"
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return Comment.objects.visible_to(self.request.user).select_related("author")

    def create(self, request, format=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = _visible_ticket(request.user, data["ticket_id"])
        comment = services.comment_add(
            actor=request.user, ticket=ticket, body=data["body"], is_public=data["is_public"]
        )
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)


class TransitionFilter(TicketChildFilter):
    class Meta:
        model = TicketEvent
        fields = ["ticket"]


class TransitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Status changes: read them as timeline entries, or ask for one (accept, resolve, close, ...)."""

    lookup_value_regex = "[0-9]+"
    serializer_class = TransitionSerializer
    filterset_class = TransitionFilter
    ordering_fields = ["at"]

    def get_queryset(self):
        return (
            TicketEvent.objects.visible_to(self.request.user)
            .filter(kind=EventKind.STATUS_CHANGED)
            .select_related("actor")
        )

    def get_serializer_class(self):
        return TransitionRequestSerializer if self.action == "create" else TransitionSerializer

    @extend_schema(responses={201: TransitionResultSerializer})
    def create(self, request, format=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ticket = _visible_ticket(request.user, data.pop("ticket"))
        return _transition_response(request, ticket, data)
