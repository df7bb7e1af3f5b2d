"""Write a demo plan into an empty database.

Master data is saved model by model (so simple_history records it). Recent tickets are replayed
through the real ticket services under a simulated clock, so their timelines are exactly what the
services write. Older history is bulk-inserted by `HistoryWriter`, which applies the same steps with
the same lifecycle table and permission checks, because thousands of service calls for months of
history would make `make run` slow. Then one SLA sweep acts on the open tickets (see `demo.sla`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import EngineerProfile, Team, User
from aftersales.assets.models import Asset, Product, Vendor
from aftersales.contracts.entitlement import entitlement_check
from aftersales.contracts.models import Contract, ServiceLevel, WarrantyTerm
from aftersales.core.time import local_date
from aftersales.customers.models import Contact, Customer, Site
from aftersales.demo.catalogue import CUSTOMERS, DEMO_PASSWORD, PRODUCTS, STAFF, TEAM_LEADS, TEAMS, VENDORS
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.demo.field_loading import FieldWork, create_field_reference
from aftersales.demo.inbox_loading import create_inbox
from aftersales.demo.intake_loading import create_intake, create_intake_setup
from aftersales.demo.knowledge_loading import create_knowledge
from aftersales.demo.planning import FIELD, RECENT_DAYS, DemoPlan, Step, TicketPlan, contract_dates
from aftersales.demo.quality_loading import create_quality, create_quality_setup
from aftersales.demo.reports_loading import create_reports, reindex_search
from aftersales.demo.service_catalogue import DISCONTINUED
from aftersales.demo.service_loading import (
    PartWork,
    Places,
    create_handover,
    create_maintenance,
    create_parts,
    create_training,
    create_weekly_paperwork,
    run_sweeps,
)
from aftersales.demo.sla import create_duty_roster, summarise_clocks, sweep_open_tickets
from aftersales.demo.webhooks_loading import create_subscriptions, sweep_and_settle
from aftersales.dispatch.models import VendorCase, WorkOrder
from aftersales.inbox.models import InboundMessage
from aftersales.intake.models import Alert, FaxReceipt, IncomingCall
from aftersales.knowledge.models import Article, Problem
from aftersales.maintenance.models import Inspection, MaintenancePlan, TrainingSession
from aftersales.parts.models import Part, PartRequest, StockMovement
from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.reports.models import ServiceReport
from aftersales.tickets.choices import Channel, EventKind, Kind, Status
from aftersales.tickets.models import Comment, Ticket, TicketEvent
from aftersales.tickets.services import (
    comment_add,
    next_ticket_number,
    priority_for,
    ticket_assign,
    ticket_create,
    ticket_transition,
)
from aftersales.tickets.sla import PolicyBook
from aftersales.tickets.transitions import ASSIGNABLE, BY_ACTION, is_permitted
from aftersales.webhooks.models import WebhookDelivery


def reasons_not_empty() -> list[str]:
    """Why demo data must not be loaded here; empty when the database has no customers, tickets or demo users."""
    reasons = []
    if Customer.objects.exists():
        reasons.append(_("the database already has customers"))
    if Ticket.objects.exists():
        reasons.append(_("the database already has tickets"))
    taken = sorted(
        User.objects.filter(username__in=[spec.username for spec in STAFF]).values_list("username", flat=True)
    )
    if taken:
        names = ", ".join(taken[:5]) + (", …" if len(taken) > 5 else "")
        reasons.append(_("users with demo user names already exist (%(names)s)") % {"names": names})
    return reasons


@dataclass
class Directory:
    """The rows written so far, by the keys the plan uses."""

    users: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    sites: dict[tuple[str, str], Site] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    vendors: dict[str, Vendor] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)  # by ProductSpec.key
    password: str = ""  # the demo password's hash, shared by every demo account


@transaction.atomic
def load_demo(plan: DemoPlan) -> dict[str, int]:
    """Write everything in one transaction and return how many rows of each kind the database now holds."""
    directory = Directory()
    create_staff(directory)
    create_duty_roster(directory.users)
    create_master_data(directory, plan)
    create_field_reference(
        users=directory.users,
        teams=directory.teams,
        vendors=directory.vendors,
        products=directory.products,
        now=plan.now,
    )
    stores = create_parts(users=directory.users, vendors=directory.vendors, products=directory.products, now=plan.now)
    create_quality_setup(users=directory.users, contracts=directory.contracts, now=plan.now)
    intake_setup = create_intake_setup(
        users=directory.users, customers=directory.customers, products=directory.products, now=plan.now
    )
    cutoff = plan.now - dt.timedelta(days=RECENT_DAYS)
    HistoryWriter(directory, PolicyBook.load(), plan.now).write(
        [ticket for ticket in plan.tickets if ticket.received_at < cutoff]
    )
    # Subscribed before the replay, so the sweep after it has the recent weeks' events to deliver.
    subscriptions = create_subscriptions(
        users=directory.users, customers=directory.customers, at=cutoff - dt.timedelta(hours=2)
    )
    replay_through_services(
        directory,
        [ticket for ticket in plan.tickets if ticket.received_at >= cutoff],
        parts=PartWork(directory.users, stores),
    )
    places = Places(
        users=directory.users,
        teams=directory.teams,
        customers=directory.customers,
        sites=directory.sites,
        contracts=directory.contracts,
        products=directory.products,
    )
    create_maintenance(places, plan.now)
    create_weekly_paperwork(places, plan.now)
    create_training(places, plan.now)
    create_handover(places, plan.now)
    intake_tickets = create_intake(
        users=directory.users,
        teams=directory.teams,
        customers=directory.customers,
        products=directory.products,
        setup=intake_setup,
        now=plan.now,
    )
    create_knowledge(users=directory.users, products=directory.products, intake_tickets=intake_tickets, now=plan.now)
    create_quality(users=directory.users, customers=directory.customers, now=plan.now, seed=plan.seed)
    create_inbox(users=directory.users, teams=directory.teams, now=plan.now)
    run_sweeps()
    sweep_open_tickets()
    sweep_and_settle(subscriptions, now=timezone.now())
    create_reports(users=directory.users, contracts=directory.contracts, now=plan.now)
    reindex_search()
    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "sites": Site.objects.count(),
        "contacts": Contact.objects.count(),
        "contracts": Contract.objects.count(),
        "assets": Asset.objects.count(),
        "tickets": Ticket.objects.count(),
        "ticket events": TicketEvent.objects.count(),
        "comments": Comment.objects.count(),
        "engineer profiles": EngineerProfile.objects.count(),
        "work orders": WorkOrder.objects.count(),
        "vendor cases": VendorCase.objects.count(),
        "spare parts": Part.objects.count(),
        "stock movements": StockMovement.objects.count(),
        "part requests": PartRequest.objects.count(),
        "maintenance plans": MaintenancePlan.objects.count(),
        "inspections": Inspection.objects.count(),
        "training sessions": TrainingSession.objects.count(),
        "knowledge articles": Article.objects.count(),
        "problems": Problem.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "complaints": Complaint.objects.count(),
        "QC reviews": QcReview.objects.count(),
        "incoming calls": IncomingCall.objects.count(),
        "faxes": FaxReceipt.objects.count(),
        "monitoring alerts": Alert.objects.count(),
        "webhook deliveries": WebhookDelivery.objects.count(),
        "received mails": InboundMessage.objects.count(),
        "service reports": ServiceReport.objects.count(),
    }


def create_staff(directory: Directory) -> None:
    # One hash for every demo account: each PBKDF2 round costs about half a second, and the
    # password is the same published demo password anyway.
    password = directory.password = make_password(DEMO_PASSWORD)
    for spec in STAFF:
        if spec.customer:
            continue
        directory.users[spec.username] = User.objects.create(
            username=spec.username,
            password=password,
            role=spec.role,
            first_name=spec.first_name,
            last_name=spec.last_name,
            phone=spec.phone,
            email=f"{spec.username}@aftersales.example",
            is_staff=spec.role == roles.Role.ADMIN,
            is_superuser=spec.role == roles.Role.ADMIN,
        )
    for name in TEAMS:
        team = directory.teams[name] = Team.objects.create(name=name, lead=directory.users[TEAM_LEADS[name]])
        team.members.set([directory.users[spec.username] for spec in STAFF if name in spec.teams])


def create_master_data(directory: Directory, plan: DemoPlan) -> None:
    admin = directory.users["admin"]
    today = local_date(plan.now)
    levels = {level.code: level for level in ServiceLevel.objects.all()}
    for spec in CUSTOMERS:
        customer = _save(
            Customer(
                code=spec.code,
                name=spec.name,
                industry=spec.industry,
                address=spec.address,
                phone=spec.phone,
                notes=_("Demo customer."),
            ),
            admin,
        )
        directory.customers[spec.code] = customer
        for site_spec in spec.sites:
            directory.sites[spec.code, site_spec.name] = _save(
                Site(
                    customer=customer,
                    name=site_spec.name,
                    province=site_spec.province,
                    city=site_spec.city,
                    district=site_spec.district,
                    address=site_spec.address,
                    latitude=site_spec.latitude,
                    longitude=site_spec.longitude,
                ),
                admin,
            )
        for contact in spec.contacts:
            site = directory.sites.get((spec.code, contact.site))
            _save(
                Contact(
                    customer=customer,
                    site=site,
                    name=contact.name,
                    phone=contact.phone,
                    email=contact.email,
                    position=contact.position,
                ),
                admin,
            )
        for index, contract_spec in enumerate(spec.contracts, start=1):
            start, end = contract_dates(contract_spec.started_years_ago, contract_spec.years, today)
            contract = _save(
                Contract(
                    number=f"HT-{start:%Y}-{spec.code}-{index:02d}",
                    name=contract_spec.name,
                    customer=customer,
                    start_date=start,
                    end_date=end,
                    service_level=levels[contract_spec.level],
                    coverage=contract_spec.coverage,
                    lifetime_maintenance=contract_spec.lifetime_maintenance,
                    hourly_rate=contract_spec.hourly_rate,
                    travel_rate=contract_spec.travel_rate,
                    status=contract_spec.status,
                ),
                admin,
            )
            contract.sites.set([directory.sites[spec.code, name] for name in contract_spec.sites])
            WarrantyTerm.objects.bulk_create(
                WarrantyTerm(contract=contract, asset_class=asset_class, years=years)
                for asset_class, years in contract_spec.warranty.items()
            )
            directory.contracts[contract_spec.key] = contract
        customer_user = next((s for s in STAFF if s.customer == spec.code), None)
        if customer_user:
            directory.users[customer_user.username] = User.objects.create(
                username=customer_user.username,
                password=directory.password,
                role=customer_user.role,
                first_name=customer_user.first_name,
                last_name=customer_user.last_name,
                phone=customer_user.phone,
                email=next(c.email for c in spec.contacts if c.phone == customer_user.phone),
                customer=customer,
            )
    vendors = directory.vendors = {
        name: Vendor.objects.create(name=name, support_phone=phone) for name, phone in VENDORS.items()
    }
    products = directory.products = {
        spec.key: Product.objects.create(
            vendor=vendors[spec.vendor],
            name=spec.name,
            model=spec.model,
            category=spec.category,
            **_discontinued(spec.key, today),
        )
        for spec in PRODUCTS
    }
    for asset in plan.assets:
        directory.assets[asset.key] = _save(
            Asset(
                customer=directory.customers[asset.customer],
                site=directory.sites[asset.customer, asset.site],
                product=products[asset.product.key],
                contract=directory.contracts.get(asset.contract) if asset.contract else None,
                serial_number=asset.serial_number,
                software_name=asset.software_name,
                software_version=asset.software_version,
                install_date=asset.install_date,
                acceptance_date=asset.acceptance_date,
            ),
            admin,
        )


def _discontinued(key: str, today: dt.date) -> dict:
    """End of sale and of life of the products the vendors discontinued (service_catalogue.DISCONTINUED)."""
    if key not in DISCONTINUED:
        return {}
    sale, life = DISCONTINUED[key]
    return {
        "end_of_sale": today - dt.timedelta(days=round(sale * 365.25)),
        "end_of_life": today - dt.timedelta(days=round(life * 365.25)) if life is not None else None,
    }


def _save(instance, author):
    """Validate and save a master-data row, crediting its history entry to the demo administrator."""
    instance.full_clean()
    instance._history_user = author
    instance.save()
    return instance


def _ticket_fields(directory: Directory, plan: TicketPlan) -> dict:
    return {
        "customer": directory.customers[plan.customer],
        "site": directory.sites[plan.customer, plan.site],
        "assets": [directory.assets[key] for key in plan.assets],
        "title": plan.title,
        "description": plan.description,
        "contact_name": plan.contact_name,
        "contact_phone": plan.contact_phone,
        "kind": plan.kind,
        "channel": plan.channel,
        "urgency": plan.urgency,
        "impact": plan.impact,
        "received_at": plan.received_at,
        "on_site_required": plan.on_site_required,
    }


def replay_through_services(directory: Directory, plans: list[TicketPlan], parts: PartWork | None = None) -> None:
    """Call the ticket services for every step of every plan, in time order, with the clock at the step's time."""
    steps = sorted(
        ((step.at, plan.key, index, plan, step) for plan in plans for index, step in enumerate(plan.steps)),
        key=lambda item: item[:3],
    )
    if not steps:
        return
    tickets: dict[int, Ticket] = {}
    field_work = FieldWork(directory.users, directory.vendors, parts=parts)
    with simulated_time(SimulatedClock(steps[0][0])) as clock:
        for at, key, _index, plan, step in steps:
            clock.move_to(at)
            actor = directory.users[step.actor]
            arguments = step.arguments
            if step.operation == "create":
                tickets[key] = ticket_create(actor=actor, **_ticket_fields(directory, plan))
            elif step.operation == "assign":
                tickets[key] = ticket_assign(
                    actor=actor,
                    ticket=tickets[key],
                    version=tickets[key].version,
                    assignee=directory.users[arguments["assignee"]],
                    team=directory.teams[arguments["team"]],
                    tier=arguments["tier"],
                    note=arguments["note"],
                )
            elif step.operation == "transition":
                tickets[key] = ticket_transition(
                    actor=actor, ticket=tickets[key], version=tickets[key].version, **arguments
                )
            elif step.operation == FIELD:
                field_work.run(actor=actor, ticket=tickets[key], arguments=arguments)
                tickets[key] = Ticket.objects.get(pk=tickets[key].pk)  # dispatch and check-in may change it
            else:
                comment_add(actor=actor, ticket=tickets[key], body=arguments["body"], is_public=arguments["is_public"])


