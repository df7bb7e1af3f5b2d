"""The demo's intake: the hotline's telephone system and calls, faxes in the register, and monitoring alerts.

Everything goes through the intake services under a simulated clock, in time order: calls are reported by the
telephone system (`call_receive`) and handled by the agents, faxes are registered, filed or set aside, and the
alert payloads are parsed as the API parses them (`alert_payloads.parse`) and received (`alerts_receive`).
The tickets that come of them are then worked through the ticket services. Two calls are left ringing at the
demo agent, so the hotline pop-up has a known and an unknown caller as soon as `agent` logs in.
"""

import datetime as dt
import io
from decimal import Decimal

from PIL import Image, ImageDraw

from aftersales.accounts.models import User
from aftersales.assets.models import Asset, Product
from aftersales.core.choices import Tier
from aftersales.customers.models import Contact, Customer, Site
from aftersales.demo import desk_catalogue as desk
from aftersales.demo import files
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.demo.field_catalogue import BASIS
from aftersales.demo.signatures import signature_data_url
from aftersales.dispatch.choices import SignerRole, WorkOrderKind
from aftersales.dispatch.services.signing import work_order_sign
from aftersales.dispatch.services.work_orders import (
    work_log_add,
    work_order_act,
    work_order_check_in,
    work_order_complete,
    work_order_dispatch,
)
from aftersales.intake import alert_payloads
from aftersales.intake.alerts import alerts_receive
from aftersales.intake.fax import fax_assign, fax_dismiss, fax_register
from aftersales.intake.hotline import call_dismiss, call_log_on_ticket, call_receive, call_ticket_create
from aftersales.intake.models import AlertHost, AlertSource, IncomingCall, PhoneExtension, TelephoneSystem
from aftersales.intake.tokens import token_hash, token_hint, token_new
from aftersales.tickets.choices import OPEN_STATUSES, Channel
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_assign, ticket_create, ticket_transition


class IntakeTickets(dict):
    """The tickets intake opened, by name: psu, camera_closed, camera_again, dome, pool, call_server, call_erp,
    fax_auto, fax_assigned, portal_printer (the knowledge base builds on them)."""


def _full_name(user: User) -> str:
    return user.last_name + user.first_name


def tiff_bytes(lines: int = 6) -> bytes:
    """A one-page fax-like TIFF (1-bit, CCITT Group 4, 204 × 196 dpi) with a few ruled lines and a box."""
    image = Image.new("1", (864, 560), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 824, 520), outline=0, width=3)
    for index in range(lines):
        top = 90 + 60 * index
        draw.line((80, top, 780 - 40 * (index % 3), top), fill=0, width=2)
    buffer = io.BytesIO()
    image.save(buffer, "TIFF", compression="group4", dpi=(204, 196))
    return buffer.getvalue()


def _asset(customer: Customer, site: str, product: Product, index: int) -> Asset:
    return Asset.objects.filter(customer=customer, site__name=site, product=product).order_by("pk")[index]


def create_intake_setup(*, users: dict[str, User], customers: dict[str, Customer], products, now) -> dict:
    """The telephone system with the agents' extensions and the two alert sources with their hosts. Their tokens
    are made and thrown away, as an administrator would hand them to the other system once."""
    with simulated_time(SimulatedClock(now - dt.timedelta(days=30))):
        token = token_new()
        system = TelephoneSystem.objects.create(
            name=desk.TELEPHONE_SYSTEM, token_hash=token_hash(token), token_hint=token_hint(token)
        )
        for extension, username in desk.EXTENSIONS.items():
            PhoneExtension.objects.create(system=system, extension=extension, user=users[username])
        sources = {}
        for spec in desk.ALERT_SOURCES:
            token = token_new()
            source = AlertSource(
                name=spec.name,
                kind=spec.kind,
                customer=customers[spec.customer],
                run_as=users["admin"],
                token_hash=token_hash(token),
                token_hint=token_hint(token),
            )
            source.full_clean()
            source.save()
            for host, site, product, index in spec.hosts:
                mapped = AlertHost(
                    source=source, name=host, asset=_asset(customers[spec.customer], site, products[product], index)
                )
                mapped.full_clean()
                mapped.save()
            sources[spec.key] = source
    return {"telephone": system, "sources": sources}


