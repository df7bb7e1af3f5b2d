"""Test factories."""

import factory

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.inbox.models import Mailbox

MAILBOX_PASSWORD = "imap-secret"


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox
        skip_postgeneration_save = True

    address = factory.Sequence(lambda n: f"support{n}@service.example.com")
    display_name = "华东技术支持"
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, role=Role.AGENT)
    host = "127.0.0.1"
    port = 993
    username = factory.SelfAttribute("address")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(MAILBOX_PASSWORD if extracted is None else extracted)
        if create:
            obj.save()
