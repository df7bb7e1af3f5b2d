"""The entries follow their objects: created, changed and deleted in the same transaction."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.search.models import SearchEntry
from aftersales.search.query import match_ids
from aftersales.tickets.models import Comment, Ticket
from aftersales.tickets.services import comment_add, ticket_update
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def entry(kind, object_id):
    return SearchEntry.objects.get(kind=kind, object_id=object_id)


def test_a_new_ticket_is_found_by_number_title_description_contact_and_phone():
    ticket = TicketFactory(number="SR202601010042", title="Printer 卡纸", description="三楼财务室", contact_name="李四")
    stored = entry("ticket", ticket.pk)
    assert stored.customer_id == ticket.customer_id
    assert stored.title == "SR202601010042 Printer 卡纸"
    assert stored.ordered_at == ticket.received_at
    assert stored.text == "sr202601010042\nprinter 卡纸\n三楼财务室\n李四\n+8613800138000 13800138000"
    for query in ("sr202601010042", "PRINTER", "卡", "财务", "李四", "138-0013-8000", "+8613800138000"):
        assert match_ids("ticket", query) == [ticket.pk], query


def test_editing_a_ticket_updates_its_entry():
    agent = UserFactory(role=Role.AGENT)
    ticket = TicketFactory(title="服务器无法开机")
    ticket_update(actor=agent, ticket=ticket, version=ticket.version, title="交换机端口闪断")
    assert match_ids("ticket", "交换机") == [ticket.pk]
    assert match_ids("ticket", "开机") == []


def test_a_save_of_fields_search_does_not_index_costs_no_query():
    ticket = TicketFactory(title="服务器无法开机")
    ticket.title = "changed in memory only"
    ticket.sla_health = "warning"
    with CaptureQueriesContext(connection) as queries:
        ticket.save(update_fields=["sla_health", "sla_due_at", "next_check_at"])
    assert len(queries) == 1  # the UPDATE of the ticket; nothing from search
    assert entry("ticket", ticket.pk).title.endswith("服务器无法开机")


def test_a_deleted_ticket_leaves_no_entry():
    ticket = TicketFactory()
    ticket_id = ticket.pk
    ticket.delete()
    assert not SearchEntry.objects.filter(kind="ticket", object_id=ticket_id).exists()


def test_public_comments_are_indexed_and_internal_notes_never():
    agent = UserFactory(role=Role.AGENT)
    ticket = TicketFactory()
    comment_add(actor=agent, ticket=ticket, body="已更换电源模块", is_public=True)
    comment_add(actor=agent, ticket=ticket, body="内部备注：客户欠费", is_public=False)
    assert match_ids("ticket", "电源模块") == [ticket.pk]
    assert match_ids("ticket", "欠费") == []
    assert "欠费" not in entry("ticket", ticket.pk).text


def test_a_comment_made_internal_or_deleted_leaves_the_text():
    agent = UserFactory(role=Role.AGENT)
    ticket = TicketFactory()
    comment = comment_add(actor=agent, ticket=ticket, body="已更换电源模块", is_public=True)
    comment.is_public = False
    comment.save(update_fields=["is_public"])
    assert match_ids("ticket", "模块") == []
    other = comment_add(actor=agent, ticket=ticket, body="硬盘告警已消除", is_public=True)
    Comment.objects.filter(pk=other.pk).get().delete()
    assert match_ids("ticket", "硬盘") == []


def test_customers_contacts_and_assets_are_indexed():
    customer = CustomerFactory(name="杭州市住房公积金管理中心", code="HZGJJ", phone="+8657188886666")
    contact = ContactFactory(customer=customer, name="王五", phone="+8613912345678", email="Wang.Wu@example.cn")
    asset = AssetFactory(site__customer=customer, serial_number="2102311TYBN0KA000123", product__name="OceanStor")
    assert match_ids("customer", "公积金") == [customer.pk]
    assert match_ids("customer", "hzgjj") == [customer.pk]
    assert match_ids("customer", "0571-88886666") == [customer.pk]
    assert match_ids("contact", "王") == [contact.pk]
    assert match_ids("contact", "139 1234 5678") == [contact.pk]
    assert match_ids("contact", "wang.wu@") == [contact.pk]
    assert match_ids("asset", "tybn0ka") == [asset.pk]
    assert match_ids("asset", "oceanstor huawei") == [asset.pk]
    assert entry("contact", contact.pk).customer_id == customer.pk
    assert entry("asset", asset.pk).customer_id == customer.pk


def test_renaming_a_product_reindexes_its_assets():
    product = ProductFactory(name="OceanStor")
    asset = AssetFactory(product=product)
    product.name = "Dorado"
    product.save()
    assert match_ids("asset", "dorado") == [asset.pk]
    assert match_ids("asset", "oceanstor") == []


def test_newest_first_and_limit():
    older = TicketFactory(title="打印机卡纸", received_at="2026-01-01T08:00:00+08:00")
    newer = TicketFactory(title="打印机缺墨", received_at="2026-02-01T08:00:00+08:00")
    assert match_ids("ticket", "打印机") == [newer.pk, older.pk]
    assert match_ids("ticket", "打印机", limit=1) == [newer.pk]
    assert match_ids("ticket", "打印机", customer_id=older.customer_id) == [older.pk]


def test_reindex_catches_up_with_writes_that_send_no_signals(capsys):
    customer = CustomerFactory()
    template = TicketFactory.build(customer=customer, created_by=UserFactory(), title="机柜温度过高")
    (bulk,) = Ticket.objects.bulk_create([template])
    Ticket.objects.filter(pk=TicketFactory(title="硬盘故障").pk).update(title="内存故障")
    SearchEntry.objects.create(
        kind="ticket", object_id=999_999, title="gone", ordered_at="2026-01-01T00:00Z", text="x", grams="x"
    )
    assert match_ids("ticket", "温度") == []
    assert match_ids("ticket", "内存") == []

    call_command("search_reindex", "--kind", "ticket", "--dry-run")
    assert "created 1, updated 1, unchanged 0, deleted 1 (dry run)" in capsys.readouterr().out
    assert match_ids("ticket", "温度") == []

    call_command("search_reindex", "--kind", "ticket")
    assert "ticket: 2 objects; created 1, updated 1, unchanged 0, deleted 1" in capsys.readouterr().out
    assert match_ids("ticket", "温度") == [bulk.pk]
    assert len(match_ids("ticket", "内存")) == 1
    assert not SearchEntry.objects.filter(object_id=999_999).exists()

    call_command("search_reindex")
    out = capsys.readouterr().out
    assert "ticket: 2 objects; created 0, updated 0, unchanged 2, deleted 0" in out
    assert "customer: " in out and "contact: " in out and "asset: " in out


def test_reindex_refuses_an_unknown_kind():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown kind"):
        call_command("search_reindex", "--kind", "nonsense")


def test_after_migrate_a_kind_without_any_entry_is_indexed():
    """An installation upgraded to search: its old records have no entries until the first migrate ends."""
    from aftersales.search.indexing import index_unindexed_kinds

    ticket = TicketFactory(title="旧工单无索引")
    contact = ContactFactory(name="旧联系人")
    SearchEntry.objects.all().delete()
    SearchEntry.objects.create(
        kind="contact", object_id=contact.pk, title="kept", ordered_at=ticket.received_at, text="x", grams="x"
    )
    index_unindexed_kinds()
    assert match_ids("ticket", "旧工单") == [ticket.pk]
    assert match_ids("customer", ticket.customer.name) == [ticket.customer_id]
    assert entry("contact", contact.pk).title == "kept"  # a kind with entries is left to search_reindex
