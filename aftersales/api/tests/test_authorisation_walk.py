"""The tenancy walk: a customer user can never see or change another customer's anything.

Every URL pattern of the project is enumerated from the resolver, so a URL added later is
walked without anyone remembering to add it here:

* a route with an object id is called as customer1 (of tenant A) with each of tenant B's
  objects of the matching kind, with every method, and must answer 404 (405 only for a
  method the route does not implement at all, i.e. it is 405 for staff too); the answer is
  also the one for an id that does not exist;
* a route without an id (lists, pages, forms, the schema) is called with filters and with
  writes naming B's ids, and none of B's data may appear in the answer;
* afterwards every table is compared with a snapshot taken before: nothing changed.

A parameterised route whose id kind is not in ROUTE_KINDS fails the walk, so whoever adds
one has to say what it points at. Staff and the owning customer must reach the very same
URLs (otherwise a 404 for everybody would pass as security), and the walk runs backwards
(customer2 against A) too. The admin is not walked route by route; it must refuse customers.

A route with a second id (an inspection's checklist item) gets one that belongs to the first (SECOND_IDS), so its
answer is about the object the first id names, not about a stray item.

A one-time link's token (signing a task sheet, approving a change, a survey, a service report's download) is not an
object id but the permission itself: the walk gives those routes a token nobody was sent (404 for everybody), and
tests of their own show what tenant B's real tokens give customer1 (test_walk_new_apps.py for the survey and the
report).

A ticket's API routes take its number as well as its id (SR202611220001): the walk calls them with both, and compares
a number nobody has. Knowledge articles belong to no customer: each tenant has a draft and an internal article only
staff may read (their words are the tenant's secrets), and the owner check reads the one article meant for customers
instead (`owner_object`). The records of issues 6 and 7 are made in test_walk_fixtures.py.
"""

import datetime as dt
import io
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, quote_plus, urlencode

import phonenumbers
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.accounts.models import system_user
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.api.tests import test_walk_fixtures as new_apps
from aftersales.api.tests.test_walk_fixtures import PROBE
from aftersales.assets.api import AssetSerializer
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.api import ContractSerializer
from aftersales.contracts.handover import handover_document_add, initial_acceptance_record, project_record_for
from aftersales.contracts.models import HandoverDocumentKind
from aftersales.contracts.tests.factories import ContractFactory, WarrantyTermFactory
from aftersales.core.time import local_date
from aftersales.customers.api import ContactSerializer, CustomerSerializer, SiteSerializer
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory, SiteFactory
from aftersales.dispatch.choices import SignerRole, WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.services.remote import change_approval_request, credential_lend
from aftersales.dispatch.services.signing import signing_link_send, work_order_sign
from aftersales.dispatch.services.vendor_cases import vendor_case_open
from aftersales.dispatch.services.work_orders import part_add, work_log_add
from aftersales.dispatch.tests.factories import EngineerProfileFactory, WorkOrderFactory, signature_data_url
from aftersales.knowledge.choices import ProblemStatus
from aftersales.knowledge.models import ProblemIncident
from aftersales.maintenance.models import ChecklistItem
from aftersales.maintenance.services.inspections import inspection_record
from aftersales.maintenance.services.records import (
    training_attendee_add,
    training_create,
    training_feedback,
    training_material_add,
    training_upload_printed_sheet,
    weekly_plan_save,
    weekly_report_draft,
    weekly_report_update,
)
from aftersales.maintenance.tests.factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    InspectionFactory,
    MaintenancePlanFactory,
)
from aftersales.notifications.tests.factories import InAppNotificationFactory
from aftersales.parts.choices import Destination, MovementKind, RmaOutcome
from aftersales.parts.services.requests import part_request_create, part_request_deliver, part_request_ship
from aftersales.parts.services.rma import rma_open, rma_ship
from aftersales.parts.services.stock import stock_move
from aftersales.parts.tests.factories import PartFactory, WarehouseFactory
from aftersales.tickets import services
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.transitions import available_transitions
from aftersales.webhooks import destinations

pytestmark = pytest.mark.django_db

SENTINEL = 987_654_321  # an id no row has; also used as "the object that does not exist"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Routes only staff use, even on a customer's own records (the staff check proves they work), in two sorts.
# Those that do not exist for customers at all: the owner gets 404 too, as for a record they cannot see.
HIDDEN_FROM_CUSTOMERS = {
    "ticket_edit",
    # A ticket's SLA escalations do not exist for customers, not even for their own tickets.
    "api:ticket-escalations",
    "api:ticket-acknowledge-escalation",
    # Field service behind the ticket: dispatching, escalating, the vendor's cases, lent passwords.
    "work_order_dispatch",
    "ticket_escalate",
    "ticket_escalate_manager",
    "vendor_case_open",
    "vendor_case_update",
    "credential_reveal",
    # Spare parts: the stock, a part's page and its movements, part requests (the customer's ticket page shows
    # only the part, quantity, status and due date) and RMA cases to the vendors.
    "part_detail",
    "stock_move_view",
    "part_request_create",
    "part_request_ship",
    "part_request_deliver",
    "part_request_cancel",
    "faulty_part_returned",
    "rma_detail",
    "rma_ship",
    "rma_close",
    # The resident engineer's weekly reports to headquarters are internal to the provider.
    "weekly_report_detail",
    "weekly_report_regenerate",
    "weekly_report_send",
    # Issue 6. Knowledge: writing, publishing and withdrawing articles, and problems (all internal).
    "article_edit",
    "article_publish",
    "article_withdraw",
    "ticket_article",
    "ticket_problem_link",
    "problem_detail",
    "problem_edit",
    "problem_status",
    "problem_link",
    "problem_unlink",
    # Quality: the controllers' side of a follow-up and a complaint, QC reviews, a contract's follow-up rule.
    "quality_follow_up_send_link",
    "quality_follow_up_take",
    "quality_complaint_link",
    "quality_complaint_close",
    "quality_qc_review",
    "quality_rule_contract",
    # Webhooks are the administrators' configuration.
    "webhook_subscription_edit",
    "webhook_subscription_disable",
    "webhook_subscription_enable",
    "webhook_subscription_rotate_secret",
    "webhook_subscription_send_test",
    "webhook_delivery_detail",
    "webhook_delivery_retry",
    # Intake: the fax register (and the scan), the hotline's calls.
    "fax_detail",
    "fax_file",
    "fax_assign",
    "fax_dismiss",
    "call_detail",
    "call_ticket",
    "call_log",
    "call_dismiss",
    # Issue 7. The inbox (and the raw message) is the service desk's working material.
    "inbox_message",
    "inbox_message_raw",
    "inbox_ticket_create",
    "inbox_attach",
    "inbox_dismiss",
    "inbox_reviewed",
    # An engineer's KPIs; a service report's editing, release, sending and regeneration.
    "kpi_engineer",
    "service_report_edit",
    "service_report_finalise",
    "service_report_send",
    "service_report_regenerate",
}
# Pages the owner reads (GET) whose writes (POST) are staff's: the walk's owner check reads them as the owner, and
# the staff-only checks below prove the owner's writes change nothing.
OWNER_READS_STAFF_WRITES = {"weekly_plan_detail", "training_detail"}
STAFF_ONLY_ROUTE_NAMES = (
    HIDDEN_FROM_CUSTOMERS
    | OWNER_READS_STAFF_WRITES
    | {
        # The customer sees their organisation's task sheet (and its PDF), but working it is the engineer's and the
        # dispatcher's: the owner's posts are refused (the sheet again, or a redirect, with the reason) and change nothing.
        "work_order_act",
        "api:work-order-act",
        "work_order_check_in",
        "work_order_complete",
        "work_order_log",
        "work_order_part",
        "work_order_sheet",
        "work_order_sign",
        "work_order_signing_link",
        "credential_lend",
        "change_approval_request",
        # Using a part from stock on the sheet is the engineer's.
        "work_order_part_from_stock",
        # The customer reads their inspections, results and photos; working them is the engineer's.
        "inspection_start",
        "inspection_complete",
        "inspection_record",
        "inspection_raise_ticket",
        # The customer's lead signs the weekly plan on the engineer's phone, not with their own account.
        "weekly_plan_sign",
        # Training: the customer reads the session, its materials, the scanned sheet and the PDF; running it is staff's.
        "training_material_add",
        "training_attendee_add",
        "training_sign_in",
        "training_trainer_sign",
        "training_printed_sheet_upload",
        "training_feedback",
        # The project record: the customer reads it and downloads its documents; the handover is staff's.
        "project_document_add",
        "project_acceptance",
        "project_service_start",
    }
)
# Not staff-only: the sheet and its PDF, marking a lent password changed (credential_rotated) and deciding a change
# (change_approval_decide) are the owning customer's too; the walk's owner check proves they reach them. So are
# reading and rating an article meant for customers, reading and answering their follow-up in the portal, reading
# their complaint, and reading and downloading their released service report (page and API).
# Pages without an id that only staff use: customers get 404, staff get the page.
STAFF_ONLY_PAGE_NAMES = {
    "engineer_roster",
    "duty_roster",
    "stock_list",
    "supply_promise",
    "rma_list",
    "plan_list",
    "weekly_report_list",
    # Issues 6 and 7.
    "article_create",
    "problem_list",
    "problem_create",
    "quality_qc_list",
    "quality_my_reviews",
    "quality_rules",
    "quality_rule_default",
    "webhook_subscription_list",
    "webhook_subscription_create",
    "webhook_delivery_list",
    "fax_register",
    "fax_upload",
    "fax_waiting",
    "hotline",
    "hotline_ringing",
    "alert_list",
    "inbox_log",
    "inbox_sort",
    "reports_dashboard",
    "kpi_table",
    "kpi_export",
    "monthly_statistics",
    "monthly_statistics_xlsx",
}
# What a staff-only page needs in its query to answer (the KPI download asks which format), and what else than 200
# it may answer staff (the hotline's poll says "nothing new" with 204).
STAFF_PAGE_QUERIES = {"kpi_export": {"format": "csv"}}
STAFF_PAGE_ANSWERS = {"hotline_ringing": {200, 204}}
# Pages about a person's own records (their notifications): nobody else reaches them, staff included, so the
# owner's answers (not staff's) show which methods the route implements and that it works.
PERSONAL_ROUTE_NAMES = {"notification_open"}

