"""Monitoring alerts become tickets: one ticket per alert while it is open, repeats and recovery on it.

The source's `run_as` member of staff registers the tickets (channel API; the event data names the source).
A repeat of a current alert (same source and fingerprint, ticket not closed) is an ALERT_REPEATED event with
a count, never a second ticket; a partial unique constraint makes this hold for two deliveries at once. A
recovery records ALERT_RECOVERED and an internal note; it does not close the ticket. After the ticket is
closed, the next firing opens a new ticket.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.assets.models import Asset
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.core.time import local_zone
from aftersales.customers.models import Contact
from aftersales.intake.alert_payloads import IncomingAlert
from aftersales.intake.models import Alert, AlertHost, AlertSource, AlertStatus
from aftersales.notifications.services import language_for
from aftersales.tickets.choices import Channel, EventKind, Status
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import comment_add, ticket_create
from aftersales.tickets.services.common import record_event

# A ticket in these statuses no longer collects its alert's repeats: the next firing is a new problem.
ENDED_STATUSES = frozenset({Status.CLOSED, Status.ARCHIVED, Status.CANCELLED})


class Outcome:
    OPENED = "opened"
    REPEATED = "repeated"
    RECOVERED = "recovered"
    IGNORED = "ignored"


@dataclass(frozen=True)
class AlertResult:
    fingerprint: str
    outcome: str
    alert: Alert | None = None

    @property
    def ticket_number(self) -> str | None:
        return self.alert.ticket.number if self.alert is not None and self.alert.ticket_id else None


def _check_source(source: AlertSource) -> None:
    """The source's account registers the tickets and writes internal notes; without those rights, nothing."""
    run_as = source.run_as
    if not (run_as.is_active and run_as.has_perm(roles.LOG) and run_as.has_perm(roles.VIEW_INTERNAL)):
        raise PermissionDenied(
            _("This alert source's account may not register tickets. An administrator must choose another.")
        )


@transaction.atomic
def alerts_receive(*, source: AlertSource, alerts: list[IncomingAlert]) -> list[AlertResult]:
    """Record a delivery of alerts from `source`, all or nothing."""
    _check_source(source)
    now = timezone.now()
    results = []
    # One order for every delivery, so two deliveries of the same alerts lock them in the same order.
    for incoming in sorted(alerts, key=lambda alert: alert.fingerprint):
        with translation.override(language_for(source.run_as_id)):
            results.append(_receive_one(source, incoming, now))
    AlertSource.objects.filter(pk=source.pk).update(last_received_at=now)
    return results


def _current(source: AlertSource, fingerprint: str) -> Alert | None:
    """The current alert with this fingerprint, locked; one whose ticket has ended stops being current."""
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(source=source, fingerprint=fingerprint, is_current=True)
        .first()
    )
    if alert is not None and alert.ticket is not None and alert.ticket.status in ENDED_STATUSES:
        alert.is_current = False
        alert.save(update_fields=["is_current"])
        return None
    return alert


def _receive_one(source: AlertSource, incoming: IncomingAlert, now) -> AlertResult:
    current = _current(source, incoming.fingerprint)
    if not incoming.firing:
        return _recover(source, current, incoming, now)
    if current is not None:
        return _repeat(source, current, incoming, now)
    try:
        with transaction.atomic():
            alert = _new_alert(source, incoming, now)
    except IntegrityError:
        # Another delivery of the same alert inserted it first and has committed: this one is a repeat.
        return _repeat(source, _current(source, incoming.fingerprint), incoming, now)
    _open_ticket(source, alert, incoming)
    return AlertResult(incoming.fingerprint, Outcome.OPENED, alert)


def _new_alert(source: AlertSource, incoming: IncomingAlert, now) -> Alert:
    labels = incoming.labels
    return Alert.objects.create(
        source=source,
        fingerprint=incoming.fingerprint,
        severity=incoming.severity,
        title=incoming.title,
        host=(labels.get("host") or labels.get("instance") or "")[:200],
        labels=labels,
        asset=asset_for(source, labels),
        started_at=incoming.started_at or now,
        first_received_at=now,
        last_received_at=now,
    )


def asset_for(source: AlertSource, labels: dict) -> Asset | None:
    """The asset the labels name: the source's label names in order, each value a mapped host or a serial."""
    for name in source.label_names:
        value = (labels.get(name) or "").strip()
        if not value:
            continue
        candidates = [value]
        host, _colon, port = value.rpartition(":")
        if host and port.isdecimal():  # an instance is host:port
            candidates.append(host.strip("[]"))
        for candidate in candidates:
            mapped = AlertHost.objects.filter(source=source, name=candidate).select_related("asset").first()
            if mapped is not None and mapped.asset.customer_id == source.customer_id:
                return mapped.asset
            asset = Asset.objects.filter(customer_id=source.customer_id, serial_number=candidate).first()
            if asset is not None:
                return asset
    return None


