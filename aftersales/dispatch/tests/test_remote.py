"""Remote access a customer lends: stored encrypted, revealed only to the people on the job with a reason (audited),
hidden from customers, and marked to be changed when the remote job is done."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.dispatch.choices import WorkOrderEventKind, WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import CredentialReveal, RemoteCredential, WorkOrderEvent
from aftersales.dispatch.services.remote import (
    credential_lend,
    credential_mark_rotated,
    credential_reveal,
    credentials_mark_for_rotation,
)
from aftersales.dispatch.tests.factories import EngineerFactory, WorkOrderFactory
from aftersales.dispatch.views.remote import remote_context
from aftersales.notifications.models import Outbox
from aftersales.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Oracle#2026!rac"


@pytest.fixture(autouse=True)
def _english():
    """Reasons and messages are compared in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def work_order():
    return WorkOrderFactory(kind=WorkOrderKind.REMOTE, status=WorkOrderStatus.WORKING_REMOTELY)


def lend(order, *, actor=None, **overrides):
    values = {
        "actor": actor or order.engineer,
        "ticket": order.ticket,
        "work_order": order,
        "system": "公积金核心数据库 (Oracle RAC)",
        "address": "10.1.2.3 via VPN",
        "username": "oracle",
        "password": PASSWORD,
        "lent_by": "王工",
        "valid_until": timezone.now() + dt.timedelta(days=2),
    }
    values.update(overrides)
    return credential_lend(**values)


def customer_user(customer):
    return UserFactory(role=Role.CUSTOMER, customer=customer)


# --- lending ---------------------------------------------------------------------------------------------------


def test_lent_password_is_stored_only_encrypted(work_order):
    credential = lend(work_order)

    stored = RemoteCredential.objects.values_list("password_token", flat=True).get(pk=credential.pk)
    assert stored != PASSWORD
    assert PASSWORD not in stored
    assert RemoteCredential.objects.get(pk=credential.pk).password() == PASSWORD
    assert (credential.customer_id, credential.work_order_id, credential.created_by) == (
        work_order.customer_id,
        work_order.pk,
        work_order.engineer,
    )


def test_lending_is_audited_on_the_ticket_and_the_work_order(work_order):
    credential = lend(work_order)

    ticket_event = TicketEvent.objects.get(ticket=work_order.ticket)
    assert (ticket_event.kind, ticket_event.data) == ("updated", {"credential_lent": credential.pk, "public": False})
    order_event = WorkOrderEvent.objects.get(work_order=work_order)
    assert (order_event.kind, order_event.data) == (WorkOrderEventKind.UPDATED, {"credential_lent": credential.pk})


def test_customers_see_nothing_about_lent_credentials(work_order):
    credential = lend(work_order)
    credential_reveal(actor=work_order.engineer, credential=credential, reason="升级补丁")
    customer = customer_user(work_order.customer)

    assert list(TicketEvent.objects.visible_to(customer).filter(ticket=work_order.ticket)) == []
    assert list(RemoteCredential.objects.visible_to(customer)) == []
    assert list(WorkOrderEvent.objects.visible_to(customer)) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", ""),
        ("system", "  "),
        ("username", "x" * 101),
        ("valid_until", "past"),
        ("valid_until", "too_late"),
    ],
)
def test_lending_refuses_invalid_input_and_saves_nothing(work_order, field, value):
    now = timezone.now()
    value = {"past": now - dt.timedelta(minutes=1), "too_late": now + dt.timedelta(days=31)}.get(value, value)

    with pytest.raises(ValidationFailed) as refused:
        lend(work_order, **{field: value})

    assert list(refused.value.detail) == [field]
    assert (RemoteCredential.objects.count(), TicketEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.QUALITY, Role.ARCHIVIST, Role.PARTS_KEEPER])
def test_lending_is_refused_to_roles_that_neither_work_nor_dispatch(work_order, role):
    actor = UserFactory(role=role, customer=work_order.customer if role == Role.CUSTOMER else None)

    with pytest.raises(PermissionDenied):
        lend(work_order, actor=actor)

    assert RemoteCredential.objects.count() == 0


def test_lending_for_a_closed_work_order_is_refused(work_order):
    work_order.status = WorkOrderStatus.SIGNED
    work_order.save()

    with pytest.raises(InvalidTransition):
        lend(work_order)

    assert RemoteCredential.objects.count() == 0


# --- revealing -------------------------------------------------------------------------------------------------


def test_reveal_by_the_engineer_returns_the_password_and_is_audited(work_order):
    credential = lend(work_order)

    shown = credential_reveal(
        actor=work_order.engineer, credential=credential, reason="登录数据库打补丁", ip_address="10.0.0.8"
    )

    assert shown == PASSWORD
    reveal = CredentialReveal.objects.get()
    assert (reveal.credential, reveal.user, reveal.reason, reveal.ip_address) == (
        credential,
        work_order.engineer,
        "登录数据库打补丁",
        "10.0.0.8",
    )


