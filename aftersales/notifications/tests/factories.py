"""Test factories."""

import factory
from django.utils import timezone

from aftersales.accounts.tests.factories import UserFactory
from aftersales.notifications.choices import ChannelKind, ConfigKind, OutboxStatus
from aftersales.notifications.models import ChannelConfig, InAppNotification, NotificationPreference, Outbox


class OutboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outbox

    key = factory.Sequence(lambda n: f"test:{n}")
    channel = ChannelKind.EMAIL
    recipient = factory.Sequence(lambda n: f"engineer{n}@example.com")
    subject = "[T-0001] 响应: 80% of the time used"
    body = "T-0001 华东数据中心 “存储告警”"
    urgent = True
    status = OutboxStatus.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)
    not_before = factory.LazyFunction(timezone.now)


class InAppNotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InAppNotification

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"工单 T-{n:04d} 响应时限已用 80%")
    body = "华东数据中心 “存储告警”"
    url = "/tickets/1/"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)


class ChannelConfigFactory(factory.django.DjangoModelFactory):
    """Pass `secret="..."` to store one encrypted."""

    class Meta:
        model = ChannelConfig
        skip_postgeneration_save = True

    kind = ConfigKind.DINGTALK
    name = factory.Sequence(lambda n: f"值班群机器人{n}")
    settings = factory.LazyFunction(lambda: {"webhook_url": "http://127.0.0.1:9/robot/send?access_token=t"})

    @factory.post_generation
    def secret(obj, create, extracted, **kwargs):
        if extracted:
            obj.set_secret(extracted)
            if create:
                obj.save(update_fields=["secret_token"])