def _alertmanager(alert: dict, host: str, status: str, starts: dt.datetime, ends: dt.datetime | None = None):
    labels = {"alertname": alert["alertname"], "instance": f"{host}:9100", "host": host, "severity": "critical"}
    return {
        "version": "4",
        "status": status,
        "receiver": "aftersales",
        "alerts": [
            {
                "status": status,
                "labels": labels,
                "annotations": {"summary": alert["summary"], "description": alert["description"]},
                "startsAt": starts.isoformat(),
                **({"endsAt": ends.isoformat()} if ends else {}),
                "fingerprint": f"{alert['alertname']}-{host}",
            }
        ],
    }


def _zabbix(alert: dict, host: str, status: str, at: dt.datetime, event: int):
    return {
        "trigger_id": alert["trigger_id"],
        "event_id": str(event),
        "host": host,
        "status": status,
        "subject": alert["subject"],
        "message": alert["message"],
        "severity": alert["severity"],
        "event_time": at.isoformat(),
    }


class IntakeDay:
    """One simulated clock over the last two weeks; the steps are (moment, action) in time order."""

    def __init__(self, *, users, teams, customers, products, setup, now):
        self.users, self.teams, self.customers, self.products = users, teams, customers, products
        self.system, self.sources = setup["telephone"], setup["sources"]
        self.now = now
        self.tickets = IntakeTickets()
        self.clock: SimulatedClock | None = None

    def _at(self, hours_ago: float) -> dt.datetime:
        return self.now - dt.timedelta(hours=hours_ago)

    def run(self) -> IntakeTickets:
        steps = self._alert_steps() + self._call_steps() + self._fax_steps()
        steps.append((self._at(desk.PORTAL_TICKET["hours_ago"]), self._portal_ticket))
        steps += self._reopen_steps()
        steps.sort(key=lambda step: step[0])
        with simulated_time(SimulatedClock(steps[0][0])) as self.clock:
            for at, action in steps:
                self.clock.move_to(max(at, self.clock.current))
                action()
        return self.tickets

    def _later(self, minutes: float) -> None:
        """Let some minutes pass within a step (the next step is hours away)."""
        self.clock.move_to(self.clock.current + dt.timedelta(minutes=minutes))

    def _work(self, name: str, actor: str, action: str, **arguments) -> None:
        ticket = Ticket.objects.get(pk=self.tickets[name].pk)
        self.tickets[name] = ticket_transition(
            actor=self.users[actor], ticket=ticket, version=ticket.version, action=action, **arguments
        )

    def _assign(self, name: str, engineer: str, team: str) -> None:
        ticket = Ticket.objects.get(pk=self.tickets[name].pk)
        self.tickets[name] = ticket_assign(
            actor=self.users["dispatcher"],
            ticket=ticket,
            version=ticket.version,
            assignee=self.users[engineer],
            team=self.teams[team],
            tier=Tier.L2,
        )

    def _visit(self, name: str, visit: dict) -> None:
        """An on-site work order from dispatch to both signatures, minutes apart (the next step is hours away)."""
        ticket = Ticket.objects.get(pk=self.tickets[name].pk)
        engineer = ticket.assignee
        customer = ticket.customer
        order = work_order_dispatch(
            actor=self.users["dispatcher"],
            ticket=ticket,
            engineer=engineer,
            kind=WorkOrderKind.ON_SITE,
            basis=BASIS.format(customer=customer.name, title=ticket.title),
            task_description=visit["task"],
        )
        for action, minutes in (("accept", 4), ("set_off", 6)):
            self._later(minutes)
            order = work_order_act(actor=engineer, work_order=order, action=action, version=None)
        site = ticket.site
        position = {"latitude": site.latitude, "longitude": site.longitude, "accuracy_m": 15}
        self._later(40)
        order = work_order_check_in(actor=engineer, work_order=order, version=None, **position)
        self._later(30)
        work_log_add(actor=engineer, work_order=order, text=visit["log"], hours=Decimal(visit["hours"]))
        self._later(10)
        order = work_order_complete(
            actor=engineer, work_order=order, version=None, resolution=visit["result"], **position
        )
        for role, signer in ((SignerRole.ENGINEER, _full_name(engineer)), (SignerRole.CUSTOMER, ticket.contact_name)):
            self._later(2)
            work_order_sign(
                actor=engineer, work_order=order, role=role, signer_name=signer, signature=signature_data_url(signer)
            )

    # Alerts -------------------------------------------------------------------------------------------------------

    def _receive(self, source_key: str, payload, name: str = "") -> None:
        source = self.sources[source_key]
        results = alerts_receive(source=source, alerts=alert_payloads.parse(source.kind, payload))
        if name:
            self.tickets[name] = results[0].alert.ticket

    def _alert_steps(self) -> list:
        at = self._at
        camera, dome, psu, pool = desk.CAMERA_DOWN, desk.DOME_DOWN, desk.ZABBIX_PSU, desk.ZABBIX_POOL
        first = at(290.1)

        def camera_payload(status, starts, ends=None):
            return _alertmanager(camera, "cam-yq-gate-01", status, starts, ends)

        def dome_payload():
            return _alertmanager(dome, "dome-wz-03", "firing", at(26.1))

        return [
            # A camera goes dark at night: the alert opens a ticket, recovers once the port is powered again, the
            # ticket is resolved and closed. Ten days later it fires again: a new alert and a new ticket.
            (at(290), lambda: self._receive("prometheus", camera_payload("firing", first), "camera_closed")),
            (at(289.7), lambda: self._assign("camera_closed", "engineer-sz", "苏州二线组")),
            (at(289.5), lambda: self._work("camera_closed", "engineer-sz", "accept")),
            (at(287.5), lambda: self._receive("prometheus", camera_payload("resolved", first, at(287.6)))),
            (at(287), lambda: self._work("camera_closed", "engineer-sz", "resolve", **desk.CAMERA_FIX)),
            (at(264), lambda: self._work("camera_closed", "qc", "close")),
            (at(46), lambda: self._receive("prometheus", camera_payload("firing", at(46.1)), "camera_again")),
            # A dome camera's alert repeats three times before the engineer takes it; it is still firing.
            (at(26), lambda: self._receive("prometheus", dome_payload(), "dome")),
            (at(25.75), lambda: self._receive("prometheus", dome_payload())),
            (at(25.5), lambda: self._receive("prometheus", dome_payload())),
            (at(25.25), lambda: self._receive("prometheus", dome_payload())),
            (at(25.1), lambda: self._assign("dome", "engineer-sz2", "苏州二线组")),
            (at(24.9), lambda: self._work("dome", "engineer-sz2", "accept")),
            # Zabbix: a power supply fails and is replaced; the problem clears, the customer confirms, QC closes.
            (at(150), lambda: self._receive("zabbix", _zabbix(psu, "hzgjj-app-01", "PROBLEM", at(150), 90211), "psu")),
            (at(149.7), lambda: self._assign("psu", "engineer", "杭州二线组")),
            (at(149.5), lambda: self._work("psu", "engineer", "accept")),
            # Two visits: the first finds the failed module and orders one, the second replaces it.
            (at(149.4), lambda: self._visit("psu", desk.PSU_VISITS[0])),
            (at(126), lambda: self._visit("psu", desk.PSU_VISITS[1])),
            (at(124.6), lambda: self._receive("zabbix", _zabbix(psu, "hzgjj-app-01", "OK", at(124.6), 90254))),
            (at(124.3), lambda: self._work("psu", "engineer", "resolve", **desk.PSU_FIX)),
            (at(110), lambda: self._work("psu", "customer1", "confirm")),
            (at(100), lambda: self._work("psu", "qc", "close")),
            # A storage pool filling up, reported 40 minutes ago and not yet taken.
            (
                at(0.7),
                lambda: self._receive("zabbix", _zabbix(pool, "hzgjj-stor-01", "PROBLEM", at(0.7), 90877), "pool"),
            ),
        ]

    def _reopen_steps(self) -> list:
        """The filed fax's ticket: resolved, reopened by the desk on the customer's call, resolved again, closed."""
        at = self._at
        return [
            (at(73), lambda: self._assign("fax_assigned", "engineer-wh", "武汉二线组")),
            (at(72.5), lambda: self._work("fax_assigned", "engineer-wh", "accept")),
            (at(52), lambda: self._work("fax_assigned", "engineer-wh", "resolve", **desk.FAX_CAMERAS_FIX)),
            (at(30), lambda: self._work("fax_assigned", "agent", "reopen", note=desk.FAX_CAMERAS_REOPEN)),
            (at(27), lambda: self._work("fax_assigned", "engineer-wh", "resolve", **desk.FAX_CAMERAS_FIX_AGAIN)),
            (at(8), lambda: self._work("fax_assigned", "qc", "close")),
        ]

    def _portal_ticket(self) -> None:
        customer1 = self.users["customer1"]
        spec = desk.PORTAL_TICKET
        self.tickets["portal_printer"] = ticket_create(
            actor=customer1,
            customer=customer1.customer,
            site=Site.objects.get(customer=customer1.customer, name=spec["site"]),
            title=spec["title"],
            description=spec["description"],
            contact_name=customer1.last_name + customer1.first_name,
            contact_phone=customer1.phone,
            kind=spec["kind"],
            channel=Channel.PORTAL,
        )

    # Calls --------------------------------------------------------------------------------------------------------

    def _call_steps(self) -> list:
        return [(self._at(spec.hours_ago), lambda spec=spec: self._call(spec)) for spec in desk.CALLS]

    def _call(self, spec: desk.CallSpec) -> None:
        call, _created = call_receive(
            system=self.system, call_id=spec.call_id, caller=spec.caller, called=desk.HOTLINE, agent_ref=spec.extension
        )
        agent = self.users[desk.EXTENSIONS[spec.extension]]
        if spec.handling == "ringing":
            return
        self._later(2)
        if spec.handling == "dismiss":
            call_dismiss(actor=agent, call=call)
        elif spec.handling == "log":
            customer = Contact.objects.get(phone=spec.caller).customer
            open_tickets = Ticket.objects.filter(customer=customer, status__in=OPEN_STATUSES).order_by("priority", "pk")
            ticket = open_tickets.filter(title__contains="HIS").first() or open_tickets.first()
            call_log_on_ticket(actor=agent, call=call, ticket=ticket, note=spec.note)
        else:
            self._call_ticket(spec, call, agent)

    def _call_ticket(self, spec: desk.CallSpec, call: IncomingCall, agent: User) -> None:
        fields = spec.ticket
        customer = self.customers[fields["customer"]]
        contact = Contact.objects.get(customer=customer, phone=spec.caller)
        site = Site.objects.get(customer=customer, name=fields["site"])
        assets = [_asset(customer, site.name, self.products[fields["product"]], 2)] if fields["product"] else []
        name = "call_server" if fields["product"] else "call_erp"
        self.tickets[name] = call_ticket_create(
            actor=agent,
            call=call,
            customer=customer,
            site=site,
            assets=assets,
            title=fields["title"],
            description=fields["description"],
            contact_name=contact.name,
            contact_phone=contact.phone,
            kind=fields["kind"],
        )
        if fields["assign"]:
            engineer, team = fields["assign"]
            self._later(1)
            self._assign(name, engineer, team)
            self._later(1.5)  # a gold contract's five minutes to respond
            self._work(name, engineer, "accept")

    # Faxes --------------------------------------------------------------------------------------------------------

    def _fax_steps(self) -> list:
        return [
            (self._at(spec.hours_ago) + dt.timedelta(minutes=6), lambda spec=spec, index=index: self._fax(spec, index))
            for index, spec in enumerate(desk.FAXES)
        ]

    def _fax(self, spec: desk.FaxSpec, index: int) -> None:
        agent = self.users["agent"]
        if spec.file_name.endswith(".pdf"):
            content, content_type = files.pdf_bytes(spec.lines[0], spec.lines[1:]), "application/pdf"
        else:
            content, content_type = tiff_bytes(4 + index), "image/tiff"
        receipt = fax_register(
            actor=agent,
            file_name=spec.file_name,
            content=content,
            content_type=content_type,
            fax_number=spec.fax_number,
            received_at=self._at(spec.hours_ago),
            summary=spec.summary,
            recipient=agent,
        )
        if spec.handling == "auto":
            self.tickets["fax_auto"] = receipt.ticket
            self._later(18)
            self._assign("fax_auto", "engineer-cd2", "成都二线组")
        elif spec.handling == "assign":
            target = spec.assign_to
            customer = self.customers[target["customer"]]
            contact = Contact.objects.get(customer=customer, name=target["contact"])
            self._later(25)
            self.tickets["fax_assigned"] = fax_assign(
                actor=agent,
                receipt=receipt,
                customer=customer,
                contact_name=contact.name,
                contact_phone=contact.phone,
                title=target["title"],
                kind=target["kind"],
            )
        elif spec.handling == "dismiss":
            self._later(10)
            fax_dismiss(actor=agent, receipt=receipt, reason=spec.dismiss_reason)


def create_intake(*, users, teams, customers, products, setup, now) -> IntakeTickets:
    return IntakeDay(users=users, teams=teams, customers=customers, products=products, setup=setup, now=now).run()
