"""The delivery task: scheduled by crontask every NOTIFICATIONS_DELIVERY_SECONDS, and it delivers."""

import datetime as dt

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from crontask import scheduler

from aftersales.accounts.tests.factories import UserFactory
from aftersales.notifications import tasks
from aftersales.notifications.models import InAppNotification
from aftersales.notifications.services import Message, enqueue


def test_crontask_runs_the_delivery_every_few_seconds(settings):
    (job,) = [job for job in scheduler.get_jobs() if job.name == "deliver_notifications"]
    assert isinstance(job.trigger, IntervalTrigger)
    assert (
        job.trigger.interval
        == dt.timedelta(seconds=settings.NOTIFICATIONS_DELIVERY_SECONDS)
        == dt.timedelta(seconds=15)
    )
    assert job.func == tasks.deliver_notifications.enqueue


@pytest.mark.django_db
def test_the_task_delivers_what_is_due():
    user = UserFactory()
    enqueue([Message("k", "in_app", "", user.pk, "响应超时", "")])
    result = tasks.deliver_notifications.call()
    assert result == {"claimed": 1, "bundled": 0, "sent": 1, "retrying": 0, "failed": 0}
    assert InAppNotification.objects.get().user == user