# The literal path in front of an object id -> the kind of object the id names.
# A new route with an id must be added here (the walk fails and says so until it is).
ROUTE_KINDS = {
    "/tickets/": "ticket",
    "/attachments/": "attachment",
    "/customers/": "customer",
    "/api/v1/customers/": "customer",
    "/api/v1/sites/": "site",
    "/api/v1/contacts/": "contact",
    "/api/v1/contracts/": "contract",
    "/api/v1/assets/": "asset",
    "/api/v1/tickets/": "ticket",
    "/api/v1/ticket-comments/": "comment",
    "/api/v1/ticket-transitions/": "transition",
    "/notifications/": "notification",
    "/work-orders/": "work_order",
    "/api/v1/work-orders/": "work_order",
    "/vendor-cases/": "vendor_case",
    "/credentials/": "credential",
    "/approvals/": "approval",
    "/parts/": "part",
    "/part-requests/": "part_request",
    "/rma/": "rma",
    "/inspections/": "inspection",
    "/inspection-results/": "inspection_result",
    "/weekly-plans/": "weekly_plan",
    "/weekly-reports/": "weekly_report",
    "/training/": "training",
    "/training-materials/": "training_material",
    "/contracts/": "contract",
    "/handover-documents/": "handover_document",
    # Issue 6.
    "/knowledge/": "article",
    "/api/v1/knowledge-articles/": "article",
    "/problems/": "problem",
    "/quality/follow-ups/": "follow_up",
    "/quality/complaints/": "complaint",
    "/quality/reviews/": "qc_review",
    "/quality/rules/contract/": "contract",
    "/webhooks/": "webhook_subscription",
    "/webhooks/deliveries/": "webhook_delivery",
    "/fax/": "fax_receipt",
    "/hotline/calls/": "incoming_call",
    "/reports/kpis/engineers/": "engineer",
    # Issue 7.
    "/inbox/": "inbound_message",
    "/reports/service/": "service_report",
    "/api/v1/service-reports/": "service_report",
}
# The names a route's (first) object id goes by.
ID_PARAMS = ("pk", "contract_pk", "user_id")
# A ticket's API routes take its number too; the walk calls them with it, and with a number nobody has.
OTHER_REFERENCES = {"ticket": lambda ticket: ticket.number}
MISSING_REFERENCES = {"ticket": "SR209901010001"}
# URL parameters that are not object ids, and the value the walk gives them. A one-time link's token is the
# permission itself (no login needed): one nobody was sent is an unknown link, 404 for everybody.
UNKNOWN_TOKEN = "walk-no-such-link-7Qx2uVbN0aLk3sTq9fZc"
PLAIN_PARAMS = {"format": "json", "token": UNKNOWN_TOKEN}


def checklist_item_of(inspection_pk) -> int:
    """An item of the inspection's own checklist (the first), or an id no item has."""
    items = ChecklistItem.objects.filter(template__plans__inspections__pk=inspection_pk).order_by("position", "pk")
    return items.values_list("pk", flat=True).first() or SENTINEL


def linked_ticket_of(problem_pk) -> int:
    """A ticket linked to the problem (its incident), or an id no ticket has."""
    links = ProblemIncident.objects.filter(problem_id=problem_pk).order_by("pk")
    return links.values_list("ticket_id", flat=True).first() or SENTINEL


# A second id in a route, named after the first: the function gives the one that belongs to it.
SECOND_IDS = {"item_id": checklist_item_of, "ticket_pk": linked_ticket_of}
# Tables that record sign-ins and sessions, not anybody's data; the walk signs in again after /logout/.
NOT_FINGERPRINTED = ("sessions.", "axes.")
NOT_FINGERPRINTED_COLUMNS = {"accounts.user": {"last_login"}}


# The URL map ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, for messages
    name: str | None  # with namespaces, for reverse()
    params: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def url(self, pk=None) -> str:
        kwargs = {}
        for param in self.params:
            if param in ID_PARAMS:
                kwargs[param] = pk
            elif param in SECOND_IDS:
                kwargs[param] = SECOND_IDS[param](pk)
            else:
                kwargs[param] = PLAIN_PARAMS.get(param)
        return reverse(self.name, kwargs=kwargs)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def all_routes() -> list[Route]:
    found = []

    def walk(patterns, prefix, namespaces, params):
        for pattern in patterns:
            own = tuple(pattern.pattern.regex.groupindex)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                chain = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, route, chain, params + own)
            elif isinstance(pattern, URLPattern):
                name = ":".join([*namespaces, pattern.name]) if pattern.name else None
                found.append(Route(route, name, params + own))

    walk(get_resolver().url_patterns, "", [], ())
    return found


def id_routes_by_kind() -> tuple[list[tuple[Route, str]], list[str]]:
    """Every non-admin route with an id, with the kind of object it takes; and the problems found."""
    mapped, problems = [], []
    for route in all_routes():
        if route.is_admin or not set(route.params) - set(PLAIN_PARAMS):
            continue
        first_ids = set(route.params) & set(ID_PARAMS)
        unknown = set(route.params) - set(PLAIN_PARAMS) - first_ids - (set(SECOND_IDS) if first_ids else set())
        if unknown or route.name is None or len(first_ids) != 1:
            problems.append(
                f"{route.route!r}: the walk only knows one of the ids {list(ID_PARAMS)}, {sorted(SECOND_IDS)} with it and "
                f"{sorted(PLAIN_PARAMS)} on named routes; "
                f"teach it {sorted(unknown) or 'the name'} in test_authorisation_walk.py"
            )
            continue
        prefix = route.url(SENTINEL).split(str(SENTINEL))[0]
        if prefix not in ROUTE_KINDS:
            problems.append(
                f"{route.route!r} (name {route.name!r}) takes an object id under {prefix!r}, which ROUTE_KINDS in "
                "test_authorisation_walk.py does not map to an object kind: add it, so customer users are walked on it"
            )
            continue
        mapped.append((route, ROUTE_KINDS[prefix]))
    return mapped, problems


def plain_routes() -> list[Route]:
    return [r for r in all_routes() if not r.is_admin and not set(r.params) - set(PLAIN_PARAMS) and r.name]


# The two tenants ------------------------------------------------------------------------------