class HistoryWriter:
    """Bulk-insert old tickets with the rows the services would have written for the same steps."""

    def __init__(self, directory: Directory, book: PolicyBook, now: dt.datetime):
        self.directory = directory
        self.book = book
        self.now = now

    def write(self, plans: list[TicketPlan]) -> None:
        tickets, comments, events, ticket_assets = [], [], [], []
        for plan in sorted(plans, key=lambda plan: plan.received_at):
            ticket, ticket_comments, ticket_events = self._apply(plan)
            tickets.append(ticket)
            comments += ticket_comments
            events += ticket_events
            ticket_assets += [(ticket, self.directory.assets[key]) for key in plan.assets]
        Ticket.objects.bulk_create(tickets, batch_size=500)
        # bulk_create stamps auto_now fields with the real time; put the historical times back.
        for ticket in tickets:
            ticket.updated_at = ticket._demo_updated_at
        Ticket.objects.bulk_update(tickets, ["updated_at"], batch_size=500)
        Ticket.assets.through.objects.bulk_create(
            Ticket.assets.through(ticket_id=ticket.pk, asset_id=asset.pk) for ticket, asset in ticket_assets
        )
        Comment.objects.bulk_create(comments, batch_size=500)
        for comment in comments:
            comment.created_at = comment._demo_created_at
        Comment.objects.bulk_update(comments, ["created_at"], batch_size=500)
        for event in events:
            if comment := getattr(event, "_demo_comment", None):
                event.data["comment"] = comment.pk
        TicketEvent.objects.bulk_create(events, batch_size=500)
        summarise_clocks(tickets, events, self.book, self.now)

    def _apply(self, plan: TicketPlan) -> tuple[Ticket, list[Comment], list[TicketEvent]]:
        create, *rest = plan.steps
        ticket, event = self._create(plan, create)
        comments, events = [], [event]
        for step in rest:
            actor = self.directory.users[step.actor]
            if step.operation == "assign":
                events.append(self._assign(ticket, actor, step))
            elif step.operation == "transition":
                events.append(self._transition(ticket, actor, step))
            else:
                comment, event = self._comment(ticket, actor, step)
                comments.append(comment)
                events.append(event)
        ticket._demo_updated_at = plan.steps[-1].at
        return ticket, comments, events

    def _create(self, plan: TicketPlan, step: Step) -> tuple[Ticket, TicketEvent]:
        actor = self.directory.users[step.actor]
        fields = _ticket_fields(self.directory, plan)
        assets = fields.pop("assets")
        if actor.is_customer_user:
            fields["channel"] = Channel.PORTAL
        entitlement = entitlement_check(
            customer_id=fields["customer"].id,
            site_id=fields["site"].id,
            asset=assets[0] if assets else None,
            on=local_date(plan.received_at),
        )
        service_level_id = entitlement.contract.service_level_id if entitlement.contract else None
        priority = priority_for(service_level_id=service_level_id, urgency=plan.urgency, impact=plan.impact)
        ticket = Ticket(
            number=next_ticket_number(plan.received_at),
            created_by=actor,
            contract=entitlement.contract,
            service_level_id=service_level_id,
            entitlement=entitlement.kind,
            entitlement_facts=entitlement.facts,
            priority=priority,
            **fields,
        )
        data = {
            "channel": ticket.channel,
            "entitlement": entitlement.kind,
            "priority": priority,
            "received_at": plan.received_at.isoformat(),
        }
        return ticket, self._event(ticket, actor, step, EventKind.CREATED, to_status=Status.NEW, data=data)

    def _assign(self, ticket: Ticket, actor: User, step: Step) -> TicketEvent:
        arguments = step.arguments
        assignee = self.directory.users[arguments["assignee"]]
        if not actor.has_perm(roles.DISPATCH) or ticket.status not in ASSIGNABLE or not assignee.has_perm(roles.WORK):
            raise RuntimeError(f"Demo plan step not allowed: assign {ticket.title} by {actor}.")
        from_status = ticket.status
        ticket.assignee, ticket.team, ticket.tier = assignee, self.directory.teams[arguments["team"]], arguments["tier"]
        if ticket.status == Status.NEW:
            ticket.status = Status.ASSIGNED
        ticket.version += 1
        data = {"assignee": assignee.pk, "assignee_name": str(assignee), "team": ticket.team.pk, "tier": ticket.tier}
        return self._event(ticket, actor, step, EventKind.ASSIGNED, arguments["note"], from_status, ticket.status, data)

    def _transition(self, ticket: Ticket, actor: User, step: Step) -> TicketEvent:
        arguments = step.arguments
        action = arguments["action"]
        transition = BY_ACTION[action]
        note = arguments.get("note", "").strip()
        if not is_permitted(transition, user=actor, ticket=ticket) or (transition.note_required and not note):
            raise RuntimeError(f"Demo plan step not allowed: {action} on {ticket.title} by {actor}.")
        from_status, ticket.status = ticket.status, transition.target
        if action == "resolve":
            ticket.resolution = arguments["resolution"]
            ticket.resolution_method = arguments["resolution_method"]
            ticket.root_cause = arguments["root_cause"] or ticket.root_cause
            ticket.corrective_action = arguments.get("corrective_action") or ticket.corrective_action
            ticket.resolved_at = step.at
        elif action == "accept":
            ticket.assignee = ticket.assignee or actor
            ticket.responded_at = ticket.responded_at or step.at
        elif action in ("confirm", "close", "archive"):
            setattr(
                ticket, {"confirm": "confirmed_at", "close": "closed_at", "archive": "archived_at"}[action], step.at
            )
        elif action == "reopen":
            ticket.resolved_at = ticket.confirmed_at = None
        complete = ticket.root_cause.strip() and ticket.corrective_action.strip()
        if action in ("resolve", "close") and ticket.kind == Kind.COMPLAINT and not complete:
            raise RuntimeError(f"Demo plan step not allowed: {action} a complaint without its cause and action.")
        ticket.version += 1
        return self._event(
            ticket, actor, step, EventKind.STATUS_CHANGED, note, from_status, ticket.status, {"action": action}
        )

    def _comment(self, ticket: Ticket, actor: User, step: Step) -> tuple[Comment, TicketEvent]:
        if ticket.status in (Status.ARCHIVED, Status.CANCELLED):
            raise RuntimeError(f"Demo plan step not allowed: comment on {ticket.title}.")
        is_public = step.arguments["is_public"] or actor.is_customer_user
        comment = Comment(ticket=ticket, author=actor, body=step.arguments["body"], is_public=is_public)
        comment._demo_created_at = step.at
        responds = is_public and not actor.is_customer_user  # a public reply by staff is the SLA's response
        if responds and ticket.responded_at is None:
            ticket.responded_at = step.at
        data = {"comment": None, "public": is_public, **({"responds": True} if responds else {})}
        event = self._event(ticket, actor, step, EventKind.COMMENTED, data=data)
        event._demo_comment = comment
        return comment, event

    @staticmethod
    def _event(ticket, actor, step, kind, note="", from_status="", to_status="", data=None) -> TicketEvent:
        return TicketEvent(
            ticket=ticket,
            actor=actor,
            kind=kind,
            note=note,
            from_status=from_status,
            to_status=to_status,
            data=data or {},
            at=step.at,
        )
