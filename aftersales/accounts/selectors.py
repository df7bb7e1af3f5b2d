"""Reads about staff: who is on duty, and the duty roster (值班表) of a week.

The roster rules are pure functions over plain data (`WeeklyShift`, `DatedException`, `DutySlot`), so they are
tested without a database; `on_duty` and `roster_week` only load the rows and hand them over.

The rules, for one scope (a team, or the whole organisation):
- a weekly shift runs on its weekday from its start; an end at or before the start means the next morning;
- a dated exception runs the same way from its day, and while it runs it replaces that scope's weekly shifts;
- for a team, the team's own people come first and the organisation's fill what the team leaves empty.
"""

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from aftersales.accounts.models import DutyException, DutyShift, User
from aftersales.core.time import local_zone

DAY = dt.timedelta(days=1)
WEEK_DAYS = 7


@dataclass(frozen=True)
class OnDuty:
    manager: User | None = None
    engineer: User | None = None
    standby: tuple[User, ...] = ()


@dataclass(frozen=True)
class WeeklyShift:
    """A repeating shift of the roster, as plain data."""

    id: int
    team_id: int | None
    weekday: int  # Monday is 0
    start: dt.time
    end: dt.time
    manager: User | None = None
    engineer: User | None = None
    standby: tuple[User, ...] = ()


@dataclass(frozen=True)
class DatedException:
    """A dated change to the roster, as plain data."""

    id: int
    team_id: int | None
    day: dt.date
    start: dt.time
    end: dt.time
    manager: User | None = None
    engineer: User | None = None
    reason: str = ""