def make_tenant(tag: str, label: str, phone: str, *, agent, engineer, manager, staff, telephone_system):
    """A customer with a full set of records: site, contact, contract and warranty term, asset,
    tickets in several states (one resolved, one closed), public and internal comments and files;
    and those of every later issue (field service, parts, maintenance, the project record, then issues 6
    and 7 in test_walk_fixtures.py)."""
    t = SimpleNamespace(tag=tag)
    new_apps.start(t)
    t.customer = CustomerFactory(code=f"tenant-{tag}", name=f"{label}档案馆", phone=phone)
    new_apps.add_webhook_subscriptions(t, label, staff=staff)
    t.site = SiteFactory(customer=t.customer, name=f"{label}一号机房", address=f"{label}路{len(label)}号")
    t.contact = ContactFactory(
        customer=t.customer,
        site=t.site,
        name=f"{label}联系人",
        phone=phone,
        email=f"contact-{tag}@walk.example",
        position=f"{label}{PROBE}岗",
    )
    t.contract = ContractFactory(customer=t.customer, number=f"HT-{tag.upper()}-7001", name=f"{label}维保合同")
    t.contract.sites.add(t.site)
    t.warranty = WarrantyTermFactory(contract=t.contract, asset_class="hardware", years=3)
    t.asset = AssetFactory(
        customer=t.customer,
        site=t.site,
        contract=t.contract,
        serial_number=f"SN-{tag.upper()}-77310",
        software_name=f"{label}核心系统",
        software_version=f"V{ord(tag)}-{PROBE}",
        acceptance_date=t.contract.start_date,
    )
    t.user = UserFactory(username=f"walk-{tag}", role=Role.CUSTOMER, customer=t.customer, first_name=f"{label}用户")

    def new_ticket(n):
        return services.ticket_create(
            actor=t.user,
            customer=t.customer,
            site=t.site,
            assets=[t.asset],
            title=f"{label}故障{n}",
            description=f"{label}描述{n}",
            contact_name=f"{label}报修人",
            contact_phone=phone,
            kind="general_fault",
            channel="portal",
        )

    def worked(ticket):
        ticket = services.ticket_assign(actor=agent, ticket=ticket, assignee=engineer, version=ticket.version)
        return services.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=ticket.version)

    def resolved(ticket):
        return services.ticket_transition(
            actor=engineer,
            ticket=worked(ticket),
            action="resolve",
            version=ticket.version + 2,
            resolution=f"{label}解决办法",
            resolution_method="remote",
        )

    t.ticket_new = new_ticket(1)
    t.ticket_working = worked(new_ticket(2))
    t.ticket_resolved = resolved(new_ticket(3))
    closing = resolved(new_ticket(4))
    t.ticket_closed = services.ticket_transition(actor=agent, ticket=closing, action="close", version=closing.version)
    t.tickets = [t.ticket_new, t.ticket_working, t.ticket_resolved, t.ticket_closed]
    assert [x.status for x in t.tickets] == [Status.NEW, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]

    t.comment_public = services.comment_add(actor=t.user, ticket=t.ticket_working, body=f"{label}公开回复")
    t.comment_internal = services.comment_add(
        actor=agent, ticket=t.ticket_working, body=f"{label}内部备注", is_public=False
    )
    t.file_content = f"{label}附件内容-机密".encode()
    t.attachment_public = services.attachment_add(
        actor=t.user, ticket=t.ticket_working, upload=SimpleUploadedFile(f"{tag}-report.txt", t.file_content)
    )
    t.attachment_internal = services.attachment_add(
        actor=agent,
        ticket=t.ticket_working,
        upload=SimpleUploadedFile(f"{tag}-internal.txt", t.file_content),
        is_public=False,
    )
    t.transition = t.ticket_resolved.events.filter(kind=EventKind.STATUS_CHANGED).latest("at", "id")
    t.notification = InAppNotificationFactory(
        user=t.user, title=f"{label}工单提醒", body=f"{label}通知正文", url=t.ticket_working.get_absolute_url()
    )

    add_field_service(t, label, phone, agent=agent, engineer=engineer)
    add_spare_parts(t, label, agent=agent)
    add_maintenance(t, label, engineer=engineer)
    add_project_record(t, label, manager=manager)
    new_apps.add_knowledge(t, label, engineer=engineer)
    new_apps.add_search_probe(t, label)
    new_apps.add_complaint(t, label, phone, agent=agent, engineer=engineer)
    new_apps.add_intake(t, label, phone, agent=agent, telephone_system=telephone_system)
    new_apps.add_inbox(t, label, agent=agent)
    new_apps.add_service_reports(t, label, manager=manager)
    for ticket in t.tickets:  # part requests, comments and problems moved their versions on
        ticket.refresh_from_db()

    # Objects of each kind; the first is one the owner may see (the rest may be internal).
    t.objects = {
        "customer": [t.customer],
        "site": [t.site],
        "contact": [t.contact],
        "asset": [t.asset],
        "ticket": t.tickets,
        "comment": [t.comment_public, t.comment_internal],
        "attachment": [t.attachment_public, t.attachment_internal],
        "transition": [t.transition],
        "notification": [t.notification],
        "work_order": t.work_orders,
        "vendor_case": [t.vendor_case],
        "credential": [t.credential],
        "approval": [t.approval],
        "part": [t.catalogue_part],
        "part_request": t.part_requests,
        "rma": t.rma_cases,
        "inspection": t.inspections,
        "inspection_result": [t.inspection_result],
        "weekly_plan": [t.weekly_plan],
        "weekly_report": [t.weekly_report],
        "training": [t.training],
        "training_material": [t.training_material],
        "contract": [t.contract, t.project_contract],
        "handover_document": [t.handover_document],
    }  # with those of issues 6 and 7 once the world is finished (see the world fixture)
    numbers = [x.number for x in t.tickets]
    national = phonenumbers.parse(phone)
    t.secrets = [
        t.customer.name,
        t.site.name,
        t.site.address,
        t.contact.name,
        phone,
        str(national.national_number),
        phonenumbers.format_number(national, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(national, phonenumbers.PhoneNumberFormat.NATIONAL),
        t.contract.number,
        t.contract.name,
        t.asset.serial_number,
        t.asset.software_name,
        t.user.first_name,
        f"{label}报修人",
        f"{label}解决办法",
        t.comment_public.body,
        t.comment_internal.body,
        t.attachment_public.name,
        t.attachment_internal.name,
        t.file_content.decode(),
        t.notification.title,
        t.notification.body,
        *numbers,
        *(x.title for x in t.tickets),
        *t.field_service_secrets,
        *t.parts_secrets,
        *t.maintenance_secrets,
        t.project_contract.number,
        t.project_contract.name,
        t.handover_document.name,
        t.handover_content,
        t.contact.email,
        t.contact.position,
    ]
    return t


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def add_spare_parts(t, label: str, *, agent) -> None:
    """A catalogue part with stock in a warehouse, and part requests on the working ticket in each state their
    actions need: reserved (ship, cancel), shipped (deliver), delivered by advance replacement with the faulty part
    still out (faulty-returned); RMA cases waiting to go to the vendor and gone to it (ship, close). Parts,
    warehouses and RMA cases belong to no customer: the walk gives each tenant its own, all staff-only."""
    tag = t.tag.upper()
    t.warehouse = WarehouseFactory(name=f"{label}备件库", address=f"{label}仓储路9号")
    t.catalogue_part = PartFactory(
        vendor=t.asset.product.vendor, part_number=f"PN-{tag}-3300", description=f"{label}专用电源模块"
    )
    stock_move(actor=agent, kind=MovementKind.RECEIVE, part=t.catalogue_part, warehouse=t.warehouse, quantity=20)

    def request(**fields):
        return part_request_create(
            actor=agent,
            ticket=t.ticket_working,
            part=t.catalogue_part,
            quantity=1,
            destination=Destination.DOMESTIC,
            **fields,
        )

    reserved = request(warehouse=t.warehouse, note=f"{label}备件库管备注")
    shipped = part_request_ship(
        actor=agent, request=request(), warehouse=t.warehouse, tracking_number=f"SF-{tag}-90017"
    )
    advance = request(warehouse=t.warehouse, advance_replacement=True, faulty_serial=f"FAULTY-{tag}-661")
    advance = part_request_ship(actor=agent, request=advance, tracking_number=f"SF-{tag}-90018")
    delivered = part_request_deliver(actor=agent, request=advance)
    t.part_requests = [reserved, shipped, delivered]
    waiting = rma_open(
        actor=agent,
        part=t.catalogue_part,
        warehouse=t.warehouse,
        serial_number=f"RMA-SN-{tag}-1",
        note=f"{label}返修故障说明",
    )
    sent = rma_open(actor=agent, part=t.catalogue_part, warehouse=t.warehouse, serial_number=f"RMA-SN-{tag}-2")
    sent = rma_ship(actor=agent, rma=sent, vendor_case_number=f"VC-{tag}-8801")
    t.rma_cases = [waiting, sent]
    t.parts_secrets = [
        t.warehouse.name,
        t.warehouse.address,
        t.catalogue_part.part_number,
        t.catalogue_part.description,
        reserved.note,
        shipped.tracking_number,
        delivered.tracking_number,
        delivered.faulty_serial,
        waiting.serial_number,
        waiting.note,
        sent.serial_number,
        sent.vendor_case_number,
    ]


def add_maintenance(t, label: str, *, engineer) -> None:
    """A maintenance plan on the tenant's contract with its own checklist; an inspection at work today (every item
    recorded, one failed with a photo and no ticket yet: it may be completed and the finding raised) and one
    planned (it may be started); this week's weekly plan (unsigned, so it may be edited and signed) and weekly
    report (a draft); a training session with a material, an attendee who signed on the scanned paper sheet and
    one still to sign, its feedback, and no trainer's signature yet."""
    today = local_date()
    monday = today - dt.timedelta(days=today.weekday())
    checklist = ChecklistTemplateFactory(name=f"{label}机房巡检表")
    items = [
        ChecklistItemFactory(template=checklist, position=1, label=f"{label}UPS指示灯"),
        ChecklistItemFactory(template=checklist, position=2, label=f"{label}精密空调"),
    ]
    t.maintenance_plan = MaintenancePlanFactory(
        contract=t.contract,
        site=t.site,
        title=f"{label}月度巡检计划",
        scope=f"{label}核心机房范围",
        checklist=checklist,
        engineer=engineer,
    )
    t.maintenance_plan.assets.add(t.asset)
    working = InspectionFactory(plan=t.maintenance_plan, scheduled_for=today, engineer=engineer)
    planned = InspectionFactory(plan=t.maintenance_plan, scheduled_for=today + dt.timedelta(days=3), engineer=engineer)
    t.inspection_result = inspection_record(
        actor=engineer,
        inspection=working,
        item=items[0],
        outcome="fail",
        text=f"{label}巡检发现：UPS告警",
        photo=png(f"{t.tag}-ups.png"),
    )
    inspection_record(actor=engineer, inspection=working, item=items[1], outcome="pass", text=f"{label}空调正常")
    working.refresh_from_db()
    t.inspections = [working, planned]

    t.weekly_plan = weekly_plan_save(
        actor=engineer,
        customer=t.customer,
        engineer=engineer,
        week_start=monday,
        content=f"{label}本周计划：更换电池",
        customer_lead=f"{label}客户负责人",
        site=t.site,
    )
    draft = weekly_report_draft(actor=engineer, engineer=engineer, customer=t.customer, week_start=monday)
    t.weekly_report = weekly_report_update(
        actor=engineer,
        report=draft,
        work_done=f"{label}周报：本周巡检两次",
        problems=f"{label}周报问题：电池老化",
        next_week=f"{label}周报下周：复查空调",
    )

    starts = timezone.now() + dt.timedelta(days=1)
    session = training_create(
        actor=engineer,
        customer=t.customer,
        topic=f"{label}存储运维培训",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place=f"{label}三楼会议室",
        trainer=engineer,
    )
    t.training_content = f"{label}培训课件内容"
    t.training_material = training_material_add(
        actor=engineer,
        session=session,
        upload=SimpleUploadedFile(f"{t.tag}-slides.txt", t.training_content.encode()),
    )
    on_paper = training_attendee_add(
        actor=engineer, session=session, name=f"{label}学员甲", department=f"{label}信息科"
    )
    t.attendee = training_attendee_add(actor=engineer, session=session, name=f"{label}学员乙", phone="13700002222")
    training_upload_printed_sheet(
        actor=engineer, session=session, upload=png(f"{t.tag}-sign-in-sheet.png"), attendees=[on_paper]
    )
    t.training = training_feedback(actor=engineer, session=session, feedback=f"{label}培训反馈：讲解清楚")
    t.maintenance_secrets = [
        checklist.name,
        *(item.label for item in items),
        t.maintenance_plan.title,
        t.maintenance_plan.scope,
        t.inspection_result.text,
        f"{label}空调正常",
        t.weekly_plan.content,
        t.weekly_plan.customer_lead,
        t.weekly_report.work_done,
        t.weekly_report.problems,
        t.weekly_report.next_week,
        t.training.topic,
        t.training.place,
        t.training.feedback,
        t.training_material.name,
        t.training_content,
        on_paper.name,
        on_paper.department,
        t.attendee.name,
        f"{t.tag}-sign-in-sheet",
    ]


def add_project_record(t, label: str, *, manager) -> None:
    """A second contract whose project is accepted, with a handover document (the service phase may start; the
    first contract has no project record yet, so its initial acceptance may be recorded)."""
    t.project_contract = ContractFactory(
        customer=t.customer, number=f"HT-{t.tag.upper()}-7002", name=f"{label}集成项目合同"
    )
    project = project_record_for(t.project_contract)
    initial_acceptance_record(actor=manager, project=project, day=local_date() - dt.timedelta(days=10))
    t.handover_content = f"{label}交接文档内容"
    t.handover_document = handover_document_add(
        actor=manager,
        project=project,
        kind=HandoverDocumentKind.TECHNICAL_MANUAL,
        file=SimpleUploadedFile(f"{t.tag}-technical-manual.txt", t.handover_content.encode()),
    )


def add_field_service(t, label: str, phone: str, *, agent, engineer) -> None:
    """The tenant's field service, a work order in each state its actions need: one on site (work logged, a part
    fitted, a change waiting for the customer's approval), one on the way (to check in), a remote one at work (with
    lent remote access; it may be completed) and one done and signed by the engineer, waiting for the customer's
    signature through a one-time link; and a vendor case on the ticket. Every sheet has a PDF, so the PDF route
    answers staff."""
    tag = t.tag.upper()
    now = timezone.now()
    national = str(phonenumbers.parse(phone).national_number)
    common = {
        "ticket": t.ticket_working,
        "customer": t.customer,
        "site": t.site,
        "engineer": engineer,
        "dispatcher": agent,
        "kind": WorkOrderKind.ON_SITE,
        "accepted_at": now,
        "travel_started_at": now,
        "address": f"{label}现场地址88号",
        "contact_name": f"{label}现场联系人",
        "contact_phone": phone,
        "software_name": f"{label}存储系统",
    }

    def order(n: int, status: str, **fields):
        return WorkOrderFactory(
            number=f"WO-{tag}-20260101-{n}", status=status, problem_description=f"{label}问题描述{n}", **common | fields
        )

    t.work_order_on_site = order(1, WorkOrderStatus.ON_SITE, started_at=now, task_description=f"{label}现场任务描述")
    t.work_order_travelling = order(2, WorkOrderStatus.TRAVELLING)
    t.work_order_remote = order(3, WorkOrderStatus.WORKING_REMOTELY, kind=WorkOrderKind.REMOTE, started_at=now)
    t.work_order_done = order(
        4, WorkOrderStatus.WORK_DONE, started_at=now, ended_at=now, resolution=f"{label}现场处理结果"
    )
    t.work_orders = [t.work_order_on_site, t.work_order_travelling, t.work_order_remote, t.work_order_done]

    t.work_log = work_log_add(actor=engineer, work_order=t.work_order_on_site, text=f"{label}工作记录", hours=1)
    t.part = part_add(
        actor=engineer, work_order=t.work_order_on_site, description=f"{label}电源模块", serial_number=f"PS-{tag}-4411"
    )
    t.approval, t.approval_token = change_approval_request(
        actor=engineer, work_order=t.work_order_on_site, description=f"{label}变更说明：升级固件", send_to=national
    )
    t.credential_password = f"{label}密码#2026"
    t.credential = credential_lend(
        actor=engineer,
        ticket=t.ticket_working,
        work_order=t.work_order_remote,
        system=f"{label}核心数据库",
        address=f"10.{len(label)}.{ord(t.tag)}.7 VPN",
        username=f"{t.tag}_oracle_walk",
        password=t.credential_password,
        lent_by=f"{label}借出人",
        valid_until=now + dt.timedelta(days=2),
    )
    t.vendor_case = vendor_case_open(
        actor=agent,
        ticket=t.ticket_working,
        vendor=t.asset.product.vendor,
        case_number=f"CASE-{tag}-5501",
        contact_name=f"{label}厂商联系人",
    )
    work_order_sign(
        actor=engineer,
        work_order=t.work_order_done,
        role=SignerRole.ENGINEER,
        signer_name=str(engineer),
        signature=signature_data_url(),
    )
    t.sign_token = signing_link_send(actor=engineer, work_order=t.work_order_done, send_to=national)
    for work_order in t.work_orders:
        work_order.refresh_from_db()
        work_order.pdf.save(f"{work_order.number}.pdf", ContentFile(b"%PDF-1.4 walk"), save=True)
    t.field_service_secrets = [
        *(common[name] for name in ("address", "contact_name", "software_name")),
        *(work_order.number for work_order in t.work_orders),
        *(work_order.problem_description for work_order in t.work_orders),
        t.work_order_on_site.task_description,
        t.work_order_done.resolution,
        t.work_log.text,
        t.part.description,
        t.part.serial_number,
        t.credential.system,
        t.credential.address,
        t.credential.username,
        t.credential_password,
        t.credential.lent_by,
        t.approval.description,
        t.vendor_case.case_number,
        t.vendor_case.contact_name,
    ]


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    return build_world(settings, tmp_path, monkeypatch)


def build_world(settings, tmp_path, monkeypatch):
    """Staff, tenants A and B, and what belongs to no customer (the article meant for customers)."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.AFTERSALES_QC_RANDOM_PERCENT = 100  # every closed ticket is sampled for a QC review
    monkeypatch.setattr(destinations, "resolve", new_apps.resolve_public)  # no DNS: webhook addresses are checked
    # A service report's PDF (WeasyPrint, seconds each) is not what the walk looks at: its access is.
    monkeypatch.setattr("aftersales.reports.pdf.render", lambda report: new_apps.PDF)
    system_user()  # made once, here: a request that made it would show as a change
    agent = UserFactory(username="walk-agent", role=Role.AGENT)
    engineer = UserFactory(username="walk-engineer", role=Role.ENGINEER, first_name="巡", last_name="周工程师")
    staff = UserFactory(username="walk-admin", role=Role.ADMIN)
    manager = UserFactory(username="walk-manager", role=Role.MANAGER, phone="+8613700001111")
    EngineerProfileFactory(user=engineer)  # on the engineers' roster, which customers must not reach
    people = {
        "agent": agent,
        "engineer": engineer,
        "manager": manager,
        "staff": staff,
        "telephone_system": new_apps.telephone_system(),
    }
    a = make_tenant("a", "甲方杭州", "+8613811112222", **people)
    b = make_tenant("b", "乙方宁波", "+8613922223333", **people)
    world = SimpleNamespace(a=a, b=b, agent=agent, engineer=engineer, staff=staff, manager=manager)
    world.telephone_system = people["telephone_system"]
    world.shared_article = new_apps.shared_article(engineer=engineer, source_ticket=b.ticket_resolved)
    new_apps.finish_world(world, [a, b])
    for t in (a, b):
        for ticket in t.tickets:
            ticket.refresh_from_db()
        t.objects |= t.new_objects
        t.secrets += t.new_secrets
    # customer1's own notification is read already, so the list walk's POST to "mark all read" changes nothing;
    # B's stays unread, so a request of A's that touched it would show in the fingerprint.
    a.notification.read_at = a.notification.created_at
    a.notification.save(update_fields=["read_at"])
    return world


def owner_object(kind: str, tenant):
    """The object of this kind its owner reaches: the tenant's first, or (an article) the one meant for customers."""
    return tenant.owned.get(kind, tenant.objects[kind][0])


# Clients and requests -------------------------------------------------------------------------


@dataclass
class Caller:
    """One user with a signed-in page client (session) and an API client (token)."""

    user: object
    page: Client = field(init=False)
    api: APIClient = field(init=False)
    count: int = 0

    def __post_init__(self):
        self.page = Client()
        self.page.force_login(self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=self.user)[0].key}")

    def send(self, method: str, url: str, data=None, *, query=None, **extra):
        """`data` is the body of a write (ignored by reads); `query` is the query string of a read."""
        self.count += 1
        if url.startswith("/api/"):
            call = getattr(self.api, method.lower())
            if method in ("GET", "HEAD", "OPTIONS"):
                return call(url, query, **extra)
            return call(url, data, format="json", **extra)
        if method in ("GET", "HEAD", "OPTIONS"):
            response = getattr(self.page, method.lower())(url, query, **extra)
        elif method == "POST":
            response = self.page.post(url, data, **extra)
        else:
            plain = {k: v for k, v in (data or {}).items() if not hasattr(v, "read")}
            body = urlencode(plain, doseq=True)
            response = getattr(self.page, method.lower())(url, body, "application/x-www-form-urlencoded", **extra)
        if "_auth_user_id" not in self.page.session:  # the walk reached /accounts/logout/
            self.page.force_login(self.user)
        return response

    def probe(self, method, url, data=None):
        """A request whose writes are rolled back, for callers that may legitimately change things."""
        with rolled_back():
            return self.send(method, url, data)


