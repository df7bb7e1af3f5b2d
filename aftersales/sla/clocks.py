"""The state of every SLA clock of a ticket, replayed from its events (pure: no database, no clock).

The same happenings, targets and `now` always give the same states, so the ticket page, the sweep,
monthly reports and disputes all agree: each is a replay of the audit log.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from aftersales.sla.calendar import Calendar, add_business_time, business_time_between
from aftersales.sla.choices import Clock, ClockStatus


class Happens:
    """What a ticket event means to the clocks (the tickets app translates its events into these)."""

    OPENED = "opened"  # the request was received: most clocks start
    STATUS = "status"  # the ticket entered `status`: a clock may pause or resume
    ACKNOWLEDGED = "acknowledged"  # first answer by staff: accepted, a public reply, a logged call back
    ARRIVED = "arrived"  # the engineer checked in on site
    ESCALATED = "escalated"  # handed to the expert pool or the original vendor (L3)
    RESOLVED = "resolved"
    REOPENED = "reopened"
    ENDED = "ended"  # closed, cancelled or withdrawn: whatever still runs stops


STARTS = {
    Clock.RESPONSE: Happens.OPENED,
    Clock.ARRIVAL: Happens.OPENED,
    Clock.RESOLUTION: Happens.OPENED,
    Clock.EMERGENCY_PLAN: Happens.OPENED,
    # An on-site engineer who has not solved it within the target hands over to the next tier.
    Clock.ESCALATION: Happens.ARRIVED,
}
MET_BY = {
    Clock.RESPONSE: {Happens.ACKNOWLEDGED, Happens.RESOLVED},
    Clock.ARRIVAL: {Happens.ARRIVED},
    Clock.RESOLUTION: {Happens.RESOLVED},
    Clock.EMERGENCY_PLAN: {Happens.RESOLVED},
    Clock.ESCALATION: {Happens.RESOLVED, Happens.ESCALATED},
}
RESUMED_BY_REOPENING = {Clock.RESOLUTION, Clock.EMERGENCY_PLAN, Clock.ESCALATION}
# Happenings at the same instant apply in this order, so any listing of them gives the same replay.
ORDER = [
    Happens.OPENED,
    Happens.STATUS,
    Happens.ACKNOWLEDGED,
    Happens.ARRIVED,
    Happens.ESCALATED,
    Happens.RESOLVED,
    Happens.REOPENED,
    Happens.ENDED,
]
RANK = {what: rank for rank, what in enumerate(ORDER)}


@dataclass(frozen=True)
class Happening:
    at: dt.datetime
    what: str
    status: str = ""


@dataclass(frozen=True, eq=False)
class Target:
    clock: str
    duration: dt.timedelta
    calendar: Calendar
    pausing_statuses: frozenset[str] = frozenset()
    percents: tuple[int, ...] = (100,)
    # The business time used at each percent, worked out once for every replay of this target.
    thresholds: dict[int, dt.timedelta] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", {percent: self.duration * percent / 100 for percent in self.percents})


@dataclass(frozen=True)
class Moment:
    """One line of a clock's timeline: started, paused, resumed, met, breached, stopped, level."""

    at: dt.datetime
    what: str
    status: str = ""
    percent: int | None = None


@dataclass(frozen=True)
class Level:
    percent: int
    at: dt.datetime | None  # when the level was or will be crossed; None while that cannot be known
    crossed: bool


@dataclass(frozen=True)
class ClockState:
    clock: str
    status: str
    target: dt.timedelta
    used: dt.timedelta
    due_at: dt.datetime | None
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None
    levels: tuple[Level, ...]
    timeline: tuple[Moment, ...]

    @property
    def left(self) -> dt.timedelta:
        """Business time left; negative once overdue."""
        return self.target - self.used

    @property
    def at_risk(self) -> bool:
        """Running, and past one of its warning rungs."""
        return self.status == ClockStatus.RUNNING and any(level.crossed for level in self.levels)

    @property
    def counting(self) -> bool:
        """Not stopped, and running or already past its due time: its due time is the one to watch."""
        return self.stopped_at is None and self.status in (ClockStatus.RUNNING, ClockStatus.BREACHED)

    @property
    def next_level_at(self) -> dt.datetime | None:
        return next((level.at for level in self.levels if not level.crossed and level.at is not None), None)