def test_reveal_by_the_tickets_assignee_and_by_a_manager(work_order):
    assignee = EngineerFactory()
    work_order.ticket.assignee = assignee
    work_order.ticket.save()
    manager = UserFactory(role=Role.MANAGER)
    credential = lend(work_order)

    assert credential_reveal(actor=assignee, credential=credential, reason="远程排查") == PASSWORD
    assert credential_reveal(actor=manager, credential=credential, reason="审计抽查") == PASSWORD
    assert list(CredentialReveal.objects.order_by("at", "id").values_list("user", flat=True)) == [
        assignee.pk,
        manager.pk,
    ]


@pytest.mark.parametrize(
    "role", [Role.CUSTOMER, Role.AGENT, Role.DISPATCHER, Role.ENGINEER, Role.QUALITY, Role.ARCHIVIST]
)
def test_a_credential_reveal_is_refused_to_roles_without_permission_and_nothing_is_written(work_order, role):
    """Nobody here is the order's engineer or the ticket's assignee (an agent and a quality controller hold
    SUPERVISE, which is not enough to open a customer's system)."""
    credential = lend(work_order)
    actor = UserFactory(role=role, customer=work_order.customer if role == Role.CUSTOMER else None)

    with pytest.raises(PermissionDenied):
        credential_reveal(actor=actor, credential=credential, reason="看一下")

    assert CredentialReveal.objects.count() == 0