@contextmanager
def rolled_back():
    """Roll the database back, and put back the uploaded files a request deleted: the rollback cannot, and a
    file a staff probe removed would turn the next request for it into an error (see the printed sheet's test)."""
    media = Path(settings.MEDIA_ROOT)
    files = {path: path.read_bytes() for path in media.rglob("*") if path.is_file()} if media.exists() else {}
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        for path, content in files.items():
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)


def body_of(response) -> str:
    if not getattr(response, "streaming", False):
        return response.content.decode("utf-8", errors="replace")
    if not hasattr(response, "walk_body"):  # a download: read it once and keep it for later checks
        response.walk_body = b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.walk_body


def without_id(text: str, pk) -> str:
    """The text with the id taken out of the addresses in it (only there: a 6 in "max_digits": 6 is not the id)."""
    return re.sub(rf"/{re.escape(str(pk))}(?=[/.?\"]|$)", "/<id>", text)


def references(route: Route, kind: str, obj) -> list[tuple]:
    """How the route may name the object (its id, and a ticket's number where the route takes it), each with the
    same kind of reference to nothing."""
    found = [(obj.pk, SENTINEL)]
    if kind in OTHER_REFERENCES:
        try:
            route.url(OTHER_REFERENCES[kind](obj))
        except NoReverseMatch:
            return found
        found.append((OTHER_REFERENCES[kind](obj), MISSING_REFERENCES[kind]))
    return found


def leaked(response, tenant, typed=()) -> list[str]:
    """Which of the tenant's strings the answer shows, besides what the caller typed (a search box echoes it).
    Only typed text is taken out, never ids: taking out every "2" would hide any number with a 2 in it."""
    text = body_of(response)
    text += " " + response.get("Content-Disposition", "") + " " + response.get("Location", "")
    for value in typed:
        if not isinstance(value, str) or len(value) < 3:
            continue
        for form in (str(value), quote(str(value)), quote_plus(str(value)), json.dumps(str(value))[1:-1]):
            text = text.replace(form, "")
    found = []
    for secret in tenant.secrets:
        if secret in text or json.dumps(secret)[1:-1] in text:
            found.append(secret)
    return found


