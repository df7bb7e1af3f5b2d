"""Change approvals: the engineer asks before changing the customer's equipment; the customer decides in the portal
or through a one-time link; the work order cannot be completed while a change waits."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.dispatch.choices import ApprovalStatus, WorkOrderEventKind, WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import ChangeApproval, SigningLink, WorkOrderEvent
from aftersales.dispatch.services.remote import (
    change_approval_decide,
    change_approval_request,
    pending_change_approvals,
)
from aftersales.dispatch.tests.factories import EngineerFactory, WorkOrderFactory
from aftersales.notifications.models import Outbox

ENGLISH = {"accept-language": "en"}
pytestmark = pytest.mark.django_db

CHANGE = "将存储控制器A的固件从 V3.1 升级到 V3.2；风险：控制器重启约5分钟；回退：刷回 V3.1。"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def work_order():
    return WorkOrderFactory(kind=WorkOrderKind.ON_SITE, status=WorkOrderStatus.ON_SITE)


def customer_user(customer):
    return UserFactory(role=Role.CUSTOMER, customer=customer, first_name="娜", last_name="李")


def ask(work_order, **overrides):
    values = {"actor": work_order.engineer, "work_order": work_order, "description": CHANGE}
    values.update(overrides)
    return change_approval_request(**values)


def link_url(token: str) -> str:
    return reverse("change_approval_link", args=[token])


# --- asking ----------------------------------------------------------------------------------------------------


def test_asking_creates_a_pending_approval_that_holds_the_work_order(work_order):
    approval, token = ask(work_order)

    assert (approval.status, approval.requested_by, approval.description, token) == (
        ApprovalStatus.PENDING,
        work_order.engineer,
        CHANGE,
        None,
    )
    assert pending_change_approvals(work_order) is True
    event = WorkOrderEvent.objects.get(work_order=work_order)
    assert (event.kind, event.data) == (WorkOrderEventKind.CHANGE_REQUESTED, {"approval": approval.pk, "link_via": ""})


def test_no_pending_approval_means_the_work_order_may_proceed(work_order):
    assert pending_change_approvals(work_order) is False


def test_the_customers_users_are_told_in_the_portal(work_order):
    mine, theirs = customer_user(work_order.customer), customer_user(CustomerFactory())

    approval, _token = ask(work_order)

    notices = list(Outbox.objects.values_list("key", "channel", "user"))
    assert notices == [(f"change_approval:{approval.pk}:requested:user:{mine.pk}", "in_app", mine.pk)]
    assert theirs.pk not in [user for *_rest, user in notices]


def test_a_link_by_sms_carries_the_one_time_url(work_order, settings):
    settings.AFTERSALES_BASE_URL = "https://service.example.cn"

    approval, token = ask(work_order, send_to="138 0013 8000")

    message = Outbox.objects.get(channel="sms")
    assert (message.recipient, message.url) == ("+8613800138000", f"https://service.example.cn/approve/{token}/")
    link = SigningLink.objects.get()
    assert (link.purpose, link.approval, link.sent_to) == ("approve", approval, "+8613800138000")
    assert token not in link.token_hash


def test_a_link_by_email(work_order):
    ContactFactory(customer=work_order.customer, email="wang@gjj.example.cn")
    _approval, token = ask(work_order, send_to="wang@gjj.example.cn")

    message = Outbox.objects.get(channel="email")
    assert (message.recipient, message.url.endswith(link_url(token))) == ("wang@gjj.example.cn", True)


@pytest.mark.parametrize(("field", "value"), [("description", "  "), ("send_to", "not a number")])
def test_asking_refuses_invalid_input_and_saves_nothing(work_order, field, value):
    with pytest.raises(ValidationFailed) as refused:
        ask(work_order, **{field: value})

    assert list(refused.value.detail) == [field]
    assert (ChangeApproval.objects.count(), SigningLink.objects.count(), Outbox.objects.count()) == (0, 0, 0)


def test_only_the_orders_engineer_may_ask(work_order):
    with pytest.raises(PermissionDenied):
        ask(work_order, actor=EngineerFactory())

    assert ChangeApproval.objects.count() == 0


def test_asking_is_only_possible_while_working(work_order):
    work_order.status = WorkOrderStatus.ACCEPTED
    work_order.save()

    with pytest.raises(InvalidTransition):
        ask(work_order)

    assert ChangeApproval.objects.count() == 0


# --- deciding in the portal ------------------------------------------------------------------------------------


def test_a_user_of_the_customer_approves_in_the_portal(client, work_order):
    approval, _token = ask(work_order)
    customer = customer_user(work_order.customer)
    client.force_login(customer)

    response = client.post(reverse("change_approval_decide", args=[approval.pk]), {"decision": "approve"})

    assert response.status_code == 302
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.decided_by_name) == (
        ApprovalStatus.APPROVED,
        customer,
        "李娜",
    )
    assert pending_change_approvals(work_order) is False
    event = WorkOrderEvent.objects.get(kind=WorkOrderEventKind.CHANGE_DECIDED)
    assert (event.actor, event.data["status"], event.data["via"]) == (customer, "approved", "portal")
    notice = Outbox.objects.get(key=f"change_approval:{approval.pk}:decided:user:{work_order.engineer_id}")
    assert notice.channel == "in_app"


def test_a_user_of_another_customer_cannot_see_or_decide(client, work_order):
    approval, _token = ask(work_order)
    client.force_login(customer_user(CustomerFactory()))

    response = client.post(reverse("change_approval_decide", args=[approval.pk]), {"decision": "approve"})

    assert response.status_code == 404
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER, Role.ENGINEER])
def test_staff_cannot_approve_for_the_customer(work_order, role):
    approval, _token = ask(work_order)

    with pytest.raises(PermissionDenied):
        change_approval_decide(approval=approval, approve=True, decided_by_name="张三", user=UserFactory(role=role))

    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_an_approval_is_decided_once(work_order):
    approval, _token = ask(work_order)
    customer = customer_user(work_order.customer)
    change_approval_decide(approval=approval, approve=True, decided_by_name="李娜", user=customer)

    with pytest.raises(InvalidTransition):
        change_approval_decide(approval=approval, approve=False, decided_by_name="李娜", note="改主意", user=customer)

    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


# --- deciding through the one-time link ------------------------------------------------------------------------


def test_the_link_page_shows_the_change_without_login(client, work_order):
    _approval, token = ask(work_order, send_to="13800138000")

    response = client.get(link_url(token))

    assert response.status_code == 200
    assert CHANGE in response.text
    assert work_order.number in response.text
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_link_approves_once(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")

    response = client.post(link_url(token), {"decision": "approve", "decided_by_name": "王工"})

    assert response.status_code == 200
    assert 'data-testid="link-decided"' in response.text
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.decided_by_name) == (ApprovalStatus.APPROVED, None, "王工")
    assert SigningLink.objects.get().used_at is not None
    event = WorkOrderEvent.objects.get(kind=WorkOrderEventKind.CHANGE_DECIDED)
    assert (event.actor, event.data["via"], event.data["decided_by_name"]) == (None, "link", "王工")


def test_a_used_link_is_refused_without_showing_the_change(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")
    client.post(link_url(token), {"decision": "approve", "decided_by_name": "王工"})

    page = client.get(link_url(token))
    again = client.post(link_url(token), {"decision": "reject", "decided_by_name": "王工", "note": "不同意"})

    assert (page.status_code, again.status_code) == (410, 410)
    assert CHANGE not in page.text and CHANGE not in again.text
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


def test_an_expired_link_is_refused(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")
    SigningLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    page = client.get(link_url(token), headers=ENGLISH)
    posted = client.post(link_url(token), {"decision": "approve", "decided_by_name": "王工"})

    assert (page.status_code, posted.status_code) == (410, 410)
    assert "This link has expired." in page.text
    assert CHANGE not in page.text
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_an_unknown_link_is_not_found(client, work_order):
    ask(work_order, send_to="13800138000")

    response = client.get(link_url("not-a-token"))

    assert response.status_code == 404
    assert CHANGE not in response.text


def test_a_link_for_a_change_decided_in_the_portal_is_gone(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")
    change_approval_decide(
        approval=approval, approve=True, decided_by_name="李娜", user=customer_user(work_order.customer)
    )

    response = client.get(link_url(token))

    assert response.status_code == 410
    assert CHANGE not in response.text


def test_rejecting_without_a_reason_is_refused(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")

    response = client.post(
        link_url(token), {"decision": "reject", "decided_by_name": "王工", "note": ""}, headers=ENGLISH
    )

    assert response.status_code == 200
    assert "Say why the change is rejected." in response.text
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert SigningLink.objects.get().used_at is None
    assert WorkOrderEvent.objects.filter(kind=WorkOrderEventKind.CHANGE_DECIDED).count() == 0


def test_the_link_needs_the_name_of_the_person_deciding(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")

    response = client.post(link_url(token), {"decision": "approve", "decided_by_name": ""}, headers=ENGLISH)

    assert "Enter your name." in response.text
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_a_rejection_is_recorded_and_the_engineer_told(client, work_order):
    approval, token = ask(work_order, send_to="13800138000")

    client.post(link_url(token), {"decision": "reject", "decided_by_name": "王工", "note": "业务高峰期，周末再做"})

    approval.refresh_from_db()
    assert (approval.status, approval.decision_note, approval.decided_by_name) == (
        ApprovalStatus.REJECTED,
        "业务高峰期，周末再做",
        "王工",
    )
    assert approval.decided_at is not None
    assert pending_change_approvals(work_order) is False
    event = WorkOrderEvent.objects.get(kind=WorkOrderEventKind.CHANGE_DECIDED)
    assert (event.note, event.data["status"]) == ("业务高峰期，周末再做", "rejected")
    notice = Outbox.objects.get(key=f"change_approval:{approval.pk}:decided:user:{work_order.engineer_id}")
    assert "业务高峰期，周末再做" in notice.body


def test_a_rejection_in_the_portal_needs_a_reason(work_order):
    approval, _token = ask(work_order)

    with pytest.raises(ValidationFailed) as refused:
        change_approval_decide(
            approval=approval, approve=False, decided_by_name="李娜", user=customer_user(work_order.customer)
        )

    assert list(refused.value.detail) == ["note"]
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_a_link_goes_only_to_the_customers_people_on_record(work_order):
    with pytest.raises(ValidationFailed) as refused:
        ask(work_order, send_to="engineer.self@example.com")
    assert list(refused.value.detail) == ["send_to"]
    with pytest.raises(ValidationFailed):
        ask(work_order, send_to="13912345678")
    assert (ChangeApproval.objects.count(), SigningLink.objects.count()) == (0, 0)