def test_reveal_is_refused_once_the_loan_has_expired(work_order):
    credential = lend(work_order)
    RemoteCredential.objects.filter(pk=credential.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(PermissionDenied):
        credential_reveal(actor=work_order.engineer, credential=credential, reason="再登录一次")

    assert CredentialReveal.objects.count() == 0


def test_reveal_is_refused_once_the_password_was_changed(work_order):
    credential = lend(work_order)
    credential_mark_rotated(actor=customer_user(work_order.customer), credential=credential)

    with pytest.raises(PermissionDenied):
        credential_reveal(actor=UserFactory(role=Role.MANAGER), credential=credential, reason="复查")

    assert CredentialReveal.objects.count() == 0


def test_reveal_is_refused_after_the_engineers_order_is_done(work_order):
    credential = lend(work_order)
    work_order.status = WorkOrderStatus.WORK_DONE
    work_order.save()

    with pytest.raises(PermissionDenied):
        credential_reveal(actor=work_order.engineer, credential=credential, reason="补充操作")


def test_reveal_needs_a_reason(work_order):
    credential = lend(work_order)

    with pytest.raises(ValidationFailed) as refused:
        credential_reveal(actor=work_order.engineer, credential=credential, reason="  ")

    assert list(refused.value.detail) == ["reason"]
    assert CredentialReveal.objects.count() == 0


# --- the reveal view -------------------------------------------------------------------------------------------


def test_reveal_view_shows_the_password_once_and_is_never_cached(client, work_order):
    credential = lend(work_order)
    client.force_login(work_order.engineer)

    response = client.post(reverse("credential_reveal", args=[credential.pk]), {"reason": "登录数据库"})

    assert response.status_code == 200
    assert PASSWORD in response.text
    assert 'data-reveal-seconds="30"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert CredentialReveal.objects.get().user == work_order.engineer


def test_reveal_view_refuses_an_agent_who_is_not_the_assignee(client, work_order):
    credential = lend(work_order)
    client.force_login(UserFactory(role=Role.AGENT))

    response = client.post(
        reverse("credential_reveal", args=[credential.pk]), {"reason": "看一下"}, headers={"accept-language": "en"}
    )

    assert response.status_code == 403
    assert PASSWORD not in response.text
    assert "You may not see this password." in response.text
    assert "no-store" in response["Cache-Control"]
    assert CredentialReveal.objects.count() == 0


def test_reveal_view_does_not_exist_for_a_customer(client, work_order):
    credential = lend(work_order)
    client.force_login(customer_user(work_order.customer))

    response = client.post(reverse("credential_reveal", args=[credential.pk]), {"reason": "看一下"})

    assert response.status_code == 404
    assert PASSWORD not in response.text
    assert CredentialReveal.objects.count() == 0


def test_reveal_view_without_a_reason_shows_nothing(client, work_order):
    credential = lend(work_order)
    client.force_login(work_order.engineer)

    response = client.post(reverse("credential_reveal", args=[credential.pk]), {"reason": ""})

    assert response.status_code == 400
    assert PASSWORD not in response.text
    assert CredentialReveal.objects.count() == 0


def test_lend_view_records_the_access(client, work_order):
    client.force_login(work_order.engineer)
    valid_until = timezone.localtime() + dt.timedelta(days=1)

    response = client.post(
        reverse("credential_lend", args=[work_order.pk]),
        {
            "system": "核心交换机",
            "address": "192.168.1.1",
            "username": "admin",
            "password": PASSWORD,
            "lent_by": "王工",
            "valid_until": valid_until.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 302
    credential = RemoteCredential.objects.get()
    assert (credential.system, credential.password()) == ("核心交换机", PASSWORD)


def test_the_work_order_partials_never_contain_the_password(work_order):
    credential = lend(work_order)
    engineer, customer = work_order.engineer, customer_user(work_order.customer)
    RemoteCredential.objects.filter(pk=credential.pk).update(rotation_due=True)

    pages = {}
    for user in (engineer, customer):
        context = {"work_order": work_order, "user": user, **remote_context(work_order=work_order, user=user)}
        pages[user] = render_to_string("dispatch/includes/remote_access.html", context)

    assert PASSWORD not in pages[engineer] and PASSWORD not in pages[customer]
    assert reverse("credential_reveal", args=[credential.pk]) in pages[engineer]
    assert reverse("credential_reveal", args=[credential.pk]) not in pages[customer]
    assert "10.1.2.3" not in pages[customer]
    assert reverse("credential_rotated", args=[credential.pk]) in pages[customer]


# --- rotation --------------------------------------------------------------------------------------------------


def test_completing_the_remote_job_marks_its_credentials_and_reminds_the_contact(work_order):
    ContactFactory(customer=work_order.customer, phone=work_order.contact_phone, email="wang@gjj.example.cn")
    this_order = lend(work_order)
    ticket_wide = lend(work_order, work_order=None, system="堡垒机")
    other_order = WorkOrderFactory(ticket=work_order.ticket, kind=WorkOrderKind.REMOTE, status=WorkOrderStatus.ACCEPTED)
    elsewhere = lend(other_order, actor=other_order.engineer)
    now = timezone.now()

    marked = credentials_mark_for_rotation(work_order=work_order, now=now)

    assert [credential.pk for credential in marked] == [this_order.pk, ticket_wide.pk]
    assert set(RemoteCredential.objects.filter(rotation_due=True).values_list("pk", flat=True)) == {
        this_order.pk,
        ticket_wide.pk,
    }
    assert RemoteCredential.objects.get(pk=elsewhere.pk).rotation_due is False
    reminders = list(Outbox.objects.order_by("key").values_list("key", "channel", "recipient"))
    assert reminders == [
        (f"credential:{this_order.pk}:rotation:email", "email", "wang@gjj.example.cn"),
        (f"credential:{this_order.pk}:rotation:sms", "sms", "+8613800138000"),
        (f"credential:{ticket_wide.pk}:rotation:email", "email", "wang@gjj.example.cn"),
        (f"credential:{ticket_wide.pk}:rotation:sms", "sms", "+8613800138000"),
    ]
    body = Outbox.objects.get(key=f"credential:{this_order.pk}:rotation:sms").body
    assert "oracle" in body and PASSWORD not in body


def test_marking_again_after_a_resume_reminds_nobody_twice(work_order):
    lend(work_order)
    credentials_mark_for_rotation(work_order=work_order, now=timezone.now())

    again = credentials_mark_for_rotation(work_order=work_order, now=timezone.now())

    assert again == []
    assert Outbox.objects.count() == 1  # the SMS; the contact list has no email for this phone


def test_the_customer_marks_the_password_changed(client, work_order):
    credential = lend(work_order)
    credentials_mark_for_rotation(work_order=work_order, now=timezone.now())
    client.force_login(customer_user(work_order.customer))

    response = client.post(reverse("credential_rotated", args=[credential.pk]))

    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.rotation_due, credential.rotated_at is not None) == (False, True)
    assert TicketEvent.objects.filter(data__credential_rotated=credential.pk, data__public=False).count() == 1


def test_a_customer_of_another_organisation_cannot_mark_it_changed(client, work_order):
    credential = lend(work_order)
    client.force_login(customer_user(CustomerFactory()))

    response = client.post(reverse("credential_rotated", args=[credential.pk]))

    assert response.status_code == 404
    credential.refresh_from_db()
    assert credential.rotated_at is None


def test_a_password_is_marked_changed_only_once(work_order):
    credential = lend(work_order)
    credential_mark_rotated(actor=work_order.engineer, credential=credential)

    with pytest.raises(InvalidTransition):
        credential_mark_rotated(actor=work_order.engineer, credential=credential)
