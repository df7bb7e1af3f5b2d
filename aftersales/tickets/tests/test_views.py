"""The ticket pages through Django's test client: what each role sees and can do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.tests.factories import ContractFactory, WarrantyTermFactory
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.tickets.choices import Status
from aftersales.tickets.models import Comment, Ticket
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def asset(site):
    contract = ContractFactory(customer=site.customer)
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=3)
    return AssetFactory(site=site, contract=contract, acceptance_date=contract.start_date)


def login(client, role, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


def test_agent_logs_a_phone_request_and_sees_it_entitled(client, asset):
    agent = login(client, Role.AGENT)
    page = client.get(reverse("ticket_create"))
    assert page.status_code == 200
    preview = client.get(
        reverse("intake_options"), {"customer": asset.customer_id, "assets": asset.pk, "part": "entitlement"}
    )
    assert 'data-kind="warranty"' in preview.content.decode()
    response = client.post(
        reverse("ticket_create"),
        {
            "customer": asset.customer_id,
            "site": asset.site_id,
            "assets": [asset.pk],
            "contact_name": "李四",
            "contact_phone": "13800138000",
            "channel": "phone",
            "kind": "general_fault",
            "urgency": 1,
            "impact": 2,
            "title": "存储告警",
            "description": "阵列黄灯",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert (ticket.entitlement, ticket.created_by, ticket.channel) == ("warranty", agent, "phone")
    assert list(ticket.assets.all()) == [asset]


def test_intake_errors_name_the_field_and_save_nothing(client, site):
    login(client, Role.AGENT)
    response = client.post(
        reverse("ticket_create"),
        {
            "customer": site.customer_id,
            "contact_name": "",
            "contact_phone": "not a phone",
            "channel": "phone",
            "kind": "general_fault",
            "urgency": 2,
            "impact": 2,
            "title": "",
            "description": "x",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"contact_name", "contact_phone", "title"}
    assert Ticket.objects.count() == 0


def test_contact_search_finds_caller_by_phone(client):
    contact = ContactFactory(name="王五", phone="+8613912345678")
    login(client, Role.AGENT)
    response = client.get(reverse("contact_search"), {"q": "1391234"})
    assert "王五" in response.content.decode()
    assert f'data-customer="{contact.customer_id}"' in response.content.decode()


def test_queue_filters_by_status_and_escapes_titles(client):
    login(client, Role.AGENT)
    TicketFactory(status=Status.NEW, title="<script>alert(1)</script>")
    TicketFactory(status=Status.CLOSED, title="旧工单")
    response = client.get(reverse("ticket_list"), {"status": "new"})
    body = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "旧工单" not in body


def test_queue_query_count_does_not_grow(client, django_assert_max_num_queries):
    login(client, Role.AGENT)
    TicketFactory.create_batch(3, status=Status.NEW)
    with django_assert_max_num_queries(8) as first:
        client.get(reverse("ticket_list"), {"status": "new"})
    TicketFactory.create_batch(20, status=Status.NEW, assignee=UserFactory(role=Role.ENGINEER))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("ticket_list"), {"status": "new"})


def test_dispatch_resolve_confirm_through_the_pages(client, site):
    ticket = TicketFactory(customer=site.customer, site=site)
    engineer = UserFactory(role=Role.ENGINEER)
    login(client, Role.DISPATCHER)
    client.post(reverse("ticket_assign", args=[ticket.pk]), {"assignee": engineer.pk, "tier": "L2", "version": 1})
    client.force_login(engineer)
    client.post(reverse("ticket_transition", args=[ticket.pk]), {"action": "accept", "version": 2})
    client.post(
        reverse("ticket_transition", args=[ticket.pk]),
        {"action": "resolve", "version": 3, "resolution": "更换硬盘", "resolution_method": "on_site"},
    )
    customer_user = login(client, Role.CUSTOMER, customer=site.customer)
    client.post(reverse("ticket_transition", args=[ticket.pk]), {"action": "confirm", "version": 4})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.tier) == (Status.CONFIRMED, engineer, "L2")
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert page.count('data-event="status_changed"') == 3 and 'data-event="assigned"' in page
    assert ticket.events.last().actor == customer_user


def test_stale_version_shows_a_conflict_and_changes_nothing(client):
    ticket = TicketFactory(status=Status.NEW)
    login(client, Role.ADMIN)
    response = client.post(
        reverse("ticket_transition", args=[ticket.pk]), {"action": "cancel", "version": 7, "note": "重复"}, follow=True
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_customer_sees_public_comments_only_and_cannot_see_other_tickets(client, site):
    own = TicketFactory(customer=site.customer)
    foreign = TicketFactory()
    staff = UserFactory(role=Role.AGENT)
    Comment.objects.create(ticket=own, author=staff, body="给客户的答复", is_public=True)
    Comment.objects.create(ticket=own, author=staff, body="内部备注：报价", is_public=False)
    login(client, Role.CUSTOMER, customer=site.customer)
    page = client.get(own.get_absolute_url()).content.decode()
    assert "给客户的答复" in page and "内部备注" not in page
    assert client.get(foreign.get_absolute_url()).status_code == 404
    assert client.get(reverse("customer_archive", args=[foreign.customer_id])).status_code == 404
    assert client.post(reverse("ticket_comment", args=[foreign.pk]), {"body": "x"}).status_code == 404
    assert foreign.comments.count() == 0


def test_attachment_is_served_only_after_a_permission_check(client, site):
    ticket = TicketFactory(customer=site.customer)
    login(client, Role.AGENT)
    upload = SimpleUploadedFile("报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(reverse("ticket_attachment", args=[ticket.pk]), {"file": upload, "is_public": ""})
    attachment = ticket.attachments.get()
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200
    login(client, Role.CUSTOMER, customer=site.customer)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404


def test_customer_archive_shows_history_and_assets(client, asset):
    TicketFactory(customer=asset.customer, status=Status.CLOSED, resolution="重启控制器恢复")
    login(client, Role.ENGINEER)
    page = client.get(reverse("customer_archive", args=[asset.customer_id])).content.decode()
    assert "重启控制器恢复" in page and asset.serial_number in page


def test_pages_speak_chinese_by_default_and_english_on_request(client):
    login(client, Role.AGENT)
    assert '<html lang="zh-hans">' in client.get(reverse("ticket_list")).content.decode()
    english = client.get(reverse("ticket_list"), headers={"accept-language": "en"}).content.decode()
    assert "Queue" in english


def test_customers_list_starts_with_every_status_so_resolved_requests_show(client, site):
    resolved = TicketFactory(customer=site.customer, status=Status.RESOLVED, title="待确认的请求")
    login(client, Role.CUSTOMER, customer=site.customer)
    assert resolved.title in client.get(reverse("ticket_list")).content.decode()
    login(client, Role.AGENT)
    assert resolved.title not in client.get(reverse("ticket_list")).content.decode()


def test_agent_registers_a_fax_received_earlier(client, site):
    login(client, Role.AGENT)
    client.post(
        reverse("ticket_create"),
        {
            "customer": site.customer_id,
            "contact_name": "李四",
            "contact_phone": "13800138000",
            "channel": "fax",
            "kind": "service_request",
            "urgency": 3,
            "impact": 3,
            "title": "传真报修",
            "description": "见传真件",
            "received_at": "2026-01-05T09:30",
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.number.startswith("SR20260105")
    assert timezone.localtime(ticket.received_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:30"


def test_queue_sorts_and_pages_without_counting(client):
    login(client, Role.AGENT)
    older = TicketFactory(status=Status.NEW, priority=4, received_at=timezone.now() - timezone.timedelta(days=2))
    TicketFactory.create_batch(25, status=Status.NEW, priority=1)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("ticket_list"), {"sort": "-received_at"})
    assert first.context["page"]["has_next"] and older not in first.context["page"]["rows"]
    second = client.get(reverse("ticket_list"), {"sort": "-received_at", "page": 2})
    assert second.context["page"]["rows"] == [older] and not second.context["page"]["has_next"]
    by_priority = client.get(reverse("ticket_list"), {"sort": "-priority"})
    assert by_priority.context["page"]["rows"][0] == older
    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]


def test_queue_ignores_unknown_sort_and_bad_page(client):
    login(client, Role.AGENT)
    TicketFactory(status=Status.NEW)
    response = client.get(reverse("ticket_list"), {"sort": "customer__notes", "page": "x"})
    assert response.status_code == 200
    assert (response.context["sort"], response.context["page"]["number"]) == ("priority", 1)


def test_agent_corrects_urgency_and_the_priority_follows(client):
    ticket = TicketFactory(status=Status.ASSIGNED, urgency=3, impact=3, priority=4)
    login(client, Role.AGENT)
    page = client.get(reverse("ticket_edit", args=[ticket.pk]))
    assert (
        page.status_code == 200 and 'data-testid="edit-link"' in client.get(ticket.get_absolute_url()).content.decode()
    )
    form = page.context["form"].initial
    response = client.post(reverse("ticket_edit", args=[ticket.pk]), {**form, "urgency": 1, "impact": 1, "team": ""})
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert (ticket.urgency, ticket.priority, ticket.version) == (1, 1, 2)
    assert ticket.events.get().data["priority"] == 1


def test_edit_with_a_stale_version_keeps_the_form_and_the_row(client):
    ticket = TicketFactory(status=Status.NEW, title="原标题")
    login(client, Role.AGENT)
    form = client.get(reverse("ticket_edit", args=[ticket.pk])).context["form"].initial
    response = client.post(
        reverse("ticket_edit", args=[ticket.pk]), {**form, "title": "新标题", "version": 9, "team": ""}
    )
    ticket.refresh_from_db()
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert (ticket.title, ticket.version) == ("原标题", 1)


def test_customers_and_closed_tickets_have_no_edit_page(client, site):
    closed = TicketFactory(customer=site.customer, status=Status.CLOSED)
    login(client, Role.CUSTOMER, customer=site.customer)
    assert client.get(reverse("ticket_edit", args=[closed.pk])).status_code == 404
    login(client, Role.AGENT)
    assert 'data-testid="edit-link"' not in client.get(closed.get_absolute_url()).content.decode()