def _contact(source: AlertSource, asset: Asset | None) -> tuple[str, object, object]:
    """(name, phone, site) for the ticket: the source's contact, else one at the asset's site, else any."""
    contact = source.contact
    if contact is None and asset is not None:
        contact = Contact.objects.filter(customer_id=source.customer_id, site_id=asset.site_id).order_by("pk").first()
    if contact is None:
        contact = Contact.objects.filter(customer_id=source.customer_id).order_by("pk").first()
    if contact is not None:
        return contact.name, contact.phone, contact.site
    if source.customer.phone:
        return source.customer.name, source.customer.phone, None
    raise ValidationFailed(
        _("The customer of this alert source has no contact to put on a ticket. An administrator must add one."),
        detail={"source": [_("No contact for the ticket.")]},
    )


def _description(source: AlertSource, incoming: IncomingAlert) -> str:
    lines = [incoming.description] if incoming.description else []
    lines.append(_("Monitoring alert from %(source)s.") % {"source": source.name})
    lines.extend(f"{key}={value}" for key, value in sorted(incoming.labels.items()))
    return "\n".join(lines)


def _open_ticket(source: AlertSource, alert: Alert, incoming: IncomingAlert) -> Ticket:
    asset = alert.asset
    name, phone, contact_site = _contact(source, asset)
    urgency, impact = source.levels_for(incoming.severity)
    ticket = ticket_create(
        actor=source.run_as,
        customer=source.customer,
        site=asset.site if asset is not None else contact_site,
        assets=[asset] if asset is not None else [],
        title=incoming.title or _("Monitoring alert %(fingerprint)s") % {"fingerprint": incoming.fingerprint},
        description=_description(source, incoming),
        contact_name=name,
        contact_phone=phone,
        kind=source.ticket_kind,
        channel=Channel.API,
        urgency=urgency,
        impact=impact,
        # Received when we heard of it: the SLA counts from then, not from when the monitoring saw it start.
        received_at=alert.first_received_at,
    )
    alert.ticket = ticket
    alert.save(update_fields=["ticket"])
    record_event(
        ticket=ticket,
        actor=source.run_as,
        kind=EventKind.UPDATED,
        data={
            "source": "monitoring",
            "alert": alert.pk,
            "alert_source": source.pk,
            "fingerprint": alert.fingerprint,
            "severity": alert.severity,
            "asset_matched": asset is not None,
            "public": False,
        },
    )
    return ticket


def _repeat(source: AlertSource, alert: Alert, incoming: IncomingAlert, now) -> AlertResult:
    alert.repeat_count += 1
    alert.last_received_at = now
    alert.status, alert.resolved_at = AlertStatus.FIRING, None
    alert.save(update_fields=["repeat_count", "last_received_at", "status", "resolved_at"])
    record_event(
        ticket=alert.ticket,
        actor=source.run_as,
        kind=EventKind.ALERT_REPEATED,
        at=now,
        data={"alert": alert.pk, "fingerprint": alert.fingerprint, "count": alert.repeat_count, "public": False},
    )
    return AlertResult(incoming.fingerprint, Outcome.REPEATED, alert)


def _recover(source: AlertSource, alert: Alert | None, incoming: IncomingAlert, now) -> AlertResult:
    """The first recovery of a firing alert is recorded; a recovery repeated, or of nothing open, is not."""
    if alert is None or alert.status == AlertStatus.RESOLVED:
        if alert is not None:
            alert.last_received_at = now
            alert.save(update_fields=["last_received_at"])
        return AlertResult(incoming.fingerprint, Outcome.IGNORED, alert)
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = min(incoming.ended_at or now, now)
    alert.last_received_at = now
    alert.save(update_fields=["status", "resolved_at", "last_received_at"])
    record_event(
        ticket=alert.ticket,
        actor=source.run_as,
        kind=EventKind.ALERT_RECOVERED,
        at=now,
        data={
            "alert": alert.pk,
            "fingerprint": alert.fingerprint,
            "recovered_at": alert.resolved_at.isoformat(),
            "public": False,
        },
    )
    # An internal note, where agents read the conversation: the customer hears that it is fixed from us,
    # once someone has checked, not from a monitoring system that saw one good sample.
    comment_add(
        actor=source.run_as,
        ticket=alert.ticket,
        is_public=False,
        body=_(
            "Monitoring reports the alert recovered at %(time)s: %(title)s. The ticket stays open until it is resolved."
        )
        % {
            "time": timezone.localtime(alert.resolved_at, local_zone()).strftime("%Y-%m-%d %H:%M"),
            "title": alert.title,
        },
    )
    return AlertResult(incoming.fingerprint, Outcome.RECOVERED, alert)
