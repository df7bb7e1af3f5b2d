"""Reads about staff: who is on duty."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from aftersales.accounts.models import DutyShift, User
from aftersales.core.time import local_zone


@dataclass(frozen=True)
class OnDuty:
    manager: User | None = None
    engineer: User | None = None


def on_duty(at: dt.datetime, team_id: int | None = None) -> OnDuty:
    """The duty manager and engineer at `at`: the team's own shift first, else the organisation's."""
    local = timezone.localtime(at, local_zone())
    weekday, time = local.weekday(), local.time()
    shifts = DutyShift.objects.filter(team_id__in=[team_id] if team_id else []) | DutyShift.objects.filter(
        team__isnull=True
    )
    covering = [
        shift for shift in shifts.select_related("duty_manager", "duty_engineer") if shift.covers(weekday, time)
    ]
    covering.sort(key=lambda shift: shift.team_id is None)  # a team's own shift wins over the general one
    manager = next((shift.duty_manager for shift in covering if shift.duty_manager), None)
    engineer = next((shift.duty_engineer for shift in covering if shift.duty_engineer), None)
    return OnDuty(manager, engineer)
