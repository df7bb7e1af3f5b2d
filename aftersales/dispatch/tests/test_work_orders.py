"""Work-order services: dispatch, the lifecycle table, check-in meeting the arrival clock, completion,
signatures that close the sheet, one-time links, and orders that come back to the dispatcher."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone, translation

from aftersales.accounts.models import EngineerStatus
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.dispatch import transitions
from aftersales.dispatch.choices import ApprovalStatus, SignerRole, WorkOrderStatus
from aftersales.dispatch.models import ChangeApproval, SigningLink, WorkOrder
from aftersales.dispatch.services.links import token_hash
from aftersales.dispatch.services.signing import signing_link_send, work_order_sign, work_order_sign_by_link
from aftersales.dispatch.services.work_orders import (
    accept_deadline,
    part_add,
    return_unaccepted,
    work_log_add,
    work_order_act,
    work_order_check_in,
    work_order_complete,
    work_order_dispatch,
    work_order_update,
)
from aftersales.dispatch.tests.factories import (
    EngineerFactory,
    EngineerProfileFactory,
    WorkOrderFactory,
    signature_data_url,
)
from aftersales.notifications.models import Outbox
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.services import ticket_assign
from aftersales.tickets.services.common import record_event
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock, beijing, catastrophic_fault

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatcher():
    return UserFactory(role=Role.DISPATCHER)


@pytest.fixture
def engineer():
    return EngineerProfileFactory().user


@pytest.fixture
def ticket():
    site = SiteFactory(latitude="30.280000", longitude="120.160000")
    ticket = TicketFactory(customer=site.customer, site=site, status=Status.NEW, priority=1)  # P1: 2 h on site
    record_event(ticket=ticket, actor=ticket.created_by, kind=EventKind.CREATED, at=ticket.received_at)
    return ticket


def dispatched(ticket, dispatcher, engineer, kind="on_site"):
    return work_order_dispatch(
        actor=dispatcher, ticket=ticket, engineer=engineer, kind=kind, basis="合同 HT-1 故障报修"
    )


def fresh(work_order):
    return WorkOrder.objects.get(pk=work_order.pk)


def act(work_order, actor, action, note=""):
    return work_order_act(actor=actor, work_order=fresh(work_order), action=action, version=None, note=note)


def done(work_order, engineer):
    act(work_order, engineer, "accept")
    work_order_check_in(actor=engineer, work_order=fresh(work_order), version=None)
    return work_order_complete(actor=engineer, work_order=fresh(work_order), version=None, resolution="更换电源模块")


# --- dispatch -------------------------------------------------------------------------------------------------


def test_dispatch_creates_the_sheet_assigns_the_ticket_and_tells_the_engineer(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)

    ticket.refresh_from_db()
    assert work_order.number == f"WO{ticket.number.removeprefix('SR')}-1"
    assert (work_order.status, work_order.engineer, work_order.dispatcher) == ("dispatched", engineer, dispatcher)
    assert work_order.address == "浙江省杭州市西湖区文三路100号"
    assert work_order.problem_description == ticket.description
    assert (ticket.assignee, ticket.status, ticket.tier, ticket.on_site_required) == (engineer, "assigned", "L2", True)
    assert ticket.events.filter(kind=EventKind.WORK_ORDER, data__action="dispatched").count() == 1
    channels = set(Outbox.objects.filter(user_id=engineer.pk).values_list("channel", flat=True))
    assert channels == {"in_app", "sms"}


def test_dispatch_refuses_without_a_basis_or_permission_and_changes_nothing(ticket, dispatcher, engineer):
    with pytest.raises(ValidationFailed) as error:
        work_order_dispatch(actor=dispatcher, ticket=ticket, engineer=engineer, kind="on_site", basis=" ")
    assert "basis" in error.value.detail
    with pytest.raises(PermissionDenied):
        work_order_dispatch(actor=engineer, ticket=ticket, engineer=engineer, kind="on_site", basis="x")
    with pytest.raises(ValidationFailed) as error:
        work_order_dispatch(actor=dispatcher, ticket=ticket, engineer=dispatcher, kind="on_site", basis="x")
    assert "engineer" in error.value.detail
    assert WorkOrder.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_sending_someone_on_site_to_the_tickets_own_engineer_is_on_the_timeline_and_starts_the_arrival_clock(
    monkeypatch, settings, dispatcher, engineer
):
    settings.AFTERSALES_ACCEPT_WINDOW_MINUTES = 180
    clock = FrozenClock(monkeypatch, beijing(3, 2, 9, 0))
    ticket = catastrophic_fault(dispatcher, on_site=False)  # P1: on site within 2 hours, once someone must go
    ticket = ticket_assign(actor=dispatcher, ticket=ticket, assignee=engineer, version=None)
    clock.set(beijing(3, 2, 9, 10))

    work_order = dispatched(ticket, dispatcher, engineer)

    ticket.refresh_from_db()
    assert ticket.on_site_required is True
    updates = ticket.events.filter(kind=EventKind.UPDATED).values_list("actor", "data")
    assert list(updates) == [(dispatcher.pk, {"on_site_required": True})]
    arrival = next(row for row in ticket.sla_clocks if row["clock"] == "arrival")
    assert (arrival["counting"], dt.datetime.fromisoformat(arrival["due_at"])) == (True, beijing(3, 2, 11, 0))
    assert work_order.accept_by == beijing(3, 2, 10, 5)  # halfway to the arrival target, inside the 3-hour window


def test_a_second_open_order_for_the_same_engineer_and_ticket_is_refused(ticket, dispatcher, engineer):
    dispatched(ticket, dispatcher, engineer)
    with pytest.raises(ValidationFailed):
        dispatched(ticket, dispatcher, engineer)


def test_accept_deadline_is_the_window_or_halfway_to_the_arrival_target(ticket, settings):
    settings.AFTERSALES_ACCEPT_WINDOW_MINUTES = 15
    now = timezone.now()
    assert accept_deadline(ticket, now) == now + dt.timedelta(minutes=15)
    due = now + dt.timedelta(minutes=20)
    ticket.sla_clocks = [{"clock": "arrival", "counting": True, "due_at": due.isoformat()}]
    assert accept_deadline(ticket, now) == now + dt.timedelta(minutes=10)
    ticket.sla_clocks = [{"clock": "arrival", "counting": True, "due_at": (now - dt.timedelta(hours=1)).isoformat()}]
    assert accept_deadline(ticket, now) == now + dt.timedelta(minutes=2)


# --- the lifecycle table ---------------------------------------------------------------------------------------

SIMPLE_ACTIONS = ("accept", "decline", "set_off", "start_remote", "resume", "cancel", "archive")


@pytest.mark.parametrize(
    ("kind", "status", "action"), list(itertools.product(("on_site", "remote"), WorkOrderStatus.values, SIMPLE_ACTIONS))
)
def test_every_status_and_action_follows_the_table(kind, status, action):
    work_order = WorkOrderFactory(kind=kind, status=status)
    row = transitions.find(action, status=status, kind=kind)
    actor = {
        transitions.ENGINEER: work_order.engineer,
        transitions.DISPATCHER: work_order.dispatcher,
        transitions.ARCHIVIST: UserFactory(role=Role.ARCHIVIST),
    }[row.actor if row else transitions.ENGINEER]
    if row is None:
        with pytest.raises(InvalidTransition):
            act(work_order, actor, action, note="原因")
        assert fresh(work_order).status == status
    else:
        act(work_order, actor, action, note="原因")
        assert fresh(work_order).status == row.target


def test_only_the_orders_own_engineer_accepts_it(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    for someone in (EngineerFactory(), dispatcher, UserFactory(role=Role.CUSTOMER, customer=ticket.customer)):
        with pytest.raises(PermissionDenied):
            act(work_order, someone, "accept")
    assert fresh(work_order).status == "dispatched"


def test_a_declined_order_needs_a_reason_and_returns_to_the_dispatcher(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    with pytest.raises(ValidationFailed):
        act(work_order, engineer, "decline")

    act(work_order, engineer, "decline", note="在外地，无法到场")

    work_order = fresh(work_order)
    assert (work_order.status, work_order.decline_reason) == ("declined", "在外地，无法到场")
    told = Outbox.objects.filter(user_id=dispatcher.pk, key__contains=":declined:")
    assert set(told.values_list("channel", flat=True)) == {"in_app", "sms"} - (
        {"sms"} if not dispatcher.phone else set()
    )
    assert "在外地，无法到场" in told.get(channel="in_app").body
    # the engineer is free again to be sent: a new order for the same ticket and engineer is allowed
    assert dispatched(ticket, dispatcher, engineer).number.endswith("-2")


def test_an_order_nobody_accepts_in_time_comes_back_to_the_dispatcher(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    assert return_unaccepted(now=work_order.accept_by - dt.timedelta(seconds=1)) == 0

    assert return_unaccepted(now=work_order.accept_by) == 1

    work_order = fresh(work_order)
    assert work_order.status == "declined"
    assert work_order.events.filter(to_status="declined", actor__username="aftersales-system").exists()
    assert Outbox.objects.filter(user_id=dispatcher.pk, key__contains=":expired:", channel="in_app").exists()
    assert return_unaccepted(now=work_order.accept_by + dt.timedelta(hours=1)) == 0


def test_an_accepted_order_does_not_come_back(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    act(work_order, engineer, "accept")
    assert return_unaccepted(now=work_order.accept_by + dt.timedelta(minutes=1)) == 0


# --- on site ----------------------------------------------------------------------------------------------------


def test_check_in_records_time_and_position_and_meets_the_arrival_clock(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    act(work_order, engineer, "accept")
    act(work_order, engineer, "set_off")
    assert engineer.engineer.__class__.objects.get(user=engineer).status == EngineerStatus.TRAVELLING

    work_order_check_in(
        actor=engineer,
        work_order=fresh(work_order),
        version=None,
        latitude="30.2801",
        longitude="120.1602",
        accuracy_m="12.5",
    )

    work_order, ticket = fresh(work_order), ticket.__class__.objects.get(pk=ticket.pk)
    assert work_order.status == "on_site"
    assert (str(work_order.check_in_latitude), str(work_order.check_in_longitude)) == ("30.280100", "120.160200")
    assert work_order.check_in_accuracy_m == 12
    assert ticket.arrived_at == work_order.started_at
    assert ticket.events.filter(kind=EventKind.ARRIVED).count() == 1
    arrival = next(row for row in ticket.sla_clocks if row["clock"] == "arrival")
    assert arrival["status"] == "met"
    profile = engineer.engineer.__class__.objects.get(user=engineer)
    assert (profile.status, str(profile.last_latitude)) == (EngineerStatus.ON_SITE, "30.280100")


def test_check_in_without_position_is_fine_but_half_a_position_is_refused(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    act(work_order, engineer, "accept")
    with pytest.raises(ValidationFailed):
        work_order_check_in(actor=engineer, work_order=fresh(work_order), version=None, latitude="30.1")
    with pytest.raises(ValidationFailed):
        work_order_check_in(actor=engineer, work_order=fresh(work_order), version=None, latitude="91", longitude="1")
    assert fresh(work_order).status == "accepted"
    work_order_check_in(actor=engineer, work_order=fresh(work_order), version=None)
    assert fresh(work_order).check_in_latitude is None


@pytest.mark.parametrize("latitude, longitude", [("NaN", "120.1"), ("30.1", "nan"), (float("nan"), 120.1)])
def test_a_position_that_is_not_a_number_is_refused_like_any_bad_position(
    ticket, dispatcher, engineer, latitude, longitude
):
    work_order = dispatched(ticket, dispatcher, engineer)
    act(work_order, engineer, "accept")

    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        work_order_check_in(
            actor=engineer, work_order=fresh(work_order), version=None, latitude=latitude, longitude=longitude
        )

    assert refused.value.detail == {"position": ["The position sent by the phone is not valid."]}
    assert fresh(work_order).status == "accepted"


def test_complete_needs_a_resolution_and_no_pending_change_approval(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    act(work_order, engineer, "accept")
    work_order_check_in(actor=engineer, work_order=fresh(work_order), version=None)
    work_log_add(actor=engineer, work_order=fresh(work_order), text="检查电源", hours="1.5")
    work_log_add(actor=engineer, work_order=fresh(work_order), text="更换电源模块", hours="0.75")
    with pytest.raises(ValidationFailed):
        work_order_complete(actor=engineer, work_order=fresh(work_order), version=None, resolution=" ")
    approval = ChangeApproval.objects.create(
        work_order=work_order, description="修改 BIOS 参数", requested_by=engineer, requested_at=timezone.now()
    )
    with pytest.raises(InvalidTransition):
        work_order_complete(actor=engineer, work_order=fresh(work_order), version=None, resolution="已修复")

    approval.status = ApprovalStatus.REJECTED
    approval.save()
    work_order_complete(actor=engineer, work_order=fresh(work_order), version=None, resolution="已修复")

    work_order = fresh(work_order)
    assert (work_order.status, work_order.resolution, str(work_order.labour_hours)) == ("work_done", "已修复", "2.25")


def test_a_stale_version_is_refused(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    with pytest.raises(Exception) as error:
        work_order_act(actor=engineer, work_order=work_order, action="accept", version=work_order.version + 1)
    assert getattr(error.value, "code", "") == "conflict"


# --- signatures -------------------------------------------------------------------------------------------------


def test_the_engineer_signs_first_then_the_customer_closes_the_sheet(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    with pytest.raises(InvalidTransition):
        work_order_sign(
            actor=engineer,
            work_order=fresh(work_order),
            role=SignerRole.CUSTOMER,
            signer_name="张三",
            signature=signature_data_url(),
        )
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )

    signed = work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.CUSTOMER,
        signer_name="张三",
        signature=signature_data_url(),
    )

    work_order = fresh(work_order)
    assert work_order.status == "signed"
    assert (signed.signer_name, signed.via, signed.user) == ("张三", "pad", engineer)
    assert bytes(signed.image_png).startswith(b"\x89PNG")


def test_a_dispatcher_cannot_draw_the_customers_signature_but_may_send_the_link(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )
    before = fresh(work_order)

    with pytest.raises(PermissionDenied):
        work_order_sign(
            actor=dispatcher,
            work_order=fresh(work_order),
            role=SignerRole.CUSTOMER,
            signer_name="张三",
            signature=signature_data_url(),
        )

    after = fresh(work_order)
    assert (after.status, after.version) == (before.status, before.version) == ("work_done", before.version)
    assert list(after.signatures.values_list("role", flat=True)) == [SignerRole.ENGINEER]
    assert signing_link_send(actor=dispatcher, work_order=after, send_to="13800138000")


def test_a_blank_or_forged_signature_is_refused(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    for bad in ("", "data:image/png;base64,AAAA", "data:image/svg+xml;base64,PHN2Zz4=", "data:image/png;base64,%%%"):
        with pytest.raises(ValidationFailed):
            work_order_sign(
                actor=engineer,
                work_order=fresh(work_order),
                role=SignerRole.ENGINEER,
                signer_name="程工",
                signature=bad,
            )
    assert not fresh(work_order).signatures.exists()


def test_a_signed_sheet_refuses_every_edit(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    for role, name in ((SignerRole.ENGINEER, "程工"), (SignerRole.CUSTOMER, "张三")):
        work_order_sign(
            actor=engineer, work_order=fresh(work_order), role=role, signer_name=name, signature=signature_data_url()
        )
    before = fresh(work_order)

    with pytest.raises(InvalidTransition):
        work_order_update(actor=engineer, work_order=fresh(work_order), version=None, resolution="改写")
    with pytest.raises(InvalidTransition):
        work_order_update(actor=dispatcher, work_order=fresh(work_order), version=None, labour_hours=9)
    with pytest.raises(InvalidTransition):
        work_log_add(actor=engineer, work_order=fresh(work_order), text="补记", hours=1)
    with pytest.raises(InvalidTransition):
        part_add(actor=engineer, work_order=fresh(work_order), description="内存条")
    with pytest.raises(InvalidTransition):
        work_order_sign(
            actor=engineer,
            work_order=fresh(work_order),
            role=SignerRole.CUSTOMER,
            signer_name="李四",
            signature=signature_data_url(),
        )
    with pytest.raises(InvalidTransition):
        act(work_order, engineer, "resume")

    after = fresh(work_order)
    assert (after.resolution, after.labour_hours, after.version) == (
        before.resolution,
        before.labour_hours,
        before.version,
    )
    assert (after.log.count(), after.parts.count(), after.signatures.count()) == (0, 0, 2)


def test_signing_and_archiving_render_the_pdf_in_the_background(
    ticket, dispatcher, engineer, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        work_order_sign(
            actor=engineer,
            work_order=fresh(work_order),
            role=SignerRole.CUSTOMER,
            signer_name="张三",
            signature=signature_data_url(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        act(work_order, UserFactory(role=Role.ARCHIVIST), "archive")

    rendering = DBTaskResult.objects.filter(task_path="aftersales.dispatch.tasks.render_work_order_pdf")
    assert [row.args_kwargs["args"] for row in rendering] == [[work_order.pk], [work_order.pk]]
    work_order = fresh(work_order)
    assert work_order.status == "archived" and work_order.archived_by.role == Role.ARCHIVIST


def test_the_one_time_link_signs_once_and_expires(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    with pytest.raises(InvalidTransition):  # the engineer has not signed yet
        signing_link_send(actor=engineer, work_order=fresh(work_order), send_to="13800138000")
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )
    with pytest.raises(ValidationFailed):
        signing_link_send(actor=engineer, work_order=fresh(work_order), send_to="not a phone")
    expired = signing_link_send(actor=engineer, work_order=fresh(work_order), send_to="13800138000")
    SigningLink.objects.filter(token_hash=token_hash(expired)).update(expires_at=timezone.now())
    with pytest.raises(ValidationFailed):  # not one of the customer's people: the link is their permission
        signing_link_send(actor=engineer, work_order=fresh(work_order), send_to="me@example.com")
    ContactFactory(customer=ticket.customer, email="zhang@example.com")
    token = signing_link_send(actor=engineer, work_order=fresh(work_order), send_to="Zhang@example.com")

    sms = Outbox.objects.get(channel="sms", key__contains="signing_link")
    assert sms.recipient == "+8613800138000" and work_order.number in sms.body
    assert not SigningLink.objects.filter(token_hash=expired).exists()  # only hashes are stored
    with pytest.raises(InvalidTransition):
        work_order_sign_by_link(token=expired, signer_name="张三", signature=signature_data_url())
    with pytest.raises(NotFound):
        work_order_sign_by_link(token="guess", signer_name="张三", signature=signature_data_url())

    signed = work_order_sign_by_link(
        token=token, signer_name="张三", signature=signature_data_url(), ip_address="10.0.0.8"
    )

    assert (signed.via, signed.ip_address, fresh(work_order).status) == ("link", "10.0.0.8", "signed")
    with pytest.raises(InvalidTransition):
        work_order_sign_by_link(token=token, signer_name="张三", signature=signature_data_url())


def test_going_back_to_work_withdraws_the_engineers_signature(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )

    act(work_order, engineer, "resume")

    work_order = fresh(work_order)
    assert (work_order.status, work_order.ended_at, work_order.signatures.count()) == ("on_site", None, 0)
    assert work_order.events.filter(kind="signed", data__role="engineer").exists()


def test_going_back_to_work_spends_the_signing_links_sent_for_the_sheet_as_it_was(ticket, dispatcher, engineer):
    work_order = dispatched(ticket, dispatcher, engineer)
    done(work_order, engineer)
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )
    old_token = signing_link_send(actor=engineer, work_order=fresh(work_order), send_to="13800138000")

    act(work_order, engineer, "resume")
    work_order_complete(actor=engineer, work_order=fresh(work_order), version=None, resolution="更换电源模块和风扇")
    work_order_sign(
        actor=engineer,
        work_order=fresh(work_order),
        role=SignerRole.ENGINEER,
        signer_name="程工",
        signature=signature_data_url(),
    )

    with pytest.raises(InvalidTransition):
        work_order_sign_by_link(token=old_token, signer_name="张三", signature=signature_data_url())
    assert fresh(work_order).status == "work_done"
    assert list(fresh(work_order).signatures.values_list("role", flat=True)) == [SignerRole.ENGINEER]


def test_the_engineers_status_follows_their_open_orders(ticket, dispatcher, engineer):
    from aftersales.accounts.models import EngineerProfile

    def status():
        return EngineerProfile.objects.get(user=engineer).status

    first = dispatched(ticket, dispatcher, engineer)
    second = dispatched(TicketFactory(customer=ticket.customer, status=Status.NEW), dispatcher, engineer)
    act(first, engineer, "accept")
    act(first, engineer, "set_off")
    assert status() == EngineerStatus.TRAVELLING
    work_order_check_in(actor=engineer, work_order=fresh(first), version=None)
    act(second, engineer, "accept")
    act(second, engineer, "set_off")
    assert status() == EngineerStatus.ON_SITE  # on site at the first, the second still ahead

    work_order_complete(actor=engineer, work_order=fresh(first), version=None, resolution="已修复")
    assert status() == EngineerStatus.TRAVELLING  # on to the second job
    act(second, dispatcher, "cancel", note="客户取消")
    assert status() == EngineerStatus.AVAILABLE


def test_customers_do_not_see_declined_orders(ticket, dispatcher, engineer):
    declined = dispatched(ticket, dispatcher, engineer)
    act(declined, engineer, "decline", note="在外地")
    sent = dispatched(ticket, dispatcher, EngineerProfileFactory().user)
    customer = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    assert list(WorkOrder.objects.visible_to(customer)) == [sent]
    assert set(WorkOrder.objects.visible_to(dispatcher)) == {declined, sent}