@dataclass
class _Run:
    """A clock being replayed."""

    target: Target
    state: str = ClockStatus.PENDING
    used: dt.timedelta = dt.timedelta(0)
    since: dt.datetime | None = None  # start of the running segment
    crossed: dict[int, dt.datetime] = field(default_factory=dict)
    stopped_at: dt.datetime | None = None
    met: bool = False
    timeline: list[Moment] = field(default_factory=list)

    def advance(self, until: dt.datetime) -> None:
        """Count the running segment up to `until`, noting each level it crosses.

        Called only before the clock pauses or stops, and at `now`: business time over a segment is the sum over
        any split of it, and a level is crossed at the same instant whether counted from the segment's start or
        from a later point before it, so skipping the happenings that change nothing gives the same replay."""
        if self.state != ClockStatus.RUNNING or until <= self.since:
            return
        calendar = self.target.calendar
        gained = business_time_between(calendar, self.since, until)
        for percent, threshold in self.target.thresholds.items():
            if percent not in self.crossed and self.used < threshold <= self.used + gained:
                at = add_business_time(calendar, self.since, threshold - self.used)
                self.crossed[percent] = at
                self.timeline.append(Moment(at, "breached" if percent == 100 else "level", percent=percent))
        self.used += gained
        self.since = until

    def start(self, at: dt.datetime, status: str) -> None:
        self.state, self.since = ClockStatus.RUNNING, at
        self.timeline.append(Moment(at, "started"))
        self.enter(at, status)

    def enter(self, at: dt.datetime, status: str) -> None:
        pauses = status in self.target.pausing_statuses
        if self.state == ClockStatus.RUNNING and pauses:
            self.advance(at)
            self.state = ClockStatus.PAUSED
            self.timeline.append(Moment(at, "paused", status=status))
        elif self.state == ClockStatus.PAUSED and not pauses:
            self.state, self.since = ClockStatus.RUNNING, at
            self.timeline.append(Moment(at, "resumed", status=status))

    def stop(self, at: dt.datetime, *, met: bool) -> None:
        if self.state not in (ClockStatus.RUNNING, ClockStatus.PAUSED):
            return
        self.advance(at)
        self.state, self.stopped_at, self.met = ClockStatus.STOPPED, at, met
        self.timeline.append(Moment(at, "met" if met else "stopped"))

    def resume(self, at: dt.datetime, status: str) -> None:
        if self.state != ClockStatus.STOPPED or not self.met:
            return
        self.state, self.since, self.stopped_at, self.met = ClockStatus.RUNNING, at, None, False
        self.timeline.append(Moment(at, "resumed"))
        self.enter(at, status)


def compute_clocks(happenings: Sequence[Happening], targets: Sequence[Target], now: dt.datetime) -> list[ClockState]:
    """Replay the happenings up to `now` for every target; happenings after `now` are ignored."""
    runs = [_Run(target) for target in targets]
    status = ""
    for happening in sorted(happenings, key=lambda happening: (happening.at, RANK[happening.what])):
        if happening.at > now:
            break
        if happening.what == Happens.STATUS:
            status = happening.status
        for run in runs:
            _apply(run, happening, status)
    for run in runs:
        run.advance(now)
    return [_state(run, now) for run in runs]


def _apply(run: _Run, happening: Happening, status: str) -> None:
    clock, what, at = run.target.clock, happening.what, happening.at
    if run.state == ClockStatus.PENDING:
        if what == STARTS[clock]:
            run.start(at, status)
    elif what in MET_BY[clock]:
        run.stop(at, met=True)
    elif what in (Happens.RESOLVED, Happens.ENDED):
        run.stop(at, met=False)
    elif what == Happens.REOPENED and clock in RESUMED_BY_REOPENING:
        run.resume(at, status)
    elif what == Happens.STATUS:
        run.enter(at, status)


def _state(run: _Run, now: dt.datetime) -> ClockState:
    target = run.target
    breached_at = run.crossed.get(100)
    levels = tuple(_level(run, percent, now) for percent in target.percents)
    if run.state == ClockStatus.RUNNING:
        due_at = breached_at or add_business_time(target.calendar, now, target.duration - run.used)
    else:
        due_at = breached_at
    return ClockState(
        clock=target.clock,
        status=_status(run, breached_at),
        target=target.duration,
        used=run.used,
        due_at=due_at,
        breached_at=breached_at,
        stopped_at=run.stopped_at,
        levels=levels,
        timeline=tuple(run.timeline),
    )


def _level(run: _Run, percent: int, now: dt.datetime) -> Level:
    if percent in run.crossed:
        return Level(percent, run.crossed[percent], crossed=True)
    if run.state != ClockStatus.RUNNING:
        return Level(percent, None, crossed=False)
    threshold = run.target.thresholds[percent]
    return Level(percent, add_business_time(run.target.calendar, now, threshold - run.used), crossed=False)


def _status(run: _Run, breached_at: dt.datetime | None) -> str:
    """A clock that passed its due time stays breached, whether it runs, waits or has stopped since."""
    if breached_at is not None:
        return ClockStatus.BREACHED
    if run.state == ClockStatus.STOPPED:
        return ClockStatus.MET if run.met else ClockStatus.STOPPED
    return run.state
