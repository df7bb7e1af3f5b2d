"""Serializers of the tickets API: what each endpoint reads and writes."""

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from aftersales.accounts import roles
from aftersales.accounts.models import Team, User
from aftersales.assets.models import Asset
from aftersales.core.api import VisibleRelatedField
from aftersales.customers.models import Customer, Site
from aftersales.sla.choices import Clock, ClockStatus
from aftersales.tickets.choices import Channel, Kind, Level, ResolutionMethod, SlaHealth, Tier
from aftersales.tickets.models import Comment, SlaEscalation, Ticket, TicketEvent
from aftersales.tickets.sla import customer_clocks, customer_summary
from aftersales.tickets.transitions import TRANSITIONS, available_transitions


def _person(user) -> str:
    return str(user) if user is not None else ""


# A ticket in a URL: its id (digits only) or its number (SR202611220001). Numbers never are digits only.
TICKET_LOOKUP_REGEX = "(?:[0-9]+|[A-Za-z][A-Za-z0-9]*)"


def ticket_lookup(reference) -> Q:
    """The filter for a ticket named by its id or by its number (letters in any case)."""
    text = str(reference)
    return Q(pk=int(text)) if text.isdecimal() else Q(number=text.upper())


def _visible_ticket(user, reference) -> Ticket:
    """The ticket named by id or number if this user may see it; a 404 otherwise, whether it exists or not."""
    return get_object_or_404(Ticket.objects.visible_to(user), ticket_lookup(reference))


def _is_staff(context) -> bool:
    request = context.get("request")
    return request is not None and request.user.is_staff_member


# Serializers ----------------------------------------------------------------------------------


