"""The hotline: the telephone system's call event, the agent's pop-up, and what the agent does with the call."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory, SiteFactory
from aftersales.intake.models import CallOutcome, IncomingCall, PhoneExtension, TelephoneSystem
from aftersales.intake.tests.conftest import alert_source, bearer, telephone_system
from aftersales.tickets.choices import Channel, EventKind, Status
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/telephony/calls/"


@pytest.fixture
def world():
    site = SiteFactory(name="滨江机房")
    customer = site.customer
    system, token = telephone_system()
    agent = UserFactory(username="agent1", role=Role.AGENT)
    return {
        "customer": customer,
        "site": site,
        "caller": ContactFactory(customer=customer, site=site, name="王建国", phone="+8613912345678"),
        "contract": ContractFactory(customer=customer, number="HT-2026-0099"),
        "system": system,
        "token": token,
        "agent": agent,
    }


def ring(client, token, **overrides):
    event = {"call_id": "c-1001", "caller": "139 1234 5678", "called": "010-62908622", "agent": "agent1"}
    return client.post(URL, {**event, **overrides}, content_type="application/json", **bearer(token))


def test_a_call_event_is_recorded_for_the_agent(client, world):
    response = ring(client, world["token"])

    assert response.status_code == 201
    call = IncomingCall.objects.get()
    assert response.json() == {
        "id": call.pk,
        "call_id": "c-1001",
        "caller": "139 1234 5678",
        "caller_normalised": "+8613912345678",
        "agent": "agent1",
        "rang_at": response.json()["rang_at"],
        "created": True,
    }
    assert (call.agent, call.system, call.called, call.outcome) == (world["agent"], world["system"], "010-62908622", "")
    assert TelephoneSystem.objects.get().last_call_at is not None


def test_the_same_call_id_reported_again_returns_the_first_record(client, world):
    first = ring(client, world["token"])

    again = ring(client, world["token"], caller="13800000000", agent="someone-else")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert (again.json()["created"], again.json()["caller"]) == (False, "139 1234 5678")
    assert IncomingCall.objects.count() == 1


def test_the_same_call_id_on_another_telephone_system_is_another_call(client, world):
    _other, other_token = telephone_system("Asterisk")

    ring(client, world["token"])
    ring(client, other_token)

    assert IncomingCall.objects.count() == 2


def test_the_agent_may_be_named_by_extension(client, world):
    PhoneExtension.objects.create(system=world["system"], extension="8001", user=world["agent"])

    ring(client, world["token"], agent="8001")

    assert IncomingCall.objects.get().agent == world["agent"]


@pytest.mark.parametrize("agent", ["nobody", "engineer1", "customer1"])
def test_a_call_for_someone_who_does_not_answer_calls_is_kept_but_pops_nowhere(client, world, agent):
    UserFactory(username="engineer1", role=Role.ENGINEER)
    UserFactory(username="customer1", role=Role.CUSTOMER, customer=world["customer"])

    response = ring(client, world["token"], agent=agent)

    assert response.status_code == 201
    assert response.json()["agent"] is None
    assert IncomingCall.objects.get().agent_ref == agent


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"call_id": ""}, "call_id"),
        ({"agent": ""}, "agent"),
        ({"call_id": "x" * 101}, "call_id"),
        ({"rang_at": "tomorrow"}, "rang_at"),
    ],
)
def test_bad_call_events_are_refused(client, world, event, field):
    response = ring(client, world["token"], **event)

    assert response.status_code == 400
    assert list(response.json()["detail"]) == [field]
    assert not IncomingCall.objects.exists()


def test_a_call_ringing_in_the_future_is_refused(client, world):
    response = ring(client, world["token"], rang_at=(timezone.now() + dt.timedelta(hours=1)).isoformat())

    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["rang_at"]


@pytest.mark.parametrize("case", ["none", "wrong", "switched-off", "alert-source-token"])
def test_only_an_active_telephone_systems_token_is_accepted(client, world, case):
    headers = bearer(world["token"])
    if case == "none":
        headers.pop("HTTP_AUTHORIZATION")
    elif case == "wrong":
        headers = bearer("not-the-token")
    elif case == "switched-off":
        TelephoneSystem.objects.update(is_active=False)
    elif case == "alert-source-token":
        headers = bearer(alert_source(world["customer"])[1])
    event = {"call_id": "c-1", "caller": "13912345678", "agent": "agent1"}

    response = client.post(URL, event, content_type="application/json", **headers)

    assert response.status_code == 401
    assert not IncomingCall.objects.exists()


def test_a_customer_signed_in_cannot_report_calls(client, world):
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=world["customer"]))

    response = client.post(URL, {"call_id": "c-1", "agent": "agent1"}, content_type="application/json")

    assert response.status_code == 401
    assert not IncomingCall.objects.exists()


def _pop(client, agent):
    client.force_login(agent)
    return client.get(reverse("hotline"), headers={"accept-language": "en"})


def test_the_pop_up_shows_the_contact_customer_open_tickets_and_entitlement(client, world):
    mine = TicketFactory(customer=world["customer"], contact_phone="+8613912345678", title="存储告警", priority=3)
    colleague = TicketFactory(customer=world["customer"], contact_phone="+8613800000000", title="打印机", priority=1)
    TicketFactory(customer=world["customer"], status=Status.CLOSED, title="已关闭")
    TicketFactory(contact_phone="+8615000000000", title="别的客户")  # another customer
    ring(client, world["token"])

    page = _pop(client, world["agent"]).content.decode()

    assert 'data-testid="incoming-call"' in page
    assert "王建国" in page
    assert world["customer"].name in page
    assert 'data-kind="warranty"' in page
    assert "Contract HT-2026-0099 is in force." in page
    # The caller's own ticket first, then the customer's other open ones; nothing closed, nobody else's.
    assert page.index(mine.number) < page.index(colleague.number)
    assert "已关闭" not in page
    assert "别的客户" not in page


def test_a_number_known_only_from_past_tickets_is_recognised(client, world):
    customer = CustomerFactory(name="宁波档案馆")
    TicketFactory(customer=customer, contact_phone="+8613700000000", contact_name="赵六", status=Status.CLOSED)
    ring(client, world["token"], caller="13700000000")

    page = _pop(client, world["agent"]).content.decode()

    assert "宁波档案馆" in page
    assert "赵六" in page
    assert 'data-kind="advice_only"' in page  # no contract in force
    assert "No open tickets." in page


def test_an_unknown_number_says_so(client, world):
    ring(client, world["token"], caller="0755-12345678")

    page = _pop(client, world["agent"]).content.decode()

    assert "Unknown number: no contact, customer or past ticket has it." in page
    assert 'data-testid="caller-match"' not in page


def test_a_withheld_number_says_it_cannot_be_looked_up(client, world):
    ring(client, world["token"], caller="anonymous")

    page = _pop(client, world["agent"]).content.decode()

    assert "The number is withheld or not a phone number" in page


def test_the_pop_up_is_only_on_the_called_agents_screen(client, world):
    ring(client, world["token"])

    page = _pop(client, UserFactory(role=Role.AGENT)).content.decode()

    assert 'data-testid="incoming-call"' not in page
    assert 'data-testid="no-call-ringing"' in page


def test_polling_answers_nothing_while_the_same_calls_ring(client, world):
    client.force_login(world["agent"])
    url = reverse("hotline_ringing")

    empty = client.get(url, {"shown": ""})
    ring(client, world["token"])
    call = IncomingCall.objects.get()
    changed = client.get(url, {"shown": ""})
    same = client.get(url, {"shown": str(call.pk)})

    assert empty.status_code == 204
    assert changed.status_code == 200
    assert f'data-shown="{call.pk}"' in changed.content.decode()
    assert same.status_code == 204


def test_polling_after_the_session_ended_asks_the_browser_to_reload(client, world):
    response = client.get(reverse("hotline_ringing"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.headers["HX-Refresh"] == "true"


def test_logging_the_call_on_a_ticket(client, world):
    ticket = TicketFactory(customer=world["customer"], contact_phone="+8613912345678")
    ring(client, world["token"])
    call = IncomingCall.objects.get()
    client.force_login(world["agent"])

    response = client.post(reverse("call_log", args=[call.pk]), {"ticket": ticket.number, "note": "客户询问进度"})

    assert response.status_code == 302
    assert response.url == ticket.get_absolute_url()
    call.refresh_from_db()
    assert (call.ticket, call.outcome, call.handled_by) == (ticket, CallOutcome.LOGGED, world["agent"])
    logged = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CALL_LOGGED)
    assert (logged.note, logged.actor) == ("客户询问进度", world["agent"])
    ticket.refresh_from_db()
    assert ticket.responded_at is not None
    # Handled: it no longer pops up.
    assert 'data-testid="incoming-call"' not in _pop(client, world["agent"]).content.decode()


def test_logging_on_an_unknown_or_closed_ticket_is_refused_and_the_call_stays_open(client, world):
    closed = TicketFactory(customer=world["customer"], status=Status.CLOSED)
    ring(client, world["token"])
    call = IncomingCall.objects.get()
    client.force_login(world["agent"])

    for number in ("SR000", closed.number):
        response = client.post(
            reverse("call_log", args=[call.pk]),
            {"ticket": number, "note": "回电"},
            headers={"accept-language": "en"},
        )
        assert response.status_code == 200
    assert "Calls are logged on open tickets only." in response.content.decode()
    call.refresh_from_db()
    assert call.handled_at is None
    assert not TicketEvent.objects.filter(kind=EventKind.CALL_LOGGED).exists()


def test_the_call_page_prefills_the_ticket_chosen_in_the_pop_up(client, world):
    ticket = TicketFactory(customer=world["customer"])
    ring(client, world["token"])
    client.force_login(world["agent"])

    page = client.get(reverse("call_detail", args=[IncomingCall.objects.get().pk]), {"ticket": ticket.number})

    assert f'value="{ticket.number}"' in page.content.decode()


def test_a_new_ticket_for_the_caller_opens_the_intake_form_prefilled_and_links_the_call(client, world):
    ring(client, world["token"], rang_at="2026-03-01T10:15:00+08:00")
    call = IncomingCall.objects.get()
    client.force_login(world["agent"])

    form = client.get(reverse("call_ticket", args=[call.pk])).context["form"]
    assert (form.initial["customer"], form.initial["contact_name"], form.initial["contact_phone"]) == (
        world["customer"].pk,
        "王建国",
        "+8613912345678",
    )
    assert (form.initial["site"], form.initial["channel"]) == (world["site"].pk, Channel.PHONE)
    response = client.post(
        reverse("call_ticket", args=[call.pk]),
        {
            "customer": world["customer"].pk,
            "site": world["site"].pk,
            "contact_name": "王建国",
            "contact_phone": "+8613912345678",
            "channel": Channel.EMAIL,  # the call decides: it is a phone ticket
            "kind": "general_fault",
            "urgency": 2,
            "impact": 2,
            "title": "服务器无法开机",
            "description": "电源灯不亮",
            "received_at": "",
        },
    )

    ticket = Ticket.objects.get()
    assert response.url == ticket.get_absolute_url()
    assert (ticket.channel, ticket.customer, ticket.received_at) == (
        Channel.PHONE,
        world["customer"],
        dt.datetime(2026, 3, 1, 2, 15, tzinfo=dt.UTC),
    )
    call.refresh_from_db()
    assert (call.ticket, call.outcome) == (ticket, CallOutcome.NEW_TICKET)
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.UPDATED).data["incoming_call"] == call.pk


def test_an_unknown_caller_gets_an_empty_form_with_the_number(client, world):
    ring(client, world["token"], caller="0755-12345678")
    client.force_login(world["agent"])

    form = client.get(reverse("call_ticket", args=[IncomingCall.objects.get().pk])).context["form"]

    assert "customer" not in form.initial
    assert form.initial["contact_phone"] == "+8675512345678"


def test_closing_a_call_without_a_ticket(client, world):
    ring(client, world["token"])
    call = IncomingCall.objects.get()
    client.force_login(world["agent"])

    client.post(reverse("call_dismiss", args=[call.pk]))
    again = client.post(reverse("call_log", args=[call.pk]), {"ticket": "x", "note": "y"})

    call.refresh_from_db()
    assert (call.outcome, call.ticket) == (CallOutcome.DISMISSED, None)
    assert again.status_code == 200  # refused: already handled
    assert call.handled_at is not None


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.ENGINEER])
def test_people_who_do_not_answer_calls_reach_none_of_the_hotline_pages(client, world, role):
    ticket = TicketFactory(customer=world["customer"])
    ring(client, world["token"])
    call = IncomingCall.objects.get()
    client.force_login(UserFactory(role=role, customer=world["customer"] if role == Role.CUSTOMER else None))

    pages = [reverse("hotline"), reverse("hotline_ringing"), reverse("call_detail", args=[call.pk])]
    posts = [
        (reverse("call_log", args=[call.pk]), {"ticket": ticket.number, "note": "x"}),
        (reverse("call_ticket", args=[call.pk]), {"customer": world["customer"].pk, "title": "x"}),
        (reverse("call_dismiss", args=[call.pk]), {}),
    ]

    assert [client.get(url).status_code for url in pages] == [404, 404, 404]
    assert [client.post(url, data).status_code for url, data in posts] == [404, 404, 404]
    call.refresh_from_db()
    assert (call.handled_at, call.ticket) == (None, None)
    assert Ticket.objects.count() == 1
    assert not TicketEvent.objects.filter(kind=EventKind.CALL_LOGGED).exists()


def test_the_recent_calls_list_has_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    for number in range(5):
        ring(client, world["token"], call_id=f"c-{number}", caller="0755-12345678")
    IncomingCall.objects.update(handled_at=timezone.now(), outcome=CallOutcome.DISMISSED, handled_by=world["agent"])
    client.force_login(world["agent"])
    client.get(reverse("hotline"))  # warm the session

    # session, user, the user's and groups' permissions, the calls ringing, the unread-notification badge,
    # the recent calls (agent, ticket and handler joined): however many calls there are
    with django_assert_num_queries(7):
        response = client.get(reverse("hotline"), {"all": "1"})

    assert response.content.decode().count('data-testid="recent-call"') == 5
