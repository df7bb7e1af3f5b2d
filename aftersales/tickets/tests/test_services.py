"""The ticket services: intake, edits, assignment, comments, attachments and the main transitions."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.models import ServiceLevel
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import CustomerFactory, SiteFactory
from aftersales.tickets.choices import Channel, EventKind, Kind, Level, Status, Tier
from aftersales.tickets.models import Attachment, Comment, PriorityRule, Ticket, TicketEvent, TicketSequence
from aftersales.tickets.services import (
    attachment_add,
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_transition,
    ticket_update,
)
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
# A fixed day in the past, so the tests do not depend on today's date.
RECEIVED = dt.datetime(2026, 10, 1, 10, 0, tzinfo=BEIJING)
RESOLVE_ARGS = {"resolution": "更换电源模块", "resolution_method": "on_site"}


@pytest.fixture(autouse=True)
def _english():
    """Reasons and messages are compared in English."""
    with translation.override("en"):
        yield


def intake(*, actor, customer, **overrides) -> Ticket:
    values = {
        "actor": actor,
        "customer": customer,
        "title": "存储阵列告警",
        "description": "控制器A报硬盘故障。",
        "contact_name": "李四",
        "contact_phone": "+8613900139000",
        "kind": Kind.GENERAL_FAULT,
        "channel": Channel.PHONE,
        "received_at": RECEIVED,
    }
    values.update(overrides)
    return ticket_create(**values)


def in_force_on(day: dt.date, **fields):
    """A contract in force around `day`."""
    return ContractFactory(start_date=day - dt.timedelta(days=100), end_date=day + dt.timedelta(days=100), **fields)


def assert_nothing_saved():
    assert (Ticket.objects.count(), TicketEvent.objects.count(), TicketSequence.objects.count()) == (0, 0, 0)


# --- intake: numbering ---------------------------------------------------------------------------


def test_number_uses_the_beijing_date_of_receipt():
    agent, customer = UserFactory(role=Role.AGENT), CustomerFactory()

    late_evening = intake(actor=agent, customer=customer, received_at=dt.datetime(2026, 10, 1, 15, 30, tzinfo=UTC))
    after_midnight = intake(actor=agent, customer=customer, received_at=dt.datetime(2026, 10, 1, 16, 0, tzinfo=UTC))

    assert late_evening.number == "SR202610010001"
    assert after_midnight.number == "SR202610020001"


def test_numbers_count_up_within_a_day_and_start_again_the_next_day():
    agent, customer = UserFactory(role=Role.AGENT), CustomerFactory()
    day_one = dt.datetime(2026, 10, 1, 9, 0, tzinfo=BEIJING)
    day_two = dt.datetime(2026, 10, 2, 9, 0, tzinfo=BEIJING)

    numbers = [
        intake(actor=agent, customer=customer, received_at=moment).number
        for moment in (day_one, day_one, day_two, day_one)
    ]

    assert numbers == ["SR202610010001", "SR202610010002", "SR202610020001", "SR202610010003"]
    assert dict(TicketSequence.objects.values_list("day", "last")) == {
        dt.date(2026, 10, 1): 3,
        dt.date(2026, 10, 2): 1,
    }


def test_received_at_defaults_to_now():
    agent = UserFactory(role=Role.AGENT)
    before = timezone.now()

    ticket = intake(actor=agent, customer=CustomerFactory(), received_at=None)

    assert before <= ticket.received_at <= timezone.now()
    assert ticket.number.startswith(f"SR{timezone.localdate(ticket.received_at):%Y%m%d}")


# --- intake: entitlement and priority ------------------------------------------------------------


def test_contract_in_force_makes_the_request_warranty_and_sets_the_service_level():
    agent, site = UserFactory(role=Role.AGENT), SiteFactory()
    contract = in_force_on(RECEIVED.date(), customer=site.customer, number="HT-GOLD")

    ticket = intake(actor=agent, customer=site.customer, site=site)

    assert (ticket.entitlement, ticket.entitlement_reason) == ("warranty", "Contract HT-GOLD is in force.")
    assert (ticket.contract, ticket.service_level) == (contract, ServiceLevel.objects.get(code="gold"))


def test_asset_out_of_warranty_under_lifetime_maintenance_is_billable():
    agent = UserFactory(role=Role.AGENT)
    asset = AssetFactory(warranty_end=dt.date(2026, 9, 30))
    in_force_on(RECEIVED.date(), customer=asset.customer, number="HT-LIFE", lifetime_maintenance=True)

    ticket = intake(actor=agent, customer=asset.customer, site=asset.site, assets=[asset])

    assert (ticket.entitlement, ticket.entitlement_reason) == (
        "billable",
        "Warranty has ended; contract HT-LIFE covers paid maintenance.",
    )
    assert list(ticket.assets.all()) == [asset]


def test_customer_without_contract_gets_advice_only_with_the_reason():
    agent = UserFactory(role=Role.AGENT)

    ticket = intake(actor=agent, customer=CustomerFactory())

    assert (ticket.entitlement, ticket.entitlement_reason) == (
        "advice_only",
        "No contract in force covers this site on this day.",
    )
    assert (ticket.contract, ticket.service_level) == (None, None)


def test_migration_seeds_the_default_and_the_gold_matrix():
    default = {(r.urgency, r.impact): r.priority for r in PriorityRule.objects.filter(service_level=None)}
    gold = {(r.urgency, r.impact): r.priority for r in PriorityRule.objects.filter(service_level__code="gold")}

    assert default == {
        (1, 1): 1,
        (1, 2): 2,
        (1, 3): 3,
        (2, 1): 2,
        (2, 2): 3,
        (2, 3): 4,
        (3, 1): 3,
        (3, 2): 4,
        (3, 3): 4,
    }
    assert gold == {(1, 1): 1, (1, 2): 1, (1, 3): 2, (2, 1): 1, (2, 2): 2, (2, 3): 3, (3, 1): 2, (3, 2): 3, (3, 3): 3}


@pytest.mark.parametrize(
    ("urgency", "impact", "expected"),
    [
        (Level.HIGH, Level.HIGH, 1),
        (Level.HIGH, Level.LOW, 3),
        (Level.MEDIUM, Level.MEDIUM, 3),
        (Level.LOW, Level.LOW, 4),
    ],
)
def test_priority_comes_from_the_default_matrix_without_a_contract(urgency, impact, expected):
    agent = UserFactory(role=Role.AGENT)

    ticket = intake(actor=agent, customer=CustomerFactory(), urgency=urgency, impact=impact)

    assert ticket.priority == expected


@pytest.mark.parametrize(
    ("urgency", "impact", "expected"),
    [
        (Level.HIGH, Level.HIGH, 1),
        (Level.HIGH, Level.LOW, 2),
        (Level.MEDIUM, Level.MEDIUM, 2),
        (Level.LOW, Level.LOW, 3),
    ],
)
def test_priority_comes_from_the_gold_matrix_for_a_gold_contract(urgency, impact, expected):
    agent, customer = UserFactory(role=Role.AGENT), CustomerFactory()
    in_force_on(RECEIVED.date(), customer=customer, service_level=ServiceLevel.objects.get(code="gold"))

    ticket = intake(actor=agent, customer=customer, urgency=urgency, impact=impact)

    assert ticket.priority == expected


def test_an_edited_default_matrix_cell_is_used():
    agent = UserFactory(role=Role.AGENT)
    PriorityRule.objects.filter(service_level=None, urgency=3, impact=3).update(priority=2)

    ticket = intake(actor=agent, customer=CustomerFactory(), urgency=Level.LOW, impact=Level.LOW)

    assert ticket.priority == 2


def test_a_service_level_without_its_own_matrix_falls_back_to_the_default_matrix():
    agent, customer = UserFactory(role=Role.AGENT), CustomerFactory()
    in_force_on(RECEIVED.date(), customer=customer, service_level=ServiceLevel.objects.get(code="silver"))
    PriorityRule.objects.filter(service_level=None, urgency=2, impact=2).update(priority=1)

    ticket = intake(actor=agent, customer=customer)

    assert (ticket.service_level.code, ticket.priority) == ("silver", 1)


# --- intake: refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"title": ""}, "title"),
        ({"contact_phone": "not a phone"}, "contact_phone"),
        ({"urgency": 9}, "urgency"),
        ({"impact": "severe"}, "impact"),
    ],
)
def test_invalid_input_names_the_field_and_saves_nothing(override, field):
    agent = UserFactory(role=Role.AGENT)

    with pytest.raises(ValidationFailed) as refused:
        intake(actor=agent, customer=CustomerFactory(), **override)

    assert list(refused.value.detail) == [field]
    assert_nothing_saved()


def test_a_site_of_another_customer_is_refused():
    agent, customer = UserFactory(role=Role.AGENT), CustomerFactory()

    with pytest.raises(ValidationFailed) as refused:
        intake(actor=agent, customer=customer, site=SiteFactory())

    assert list(refused.value.detail) == ["site"]
    assert_nothing_saved()


def test_an_asset_of_another_customer_is_refused():
    agent, site = UserFactory(role=Role.AGENT), SiteFactory()

    with pytest.raises(ValidationFailed) as refused:
        intake(actor=agent, customer=site.customer, site=site, assets=[AssetFactory(site=site), AssetFactory()])

    assert list(refused.value.detail) == ["assets"]
    assert_nothing_saved()


def test_received_at_in_the_future_is_refused():
    agent = UserFactory(role=Role.AGENT)

    with pytest.raises(ValidationFailed) as refused:
        intake(actor=agent, customer=CustomerFactory(), received_at=timezone.now() + dt.timedelta(minutes=5))

    assert list(refused.value.detail) == ["received_at"]
    assert_nothing_saved()


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.QUALITY, Role.ARCHIVIST, Role.PARTS_KEEPER])
def test_staff_who_may_not_log_requests_are_refused(role):
    with pytest.raises(PermissionDenied):
        intake(actor=UserFactory(role=role), customer=CustomerFactory())

    assert_nothing_saved()


def test_customer_user_logs_for_own_customer_through_the_portal():
    customer = CustomerFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=customer)

    ticket = intake(actor=customer_user, customer=customer, channel=Channel.PHONE)

    assert (ticket.channel, ticket.created_by, ticket.customer) == ("portal", customer_user, customer)
    assert ticket.events.get().data["channel"] == "portal"


def test_customer_user_cannot_log_for_another_customer():
    customer_user = UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())

    with pytest.raises(NotFound):
        intake(actor=customer_user, customer=CustomerFactory())

    assert_nothing_saved()


def test_customer_user_cannot_backdate_a_request():
    customer = CustomerFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=customer)
    before = timezone.now()

    ticket = intake(actor=customer_user, customer=customer, received_at=before - dt.timedelta(days=3))

    assert before <= ticket.received_at <= timezone.now()


def test_inactive_customer_user_cannot_log_a_request():
    customer = CustomerFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=customer, is_active=False)

    with pytest.raises(NotFound):
        intake(actor=customer_user, customer=customer)

    assert_nothing_saved()


def test_intake_records_a_created_event():
    agent = UserFactory(role=Role.AGENT)
    before = timezone.now()

    ticket = intake(actor=agent, customer=CustomerFactory(), urgency=Level.HIGH, impact=Level.HIGH)

    event = TicketEvent.objects.get()
    assert (event.ticket, event.kind, event.actor, event.from_status, event.to_status) == (
        ticket,
        EventKind.CREATED,
        agent,
        "",
        Status.NEW,
    )
    assert event.data == {
        "channel": "phone",
        "entitlement": "advice_only",
        "priority": 1,
        "received_at": "2026-10-01T10:00:00+08:00",
    }
    assert before <= event.at <= timezone.now()
    assert (ticket.status, ticket.version, ticket.tier, ticket.assignee) == (Status.NEW, 1, Tier.L1, None)


# --- ticket_update -------------------------------------------------------------------------------


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def ticket(agent):
    return intake(actor=agent, customer=CustomerFactory(), urgency=Level.LOW, impact=Level.LOW)


def test_urgency_change_rederives_the_priority(agent, ticket):
    updated = ticket_update(actor=agent, ticket=ticket, version=1, urgency=Level.HIGH)

    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.impact, ticket.priority, ticket.version) == (1, 3, 3, 2)
    assert (updated.priority, updated.version) == (3, 2)
    event = ticket.events.get(kind=EventKind.UPDATED)
    assert (event.actor, event.data) == (agent, {"urgency": 1, "priority": 3})


def test_impact_change_uses_the_tickets_service_level_matrix(agent):
    customer = CustomerFactory()
    in_force_on(RECEIVED.date(), customer=customer, service_level=ServiceLevel.objects.get(code="gold"))
    gold_ticket = intake(actor=agent, customer=customer, urgency=Level.MEDIUM, impact=Level.LOW)

    ticket_update(actor=agent, ticket=gold_ticket, version=1, impact=Level.MEDIUM)

    gold_ticket.refresh_from_db()
    assert gold_ticket.priority == 2


def test_an_unchanged_priority_is_not_reported_as_changed(agent, ticket):
    ticket_update(actor=agent, ticket=ticket, version=1, impact=Level.MEDIUM)

    ticket.refresh_from_db()
    assert (ticket.impact, ticket.priority) == (2, 4)
    assert ticket.events.get(kind=EventKind.UPDATED).data == {"impact": 2}


def test_update_event_lists_only_the_changed_fields(agent, ticket):
    team = TeamFactory()

    ticket_update(actor=agent, ticket=ticket, version=1, title="阵列已离线", description=ticket.description, team=team)

    ticket.refresh_from_db()
    assert (ticket.title, ticket.team, ticket.version) == ("阵列已离线", team, 2)
    assert ticket.events.get(kind=EventKind.UPDATED).data == {"title": "阵列已离线", "team": team.pk}


def test_update_without_a_change_writes_nothing(agent, ticket):
    result = ticket_update(actor=agent, ticket=ticket, version=1, title=ticket.title)

    ticket.refresh_from_db()
    assert (result.version, ticket.version, ticket.events.filter(kind=EventKind.UPDATED).count()) == (1, 1, 0)


def test_update_refuses_fields_it_does_not_edit(agent, ticket):
    with pytest.raises(ValidationFailed) as refused:
        ticket_update(actor=agent, ticket=ticket, version=1, title="新标题", status=Status.CLOSED, priority=1)

    assert list(refused.value.detail) == ["priority", "status"]
    ticket.refresh_from_db()
    assert (ticket.title, ticket.status, ticket.priority, ticket.version) == ("存储阵列告警", Status.NEW, 4, 1)


def test_update_refuses_an_invalid_value_and_changes_nothing(agent, ticket):
    with pytest.raises(ValidationFailed) as refused:
        ticket_update(actor=agent, ticket=ticket, version=1, title="新标题", urgency="urgent")

    assert list(refused.value.detail) == ["urgency"]
    ticket.refresh_from_db()
    assert (ticket.title, ticket.urgency, ticket.version, ticket.events.count()) == ("存储阵列告警", 3, 1, 1)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ARCHIVED, Status.CANCELLED])
def test_update_refuses_closed_tickets(agent, status):
    closed = TicketFactory(status=status)

    with pytest.raises(InvalidTransition):
        ticket_update(actor=agent, ticket=closed, version=1, title="新标题")

    closed.refresh_from_db()
    assert (closed.title, closed.version) == ("服务器无法开机", 1)


def test_stale_version_is_a_conflict_and_changes_nothing(agent, ticket):
    ticket_update(actor=agent, ticket=ticket, version=1, title="第一次修改")

    with pytest.raises(Conflict) as refused:
        ticket_update(actor=agent, ticket=ticket, version=1, title="第二次修改", urgency=Level.HIGH)

    assert refused.value.detail == {"version": 2}
    ticket.refresh_from_db()
    assert (ticket.title, ticket.urgency, ticket.version) == ("第一次修改", 3, 2)
    assert ticket.events.filter(kind=EventKind.UPDATED).count() == 1


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.ARCHIVIST, Role.PARTS_KEEPER])
def test_update_needs_a_staff_role_that_handles_tickets(ticket, role):
    actor = UserFactory(role=role, customer=ticket.customer if role == Role.CUSTOMER else None)

    with pytest.raises(PermissionDenied):
        ticket_update(actor=actor, ticket=ticket, version=1, title="新标题")

    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("存储阵列告警", 1)


# --- ticket_assign -------------------------------------------------------------------------------


def test_dispatcher_assigns_a_new_ticket():
    dispatcher, engineer = UserFactory(role=Role.DISPATCHER), UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory()

    result = ticket_assign(actor=dispatcher, ticket=ticket, assignee=engineer, version=1, note="就近安排")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.version) == (Status.ASSIGNED, engineer, 2)
    assert result.version == 2
    event = ticket.events.get()
    assert (event.kind, event.actor, event.from_status, event.to_status, event.note) == (
        EventKind.ASSIGNED,
        dispatcher,
        Status.NEW,
        Status.ASSIGNED,
        "就近安排",
    )
    assert {key: event.data[key] for key in ("assignee", "team", "tier")} == {
        "assignee": engineer.pk,
        "team": None,
        "tier": "L1",
    }


def test_assignment_with_team_and_tier():
    dispatcher, expert, team = UserFactory(role=Role.DISPATCHER), UserFactory(role=Role.EXPERT), TeamFactory()
    ticket = TicketFactory(status=Status.IN_PROGRESS, assignee=UserFactory(role=Role.ENGINEER))

    ticket_assign(actor=dispatcher, ticket=ticket, assignee=expert, version=1, team=team, tier=Tier.L3)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.team, ticket.tier) == (Status.IN_PROGRESS, expert, team, "L3")
    event = ticket.events.get()
    assert (event.from_status, event.to_status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)
    assert {key: event.data[key] for key in ("assignee", "team", "tier")} == {
        "assignee": expert.pk,
        "team": team.pk,
        "tier": "L3",
    }


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.EXPERT, Role.QUALITY])
def test_only_dispatching_roles_assign(role):
    ticket = TicketFactory()

    with pytest.raises(PermissionDenied):
        ticket_assign(actor=UserFactory(role=role), ticket=ticket, assignee=UserFactory(role=Role.ENGINEER), version=1)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.version, ticket.events.count()) == (Status.NEW, None, 1, 0)


@pytest.mark.parametrize(
    "assignee",
    [
        pytest.param(lambda: UserFactory(role=Role.DISPATCHER), id="dispatcher"),
        pytest.param(lambda: UserFactory(role=Role.ENGINEER, is_active=False), id="inactive-engineer"),
        pytest.param(lambda: UserFactory(role=Role.CUSTOMER, customer=CustomerFactory()), id="customer"),
        pytest.param(lambda: None, id="nobody"),
    ],
)
def test_assignee_must_be_able_to_work_on_tickets(assignee):
    ticket = TicketFactory()

    with pytest.raises(ValidationFailed) as refused:
        ticket_assign(actor=UserFactory(role=Role.DISPATCHER), ticket=ticket, assignee=assignee(), version=1)

    assert list(refused.value.detail) == ["assignee"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.version) == (Status.NEW, None, 1)


def test_an_unknown_tier_is_refused():
    ticket = TicketFactory()

    with pytest.raises(ValidationFailed) as refused:
        ticket_assign(
            actor=UserFactory(role=Role.DISPATCHER),
            ticket=ticket,
            assignee=UserFactory(role=Role.ENGINEER),
            version=1,
            tier="L9",
        )

    assert list(refused.value.detail) == ["tier"]
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.version) == ("L1", None, 1)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
def test_finished_tickets_cannot_be_assigned(status):
    ticket = TicketFactory(status=status)

    with pytest.raises(InvalidTransition):
        ticket_assign(
            actor=UserFactory(role=Role.DISPATCHER), ticket=ticket, assignee=UserFactory(role=Role.ENGINEER), version=1
        )


def test_assignment_with_a_stale_version_is_a_conflict():
    ticket = TicketFactory(version=3)

    with pytest.raises(Conflict):
        ticket_assign(
            actor=UserFactory(role=Role.DISPATCHER), ticket=ticket, assignee=UserFactory(role=Role.ENGINEER), version=2
        )

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (None, 3)


# --- comment_add ---------------------------------------------------------------------------------


def test_customer_comments_are_always_public():
    ticket = TicketFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    comment = comment_add(actor=customer_user, ticket=ticket, body="  请尽快处理  ", is_public=False)

    assert (comment.body, comment.is_public, comment.author) == ("请尽快处理", True, customer_user)
    event = ticket.events.get()
    assert (event.kind, event.actor, event.at, event.data) == (
        EventKind.COMMENTED,
        customer_user,
        comment.created_at,
        {"comment": comment.pk, "public": True},
    )
    ticket.refresh_from_db()
    assert ticket.responded_at is None


def test_internal_notes_are_hidden_from_the_customer():
    ticket = TicketFactory()
    engineer = UserFactory(role=Role.ENGINEER)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    reply = comment_add(actor=engineer, ticket=ticket, body="已安排工程师上门。")
    note = comment_add(actor=engineer, ticket=ticket, body="怀疑是电源批次问题。", is_public=False)

    assert list(Comment.objects.visible_to(customer_user)) == [reply]
    assert list(Comment.objects.visible_to(engineer)) == [reply, note]


def test_first_public_staff_reply_is_the_response():
    ticket = TicketFactory()
    engineer = UserFactory(role=Role.ENGINEER)
    comment_add(actor=engineer, ticket=ticket, body="内部记录", is_public=False)
    ticket.refresh_from_db()
    assert ticket.responded_at is None

    first = comment_add(actor=engineer, ticket=ticket, body="您好，已收到。")
    comment_add(actor=UserFactory(role=Role.AGENT), ticket=ticket, body="补充说明。")

    ticket.refresh_from_db()
    assert ticket.responded_at == first.created_at


def test_empty_comment_is_refused():
    ticket = TicketFactory()

    with pytest.raises(ValidationFailed) as refused:
        comment_add(actor=UserFactory(role=Role.AGENT), ticket=ticket, body=" \n ")

    assert list(refused.value.detail) == ["body"]
    assert (Comment.objects.count(), ticket.events.count()) == (0, 0)


def test_customer_cannot_comment_on_another_customers_ticket():
    ticket = TicketFactory()

    with pytest.raises(NotFound):
        comment_add(actor=UserFactory(role=Role.CUSTOMER, customer=CustomerFactory()), ticket=ticket, body="你好")

    assert Comment.objects.count() == 0


def test_inactive_customer_user_cannot_comment():
    ticket = TicketFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer, is_active=False)

    with pytest.raises(NotFound):
        comment_add(actor=customer_user, ticket=ticket, body="你好")

    assert Comment.objects.count() == 0


def test_comment_is_refused_once_the_ticket_was_cancelled_meanwhile():
    ticket = TicketFactory()
    stale_copy = Ticket.objects.get(pk=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CANCELLED)

    with pytest.raises(InvalidTransition):
        comment_add(actor=UserFactory(role=Role.AGENT), ticket=stale_copy, body="你好")

    assert (Comment.objects.count(), ticket.events.count()) == (0, 0)


# --- attachment_add ------------------------------------------------------------------------------


def test_attachment_is_stored_with_its_type_and_size(settings):
    ticket = TicketFactory()
    engineer = UserFactory(role=Role.ENGINEER)
    upload = SimpleUploadedFile("巡检报告.pdf", b"%PDF-1.7 test", content_type="application/octet-stream")

    attachment = attachment_add(actor=engineer, ticket=ticket, upload=upload, is_public=False)

    attachment.refresh_from_db()
    assert (attachment.name, attachment.content_type, attachment.size, attachment.is_public) == (
        "巡检报告.pdf",
        "application/pdf",
        13,
        False,
    )
    assert attachment.file.name == f"tickets/{ticket.pk}/巡检报告.pdf"
    assert (settings.MEDIA_ROOT / attachment.file.name).read_bytes() == b"%PDF-1.7 test"
    event = ticket.events.get()
    assert (event.kind, event.actor, event.data) == (
        EventKind.ATTACHMENT_ADDED,
        engineer,
        {"attachment": attachment.pk, "name": "巡检报告.pdf", "public": False},
    )


def test_customer_attachments_are_always_public():
    ticket = TicketFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    attachment = attachment_add(
        actor=customer_user, ticket=ticket, upload=SimpleUploadedFile("photo.JPG", b"\xff\xd8\xff"), is_public=False
    )

    assert (attachment.is_public, attachment.content_type) == (True, "image/jpeg")


def test_attachment_of_exactly_the_limit_is_accepted_and_one_byte_more_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    ticket, agent = TicketFactory(), UserFactory(role=Role.AGENT)

    attachment_add(actor=agent, ticket=ticket, upload=SimpleUploadedFile("a.txt", b"x" * 10))
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(actor=agent, ticket=ticket, upload=SimpleUploadedFile("b.txt", b"x" * 11))

    assert list(refused.value.detail) == ["file"]
    assert list(Attachment.objects.values_list("name", flat=True)) == ["a.txt"]
    assert sorted(path.name for path in (settings.MEDIA_ROOT / "tickets" / str(ticket.pk)).iterdir()) == ["a.txt"]


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "image.svg", "no-extension"])
def test_attachment_of_a_refused_type_stores_nothing(settings, name):
    ticket = TicketFactory()

    with pytest.raises(ValidationFailed) as refused:
        attachment_add(actor=UserFactory(role=Role.AGENT), ticket=ticket, upload=SimpleUploadedFile(name, b"data"))

    assert list(refused.value.detail) == ["file"]
    assert (Attachment.objects.count(), ticket.events.count()) == (0, 0)
    assert not (settings.MEDIA_ROOT / "tickets").exists()


@pytest.mark.parametrize("status", [Status.ARCHIVED, Status.CANCELLED])
def test_attachment_is_refused_on_an_archived_or_cancelled_ticket(settings, status):
    ticket = TicketFactory(status=status)

    with pytest.raises(InvalidTransition):
        attachment_add(actor=UserFactory(role=Role.AGENT), ticket=ticket, upload=SimpleUploadedFile("a.txt", b"x"))

    assert (Attachment.objects.count(), ticket.events.count()) == (0, 0)
    assert not (settings.MEDIA_ROOT / "tickets").exists()


def test_customer_cannot_attach_to_another_customers_ticket():
    ticket = TicketFactory()

    with pytest.raises(NotFound):
        attachment_add(
            actor=UserFactory(role=Role.CUSTOMER, customer=CustomerFactory()),
            ticket=ticket,
            upload=SimpleUploadedFile("a.txt", b"x"),
        )

    assert Attachment.objects.count() == 0


# --- accept, resolve, reopen ---------------------------------------------------------------------


def test_accept_by_an_engineer_takes_an_unassigned_ticket_and_is_the_response():
    engineer = UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory()

    accepted = ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)

    event = ticket.events.get()
    assert (accepted.status, accepted.assignee, accepted.responded_at) == (Status.IN_PROGRESS, engineer, event.at)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.responded_at, ticket.version) == (
        Status.IN_PROGRESS,
        engineer,
        event.at,
        2,
    )


def test_accept_keeps_an_earlier_response_time():
    engineer = UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory(assignee=engineer, status=Status.ASSIGNED)
    reply = comment_add(actor=engineer, ticket=ticket, body="已收到，马上处理。")

    ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.responded_at) == (Status.IN_PROGRESS, reply.created_at)


def test_resolve_requires_resolution_and_method():
    engineer = UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory(assignee=engineer, status=Status.IN_PROGRESS)

    with pytest.raises(ValidationFailed) as refused:
        ticket_transition(actor=engineer, ticket=ticket, action="resolve", version=1, resolution="  ")

    assert sorted(refused.value.detail) == ["resolution", "resolution_method"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at, ticket.version, ticket.events.count()) == (
        Status.IN_PROGRESS,
        None,
        1,
        0,
    )


def test_resolve_refuses_an_unknown_method():
    engineer = UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory(assignee=engineer, status=Status.IN_PROGRESS)

    with pytest.raises(ValidationFailed) as refused:
        ticket_transition(
            actor=engineer, ticket=ticket, action="resolve", version=1, resolution="重启", resolution_method="magic"
        )

    assert list(refused.value.detail) == ["resolution_method"]


def test_resolve_records_how_it_was_solved():
    engineer = UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory(assignee=engineer, status=Status.IN_PROGRESS)

    ticket_transition(
        actor=engineer, ticket=ticket, action="resolve", version=1, root_cause=" 电源老化 ", **RESOLVE_ARGS
    )

    ticket.refresh_from_db()
    event = ticket.events.get()
    assert (ticket.status, ticket.resolution, ticket.resolution_method, ticket.root_cause, ticket.resolved_at) == (
        Status.RESOLVED,
        "更换电源模块",
        "on_site",
        "电源老化",
        event.at,
    )


def test_reopen_clears_the_resolution_times():
    engineer, agent = UserFactory(role=Role.ENGINEER), UserFactory(role=Role.AGENT)
    ticket = TicketFactory(assignee=engineer)
    ticket = ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)
    ticket = ticket_transition(actor=engineer, ticket=ticket, action="resolve", version=2, **RESOLVE_ARGS)
    ticket = ticket_transition(actor=agent, ticket=ticket, action="confirm", version=3)
    responded_at = ticket.responded_at

    ticket_transition(actor=agent, ticket=ticket, action="reopen", version=4, note="故障复现")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at, ticket.confirmed_at, ticket.responded_at, ticket.version) == (
        Status.IN_PROGRESS,
        None,
        None,
        responded_at,
        5,
    )
    assert ticket.events.last().note == "故障复现"


def test_an_engineer_may_log_only_what_an_inspection_found():
    from aftersales.tickets.services.intake import may_log

    engineer = UserFactory(role=Role.ENGINEER)
    assert may_log(engineer, Channel.INSPECTION) and not may_log(engineer, Channel.PHONE)
    assert not may_log(UserFactory(role=Role.ARCHIVIST), Channel.INSPECTION)