class TicketListSerializer(serializers.ModelSerializer):
    """Only the columns `ticket_list` loads, so a page costs the same number of queries at any size."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "title",
            "status",
            "priority",
            "kind",
            "channel",
            "tier",
            "received_at",
            "version",
            "customer",
            "customer_name",
            "assignee",
            "assignee_name",
        ]
        read_only_fields = fields

    def get_assignee_name(self, ticket) -> str:
        return _person(ticket.assignee)


class TicketEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "at", "actor", "actor_name", "from_status", "to_status", "note", "data"]
        read_only_fields = fields

    def get_actor_name(self, event) -> str:
        return _person(event.actor)

    def get_note(self, event) -> str:
        return event.note_for(self.context["request"].user)


class CommentSerializer(serializers.ModelSerializer):
    ticket = serializers.IntegerField(source="ticket_id", min_value=1)
    author_name = serializers.SerializerMethodField()
    is_public = serializers.BooleanField(
        default=True, help_text=_("Internal notes (false) are for staff only; customers' comments are always public.")
    )

    class Meta:
        model = Comment
        fields = ["id", "ticket", "author", "author_name", "body", "is_public", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]

    def get_author_name(self, comment) -> str:
        return _person(comment.author)


class CommentCreateSerializer(serializers.Serializer):
    """A reply or internal note on the ticket the URL names."""

    body = serializers.CharField()
    is_public = serializers.BooleanField(
        default=True, help_text=_("Internal notes (false) are for staff only; customers' comments are always public.")
    )


class SlaClockSerializer(serializers.Serializer):
    """One SLA clock as last computed (on every change to the ticket and by the sweep)."""

    clock = serializers.ChoiceField(choices=Clock.choices)
    status = serializers.ChoiceField(choices=ClockStatus.choices)
    target = serializers.IntegerField(help_text=_("The promise, in seconds of business time on the clock's calendar."))
    used = serializers.IntegerField(help_text=_("Business seconds counted so far."))
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("Empty while the clock is paused or stopped."))
    breached_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, row):
        times = {
            name: dt.datetime.fromisoformat(row[name]) if row.get(name) else None for name in ("due_at", "breached_at")
        }
        return super().to_representation({**row, **times})


class SlaEscalationSerializer(serializers.ModelSerializer):
    acknowledged_by_name = serializers.SerializerMethodField()

    class Meta:
        model = SlaEscalation
        fields = [
            "id",
            "ticket",
            "clock",
            "percent",
            "reached_at",
            "fired_at",
            "notified",
            "acknowledged_by",
            "acknowledged_by_name",
            "acknowledged_at",
        ]
        read_only_fields = fields

    def get_acknowledged_by_name(self, escalation) -> str:
        return _person(escalation.acknowledged_by)


class EscalationAcknowledgeSerializer(serializers.Serializer):
    escalation = serializers.IntegerField(min_value=1, help_text=_("An escalation of this ticket."))


class TicketDetailSerializer(TicketListSerializer):
    entitlement_label = serializers.CharField(source="get_entitlement_display", read_only=True)
    assets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    events = serializers.SerializerMethodField()
    comments = CommentSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    sla_health = serializers.ChoiceField(
        choices=SlaHealth.choices,
        read_only=True,
        help_text=_("Customer users' health and clocks cover only response, arrival and resolution."),
    )
    sla_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    sla_clocks = serializers.SerializerMethodField()
    emergency_declared_at = serializers.SerializerMethodField(
        help_text=_("When the emergency plan started; always empty for customer users.")
    )

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "urgency",
            "impact",
            "site",
            "contact_name",
            "contact_phone",
            "assets",
            "description",
            "team",
            "created_by",
            "contract",
            "service_level",
            "entitlement",
            "entitlement_label",
            "entitlement_reason",
            "resolution_method",
            "resolution",
            "root_cause",
            "responded_at",
            "resolved_at",
            "confirmed_at",
            "closed_at",
            "archived_at",
            "updated_at",
            "on_site_required",
            "arrived_at",
            "emergency_declared_at",
            "sla_health",
            "sla_due_at",
            "sla_clocks",
            "events",
            "comments",
            "actions",
        ]
        read_only_fields = fields

    def to_representation(self, ticket):
        data = super().to_representation(ticket)
        if not _is_staff(self.context):
            data["sla_health"], due_at = customer_summary(ticket.sla_clocks)
            data["sla_due_at"] = self.fields["sla_due_at"].to_representation(due_at)
        return data

    def _clock_rows(self, ticket) -> list[dict]:
        return list(ticket.sla_clocks) if _is_staff(self.context) else customer_clocks(ticket.sla_clocks)

    @extend_schema_field(TicketEventSerializer(many=True))
    def get_events(self, ticket):
        # ticket_detail prefetched only the events this user may see.
        return TicketEventSerializer(ticket.events.all(), many=True, context=self.context).data

    @extend_schema_field(SlaClockSerializer(many=True))
    def get_sla_clocks(self, ticket):
        return SlaClockSerializer(self._clock_rows(ticket), many=True).data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_emergency_declared_at(self, ticket):
        if not _is_staff(self.context) or ticket.emergency_declared_at is None:
            return None
        return serializers.DateTimeField().to_representation(ticket.emergency_declared_at)

    def get_actions(self, ticket) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [transition.action for transition in available_transitions(user=request.user, ticket=ticket)]


class TicketCreateSerializer(serializers.Serializer):
    customer = VisibleRelatedField(
        queryset=Customer.objects.all(), help_text=_("Ignored for customer users: their own customer is used.")
    )
    site = VisibleRelatedField(queryset=Site.objects.all(), required=False, allow_null=True, default=None)
    assets = VisibleRelatedField(queryset=Asset.objects.all(), many=True, required=False, default=list)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    contact_name = serializers.CharField(max_length=100)
    contact_phone = PhoneNumberField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(
        choices=Channel.choices, default=Channel.API, help_text=_("Customer users' requests are always 'portal'.")
    )
    urgency = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    impact = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    on_site_required = serializers.BooleanField(
        default=False,
        help_text=_("Someone must go on site: starts the on-site arrival clock. Ignored for customer users."),
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_customer_user", False):
            fields["customer"].read_only = True
        return fields

    def validate(self, attrs):
        user = self.context["request"].user
        if user.is_customer_user:
            # Staff decide whether an engineer goes on site: it starts a clock the customer holds us to.
            attrs["customer"], attrs["on_site_required"] = user.customer, False
        return attrs


class TicketUpdateSerializer(serializers.Serializer):
    """Only the fields present are changed; `version` is the one the client last read."""

    version = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=100, required=False)
    contact_phone = PhoneNumberField(required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    on_site_required = serializers.BooleanField(
        required=False, help_text=_("Someone must go on site: starts the on-site arrival clock.")
    )


class TicketAssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.exclude(role=roles.Role.CUSTOMER))
    version = serializers.IntegerField(min_value=1)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.ModelSerializer):
    """A status change as the timeline recorded it."""

    action = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["id", "ticket", "action", "from_status", "to_status", "note", "actor", "actor_name", "at"]
        read_only_fields = fields

    def get_action(self, event) -> str:
        return event.data.get("action", "")

    def get_actor_name(self, event) -> str:
        return _person(event.actor)


class TransitionResultSerializer(TransitionSerializer):
    ticket_version = serializers.IntegerField(source="ticket.version", read_only=True)

    class Meta(TransitionSerializer.Meta):
        fields = [*TransitionSerializer.Meta.fields, "ticket_version"]
        read_only_fields = fields


class TicketTransitionSerializer(serializers.Serializer):
    """A status change asked for on a ticket the URL names."""

    action = serializers.ChoiceField(choices=[(transition.action, transition.label) for transition in TRANSITIONS])
    version = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    resolution_method = serializers.ChoiceField(
        choices=ResolutionMethod.choices, required=False, allow_blank=True, default=""
    )
    root_cause = serializers.CharField(required=False, allow_blank=True, default="")
    corrective_action = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required, with the root cause, to resolve a complaint."),
    )


class TransitionRequestSerializer(TicketTransitionSerializer):
    """A status change asked for on the ticket given by its id."""

    ticket = serializers.IntegerField(min_value=1)


# Viewsets --------------------------------------------------------------------------------------