@dataclass(frozen=True)
class DutySlot:
    """One stretch of duty in local time: a weekly shift on one date, or an exception."""

    team_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    manager: User | None = None
    engineer: User | None = None
    standby: tuple[User, ...] = ()
    shift_id: int | None = None
    exception_id: int | None = None
    reason: str = ""

    @property
    def is_exception(self) -> bool:
        return self.exception_id is not None

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at.date() != self.starts_at.date()

    def covers(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def overlap(self, other: "DutySlot") -> tuple[dt.datetime, dt.datetime] | None:
        starts_at, ends_at = max(self.starts_at, other.starts_at), min(self.ends_at, other.ends_at)
        return (starts_at, ends_at) if starts_at < ends_at else None


class Replaced:
    """How much of a weekly shift the exceptions of its scope take over that week."""

    NOT = ""
    PARTLY = "partly"
    FULLY = "fully"


@dataclass(frozen=True)
class RosterEntry:
    slot: DutySlot
    replaced: str = Replaced.NOT


@dataclass(frozen=True)
class RosterDay:
    day: dt.date
    entries: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class Gap:
    """A stretch of the week without a duty manager, without a duty engineer, or without either."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    no_manager: bool
    no_engineer: bool


@dataclass(frozen=True)
class Overlap:
    """Two weekly shifts of the same scope that are on at the same time."""

    first: DutySlot
    second: DutySlot
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class RosterWeek:
    team_id: int | None
    week_start: dt.date
    days: tuple[RosterDay, ...]
    gaps: tuple[Gap, ...]
    overlaps: tuple[Overlap, ...]

    @property
    def previous_week(self) -> dt.date:
        return self.week_start - WEEK_DAYS * DAY

    @property
    def next_week(self) -> dt.date:
        return self.week_start + WEEK_DAYS * DAY

    @property
    def last_day(self) -> dt.date:
        return self.week_start + (WEEK_DAYS - 1) * DAY


def _span(day: dt.date, start: dt.time, end: dt.time, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    end_day = day + DAY if end <= start else day
    return dt.datetime.combine(day, start, tzinfo=zone), dt.datetime.combine(end_day, end, tzinfo=zone)


def _slot_order(slot: DutySlot) -> tuple:
    # The team's own entries before the organisation's; at the same time, an exception before the shift it replaces.
    return slot.starts_at, slot.team_id is None, not slot.is_exception, slot.shift_id or slot.exception_id or 0


def duty_slots(
    first_day: dt.date,
    last_day: dt.date,
    shifts: Iterable[WeeklyShift],
    exceptions: Iterable[DatedException],
    zone: dt.tzinfo,
) -> list[DutySlot]:
    """Every shift and exception that starts on a date from `first_day` to `last_day`, in start order."""
    shifts, slots = list(shifts), []
    day = first_day
    while day <= last_day:
        for shift in shifts:
            if shift.weekday == day.weekday():
                starts_at, ends_at = _span(day, shift.start, shift.end, zone)
                slots.append(
                    DutySlot(
                        shift.team_id,
                        starts_at,
                        ends_at,
                        shift.manager,
                        shift.engineer,
                        shift.standby,
                        shift_id=shift.id,
                    )
                )
        day += DAY
    for exception in exceptions:
        if first_day <= exception.day <= last_day:
            starts_at, ends_at = _span(exception.day, exception.start, exception.end, zone)
            slots.append(
                DutySlot(
                    exception.team_id,
                    starts_at,
                    ends_at,
                    exception.manager,
                    exception.engineer,
                    exception_id=exception.id,
                    reason=exception.reason,
                )
            )
    return sorted(slots, key=_slot_order)


def _scopes(team_id: int | None) -> list[int | None]:
    return [team_id, None] if team_id else [None]


def duty_at(moment: dt.datetime, slots: Sequence[DutySlot], team_id: int | None = None) -> OnDuty:
    """Who is on duty at `moment` (local time) given the slots around it, for a team or the whole organisation."""
    chosen: list[DutySlot] = []
    for scope in _scopes(team_id):
        covering = [slot for slot in slots if slot.team_id == scope and slot.covers(moment)]
        chosen.extend([slot for slot in covering if slot.is_exception] or covering)
    return OnDuty(
        manager=next((slot.manager for slot in chosen if slot.manager), None),
        engineer=next((slot.engineer for slot in chosen if slot.engineer), None),
        standby=next((slot.standby for slot in chosen if slot.standby), ()),
    )


def _replaced(shift: DutySlot, slots: Sequence[DutySlot]) -> str:
    pieces = sorted(
        piece
        for slot in slots
        if slot.is_exception and slot.team_id == shift.team_id
        for piece in [shift.overlap(slot)]
        if piece
    )
    if not pieces:
        return Replaced.NOT
    reached = shift.starts_at
    for starts_at, ends_at in pieces:
        if starts_at > reached:
            return Replaced.PARTLY
        reached = max(reached, ends_at)
    return Replaced.FULLY if reached >= shift.ends_at else Replaced.PARTLY


def _gaps(slots: Sequence[DutySlot], team_id: int | None, starts_at: dt.datetime, ends_at: dt.datetime) -> list[Gap]:
    # Who is on duty changes only where a slot starts or ends, so one look per stretch between those moments is enough.
    moments = {starts_at, ends_at}
    moments.update(
        moment for slot in slots for moment in (slot.starts_at, slot.ends_at) if starts_at < moment < ends_at
    )
    gaps: list[Gap] = []
    for begin, end in itertools.pairwise(sorted(moments)):
        duty = duty_at(begin, slots, team_id)
        no_manager, no_engineer = duty.manager is None, duty.engineer is None
        if not (no_manager or no_engineer):
            continue
        last = gaps[-1] if gaps else None
        if last and last.ends_at == begin and (last.no_manager, last.no_engineer) == (no_manager, no_engineer):
            gaps[-1] = Gap(last.starts_at, end, no_manager, no_engineer)
        else:
            gaps.append(Gap(begin, end, no_manager, no_engineer))
    return gaps


def _overlaps(slots: Sequence[DutySlot], starts_at: dt.datetime, ends_at: dt.datetime) -> list[Overlap]:
    shifts = [slot for slot in slots if not slot.is_exception]
    overlaps = []
    for index, first in enumerate(shifts):
        for second in shifts[index + 1 :]:
            if first.team_id != second.team_id:
                continue
            piece = first.overlap(second)
            if piece and piece[0] < ends_at and piece[1] > starts_at:
                overlaps.append(Overlap(first, second, max(piece[0], starts_at), min(piece[1], ends_at)))
    return sorted(overlaps, key=lambda overlap: (overlap.starts_at, overlap.ends_at))


def build_roster_week(
    *,
    week_start: dt.date,
    shifts: Iterable[WeeklyShift],
    exceptions: Iterable[DatedException],
    team_id: int | None,
    zone: dt.tzinfo,
) -> RosterWeek:
    """The roster of the seven days from `week_start`: each day's shifts and exceptions, and the gaps and overlaps.

    `shifts` and `exceptions` are those of the team (if any) and of the whole organisation. The day before the week
    is read too, because a night shift that starts on it runs into the week's first morning.
    """
    slots = duty_slots(week_start - DAY, week_start + (WEEK_DAYS - 1) * DAY, shifts, exceptions, zone)
    scopes = _scopes(team_id)
    slots = [slot for slot in slots if slot.team_id in scopes]
    starts_at = dt.datetime.combine(week_start, dt.time(0), tzinfo=zone)
    ends_at = dt.datetime.combine(week_start + WEEK_DAYS * DAY, dt.time(0), tzinfo=zone)
    days = tuple(
        RosterDay(
            day,
            tuple(
                RosterEntry(slot, Replaced.NOT if slot.is_exception else _replaced(slot, slots))
                for slot in slots
                if slot.day == day
            ),
        )
        for day in (week_start + offset * DAY for offset in range(WEEK_DAYS))
    )
    return RosterWeek(
        team_id=team_id,
        week_start=week_start,
        days=days,
        gaps=tuple(_gaps(slots, team_id, starts_at, ends_at)),
        overlaps=tuple(_overlaps(slots, starts_at, ends_at)),
    )


def _scope_filter(team_id: int | None) -> Q:
    return Q(team__isnull=True) | Q(team_id=team_id) if team_id else Q(team__isnull=True)


def _load(
    team_id: int | None, first_day: dt.date, last_day: dt.date, weekdays: set[int] | None = None
) -> tuple[list[WeeklyShift], list[DatedException]]:
    """The scope's shifts (on `weekdays`, or all) and its exceptions from `first_day` to `last_day`: three queries
    at most, whatever their number (the standby engineers are read only when there are shifts)."""
    shifts = DutyShift.objects.filter(_scope_filter(team_id)).select_related("duty_manager", "duty_engineer")
    if weekdays is not None:
        shifts = shifts.filter(weekday__in=sorted(weekdays))
    people = User.objects.order_by("last_name", "first_name", "username")
    shifts = shifts.prefetch_related(Prefetch("standby_engineers", queryset=people))
    exceptions = DutyException.objects.filter(_scope_filter(team_id), day__range=(first_day, last_day)).select_related(
        "duty_manager", "duty_engineer"
    )
    return (
        [
            WeeklyShift(
                shift.pk,
                shift.team_id,
                shift.weekday,
                shift.start,
                shift.end,
                shift.duty_manager,
                shift.duty_engineer,
                tuple(shift.standby_engineers.all()),
            )
            for shift in shifts
        ],
        [
            DatedException(
                exception.pk,
                exception.team_id,
                exception.day,
                exception.start,
                exception.end,
                exception.duty_manager,
                exception.duty_engineer,
                exception.reason,
            )
            for exception in exceptions
        ],
    )


def on_duty(at: dt.datetime, team_id: int | None = None) -> OnDuty:
    """The duty manager, engineer and standby engineers at `at`: the team's own first, else the organisation's.

    An exception covering `at` replaces the weekly shifts of its scope. Three queries at most.
    """
    zone = local_zone()
    local = timezone.localtime(at, zone)
    today = local.date()
    yesterday = today - DAY  # its night shift may still be on
    shifts, exceptions = _load(team_id, yesterday, today, weekdays={yesterday.weekday(), today.weekday()})
    return duty_at(local, duty_slots(yesterday, today, shifts, exceptions, zone), team_id)


def roster_week(team_id: int | None, week_start: dt.date) -> RosterWeek:
    """The duty roster of the seven days from `week_start` for a team (with the organisation's shifts that fill in
    for it) or for the whole organisation. Three queries at most."""
    zone = local_zone()
    shifts, exceptions = _load(team_id, week_start - DAY, week_start + (WEEK_DAYS - 1) * DAY)
    return build_roster_week(week_start=week_start, shifts=shifts, exceptions=exceptions, team_id=team_id, zone=zone)
