"""Housekeeping: old task results are pruned, recent and failed ones kept for a while."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.core.tasks import prune_task_results
from aftersales.tickets.tasks import sweep_sla_clocks

pytestmark = pytest.mark.django_db


def finished(status: str, days_ago: int) -> int:
    result = sweep_sla_clocks.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return result.id


def test_pruning_removes_old_successes_and_keeps_recent_results_and_failures():
    old_success = finished("SUCCESSFUL", days_ago=3)
    recent_success = finished("SUCCESSFUL", days_ago=1)
    old_failure = finished("FAILED", days_ago=3)
    ancient_failure = finished("FAILED", days_ago=40)

    prune_task_results.call()

    kept = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert str(old_success) not in {str(pk) for pk in kept}
    assert {str(recent_success), str(old_failure)} <= {str(pk) for pk in kept}
    assert str(ancient_failure) not in {str(pk) for pk in kept}
