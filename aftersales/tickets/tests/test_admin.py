import pytest
from django.contrib import admin
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.tickets.tests.factories import TicketFactory


@pytest.mark.django_db
def test_every_admin_page_opens_for_an_administrator(client):
    AssetFactory()
    ticket = TicketFactory()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
    detail = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert detail.status_code == 200 and ticket.number in detail.content.decode()


@pytest.mark.django_db
def test_tickets_cannot_be_edited_in_the_admin(client):
    ticket = TicketFactory()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    client.post(reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"title": "changed"})
    ticket.refresh_from_db()
    assert ticket.title != "changed"
