"""Endpoints for other systems: the telephone system's incoming calls and monitoring alerts.

Neither takes a person's session or API token: each system holds its own secret (shown once when an
administrator creates it, stored hashed) and sends it as `Authorization: Bearer <token>`.
"""

from django.contrib.auth.models import AnonymousUser
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.intake.alert_payloads import parse
from aftersales.intake.alerts import alerts_receive
from aftersales.intake.hotline import call_receive
from aftersales.intake.models import AlertSource, TelephoneSystem
from aftersales.intake.tokens import token_hash


class BearerIntegrationAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` of an active integration of `model`; request.auth is that integration."""

    model = None

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != b"bearer":
            return None
        try:
            token = words[1].decode("ascii") if len(words) == 2 else ""
        except UnicodeDecodeError:
            token = ""
        integration = self.model.objects.filter(token_hash=token_hash(token), is_active=True).first() if token else None
        if integration is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, or its system is switched off."))
        return AnonymousUser(), integration

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TelephoneSystemAuthentication(BearerIntegrationAuthentication):
    model = TelephoneSystem


class AlertSourceAuthentication(BearerIntegrationAuthentication):
    model = AlertSource


class IsIntegration(permissions.BasePermission):
    """Only the system the view's authentication names; people's sessions and tokens are not accepted."""

    def has_permission(self, request, view):
        return isinstance(request.auth, view.authentication_classes[0].model)


class TelephoneSystemScheme(OpenApiAuthenticationExtension):
    target_class = TelephoneSystemAuthentication
    name = "telephoneSystemToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="AUTHORIZATION", token_prefix="Bearer")


class AlertSourceScheme(TelephoneSystemScheme):
    target_class = AlertSourceAuthentication
    name = "alertSourceToken"


class CallEventSerializer(serializers.Serializer):
    call_id = serializers.CharField(max_length=100, help_text=_("The telephone system's id of the call."))
    caller = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    called = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    agent = serializers.CharField(max_length=150, help_text=_("Username or extension of the agent it rings at."))
    rang_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class IncomingCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call_id = serializers.CharField()
    caller = serializers.CharField()
    caller_normalised = serializers.CharField(source="caller_e164")
    agent = serializers.CharField(source="agent.username", allow_null=True, default=None)
    rang_at = serializers.DateTimeField()
    created = serializers.BooleanField()


class CallEventView(APIView):
    """An incoming call rings at an agent: it pops on their screen. Reporting the same call id again is harmless."""

    authentication_classes = [TelephoneSystemAuthentication]
    permission_classes = [IsIntegration]
    parser_classes = [JSONParser]
    serializer_class = CallEventSerializer

    @extend_schema(request=CallEventSerializer, responses={200: IncomingCallSerializer, 201: IncomingCallSerializer})
    def post(self, request):
        event = CallEventSerializer(data=request.data)
        event.is_valid(raise_exception=True)
        data = event.validated_data
        call, created = call_receive(
            system=request.auth,
            call_id=data["call_id"],
            caller=data["caller"],
            called=data["called"],
            agent_ref=data["agent"],
            rang_at=data["rang_at"],
        )
        call.created = created
        return Response(
            IncomingCallSerializer(call).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


AlertResultsSerializer = inline_serializer(
    "AlertResults",
    {
        "results": serializers.ListField(
            child=inline_serializer(
                "AlertResult",
                {
                    "fingerprint": serializers.CharField(),
                    "outcome": serializers.CharField(help_text=_("opened, repeated, recovered or ignored")),
                    "ticket": serializers.CharField(allow_null=True),
                },
            )
        )
    },
)


class AlertView(APIView):
    """Monitoring alerts: an Alertmanager webhook, a Zabbix webhook or a generic alert, as the source is set up.

    A firing alert opens a ticket for the asset; its repeats while the ticket is open are recorded on that
    ticket; a recovery is recorded but does not close it. A payload with any problem is refused whole (400).
    """

    authentication_classes = [AlertSourceAuthentication]
    permission_classes = [IsIntegration]
    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: AlertResultsSerializer})
    def post(self, request):
        source = request.auth
        results = alerts_receive(source=source, alerts=parse(source.kind, request.data))
        return Response(
            {
                "results": [
                    {"fingerprint": result.fingerprint, "outcome": result.outcome, "ticket": result.ticket_number}
                    for result in results
                ]
            }
        )


routes = []
urlpatterns = [
    path("telephony/calls/", CallEventView.as_view(), name="telephony_call"),
    path("alerts/", AlertView.as_view(), name="alert_receive"),
]