def payload(kind: str, obj, world, tenant, *, api: bool, route: Route | None = None) -> dict:
    """A plausible write for a route of this kind: what its owner or staff might really send (with the fields of
    the route's own form where the kind's fields are not enough, see ROUTE_FORMS)."""
    other = world.a if tenant is world.b else world.b
    serializers = {
        "customer": (CustomerSerializer, "name"),
        "site": (SiteSerializer, "name"),
        "contact": (ContactSerializer, "name"),
        "contract": (ContractSerializer, "name"),
        "asset": (AssetSerializer, "serial_number"),
    }
    if obj is None:  # a route without an id: a write that names the other tenant's objects everywhere
        data = {
            "customer": tenant.customer.pk,
            "site": tenant.site.pk,
            "assets": [tenant.asset.pk],
            "contract": tenant.contract.pk,
            "sites": [tenant.site.pk],
            "ticket": tenant.ticket_working.pk,
            "product": tenant.asset.product_id,
            "service_level": tenant.contract.service_level_id,
            "version": tenant.ticket_working.version,
            "action": "confirm",
            "body": "越权评论",
            "is_public": True,
            "title": "越权工单",
            "description": "越权",
            "contact_name": "越权",
            "contact_phone": "+8613000000000",
            "phone": "+8613000000000",
            "kind": "general_fault",
            "urgency": 1,
            "impact": 1,
            "name": "越权",
            "code": "intruder",
            "number": "HT-INTRUDER",
            "province": "浙江省",
            "city": "杭州市",
            "address": "越权路",
            "start_date": "2026-01-01",
            "end_date": "2027-01-01",
            "serial_number": "SN-INTRUDER",
            "note": "越权",
            # the weekly plan, weekly report and training forms of their lists
            "engineer": world.engineer.pk,
            "week_start": this_monday().isoformat(),
            "content": "越权周计划",
            "customer_lead": "越权负责人",
            "topic": "越权培训",
            "trainer": world.engineer.pk,
            "starts_at": "2026-06-01T09:00",
            "ends_at": "2026-06-01T11:00",
            "place": "越权地点",
            # the RMA form of its list, and the stock filters
            "rma-part": tenant.catalogue_part.pk,
            "rma-warehouse": tenant.warehouse.pk,
            "rma-serial_number": "RMA-INTRUDER",
            "warehouse": tenant.warehouse.pk,
            "vendor": tenant.catalogue_part.vendor_id,
            # issue 6: a complaint about B's tickets (by number)
            "tickets": tenant.ticket_new.number,
        }
    elif kind in serializers:
        serializer, text_field = serializers[kind]
        data = {k: v for k, v in serializer(obj).data.items() if v is not None}
        data[text_field] = "越权修改"
        if "customer" in data:
            data["customer"] = other.customer.pk  # "move it to my own customer"
    elif kind == "ticket":
        moves = available_transitions(user=tenant.user, ticket=obj)
        data = {
            "version": obj.version,
            "title": "越权修改",
            "urgency": 1,
            "tier": "L2",
            "contact_name": "越权",
            "action": moves[0].action if moves else "confirm",
            "note": "越权操作",
            "body": "越权评论",
            "is_public": True,
            "assignee": world.engineer.pk,
            # the field-service forms on the ticket page: dispatch, escalation, a vendor case (prefixed fields)
            "engineer": world.engineer.pk,
            "basis": "越权派单",
            "task_description": "越权任务",
            "escalate-to_tier": "L2",
            "escalate-reason": "越权升级",
            "escalate-version": obj.version,
            "manager-reason": "越权通知经理",
            "manager-manager": world.manager.pk,
            "manager-version": obj.version,
            "vendor_case-vendor": tenant.asset.product.vendor_id,
            "vendor_case-case_number": "CASE-INTRUDER",
        }
    elif kind == "work_order":  # what the sheet's forms post: an action, check-in, log, part, sheet, signature…
        valid_until = timezone.localtime() + dt.timedelta(days=1)
        data = {
            "version": obj.version,
            "action": "cancel",
            "note": "越权操作",
            "latitude": "30.28",
            "longitude": "120.16",
            "resolution": "越权完成",
            "text": "越权工作记录",
            "hours": "1",
            "description": "越权变更",
            "quantity": 1,
            "unit_price": "0",
            "software_name": "越权软件",
            "task_description": "越权任务",
            "labour_hours": "9",
            "travel_km": "9",
            "travel_cost": "9",
            "role": SignerRole.CUSTOMER,
            "signer_name": "越权签名人",
            "signature": signature_data_url(),
            "send_to": str(tenant.contact.phone.national_number),  # a contact on record
            "system": "越权系统",
            "address": "越权地址",
            "username": "intruder",
            "password": "intruder-password",
            "lent_by": "越权",
            "valid_until": valid_until.strftime("%Y-%m-%dT%H:%M"),
        }
    elif kind == "vendor_case":
        data = {f"case{obj.pk}-note": "越权进展", f"case{obj.pk}-status": "waiting_vendor"}
    elif kind == "credential":
        data = {"reason": "越权查看密码"}
    elif kind == "approval":
        data = {"decision": "approve", "decided_by_name": "越权审批人", "note": "越权"}
    elif kind == "comment":
        data = {"ticket": obj.ticket_id, "body": "越权修改", "is_public": True}
    elif kind == "attachment":
        data = {"name": "越权.txt", "is_public": True}
    elif kind == "transition":
        data = {"ticket": obj.ticket_id, "action": "reopen", "note": "越权", "version": obj.ticket.version}
    elif kind == "part":  # a keeper's movement on the part's page
        data = {"kind": MovementKind.RECEIVE, "warehouse": tenant.warehouse.pk, "quantity": 1, "note": "越权入库"}
    elif kind == "part_request":  # the ship, cancel and faulty-return forms of the ticket page (deliver is a button)
        data = {
            "ship-tracking_number": "SF-INTRUDER",
            "cancel-reason": "越权取消",
            "faulty-warehouse": tenant.warehouse.pk,
            "faulty-serial_number": "FAULTY-INTRUDER",
        }
    elif kind == "rma":
        data = {
            "rma_ship-vendor_case_number": "VC-INTRUDER",
            "rma_close-outcome": RmaOutcome.REPAIRED,
            "rma_close-replacement_serial": "",
        }
    elif kind == "inspection":  # the checklist's item form (see SECOND_IDS), start and complete
        prefix = f"item-{checklist_item_of(obj.pk)}"
        data = {f"{prefix}-outcome": "fail", f"{prefix}-text": "越权巡检结果", "summary": "越权总结"}
    elif kind == "weekly_plan":  # the edit form and the signature pad
        data = {
            "week_start": obj.week_start.isoformat(),
            "content": "越权修改计划",
            "customer_lead": "越权负责人",
            "site": obj.site_id or "",
            "role": "engineer",
            "signer_name": "越权签名人",
            "signature": signature_data_url(),
        }
    elif kind == "weekly_report":
        data = {"work_done": "越权周报", "problems": "越权问题", "next_week": "越权下周"}
    elif kind == "training":  # the edit form, attendee, sign-in pads, feedback
        data = {
            "topic": "越权培训",
            "trainer": world.engineer.pk,
            "starts_at": timezone.localtime(obj.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(obj.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "place": "越权地点",
            "name": "越权学员",
            "attendee": obj.attendees.filter(signed_at__isnull=True).values_list("pk", flat=True).first() or SENTINEL,
            "signature": signature_data_url(),
            "feedback": "越权反馈",
        }
    elif kind in NEW_KIND_PAYLOADS:
        data = NEW_KIND_PAYLOADS[kind](obj, world, tenant)
    else:
        data = {}
    if route is not None and route.name in ROUTE_FORMS:
        data.update(ROUTE_FORMS[route.name](obj, world, tenant))
    if not api:
        data = {k: ("on" if v is True else v) for k, v in data.items()}
        data.setdefault("file", SimpleUploadedFile("越权.txt", b"intruder"))
    return data


# Issues 6 and 7: what each kind's pages post (its forms' fields), as its owner or staff would.
NEW_KIND_PAYLOADS = {
    # the editor, publish and withdraw (the version), and the vote
    "article": lambda article, world, tenant: {
        "title": "越权文章",
        "symptom": "越权症状",
        "solution": "越权解决",
        "visible_to_customers": True,
        "version": article.version,
        "helped": "yes",
    },
    # the editor, the status form, and linking an incident by its number
    "problem": lambda problem, world, tenant: {
        "title": "越权问题",
        "description": "越权描述",
        "status": ProblemStatus.KNOWN_ERROR,
        "fix": "越权修复",
        "version": problem.version,
        "number": tenant.ticket_new.number,
    },
    # the customer's scores in the portal, the controller's call sheet, a survey link to a contact on record
    "follow_up": lambda follow_up, world, tenant: {
        "score_overall": 5,
        "score_response_speed": 5,
        "score_professionalism": 5,
        "score_attitude": 5,
        "comment": "越权回访",
        "method": "phone",
        "outcome": "answered",
        "send_to": str(tenant.contact.phone.national_number),
    },
    # linking tickets and people, and closing with the root cause and the corrective action
    "complaint": lambda complaint, world, tenant: {
        "tickets": tenant.ticket_new.number,
        "people": [world.engineer.pk],
        "version": complaint.ticket.version,
        "root_cause": "越权根因",
        "corrective_action": "越权纠正",
        "note": "越权",
    },
    "qc_review": lambda review, world, tenant: {
        "response_quality": 3,
        "service_quality": 3,
        "score": 60,
        "comment": "越权质检",
    },
    "webhook_subscription": lambda subscription, world, tenant: {
        "name": "越权订阅",
        "url": f"https://{new_apps.WEBHOOK_HOST}/intruder",
        "event_kinds": ["ticket.created", "ticket.commented"],
        "customer": tenant.customer.pk,
    },
    # filing the fax under a customer, or setting it aside
    "fax_receipt": lambda receipt, world, tenant: {
        "customer": tenant.customer.pk,
        "contact_name": "越权",
        "contact_phone": "+8613000000000",
        "title": "越权传真工单",
        "kind": "general_fault",
        "reason": "越权搁置",
    },
    # logging the call on a ticket (the call's intake form is in ROUTE_FORMS)
    "incoming_call": lambda call, world, tenant: {"ticket": tenant.ticket_working.number, "note": "越权通话记录"},
    # a ticket from the mail, or the mail added to a ticket
    "inbound_message": lambda message, world, tenant: {
        "customer": tenant.customer.pk,
        "contact_name": "越权",
        "contact_phone": "+8613000000000",
        "title": "越权邮件工单",
        "kind": "general_fault",
        "ticket_number": tenant.ticket_working.number,
        "public": True,
    },
    "service_report": lambda report, world, tenant: {"recommendations": "越权建议"},
}


def this_monday() -> dt.date:
    today = local_date()
    return today - dt.timedelta(days=today.weekday())


# Fields of a route's own form that clash with, or go beyond, its kind's payload above.
ROUTE_FORMS = {
    "ticket_edit": lambda ticket, world, tenant: {
        "kind": "general_fault",
        "description": "越权描述",
        "impact": 1,
        "contact_phone": "+8613000000000",
    },
    "work_order_dispatch": lambda ticket, world, tenant: {"kind": WorkOrderKind.ON_SITE},
    "part_request_create": lambda ticket, world, tenant: {
        "part_request-part": tenant.catalogue_part.pk,
        "part_request-quantity": 1,
        "part_request-destination": Destination.DOMESTIC,
        "part_request-warehouse": tenant.warehouse.pk,
        "part_request-note": "越权申请备件",
    },
    "work_order_part_from_stock": lambda work_order, world, tenant: {
        "part": tenant.catalogue_part.pk,
        "warehouse": tenant.warehouse.pk,
        "quantity": 1,
    },
    "training_printed_sheet_upload": lambda session, world, tenant: {"file": png("越权签到表.png")},
    "project_document_add": lambda contract, world, tenant: {"kind": HandoverDocumentKind.PROJECT_SUMMARY},
    "project_acceptance": lambda contract, world, tenant: {"day": local_date().isoformat()},
    "project_service_start": lambda contract, world, tenant: {"exception_reason": "越权开始服务"},
    "ticket_problem_link": lambda ticket, world, tenant: {"problem": tenant.problem.reference},
    "quality_rule_contract": lambda contract, world, tenant: {
        "enabled": "on",
        "kinds": ["general_fault"],
        "delay_hours": 12,
        "sample_percent": 50,
        "low_score_threshold": 2,
        "methods": ["phone"],
    },
    "call_ticket": lambda call, world, tenant: {
        "customer": tenant.customer.pk,
        "contact_name": "越权",
        "contact_phone": "+8613000000000",
        "channel": "phone",
        "kind": "general_fault",
        "urgency": 2,
        "impact": 2,
        "title": "越权来电工单",
        "description": "越权来电",
    },
}


# "Nothing changed" ----------------------------------------------------------------------------


def fingerprint() -> dict:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.proxy or not model._meta.managed or label.startswith(NOT_FINGERPRINTED):
            continue
        skip = NOT_FINGERPRINTED_COLUMNS.get(label, set())
        rows = model._base_manager.order_by("pk").values()
        tables[label] = [{k: v for k, v in row.items() if k not in skip} for row in rows]
    return tables


def changes_since(before: dict) -> list[str]:
    after = fingerprint()
    out = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, []), after.get(label, [])
        if old != new:
            added = [row for row in new if row not in old]
            removed = [row for row in old if row not in new]
            out.append(f"{label}: {len(old)} -> {len(new)} rows; now {added[:3]}, was {removed[:3]}")
    return out


# The walk -------------------------------------------------------------------------------------


def test_every_route_with_an_id_is_mapped_to_an_object_kind():
    mapped, problems = id_routes_by_kind()
    assert not problems, "\n".join(problems)
    # The walk really sees the routes it is meant to (a broken enumeration would pass vacuously).
    kinds = {kind for _route, kind in mapped}
    assert kinds == set(ROUTE_KINDS.values())
    assert len(plain_routes()) >= 10


def implemented_methods(staff: Caller, route: Route, obj, kind, world, tenant) -> dict[str, int]:
    """What staff get from each method (writes rolled back): a method staff get 405 for is not implemented."""
    url = route.url(obj.pk)
    return {
        m: staff.probe(m, url, payload(kind, obj, world, tenant, api=route.is_api, route=route)).status_code
        for m in METHODS
    }


def test_customer1_gets_404_from_every_route_for_customer2s_objects(world):
    mapped, problems = id_routes_by_kind()
    assert not problems, "\n".join(problems)
    a, b = world.a, world.b
    customer1, staff, customer2 = Caller(a.user), Caller(world.staff), Caller(b.user)
    before = fingerprint()
    failures, attempts = [], 0

    for route, kind in mapped:
        personal = route.name in PERSONAL_ROUTE_NAMES
        reference, who = (customer2, "owner customer2") if personal else (staff, "staff")
        reference_answers = implemented_methods(reference, route, b.objects[kind][0], kind, world, b)
        implemented = {m for m, code in reference_answers.items() if code != 405}
        for m, code in reference_answers.items():  # they can reach it, so a 404 below is the tenancy rule
            if code == 404 or code >= 500:
                failures.append(f"{who} {m} {route.url(b.objects[kind][0].pk)} -> {code}")
        for obj in b.objects[kind]:
            for ref, missing_ref in references(route, kind, obj):
                url = route.url(ref)
                for method in (*METHODS, "OPTIONS"):
                    data = payload(kind, obj, world, b, api=route.is_api, route=route)
                    response = customer1.send(method, url, data)
                    missing = customer1.send(
                        method, route.url(missing_ref), payload(kind, obj, world, b, api=route.is_api, route=route)
                    )
                    attempts += 1
                    code = response.status_code
                    if code != missing.status_code:
                        failures.append(
                            f"{method} {url}: {code} for B's {kind}, {missing.status_code} for a missing id"
                        )
                    if method == "OPTIONS":
                        # DRF describes the endpoint (no record) for any id; it must not differ from a missing id.
                        # Pages answer OPTIONS with the 404 page, whose CSRF token differs on every render.
                        if route.is_api and without_id(body_of(response), ref) != without_id(
                            body_of(missing), missing_ref
                        ):
                            failures.append(f"OPTIONS {url} answers differently for B's {kind} and a missing id")
                    elif method in implemented and code != 404:
                        failures.append(f"{method} {url} (B's {kind} {obj.pk}) -> {code}, expected 404")
                    elif method not in implemented and code not in (404, 405):
                        failures.append(f"{method} {url} (not implemented) -> {code}, expected 404 or 405")
                    if secrets := leaked(response, b):
                        failures.append(f"{method} {url} shows B's {secrets}")
        # The owner reaches their own (public) record on the same URL: the 404 above is not a broken route.
        owner_obj = owner_object(kind, b)
        owner_methods = set() if route.name in STAFF_ONLY_ROUTE_NAMES else implemented - {"HEAD"}
        if route.name in OWNER_READS_STAFF_WRITES:
            owner_methods = implemented & {"GET"}
        for method in sorted(owner_methods):
            code = customer2.probe(
                method, route.url(owner_obj.pk), payload(kind, owner_obj, world, b, api=route.is_api, route=route)
            ).status_code
            if code == 404 or code >= 500 or (method == "GET" and code != 200):
                failures.append(f"owner customer2 {method} {route.url(owner_obj.pk)} -> {code}")

    assert attempts > 200
    assert not failures, f"{len(failures)} problems in {attempts} attempts:\n" + "\n".join(failures)
    assert not (changed := changes_since(before)), "\n".join(changed)
    print(f"\nid walk: {len(mapped)} routes, {attempts} attempts on B's objects, {customer1.count} requests")


def test_customer1s_own_records_show_nothing_of_customer2s(world):
    """The other half of tenancy: what customer1 reads on their own records (their ticket, sheet, follow-up,
    complaint, service report and its files, the article meant for customers written from one of B's tickets)
    holds nothing of B's, a figure computed over every customer included."""
    mapped, _problems = id_routes_by_kind()
    a, b = world.a, world.b
    customer1 = Caller(a.user)
    failures, read = [], 0
    for route, kind in mapped:
        if route.name in STAFF_ONLY_ROUTE_NAMES - OWNER_READS_STAFF_WRITES or route.name in PERSONAL_ROUTE_NAMES:
            continue
        url = route.url(owner_object(kind, a).pk)
        response = customer1.send("GET", url)
        if response.status_code == 405:  # a form's target: the walk above posts to it
            continue
        read += 1
        if response.status_code != 200:
            failures.append(f"GET {url} -> {response.status_code}")
        if secrets := leaked(response, b):
            failures.append(f"GET {url} shows B's {secrets}")
    assert not failures, "\n".join(failures)
    assert read > 40
    print(f"\nown records: {read} pages and downloads read")


def test_customer2_gets_404_for_customer1s_objects(world):
    mapped, _problems = id_routes_by_kind()
    customer2 = Caller(world.b.user)
    before = fingerprint()
    failures = []
    for route, kind in mapped:
        for obj in world.a.objects[kind]:
            for ref, _missing in references(route, kind, obj):
                for method in ("GET", "POST", "PATCH"):
                    response = customer2.send(
                        method, route.url(ref), payload(kind, obj, world, world.a, api=True, route=route)
                    )
                    if response.status_code not in (404, 405):  # 405: a POST-only page; the walk above is strict
                        failures.append(f"{method} {route.url(ref)} -> {response.status_code}")
                    if secrets := leaked(response, world.a):
                        failures.append(f"{method} {route.url(ref)} shows A's {secrets}")
    assert not failures, "\n".join(failures)
    assert not (changed := changes_since(before)), "\n".join(changed)


def filters_for(tenant) -> dict:
    return {
        "customer": tenant.customer.pk,
        "site": tenant.site.pk,
        "contract": tenant.contract.pk,
        "ticket": tenant.ticket_working.pk,
        "assets": tenant.asset.pk,
        "serial_number": tenant.asset.serial_number,
        "q": tenant.ticket_new.number,
        "status": Status.NEW,
        "is_public": "false",
        "part": "entitlement",
        # issues 6 and 7: filters of the new lists naming B's records
        "product": tenant.asset.product_id,
        "source": tenant.alert_source.pk,
        "subscription": tenant.webhook.pk,
        "problem": tenant.problem.pk,
        "engineer": tenant.tickets[1].assignee_id,
        "period_kind": "month",
        "month": local_date().strftime("%Y-%m"),
    }


def test_lists_pages_and_forms_show_none_of_customer2s_data(world):
    a, b = world.a, world.b
    customer1 = Caller(a.user)
    before = fingerprint()
    failures, requests = [], 0
    for route in plain_routes():
        url = route.url()
        answers = []
        queries = ({}, filters_for(b), {"customer": b.customer.pk}, {"q": b.customer.name})
        for query in queries:
            answers.append((f"GET {url}?{urlencode(query)}", customer1.send("GET", url, query=query)))
            if route.is_api:
                browsable = customer1.send("GET", url, query=query, HTTP_ACCEPT="text/html")
                answers.append((f"GET {url}?{urlencode(query)} (browsable)", browsable))
        written = payload("", None, world, b, api=route.is_api)
        answers.append((f"POST {url}", customer1.send("POST", url, written)))
        # A form shown again says what was typed (a complaint naming B's ticket number: "no such ticket").
        typed = [value for query in queries for value in query.values()] + list(written.values())
        for label, response in answers:
            requests += 1
            if response.status_code >= 500 or response.status_code == 201:
                failures.append(f"{label} -> {response.status_code}")
            if secrets := leaked(response, b, typed):
                failures.append(f"{label} shows B's {secrets}")

    # The lists really list (customer1 sees their own rows), so "nothing of B's" is not "nothing at all".
    own_lists = (
        "/tickets/",
        "/customers/",
        "/api/v1/tickets/",
        "/api/v1/assets/",
        "/api/v1/ticket-comments/",
        "/work-orders/",
        "/api/v1/work-orders/",
        "/inspections/",
        "/weekly-plans/",
        "/training/",
        # issues 6 and 7: the customer's follow-ups, complaints and released service reports
        "/quality/follow-ups/?view=upcoming",
        "/quality/complaints/",
        "/reports/service/",
        "/api/v1/service-reports/",
    )
    for url in (*own_lists, "/notifications/"):
        own = body_of(customer1.send("GET", url))
        if not any(secret in own for secret in a.secrets):
            failures.append(f"GET {url} does not show customer1 their own data")

    assert not failures, "\n".join(failures)
    assert not (changed := changes_since(before)), "\n".join(changed)
    print(f"\nlist walk: {len(plain_routes())} routes, {requests} requests")


def test_creating_with_customer2s_ids_is_refused_and_creates_nothing(world):
    a, b = world.a, world.b
    customer1 = Caller(a.user)
    ticket = {
        "title": "越权工单",
        "description": "x",
        "contact_name": "越权",
        "contact_phone": "+8613000000000",
        "kind": "general_fault",
    }
    attempts = [
        ("/api/v1/tickets/", {**ticket, "customer": b.customer.pk, "site": b.site.pk, "assets": [b.asset.pk]}),
        ("/api/v1/tickets/", {**ticket, "site": b.site.pk}),
        ("/api/v1/tickets/", {**ticket, "assets": [b.asset.pk]}),
        ("/api/v1/ticket-comments/", {"ticket": b.ticket_working.pk, "body": "越权评论"}),
        ("/api/v1/ticket-transitions/", {"ticket": b.ticket_resolved.pk, "action": "confirm", "version": 1}),
        ("/api/v1/ticket-transitions/", {"ticket": b.ticket_new.pk, "action": "withdraw", "note": "x", "version": 1}),
        ("/api/v1/sites/", {"customer": b.customer.pk, "name": "越权", "province": "x", "city": "y", "address": "z"}),
        ("/api/v1/contacts/", {"customer": b.customer.pk, "name": "越权", "phone": "+8613000000000"}),
        ("/api/v1/assets/", {"customer": b.customer.pk, "site": b.site.pk, "product": b.asset.product_id}),
        ("/tickets/new/", {**ticket, "customer": b.customer.pk, "site": b.site.pk, "assets": [b.asset.pk]}),
        ("/tickets/new/", {**ticket, "customer": b.customer.pk}),
        (f"/tickets/{b.ticket_working.pk}/comments/", {"body": "越权评论", "is_public": "on"}),
        (f"/tickets/{b.ticket_resolved.pk}/transition/", {"action": "confirm", "version": b.ticket_resolved.version}),
        # issue 5: a weekly plan or a training session for B, a weekly report on B, an RMA for B's part
        (
            "/weekly-plans/",
            {
                "customer": b.customer.pk,
                "site": b.site.pk,
                "engineer": world.engineer.pk,
                "week_start": (this_monday() + dt.timedelta(days=7)).isoformat(),
                "content": "越权周计划",
                "customer_lead": "越权负责人",
            },
        ),
        (
            "/training/",
            {
                "customer": b.customer.pk,
                "topic": "越权培训",
                "trainer": world.engineer.pk,
                "starts_at": "2026-06-01T09:00",
                "ends_at": "2026-06-01T11:00",
                "place": "越权地点",
            },
        ),
        (
            "/weekly-reports/",
            {"customer": b.customer.pk, "engineer": world.engineer.pk, "week_start": this_monday().isoformat()},
        ),
        ("/rma/open/", {"rma-part": b.catalogue_part.pk, "rma-warehouse": b.warehouse.pk, "rma-serial_number": "X"}),
    ]
    shown_again = ("/tickets/new/", "/weekly-plans/", "/training/")  # the form again, with the refusal
    before = fingerprint()
    for url, data in attempts:
        response = customer1.send("POST", url, data)
        assert response.status_code in (400, 403, 404) or (url in shown_again and response.status_code == 200), (
            url,
            data,
            response.status_code,
        )
        assert not leaked(response, b), url
    assert not (changed := changes_since(before)), "\n".join(changed)


def test_staff_reach_customer2s_objects_on_every_route(world):
    """The same URLs answer staff (and their GETs succeed), so the walk's 404s are the tenancy rule at work."""
    mapped, _problems = id_routes_by_kind()
    staff = Caller(world.staff)
    failures = []
    for route, kind in mapped:
        for obj in world.b.objects[kind]:
            answers = implemented_methods(staff, route, obj, kind, world, world.b)
            if route.name in PERSONAL_ROUTE_NAMES:  # someone else's notification: a 404 for staff too
                if any(code not in (404, 405) for code in answers.values()):
                    failures.append(f"{route.url(obj.pk)} (personal): {answers}")
                continue
            if answers["GET"] not in (200, 405) or any(code == 404 or code >= 500 for code in answers.values()):
                failures.append(f"{route.url(obj.pk)}: {answers}")
    assert not failures, "\n".join(failures)


def test_the_owning_customer_cannot_use_the_staff_only_routes_on_their_own_records(world):
    """customer2 owns B's records, yet a staff-only route either does not exist for them (404, as for a record they
    cannot see) or refuses their write: nothing changes. The walk's owner check skips these routes, so this is
    where "a customer may read their sheet but not work it" is proved."""
    mapped, _problems = id_routes_by_kind()
    b = world.b
    staff, customer2 = Caller(world.staff), Caller(b.user)
    staff_only = [(route, kind) for route, kind in mapped if route.name in STAFF_ONLY_ROUTE_NAMES]
    assert {route.name for route, _kind in staff_only} == STAFF_ONLY_ROUTE_NAMES  # no stale names
    failures = []
    before = fingerprint()
    for route, kind in staff_only:
        for obj in b.objects[kind]:
            implemented = {
                m for m, code in implemented_methods(staff, route, obj, kind, world, b).items() if code != 405
            }
            for method in sorted(implemented):
                response = customer2.send(
                    method, route.url(obj.pk), payload(kind, obj, world, b, api=route.is_api, route=route)
                )
                code = response.status_code
                if route.name in HIDDEN_FROM_CUSTOMERS and code != 404:
                    failures.append(
                        f"owner {method} {route.url(obj.pk)} -> {code}, expected 404 (hidden from customers)"
                    )
                elif code >= 500 or code == 201:
                    failures.append(f"owner {method} {route.url(obj.pk)} -> {code}")
    assert not failures, "\n".join(failures)
    assert not (changed := changes_since(before)), "\n".join(changed)


def changes_made(caller: Caller, method: str, url: str, data) -> list[str]:
    """What a request would change (it is rolled back)."""
    with rolled_back():
        before = fingerprint()
        caller.send(method, url, data)
        return changes_since(before)


# Staff-only routes whose payload changes nothing even for the right person in the fixture's states, and why.
NO_CHANGE_FOR_STAFF_EITHER = {
    "api:ticket-escalations": "it reads the ticket's SLA escalations",
    "part_detail": "a page to read (its forms post to stock_move_view)",
    "rma_detail": "a page to read (its forms post to rma_ship and rma_close)",
    "api:ticket-acknowledge-escalation": "the fixture's tickets have no SLA escalation to acknowledge",
    "problem_detail": "a page to read (its forms post to problem_status, problem_link and problem_unlink)",
    "fax_detail": "a page to read (its forms post to fax_assign and fax_dismiss)",
    "fax_file": "the scan, a download",
    "call_detail": "a page to read (its forms post to call_log, call_ticket and call_dismiss)",
    "webhook_delivery_detail": "a page to read (its button posts to webhook_delivery_retry)",
    "inbox_message": "a page to read (its forms post to inbox_ticket_create, inbox_attach, inbox_dismiss)",
    "inbox_message_raw": "the raw message, a download",
    "kpi_engineer": "a page to read",
}


def test_the_staff_only_writes_are_real_for_the_right_person(world):
    """The payloads above are what the pages really post: the right member of staff (the sheet's engineer, the
    dispatcher or an administrator) changes something with them, so "the owner changed nothing" is a refusal,
    not a bad form."""
    mapped, _problems = id_routes_by_kind()
    b = world.b
    people = [Caller(world.engineer), Caller(world.agent), Caller(world.staff)]
    unchanged = []
    for route, kind in mapped:
        if route.name not in STAFF_ONLY_ROUTE_NAMES or route.name in NO_CHANGE_FOR_STAFF_EITHER:
            continue
        method = "POST"
        if not any(
            changes_made(person, method, route.url(obj.pk), payload(kind, obj, world, b, api=route.is_api, route=route))
            for obj in b.objects[kind]
            for person in people
        ):
            unchanged.append(f"{method} {route.route} ({route.name})")
    assert not unchanged, "nobody changed anything with the walk's payload on:\n" + "\n".join(unchanged)


def test_the_staff_only_pages_are_for_staff_only(world):
    """The rosters, the stock, the supply promise, RMA cases, maintenance plans and weekly reports: customers get
    404, staff get the page, and the page really shows what customers are refused."""
    b = world.b
    customer1, staff = Caller(world.a.user), Caller(world.staff)
    assert {route.name for route in plain_routes()} >= STAFF_ONLY_PAGE_NAMES  # the list walk covers them too
    before = fingerprint()
    for name in sorted(STAFF_ONLY_PAGE_NAMES):
        url, query = reverse(name), STAFF_PAGE_QUERIES.get(name)
        answers = [customer1.send(method, url, query=query).status_code for method in ("GET", "HEAD")]
        assert answers == [404, 404], url
        assert customer1.send("POST", url, payload("", None, world, b, api=False)).status_code in (404, 405)
        assert staff.send("GET", url, query=query).status_code in STAFF_PAGE_ANSWERS.get(name, {200}), url
    assert not (changed := changes_since(before)), "\n".join(changed)
    shown = {
        "engineer_roster": "周工程师",
        "stock_list": b.catalogue_part.description,
        "rma_list": b.rma_cases[0].serial_number,
        "plan_list": b.maintenance_plan.title,
        "weekly_report_list": b.customer.name,
        "problem_list": b.problem.title,
        "quality_rules": b.contract.number,
        "webhook_subscription_list": b.webhook.name,
        "webhook_delivery_list": b.webhook.name,
        "fax_waiting": b.fax_receipts[0].summary,
        "alert_list": f"{b.customer.name.removesuffix('档案馆')}监控告警",
        "inbox_log": b.objects["inbound_message"][0].subject,
        "inbox_sort": b.objects["inbound_message"][0].subject,
    }
    for name, text in shown.items():
        assert text in body_of(staff.send("GET", reverse(name))), name
    reviewed = staff.send("GET", reverse("quality_qc_list"), query={"view": "reviewed"})
    assert b.ticket_closed.number in body_of(reviewed)


def test_opening_an_rma_case_is_for_staff_only(world):
    """The RMA list's form posts to rma/open/ (no id, so the walk's list pass only sends it a generic write): the
    real form is refused to a customer as a page that does not exist, and opens a case for staff."""
    b = world.b
    data = {
        "rma-part": b.catalogue_part.pk,
        "rma-warehouse": b.warehouse.pk,
        "rma-serial_number": "RMA-WALK-1",
        "rma-note": "越权返修",
    }
    url = reverse("rma_open")
    customers, agent = (Caller(world.a.user), Caller(b.user)), Caller(world.agent)
    before = fingerprint()
    for customer in customers:
        assert customer.send("POST", url, data).status_code == 404
    assert not (changed := changes_since(before)), "\n".join(changed)
    assert any(label.startswith("parts.rmacase:") for label in changes_made(agent, "POST", url, data))


def test_an_inspection_item_is_reached_only_through_its_own_inspection(world):
    """inspections/<pk>/items/<item_id>/ takes two ids: customer1 naming their own inspection with an item of B's
    checklist (or B's inspection with their own item) reaches nothing and changes nothing; so does the engineer, for
    whom the same URL with matching ids records the result."""
    a, b = world.a, world.b
    own, theirs = a.inspections[0], b.inspections[0]
    own_item, their_item = checklist_item_of(own.pk), checklist_item_of(theirs.pk)
    assert ChecklistItem.objects.get(pk=their_item).template_id != ChecklistItem.objects.get(pk=own_item).template_id
    customer1, engineer = Caller(a.user), Caller(world.engineer)

    def post(caller, inspection, item):
        url = reverse("inspection_record", kwargs={"pk": inspection.pk, "item_id": item})
        return url, {f"item-{item}-outcome": "fail", f"item-{item}-text": "越权巡检结果"}

    before = fingerprint()
    for inspection, item in ((own, their_item), (theirs, own_item), (theirs, their_item)):
        url, data = post(customer1, inspection, item)
        response = customer1.send("POST", url, data)
        assert response.status_code == 404, url
        assert not leaked(response, b), url
    for inspection, item in ((own, their_item), (theirs, own_item)):
        url, data = post(engineer, inspection, item)
        assert engineer.probe("POST", url, data).status_code == 404, url
    assert not (changed := changes_since(before)), "\n".join(changed)
    url, data = post(engineer, theirs, their_item)
    assert any(label.startswith("maintenance.inspectionresult:") for label in changes_made(engineer, "POST", url, data))


def test_the_owners_own_maintenance_and_parts_pages_show_nothing_internal(world):
    """customer2 reads their ticket's part requests (part, quantity, status, due date), their inspections, weekly
    plan, training and project record: none of it shows the parts keepers' side (notes, tracking, warehouses, the
    faulty part's serial, RMA cases) or the weekly report to headquarters."""
    b = world.b
    customer2 = Caller(b.user)
    internal = {
        b.warehouse.name,
        b.part_requests[0].note,
        b.part_requests[1].tracking_number,
        b.part_requests[2].tracking_number,
        *(rma.serial_number for rma in b.rma_cases),
        b.rma_cases[0].note,
        b.rma_cases[1].vendor_case_number,
        b.weekly_report.work_done,
        b.weekly_report.problems,
        b.weekly_report.next_week,
    }
    pages = {
        b.ticket_working.get_absolute_url(): b.catalogue_part.description,
        reverse("inspection_detail", args=[b.inspections[0].pk]): b.inspection_result.text,
        reverse("weekly_plan_detail", args=[b.weekly_plan.pk]): b.weekly_plan.content,
        reverse("training_detail", args=[b.training.pk]): b.training.topic,
        reverse("project_record", args=[b.project_contract.pk]): b.handover_document.name,
    }
    for url, own_text in pages.items():
        response = customer2.send("GET", url)
        assert response.status_code == 200, url
        assert own_text in body_of(response), url
        assert not internal & set(leaked(response, b)), (url, sorted(internal & set(leaked(response, b))))


def test_an_upload_that_rolls_back_keeps_the_previous_printed_sheet(world):
    b = world.b
    url = reverse("training_printed_sheet_upload", args=[b.training.pk])
    with transaction.atomic():
        Caller(world.engineer).send("POST", url, {"file": png("replacement-sheet.png")})
        transaction.set_rollback(True)
    response = Caller(b.user).send("GET", reverse("training_printed_sheet", args=[b.training.pk]))
    assert response.status_code == 200


# Every one-time link (its token is the permission): what answers a POST (the others are read-only, 405).
ONE_TIME_LINKS = {
    "sign_by_link": True,
    "change_approval_link": True,
    "quality_survey": True,
    "service_report_link": False,
    "service_report_link_pdf": False,
    "service_report_link_xlsx": False,
}


def test_an_unknown_one_time_link_is_not_found_for_anybody(world):
    callers = {"anonymous": Client(), "customer1": Caller(world.a.user).page, "staff": Caller(world.staff).page}
    with_token = {route.name for route in plain_routes() if "token" in route.params}
    assert with_token == set(ONE_TIME_LINKS)  # a new one-time link is added here
    before = fingerprint()
    for name, posts in ONE_TIME_LINKS.items():
        url = reverse(name, kwargs={"token": UNKNOWN_TOKEN})
        for who, client in callers.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                expected = 404 if method == "get" or posts else 405
                assert response.status_code == expected, (who, method, url)
                assert not leaked(response, world.b), (who, method, url)
    assert not changes_since(before)


def test_customer2s_one_time_links_give_customer1_the_one_sheet_or_change_and_nothing_else(world):
    """A one-time link's token is the permission (by design: the customer's contact signs or decides on their phone,
    without an account). Whoever holds B's tokens, customer1 included, sees the one task sheet or change they were
    sent for, exactly what an anonymous visitor sees, and no other of B's data; being signed in as another
    customer's user adds nothing, and the links open nothing else. Looking does not spend them."""
    b = world.b
    customer1, anonymous = Caller(world.a.user), Client()
    sheet, change = b.work_order_done, b.approval
    pages = {
        reverse("sign_by_link", kwargs={"token": b.sign_token}): (
            # what the customer signs: that one sheet's contents
            {b.customer.name, sheet.number, sheet.problem_description, sheet.resolution, sheet.address}
            | {sheet.contact_name, sheet.software_name, *(part.description for part in sheet.parts.all())},
            {sheet.number, sheet.problem_description},
        ),
        reverse("change_approval_link", kwargs={"token": b.approval_token}): (
            {b.customer.name, change.work_order.number, change.description},
            {change.work_order.number, change.description},
        ),
    }
    before = fingerprint()
    for url, (allowed, shown_at_least) in pages.items():
        as_customer1 = customer1.send("GET", url)
        as_anonymous = anonymous.get(url)
        assert (as_customer1.status_code, as_anonymous.status_code) == (200, 200), url
        shown = set(leaked(as_customer1, b))
        assert shown == set(leaked(as_anonymous, b)), url
        assert shown_at_least <= shown <= allowed, (url, sorted(shown - allowed))
    # The links opened nothing else of B's for customer1.
    elsewhere = [
        ("GET", sheet.get_absolute_url()),
        ("GET", reverse("work_order_pdf", args=[sheet.pk])),
        ("GET", change.work_order.get_absolute_url()),
        ("GET", b.ticket_working.get_absolute_url()),
        ("POST", reverse("change_approval_decide", args=[change.pk])),
    ]
    for method, url in elsewhere:
        data = payload("approval", change, world, b, api=False)
        assert customer1.send(method, url, data).status_code == 404, (method, url)
    assert not (changed := changes_since(before)), "\n".join(changed)


def test_the_owners_own_sheets_show_nothing_internal(world):
    """The owner reaches their sheets (the walk proves it); what they see there is the sheet, not the internal side
    of the job: internal notes and files, the lent password, the vendor's cases."""
    b = world.b
    customer2 = Caller(b.user)
    internal = {
        b.comment_internal.body,
        b.attachment_internal.name,
        b.credential_password,
        b.credential.address,
        b.vendor_case.case_number,
        b.vendor_case.contact_name,
    }
    for work_order in b.work_orders:
        for url in (work_order.get_absolute_url(), reverse("api:work-order-detail", args=[work_order.pk])):
            response = customer2.send("GET", url)
            assert response.status_code == 200, url
            assert work_order.number in body_of(response), url
            assert not internal & set(leaked(response, b)), (url, sorted(internal & set(leaked(response, b))))


def test_the_admin_and_its_pages_refuse_customer_users(world):
    customer1 = Caller(world.a.user)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        obj = next((o for objs in world.b.objects.values() for o in objs if isinstance(o, model)), None)
        if obj is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    before = fingerprint()
    for url in urls:
        for method in ("GET", "POST"):
            response = customer1.send(method, url, {"name": "越权"})
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], (method, url, response["Location"])
            else:
                assert response.status_code in (403, 404), (method, url, response.status_code)
            assert not leaked(response, world.b), url
    assert not (changed := changes_since(before)), "\n".join(changed)


def test_schema_and_docs_hold_no_tenant_data(world):
    customer1 = Caller(world.a.user)
    for url in (reverse("api:schema"), reverse("api:docs")):
        response = customer1.send("GET", url)
        assert response.status_code == 200, url
        assert not leaked(response, world.b), url
